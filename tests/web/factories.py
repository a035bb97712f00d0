"""Facts for the web tests. Parties go through the party service; orders, agreements
and interactions have no service of their own yet, so they are written directly, the
way an import stores them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from kenal.agreements.models import Agreement
from kenal.commerce.models import LineStatus, Order, OrderLine, Product
from kenal.commerce.summary import order_summary_refresh
from kenal.interactions.models import Interaction
from kenal.parties.models import Party, PartyKind
from kenal.parties.services import PartyData, party_create

JAKARTA = ZoneInfo("Asia/Jakarta")
_seq = count(1)


def at(text: str) -> datetime:
    """A time written as on a Jakarta wall clock: ``2026-03-01 14:05``."""
    return datetime.fromisoformat(text).replace(tzinfo=JAKARTA)


def party(name: str, *, kind: str = PartyKind.PERSON, contacts: list[tuple[str, str]] | None = None, **extra) -> Party:
    return party_create(actor=None, data=PartyData(name=name, kind=kind, contacts=contacts or [], **extra))


def order(buyer: Party, when: datetime, lines: list[dict], *, external_id: str = "") -> Order:
    """``lines``: dicts of sku, unit_price and optionally quantity, discount, status,
    consumer. The order's summary is kept by the same function as the services'."""
    made = Order.objects.create(external_id=external_id or f"ORD-{next(_seq)}", buyer=buyer, occurred_at=when)
    for number, spec in enumerate(lines, start=1):
        product, _ = Product.objects.get_or_create(sku=spec["sku"], defaults={"name": spec.get("name", spec["sku"])})
        OrderLine.objects.create(
            order=made, line_no=number, product=product, occurred_at=when,
            quantity=Decimal(spec.get("quantity", 1)), unit_price=Decimal(spec["unit_price"]),
            discount=Decimal(spec.get("discount", 0)), status=spec.get("status", LineStatus.PAID),
            consumer=spec.get("consumer"),
        )
    order_summary_refresh(order_ids=[made.pk])
    made.refresh_from_db()
    return made


def agreement(client: Party, title: str, *, signed: datetime | None, starts_on: date, csm=None, **extra) -> Agreement:
    return Agreement.objects.create(
        party=client, title=title, signed_by_provider_at=signed, signed_by_client_at=signed,
        starts_on=starts_on, csm=csm, **extra,
    )


def interaction(who: Party, when: datetime, body: str, *, channel: str = "whatsapp", direction: str = "inbound",
                kind: str = "message") -> Interaction:
    return Interaction.objects.create(
        party=who, occurred_at=when, channel=channel, direction=direction, kind=kind, body=body,
        source_key=f"test-{next(_seq)}",
    )
