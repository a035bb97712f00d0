"""The order form and the corrections of an order in a real Chromium: products picked
from a list htmx fills while typing, lines added with a button, a discount error
shown on its own line, and an order edited and cancelled from the party page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from kenal.commerce.models import Order
from kenal.commerce.services import product_create
from tests.profileui import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISCOUNT_ERROR = {
    "en": "Line 5: the discount is larger than the line's amount (quantity × unit price).",
    "id": "Baris 5: diskon lebih besar daripada jumlah baris (kuantitas × harga satuan).",
}


def _watch_csp(page) -> list[str]:
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if "Content Security Policy" in msg.text else None)
    return errors


@pytest.mark.parametrize("language", ["en", "id"])
def test_it_picks_products_adds_a_fifth_line_and_shows_a_discount_error_on_its_line(page, login, manager, language):
    product_create(actor=None, sku="KOPI-250", name="Kopi Gayo 250 g")
    product_create(actor=None, sku="KAOS", name="Kaos katun")
    f.buy(f.party("Pak Budi"), f.days_ago(5), price="85000")  # a sale of KOPI, another product
    buyer = f.party("Ibu Sari")
    csp_errors = _watch_csp(page)
    login(manager)
    page.goto(f"/parties/{buyer.pk}/orders/new/")
    page.click(f".lang-switch button[value={language}]")
    expect(page.locator("select[name=currency] option").first).to_have_attribute("value", "IDR")
    first = page.locator("input[name='lines-0-product']")
    with page.expect_response(lambda r: "/products/options/" in r.url and "gayo" in r.url):
        first.press_sequentially("gayo")
    options = page.locator("#product-options option")
    expect(options).to_have_count(1)
    assert options.first.get_attribute("value") == "KOPI-250"
    assert "Kopi Gayo 250 g" in options.first.inner_text()
    first.fill("KOPI-250")
    page.fill("input[name='lines-0-unit_price']", "85000")
    lines = page.locator("fieldset.order-line")
    expect(lines).to_have_count(4)
    page.click("#add-line")
    expect(lines).to_have_count(5)
    fifth = lines.nth(4)
    expect(fifth.locator("legend")).to_have_text("Line 5" if language == "en" else "Baris 5")
    product = fifth.locator("input[name='lines-4-product']")
    with page.expect_response(lambda r: "/products/options/" in r.url and "kaos" in r.url):
        product.press_sequentially("kaos")  # htmx works on a line added after the page loaded
    product.fill("KAOS")
    fifth.locator("input[name='lines-4-quantity']").fill("2")
    fifth.locator("input[name='lines-4-unit_price']").fill("50000")
    fifth.locator("input[name='lines-4-discount']").fill("150000")
    page.click("button[type=submit].button--primary")
    fifth = page.locator("fieldset.order-line").nth(4)
    expect(fifth.locator(".field.has-error")).to_contain_text(DISCOUNT_ERROR[language])
    expect(page.locator("fieldset.order-line").nth(0).locator(".field__error")).to_have_count(0)
    fifth.scroll_into_view_if_needed()
    page.screenshot(path=f"/tmp/kenal-order-form-discount-{language}.png", full_page=True)
    assert not Order.objects.filter(buyer=buyer).exists()
    fifth.locator("input[name='lines-4-discount']").fill("10000")
    page.click("button[type=submit].button--primary")
    page.wait_for_url(f"**/parties/{buyer.pk}/")
    order = Order.objects.get(buyer=buyer)
    assert order.external_id == "ORD-000002" and order.lines.count() == 2
    expect(page.locator(".timeline")).to_contain_text("ORD-000002")
    expect(page.locator(".timeline")).to_contain_text("Rp 175.000")
    assert csp_errors == []


@pytest.mark.parametrize("language", ["en", "id"])
def test_it_edits_and_cancels_an_order_from_the_party_page(page, login, manager, language):
    buyer = f.party("Ibu Sari")
    order = f.buy(buyer, f.days_ago(3), price="120000")
    csp_errors = _watch_csp(page)
    login(manager)
    page.goto(f"/parties/{buyer.pk}/")
    page.click(f".lang-switch button[value={language}]")
    expect(page.locator('#profile [data-badge="relationship"]')).to_have_attribute("data-value", "customer")
    page.click(f"a[href='/parties/{buyer.pk}/orders/{order.pk}/edit/']")
    expect(page.locator("input[name='lines-0-product']")).to_have_value("KOPI")
    page.fill("input[name='lines-0-unit_price']", "1250000")
    page.screenshot(path=f"/tmp/kenal-order-edit-{language}.png", full_page=True)
    page.click("button[type=submit].button--primary")
    page.wait_for_url(f"**/parties/{buyer.pk}/")
    expect(page.locator(".timeline")).to_contain_text("Rp 1.250.000")
    order.refresh_from_db()
    assert order.paid_total == 1250000
    page.click(f"a[href='/parties/{buyer.pk}/orders/{order.pk}/cancel/']")
    page.screenshot(path=f"/tmp/kenal-order-cancel-{language}.png", full_page=True)
    page.click("form button[type=submit].button--primary")
    page.wait_for_url(f"**/parties/{buyer.pk}/")
    expect(page.locator('#profile [data-badge="relationship"]')).to_have_attribute("data-value", "prospect")
    page.screenshot(path=f"/tmp/kenal-order-cancelled-{language}.png", full_page=True)
    order.refresh_from_db()
    assert not order.is_paid
    assert csp_errors == []
