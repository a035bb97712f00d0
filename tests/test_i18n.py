"""Both languages complete: every string of the interface has its Indonesian and
English text, and the catalogs cover every string in the code."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "kenal" / "locale"


def _catalog(lang: str):
    with open(LOCALE / lang / "LC_MESSAGES" / "django.po", "rb") as f:
        return read_po(f, locale=lang)


@pytest.mark.parametrize("lang", ["id", "en"])
def test_it_translates_every_string(lang):
    catalog = _catalog(lang)
    missing = [m.id for m in catalog if m.id and (not m.string or (isinstance(m.string, tuple) and not all(m.string)))]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert len(catalog) > 100
    assert missing == [], f"{len(missing)} untranslated in {lang}: {missing[:10]}"
    assert fuzzy == [], f"{len(fuzzy)} fuzzy in {lang}: {fuzzy[:10]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext's xgettext to extract strings")
def test_it_has_a_catalog_entry_for_every_string_in_the_code(tmp_path):
    copy = tmp_path / "kenal"
    shutil.copytree(LOCALE.parent, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "id", "--no-location", "--no-obsolete"],
        cwd=copy, check=True, capture_output=True,
    )
    with open(copy / "locale" / "id" / "LC_MESSAGES" / "django.po", "rb") as f:
        extracted = {m.id for m in read_po(f) if m.id}
    catalog = {m.id for m in _catalog("id") if m.id}
    assert sorted(extracted - catalog) == []


def test_it_shows_the_login_page_in_indonesian_by_default(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="id")
    html = response.content.decode()
    assert 'lang="id"' in html
    assert "Masuk ke Kenal" in html and "Kata sandi" in html
    assert "Log in to Kenal" not in html


def test_it_shows_the_login_page_in_english_when_asked(client):
    response = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert 'lang="en"' in html
    assert "Log in to Kenal" in html
