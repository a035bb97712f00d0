"""Orders, agreements and interactions over the API: lists, filters and details."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from kenal.agreements.models import Agreement
from kenal.commerce.models import LineStatus, Order, OrderLine, Product
from kenal.interactions.models import Interaction
from kenal.parties.services import PartyData, party_create

pytestmark = pytest.mark.django_db

JAKARTA = ZoneInfo("Asia/Jakarta")


def _at(day: int) -> datetime:
    return datetime(2026, 3, day, 10, 0, tzinfo=JAKARTA)


@pytest.fixture
def budi():
    return party_create(actor=None, data=PartyData(name="Budi Santoso", external_id="C-1"))


@pytest.fixture
def sari():
    return party_create(actor=None, data=PartyData(name="Sari Dewi"))


def _order(buyer, external_id: str, day: int, *, consumer=None) -> Order:
    kopi = Product.objects.get_or_create(sku="KOPI-250", defaults={"name": "Kopi Gayo 250 g"})[0]
    order = Order.objects.create(
        external_id=external_id, buyer=buyer, occurred_at=_at(day), is_paid=True, paid_total=Decimal("240000.50"),
    )
    OrderLine.objects.create(
        order=order, line_no=1, product=kopi, occurred_at=_at(day), quantity=Decimal("2"),
        unit_price=Decimal("125000.25"), discount=Decimal("10000"), promo_code="HEMAT", consumer=consumer,
    )
    OrderLine.objects.create(
        order=order, line_no=2, product=kopi, occurred_at=_at(day), unit_price=Decimal("5000"),
        status=LineStatus.REFUNDED,
    )
    return order


def test_it_lists_orders_newest_first_and_filters_by_buyer(api, budi, sari):
    _order(budi, "SO-1", 1)
    _order(budi, "SO-2", 5)
    _order(sari, "SO-3", 3)
    everyone = api.get("/orders").json()
    assert [o["external_id"] for o in everyone["items"]] == ["SO-2", "SO-3", "SO-1"]
    mine = api.get("/orders", party=budi.pk).json()
    assert mine["count"] == 2
    assert {o["buyer"]["name"] for o in mine["items"]} == {"Budi Santoso"}
    assert mine["items"][0]["paid_total"] == "240000.50"


def test_it_shows_an_order_with_its_lines_and_money_as_strings(api, budi, sari):
    order = _order(budi, "SO-1", 1, consumer=sari)
    body = api.get(f"/orders/{order.pk}").json()
    assert body["buyer"]["external_id"] == "C-1"
    first, second = body["lines"]
    assert first["unit_price"] == "125000.25"
    assert first["discount"] == "10000.00"
    assert first["total"] == "240000.50"
    assert first["quantity"] == "2.000"
    assert first["product"] == {"sku": "KOPI-250", "name": "Kopi Gayo 250 g", "kind": "goods"}
    assert first["consumer"]["name"] == "Sari Dewi"
    assert first["promo_code"] == "HEMAT"
    assert second["status"] == "refunded"


def test_it_paginates_orders(api, budi):
    for n in range(5):
        _order(budi, f"SO-{n}", n + 1)
    page = api.get("/orders", limit=2, offset=4).json()
    assert page["count"] == 5
    assert [o["external_id"] for o in page["items"]] == ["SO-0"]


def test_it_answers_404_for_an_unknown_order(api):
    assert api.get("/orders/424242").status_code == 404


def test_it_lists_and_shows_agreements(api, budi, sari, manager):
    retainer = Agreement.objects.create(
        party=budi, title="Pendampingan pajak 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31),
        signed_by_provider_at=_at(1), signed_by_client_at=_at(2), value=Decimal("36000000"), csm=manager,
    )
    Agreement.objects.create(party=sari, title="Audit", starts_on=date(2026, 2, 1))
    listed = api.get("/agreements", party=budi.pk).json()
    assert listed["count"] == 1
    assert listed["items"][0]["title"] == "Pendampingan pajak 2026"
    body = api.get(f"/agreements/{retainer.pk}").json()
    assert body["value"] == "36000000.00"
    assert body["starts_on"] == "2026-01-01"
    assert body["csm"] == {"id": manager.pk, "username": manager.username}
    assert body["party"]["id"] == budi.pk
    assert api.get("/agreements/424242").status_code == 404


def test_it_lists_interactions_by_party_and_channel(api, budi, sari):
    Interaction.objects.create(party=budi, occurred_at=_at(1), channel="whatsapp", direction="inbound",
                               kind="question", body="Kopinya ada yang 1 kg?", source_key="wa-1")
    Interaction.objects.create(party=budi, occurred_at=_at(2), channel="email", direction="outbound",
                               body="Ada, Pak.", source_key="em-1")
    Interaction.objects.create(party=sari, occurred_at=_at(3), channel="whatsapp", direction="inbound",
                               source_key="wa-2")
    whatsapp = api.get("/interactions", party=budi.pk, channel="whatsapp").json()
    assert whatsapp["count"] == 1
    assert whatsapp["items"][0]["body"] == "Kopinya ada yang 1 kg?"
    assert whatsapp["items"][0]["kind"] == "question"
    assert api.get("/interactions", channel="pigeon").status_code == 422
    everything = api.get("/interactions").json()
    assert [i["party"]["name"] for i in everything["items"]] == [
        "Sari Dewi", "Budi Santoso", "Budi Santoso",
    ]


def test_it_shows_one_interaction(api, budi):
    message = Interaction.objects.create(party=budi, occurred_at=_at(1), channel="telegram", direction="inbound",
                                         body="Halo", source_key="tg-1")
    body = api.get(f"/interactions/{message.pk}").json()
    assert (body["channel"], body["direction"], body["body"]) == ("telegram", "inbound", "Halo")
    assert api.get("/interactions/424242").status_code == 404


def _kopi() -> Product:
    return Product.objects.get_or_create(sku="KOPI-250", defaults={"name": "Kopi Gayo 250 g"})[0]


def test_it_records_an_order_with_the_next_number_and_reclassifies_the_buyer(api, budi, sari, manager):
    _kopi()
    response = api.post("/orders", {"buyer": "C-1", "currency": "idr", "lines": [
        {"sku": "KOPI-250", "unit_price": "125000", "quantity": "2", "discount": "10000", "consumer": sari.pk},
    ]})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["external_id"] == "ORD-000001" and body["currency"] == "IDR"
    assert body["paid_total"] == "240000.00" and body["lines"][0]["consumer"]["id"] == sari.pk
    profile = api.get(f"/parties/{budi.pk}").json()
    assert profile["relationship"] == "customer"
    assert api.get(f"/parties/{sari.pk}").json()["relationship"] == "consumer"


def test_it_refuses_a_discount_larger_than_its_line_and_names_the_line(api, budi):
    _kopi()
    response = api.post("/orders", {"buyer": budi.pk, "lines": [
        {"sku": "KOPI-250", "unit_price": "125000"},
        {"sku": "KOPI-250", "unit_price": "20000", "quantity": "2", "discount": "50000"},
    ]})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "lines": ["Line 2: the discount is larger than the line's amount (quantity × unit price)."]
    }
    assert not Order.objects.exists()


def test_it_refuses_a_currency_that_is_not_an_iso_code_on_orders_and_agreements(api, budi):
    _kopi()
    response = api.post("/orders", {"buyer": budi.pk, "currency": "RP", "lines": [
        {"sku": "KOPI-250", "unit_price": "125000"},
    ]})
    assert response.status_code == 422
    assert response.json()["errors"]["currency"] == [
        "“RP” is not an ISO 4217 currency code; write three letters like IDR or USD."
    ]
    response = api.post("/agreements", {"party": budi.pk, "title": "Retainer", "starts_on": "2026-03-01",
                                        "currency": "rupiah"})
    assert response.status_code == 422
    assert "“rupiah” is not an ISO 4217 currency code" in response.json()["errors"]["currency"][0]
    assert not Order.objects.exists() and not Agreement.objects.exists()


def test_it_refuses_an_unknown_product_unless_the_line_asks_for_a_new_one(api, budi):
    response = api.post("/orders", {"buyer": budi.pk, "lines": [{"sku": "TEH", "unit_price": "5000"}]})
    assert response.status_code == 422
    assert response.json()["errors"]["lines"] == [
        "Line 1: no product has the code “TEH”; pick one from the list or mark it as a new product."
    ]
    assert not Product.objects.exists()
    response = api.post("/orders", {"buyer": budi.pk, "lines": [
        {"sku": "TEH", "unit_price": "5000", "new_product": {"name": "Teh melati", "kind": "goods"}},
    ]})
    assert response.status_code == 201
    assert Product.objects.get(sku="TEH").name == "Teh melati"


def test_it_records_an_agreement_with_its_currency_in_capitals(api, budi):
    response = api.post("/agreements", {"party": "C-1", "title": "Retainer", "starts_on": "2026-03-01",
                                        "value": "5000", "currency": "usd"})
    assert response.status_code == 201, response.content
    assert response.json()["currency"] == "USD"
    assert Agreement.objects.get().currency == "USD"
