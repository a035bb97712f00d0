"""The rules every way in shares: a phone must be a real number of its region, a
currency a real ISO 4217 code, and a line's discount no larger than its amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from kenal.commerce.models import Order
from kenal.commerce.services import LineData, order_create
from kenal.parties.models import ContactPoint, Party
from tests.api.conftest import Api
from tests.web.conftest import english_client


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def as_support(support):
    return english_client(support)


def _party_form(**values) -> dict[str, str]:
    data = {"name": "Budi", "kind": "person", "external_id": "", "language": "", "scope": "", "first_contact_at": "",
            "member_of": "", "referred_by": "", "notes": ""}
    data.update(values)
    return data


def test_it_refuses_a_phone_number_too_short_to_exist(as_support):
    response = as_support.post("/parties/new/", _party_form(contact_phone="12345"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "“12345” is not a phone number." in html
    assert not Party.objects.exists() and not ContactPoint.objects.exists()


def test_it_refuses_an_indonesian_prefix_without_a_real_number_behind_it(api: Api):
    response = api.post("/parties", {"name": "Budi", "contact_points": [{"kind": "whatsapp", "value": "+6212345"}]})
    assert response.status_code == 422
    assert "+6212345" in str(response.json())
    assert not Party.objects.exists()


def test_it_reads_62_as_indonesia_only_where_the_region_is_indonesia(as_support, settings):
    settings.KENAL_DEFAULT_REGION = "US"
    response = as_support.post("/parties/new/", _party_form(contact_phone="(626) 555-1234"))
    assert response.status_code == 302
    assert list(ContactPoint.objects.values_list("value", flat=True)) == ["+16265551234"]


def test_it_still_reads_62_without_a_plus_as_an_indonesian_number(as_support):
    response = as_support.post("/parties/new/", _party_form(contact_whatsapp="6281222269572"))
    assert response.status_code == 302
    assert list(ContactPoint.objects.values_list("value", flat=True)) == ["+6281222269572"]


def _buyer() -> Party:
    return Party.objects.create(name="Sari")


def test_it_refuses_a_discount_larger_than_the_line_and_names_the_line(db):
    buyer = _buyer()
    with pytest.raises(ValidationError) as caught:
        order_create(actor=None, buyer=buyer, lines=[
            LineData(sku="KOPI", unit_price=Decimal(20000)),
            LineData(sku="GULA", unit_price=Decimal(10000), quantity=Decimal(2), discount=Decimal(40000)),
        ])
    assert caught.value.message_dict["lines"] == [
        "Line 2: the discount is larger than the line's amount (quantity × unit price)."
    ]
    assert not Order.objects.exists()


def test_it_accepts_a_discount_equal_to_the_line(db):
    order = order_create(actor=None, buyer=_buyer(), lines=[
        LineData(sku="KOPI", unit_price=Decimal(20000), discount=Decimal(20000)),
    ])
    assert order.paid_total == 0


@pytest.mark.parametrize("code", ["XYZ", "RP", "XXX", "rupiah"])
def test_it_refuses_a_currency_that_is_not_iso_4217(db, code):
    with pytest.raises(ValidationError) as caught:
        order_create(actor=None, buyer=_buyer(), currency=code, lines=[LineData(sku="KOPI", unit_price=Decimal(1))])
    assert f"“{code}” is not an ISO 4217 currency code" in caught.value.message_dict["currency"][0]
    assert not Order.objects.exists()


def test_it_takes_a_currency_code_in_any_case(db):
    order = order_create(actor=None, buyer=_buyer(), currency="usd", lines=[LineData(sku="KOPI", unit_price=Decimal(1))])
    order.refresh_from_db()
    assert order.currency == "USD" and order.lines.get().currency == "USD"
