"""The error pages, the API tokens page and the login lockout in a real Chromium, in
both languages, without content security policy violations."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from kenal.accounts.models import ApiToken
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def csp_errors(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


def _to_indonesian(page) -> None:
    page.click("form.lang-switch button[value=id]")
    page.wait_for_load_state()


def test_it_shows_the_page_not_found_with_a_way_home(page, login, manager, csp_errors):
    login(manager)
    page.goto("/parties/999999/")
    expect(page.locator("h1")).to_have_text("Page not found")
    expect(page.locator(".site-header .brand")).to_be_visible()
    page.screenshot(path="/tmp/kenal-404-en.png", full_page=True)
    page.click("text=Go to the home page")
    page.wait_for_url(re.compile(r"/parties/$"))

    _to_indonesian(page)
    page.goto("/parties/999999/")
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")
    expect(page.locator("a.button--primary")).to_have_text("Ke halaman utama")
    page.screenshot(path="/tmp/kenal-404-id.png", full_page=True)
    assert csp_errors == []


def test_it_creates_a_token_that_a_reload_does_not_repeat(page, login, manager, csp_errors):
    login(manager)
    page.click(".site-account__user")
    page.wait_for_url(re.compile(r"/account/tokens/$"))
    page.fill("input[name=name]", "Accounting export")
    page.click("form.card button[type=submit]")
    expect(page.locator("#new-token")).to_have_text(re.compile(r"^knl_"))
    assert page.url.endswith("/account/tokens/")
    page.screenshot(path="/tmp/kenal-token-created-en.png", full_page=True)
    page.reload()
    expect(page.locator("#new-token")).to_have_count(0)
    assert ApiToken.objects.filter(user=manager).count() == 1

    _to_indonesian(page)
    page.fill("input[name=name]", "Sinkronisasi malam")
    page.click("form.card button[type=submit]")
    expect(page.locator("#new-token-title")).to_have_text("Token baru Anda")
    page.screenshot(path="/tmp/kenal-token-created-id.png", full_page=True)
    assert ApiToken.objects.filter(user=manager).count() == 2
    assert csp_errors == []


@pytest.mark.parametrize(("locale", "expected"), [
    ("en-US", r"Too many failed attempts .* Try again in 15 minutes"),
    ("id-ID", r"Terlalu banyak percobaan masuk yang gagal .* Coba lagi dalam 15 menit"),
])
def test_it_tells_a_locked_out_visitor_when_to_try_again(browser, live_server, manager, locale, expected):
    context = browser.new_context(base_url=live_server.url, locale=locale)
    page = context.new_page()
    for attempt in range(6):
        page.goto("/login/")
        page.fill("input[name=username]", manager.username)
        page.fill("input[name=password]", f"wrong-{attempt}")
        page.click("button[type=submit]")
        page.wait_for_load_state()
    alert = page.locator(".alert--error")
    expect(alert).to_have_text(re.compile(expected))
    page.screenshot(path=f"/tmp/kenal-login-lockout-{locale}.png", full_page=True)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".alert--error")).to_have_text(re.compile(expected))
    assert "/login/" in page.url
    context.close()
