"""The ``kenal`` console command: Kenal's own commands and Django's, under one name."""

from __future__ import annotations

import os
import sys

# Commands that read or write business data make sure the database exists and is
# migrated first, so a user never has to run `kenal migrate` by hand.
NEEDS_DATABASE = {"import", "export", "classify", "serve", "demo"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenal.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "kenal"
    import django
    from django.core.management import call_command, execute_from_command_line

    if len(argv) > 1 and argv[1] in NEEDS_DATABASE:
        django.setup()
        call_command("migrate", interactive=False, verbosity=0)
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
