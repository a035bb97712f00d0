"""Orders over the JSON API: thin shells over the order services, which keep each
order's paid summary in step with its lines and reclassify whom an order touches."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kenal.api.pagination import paginated
from kenal.api.schemas import ErrorOut, PartyRef
from kenal.commerce.models import LineStatus, Order, OrderLine, ProductKind
from kenal.commerce.services import LineData, order_create
from kenal.parties.access import parties_access, party_for_user
from kenal.parties.models import Party

router = Router()

CENT = Decimal("0.01")


class ProductOut(Schema):
    sku: str
    name: str
    kind: str


class OrderLineOut(Schema):
    line_no: int
    product: ProductOut
    occurred_at: datetime
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    total: Decimal
    promo_code: str
    consumer: PartyRef | None
    channel: str
    currency: str
    status: str

    @staticmethod
    def resolve_total(line: OrderLine) -> Decimal:
        return line.total.quantize(CENT)


class OrderOut(Schema):
    id: int
    external_id: str
    buyer: PartyRef
    occurred_at: datetime
    channel: str
    currency: str
    is_paid: bool
    has_promotion: bool
    paid_total: Decimal


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]


@router.get("", response=list[OrderOut], summary=gettext_lazy("List orders, newest first"))
@paginated
def list_orders(
    request: HttpRequest,
    party: int | None = Query(None, description=gettext_lazy("Only this buyer's orders (party id).")),
):
    parties_access(request.auth)
    orders = Order.objects.select_related("buyer")
    if party is not None:
        orders = orders.filter(buyer_id=party)
    return orders


@router.get("/{int:order_id}", response={200: OrderDetailOut, 404: ErrorOut}, summary=gettext_lazy("One order with its lines"))
def get_order(request: HttpRequest, order_id: int):
    parties_access(request.auth)
    orders = Order.objects.select_related("buyer").prefetch_related("lines__product", "lines__consumer")
    return get_object_or_404(orders, pk=order_id)


# A party is named by its id (a number) or by its external id (a string).
PartyKey = int | str


class NewProductIn(Schema):
    model_config = ConfigDict(extra="forbid")

    name: str
    kind: ProductKind = ProductKind.GOODS


class OrderLineIn(Schema):
    model_config = ConfigDict(extra="forbid")

    sku: str = Field(description=gettext_lazy("The product's code; it must exist unless new_product is given."))
    new_product: NewProductIn | None = Field(
        None, description=gettext_lazy("Add a product with this SKU, name and kind to the catalogue.")
    )
    quantity: Decimal = Decimal(1)
    unit_price: Decimal
    discount: Decimal = Field(Decimal(0), description=gettext_lazy("At most quantity × unit price."))
    promo_code: str = ""
    consumer: PartyKey | None = Field(
        None, description=gettext_lazy("Who uses the product, when not the buyer: a party id or external id.")
    )
    occurred_at: datetime | None = None
    status: LineStatus = LineStatus.PAID
    channel: str = ""


class OrderIn(Schema):
    model_config = ConfigDict(extra="forbid")

    buyer: PartyKey = Field(description=gettext_lazy("The buyer's party id (number) or external id (string)."))
    external_id: str = Field("", description=gettext_lazy("Empty: the next number (ORD-000123)."))
    occurred_at: datetime | None = None
    channel: str = ""
    currency: str = Field(settings.KENAL_DEFAULT_CURRENCY, description=gettext_lazy("An ISO 4217 code, like IDR."))
    lines: list[OrderLineIn]


def _party(key: PartyKey, field: str, errors: dict[str, list[str]]) -> Party | None:
    lookup = {"pk": key} if isinstance(key, int) else {"external_id": key}
    party = Party.objects.filter(**lookup).first()
    if party is None:
        errors.setdefault(field, []).append(_("No party has the id or external id “%(key)s”.") % {"key": key})
    return party


@router.post("", response={201: OrderDetailOut, 422: ErrorOut}, summary=gettext_lazy("Record an order"))
def create_order(request: HttpRequest, payload: OrderIn):
    parties_access(request.auth, write=True)
    errors: dict[str, list[str]] = {}
    buyer = _party(payload.buyer, "buyer", errors)
    lines = []
    for number, line in enumerate(payload.lines):
        consumer = _party(line.consumer, f"lines.{number}.consumer", errors) if line.consumer is not None else None
        lines.append(LineData(
            sku=line.sku, quantity=line.quantity, unit_price=line.unit_price, discount=line.discount,
            promo_code=line.promo_code, consumer=consumer, occurred_at=line.occurred_at, status=str(line.status),
            channel=line.channel, new_product_name=line.new_product.name if line.new_product else "",
            new_product_kind=str(line.new_product.kind) if line.new_product else ProductKind.GOODS,
        ))
    if errors:
        raise ValidationError(errors)
    party_for_user(request.auth, buyer.pk, write=True)
    order = order_create(
        actor=request.auth, buyer=buyer, lines=lines, external_id=payload.external_id,
        occurred_at=payload.occurred_at, channel=payload.channel, currency=payload.currency,
        create_unknown_products=False,
    )
    orders = Order.objects.select_related("buyer").prefetch_related("lines__product", "lines__consumer")
    return Status(201, orders.get(pk=order.pk))
