from __future__ import annotations

import re
from datetime import timedelta

from kenal.agreements.models import Agreement
from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from tests.profileui import factories as f
from tests.profileui.conftest import client_for


def test_it_records_a_proposal_and_both_signatures_from_the_party_page(csm, db):
    as_csm = client_for(csm)
    party = f.party("PT Sinar Jaya", kind="organization")
    page = as_csm.get(f"/parties/{party.pk}/").content.decode()
    assert f'href="/parties/{party.pk}/agreements/new/"' in page
    starts = (f.today() - timedelta(days=3)).isoformat()
    response = as_csm.post(f"/parties/{party.pk}/agreements/new/", {
        "title": "Annual audit", "service_kind": "professional_service", "starts_on": starts, "currency": "IDR",
    })
    assert response.status_code == 302
    agreement = Agreement.objects.get(party=party)
    assert PartyProfile.objects.get(party=party).relationship == "prospect"
    page = as_csm.get(f"/parties/{party.pk}/").content.decode()
    assert "Sign for us" in page and "Record the client's signature" in page
    sign = f"/parties/{party.pk}/agreements/{agreement.pk}/sign/"
    as_csm.post(sign, {"side": "provider"})
    assert PartyProfile.objects.get(party=party).relationship == "prospect"
    as_csm.post(sign, {"side": "client"})
    assert PartyProfile.objects.get(party=party).relationship == "client"
    page = as_csm.get(f"/parties/{party.pk}/").content.decode()
    assert "Sign for us" not in page
    assert re.search(r'data-badge="relationship" data-value="client"', page)
    assert "Client: party to 1 active agreement signed by both sides" in page
    assert AuditEvent.objects.filter(action="agreement.sign", actor=csm).count() == 2


def test_it_keeps_support_away_from_agreements(as_support, db):
    party = f.party("PT Sinar Jaya", kind="organization")
    agreement = f.proposal(party)
    page = as_support.get(f"/parties/{party.pk}/").content.decode()
    assert "/agreements/" not in page and "Sign for us" not in page
    assert as_support.get(f"/parties/{party.pk}/agreements/new/").status_code == 403
    assert as_support.post(f"/parties/{party.pk}/agreements/{agreement.pk}/sign/", {"side": "client"}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.signed_by_client_at is None


def test_it_shows_errors_of_a_proposal_that_ends_before_it_starts(as_manager, db):
    party = f.party("PT Sinar Jaya", kind="organization")
    response = as_manager.post(f"/parties/{party.pk}/agreements/new/", {
        "title": "Audit", "service_kind": "professional_service", "starts_on": "2026-05-01", "ends_on": "2026-04-01",
        "currency": "IDR",
    })
    assert response.status_code == 400
    assert "The agreement cannot end before it starts." in response.content.decode()
    assert not Agreement.objects.exists()
