from __future__ import annotations

import re

import pytest
from django.test import Client

from kenal.agreements.services import Side, agreement_sign
from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile, ProfileOverride
from kenal.classification.services import profiles_recompute
from tests.profileui import factories as f
from tests.profileui.conftest import client_for


@pytest.fixture
def loyal_buyer(db):
    """Four paid orders over 200 days, the last 10 days ago, two with a promotion."""
    buyer = f.party("Rina Wijaya")
    f.buy(buyer, f.days_ago(210), promo_code="HEMAT")
    f.buy(buyer, f.days_ago(150))
    f.buy(buyer, f.days_ago(60), promo_code="HEMAT")
    f.buy(buyer, f.days_ago(10))
    return buyer


def profile_section(html: str) -> str:
    start = html.index('id="profile"')
    return html[start:html.index("</section>", start)]


def badges(html: str, kind: str) -> list[str]:
    return re.findall(rf'data-badge="{kind}" data-value="([a-z_]+)"', html)


def journey(html: str) -> list[str]:
    block = html[html.index("data-journey"):]
    block = block[:block.index("</ol>")]
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", item)).strip() for item in block.split("<li>")[1:]]


def page(client: Client, party, **headers) -> str:
    response = client.get(f"/parties/{party.pk}/", headers=headers)
    assert response.status_code == 200
    return profile_section(response.content.decode())


def test_it_shows_badges_reasons_and_next_best_action_in_english(as_support, loyal_buyer):
    html = page(as_support, loyal_buyer)
    assert badges(html, "relationship") == ["customer"]
    assert badges(html, "customer-type") == ["external"]
    assert badges(html, "characteristic") == ["loyal", "thrifty"]
    assert ">Customer</span>" in html and ">Loyal" in html and ">Thrifty" in html
    assert "Customer: 4 paid orders" in html
    assert "Loyal: 4 orders over 200 days, the last one 10 days ago" in html
    assert "Thrifty: 2 of 4 paid orders used a promotion" in html
    assert "External: the default customer type" in html
    nba = re.search(r"data-next-best-action>([^<]+)<", html).group(1)
    assert nba == "Propose a client engagement: a loyal customer of high value."


def test_it_shows_the_same_structure_in_indonesian(support, loyal_buyer):
    html = page(client_for(support, "id"), loyal_buyer)
    assert badges(html, "relationship") == ["customer"]
    assert badges(html, "characteristic") == ["loyal", "thrifty"]
    assert html.count("<li>", html.index("data-reasons"), html.index("</ul>", html.index("data-reasons"))) == 4
    assert re.search(r"data-next-best-action>[^<—]+<", html)


def test_it_shows_the_journey_newest_first_with_why(as_support, db):
    party = f.party("Joko")
    agreement = f.proposal(party)  # the first classification: a prospect
    f.buy(party, f.days_ago(400))
    agreement_sign(actor=None, agreement=agreement, side=Side.PROVIDER)
    agreement_sign(actor=None, agreement=agreement, side=Side.CLIENT)
    steps = journey(page(as_support, party))
    assert steps[0].endswith(
        "Relationship: Customer → Client — Client: party to 1 active agreement signed by both sides"
    )
    assert any("Relationship: Prospect → Customer — Customer: 1 paid order" in step for step in steps[1:])
    assert not any(step.startswith(("Client flag", "Prospect flag")) for step in steps)


def test_it_says_why_a_party_that_objects_to_profiling_has_no_characteristics(as_support, db):
    party = f.party("Hana", objects_to_profiling=True)
    f.buy(party, f.days_ago(2))
    html = page(as_support, party)
    assert "This party objects to profiling." in html
    assert "By its right under data protection law" in html
    assert badges(html, "characteristic") == []
    assert badges(html, "relationship") == ["customer"]
    assert "Objects to profiling: no characteristics and no inferred type" in html


def test_it_shows_no_override_form_to_support(as_support, loyal_buyer):
    html = page(as_support, loyal_buyer)
    assert "Override a result" not in html
    assert "/overrides/" not in html


def test_it_refuses_an_override_from_support_with_403(as_support, loyal_buyer):
    response = as_support.post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "characteristic:loyal", "value": "false", "reason": "Not really",
    })
    assert response.status_code == 403
    assert not ProfileOverride.objects.exists()
    assert PartyProfile.objects.get(party=loyal_buyer).loyal


