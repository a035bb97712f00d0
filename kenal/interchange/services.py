"""Importing interchange CSV files: the one entry point for the command line, the web
UI and the API."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from tqdm import tqdm

from kenal.audit.services import audit_record
from kenal.interchange import checks, loader, selectors
from kenal.interchange.loader import Counts, Dialect, Stager, StageTable, StagingWriter
from kenal.interchange.models import ImportKind, ImportRun
from kenal.interchange.validation import (
    CsvSource,
    ImportInvalid,
    Plan,
    Report,
    check_agreements,
    check_interactions,
    check_orders,
    check_parties,
)
from kenal.parties.search import search_bulk_write

STAGES: dict[str, tuple[StageTable, ...]] = {
    ImportKind.PARTIES: (loader.STAGE_PARTY, loader.STAGE_CONTACT),
    ImportKind.ORDERS: (loader.STAGE_LINE, loader.STAGE_SKU),
    ImportKind.AGREEMENTS: (loader.STAGE_AGREEMENT,),
    ImportKind.INTERACTIONS: (loader.STAGE_INTERACTION,),
}

# Work tables the checks and merge derive from the staged rows.
DERIVED_STAGES: dict[str, tuple[str, ...]] = {ImportKind.ORDERS: loader.ORDER_STAGES}

CROSS_CHECKS = {
    ImportKind.PARTIES: checks.check_parties,
    ImportKind.ORDERS: checks.check_orders,
    ImportKind.AGREEMENTS: checks.check_agreements,
    ImportKind.INTERACTIONS: checks.check_interactions,
}

DETAIL_LABELS = {
    "contact_points_added": gettext_lazy("contact points added"),
    "contact_points_removed": gettext_lazy("contact points removed"),
    "products_created": gettext_lazy("products created"),
    "orders_created": gettext_lazy("orders created"),
    "orders_updated": gettext_lazy("orders updated"),
    "orders_unchanged": gettext_lazy("orders unchanged"),
}


@dataclass
class ImportResult:
    kind: str
    rows: int
    created: int
    updated: int
    unchanged: int
    deleted: int = 0
    dry_run: bool = False
    details: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        text = _("%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged") % {
            "rows": self.rows, "created": self.created, "updated": self.updated, "unchanged": self.unchanged,
        }
        if self.deleted:
            text += _(", %(deleted)s deleted") % {"deleted": self.deleted}
        if self.details:
            text += " (" + ", ".join(f"{DETAIL_LABELS[key]}: {value}" for key, value in self.details.items()) + ")"
        if self.dry_run:
            return _("Dry run, nothing was written. The file is valid and would give: %(summary)s.") % {"summary": text}
        kind = str(ImportKind(self.kind).label).lower()
        return _("Imported %(kind)s: %(summary)s.") % {"kind": kind, "summary": text}


def import_file(
    *, kind: str, path: Path | str, dry_run: bool = False, progress: bool = False, actor: Any | None = None
) -> ImportResult:
    """Check the whole file, then write all of it in one transaction, or nothing.

    Raises ImportInvalid (with a row/column/value report) when any row is wrong.
    ``dry_run`` does the whole import and rolls it back, so its counts are exact."""
    if kind not in STAGES:
        raise ValueError(f"Unknown kind of import: {kind}")
    path = Path(path)
    dialect = Dialect()
    report = Report()
    stages = STAGES[kind]
    with connection.cursor() as cursor, dialect.spilling(cursor):
        for stage in stages:
            stage.create(cursor, dialect)
        try:
            with tqdm(
                total=path.stat().st_size, unit="B", unit_scale=True, desc=_("Checking"), disable=not progress,
                file=sys.stderr, leave=False,
            ) as bar, path.open("rb") as stream:
                source = CsvSource(stream, report, bar.update if progress else None)
                plan = _check(kind, source, cursor, dialect)
            if plan.rows:
                if progress:
                    print(_("Checking across rows…"), file=sys.stderr, flush=True)
                with transaction.atomic(), dialect.tuned(cursor):
                    CROSS_CHECKS[kind](cursor, dialect, report)
            if report:
                raise ImportInvalid(report)
            if progress:
                print(_("Writing…"), file=sys.stderr, flush=True)
            with transaction.atomic():
                with dialect.tuned(cursor):
                    counts = _merge(kind, cursor, dialect, plan)
                result = ImportResult(
                    kind=kind, rows=plan.rows, created=counts.created, updated=counts.updated,
                    unchanged=counts.unchanged, deleted=counts.deleted, dry_run=dry_run, details=counts.details,
                )
                if dry_run:
                    transaction.set_rollback(True)
                else:
                    _record(result, path, actor)
        finally:
            for stage in stages:
                stage.drop(cursor)
            for name in DERIVED_STAGES.get(kind, ()):
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
    return result


def _check(kind: str, source: CsvSource, cursor: Any, dialect: Dialect) -> Plan:
    """Every row checked on its own while the file streams into the staging tables
    (written on a thread of their own, StagingWriter); the checks across rows
    (CROSS_CHECKS) then run over what was staged."""
    users = selectors.user_keys() if kind == ImportKind.AGREEMENTS else {}
    writer = StagingWriter(cursor, dialect)
    with writer.running():
        stagers = [Stager(writer, dialect, stage) for stage in STAGES[kind]]
        if kind == ImportKind.PARTIES:
            plan = check_parties(source, stagers[0].add, stagers[1].add)
        elif kind == ImportKind.ORDERS:
            plan = check_orders(source, stagers[0].add, stagers[1].add)
        elif kind == ImportKind.AGREEMENTS:
            plan = check_agreements(source, stagers[0].add, users)
        else:
            plan = check_interactions(source, stagers[0].add)
        for stager in stagers:
            stager.flush()
    for stager in stagers:
        stager.analyze(cursor)
    return plan


def _merge(kind: str, cursor: Any, dialect: Dialect, plan: Plan) -> Counts:
    if kind == ImportKind.PARTIES:
        # Only the parties created or changed: a re-import that changes nothing rebuilds nothing.
        touched = f"SELECT party_id FROM {loader.STAGE_PARTY.name} WHERE changed OR NOT existed"
        with search_bulk_write(cursor, connection.vendor, touched=touched):
            return loader.merge_parties(
                cursor, dialect, rows=plan.rows, columns=plan.columns, contact_kinds=plan.contact_kinds
            )
    if kind == ImportKind.ORDERS:
        return loader.merge_orders(cursor, dialect, rows=plan.rows)
    if kind == ImportKind.AGREEMENTS:
        return loader.merge_agreements(cursor, dialect, rows=plan.rows)
    return loader.merge_interactions(cursor, dialect, rows=plan.rows)


def _record(result: ImportResult, path: Path, actor: Any | None) -> None:
    run = ImportRun.objects.create(
        kind=result.kind, file_name=path.name[:255], rows=result.rows, created=result.created,
        updated=result.updated, unchanged=result.unchanged, deleted=result.deleted,
    )
    audit_record(
        actor=actor, action="interchange.import", target=run,
        changes={"file": path.name, "rows": result.rows, "created": result.created, "updated": result.updated,
                 "unchanged": result.unchanged, "deleted": result.deleted, **result.details},
    )
