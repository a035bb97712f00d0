"""Who may correct orders and manage products. Anything not allowed here is denied.

An order entered by mistake may be corrected (its lines edited, or the whole order
cancelled) by a manager or administrator, or by the staff member who recorded it, as
long as they still may write parties. Imported orders have no recorder: managers
alone correct them. Products are the shop's catalogue: every role that writes
parties may pick them and add a new one while recording an order, but changing or
retiring one is for managers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404

from kenal.audit.selectors import audit_recorded_by
from kenal.commerce.models import Order
from kenal.parties.access import parties_access


def order_may_correct(user: Any, order: Order) -> bool:
    try:
        parties_access(user, write=True)
    except PermissionDenied:
        return False
    return user.is_manager or audit_recorded_by(user=user, target=order, action="order.create")


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
