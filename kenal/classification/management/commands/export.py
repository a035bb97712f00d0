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
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenal.classification.management.commands._options import parse_as_of
from kenal.classification.selectors import EXPORT_FIELDS
from kenal.classification.services import parties_export

LIST_FIELDS = {"flags", "characteristics", "reasons"}
# Rows written to the output at a time: one write call per batch, not per row.
BATCH = 2000


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
    """A file-like buffer the csv module writes a batch of rows into."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts.clear()
        return text


def _write_csv(rows: Iterator[dict[str, Any]], out) -> None:
    lines = _Lines()
    writer = csv.writer(lines)
    writer.writerow(EXPORT_FIELDS)
    for i, row in enumerate(rows, start=1):
        writer.writerow(
            ";".join(row[f]) if f in LIST_FIELDS else ("" if row[f] is None else row[f]) for f in EXPORT_FIELDS
        )
        if i % BATCH == 0:
            out.write(lines.take())
    out.write(lines.take())


def _write_json(rows: Iterator[dict[str, Any]], out) -> None:
    """The rows as json.dumps would write them, assembled by hand: the lists repeat
    from row to row (the same tuple objects, see selectors.export_rows) and are
    encoded once each; a million rows through the general encoder took seconds."""
    text = json.encoder.encode_basestring  # keeps non-ASCII as is, like ensure_ascii=False
    encoded: dict[int, tuple[tuple, str]] = {}

    def value(item: str | None) -> str:
        return "null" if item is None else text(item)

    def listed(items: tuple[str, ...]) -> str:
        # By identity: the rows share their list objects; the object is kept with
        # its encoding, so its id cannot be reused by another.
        hit = encoded.get(id(items))
        if hit is None:
            if len(encoded) > 20_000:
                encoded.clear()  # bounded memory, however varied the rows
            hit = encoded[id(items)] = (items, "[" + ", ".join(text(item) for item in items) + "]")
        return hit[1]

    parts = ["["]
    for i, row in enumerate(rows):
        parts.append(
            f'{"," if i else ""}\n  {{"external_id": {value(row["external_id"])}, "name": {value(row["name"])}, '
            f'"relationship": {text(row["relationship"])}, "flags": {listed(row["flags"])}, '
            f'"customer_type": {value(row["customer_type"])}, "characteristics": {listed(row["characteristics"])}, '
            f'"reasons": {listed(row["reasons"])}, "csm": {value(row["csm"])}, '
            f'"next_best_action": {value(row["next_best_action"])}}}'
        )
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
