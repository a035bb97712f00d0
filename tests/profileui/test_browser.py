"""The override form in a real Chromium: htmx swaps the profile section in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kenal.classification.models import ProfileOverride
from tests.profileui import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_lets_a_manager_override_a_characteristic_and_see_the_badge_change(page, login, manager):
    buyer = f.party("Rina Wijaya")
    for days, promo in ((210, "HEMAT"), (150, ""), (60, "HEMAT"), (10, "")):
        f.buy(buyer, f.days_ago(days), promo_code=promo)
    csp_errors: list[str] = []
    page.on("console", lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    login(manager)
    page.goto(f"/parties/{buyer.pk}/")
    badges = page.locator('#profile [data-badge="characteristic"]')
    expect(badges).to_have_count(2)
    expect(page.locator('#profile [data-value="loyal"]')).to_be_visible()
    page.evaluate("window.kenalMarker = 1")  # gone if the page reloads
    page.click("#profile summary")
    page.select_option("#profile select[name=field]", "characteristic:loyal")
    page.select_option("#profile select[name=value]", "false")
    page.fill("#profile textarea[name=reason]", "Bought for a shop that closed")
    with page.expect_response(lambda r: "/overrides/" in r.url):
        page.click("#profile button:has-text('Save the override')")
    expect(badges).to_have_count(1)
    expect(page.locator('#profile [data-value="loyal"]')).to_have_count(0)
    expect(page.locator("#profile [data-overrides]")).to_contain_text("Bought for a shop that closed")
    assert page.evaluate("window.kenalMarker") == 1  # swapped in place by htmx, no reload
    assert ProfileOverride.objects.get().value == "false"
    assert csp_errors == []
