"""Every order written through Kenal (web UI, API, tests) goes through here. The
order's summary comes from kenal.commerce.summary, as for imports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenal.audit.services import audit_record
from kenal.classification.actions import profiles_refresh
from kenal.commerce.models import LineStatus, Order, OrderCounter, OrderLine, Product, ProductKind
from kenal.commerce.summary import SUMMARY, order_summary_refresh
from kenal.core.money import currency_normalize
from kenal.parties.models import Party


@dataclass
class LineData:
    """One line as a user gives it; ``occurred_at`` defaults to the order's time.
    ``new_product_name`` asks for a new product with this SKU, name and kind."""

    sku: str
    unit_price: Decimal
    quantity: Decimal = Decimal(1)
    discount: Decimal = Decimal(0)
    promo_code: str = ""
    consumer: Party | None = None
    occurred_at: datetime | None = None
    status: str = LineStatus.PAID
    channel: str = ""
    new_product_name: str = ""
    new_product_kind: str = ProductKind.GOODS


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


def _clean(external_id: str, lines: list[LineData], currency: str, *, order: Order | None = None,
           create_unknown_products: bool = True) -> None:
    errors: dict[str, list[str]] = {}
    try:
        currency_normalize(currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages
    if external_id:
        taken = Order.objects.filter(external_id=external_id)
        if order is not None:
            taken = taken.exclude(pk=order.pk)
        if taken.exists():
            errors.setdefault("external_id", []).append(
                _("Another order already has the id “%(value)s”.") % {"value": external_id}
            )
    if not lines:
        errors.setdefault("lines", []).append(_("An order needs at least one line."))
    skus = {line.sku.strip() for line in lines if line.sku}
    known = set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))
    for number, line in enumerate(lines, start=1):
        for problem in _line_problems(line, known=known, create_unknown_products=create_unknown_products):
            errors.setdefault("lines", []).append(
                _("Line %(number)d: %(problem)s.") % {"number": number, "problem": problem}
            )
    if errors:
        raise ValidationError(errors)


def _line_problems(line: LineData, *, known: set[str], create_unknown_products: bool) -> list[str]:
    problems = []
    sku = (line.sku or "").strip()
    if not sku:
        problems.append(_("a product (SKU) is required"))
    elif line.new_product_name.strip():
        if sku in known:
            problems.append(_("a product with the code “%(sku)s” already exists; pick it from the list") % {"sku": sku})
        if line.new_product_kind not in ProductKind.values:
            problems.append(_("choose the kind of the new product"))
    elif sku not in known and not create_unknown_products:
        problems.append(
            _("no product has the code “%(sku)s”; pick one from the list or mark it as a new product") % {"sku": sku}
        )
    problems += line_problems(quantity=line.quantity, unit_price=line.unit_price, discount=line.discount)
    if line.status not in LineStatus.values:
        problems.append(_("unknown status “%(status)s”") % {"status": line.status})
    return problems


ORDER_PREFIX = "ORD-"


def order_number_next() -> str:
    """The next free number for an order entered by hand (``ORD-000123``), taken inside
    the caller's transaction. The counter row is locked until the order is saved, so
    concurrent saves queue for a number instead of sharing one; a number an import
    already used is skipped."""
    counter = OrderCounter.objects.select_for_update().filter(prefix=ORDER_PREFIX).first()
    if counter is None:
        try:
            with transaction.atomic():
                OrderCounter.objects.create(prefix=ORDER_PREFIX)
        except IntegrityError:
            pass  # Another order made the row first; it is locked below all the same.
        counter = OrderCounter.objects.select_for_update().get(prefix=ORDER_PREFIX)
    number = counter.last
    while True:
        number += 1
        candidate = f"{ORDER_PREFIX}{number:06d}"
        if not Order.objects.filter(external_id=candidate).exists():
            break
    OrderCounter.objects.filter(pk=counter.pk).update(last=number)
    return candidate


def _build_lines(lines: list[LineData], *, default_time: datetime, channel: str, currency: str,
                 actor: Any | None) -> list[OrderLine]:
    built = []
    for number, spec in enumerate(lines, start=1):
        sku = spec.sku.strip()
        if spec.new_product_name.strip():
            product = product_create(actor=actor, sku=sku, name=spec.new_product_name, kind=spec.new_product_kind)
        else:
            product, _created = Product.objects.get_or_create(sku=sku)
        built.append(OrderLine(
            line_no=number, product=product, occurred_at=spec.occurred_at or default_time,
            quantity=Decimal(spec.quantity), unit_price=Decimal(spec.unit_price), discount=Decimal(spec.discount),
            promo_code=spec.promo_code.strip(), consumer=spec.consumer, channel=spec.channel or channel,
            currency=currency, status=spec.status,
        ))
    return built


def _summarise(order: Order) -> None:
    """The order's summary recomputed from its stored lines, and read back."""
    order_summary_refresh(order_ids=[order.pk])
    order.refresh_from_db(fields=list(SUMMARY))


