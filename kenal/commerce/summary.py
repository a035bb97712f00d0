"""The order summary, written once (DOMAIN.md): an order's time is its earliest line's
time; it is a purchase when a line is paid; whether it used a promotion, its largest
paid quantity and its paid total come from the paid lines only.

The classification reads these columns of ``Order`` instead of every line, so whoever
writes lines keeps them: the order services and the demo call
``order_summary_refresh`` after writing, and the import computes the same
``SUMMARY`` aggregates over the lines it stages, which are exactly the order's lines
once it has merged them.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection

from kenal.commerce.models import LineStatus, Order, OrderLine

_PAID = f"status = '{LineStatus.PAID.value}'"

# Column of Order -> aggregate over the order's lines. The lines may be stored ones or
# staged ones, where an empty promo code is NULL rather than ''.
SUMMARY: dict[str, str] = {
    "occurred_at": "MIN(occurred_at)",
    "is_paid": f"MAX(CASE WHEN {_PAID} THEN 1 ELSE 0 END) = 1",
    "has_promotion": (
        f"MAX(CASE WHEN {_PAID} AND (COALESCE(promo_code, '') <> '' OR discount > 0) THEN 1 ELSE 0 END) = 1"
    ),
    "max_paid_quantity": f"COALESCE(MAX(CASE WHEN {_PAID} THEN quantity END), 0)",
    "paid_total": f"ROUND(COALESCE(SUM(CASE WHEN {_PAID} THEN quantity * unit_price - discount END), 0), 2)",
}


def summary_aggregates() -> str:
    """The SUMMARY aggregates as a select list, each named after its column."""
    return ", ".join(f"{expression} AS {column}" for column, expression in SUMMARY.items())


def order_summary_refresh(*, order_ids: Iterable[int]) -> None:
    """Recompute the summary columns of these orders from their stored lines, in one
    UPDATE. An order without lines keeps what it has."""
    ids = list(order_ids)
    quote = connection.ops.quote_name
    order, line = quote(Order._meta.db_table), quote(OrderLine._meta.db_table)
    assignments = ", ".join(f"{column} = s.{column}" for column in SUMMARY)
    with connection.cursor() as cursor:
        # In slices, under SQLite's limit on the parameters of one statement.
        for start in range(0, len(ids), 10_000):
            chunk = ids[start:start + 10_000]
            cursor.execute(
                f"UPDATE {order} SET {assignments} FROM (SELECT order_id, {summary_aggregates()} FROM {line}"
                f" WHERE order_id IN ({', '.join(['%s'] * len(chunk))}) GROUP BY order_id) s"
                f" WHERE {order}.id = s.order_id",
                chunk,
            )
