"""Every order written through Kenal (web UI, API, tests) goes through here. Imports
write orders in bulk with the same summary rule, in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenal.audit.services import audit_record
from kenal.classification.actions import profiles_refresh
from kenal.commerce.models import LineStatus, Order, OrderLine, Product
from kenal.core.money import currency_normalize
from kenal.parties.models import Party


@dataclass
class LineData:
    """One line as a user gives it; ``occurred_at`` defaults to the order's time."""

    sku: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    discount: Decimal = Decimal(0)
    promo_code: str = ""
    consumer: Party | None = None
    occurred_at: datetime | None = None
    status: str = LineStatus.PAID
    channel: str = ""


@dataclass
class OrderSummary:
    occurred_at: datetime
    is_paid: bool
    has_promotion: bool
    max_paid_quantity: Decimal
    paid_total: Decimal


def order_summary(lines: Iterable[OrderLine]) -> OrderSummary:
    """What the classification reads from an order (DOMAIN.md): its time is its
    earliest line's time; it is a purchase when a line is paid; promotions, quantities
    and the total come from the paid lines only."""
    lines = list(lines)
    paid = [line for line in lines if line.status == LineStatus.PAID]
    return OrderSummary(
        occurred_at=min(line.occurred_at for line in lines),
        is_paid=bool(paid),
        has_promotion=any(line.promo_code or line.discount > 0 for line in paid),
        max_paid_quantity=max((Decimal(line.quantity) for line in paid), default=Decimal(0)),
        paid_total=sum((line.total for line in paid), Decimal(0)),
    )


def line_problems(*, quantity: Decimal, unit_price: Decimal, discount: Decimal) -> list[str]:
    """What is wrong with a line's numbers, in words; the one rule the forms, the API
    and CSV imports apply. A discount may not exceed the line's amount: a line never
    pays out money."""
    problems = []
    if Decimal(quantity) <= 0:
        problems.append(_("the quantity must be above 0"))
    if Decimal(unit_price) < 0:
        problems.append(_("the unit price cannot be negative"))
    if Decimal(discount) < 0:
        problems.append(_("the discount cannot be negative"))
    elif Decimal(quantity) > 0 and Decimal(unit_price) >= 0 and Decimal(discount) > Decimal(quantity) * Decimal(unit_price):
        problems.append(_("the discount is larger than the line's amount (quantity × unit price)"))
    return problems


def _clean(external_id: str, lines: list[LineData], currency: str) -> None:
    errors: dict[str, list[str]] = {}
    try:
        currency_normalize(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if external_id and Order.objects.filter(external_id=external_id).exists():
        errors.setdefault("external_id", []).append(
            _("Another order already has the id “%(value)s”.") % {"value": external_id}
        )
    if not lines:
        errors.setdefault("lines", []).append(_("An order needs at least one line."))
    for number, line in enumerate(lines, start=1):
        problems = []
        if not line.sku or not line.sku.strip():
            problems.append(_("a product (SKU) is required"))
        problems += line_problems(quantity=line.quantity, unit_price=line.unit_price, discount=line.discount)
        if line.status not in LineStatus.values:
            problems.append(_("unknown status “%(status)s”") % {"status": line.status})
        for problem in problems:
            errors.setdefault("lines", []).append(
                _("Line %(number)d: %(problem)s.") % {"number": number, "problem": problem}
            )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def order_create(
    *,
    actor: Any | None,
    buyer: Party,
    lines: list[LineData],
    external_id: str = "",
    occurred_at: datetime | None = None,
    channel: str = "",
    currency: str = settings.KENAL_DEFAULT_CURRENCY,
) -> Order:
    """Record an order with its lines and reclassify, in the same transaction, the
    buyer, the consumers named on its lines, and whoever referred them."""
    _clean(external_id, lines, currency)
    currency = currency_normalize(currency)
    default_time = occurred_at or timezone.now()
    order = Order(
        external_id=external_id or f"manual:{uuid4()}", buyer=buyer, channel=channel, currency=currency,
        occurred_at=default_time,
    )
    built = []
    for number, spec in enumerate(lines, start=1):
        product, _created = Product.objects.get_or_create(sku=spec.sku.strip())
        built.append(OrderLine(
            line_no=number, product=product, occurred_at=spec.occurred_at or default_time,
            quantity=Decimal(spec.quantity), unit_price=Decimal(spec.unit_price), discount=Decimal(spec.discount),
            promo_code=spec.promo_code.strip(), consumer=spec.consumer, channel=spec.channel or channel,
            currency=currency, status=spec.status,
        ))
    summary = order_summary(built)
    for name, value in vars(summary).items():
        setattr(order, name, value)
    order.save()
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    audit_record(actor=actor, action="order.create", target=order, changes={
        "buyer": buyer.pk, "occurred_at": order.occurred_at.isoformat(), "is_paid": order.is_paid,
        "paid_total": str(order.paid_total), "lines": len(built),
        "consumers": sorted({line.consumer_id for line in built if line.consumer_id}),
    })
    profiles_refresh(party_ids=[buyer.pk, *(line.consumer_id for line in built)])
    return order
