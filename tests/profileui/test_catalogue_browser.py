"""The products page, and correcting an agreement and an interaction from the party
page, in a real Chromium and in both languages."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kenal.agreements.services import agreement_sign
from kenal.commerce.models import Product
from kenal.commerce.services import LineData, order_create, product_create
from kenal.interactions.models import Interaction
from kenal.interactions.services import interaction_create
from tests.profileui import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TAKEN = {"en": "Another product already has the code “KOPI-250”.", "id": "Produk lain sudah memakai kode “KOPI-250”."}


@pytest.mark.parametrize("language", ["en", "id"])
def test_it_finds_adds_and_edits_products_from_the_main_menu(page, login, manager, language):
    product_create(actor=None, sku="KOPI-250", name="Kopi Gayo 250 g")
    product_create(actor=None, sku="TEH-01", name="Teh melati")
    order_create(actor=None, buyer=f.party("Ibu Sari"), occurred_at=f.days_ago(2), lines=[
        LineData(sku="KOPI-250", unit_price=1250000),
    ])
    login(manager)
    page.goto("/parties/")
    page.click(f".lang-switch button[value={language}]")
    page.click(".site-nav a[href='/products/']")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Rp 1.250.000")
    with page.expect_response(lambda r: "/products/?q=melati" in r.url):
        page.locator("#id_q").press_sequentially("melati")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Teh melati")
    page.screenshot(path=f"/tmp/kenal-products-{language}.png", full_page=True)
    page.click("a[href='/products/new/']")
    page.fill("input[name=sku]", "KOPI-250")
    page.fill("input[name=name]", "Kopi lagi")
    page.click("button[type=submit].button--primary")
    expect(page.locator(".field.has-error")).to_contain_text(TAKEN[language])
    page.screenshot(path=f"/tmp/kenal-product-form-error-{language}.png", full_page=True)
    page.fill("input[name=sku]", "GULA-1")
    page.click("button[type=submit].button--primary")
    page.wait_for_url("**/products/")
    gula = Product.objects.get(sku="GULA-1")
    page.click(f"a[href='/products/{gula.pk}/edit/']")
    page.uncheck("input[name=active]")
    page.click("button[type=submit].button--primary")
    page.wait_for_url("**/products/")
    expect(page.locator("#results")).to_contain_text("Inactive" if language == "en" else "Tidak aktif")
    gula.refresh_from_db()
    assert (gula.name, gula.active) == ("Kopi lagi", False)


@pytest.mark.parametrize("language", ["en", "id"])
def test_it_terminates_an_agreement_and_deletes_an_interaction_from_the_party_page(page, login, manager, language):
    party = f.party("PT Sinar Jaya", kind="organization")
    agreement = f.proposal(party)
    for side in ("provider", "client"):
        agreement_sign(actor=None, agreement=agreement, side=side, at=f.days_ago(5))
    interaction = interaction_create(actor=None, party=party, occurred_at=f.days_ago(1), channel="whatsapp",
                                     direction="inbound", body="Salah kirim")
    login(manager)
    page.goto(f"/parties/{party.pk}/")
    page.click(f".lang-switch button[value={language}]")
    badge = page.locator('#profile [data-badge="relationship"]')
    expect(badge).to_have_attribute("data-value", "client")
    page.click(f"a[href='/parties/{party.pk}/agreements/{agreement.pk}/terminate/']")
    page.fill("input[name=terminated_on]", "2000-01-01")
    page.click("button[type=submit].button--primary")
    expect(page.locator(".field.has-error")).to_be_visible()
    page.screenshot(path=f"/tmp/kenal-agreement-terminate-error-{language}.png", full_page=True)
    page.fill("input[name=terminated_on]", f.today().isoformat())
    page.click("button[type=submit].button--primary")
    page.wait_for_url(f"**/parties/{party.pk}/")
    expect(badge).to_have_attribute("data-value", "customer")  # a former client
    page.click(f"a[href='/parties/{party.pk}/interactions/{interaction.pk}/delete/']")
    expect(page.locator("main")).to_contain_text("Salah kirim")
    page.screenshot(path=f"/tmp/kenal-interaction-delete-{language}.png", full_page=True)
    page.click("form button[type=submit].button--primary")
    page.wait_for_url(f"**/parties/{party.pk}/")
    expect(page.locator(".timeline")).not_to_contain_text("Salah kirim")
    assert not Interaction.objects.exists()
