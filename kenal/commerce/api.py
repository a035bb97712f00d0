"""Orders over the JSON API, read-only: orders are written by imports and services that
keep each order's paid summary in step with its lines."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from kenal.api.pagination import paginated
from kenal.api.schemas import ErrorOut, PartyRef
from kenal.commerce.models import Order, OrderLine
from kenal.parties.access import parties_access

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
