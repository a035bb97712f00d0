"""kenal export parties [--format json|csv] [--output FILE] [--as-of YYYY-MM-DD] [--language id|en]

The export recomputes the profiles as of the requested day first, so it is right even
when nobody ran ``classify`` since the last import. In CSV, the list columns (flags,
characteristics, reasons) are joined with ";"."""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kenal.classification.management.commands._options import parse_as_of
from kenal.classification.selectors import EXPORT_FIELDS, party_export_rows
from kenal.classification.services import profiles_recompute

LIST_FIELDS = {"flags", "characteristics", "reasons"}


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


class Command(BaseCommand):
    help = "Export every party with its relationship, type, characteristics, reasons and next best action."

    def add_arguments(self, parser) -> None:
        parser.add_argument("what", choices=["parties"])
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--output", help="File to write; default standard output.")
        parser.add_argument("--as-of", dest="as_of", help="The day to classify as of (YYYY-MM-DD); default today.")
        parser.add_argument(
            "--language", choices=[code for code, _name in settings.LANGUAGES], default=settings.LANGUAGE_CODE,
            help="Language of reasons and next best actions.",
        )

    def handle(self, *args, **options) -> None:
        as_of = parse_as_of(options["as_of"])
        profiles_recompute(as_of=as_of)
        rows = party_export_rows(language=options["language"])
        with _open(options["output"], self.stdout) as out:
            if options["format"] == "csv":
                writer = csv.writer(out)
                writer.writerow(EXPORT_FIELDS)
                for row in rows:
                    writer.writerow(
                        ";".join(row[f]) if f in LIST_FIELDS else ("" if row[f] is None else row[f])
                        for f in EXPORT_FIELDS
                    )
            else:
                # Written element by element so a million parties never sit in memory.
                out.write("[")
                for i, row in enumerate(rows):
                    out.write(("," if i else "") + "\n  " + json.dumps(row, ensure_ascii=False))
                out.write("\n]\n")
