from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys

import pytest

from kenal.cli import console_language

LOCALE_VARIABLES = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG", "KENAL_LANGUAGE")


def _kenal(*args: str, tmp_path, **variables: str) -> subprocess.CompletedProcess[str]:
    """The real `kenal` command on a fresh embedded database, in a terminal whose
    language is only what the test names."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES and k != "DATABASE_URL"}
    env.update(KENAL_DATA_DIR=str(tmp_path / "data"), **variables)
    kenal = os.path.join(os.path.dirname(sys.executable), "kenal")
    return subprocess.run([kenal, *args], env=env, capture_output=True, text=True, timeout=120)


def test_it_lists_kenal_and_django_commands_in_help(tmp_path):
    result = _kenal("--help", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    for command in ("import", "export", "classify", "serve", "migrate", "createsuperuser"):
        assert f"    {command}\n" in result.stdout, command
    assert result.stdout.startswith("\nType 'kenal help <subcommand>'")


def test_it_lists_the_commands_in_indonesian_in_an_indonesian_terminal(tmp_path):
    result = _kenal("--help", tmp_path=tmp_path, LANG="id_ID.UTF-8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("\nKetik 'kenal help <subperintah>' untuk bantuan")
    assert "Subperintah yang tersedia:" in result.stdout
    assert "Available subcommands" not in result.stdout
    assert "    import\n" in result.stdout


@pytest.mark.parametrize("command", ["import", "export", "classify", "serve", "demo", "db_worker", "axes_reset_username"])
def test_it_writes_every_commands_help_in_the_terminals_language(command, tmp_path):
    indonesian = _kenal(command, "--help", tmp_path=tmp_path, LANG="id_ID.UTF-8")
    assert indonesian.returncode == 0, indonesian.stderr
    out = indonesian.stdout
    assert out.startswith(f"penggunaan: kenal {command} ")
    assert "\nopsi:\n" in out and "tampilkan pesan bantuan ini, lalu keluar" in out
    assert "Tingkat kerincian keluaran" in out and "Lewati pemeriksaan sistem." in out
    for english in ("usage:", "options:", "show this help message", "Verbosity level", "Skip system checks"):
        assert english not in out, english

    english = _kenal(command, "--help", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert english.returncode == 0, english.stderr
    assert english.stdout.startswith(f"usage: kenal {command} ")
    assert "\noptions:\n" in english.stdout and "show this help message and exit" in english.stdout
    assert "penggunaan" not in english.stdout and "opsi:" not in english.stdout


def test_it_describes_serve_demo_and_the_worker_in_indonesian(tmp_path):
    serve = _kenal("help", "serve", tmp_path=tmp_path, LANG="id_ID.UTF-8").stdout
    assert "Port yang didengarkan" in serve and "Port to listen on" not in serve
    demo = _kenal("demo", "--help", tmp_path=tmp_path, LANG="id_ID.UTF-8").stdout
    assert "Load demo data" not in demo and "The same seed" not in demo
    worker = _kenal("db_worker", "--help", tmp_path=tmp_path, LANG="id_ID.UTF-8").stdout
    assert "Menjalankan pekerja latar belakang" in worker
    assert "Antrean yang dikecualikan" in worker and "Queues to exclude" not in worker
    unlock = _kenal("axes_reset_username", "--help", tmp_path=tmp_path, LANG="id_ID.UTF-8").stdout
    assert "membuka penguncian untuk nama pengguna" in unlock and "Reset all" not in unlock


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"LANG": "id_ID.UTF-8", "LC_ALL": "en_US.UTF-8"}, "usage:"),
        ({"LANG": "en_US.UTF-8", "LC_MESSAGES": "id_ID.UTF-8"}, "penggunaan:"),
        ({"LANG": "C", "LANGUAGE": "id:en"}, "penggunaan:"),
        ({"KENAL_LANGUAGE": "id"}, "penggunaan:"),
        ({"KENAL_LANGUAGE": "en"}, "usage:"),
    ],
)
def test_it_picks_the_language_the_way_gettext_does_then_kenals_default(variables, expected, tmp_path):
    result = _kenal("classify", "--help", tmp_path=tmp_path, **variables)
    assert result.stdout.startswith(expected), result.stdout[:80]


def test_it_reads_the_terminal_language_variables_in_gettexts_order():
    spoken = ["id", "en"]
    assert console_language({"LANG": "id_ID.UTF-8"}, spoken=spoken, default="en") == "id"
    assert console_language({"LANG": "fr_FR.UTF-8"}, spoken=spoken, default="id") == "en"
    assert console_language({"LANG": "C.UTF-8"}, spoken=spoken, default="id") == "en"
    assert console_language({"LANGUAGE": "fr:id", "LANG": "en_US"}, spoken=spoken, default="en") == "id"
    assert console_language({}, spoken=spoken, default="id") == "id"


def test_it_reports_a_bad_option_in_indonesian(tmp_path):
    result = _kenal("export", "parties", "--format", "xml", tmp_path=tmp_path, LANG="id_ID.UTF-8")
    assert result.returncode == 2
    assert "kenal export: kesalahan: argumen --format: pilihan tidak valid: 'xml'" in result.stderr
    assert "error:" not in result.stderr and "invalid choice" not in result.stderr


def test_it_refuses_an_unknown_command_in_the_terminals_language(tmp_path):
    result = _kenal("exprot", tmp_path=tmp_path, LANG="id_ID.UTF-8")
    assert result.returncode == 1
    assert result.stderr == (
        "Perintah tidak dikenal: 'exprot'. Mungkin maksud Anda export?\nKetik 'kenal help' untuk cara penggunaan.\n"
    )


def test_it_creates_and_migrates_the_embedded_database_on_first_use(tmp_path):
    result = _kenal("classify", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "kenal.sqlite3").exists()
    shown = _kenal("showmigrations", "parties", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert "[X] 0001_initial" in shown.stdout


def test_it_ends_quietly_when_the_reader_of_an_export_goes_away(tmp_path):
    """`kenal export parties | head`: the reader closes the pipe before the export is
    written; Kenal stops as other tools do, by SIGPIPE, without a traceback."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARIABLES and k != "DATABASE_URL"}
    env.update(KENAL_DATA_DIR=str(tmp_path / "data"), LANG="en_US.UTF-8")
    kenal = os.path.join(os.path.dirname(sys.executable), "kenal")
    process = subprocess.Popen(
        [kenal, "export", "parties", "--format", "csv"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    process.stdout.close()
    _out, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipeError" not in err, err.decode()
    assert process.returncode == -signal.SIGPIPE


def test_it_keeps_a_fresh_data_directory_readable_by_its_owner_only(tmp_path):
    result = _kenal("classify", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "kenal.sqlite3").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    for leftover in data.iterdir():
        assert stat.S_IMODE(leftover.stat().st_mode) & 0o077 == 0, leftover


def test_it_tightens_a_data_directory_others_could_read(tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    (data / "secret_key").write_text("an-old-key-that-others-could-read-" * 2)
    (data / "secret_key").chmod(0o644)
    result = _kenal("classify", tmp_path=tmp_path, LANG="en_US.UTF-8")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "secret_key").stat().st_mode) == 0o600
    assert stat.S_IMODE((data / "kenal.sqlite3").stat().st_mode) == 0o600
