"""The account page where a user makes and revokes personal API tokens."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from kenal.accounts.models import ApiToken, hash_token
from kenal.accounts.services import token_create
from kenal.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

RAW = re.compile(r"knl_[A-Za-z0-9_\-]{40,}")


def _english(client: Client) -> Client:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_it_sends_an_anonymous_visitor_to_the_login_page():
    response = Client().get("/account/tokens/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_it_creates_a_token_shown_once_and_stores_only_its_hash(as_manager, manager):
    response = _english(as_manager).post("/account/tokens/", {"name": "Accounting export"}, follow=True)
    assert response.redirect_chain == [("/account/tokens/", 302)]
    html = response.content.decode()
    raw = RAW.search(html).group(0)
    token = ApiToken.objects.get(user=manager)
    assert token.name == "Accounting export"
    assert token.token_hash == hash_token(raw)
    assert raw not in {token.token_hash, token.hint, token.name}
    assert raw.startswith(token.hint)
    assert "shown only this once" in html

    again = as_manager.get("/account/tokens/").content.decode()
    assert "Accounting export" in again
    assert token.hint in again
    assert RAW.search(again) is None

    works = Client().get("/api/v1/parties", headers={"Authorization": f"Bearer {raw}"})
    assert works.status_code == 200
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == manager and event.target_id == str(token.pk)
    assert raw not in str(event.changes)


def test_it_refuses_a_token_without_a_name(as_manager, manager):
    response = _english(as_manager).post("/account/tokens/", {"name": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not ApiToken.objects.filter(user=manager).exists()


def test_it_lists_only_the_users_own_tokens(as_manager, manager, support):
    token_create(user=manager, name="Mine")
    token_create(user=support, name="Someone else's")
    html = as_manager.get("/account/tokens/").content.decode()
    assert "Mine" in html
    assert "Someone else" not in html


def test_it_revokes_a_token_so_it_no_longer_works(as_manager, manager):
    token, raw = token_create(user=manager, name="Old script")
    response = _english(as_manager).post(f"/account/tokens/{token.pk}/revoke/", follow=True)
    assert response.status_code == 200
    assert "revoked" in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert Client().get("/api/v1/parties", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", target_id=str(token.pk), actor=manager).exists()


def test_it_does_not_revoke_another_users_token(as_manager, support):
    token, _raw = token_create(user=support, name="Support's script")
    response = as_manager.post(f"/account/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_does_not_revoke_over_get(as_manager, manager):
    token, _raw = token_create(user=manager, name="Script")
    assert as_manager.get(f"/account/tokens/{token.pk}/revoke/").status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None


def test_it_requires_csrf_to_create_a_token(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    assert client.post("/account/tokens/", {"name": "Forged"}).status_code == 403
    assert not ApiToken.objects.exists()


def test_it_redirects_after_creating_a_token_so_a_reload_creates_no_second_one(as_manager, manager):
    created = _english(as_manager).post("/account/tokens/", {"name": "Nightly sync"})
    assert created.status_code == 302
    assert created["Location"] == "/account/tokens/"
    shown = as_manager.get(created["Location"]).content.decode()
    raw = RAW.search(shown).group(0)
    assert raw not in created["Location"]
    assert "Token “Nightly sync” created." in shown
    # Reloading the page after the redirect repeats the GET, not the POST.
    reloaded = as_manager.get(created["Location"]).content.decode()
    assert RAW.search(reloaded) is None
    assert "Nightly sync" in reloaded
    assert ApiToken.objects.filter(user=manager).count() == 1
