"""Parties over the API: list, search, detail, create and change."""

from __future__ import annotations

import pytest

from kenal.audit.models import AuditEvent
from kenal.parties.models import Party, PartyKind
from kenal.parties.services import PartyData, party_create

pytestmark = pytest.mark.django_db


def _party(name: str, **extra) -> Party:
    return party_create(actor=None, data=PartyData(name=name, **extra))


def test_it_lists_parties_a_page_at_a_time(api):
    for n in range(7):
        _party(f"Pelanggan {n}")
    first = api.get("/parties", limit=3).json()
    second = api.get("/parties", limit=3, offset=3).json()
    assert first["count"] == 7
    assert [p["name"] for p in first["items"]] == ["Pelanggan 0", "Pelanggan 1", "Pelanggan 2"]
    assert [p["name"] for p in second["items"]] == ["Pelanggan 3", "Pelanggan 4", "Pelanggan 5"]


def test_it_refuses_a_page_larger_than_the_maximum(api):
    response = api.get("/parties", limit=501)
    assert response.status_code == 422
    assert "limit" in response.json()["errors"]


def test_it_finds_a_party_by_a_phone_written_the_indonesian_way(api):
    budi = _party("Budi Santoso", contacts=[("whatsapp", "+62 812-3456-7890")])
    _party("Sari Dewi", contacts=[("phone", "0813 1111 2222")])
    found = api.get("/parties", q="0812 3456 7890").json()
    assert found["count"] == 1
    assert found["items"][0]["id"] == budi.pk
    assert found["items"][0]["contact_points"] == [{"kind": "whatsapp", "value": "+6281234567890"}]


def test_it_filters_parties_by_kind(api):
    _party("Budi Santoso")
    _party("PT Maju Jaya", kind=PartyKind.ORGANIZATION)
    names = [p["name"] for p in api.get("/parties", kind="organization").json()["items"]]
    assert names == ["PT Maju Jaya"]


def test_it_shows_one_party_with_its_relations(api):
    company = _party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, external_id="ORG-1")
    referrer = _party("Sari Dewi")
    budi = _party(
        "Budi Santoso", external_id="C-1", member_of=company, referred_by=referrer, scope="internal",
        contacts=[("email", "Budi@Example.COM")],
    )
    body = api.get(f"/parties/{budi.pk}").json()
    assert body["external_id"] == "C-1"
    assert body["scope"] == "internal"
    assert body["member_of"] == {"id": company.pk, "external_id": "ORG-1", "name": "PT Maju Jaya"}
    assert body["referred_by"]["id"] == referrer.pk
    assert body["contact_points"] == [{"kind": "email", "value": "budi@example.com"}]
    assert "profile" not in body and "notes" not in body


def test_it_answers_404_for_an_unknown_party(api):
    response = api.get("/parties/987654")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_it_creates_a_party_with_normalised_contacts(api, manager):
    company = _party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, external_id="ORG-1")
    response = api.post("/parties", {
        "name": "  Budi Santoso ",
        "external_id": "C-9",
        "language": "id",
        "member_of": "ORG-1",
        "referred_by": company.pk,
        "contact_points": [
            {"kind": "whatsapp", "value": "0812-3456-7890"},
            {"kind": "email", "value": "Budi@Example.COM"},
        ],
    })
    assert response.status_code == 201, response.content
    party = Party.objects.get(external_id="C-9")
    assert response.json()["id"] == party.pk
    assert party.name == "Budi Santoso"
    assert party.member_of == company and party.referred_by == company
    assert sorted(party.contact_points.values_list("kind", "value")) == [
        ("email", "budi@example.com"), ("whatsapp", "+6281234567890"),
    ]
    event = AuditEvent.objects.get(action="party.create", target_id=str(party.pk))
    assert event.actor == manager


def test_it_rejects_a_bad_phone_and_a_missing_name_with_field_messages(api):
    response = api.post("/parties", {"name": " ", "contact_points": [{"kind": "phone", "value": "abc"}]})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"] == ["A name is required."]
    assert "abc" in errors["contacts"][0]
    assert not Party.objects.exists()


