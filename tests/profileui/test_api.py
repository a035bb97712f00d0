from __future__ import annotations

import pytest
from django.test import Client

from kenal.accounts.services import token_create
from kenal.parties.models import Party
from tests.profileui import factories as f


@pytest.fixture
def api(support):
    _token, raw = token_create(user=support, name="profile tests")

    def get(path: str, language: str = "en", **params):
        response = Client().get(f"/api/v1{path}", params,
                                headers={"Authorization": f"Bearer {raw}", "Accept-Language": language})
        assert response.status_code == 200, response.content
        return response.json()

    return get


@pytest.fixture
def people(db):
    loyal = f.party("Rina Wijaya")
    for days, promo in ((210, "HEMAT"), (150, ""), (60, "HEMAT"), (10, "")):
        f.buy(loyal, f.days_ago(days), promo_code=promo)
    buyer, child = f.party("Rudi Hartono"), f.party("Dewi Hartono")
    f.buy(buyer, f.days_ago(3), consumer=child)
    # Written straight to the table, as a bulk import does, and not classified since.
    never = Party.objects.create(name="Tono")
    return {"loyal": loyal, "buyer": buyer, "child": child, "never": never}


def test_it_shows_the_classification_on_a_party(api, people):
    body = api(f"/parties/{people['loyal'].pk}")
    assert body["relationship"] == "customer"
    assert body["flags"] == ["customer"]
    assert body["customer_type"] == "external"
    assert body["characteristics"] == ["loyal", "thrifty"]
    assert "Loyal: 4 orders over 200 days, the last one 10 days ago" in body["reasons"]
    assert body["next_best_action"] == "Propose a client engagement: a loyal customer of high value."
    assert body["csm"] is None
    assert body["name"] == "Rina Wijaya"  # the party's own fields stay


def test_it_renders_reasons_in_the_requested_language(api, people):
    english = api(f"/parties/{people['loyal'].pk}")["reasons"]
    indonesian = api(f"/parties/{people['loyal'].pk}", language="id")["reasons"]
    assert len(indonesian) == len(english) and all(indonesian)


def test_it_shows_nulls_for_a_party_never_classified(api, people):
    body = api(f"/parties/{people['never'].pk}")
    assert body["relationship"] is None and body["flags"] == [] and body["characteristics"] == []
    assert body["reasons"] == [] and body["next_best_action"] is None


def test_it_filters_the_party_list(api, people):
    def names(**params):
        return sorted(item["name"] for item in api("/parties", **params)["items"])

    assert names(relationship="customer") == ["Rina Wijaya", "Rudi Hartono"]
    assert names(relationship="consumer") == ["Dewi Hartono"]
    assert names(characteristic="loyal") == ["Rina Wijaya"]
    assert names(characteristic="new", q="hartono") == ["Rudi Hartono"]
    assert names(customer_type="external", characteristic="thrifty") == ["Rina Wijaya"]
    assert api("/parties", relationship="client")["count"] == 0
    listed = {item["name"]: item for item in api("/parties")["items"]}
    assert listed["Dewi Hartono"]["flags"] == ["consumer"] and listed["Dewi Hartono"]["customer_type"] is None


def test_it_rejects_an_unknown_filter_value(support, people):
    _token, raw = token_create(user=support, name="t")
    response = Client().get("/api/v1/parties", {"characteristic": "rich"}, headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 422
