from __future__ import annotations

import os
import subprocess
import sys


def _kenal(*args: str, tmp_path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KENAL_DATA_DIR=str(tmp_path))
    env.pop("DATABASE_URL", None)
    kenal = os.path.join(os.path.dirname(sys.executable), "kenal")
    return subprocess.run([kenal, *args], env=env, capture_output=True, text=True, timeout=120)


def test_it_lists_kenal_and_django_commands_in_help(tmp_path):
    result = _kenal("--help", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    for command in ("import", "export", "classify", "serve", "migrate", "createsuperuser"):
        assert f"    {command}\n" in result.stdout, command
    assert result.stdout.startswith("\nType 'kenal help <subcommand>'")


def test_it_creates_and_migrates_the_embedded_database_on_first_use(tmp_path):
    result = _kenal("classify", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "kenal.sqlite3").exists()
    shown = _kenal("showmigrations", "parties", tmp_path=tmp_path)
    assert "[X] 0001_initial" in shown.stdout