def test_it_rejects_a_body_without_a_name(api):
    response = api.post("/parties", {"kind": "robot"})
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["name"] == ["This field is required."]
    assert "kind" in errors
    assert not Party.objects.exists()


def test_it_rejects_an_unknown_organisation(api):
    response = api.post("/parties", {"name": "Budi", "member_of": "NOPE"})
    assert response.status_code == 422
    assert "NOPE" in response.json()["errors"]["member_of"][0]
    assert not Party.objects.exists()


def test_it_changes_only_the_fields_sent(api, manager):
    budi = _party("Budi", external_id="C-1", language="id", contacts=[("phone", "0812 3456 7890")])
    response = api.patch(f"/parties/{budi.pk}", {"name": "Budi Santoso", "scope": "intermediate"})
    assert response.status_code == 200, response.content
    budi.refresh_from_db()
    assert (budi.name, budi.scope, budi.language, budi.external_id) == ("Budi Santoso", "intermediate", "id", "C-1")
    assert list(budi.contact_points.values_list("value", flat=True)) == ["+6281234567890"]
    event = AuditEvent.objects.get(action="party.update", target_id=str(budi.pk))
    assert event.actor == manager
    assert event.changes["name"] == ["Budi", "Budi Santoso"]


def test_it_replaces_contacts_and_clears_a_relation_on_patch(api):
    company = _party("PT Maju Jaya", kind=PartyKind.ORGANIZATION)
    budi = _party("Budi", member_of=company, contacts=[("phone", "0812 3456 7890")])
    response = api.patch(f"/parties/{budi.pk}", {
        "member_of": None, "contact_points": [{"kind": "email", "value": "BUDI@example.com"}],
    })
    assert response.status_code == 200, response.content
    budi.refresh_from_db()
    assert budi.member_of is None
    assert list(budi.contact_points.values_list("kind", "value")) == [("email", "budi@example.com")]


def test_it_rejects_a_patch_that_empties_a_required_field(api):
    budi = _party("Budi")
    response = api.patch(f"/parties/{budi.pk}", {"name": None, "language": None})
    assert response.status_code == 422
    assert set(response.json()["errors"]) == {"name", "language"}
    budi.refresh_from_db()
    assert budi.name == "Budi"


def test_it_answers_404_when_patching_an_unknown_party(api):
    assert api.patch("/parties/987654", {"name": "X"}).status_code == 404


def test_it_reads_a_page_of_parties_in_a_fixed_number_of_queries(api, django_assert_max_num_queries):
    company = _party("PT Maju Jaya", kind=PartyKind.ORGANIZATION)
    for n in range(30):
        _party(f"Pelanggan {n}", member_of=company, referred_by=company,
               contacts=[("email", f"p{n}@example.com"), ("phone", f"0812 3456 78{n:02d}")])
    # token check, count, page, contact points: the same for 31 rows as for one
    with django_assert_max_num_queries(5):
        body = api.get("/parties", limit=40).json()
    assert body["count"] == 31
    assert all(len(p["contact_points"]) == 2 for p in body["items"] if p["member_of"])


def test_it_rejects_a_misspelt_field_instead_of_ignoring_it(api):
    budi = _party("Budi")
    response = api.patch(f"/parties/{budi.pk}", {"nmae": "Budi Santoso"})
    assert response.status_code == 422
    assert response.json()["errors"] == {"nmae": ["There is no such field."]}


def test_it_rejects_an_external_id_taken_by_another_party(api):
    _party("Budi", external_id="C-1")
    sari = _party("Sari", external_id="C-2")
    response = api.patch(f"/parties/{sari.pk}", {"external_id": "C-1"})
    assert response.status_code == 422
    assert "C-1" in response.json()["errors"]["external_id"][0]
    sari.refresh_from_db()
    assert sari.external_id == "C-2"