def _order_snapshot(order: Order, lines: list[OrderLine]) -> dict[str, Any]:
    return {
        "external_id": order.external_id, "buyer": order.buyer_id, "occurred_at": order.occurred_at.isoformat(),
        "channel": order.channel, "currency": order.currency, "is_paid": order.is_paid,
        "paid_total": str(order.paid_total),
        "lines": [
            {"sku": line.product.sku, "quantity": str(line.quantity), "unit_price": str(line.unit_price),
             "discount": str(line.discount), "promo_code": line.promo_code, "consumer": line.consumer_id,
             "status": line.status}
            for line in lines
        ],
    }


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
    create_unknown_products: bool = True,
) -> Order:
    """Record an order with its lines and reclassify, in the same transaction, the
    buyer, the consumers named on its lines, and whoever referred them.

    Programs and imports name products by SKU and a new SKU makes a product; a person
    picks from the list, so the screens and the API pass ``create_unknown_products=False``
    and a new product must be asked for on its line (``new_product_name``)."""
    _clean(external_id, lines, currency, create_unknown_products=create_unknown_products)
    currency = currency_normalize(currency)
    default_time = occurred_at or timezone.now()
    order = Order(
        external_id=external_id or order_number_next(), buyer=buyer, channel=channel, currency=currency,
        occurred_at=default_time,
    )
    built = _build_lines(lines, default_time=default_time, channel=channel, currency=currency, actor=actor)
    order.save()
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    _summarise(order)
    audit_record(actor=actor, action="order.create", target=order, changes={
        "buyer": buyer.pk, "occurred_at": order.occurred_at.isoformat(), "is_paid": order.is_paid,
        "paid_total": str(order.paid_total), "lines": len(built),
        "consumers": sorted({line.consumer_id for line in built if line.consumer_id}),
    })
    profiles_refresh(party_ids=[buyer.pk, *(line.consumer_id for line in built)])
    return order


def _order_lines(order: Order) -> list[OrderLine]:
    return list(order.lines.select_related("product").order_by("line_no"))


