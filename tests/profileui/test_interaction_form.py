from __future__ import annotations

from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from kenal.interactions.models import Interaction
from tests.profileui import factories as f


def test_it_records_an_interaction_and_reclassifies_the_party(as_support, support, db):
    party = f.party("Lia")
    page = as_support.get(f"/parties/{party.pk}/").content.decode()
    assert f'href="/parties/{party.pk}/interactions/new/"' in page
    when = f.days_ago(1).strftime("%Y-%m-%dT%H:%M")
    response = as_support.post(f"/parties/{party.pk}/interactions/new/", {
        "occurred_at": when, "channel": "whatsapp", "direction": "inbound", "kind": "question",
        "body": "Berapa harga paket tahunan?",
    })
    assert response.status_code == 302 and response["Location"] == f"/parties/{party.pk}/"
    stored = Interaction.objects.get(party=party)
    assert stored.source_key.startswith("manual:") and stored.kind == "question"
    assert stored.occurred_at == f.days_ago(1)  # read as Jakarta wall-clock time
    assert PartyProfile.objects.get(party=party).potential
    assert AuditEvent.objects.filter(action="interaction.create", actor=support).exists()
    page = as_support.get(f"/parties/{party.pk}/").content.decode()
    assert "Berapa harga paket tahunan?" in page
    assert "Potential: 1 inbound message in the last 90 days and nothing bought yet" in page


def test_it_shows_errors_and_records_nothing(as_support, db):
    party = f.party("Lia")
    response = as_support.post(f"/parties/{party.pk}/interactions/new/", {
        "occurred_at": "2999-01-01T10:00", "channel": "pigeon", "direction": "inbound", "kind": "message",
    })
    html = response.content.decode()
    assert response.status_code == 400
    assert "An interaction cannot be in the future." in html
    assert "Select a valid choice." in html
    assert not Interaction.objects.exists()


def test_it_refuses_anonymous_visitors(client, db):
    party = f.party("Lia")
    response = client.post(f"/parties/{party.pk}/interactions/new/", {"channel": "whatsapp"})
    assert response.status_code in (302, 403)
    assert not Interaction.objects.exists()
