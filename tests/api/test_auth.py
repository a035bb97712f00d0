"""Who may call the API: a live personal token, or a signed-in session with CSRF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from kenal.accounts.models import ApiToken
from kenal.accounts.services import token_create, token_revoke
from kenal.parties.models import Party
from kenal.parties.services import PartyData, party_create

pytestmark = pytest.mark.django_db

ENDPOINTS = ["/parties", "/parties/1", "/orders", "/orders/1", "/agreements", "/agreements/1",
             "/interactions", "/interactions/1"]


@pytest.mark.parametrize("path", ENDPOINTS)
def test_it_answers_401_json_without_credentials(path):
    response = Client().get(f"/api/v1{path}")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_it_answers_401_to_an_anonymous_write_rather_than_a_login_page():
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/parties", {"name": "Budi"}, content_type="application/json"
    )
    assert response.status_code == 401
    assert not Party.objects.exists()


@pytest.mark.parametrize("header", ["Bearer knl_not-a-real-token", "Bearer ", "Basic YWxpY2U6c2VjcmV0", "knl_x"])
def test_it_answers_401_to_a_bad_token(header, manager_token):
    response = Client().get("/api/v1/parties", headers={"Authorization": header})
    assert response.status_code == 401


def test_it_answers_401_to_a_revoked_token(manager):
    token, raw = token_create(user=manager, name="old script")
    headers = {"Authorization": f"Bearer {raw}"}
    assert Client().get("/api/v1/parties", headers=headers).status_code == 200
    token_revoke(actor=manager, token=token)
    assert Client().get("/api/v1/parties", headers=headers).status_code == 401


def test_it_answers_401_to_the_token_of_a_deactivated_user(manager, manager_token):
    manager.is_active = False
    manager.save()
    response = Client().get("/api/v1/parties", headers={"Authorization": f"Bearer {manager_token}"})
    assert response.status_code == 401


def test_it_accepts_a_bearer_token_and_records_its_use(api, manager):
    party_create(actor=None, data=PartyData(name="Budi Santoso"))
    token = ApiToken.objects.get(user=manager)
    assert token.last_used_at is None
    response = api.get("/parties")
    assert response.status_code == 200
    assert response.json()["items"][0]["name"] == "Budi Santoso"
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


def test_it_records_a_token_use_at_most_once_a_minute(api, manager):
    token = ApiToken.objects.get(user=manager)
    api.get("/parties")
    token.refresh_from_db()
    first_use = token.last_used_at
    api.get("/parties")
    token.refresh_from_db()
    assert token.last_used_at == first_use
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first_use - timedelta(minutes=2))
    api.get("/parties")
    token.refresh_from_db()
    assert token.last_used_at > first_use


def test_it_creates_a_party_through_a_token_without_csrf(manager_token):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/api/v1/parties", {"name": "Budi"}, content_type="application/json",
        headers={"Authorization": f"Bearer {manager_token}"},
    )
    assert response.status_code == 201
    assert Party.objects.filter(name="Budi").exists()


def test_it_accepts_a_signed_in_session_for_reads(manager):
    party_create(actor=None, data=PartyData(name="Budi Santoso"))
    client = Client()
    client.force_login(manager)
    response = client.get("/api/v1/parties")
    assert response.status_code == 200
    assert response.json()["count"] == 1


def test_it_requires_csrf_for_a_write_by_session(manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    refused = client.post("/api/v1/parties", {"name": "Budi"}, content_type="application/json")
    assert refused.status_code == 403
    assert not Party.objects.exists()

    client.get("/account/tokens/")  # any page with a form sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/v1/parties", {"name": "Budi"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert accepted.status_code == 201, accepted.content
    assert Party.objects.filter(name="Budi").exists()


def test_it_answers_in_the_token_owners_language_when_the_client_names_none(manager):
    manager.language = "en"
    manager.save()
    _token, raw = token_create(user=manager, name="script")
    response = Client().post(
        "/api/v1/parties", {"name": ""}, content_type="application/json", headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status_code == 422
    assert response["Content-Language"] == "en"
    assert response.json()["errors"]["name"] == ["A name is required."]


def test_it_answers_in_the_language_the_request_asks_for(manager):
    manager.language = "en"
    manager.save()
    _token, raw = token_create(user=manager, name="script")
    response = Client().post(
        "/api/v1/parties", {"name": ""}, content_type="application/json",
        headers={"Authorization": f"Bearer {raw}", "Accept-Language": "id"},
    )
    assert response.status_code == 422
    assert response["Content-Language"] == "id"
    assert response.json()["detail"] == "Data tidak valid."
    assert response.json()["errors"]["name"] == ["Nama wajib diisi."]
