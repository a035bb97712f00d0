"""The real `kenal` console command, in a child process, on a fresh database of its own:
a temporary SQLite file, or a temporary PostgreSQL database when the suite runs on
PostgreSQL (the test database of pytest is not what a child process would open)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

from tests.interchange.conftest import ORDER_HEADER

KENAL = shutil.which("kenal", path=str(Path(sys.executable).parent)) or "kenal"


def _server_url(name: str) -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgresql://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name}"


@pytest.fixture
def fresh_env(tmp_path: Path) -> Iterator[tuple[dict[str, str], callable]]:
    """Environment for a child `kenal`, and a function running SQL on its database."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KENAL_DATA_DIR"] = str(tmp_path / "data")
    env["KENAL_LANGUAGE"] = "en"
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        def query(sql: str) -> list[tuple]:
            with sqlite3.connect(tmp_path / "data" / "kenal.sqlite3") as conn:
                return conn.execute(sql).fetchall()

        yield env, query
        return
    name = f"kenal_import_cli_{uuid.uuid4().hex[:10]}"
    admin = _server_url("postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    env["DATABASE_URL"] = _server_url(name)

    def query(sql: str) -> list[tuple]:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            return conn.execute(sql).fetchall()

    try:
        yield env, query
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def kenal(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([KENAL, *args], env=env, capture_output=True, text=True, timeout=300)


def test_it_imports_through_the_kenal_command_and_rejects_a_bad_file(fresh_env, write_csv):
    env, query = fresh_env
    parties = write_csv("parties.csv", ["external_id", "kind", "name", "phone"], [
        ["P-1", "person", "Siti Rahma", "0812-3456-7890"], ["P-2", "person", "Budi", ""]])
    orders = write_csv("orders.csv", ORDER_HEADER, [
        ["O-1", "P-1", "2026-03-02T10:00:00", "KOPI", "", "2", "45000.00", "", "", "", "store", "", ""]])
    bad = write_csv("bad.csv", ORDER_HEADER, [
        ["O-2", "P-1", "2026-03-02", "KOPI", "", "1", "1000", "", "", "", "", "", ""],
        ["O-2", "P-2", "2026-03-02", "KOPI", "", "-3", "1000", "", "", "", "", "", "diskon"]])

    usage = kenal(env, "import", "--help")
    assert usage.returncode == 0 and "--dry-run" in usage.stdout
    assert "The whole file is checked first" in " ".join(usage.stdout.split())
    first = kenal(env, "import", "parties", str(parties))
    assert first.returncode == 0, first.stderr
    assert "2 rows: 2 created, 0 updated, 0 unchanged" in first.stdout
    assert first.stderr == ""  # no progress bar when stderr is not a terminal
    dry = kenal(env, "import", "orders", str(orders), "--dry-run")
    assert dry.returncode == 0 and "would give: 1 rows: 1 created" in dry.stdout
    assert query("SELECT COUNT(*) FROM commerce_orderline") == [(0,)]
    ok = kenal(env, "import", "orders", str(orders))
    assert ok.returncode == 0, ok.stderr
    again = kenal(env, "import", "orders", str(orders))
    assert "1 rows: 0 created, 0 updated, 1 unchanged" in again.stdout
    before = query("SELECT * FROM commerce_orderline ORDER BY id") + query("SELECT * FROM commerce_order ORDER BY id")

    failed = kenal(env, "import", "orders", str(bad))

    assert failed.returncode == 1
    report = failed.stderr.splitlines()
    assert any(line.startswith("Row 3, column party, value “P-2”: the order O-2 has the buyer") for line in report)
    assert any(line.startswith("Row 3, column quantity, value “-3”: must not be negative") for line in report)
    assert any(line.startswith("Row 3, column status, value “diskon”: must be one of") for line in report)
    assert "bad.csv has 3 problems; nothing of it was imported." in failed.stderr
    after = query("SELECT * FROM commerce_orderline ORDER BY id") + query("SELECT * FROM commerce_order ORDER BY id")
    assert after == before
    assert query("SELECT external_id FROM commerce_order") == [("O-1",)]
    assert query("SELECT value FROM parties_contactpoint") == [("+6281234567890",)]


def test_it_shows_the_import_help_in_the_consoles_language(fresh_env):
    env, _query = fresh_env

    indonesian = kenal(env | {"LANGUAGE": "id"}, "import", "--help")
    english = kenal(env | {"LANGUAGE": "en"}, "import", "--help")

    assert indonesian.returncode == 0 and english.returncode == 0
    said, told = " ".join(indonesian.stdout.split()), " ".join(english.stdout.split())
    assert "Seluruh berkas diperiksa terlebih dahulu" in said and "Periksa dan hitung, tanpa menulis" in said
    assert "The whole file is checked first" in told and "Check and count, write nothing." in told
