"""Checks across rows, run in SQL over the staged rows of a file before anything is
written: repeated ids, references to parties, one buyer and one currency per order,
one kind per product.

Done in the database rather than in Python dictionaries so that checking a file of
ten million lines takes the same memory as checking ten. Each check is one query that
lists problem rows by row number; the report keeps the first of them and counts the
rest (``collect``), so a huge bad file costs one scan per check, not one per problem.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.backends.utils import CursorWrapper
from django.utils.translation import gettext as _

from kenal.interchange import loader
from kenal.interchange.loader import Dialect, table
from kenal.interchange.validation import Report
from kenal.parties.models import Party, PartyKind

Problem = tuple[int, str, str, str]


def collect(
    cursor: CursorWrapper, report: Report, sql: str, problem: Callable[[tuple[Any, ...]], Problem],
    params: list[Any] | None = None,
) -> None:
    """Add the problems ``sql`` finds (its first column is the row number) to the
    report: as many as it has room for, in the order of the file, and a count of the
    rest."""
    params = params or []
    room = report.room
    found: list[tuple[Any, ...]] = []
    if room > 0:
        cursor.execute(f"{sql} ORDER BY 1 LIMIT {room}", params)
        found = cursor.fetchall()
        for row in found:
            report.add(*problem(row))
        if len(found) < room:
            return
    cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)
    report.count(cursor.fetchone()[0] - len(found))


def unknown_parties(cursor: CursorWrapper, report: Report, *, stage: str, column: str, where: str = "",
                    label: str = "") -> None:
    """Rows whose ``column`` names a party no one has stored."""
    party = table(Party)
    collect(
        cursor, report,
        f"SELECT s.file_row, s.{column} FROM {stage} s WHERE s.{column} IS NOT NULL {where}"
        f" AND NOT EXISTS (SELECT 1 FROM {party} p WHERE p.external_id = s.{column})",
        lambda r: (r[0], label or column, r[1], _("no party has this external id; import it in parties.csv first")),
    )


def repeated_ids(cursor: CursorWrapper, report: Report, *, stage: str) -> None:
    """Rows whose external id an earlier row of the file has already."""
    collect(
        cursor, report,
        f"SELECT s.file_row, s.external_id, f.first_row FROM {stage} s JOIN (SELECT external_id,"
        f" MIN(file_row) AS first_row FROM {stage} GROUP BY external_id HAVING COUNT(*) > 1) f"
        f" ON f.external_id = s.external_id WHERE s.file_row > f.first_row",
        lambda r: (r[0], "external_id", r[1], _("the same external id is on row %(row)s too") % {"row": r[2]}),
    )


def check_parties(cursor: CursorWrapper, dialect: Dialect, report: Report) -> None:
    stage = loader.STAGE_PARTY.name
    cursor.execute(f"CREATE INDEX {stage}_key ON {stage} (external_id, file_row)")
    if dialect.is_postgres:
        cursor.execute(f"ANALYZE {stage}")
    repeated_ids(cursor, report, stage=stage)
    # A reference may point forward in the file, or to a party already stored.
    for column in ("referred_by", "member_of"):
        target_kind = (
            f"COALESCE((SELECT t.kind FROM {stage} t WHERE t.external_id = s.{column} ORDER BY t.file_row LIMIT 1),"
            f" (SELECT p.kind FROM {table(Party)} p WHERE p.external_id = s.{column}))"
        )
        wrong_kind = f" OR kind <> '{PartyKind.ORGANIZATION.value}'" if column == "member_of" else ""
        collect(
            cursor, report,
            f"SELECT file_row, value, kind FROM (SELECT s.file_row, s.{column} AS value, {target_kind} AS kind"
            f" FROM {stage} s WHERE s.{column} IS NOT NULL AND s.{column} <> s.external_id) refs"
            f" WHERE kind IS NULL{wrong_kind}",
            lambda r, column=column: (
                r[0], column, r[1],
                _("no party has this external id, in this file or already stored") if r[2] is None
                else _("is not an organisation; only organisations have members"),
            ),
        )


def check_orders(cursor: CursorWrapper, dialect: Dialect, report: Report) -> None:
    loader.number_lines(cursor, dialect)
    lines, products = loader.STAGE_LINE.name, loader.STAGE_PRODUCT
    # Every line of an order has the order's buyer (checked next), so the first line's
    # stands for the order.
    unknown_parties(cursor, report, stage=lines, column="buyer", label="party", where="AND s.line_no = 1")
    unknown_parties(cursor, report, stage=lines, column="consumer")
    collect(
        cursor, report,
        f"SELECT file_row, buyer, order_ext, first_buyer, first_row FROM {lines}"
        f" WHERE line_no > 1 AND buyer <> first_buyer",
        lambda r: (r[0], "party", r[1], _(
            "the order %(order)s has the buyer “%(buyer)s” on row %(row)s; all lines of an order have one buyer"
        ) % {"order": r[2], "buyer": r[3], "row": r[4]}),
    )
    collect(
        cursor, report,
        f"SELECT file_row, currency, order_ext, first_currency, first_row FROM {lines}"
        f" WHERE line_no > 1 AND currency <> first_currency",
        lambda r: (r[0], "currency", r[1], _(
            "the order %(order)s is in %(currency)s on row %(row)s; all lines of an order have one currency"
        ) % {"order": r[2], "currency": r[3], "row": r[4]}),
    )
    cursor.execute(
        f"SELECT COUNT(*) FROM (SELECT sku FROM {products} WHERE kind IS NOT NULL GROUP BY sku HAVING COUNT(*) > 1) x"
    )
    if cursor.fetchone()[0]:
        first_kind = (
            f"SELECT x.sku, x.kind, x.first_row FROM {products} x WHERE x.kind IS NOT NULL AND x.first_row ="
            f" (SELECT MIN(y.first_row) FROM {products} y WHERE y.sku = x.sku AND y.kind IS NOT NULL)"
        )
        collect(
            cursor, report,
            f"SELECT s.file_row, s.kind, s.sku, f.kind, f.first_row FROM {lines} s JOIN ({first_kind}) f"
            f" ON f.sku = s.sku WHERE s.kind IS NOT NULL AND s.kind <> f.kind",
            lambda r: (r[0], "product_kind", r[1], _("the SKU %(sku)s is “%(kind)s” on row %(row)s") % {
                "sku": r[2], "kind": r[3], "row": r[4]}),
        )


def check_agreements(cursor: CursorWrapper, dialect: Dialect, report: Report) -> None:
    stage = loader.STAGE_AGREEMENT.name
    repeated_ids(cursor, report, stage=stage)
    unknown_parties(cursor, report, stage=stage, column="party")


def check_interactions(cursor: CursorWrapper, dialect: Dialect, report: Report) -> None:
    unknown_parties(cursor, report, stage=loader.STAGE_INTERACTION.name, column="party")
