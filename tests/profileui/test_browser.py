"""The override form in a real Chromium: htmx swaps the profile section in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kenal.classification.models import ClassificationSettings, ProfileOverride
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


@pytest.mark.parametrize(("language", "message"), [
    ("en", "Write why you override the result."),
    ("id", "Tuliskan alasan Anda menetapkan hasil ini secara manual."),
])
def test_it_shows_the_override_form_errors_in_the_form(page, login, manager, language, message):
    buyer = f.party("Rina Wijaya")
    f.buy(buyer, f.days_ago(10))
    login(manager)
    page.goto(f"/parties/{buyer.pk}/")
    page.click(f".lang-switch button[value={language}]")
    page.click("#profile summary")
    page.select_option("#profile select[name=field]", "customer_type")
    # The values follow the field: customer types, with their labels in the page's language.
    expect(page.locator("#profile select[name=value] option")).to_have_count(3)
    labels = page.locator("#profile select[name=value] option").all_inner_texts()
    assert labels == (["Internal", "External", "Intermediate"] if language == "en"
                      else ["Internal", "Eksternal", "Perantara"])
    page.select_option("#profile select[name=value]", "intermediate")
    with page.expect_response(lambda r: "/overrides/" in r.url):
        page.click("#profile .override-form button[type=submit]")
    reason = page.locator("#profile .override-form .field.has-error")
    expect(reason).to_contain_text(message)
    expect(reason.locator("textarea[name=reason]")).to_be_visible()
    # What was chosen stays chosen.
    expect(page.locator("#profile select[name=field]")).to_have_value("customer_type")
    expect(page.locator("#profile select[name=value]")).to_have_value("intermediate")
    page.screenshot(path=f"/tmp/kenal-override-errors-{language}.png", full_page=True)
    assert not ProfileOverride.objects.exists()


def test_it_edits_shares_in_percent_with_a_decimal_comma_in_indonesian(page, login, manager):
    login(manager)
    page.goto("/settings/classification/")
    page.click(".lang-switch button[value=id]")
    share = page.locator("input[name=thrifty_share]")
    expect(share).to_have_value("50 %")
    expect(page.locator("input[name=intermediate_min_units]")).to_have_value("12")
    page.screenshot(path="/tmp/kenal-settings-id.png", full_page=True)
    share.fill("12,5")
    page.click("button:has-text('Simpan dan klasifikasikan ulang')")
    expect(page.locator(".message--success")).to_be_visible()
    expect(share).to_have_value("12,5 %")
    expect(page.locator("#recompute-status [data-task-status]")).to_have_text("Menunggu")
    assert ClassificationSettings.objects.get().thrifty_share == 0.125
    page.click(".lang-switch button[value=en]")
    expect(share).to_have_value("12.5 %")
    page.screenshot(path="/tmp/kenal-settings-en.png", full_page=True)
