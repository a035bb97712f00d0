"""``kenal serve``: what ``make run`` starts.

On the first start (no parties, no users) it loads the demo data. Whenever there is no
administrator yet it creates one, ``admin``, with a generated password: there is no
default password anywhere. That password is kept only in the data directory (mode 600)
so later starts can show it again, until the administrator changes it. Then it serves
with waitress and runs the django-tasks worker as a child process, stopping both on
Ctrl+C or SIGTERM."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path
from types import FrameType

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenal.accounts.models import Role, User
from kenal.accounts.services import user_create
from kenal.classification.tasks import nightly_schedule
from kenal.cli import terminal_language
from kenal.demo.selectors import business_data_exists

ADMIN_USERNAME = "admin"
WORKER_STOP_SECONDS = 10


def initial_password_path() -> Path:
    return Path(settings.DATA_DIR) / "initial-admin-password"


def admin_create_initial(*, password: str) -> User:
    return user_create(
        actor=None, username=ADMIN_USERNAME, password=password, role=Role.ADMIN, is_staff=True, is_superuser=True,
    )


def admin_password_to_show() -> str | None:
    """The generated password while it is still the administrator's; ``None`` once they
    changed it, and then the file that kept it is removed."""
    path = initial_password_path()
    if not path.exists():
        return None
    password = path.read_text().strip()
    admin = User.objects.filter(username=ADMIN_USERNAME).first()
    if admin is not None and admin.check_password(password):
        return password
    path.unlink()
    return None


def _write_secret(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created with mode 600 from the start, so it is never readable by others.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    path.chmod(0o600)


class Command(BaseCommand):
    help = gettext_lazy("Serve Kenal over HTTP with its background worker; the first start loads demo data and creates an administrator.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("PORT") or 8000),
            help=_("Port to listen on (default: the PORT environment variable, else 8000)."),
        )
        parser.add_argument("--host", default="127.0.0.1", help=_("Address to listen on (default: 127.0.0.1)."))
        parser.add_argument("--no-demo", action="store_true", help=_("Do not load demo data on the first start."))
        parser.add_argument("--no-worker", action="store_true", help=_("Do not start the background worker."))

    def handle(self, *args, host: str, port: int, no_demo: bool, no_worker: bool, **options) -> None:
        with translation.override(terminal_language()):
            self.serve(host=host, port=port, no_demo=no_demo, no_worker=no_worker)

    def serve(self, *, host: str, port: int, no_demo: bool, no_worker: bool) -> None:
        from waitress import create_server

        # whitenoise serves from the apps' folders (WHITENOISE_USE_FINDERS) but warns on
        # every start when STATIC_ROOT is missing, and `make run` never collects static.
        Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
        from kenal.wsgi import application

        # Bound first, so a port already in use fails at once, before any first-start work.
        try:
            server = create_server(application, host=host, port=port, threads=8)
        except OSError as error:
            raise CommandError(
                _("Cannot listen on %(host)s port %(port)d: %(error)s") % {"host": host, "port": port, "error": error.strerror}
            ) from None

        first_start = not business_data_exists() and not User.objects.exists()
        if first_start and not no_demo:
            self.stdout.write(_("First start: loading demo data…"))
            call_command("demo", stdout=self.stdout, stderr=self.stderr)

        if not User.objects.filter(Q(is_superuser=True) | Q(role=Role.ADMIN)).exists():
            password = secrets.token_urlsafe(16)
            # The file first: an administrator whose password nobody can read is worse
            # than a stale file, which the next start notices and removes.
            _write_secret(initial_password_path(), password)
            admin_create_initial(password=password)
        else:
            password = admin_password_to_show()

        def stop(signum: int, frame: FrameType | None) -> None:
            raise SystemExit(0)

        # waitress stops its loop on SystemExit and KeyboardInterrupt (Ctrl+C) alike. The
        # handler is in place before anything says the server is up or the worker starts,
        # so a SIGTERM at any moment stops both cleanly.
        signal.signal(signal.SIGTERM, stop)
        shown_host = f"[{host}]" if ":" in host else host
        self.stdout.write(_("Kenal is running at http://%(host)s:%(port)d/") % {"host": shown_host, "port": int(server.effective_port)})
        if User.objects.filter(username=ADMIN_USERNAME).exists():
            self.stdout.write(_("  username: %(username)s") % {"username": ADMIN_USERNAME})
            if password:
                self.stdout.write(_("  password: %(password)s") % {"password": password})
                self.stdout.write(_("  (kept in %(path)s until you change it)") % {"path": initial_password_path()})
            else:
                self.stdout.write(_("  password: the one you set"))
        self.stdout.write(_("Press Ctrl+C to stop."))
        self.stdout.flush()

        worker = None
        try:
            if not no_worker:
                nightly_schedule()
                worker = subprocess.Popen([sys.executable, "-m", "kenal.cli", "db_worker"])
            server.run()
        finally:
            server.close()
            if worker is not None:
                self._stop_worker(worker)

    def _stop_worker(self, worker: subprocess.Popen) -> None:
        if worker.poll() is None:
            worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_SECONDS)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
