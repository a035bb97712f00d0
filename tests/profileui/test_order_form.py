from __future__ import annotations

from decimal import Decimal

from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from kenal.commerce.models import Order
from tests.profileui import factories as f


def post_order(client, buyer, lines: list[dict], **header):
    data = {
        "occurred_at": f.days_ago(2).strftime("%Y-%m-%dT%H:%M"), "external_id": "", "channel": "shop",
        "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "1", "lines-MAX_NUM_FORMS": "1000",
        **header,
    }
    for i in range(3):
        line = {"quantity": "1", "status": "paid", "sku": "", "unit_price": "", "discount": "", "promo_code": "",
                "consumer": "", **(lines[i] if i < len(lines) else {})}
        data.update({f"lines-{i}-{key}": value for key, value in line.items()})
    return client.post(f"/parties/{buyer.pk}/orders/new/", data)


def test_it_records_an_order_with_a_gift_and_reclassifies_buyer_and_consumer(as_support, support, db):
    buyer = f.party("Ibu Sari")
    child = f.party("Dewi", external_id="P-DEWI")
    assert f'href="/parties/{buyer.pk}/orders/new/"' in as_support.get(f"/parties/{buyer.pk}/").content.decode()
    response = post_order(as_support, buyer, [
        {"sku": "SEPATU", "unit_price": "350000", "consumer": "P-DEWI"},
        {"sku": "KAOS", "unit_price": "50000", "quantity": "2", "discount": "10000", "status": "refunded"},
    ])
    assert response.status_code == 302
    order = Order.objects.get(buyer=buyer)
    assert order.lines.count() == 2 and order.is_paid and not order.has_promotion
    assert order.paid_total == Decimal("350000.00") and order.occurred_at == f.days_ago(2)
    assert PartyProfile.objects.get(party=buyer).relationship == "customer"
    assert PartyProfile.objects.get(party=child).relationship == "consumer"
    assert AuditEvent.objects.filter(action="order.create", actor=support).exists()


def test_it_shows_line_errors_and_records_nothing(as_support, db):
    buyer = f.party("Ibu Sari")
    response = post_order(as_support, buyer, [{"sku": "SEPATU", "unit_price": "-1", "consumer": "P-NOBODY"}])
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
