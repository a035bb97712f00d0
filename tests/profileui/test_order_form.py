from __future__ import annotations

import re
from decimal import Decimal

from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from kenal.commerce.models import Order, Product
from kenal.commerce.services import product_create
from tests.profileui import factories as f


def post_order(client, buyer, lines: list[dict], rows: int = 3, **header):
    data = {
        "occurred_at": f.days_ago(2).strftime("%Y-%m-%dT%H:%M"), "external_id": "", "channel": "shop",
        "currency": "IDR",
        "lines-TOTAL_FORMS": str(rows), "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for i in range(rows):
        line = {"quantity": "1", "status": "paid", "product": "", "unit_price": "", "discount": "", "promo_code": "",
                "consumer": "", "new_product_kind": "goods", **(lines[i] if i < len(lines) else {})}
        data.update({f"lines-{i}-{key}": value for key, value in line.items()})
    return client.post(f"/parties/{buyer.pk}/orders/new/", data)


def catalogue():
    for sku, name in [("SEPATU", "Sepatu lari"), ("KAOS", "Kaos katun"), ("KOPI-250", "Kopi Gayo 250 g")]:
        product_create(actor=None, sku=sku, name=name)


def test_it_records_an_order_with_a_gift_and_reclassifies_buyer_and_consumer(as_support, support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    child = f.party("Dewi", external_id="P-DEWI")
    assert f'href="/parties/{buyer.pk}/orders/new/"' in as_support.get(f"/parties/{buyer.pk}/").content.decode()
    response = post_order(as_support, buyer, [
        {"product": "SEPATU", "unit_price": "350000", "consumer": "P-DEWI"},
        {"product": "KAOS", "unit_price": "50000", "quantity": "2", "discount": "10000", "status": "refunded"},
    ])
    assert response.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert order.lines.count() == 2 and order.is_paid and not order.has_promotion
    assert order.paid_total == Decimal("350000.00") and order.occurred_at == f.days_ago(2)
    assert PartyProfile.objects.get(party=buyer).relationship == "customer"
    assert PartyProfile.objects.get(party=child).relationship == "consumer"
    assert AuditEvent.objects.filter(action="order.create", actor=support).exists()


def test_it_shows_line_errors_and_records_nothing(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [{"product": "SEPATU", "unit_price": "-1", "consumer": "P-NOBODY"}])
    html = response.content.decode()
    assert response.status_code == 400
    assert "No party has the external id “P-NOBODY”." in html
    assert "Ensure this value is greater than or equal to 0." in html
    assert not Order.objects.exists()


def test_it_needs_at_least_one_line(as_support, db):
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [])
    assert response.status_code == 400
    assert "Please submit at least 1 form." in response.content.decode()
    assert not Order.objects.exists()


def _line_section(html: str, number: int) -> str:
    """The HTML of one line's fieldset on the order form."""
    start = html.index(f"<legend>Line {number}</legend>")
    return html[start:html.index("</fieldset>", start)]


def test_it_shows_a_discount_larger_than_the_line_next_to_that_line(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [
        {"product": "SEPATU", "unit_price": "350000"},
        {"product": "KAOS", "unit_price": "50000", "quantity": "2", "discount": "150000"},
    ])
    html = response.content.decode()
    assert response.status_code == 400
    message = "Line 2: the discount is larger than the line&#x27;s amount (quantity × unit price)."
    assert message in _line_section(html, 2)
    assert message not in _line_section(html, 1)
    assert not Order.objects.exists()


def test_it_refuses_a_product_code_that_is_not_in_the_catalogue(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [{"product": "Teh manis", "unit_price": "5000"}])
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 1: no product has the code “Teh manis”; pick one from the list or mark it as a new product." in (
        _line_section(html, 1).replace("&#x27;", "'")
    )
    assert not Product.objects.filter(sku="Teh manis").exists()
    assert not Order.objects.exists()


def test_it_adds_a_new_product_only_when_the_line_asks_for_it(as_support, support, db):
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [
        {"product": "TEH-01", "new_product": "on", "new_product_name": "Teh melati", "new_product_kind": "goods",
         "unit_price": "5000"},
    ])
    assert response.status_code == 302
    product = Product.objects.get(sku="TEH-01")
    assert (product.name, product.kind, product.active) == ("Teh melati", "goods", True)
    assert Order.objects.get(buyer=buyer).lines.get().product == product
    assert AuditEvent.objects.filter(action="product.create", target_id=str(product.pk), actor=support).exists()


def test_it_numbers_orders_entered_by_hand_in_sequence(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    post_order(as_support, buyer, [{"product": "KAOS", "unit_price": "50000"}])
    Order.objects.create(external_id="ORD-000002", buyer=buyer, occurred_at=f.days_ago(1))  # from an import
    post_order(as_support, buyer, [{"product": "KAOS", "unit_price": "50000"}])
    numbers = sorted(Order.objects.values_list("external_id", flat=True))
    assert numbers == ["ORD-000001", "ORD-000002", "ORD-000003"]
    page = as_support.get(f"/parties/{buyer.pk}/").content.decode()
    assert "ORD-000003" in page and "manual:" not in page


def test_it_records_more_than_four_lines(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [
        {"product": sku, "unit_price": "10000"} for sku in ["KAOS", "SEPATU", "KOPI-250", "KAOS", "SEPATU"]
    ], rows=5)
    assert response.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert order.lines.count() == 5 and order.paid_total == Decimal("50000")


def test_it_offers_currencies_from_a_list_with_rupiah_first_and_refuses_others(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    html = as_support.get(f"/parties/{buyer.pk}/orders/new/").content.decode()
    options = re.findall(r'<option value="([A-Z]{3})"', html[html.index('name="currency"'):])
    assert options[0] == "IDR" and "USD" in options and "XXX" not in options
    assert 'src="/static/commerce/order_form.js"' in html and "<script>" not in html
    response = post_order(as_support, buyer, [{"product": "KAOS", "unit_price": "50000"}], currency="RP")
    assert response.status_code == 400
    assert "Select a valid choice. RP is not one of the available choices." in response.content.decode()
    assert not Order.objects.exists()
    assert post_order(as_support, buyer, [{"product": "KAOS", "unit_price": "9"}], currency="USD").status_code == 302
    assert Order.objects.get().currency == "USD"


def test_it_suggests_products_by_code_or_name_with_their_last_price(as_support, db):
    catalogue()
    buyer = f.party("Ibu Sari")
    post_order(as_support, buyer, [{"product": "KOPI-250", "unit_price": "85000"}])
    post_order(as_support, buyer, [{"product": "KOPI-250", "unit_price": "90000"}],
               occurred_at=f.days_ago(1).strftime("%Y-%m-%dT%H:%M"))
    html = as_support.get("/products/options/", {"lines-0-product": "gayo"}).content.decode()
    assert html.strip() == '<option value="KOPI-250">KOPI-250 · Kopi Gayo 250 g · Rp 90.000</option>'
    assert "SEPATU" in as_support.get("/products/options/", {"lines-0-product": "sep"}).content.decode()