def test_it_shows_a_managers_override_as_such_and_keeps_it_through_a_recompute(as_manager, manager, loyal_buyer):
    assert "Override a result" in page(as_manager, loyal_buyer)
    response = as_manager.post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "characteristic:loyal", "value": "false", "reason": "Buys for a shop that closed",
    })
    assert response.status_code == 302
    profiles_recompute()
    html = page(as_manager, loyal_buyer)
    assert badges(html, "characteristic") == ["thrifty"]
    assert "Loyal set to off by maya: Buys for a shop that closed" in html
    overrides = html[html.index("data-overrides"):]
    assert "Loyal: no" in overrides and "Buys for a shop that closed" in overrides
    assert AuditEvent.objects.filter(action="classification.override", actor=manager).exists()


def test_it_refreshes_the_profile_partial_after_an_htmx_override(as_manager, loyal_buyer):
    response = as_manager.post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "relationship", "value": "client", "reason": "Signed on paper, not yet entered",
    }, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card profile" id="profile"')
    assert "<html" not in html
    assert badges(html, "relationship") == ["client"]
    assert "set by hand" in html


def test_it_shows_override_errors_in_the_form(as_manager, loyal_buyer):
    response = as_manager.post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "relationship", "value": "true", "reason": "  ",
    }, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "This value does not fit what you override." in html
    assert "This field is required." in html or "Write why you override the result." in html
    assert not ProfileOverride.objects.exists()


def test_it_restores_the_computed_value_when_the_override_is_withdrawn(as_manager, loyal_buyer):
    as_manager.post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "characteristic:loyal", "value": "false", "reason": "Doubtful",
    })
    override = ProfileOverride.objects.get()
    response = as_manager.post(f"/parties/{loyal_buyer.pk}/overrides/{override.pk}/withdraw/")
    assert response.status_code == 302
    override.refresh_from_db()
    assert override.withdrawn_at is not None
    assert AuditEvent.objects.filter(action="classification.override_withdraw", target_id=str(loyal_buyer.pk)).exists()
    html = page(as_manager, loyal_buyer)
    assert badges(html, "characteristic") == ["loyal", "thrifty"]
    assert "data-overrides" not in html


def test_it_refuses_a_withdrawal_from_support(as_support, manager, loyal_buyer):
    client_for(manager).post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "characteristic:loyal", "value": "false", "reason": "Doubtful",
    })
    override = ProfileOverride.objects.get()
    assert as_support.post(f"/parties/{loyal_buyer.pk}/overrides/{override.pk}/withdraw/").status_code == 403
    override.refresh_from_db()
    assert override.withdrawn_at is None


def _field_block(html: str, name: str) -> str:
    """The ``div.field`` that holds the input called ``name``, with its errors."""
    start = html.rindex('<div class="field', 0, html.index(f'name="{name}"'))
    return html[start:html.index("</div>", start)]


@pytest.mark.parametrize(("language", "value_error", "reason_error"), [
    ("en", "This value does not fit what you override.", "Write why you override the result."),
    ("id", "Nilai ini tidak sesuai dengan yang Anda tetapkan secara manual.",
     "Tuliskan alasan Anda menetapkan hasil ini secara manual."),
])
def test_it_puts_each_override_error_next_to_its_field(manager, loyal_buyer, language, value_error, reason_error):
    response = client_for(manager, language).post(f"/parties/{loyal_buyer.pk}/overrides/", {
        "field": "customer_type", "value": "client", "reason": " ",
    }, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 422
    assert 'class="field has-error"' in _field_block(html, "value") and value_error in _field_block(html, "value")
    assert reason_error in _field_block(html, "reason")
    assert "<details class=\"override-form\" open>" in html
    assert not ProfileOverride.objects.exists()


@pytest.mark.parametrize(("language", "labels"), [
    ("en", ["Internal", "External", "Intermediate"]), ("id", ["Internal", "Eksternal", "Perantara"]),
])
def test_it_offers_the_values_of_the_chosen_field(manager, loyal_buyer, language, labels):
    client = client_for(manager, language)
    html = client.get(f"/parties/{loyal_buyer.pk}/profile/?field=customer_type",
                      headers={"HX-Request": "true"}).content.decode()
    values = html[html.index('id="override-value"'):]
    values = values[:values.index("</select>")]
    assert re.findall(r'<option value="([a-z]+)"[^>]*>([^<]+)</option>', values) == list(
        zip(["internal", "external", "intermediate"], labels))
    html = client.get(f"/parties/{loyal_buyer.pk}/profile/?field=characteristic:loyal",
                      headers={"HX-Request": "true"}).content.decode()
    values = html[html.index('id="override-value"'):]
    assert re.findall(r'<option value="(true|false)"', values[:values.index("</select>")]) == ["true", "false"]
