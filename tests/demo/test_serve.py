"""`kenal serve` as `make run` starts it: a real process on a real port."""

from __future__ import annotations

import http.cookiejar
import os
import queue
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from django.contrib.auth.hashers import make_password

from kenal.cli import terminal_language

START_TIMEOUT = 180


@dataclass
class Target:
    """Where a served Kenal keeps its data: a temp data directory and, on PostgreSQL, a
    temp database of its own."""

    env: dict[str, str]
    data_dir: Path
    database_url: str | None

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.database_url:
            with psycopg.connect(self.database_url) as conn:
                return conn.execute(sql.replace("?", "%s"), params).fetchall()
        with sqlite3.connect(self.data_dir / "kenal.sqlite3") as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture
def target(tmp_path) -> Iterator[Target]:
    # The web interface defaults to Indonesian; the console follows the English terminal.
    env = dict(os.environ, KENAL_DATA_DIR=str(tmp_path), KENAL_LANGUAGE="id", LANG="C.UTF-8", PYTHONUNBUFFERED="1")
    for name in ("PORT", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        env.pop(name, None)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        env.pop("DATABASE_URL", None)
        yield Target(env=env, data_dir=tmp_path, database_url=None)
        return
    name = f"kenal_serve_{uuid.uuid4().hex[:12]}"
    parts = urllib.parse.urlsplit(url)
    server_url = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    try:
        yield Target(env=env, data_dir=tmp_path, database_url=env["DATABASE_URL"])
    finally:
        with psycopg.connect(server_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """One `kenal serve` process, its output read line by line as it comes."""

    def __init__(self, target: Target, *args: str, port_from_env: bool = False) -> None:
        self.port = free_port()
        env = dict(target.env, PORT=str(self.port)) if port_from_env else target.env
        port_args = [] if port_from_env else ["--port", str(self.port)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kenal.cli", "serve", *port_args, *args],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.output = ""
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for(self, text: str) -> str:
        deadline = time.monotonic() + START_TIMEOUT
        while text not in self.output:
            if self.process.poll() is not None and self.lines.empty():
                pytest.fail(f"kenal serve exited with {self.process.returncode}:\n{self.output}")
            try:
                self.output += self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"kenal serve did not print {text!r} in time:\n{self.output}")
        return self.output

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            found = [int(pid) for pid in path.read_text().split()]
            if found:
                return found
            time.sleep(0.1)
        return []

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.process.stdout.close()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture
def serve(target) -> Iterator:
    started: list[Served] = []

    def start(*args: str, port_from_env: bool = False) -> Served:
        served = Served(target, *args, port_from_env=port_from_env)
        started.append(served)
        return served

    yield start
    for served in started:
        served.kill()


def password_from(output: str) -> str | None:
    match = re.search(r"^\s*password: (\S+)\s*$", output, re.MULTILINE)
    return match.group(1) if match else None


def log_in(port: int, username: str, password: str) -> str:
    """Sign in through the real login form; returns the path the browser ends on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    base = f"http://127.0.0.1:{port}"
    with opener.open(f"{base}/login/", timeout=30) as response:
        assert response.status == 200
        form = response.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token}).encode()
    request = urllib.request.Request(f"{base}/login/", data=data, headers={"Referer": f"{base}/login/"})
    with opener.open(request, timeout=30) as response:
        assert response.status == 200
        return urllib.parse.urlsplit(response.url).path


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads child processes from /proc")
def test_it_serves_with_demo_data_a_generated_admin_password_and_a_worker(target, serve):
    first = serve()
    output = first.wait_for("Press Ctrl+C")
    assert f"Kenal is running at http://127.0.0.1:{first.port}/" in output
    assert "username: admin" in output
    password = password_from(output)
    assert password and len(password) >= 16
    assert (target.data_dir / "initial-admin-password").read_text().strip() == password
    assert (target.data_dir / "initial-admin-password").stat().st_mode & 0o777 == 0o600
    parties = target.query("SELECT COUNT(*) FROM parties_party")[0][0]
    assert parties >= 300
    workers = first.children()
    assert workers, "the background worker runs as a child process"

    with urllib.request.urlopen(f"http://127.0.0.1:{first.port}/login/", timeout=30) as response:
        assert response.status == 200
    assert log_in(first.port, "admin", password + "x") == "/login/"
    assert log_in(first.port, "admin", password) != "/login/"

    assert first.stop() == 0
    assert not any(alive(pid) for pid in workers)

    second = serve("--no-worker")
    output = second.wait_for("Press Ctrl+C")
    assert "demo data" not in output
    assert password_from(output) == password
    assert target.query("SELECT COUNT(*) FROM parties_party")[0][0] == parties
    assert target.query("SELECT COUNT(*) FROM accounts_user WHERE username = 'admin'")[0][0] == 1
    assert second.stop() == 0

    # Once the administrator has chosen a password, it is no longer shown or kept.
    target.query("UPDATE accounts_user SET password = ? WHERE username = 'admin' RETURNING id",
                 (make_password("chosen by the admin 2026"),))
    third = serve("--no-worker")
    output = third.wait_for("Press Ctrl+C")
    assert "password: the one you set" in output
    assert password not in output
    assert not (target.data_dir / "initial-admin-password").exists()
    assert third.stop() == 0


def test_it_serves_without_demo_data_on_the_port_the_environment_names(target, serve):
    served = serve("--no-demo", "--no-worker", port_from_env=True)
    output = served.wait_for("Press Ctrl+C")
    assert f"Kenal is running at http://127.0.0.1:{served.port}/" in output
    assert target.query("SELECT COUNT(*) FROM parties_party")[0][0] == 0
    assert target.query("SELECT role, is_staff, is_superuser FROM accounts_user") == [("admin", True, True)]
    with urllib.request.urlopen(f"http://127.0.0.1:{served.port}/login/", timeout=30) as response:
        assert response.status == 200
    assert served.stop() == 0


def test_it_says_so_when_the_port_is_taken_and_does_no_first_start_work(target):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "kenal.cli", "serve", "--port", str(port)],
            env=target.env, capture_output=True, text=True, timeout=START_TIMEOUT,
        )
    assert result.returncode == 1
    assert f"Cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert target.query("SELECT COUNT(*) FROM parties_party")[0][0] == 0
    assert target.query("SELECT COUNT(*) FROM accounts_user")[0][0] == 0
    assert not (target.data_dir / "initial-admin-password").exists()


@pytest.mark.parametrize(
    ("variables", "language"),
    [
        ({"LANG": "id_ID.UTF-8"}, "id"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "id_ID.UTF-8", "LC_ALL": "en_GB.UTF-8"}, "en"),
        ({"LANG": "C", "LANGUAGE": "id:en"}, "id"),
        ({"LANG": "fr_FR.UTF-8"}, "en"),
        # A terminal that names no language at all gets Kenal's default (KENAL_LANGUAGE).
        ({}, "id"),
    ],
)
def test_it_speaks_the_terminals_language_on_the_console(monkeypatch, settings, variables, language):
    settings.LANGUAGE_CODE = "id"
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    assert terminal_language() == language