@transaction.atomic
def order_update(
    *,
    actor: Any | None,
    order: Order,
    lines: list[LineData],
    external_id: str,
    occurred_at: datetime,
    channel: str = "",
    currency: str = settings.KENAL_DEFAULT_CURRENCY,
) -> Order:
    """Correct an order entered by mistake: its header and all its lines, replaced by
    the ones given. Reclassifies the buyer and every consumer named before or after."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    _clean(external_id, lines, currency, order=order, create_unknown_products=False)
    before_lines = _order_lines(order)
    before = _order_snapshot(order, before_lines)
    currency = currency_normalize(currency)
    order.external_id, order.occurred_at, order.channel, order.currency = external_id, occurred_at, channel, currency
    built = _build_lines(lines, default_time=occurred_at, channel=channel, currency=currency, actor=actor)
    order.lines.all().delete()
    order.save()
    for line in built:
        line.order = order
    OrderLine.objects.bulk_create(built)
    _summarise(order)
    after = _order_snapshot(order, built)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit_record(actor=actor, action="order.update", target=order, changes=changed)
    profiles_refresh(party_ids=[
        order.buyer_id, *(line.consumer_id for line in before_lines), *(line.consumer_id for line in built),
    ])
    return order


@transaction.atomic
def order_cancel(*, actor: Any | None, order: Order) -> Order:
    """Cancel every line of an order (it stays on the timeline as cancelled, and no
    longer counts as a purchase) and reclassify whom it touched."""
    order = Order.objects.select_for_update().get(pk=order.pk)
    lines = _order_lines(order)
    changed = [line.line_no for line in lines if line.status != LineStatus.CANCELLED]
    if not changed:
        return order
    order.lines.update(status=LineStatus.CANCELLED)
    _summarise(order)
    audit_record(actor=actor, action="order.cancel", target=order, changes={"lines_cancelled": changed})
    profiles_refresh(party_ids=[order.buyer_id, *(line.consumer_id for line in lines)])
    return order


@transaction.atomic
def order_delete(*, actor: Any | None, order: Order) -> None:
    """Remove an order and its lines altogether (the admin's delete), audited with
    what it held, and reclassify its buyer and consumers."""
    lines = _order_lines(order)
    audit_record(actor=actor, action="order.delete", target=order, changes=_order_snapshot(order, lines))
    touched = [order.buyer_id, *(line.consumer_id for line in lines)]
    order.delete()
    profiles_refresh(party_ids=touched)


def _product_clean(*, sku: str, name: str, kind: str, product: Product | None) -> None:
    errors: dict[str, list[str]] = {}
    if not sku or not sku.strip():
        errors.setdefault("sku", []).append(_("A product code (SKU) is required."))
    else:
        taken = Product.objects.filter(sku=sku.strip())
        if product is not None:
            taken = taken.exclude(pk=product.pk)
        if taken.exists():
            errors.setdefault("sku", []).append(
                _("Another product already has the code “%(value)s”.") % {"value": sku.strip()}
            )
    if kind not in ProductKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of product."))
    if errors:
        raise ValidationError(errors)


def _product_snapshot(product: Product) -> dict[str, Any]:
    return {"sku": product.sku, "name": product.name, "kind": product.kind, "active": product.active}


@transaction.atomic
def product_create(*, actor: Any | None, sku: str, name: str = "", kind: str = ProductKind.GOODS,
                   active: bool = True) -> Product:
    _product_clean(sku=sku, name=name, kind=kind, product=None)
    product = Product.objects.create(sku=sku.strip(), name=name.strip(), kind=kind, active=active)
    audit_record(actor=actor, action="product.create", target=product, changes=_product_snapshot(product))
    return product


@transaction.atomic
def product_update(*, actor: Any | None, product: Product, sku: str, name: str, kind: str, active: bool) -> Product:
    """Change a product. Classification reads no product field, so nobody is
    reclassified; past lines keep pointing at the same product."""
    _product_clean(sku=sku, name=name, kind=kind, product=product)
    before = _product_snapshot(product)
    product.sku, product.name, product.kind, product.active = sku.strip(), name.strip(), kind, active
    product.save()
    after = _product_snapshot(product)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit_record(actor=actor, action="product.update", target=product, changes=changed)
    return product


@transaction.atomic
def product_delete(*, actor: Any | None, product: Product) -> None:
    """Delete a product never sold; one with order lines is retired instead (made
    inactive), so past orders keep their lines."""
    if product.lines.exists():
        raise ValidationError(
            _("“%(product)s” is on past orders and cannot be deleted; make it inactive instead.")
            % {"product": product.sku}
        )
    audit_record(actor=actor, action="product.delete", target=product, changes=_product_snapshot(product))
    product.delete()
