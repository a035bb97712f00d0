"""Who may correct orders and manage products. Anything not allowed here is denied.

An order entered by mistake may be corrected (its lines edited, or the whole order
cancelled) by a manager or administrator, or by the staff member who recorded it, as
long as they still may write parties. Imported orders have no recorder: managers
alone correct them. Products are the shop's catalogue: every role that writes
parties may pick them and add a new one while recording an order, but changing or
retiring one is for managers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenal.audit.selectors import audit_recorded_by
from kenal.commerce.models import Order
from kenal.parties.access import parties_access


def orders_may_correct(user: Any, orders: Iterable[Order]) -> set[int]:
    """The ids of those orders the user may correct (one query at most)."""
    orders = list(orders)
    try:
        parties_access(user, write=True)
    except PermissionDenied:
        return set()
    if user.is_manager:
        return {order.pk for order in orders}
    return audit_recorded_by(user=user, targets=orders, action="order.create")


def order_may_correct(user: Any, order: Order) -> bool:
    return order.pk in orders_may_correct(user, [order])


def order_for_user(user: Any, pk: int, order_pk: int) -> Order:
    """The order ``order_pk`` of party ``pk`` that the user may correct; 404 when there
    is no such order for that party, PermissionDenied when the user may not."""
    parties_access(user, write=True)
    order = Order.objects.select_related("buyer").filter(pk=order_pk, buyer_id=pk).first()
    if order is None:
        raise Http404
    if not order_may_correct(user, order):
        raise PermissionDenied
    return order


def products_access(user: Any, *, write: bool = False) -> None:
    """Reading the catalogue is for everyone who may record orders; changing it, for
    managers."""
    parties_access(user, write=True)
    if write and not user.is_manager:
        raise PermissionDenied
