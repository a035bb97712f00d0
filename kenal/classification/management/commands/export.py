"""kenal export parties [--format json|csv] [--output FILE] [--as-of YYYY-MM-DD] [--language id|en]

An export for today reads the stored profiles, recomputed first unless they are
already current (services.profiles_current), so it is right even when nobody ran
``classify`` since the last import. An export for another day computes its results
on the side and changes nothing stored. Rows are streamed: a million parties never
sit in memory. In CSV, the list columns (flags, characteristics, reasons) are joined
with ";"."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from contextlib import contextmanager
from operator import itemgetter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenal.classification.management.commands._options import parse_as_of
from kenal.classification.selectors import EXPORT_FIELDS
from kenal.classification.services import parties_export

# A row's fields in the order of the columns.
_row_fields = itemgetter(*EXPORT_FIELDS)
# Rows written to the output at a time: one write call per batch, not per row.
BATCH = 5000
# Encoded pieces of rows kept for reuse, at most this many of each kind.
PIECES = 100_000


@contextmanager
def _open(path: str | None, stdout):
    if not path or path == "-":
        stdout.ending = ""
        yield stdout
        return
    try:
        handle = Path(path).open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise CommandError(_("Cannot write %(path)s: %(error)s") % {"path": path, "error": exc.strerror}) from None
    with handle:
        yield handle


class _Lines:
    """A file-like buffer the csv module writes rows into."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _write_csv(rows: Iterator[dict[str, Any]], out) -> None:
    """Every field as the csv module writes it (it quotes a name with a comma, and
    writes None as an empty cell). Most rows share their results, lists and action
    with others, so the run of fields from relationship to reasons, and csm with the
    action, are written once each and reused; only the external id and the name are
    written per row. Lists are joined with ";"."""
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow(EXPORT_FIELDS)
    end_of_line = writer.dialect.lineterminator

    def fields(*values: Any) -> str:
        writer.writerow(values)  # one write call per row, taken back off the buffer
        return lines.parts.pop()[: -len(end_of_line)]

    middles: dict[tuple, str] = {}
    ends: dict[tuple, str] = {}
    parts = lines.parts
    for row in rows:
        external_id, name, relationship, flags, customer_type, characteristics, reasons, csm, action = _row_fields(row)
        key = (relationship, flags, customer_type, characteristics, reasons)
        middle = middles.get(key)
        if middle is None:
            if len(middles) >= PIECES:
                middles.clear()  # bounded memory, however varied the rows
            middle = middles[key] = fields(
                relationship, ";".join(flags), customer_type, ";".join(characteristics), ";".join(reasons),
            )
        key = (csm, action)
        end = ends.get(key)
        if end is None:
            if len(ends) >= PIECES:
                ends.clear()
            end = ends[key] = fields(csm, action)
        writer.writerow((external_id, name))
        parts.append(f"{parts.pop()[: -len(end_of_line)]},{middle},{end}{end_of_line}")
        if len(parts) >= BATCH:
            out.write(lines.take())
    out.write(lines.take())


def _write_json(rows: Iterator[dict[str, Any]], out) -> None:
    """The rows as json.dumps would write them, assembled by hand: most rows share
    their results, lists and action with others, so the run of fields from
    relationship to reasons, and csm with the action, are encoded once each; only
    the external id and the name are encoded per row. A million rows through the
    general encoder took seconds."""
    text = json.encoder.encode_basestring  # keeps non-ASCII as is, like ensure_ascii=False
    middles: dict[tuple, str] = {}
    ends: dict[tuple, str] = {}

    def value(item: str | None) -> str:
        return "null" if item is None else text(item)

    def listed(items: tuple[str, ...]) -> str:
        return "[" + ", ".join(text(item) for item in items) + "]"

    parts = ["["]
    separator = "\n  "
    for row in rows:
        external_id, name, relationship, flags, customer_type, characteristics, reasons, csm, action = _row_fields(row)
        key = (relationship, flags, customer_type, characteristics, reasons)
        middle = middles.get(key)
        if middle is None:
            if len(middles) >= PIECES:
                middles.clear()  # bounded memory, however varied the rows
            middle = middles[key] = (
                f'"relationship": {text(relationship)}, "flags": {listed(flags)}, '
                f'"customer_type": {value(customer_type)}, "characteristics": {listed(characteristics)}, '
                f'"reasons": {listed(reasons)}'
            )
        key = (csm, action)
        end = ends.get(key)
        if end is None:
            if len(ends) >= PIECES:
                ends.clear()
            end = ends[key] = f'"csm": {value(csm)}, "next_best_action": {value(action)}}}'
        parts.append(
            f'{separator}{{"external_id": {"null" if external_id is None else text(external_id)}, '
            f'"name": {"null" if name is None else text(name)}, {middle}, {end}'
        )
        separator = ",\n  "
        if len(parts) >= BATCH:
            out.write("".join(parts))
            parts.clear()
    parts.append("\n]\n")
    out.write("".join(parts))


class Command(BaseCommand):
    help = gettext_lazy(
        "Export every party with its relationship, type, characteristics, reasons and next best action."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["parties"], help=gettext_lazy("What to export: parties."))
        parser.add_argument(
            "--format", choices=["json", "csv"], default="json", help=gettext_lazy("json (default) or csv."),
        )
        parser.add_argument("--output", help=gettext_lazy("File to write; default standard output."))
        parser.add_argument(
            "--as-of", dest="as_of",
            help=gettext_lazy(
                "The day to classify as of (YYYY-MM-DD); default today. Another day than today is "
                "computed on the side and changes nothing stored."
            ),
        )
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default=settings.LANGUAGE_CODE,
            help=gettext_lazy("Language of reasons and next best actions."),
        )

    def handle(self, *args, **options) -> None:
        as_of = parse_as_of(options["as_of"])
        write = _write_csv if options["format"] == "csv" else _write_json
        with _open(options["output"], self.stdout) as out:
            parties_export(as_of=as_of, language=options["language"], emit=lambda rows: write(rows, out))
