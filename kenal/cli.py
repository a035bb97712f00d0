"""The ``kenal`` console command: Kenal's own commands and Django's, under one name.

It speaks the terminal's language, as command-line tools do: the language named by
``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES`` or ``LANG`` (gettext's order), else
``KENAL_LANGUAGE``. Every word it prints goes through Kenal's catalog, including the
ones argparse and Django write around a command's own help ("usage:", "options:", the
common options)."""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
from collections.abc import Mapping
from difflib import get_close_matches

from django.core.management.base import DjangoHelpFormatter

# Commands that read or write business data make sure the database exists and is
# migrated first, so a user never has to run `kenal migrate` by hand.
NEEDS_DATABASE = {"import", "export", "classify", "serve", "demo"}

# gettext's order of precedence for the language of messages.
LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

def gettext_noop(message: str) -> str:
    """Marks a string for the catalog; Django's own would need the settings, which are
    not loaded yet when this module is imported."""
    return message


# Words that argparse, Django, django-tasks and django-axes write in English around
# our commands' own help. They are marked here so the catalog keeps a translation of
# each; argparse looks its words up through the module's ``_``, the others go through
# the help formatter below.
CONSOLE_WORDS = (
    gettext_noop("usage: "),
    gettext_noop("positional arguments"),
    gettext_noop("options"),
    gettext_noop("show this help message and exit"),
    gettext_noop("%(prog)s: error: %(message)s\n"),
    gettext_noop("argument %(argument_name)s: %(message)s"),
    gettext_noop("the following arguments are required: %s"),
    gettext_noop("unrecognized arguments: %s"),
    gettext_noop("invalid choice: %(value)r (choose from %(choices)s)"),
    gettext_noop("invalid %(type)s value: %(value)r"),
    gettext_noop("expected one argument"),
    gettext_noop("expected at most one argument"),
    gettext_noop("expected at least one argument"),
    gettext_noop("ambiguous option: %(option)s could match %(matches)s"),
    gettext_noop("not allowed with argument %s"),
    gettext_noop("one of the arguments %s is required"),
    gettext_noop("Show program's version number and exit."),
    gettext_noop("Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output"),
    gettext_noop(
        'The Python path to a settings module, e.g. "myproject.settings.main". If this isn\'t provided, '
        "the DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    gettext_noop('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    gettext_noop("Display a full stack trace on CommandError exceptions."),
    gettext_noop("Don't colorize the command output."),
    gettext_noop("Force colorization of the command output."),
    gettext_noop("Skip system checks."),
    gettext_noop("Run a database background worker"),
    gettext_noop("The queues to process. Separate multiple with a comma. To process all queues, use '*' (default: %(default)r)"),
    gettext_noop("Queues to exclude. Separate multiple with a comma."),
    gettext_noop(
        "The interval (in seconds) to wait, when there are no tasks in the queue, before checking for tasks "
        "again (default: %(default)r)"
    ),
    gettext_noop("Process all outstanding tasks, then exit. Can be used in combination with --max-tasks."),
    gettext_noop(
        "Reload the worker on code changes. Not recommended for production as tasks may not be stopped "
        "cleanly (default: DEBUG)"
    ),
    gettext_noop("The backend to operate on (default: %(default)r)"),
    gettext_noop("Don't add a small delay at startup."),
    gettext_noop("If provided, the maximum number of tasks the worker will execute before exiting."),
    gettext_noop("Worker id. MUST be unique across worker pool (default: auto-generate)"),
    gettext_noop("List access attempts"),
    gettext_noop("Reset all access attempts and lockouts"),
    gettext_noop("Reset all access attempts and lockouts for given usernames"),
    gettext_noop("Reset all access attempts and lockouts for given IP addresses"),
    gettext_noop("Reset all access attempts and lockouts for a given IP address and username"),
    gettext_noop("Reset access log records older than given days."),
    gettext_noop("Reset access failure log records older than given days."),
    gettext_noop("Maximum age for records to keep in days"),
)


def console_language(environ: Mapping[str, str], *, spoken: list[str], default: str) -> str:
    """The first of ``spoken`` that the terminal asks for, read as gettext reads it.

    The first variable that is set decides (``LANGUAGE`` may list several, ``id:en``);
    a terminal that names no language Kenal speaks (``C``, ``fr_FR``) gets English, the
    language of the messages themselves; with none set, Kenal's own default."""
    for name in LOCALE_VARIABLES:
        value = environ.get(name, "")
        if not value:
            continue
        for entry in value.split(":"):
            code = re.split(r"[_.@-]", entry, maxsplit=1)[0].lower()
            if code in spoken:
                return code
        return "en"
    return default if default in spoken else "en"


def terminal_language() -> str:
    from django.conf import settings

    spoken = [code for code, _name in settings.LANGUAGES]
    return console_language(os.environ, spoken=spoken, default=settings.LANGUAGE_CODE.split("-")[0])


def _argparse_gettext(message: str) -> str:
    from django.utils.translation import gettext

    return gettext(message) if message else message


def speak_console_language() -> str:
    """Activate the terminal's language for everything the command prints."""
    from django.core.management import base
    from django.utils import translation

    language = terminal_language()
    translation.activate(language)
    # argparse (Python 3.11) looks its words up through gettext's default domain, where
    # nothing is installed; our catalog has them.
    argparse._ = _argparse_gettext  # type: ignore[attr-defined]
    argparse.ngettext = translation.ngettext  # type: ignore[attr-defined]
    base.DjangoHelpFormatter = ConsoleHelpFormatter  # type: ignore[misc]
    return language


class ConsoleHelpFormatter(DjangoHelpFormatter):
    """Django's help layout, with the help of Django's and django-tasks' own options
    (written in English, unmarked) looked up in our catalog. Our commands' help is
    already translated, and looking a translation up again leaves it as it is."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        return _argparse_gettext(action.help) if action.help else action.help

    def add_text(self, text: str | None) -> None:
        super().add_text(_argparse_gettext(str(text)) if text and text is not argparse.SUPPRESS else text)


def _management_utility(argv: list[str]):
    from django.core.management import ManagementUtility, get_commands
    from django.utils.translation import gettext as _

    class ConsoleUtility(ManagementUtility):
        def main_help_text(self, commands_only: bool = False) -> str:
            text = super().main_help_text(commands_only)
            if commands_only:
                return text
            # Django writes these two lines in English; the listing below them is names.
            english_type = f"Type '{self.prog_name} help <subcommand>' for help on a specific subcommand."
            text = text.replace(
                english_type, _("Type '%(prog)s help <subcommand>' for help on a specific subcommand.") % {"prog": self.prog_name}, 1
            )
            return text.replace("Available subcommands:", _("Available subcommands:"), 1)

        def fetch_command(self, subcommand: str):
            """Django's own refusal of an unknown command, in the console's language."""
            commands = get_commands()
            if subcommand in commands:
                return super().fetch_command(subcommand)
            matches = get_close_matches(subcommand, commands)
            message = _("Unknown command: %(command)r.") % {"command": subcommand}
            if matches:
                message += " " + _("Did you mean %(command)s?") % {"command": matches[0]}
            sys.stderr.write(message + "\n" + _("Type '%(prog)s help' for usage.") % {"prog": self.prog_name} + "\n")
            sys.exit(1)

    return ConsoleUtility(argv)


def _die_of_broken_pipe() -> None:
    """The reader went away (``kenal export parties | head``): stop as other Unix tools
    do, quietly and by SIGPIPE, without Python's traceback or its complaint at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGPIPE)
    sys.exit(128 + signal.SIGPIPE)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenal.settings")
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "kenal"
    import django
    from django.core.management import call_command

    django.setup()
    speak_console_language()
    try:
        asks_for_help = any(arg in ("-h", "--help") for arg in argv[2:])
        if len(argv) > 1 and argv[1] in NEEDS_DATABASE and not asks_for_help:
            call_command("migrate", interactive=False, verbosity=0)
        _management_utility(argv).execute()
        sys.stdout.flush()
    except BrokenPipeError:
        _die_of_broken_pipe()


if __name__ == "__main__":
    main()
