from __future__ import annotations

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kenal.interchange.models import ImportKind
from kenal.interchange.services import import_file
from kenal.interchange.validation import ImportInvalid


HELP = gettext_lazy(
    "Import a CSV file of parties, orders, agreements or interactions. The whole file is checked "
    "first; a file with problems is reported and nothing of it is written."
)
DRY_RUN_HELP = gettext_lazy("Check and count, write nothing.")
QUIET_HELP = gettext_lazy("No progress bar.")


class Command(BaseCommand):
    @property
    def help(self) -> str:
        # Translated when shown, in the console's language; argparse needs a real string.
        return str(HELP)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=ImportKind.values)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help=str(DRY_RUN_HELP))
        parser.add_argument("--quiet", action="store_true", help=str(QUIET_HELP))

    def handle(self, *args, kind: str, file: Path, dry_run: bool, quiet: bool, **options) -> None:
        if not file.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": file})
        try:
            result = import_file(
                kind=kind, path=file, dry_run=dry_run, progress=not quiet and sys.stderr.isatty()
            )
        except ImportInvalid as exc:
            for line in exc.report.lines():
                self.stderr.write(line)
            raise CommandError(
                ngettext(
                    "%(file)s has %(count)s problem; nothing of it was imported.",
                    "%(file)s has %(count)s problems; nothing of it was imported.",
                    exc.report.total,
                ) % {"file": file.name, "count": exc.report.total}
            ) from None
        self.stdout.write(result.summary())
