"""The screens in a real Chromium: the login form, live search, the party form. Each
test also fails on any content security policy violation the page reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from kenal.parties.models import Party, PartyKind
from tests.conftest import PASSWORD
from tests.web import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def test_it_logs_in_and_searches_live(page, login, manager, csp_errors):
    f.party("Budi Santoso", external_id="CUST-1", contacts=[("whatsapp", "0812-3456-7890")])
    f.party("Sari Lestari", contacts=[("email", "sari@example.id")])
    f.party("PT Maju Jaya", kind=PartyKind.ORGANIZATION)
    login(manager)
    assert page.url.endswith("/parties/")
    rows = page.locator("table.table--parties tbody tr")
    assert rows.count() == 3
    page.fill("input[name=q]", "+62 812 3456 7890")
    expect(rows).to_have_count(1)
    expect(rows.first.locator("th")).to_have_text("Budi Santoso")
    assert "q=" in page.url  # the search is in the address, so back and reload keep it
    page.fill("input[name=q]", "sari")
    expect(rows.first.locator("th")).to_have_text("Sari Lestari")
    expect(rows).to_have_count(1)
    page.screenshot(path="/tmp/kenal-party-list.png", full_page=True)
    assert csp_errors == []


def test_it_creates_a_party_through_the_form(page, login, support, csp_errors):
    f.party("PT Maju Jaya", kind=PartyKind.ORGANIZATION, external_id="ORG-1")
    login(support)
    page.click("text=New party")
    page.fill("input[name=name]", "Dewi Anggraini")
    page.select_option("select[name=kind]", "person")
    page.fill("input[name=external_id]", "P-77")
    page.fill("input[name=contact_email]", "Dewi@Example.ID")
    page.fill("input[name=contact_whatsapp]", "0813-1111-2222")
    page.fill("input[name=member_of]", "maju")
    expect(page.locator("#party-options option")).to_have_count(1)
    expect(page.locator("#party-options option").first).to_have_attribute("value", "ORG-1")
    page.fill("input[name=member_of]", "ORG-1")
    page.click("button[type=submit]:has-text('Add party')")
    page.wait_for_url("**/parties/*/")
    assert page.locator("h1").inner_text() == "Dewi Anggraini"
    whatsapp = page.locator(".contact__value a[href='https://wa.me/6281311112222']")
    expect(whatsapp).to_have_text("0813-1111-2222")
    dewi = Party.objects.get(external_id="P-77")
    assert dewi.member_of.external_id == "ORG-1"
    assert sorted(dewi.contact_points.values_list("value", flat=True)) == ["+6281311112222", "dewi@example.id"]
    page.screenshot(path="/tmp/kenal-party-page.png", full_page=True)
    assert csp_errors == []


def test_it_shows_field_errors_and_the_timeline(page, login, manager, csm, csp_errors):
    budi = f.party("Budi Santoso", external_id="P-1", contacts=[("phone", "0812-3456-7890")])
    f.party("Sari Santoso", contacts=[("phone", "+62 812 3456 7890")])
    f.order(budi, f.at("2026-03-01 10:00"), [{"sku": "KOPI", "unit_price": "1250000", "quantity": 2},
                                              {"sku": "GULA", "unit_price": "20000", "status": "refunded"}])
    f.agreement(budi, "Konsultasi pajak", signed=f.at("2026-02-01 09:00"), starts_on=f.at("2026-02-01 00:00").date(),
                csm=csm, value=36000000)
    f.interaction(budi, f.at("2026-03-02 08:30"), "Kapan dikirim?", kind="question")
    login(manager)
    page.goto(f"/parties/{budi.pk}/")
    assert page.locator(".timeline .entry--order").count() == 1
    assert "Rp 2.500.000" in page.locator(".timeline .entry--order").inner_text()
    assert page.locator(".contact--shared .tag--warn").count() == 1
    expect(page.locator("section#profile h2")).to_have_text("Classification")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/kenal-party-detail.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/kenal-party-detail-mobile.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("text=Edit")
    page.fill("input[name=contact_email]", "not-an-email")
    page.click("button[type=submit]:has-text('Save')")
    assert "“not-an-email” is not an email address." in page.locator(".has-error").inner_text()
    page.screenshot(path="/tmp/kenal-party-form-errors.png", full_page=True)
    assert csp_errors == []


def test_it_shows_more_of_the_timeline_in_place(page, login, support, csp_errors):
    budi = f.party("Budi Santoso")
    for n in range(26):
        f.interaction(budi, f.at("2026-01-01 09:00") + timedelta(hours=n), f"Pesan {n:02d}")
    login(support)
    page.goto(f"/parties/{budi.pk}/")
    entries = page.locator(".timeline .entry--interaction")
    expect(entries).to_have_count(20)
    page.click("text=Show more")
    expect(entries).to_have_count(26)
    expect(entries.last).to_contain_text("Pesan 00")
    expect(page.locator(".timeline .entry--more")).to_have_count(0)
    assert page.url.endswith(f"/parties/{budi.pk}/")  # swapped in place, no navigation
    assert csp_errors == []


def test_it_switches_the_login_page_language_before_logging_in(page, manager, csp_errors):
    page.goto("/login/")
    page.click(".lang-switch button[value=id]")
    expect(page.locator("h1")).to_have_text("Masuk ke Kenal")
    expect(page.locator("label[for=id_username]")).to_have_text("Nama pengguna")
    page.screenshot(path="/tmp/kenal-login-id.png", full_page=True)
    page.click(".lang-switch button[value=en]")
    expect(page.locator("h1")).to_have_text("Log in to Kenal")
    expect(page.locator("label[for=id_password]")).to_have_text("Password")
    page.screenshot(path="/tmp/kenal-login-en.png", full_page=True)
    page.fill("input[name=username]", manager.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    expect(page.locator(".lang-switch button[value=en]")).to_have_attribute("aria-pressed", "true")
    assert csp_errors == []
