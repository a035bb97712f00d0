"""The product catalogue in the UI: a list with search and last prices for everyone
who records orders, reached from the main menu; creating and editing for managers."""

from __future__ import annotations

from decimal import Decimal

from kenal.audit.models import AuditEvent
from kenal.commerce.models import Product
from kenal.commerce.services import LineData, order_create, product_create
from tests.profileui import factories as f


def test_it_lists_products_with_search_and_last_price_from_the_main_menu(as_support, db):
    product_create(actor=None, sku="KOPI-250", name="Kopi Gayo 250 g")
    product_create(actor=None, sku="TEH-01", name="Teh melati")
    order_create(actor=None, buyer=f.party("Ibu Sari"), occurred_at=f.days_ago(2), lines=[
        LineData(sku="KOPI-250", unit_price=Decimal("1250000")),
    ])
    page = as_support.get("/parties/").content.decode()
    assert 'href="/products/"' in page
    html = as_support.get("/products/").content.decode()
    assert "Kopi Gayo 250 g" in html and "Rp 1.250.000" in html and "Teh melati" in html
    found = as_support.get("/products/", {"q": "melati"}).content.decode()
    assert "Teh melati" in found and "Kopi Gayo" not in found
    partial = as_support.get("/products/", {"q": "gayo"}, headers={"HX-Request": "true"}).content.decode()
    assert "Kopi Gayo 250 g" in partial and "<html" not in partial
    # Support reads the catalogue but does not change it.
    assert 'href="/products/new/"' not in html
    assert as_support.post("/products/new/", {"sku": "X", "name": "X", "kind": "goods"}).status_code == 403
    assert not Product.objects.filter(sku="X").exists()


def test_it_lets_a_manager_create_and_edit_a_product(as_manager, manager, db):
    response = as_manager.post("/products/new/", {"sku": "GULA-1", "name": "Gula aren", "kind": "goods",
                                                  "active": "on"})
    assert response.status_code == 302
    product = Product.objects.get(sku="GULA-1")
    assert (product.name, product.kind, product.active) == ("Gula aren", "goods", True)
    form = as_manager.get(f"/products/{product.pk}/edit/").content.decode()
    assert 'value="GULA-1"' in form
    response = as_manager.post(f"/products/{product.pk}/edit/", {"sku": "GULA-2", "name": "Gula aren 1 kg",
                                                                 "kind": "goods"})
    assert response.status_code == 302
    product.refresh_from_db()
    assert (product.sku, product.name, product.active) == ("GULA-2", "Gula aren 1 kg", False)
    event = AuditEvent.objects.get(action="product.update", target_id=str(product.pk))
    assert event.actor == manager and event.changes["sku"] == ["GULA-1", "GULA-2"]


def test_it_shows_a_taken_code_inside_the_product_form(as_manager, db):
    product_create(actor=None, sku="KOPI-250", name="Kopi")
    response = as_manager.post("/products/new/", {"sku": "KOPI-250", "name": "Kopi lagi", "kind": "goods"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Another product already has the code “KOPI-250”." in html
    assert 'class="field has-error' in html
    assert Product.objects.count() == 1


def test_it_leaves_inactive_products_out_of_the_order_forms_list(as_support, db):
    product_create(actor=None, sku="KOPI-250", name="Kopi Gayo 250 g", active=False)
    product_create(actor=None, sku="KOPI-500", name="Kopi Gayo 500 g")
    html = as_support.get("/products/options/", {"q": "kopi"}).content.decode()
    assert "KOPI-500" in html and "KOPI-250" not in html
