"""Correcting facts entered by mistake from the party page: orders (lines edited, or
the whole order cancelled), interactions (edited, deleted) and agreements (dates and
signatures edited, terminated). Managers and whoever recorded the fact may; the
party is reclassified at once and every change is audited."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone

from kenal.agreements.services import agreement_sign
from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from kenal.commerce.models import Order
from kenal.commerce.services import product_create
from kenal.interactions.models import Interaction
from kenal.interactions.services import interaction_create
from tests.profileui import factories as f
from tests.profileui.conftest import client_for
from tests.profileui.test_order_form import post_order


def relationship(party) -> str:
    return PartyProfile.objects.get(party=party).relationship


def edit_data(order, lines: list[dict], **header) -> dict:
    data = {
        "occurred_at": timezone.localtime(order.occurred_at).strftime("%Y-%m-%dT%H:%M"),
        "external_id": order.external_id, "channel": order.channel, "currency": order.currency,
        "lines-TOTAL_FORMS": str(len(lines)), "lines-INITIAL_FORMS": str(len(lines)), "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "1000", **header,
    }
    for i, line in enumerate(lines):
        line = {"quantity": "1", "status": "paid", "discount": "", "promo_code": "", "consumer": "",
                "new_product_kind": "goods", **line}
        data.update({f"lines-{i}-{key}": value for key, value in line.items()})
    return data


def test_it_lets_the_recorder_correct_an_orders_lines_and_reclassifies_at_once(as_support, support, db):
    product_create(actor=None, sku="SEPATU", name="Sepatu lari")
    buyer = f.party("Ibu Sari")
    child = f.party("Dewi", external_id="P-DEWI")
    post_order(as_support, buyer, [{"product": "SEPATU", "unit_price": "350000", "consumer": "P-DEWI"}])
    order = Order.objects.get()
    assert relationship(child) == "consumer"
    page = as_support.get(f"/parties/{buyer.pk}/").content.decode()
    edit_url = f"/parties/{buyer.pk}/orders/{order.pk}/edit/"
    assert f'href="{edit_url}"' in page
    form = as_support.get(edit_url).content.decode()
    assert 'value="SEPATU"' in form and 'value="P-DEWI"' in form
    # "1", not "1.000", which an Indonesian reads as a thousand.
    assert 'name="lines-0-quantity" value="1"' in form and 'value="350000"' in form
    response = as_support.post(edit_url, edit_data(order, [{"product": "SEPATU", "unit_price": "300000"}]))
    assert response.status_code == 302
    order.refresh_from_db()
    line = order.lines.get()
    assert (line.unit_price, line.consumer, order.paid_total) == (300000, None, 300000)
    assert relationship(child) == "prospect"
    event = AuditEvent.objects.get(action="order.update", target_id=str(order.pk))
    assert event.actor == support and "lines" in event.changes


def test_it_removes_a_line_marked_for_removal(as_manager, db):
    for sku in ("SEPATU", "KAOS"):
        product_create(actor=None, sku=sku)
    buyer = f.party("Ibu Sari")
    post_order(as_manager, buyer, [{"product": "SEPATU", "unit_price": "350000"},
                                   {"product": "KAOS", "unit_price": "50000"}])
    order = Order.objects.get()
    html = as_manager.get(f"/parties/{buyer.pk}/orders/{order.pk}/edit/").content.decode()
    assert "Remove this line" in html
    response = as_manager.post(f"/parties/{buyer.pk}/orders/{order.pk}/edit/", edit_data(order, [
        {"product": "SEPATU", "unit_price": "350000"}, {"product": "KAOS", "unit_price": "50000", "DELETE": "on"},
    ]))
    assert response.status_code == 302
    order.refresh_from_db()
    assert [line.product.sku for line in order.lines.all()] == ["SEPATU"] and order.paid_total == 350000


def test_it_shows_a_corrected_lines_errors_in_the_form_and_keeps_the_order(as_support, db):
    product_create(actor=None, sku="SEPATU", name="Sepatu lari")
    buyer = f.party("Ibu Sari")
    post_order(as_support, buyer, [{"product": "SEPATU", "unit_price": "350000"}])
    order = Order.objects.get()
    response = as_support.post(f"/parties/{buyer.pk}/orders/{order.pk}/edit/", edit_data(
        order, [{"product": "SEPATU", "unit_price": "350000", "discount": "400000"}]
    ))
    assert response.status_code == 400
    assert "Line 1: the discount is larger than the line&#x27;s amount" in response.content.decode()
    order.refresh_from_db()
    assert order.lines.get().discount == 0


def test_it_cancels_an_order_from_the_party_page_and_the_buyer_is_no_longer_a_customer(as_manager, manager, db):
    buyer = f.party("Ibu Sari")
    order = f.buy(buyer, f.days_ago(3))
    assert relationship(buyer) == "customer"
    cancel_url = f"/parties/{buyer.pk}/orders/{order.pk}/cancel/"
    assert f'href="{cancel_url}"' in as_manager.get(f"/parties/{buyer.pk}/").content.decode()
    assert "stays on the timeline, with every line cancelled" in as_manager.get(cancel_url).content.decode()
    response = as_manager.post(cancel_url, follow=True)
    html = response.content.decode()
    assert f"Order {order.external_id} was cancelled." in html
    assert re.search(r'data-badge="relationship" data-value="prospect"', html)
    order.refresh_from_db()
    assert not order.is_paid and list(order.lines.values_list("status", flat=True)) == ["cancelled"]
    assert AuditEvent.objects.filter(action="order.cancel", target_id=str(order.pk), actor=manager).exists()


def test_it_keeps_others_orders_out_of_reach_of_staff_who_did_not_record_them(sales, manager, db):
    as_sales = client_for(sales)
    buyer = f.party("Ibu Sari")
    order = f.buy(buyer, f.days_ago(3))
    page = as_sales.get(f"/parties/{buyer.pk}/").content.decode()
    assert f"/orders/{order.pk}/edit/" not in page and f"/orders/{order.pk}/cancel/" not in page
    assert as_sales.post(f"/parties/{buyer.pk}/orders/{order.pk}/cancel/").status_code == 403
    other = f.party("Pak Budi")
    assert client_for(manager).post(f"/parties/{other.pk}/orders/{order.pk}/cancel/").status_code == 404
    order.refresh_from_db()
    assert order.is_paid


def test_it_corrects_an_interaction_and_the_party_stops_being_potential(as_support, support, db):
    party = f.party("Rina")
    as_support.post(f"/parties/{party.pk}/interactions/new/", {
        "occurred_at": f.days_ago(1).strftime("%Y-%m-%dT%H:%M"), "channel": "whatsapp", "direction": "inbound",
        "kind": "question", "body": "Ada ukuran 42?",
    })
    interaction = Interaction.objects.get()
    assert PartyProfile.objects.get(party=party).potential
    edit_url = f"/parties/{party.pk}/interactions/{interaction.pk}/edit/"
    assert f'href="{edit_url}"' in as_support.get(f"/parties/{party.pk}/").content.decode()
    response = as_support.post(edit_url, {
        "occurred_at": f.days_ago(1).strftime("%Y-%m-%dT%H:%M"), "channel": "whatsapp", "direction": "outbound",
        "kind": "message", "body": "Promo minggu ini",
    })
    assert response.status_code == 302
    interaction.refresh_from_db()
    assert (interaction.direction, interaction.body) == ("outbound", "Promo minggu ini")
    assert not PartyProfile.objects.get(party=party).potential
    event = AuditEvent.objects.get(action="interaction.update", target_id=str(interaction.pk))
    assert event.actor == support and event.changes["direction"] == ["inbound", "outbound"]


def test_it_shows_an_interactions_errors_in_the_form(as_manager, db):
    party = f.party("Rina")
    interaction = interaction_create(actor=None, party=party, occurred_at=f.days_ago(1), channel="email",
                                     direction="inbound")
    response = as_manager.post(f"/parties/{party.pk}/interactions/{interaction.pk}/edit/", {
        "occurred_at": (timezone.now() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"), "channel": "email",
        "direction": "inbound", "kind": "message", "body": "",
    })
    assert response.status_code == 400
    assert "An interaction cannot be in the future." in response.content.decode()
    interaction.refresh_from_db()
    assert interaction.occurred_at == f.days_ago(1)


def test_it_deletes_an_interaction_entered_by_mistake(as_manager, manager, db):
    party = f.party("Rina")
    interaction = interaction_create(actor=None, party=party, occurred_at=f.days_ago(1), channel="whatsapp",
                                     direction="inbound", body="Salah kirim")
    assert PartyProfile.objects.get(party=party).potential
    delete_url = f"/parties/{party.pk}/interactions/{interaction.pk}/delete/"
    assert "Salah kirim" in as_manager.get(delete_url).content.decode()
    assert as_manager.post(delete_url).status_code == 302
    assert not Interaction.objects.exists()
    assert not PartyProfile.objects.get(party=party).potential
    event = AuditEvent.objects.get(action="interaction.delete", target_id=str(interaction.pk))
    assert event.actor == manager and event.changes["body"] == "Salah kirim"


def test_it_keeps_interactions_from_channels_for_managers_to_correct(as_support, db):
    party = f.party("Rina")
    interaction = interaction_create(actor=None, party=party, occurred_at=f.days_ago(1), channel="whatsapp",
                                     direction="inbound", source_key="wamid.1")
    assert f"/interactions/{interaction.pk}/edit/" not in as_support.get(f"/parties/{party.pk}/").content.decode()
    assert as_support.post(f"/parties/{party.pk}/interactions/{interaction.pk}/delete/").status_code == 403
    assert Interaction.objects.filter(pk=interaction.pk).exists()


def signed_client(actor=None):
    party = f.party("PT Sinar Jaya", kind="organization")
    agreement = f.proposal(party, actor=actor)
    agreement_sign(actor=None, agreement=agreement, side="provider", at=f.days_ago(5))
    agreement_sign(actor=None, agreement=agreement, side="client", at=f.days_ago(5))
    assert relationship(party) == "client"
    return party, agreement


def test_it_terminates_an_agreement_and_the_party_page_shows_the_new_relationship(as_manager, manager, db):
    party, agreement = signed_client()
    url = f"/parties/{party.pk}/agreements/{agreement.pk}/terminate/"
    assert f'href="{url}"' in as_manager.get(f"/parties/{party.pk}/").content.decode()
    response = as_manager.post(url, {"terminated_on": f.today().isoformat()}, follow=True)
    html = response.content.decode()
    assert "The agreement was terminated." in html
    # A client until yesterday: a former client counts as a customer (DOMAIN.md).
    assert re.search(r'data-badge="relationship" data-value="customer"', html)
    agreement.refresh_from_db()
    assert agreement.terminated_on == f.today()
    assert AuditEvent.objects.filter(action="agreement.terminate", target_id=str(agreement.pk), actor=manager).exists()


def test_it_refuses_a_termination_before_the_start_inside_the_form(as_manager, db):
    party, agreement = signed_client()
    response = as_manager.post(f"/parties/{party.pk}/agreements/{agreement.pk}/terminate/",
                               {"terminated_on": (agreement.starts_on - timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert "The agreement cannot be terminated before it starts." in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.terminated_on is None and relationship(party) == "client"


def test_it_corrects_an_agreements_signature_and_the_party_is_a_client_no_more(csm, db):
    as_csm = client_for(csm)
    party, agreement = signed_client(actor=csm)
    url = f"/parties/{party.pk}/agreements/{agreement.pk}/edit/"
    form = as_csm.get(url).content.decode()
    assert 'name="signed_by_client_at"' in form
    response = as_csm.post(url, {
        "title": agreement.title, "service_kind": "professional_service", "tier": "",
        "starts_on": agreement.starts_on.isoformat(), "ends_on": "", "value": "", "currency": "idr",
        "signed_by_provider_at": timezone.localtime(agreement.signed_by_provider_at).strftime("%Y-%m-%dT%H:%M"),
        "signed_by_client_at": "",
    })
    assert response.status_code == 400  # "idr" is not one of the listed codes
    assert agreement.__class__.objects.get(pk=agreement.pk).signed_by_client_at is not None
    response = as_csm.post(url, {
        "title": agreement.title, "service_kind": "professional_service", "tier": "",
        "starts_on": agreement.starts_on.isoformat(), "ends_on": "", "value": "", "currency": "IDR",
        "signed_by_provider_at": timezone.localtime(agreement.signed_by_provider_at).strftime("%Y-%m-%dT%H:%M"),
        "signed_by_client_at": "",
    })
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.signed_by_client_at is None
    assert relationship(party) == "prospect"
    event = AuditEvent.objects.get(action="agreement.update", target_id=str(agreement.pk))
    assert event.actor == csm and event.changes["signed_by_client_at"][1] is None


def test_it_keeps_support_and_other_sellers_from_correcting_agreements(as_support, sales, db):
    party, agreement = signed_client()
    for client in (as_support, client_for(sales)):
        page = client.get(f"/parties/{party.pk}/").content.decode()
        assert f"/agreements/{agreement.pk}/edit/" not in page
        url = f"/parties/{party.pk}/agreements/{agreement.pk}/terminate/"
        assert client.post(url, {"terminated_on": f.today().isoformat()}).status_code == 403
    agreement.refresh_from_db()
    assert agreement.terminated_on is None


def test_it_finds_which_facts_a_recorder_may_correct_in_a_fixed_number_of_queries(as_support, support, db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    buyer = f.party("Ibu Sari")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            html = as_support.get(f"/parties/{buyer.pk}/").content.decode()
        assert html.count("/edit/") >= Order.objects.count()
        return len(captured)

    f.buy(buyer, f.days_ago(3), actor=support)
    interaction_create(actor=support, party=buyer, occurred_at=f.days_ago(2), channel="email", direction="inbound")
    few = queries()
    for days in range(4, 10):
        f.buy(buyer, f.days_ago(days), actor=support)
        interaction_create(actor=support, party=buyer, occurred_at=f.days_ago(days), channel="email",
                           direction="inbound")
    assert queries() == few
