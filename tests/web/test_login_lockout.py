"""Logins are throttled per username and address (django-axes): after five failures
the login page says when to try again, and even the right password waits."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _client(language: str, address: str) -> Client:
    return Client(headers={"Accept-Language": language}, REMOTE_ADDR=address)


def _fail(client: Client, times: int, username: str = "sinta") -> None:
    for attempt in range(times):
        response = client.post("/login/", {"username": username, "password": f"wrong-{attempt}"})
        assert response.status_code == 200, attempt


def test_it_locks_the_login_out_after_five_failures_and_says_when_to_try_again(sales):
    client = _client("en", "10.0.0.1")
    _fail(client, 5)
    sixth = client.post("/login/", {"username": "sinta", "password": "wrong-again"})
    assert sixth.status_code == 429
    assert int(sixth["Retry-After"]) == 15 * 60
    html = sixth.content.decode()
    assert re.search(r"Too many failed attempts to log in as this user from your address\. "
                     r"Try again in 15 minutes, after \d{1,2}:\d\d", html), html
    assert 'name="username"' in html and 'value="sinta"' in html and 'class="site-header"' in html
    # The right password waits too.
    right = client.post("/login/", {"username": "sinta", "password": PASSWORD})
    assert right.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/parties/").status_code == 302


def test_it_says_so_in_indonesian(sales):
    client = _client("id", "10.0.0.2")
    _fail(client, 5)
    html = client.post("/login/", {"username": "sinta", "password": "salah"}).content.decode()
    assert re.search(r"Terlalu banyak percobaan masuk yang gagal untuk pengguna ini dari alamat Anda\. "
                     r"Coba lagi dalam 15 menit, setelah pukul \d{1,2}\.\d\d", html), html
    assert "Too many" not in html


def test_it_locks_out_only_that_user_from_that_address(sales, manager):
    _fail(_client("en", "10.0.0.3"), 5)
    elsewhere = _client("en", "10.0.0.4").post("/login/", {"username": "sinta", "password": PASSWORD})
    assert elsewhere.status_code == 302
    other_user = _client("en", "10.0.0.3").post("/login/", {"username": "maya", "password": PASSWORD})
    assert other_user.status_code == 302


def test_it_forgets_earlier_failures_after_a_successful_login(sales):
    client = _client("en", "10.0.0.5")
    _fail(client, 4)
    assert client.post("/login/", {"username": "sinta", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    _fail(client, 4)
    assert client.post("/login/", {"username": "sinta", "password": PASSWORD}).status_code == 302


def _behind_proxy(address: str) -> Client:
    # What a reverse proxy on 10.9.9.9 sends on: the client's address in X-Forwarded-For.
    return Client(headers={"Accept-Language": "en", "X-Forwarded-For": address}, REMOTE_ADDR="10.9.9.9")


def test_behind_a_trusted_proxy_it_locks_out_the_client_not_everyone(sales, settings):
    settings.KENAL_TRUSTED_PROXIES = 1
    _fail(_behind_proxy("203.0.113.7"), 5)
    assert _behind_proxy("203.0.113.7").post("/login/", {"username": "sinta", "password": "wrong"}).status_code == 429
    assert _behind_proxy("203.0.113.7").post("/login/", {"username": "sinta", "password": PASSWORD}).status_code == 429
    # An address the client wrote in front of its own does not help it.
    forged = _behind_proxy("198.51.100.99, 203.0.113.7").post("/login/", {"username": "sinta", "password": PASSWORD})
    assert forged.status_code == 429
    # Another person behind the same proxy still gets in.
    assert _behind_proxy("198.51.100.20").post("/login/", {"username": "sinta", "password": PASSWORD}).status_code == 302


def test_without_trusted_proxies_a_forged_forwarded_address_does_not_escape_the_lockout(sales):
    _fail(_behind_proxy("203.0.113.7"), 5)
    assert _behind_proxy("203.0.113.8").post("/login/", {"username": "sinta", "password": "wrong"}).status_code == 429
    forged = _behind_proxy("198.51.100.99").post("/login/", {"username": "sinta", "password": PASSWORD})
    assert forged.status_code == 429
