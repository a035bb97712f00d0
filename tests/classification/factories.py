"""Facts for classification tests, written straight through the ORM. Orders get the
paid-line summary their writers keep (occurred_at, is_paid, has_promotion,
max_paid_quantity, paid_total) from the one function that computes it for every writer."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from kenal.agreements.models import Agreement
from kenal.commerce.models import Order, OrderLine, Product
from kenal.commerce.summary import order_summary_refresh
from kenal.interactions.models import Interaction
from kenal.parties.models import Party

JAKARTA = ZoneInfo("Asia/Jakarta")
_seq = itertools.count(1)


def at(text: str) -> datetime:
    """A Jakarta wall-clock time, e.g. at("2026-03-01 14:00")."""
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def party(name: str = "", **fields) -> Party:
    n = next(_seq)
    return Party.objects.create(name=name or f"Party {n}", external_id=fields.pop("external_id", f"P-{n:05d}"), **fields)


def line(*, status: str = "paid", quantity=1, unit_price=100_000, discount=0, promo_code: str = "",
         consumer: Party | None = None, occurred_at: datetime | None = None) -> dict:
    """One order line; ``occurred_at`` defaults to its order's time."""
    return {"status": status, "quantity": Decimal(quantity), "unit_price": Decimal(unit_price),
            "discount": Decimal(discount), "promo_code": promo_code, "consumer": consumer, "occurred_at": occurred_at}


def order(buyer: Party, when: datetime, *lines: dict) -> Order:
    """An order placed at ``when`` with these lines (one paid line of 1 unit if none);
    a line given its own time makes the order's time the earliest of them."""
    lines = lines or (line(),)
    product, _ = Product.objects.get_or_create(sku="SKU-TEST")
    created = Order.objects.create(external_id=f"O-{next(_seq):06d}", buyer=buyer, occurred_at=when)
    OrderLine.objects.bulk_create(
        OrderLine(order=created, line_no=i, product=product, **{**spec, "occurred_at": spec["occurred_at"] or when})
        for i, spec in enumerate(lines, start=1)
    )
    order_summary_refresh(order_ids=[created.pk])
    created.refresh_from_db()
    return created


def agreement(client: Party, starts_on: date, *, signed: datetime | None | str = "start", ends_on: date | None = None,
              terminated_on: date | None = None, provider_signed: datetime | None | str = "same", **fields) -> Agreement:
    """An agreement signed by both sides at the start (by default) or at ``signed``;
    ``signed=None`` leaves the client's signature off (a proposal)."""
    client_signed = datetime.combine(starts_on, datetime.min.time(), tzinfo=JAKARTA) if signed == "start" else signed
    provider = client_signed if provider_signed == "same" else provider_signed
    return Agreement.objects.create(
        party=client, title=fields.pop("title", "Retainer"), starts_on=starts_on, ends_on=ends_on,
        terminated_on=terminated_on, signed_by_client_at=client_signed, signed_by_provider_at=provider, **fields,
    )


def interaction(who: Party, when: datetime, *, direction: str = "inbound", kind: str = "message") -> Interaction:
    return Interaction.objects.create(
        party=who, occurred_at=when, channel="whatsapp", direction=direction, kind=kind,
        source_key=f"k-{next(_seq)}",
    )
