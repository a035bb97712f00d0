"""Each token may make KENAL_API_RATE calls; beyond that the API answers 429 JSON with
Retry-After, in the request's language."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from kenal.accounts.services import token_create
from kenal.api.auth import TokenRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def three_calls_a_minute(settings) -> Iterator[None]:
    settings.KENAL_API_RATE = "3/min"
    cache.clear()
    yield
    cache.clear()


def _get(raw: str, language: str = "en"):
    return Client().get("/api/v1/parties", headers={"Authorization": f"Bearer {raw}", "Accept-Language": language})


def test_it_answers_429_with_retry_after_to_a_token_over_its_rate(manager):
    _token, raw = token_create(user=manager, name="busy script")
    assert [_get(raw).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(raw)
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/json")
    assert refused.json() == {"detail": "Too many requests with this token; wait a little and try again."}
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert _get(raw, "id").json() == {"detail": "Terlalu banyak permintaan dengan token ini; tunggu sebentar, lalu coba lagi."}


def test_it_counts_each_token_on_its_own(manager):
    _busy, busy = token_create(user=manager, name="busy script")
    _quiet, quiet = token_create(user=manager, name="quiet script")
    for _ in range(4):
        _get(busy)
    assert _get(busy).status_code == 429
    assert _get(quiet).status_code == 200


def test_it_reads_the_rate_from_the_settings(manager, settings):
    settings.KENAL_API_RATE = "5/min"
    _token, raw = token_create(user=manager, name="script")
    assert [_get(raw).status_code for _ in range(6)] == [200] * 5 + [429]


def test_another_server_process_sees_the_same_count(manager):
    """Several worker processes serve one machine: the calls one counted must count in
    the others too, or each would allow the full rate."""
    _token, raw = token_create(user=manager, name="script")
    assert [_get(raw).status_code for _ in range(3)] == [200, 200, 200]
    key = TokenRateThrottle.cache_format % {"scope": "token", "ident": f"token-{hashlib.sha256(raw.encode()).hexdigest()}"}
    other_process = subprocess.run(
        [sys.executable, "-c",
         "import sys, django; django.setup(); from django.core.cache import cache; print(len(cache.get(sys.argv[1], [])))",
         key],
        capture_output=True, text=True, env={**os.environ, "DJANGO_SETTINGS_MODULE": "kenal.settings"},
    )
    assert other_process.stdout.strip() == "3", other_process.stderr
