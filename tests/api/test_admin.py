"""The Django admin: every registered model's list loads for staff, with its rows,
and stays closed to everyone else; saves and deletes (one or by the bulk action) go
through the services: audited, and the parties they touch reclassified at once."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from kenal.accounts.models import ApiToken
from kenal.accounts.services import token_create
from kenal.agreements.models import Agreement
from kenal.agreements.services import AgreementData, agreement_create
from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from kenal.commerce.services import LineData, order_create
from kenal.interactions.services import interaction_create
from kenal.commerce.models import Order, OrderLine, Product
from kenal.interactions.models import Interaction
from kenal.parties.models import Party, PartyKind
from kenal.parties.services import PartyData, party_create

pytestmark = pytest.mark.django_db

WHEN = datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Jakarta"))


@pytest.fixture
def as_admin(admin_user) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(admin_user)
    return client


@pytest.fixture
def world(admin_user, manager):
    budi = party_create(actor=admin_user, data=PartyData(
        name="Budi Santoso", external_id="C-1", contacts=[("whatsapp", "0812-3456-7890")],
    ))
    kopi = Product.objects.create(sku="KOPI-250", name="Kopi Gayo 250 g")
    order = Order.objects.create(external_id="SO-77", buyer=budi, occurred_at=WHEN, is_paid=True,
                                 paid_total=Decimal("250000"))
    OrderLine.objects.create(order=order, line_no=1, product=kopi, occurred_at=WHEN, quantity=2,
                             unit_price=Decimal("125000"), promo_code="GAYO10")
    agreement = Agreement.objects.create(party=budi, title="Pendampingan pajak 2026", starts_on=date(2026, 1, 1))
    interaction = Interaction.objects.create(party=budi, occurred_at=WHEN, channel="whatsapp",
                                             direction="inbound", body="Halo", source_key="wa-77")
    token, _raw = token_create(user=manager, name="Ekspor akuntansi")
    return {"party": budi, "product": kopi, "order": order, "agreement": agreement,
            "interaction": interaction, "token": token}


CHANGELISTS = [
    ("accounts/user", "maya"),
    ("accounts/apitoken", "Ekspor akuntansi"),
    ("parties/party", "Budi Santoso"),
    ("commerce/product", "KOPI-250"),
    ("commerce/order", "SO-77"),
    ("agreements/agreement", "Pendampingan pajak 2026"),
    ("interactions/interaction", "Budi Santoso"),
    ("audit/auditevent", "party.create"),
]


@pytest.mark.parametrize(("model", "shown"), CHANGELISTS)
def test_it_lists_each_model_for_a_superuser(as_admin, world, model, shown):
    response = as_admin.get(f"/admin/{model}/")
    assert response.status_code == 200
    assert shown in response.content.decode()


@pytest.mark.parametrize(("model", "shown"), CHANGELISTS)
def test_it_refuses_the_admin_to_staff_without_the_staff_flag(as_manager, world, model, shown):
    response = as_manager.get(f"/admin/{model}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_it_refuses_the_admin_to_anonymous_visitors(world):
    response = Client().get("/admin/parties/party/")
    assert response.status_code == 302
    assert "login" in response["Location"]


@pytest.mark.parametrize(("model", "key"), [
    ("parties/party", "party"), ("commerce/order", "order"), ("agreements/agreement", "agreement"),
    ("interactions/interaction", "interaction"), ("accounts/apitoken", "token"),
])
def test_it_shows_each_object_for_a_superuser(as_admin, world, model, key):
    response = as_admin.get(f"/admin/{model}/{world[key].pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    expected = {"party": "+6281234567890", "order": "GAYO10", "agreement": "Pendampingan pajak 2026",
                "interaction": "Halo", "token": world["token"].hint}[key]
    assert expected in html


def test_it_finds_a_party_by_phone_in_the_admin_search(as_admin, world):
    party_create(actor=None, data=PartyData(name="Sari Dewi"))
    html = as_admin.get("/admin/parties/party/", {"q": "+62 812 3456 7890"}).content.decode()
    assert "Budi Santoso" in html
    assert "Sari Dewi" not in html


def test_it_changes_a_party_through_the_services(as_admin, admin_user, world):
    party = world["party"]
    response = as_admin.post(f"/admin/parties/party/{party.pk}/change/", {
        "name": "Budi Santoso Wijaya", "kind": "person", "external_id": "C-1", "language": "id", "scope": "",
        "first_contact_at_0": "", "first_contact_at_1": "", "referred_by": "", "member_of": "", "notes": "",
        "contact_points-TOTAL_FORMS": "1", "contact_points-INITIAL_FORMS": "1",
        "contact_points-MIN_NUM_FORMS": "0", "contact_points-MAX_NUM_FORMS": "1000",
        "contact_points-0-id": str(party.contact_points.get().pk), "contact_points-0-party": str(party.pk),
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    party.refresh_from_db()
    assert party.name == "Budi Santoso Wijaya"
    assert party.language == "id"
    assert list(party.contact_points.values_list("value", flat=True)) == ["+6281234567890"]
    event = AuditEvent.objects.get(action="party.update", target_id=str(party.pk))
    assert event.actor == admin_user
    assert event.changes["name"] == ["Budi Santoso", "Budi Santoso Wijaya"]


def test_it_refuses_a_party_referring_itself_in_the_admin(as_admin, world):
    party = world["party"]
    response = as_admin.post(f"/admin/parties/party/{party.pk}/change/", {
        "name": "Budi Santoso", "kind": "person", "external_id": "C-1", "language": "", "scope": "",
        "first_contact_at_0": "", "first_contact_at_1": "", "referred_by": str(party.pk), "member_of": "", "notes": "",
        "contact_points-TOTAL_FORMS": "0", "contact_points-INITIAL_FORMS": "0",
        "contact_points-MIN_NUM_FORMS": "0", "contact_points-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 200
    assert "A party cannot refer itself." in response.content.decode()
    party.refresh_from_db()
    assert party.referred_by is None


def test_it_creates_a_party_through_the_services(as_admin, admin_user):
    company = party_create(actor=None, data=PartyData(name="PT Maju Jaya", kind=PartyKind.ORGANIZATION))
    response = as_admin.post("/admin/parties/party/add/", {
        "name": "Sari Dewi", "kind": "person", "external_id": "", "language": "en", "scope": "internal",
        "first_contact_at_0": "", "first_contact_at_1": "", "referred_by": "", "member_of": str(company.pk),
        "notes": "Prefers email.",
        "contact_points-TOTAL_FORMS": "0", "contact_points-INITIAL_FORMS": "0",
        "contact_points-MIN_NUM_FORMS": "0", "contact_points-MAX_NUM_FORMS": "1000",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    sari = Party.objects.get(name="Sari Dewi")
    assert (sari.member_of, sari.scope, sari.external_id) == (company, "internal", None)
    assert AuditEvent.objects.filter(action="party.create", target_id=str(sari.pk), actor=admin_user).exists()


def test_it_audits_an_agreement_changed_in_the_admin(as_admin, admin_user, world):
    agreement = world["agreement"]
    response = as_admin.post(f"/admin/agreements/agreement/{agreement.pk}/change/", {
        "external_id": "", "party": str(world["party"].pk), "title": "Pendampingan pajak 2026",
        "service_kind": "professional_service", "tier": "gold",
        "signed_by_provider_at_0": "2026-01-02", "signed_by_provider_at_1": "10:00:00",
        "signed_by_client_at_0": "", "signed_by_client_at_1": "",
        "starts_on": "2026-01-01", "ends_on": "2026-12-31", "terminated_on": "",
        "value": "36000000", "currency": "IDR", "billing_period": "", "csm": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement.refresh_from_db()
    assert agreement.tier == "gold"
    assert agreement.ends_on == date(2026, 12, 31)
    event = AuditEvent.objects.get(action="agreement.update", target_id=str(agreement.pk))
    assert event.actor == admin_user
    assert event.changes["tier"] == ["", "gold"]
    assert event.changes["value"] == [None, "36000000"]


def test_it_keeps_the_audit_trail_and_orders_read_only(as_admin, world):
    event = AuditEvent.objects.first()
    assert as_admin.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert as_admin.get("/admin/commerce/order/add/").status_code == 403
    page = as_admin.get(f"/admin/commerce/order/{world['order'].pk}/change/").content.decode()
    assert 'name="external_id"' not in page


def test_it_revokes_tokens_from_the_admin(as_admin, admin_user, world):
    token = world["token"]
    response = as_admin.post("/admin/accounts/apitoken/", {
        "action": "revoke", "_selected_action": [str(token.pk)],
    }, follow=True)
    assert "1 token revoked." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", target_id=str(token.pk), actor=admin_user).exists()
    assert as_admin.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode().count('name="name"') == 0


def test_it_shows_role_and_language_on_the_user_form(as_admin, manager):
    html = as_admin.get(f"/admin/accounts/user/{manager.pk}/change/").content.decode()
    assert 'name="role"' in html and 'name="language"' in html


def test_it_lets_a_superuser_sign_in_to_the_admin(admin_user):
    admin_user.set_password("kopi-gayo-sumatra-2026")
    admin_user.save()
    client = Client()
    response = client.post("/admin/login/?next=/admin/", {"username": admin_user.username, "password": "kopi-gayo-sumatra-2026"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_it_audits_a_party_deleted_in_the_admin(as_admin, admin_user):
    party = party_create(actor=None, data=PartyData(name="Duplikat Budi", external_id="C-dup"))
    response = as_admin.post(f"/admin/parties/party/{party.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Party.objects.filter(pk=party.pk).exists()
    event = AuditEvent.objects.get(action="party.delete", target_id=str(party.pk))
    assert event.actor == admin_user
    assert event.changes == {"name": "Duplikat Budi", "external_id": "C-dup"}


def test_it_audits_agreements_deleted_by_the_bulk_action(as_admin, admin_user, world):
    agreement = world["agreement"]
    response = as_admin.post("/admin/agreements/agreement/", {
        "action": "delete_selected", "_selected_action": [str(agreement.pk)], "post": "yes",
    })
    assert response.status_code == 302
    assert not Agreement.objects.filter(pk=agreement.pk).exists()
    event = AuditEvent.objects.get(action="agreement.delete", target_id=str(agreement.pk))
    assert event.actor == admin_user
    assert event.changes["title"] == "Pendampingan pajak 2026"


def _profile(party: Party) -> PartyProfile:
    return PartyProfile.objects.get(party=party)


def _jakarta_today() -> date:
    return timezone.localdate()


def _client_agreement(party: Party) -> Agreement:
    signed = timezone.now() - timedelta(days=20)
    return agreement_create(actor=None, party=party, data=AgreementData(
        title="Pendampingan pajak", starts_on=_jakarta_today() - timedelta(days=20),
        signed_by_provider_at=signed, signed_by_client_at=signed,
    ))


def _agreement_form(agreement: Agreement, **changes) -> dict:
    data = {
        "external_id": "", "title": agreement.title, "service_kind": agreement.service_kind, "tier": "",
        "signed_by_provider_at_0": timezone.localtime(agreement.signed_by_provider_at).strftime("%Y-%m-%d"),
        "signed_by_provider_at_1": "10:00:00",
        "signed_by_client_at_0": timezone.localtime(agreement.signed_by_client_at).strftime("%Y-%m-%d"),
        "signed_by_client_at_1": "10:00:00",
        "starts_on": agreement.starts_on.isoformat(), "ends_on": "", "terminated_on": "",
        "value": "", "currency": "IDR", "billing_period": "", "csm": "",
    }
    data.update(changes)
    return data


def _buy(buyer: Party, *, consumer: Party | None = None, days_ago: int = 3):
    return order_create(actor=None, buyer=buyer, occurred_at=timezone.now() - timedelta(days=days_ago), lines=[
        LineData(sku="KOPI", unit_price=Decimal(50000), consumer=consumer),
    ])


def test_it_ends_the_client_relationship_at_once_when_an_agreement_is_terminated_in_the_admin(as_admin, admin_user):
    party = party_create(actor=None, data=PartyData(name="PT Sinar Jaya", kind=PartyKind.ORGANIZATION))
    agreement = _client_agreement(party)
    assert _profile(party).relationship == "client"
    response = as_admin.post(f"/admin/agreements/agreement/{agreement.pk}/change/", _agreement_form(
        agreement, terminated_on=_jakarta_today().isoformat(),
    ))
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement.refresh_from_db()
    assert agreement.terminated_on == _jakarta_today()
    assert _profile(party).relationship == "customer"  # a former client
    event = AuditEvent.objects.get(action="agreement.update", target_id=str(agreement.pk))
    assert event.actor == admin_user and event.changes["terminated_on"] == [None, _jakarta_today().isoformat()]


def test_it_refuses_a_currency_that_is_not_iso_4217_in_the_agreement_admin(as_admin):
    party = party_create(actor=None, data=PartyData(name="PT Sinar Jaya", kind=PartyKind.ORGANIZATION))
    agreement = _client_agreement(party)
    response = as_admin.post(f"/admin/agreements/agreement/{agreement.pk}/change/", _agreement_form(
        agreement, currency="RP", tier="gold",
    ))
    assert response.status_code == 200
    assert "“RP” is not an ISO 4217 currency code" in response.content.decode()
    agreement.refresh_from_db()
    assert (agreement.currency, agreement.tier) == ("IDR", "")


def test_it_makes_a_client_at_once_of_an_agreement_added_in_the_admin(as_admin, admin_user):
    party = party_create(actor=None, data=PartyData(name="PT Sinar Jaya", kind=PartyKind.ORGANIZATION))
    when = (timezone.localtime() - timedelta(days=5)).strftime("%Y-%m-%d")
    response = as_admin.post("/admin/agreements/agreement/add/", {
        "external_id": "", "party": str(party.pk), "title": "Audit tahunan", "service_kind": "professional_service",
        "tier": "", "signed_by_provider_at_0": when, "signed_by_provider_at_1": "09:00:00",
        "signed_by_client_at_0": when, "signed_by_client_at_1": "09:00:00", "starts_on": when, "ends_on": "",
        "terminated_on": "", "value": "", "currency": "IDR", "billing_period": "", "csm": "",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    agreement = Agreement.objects.get(party=party)
    assert _profile(party).relationship == "client"
    assert AuditEvent.objects.filter(action="agreement.create", target_id=str(agreement.pk), actor=admin_user).exists()


def test_it_ends_the_client_relationship_when_agreements_are_deleted_by_the_bulk_action(as_admin):
    party = party_create(actor=None, data=PartyData(name="PT Sinar Jaya", kind=PartyKind.ORGANIZATION))
    agreement = _client_agreement(party)
    response = as_admin.post("/admin/agreements/agreement/", {
        "action": "delete_selected", "_selected_action": [str(agreement.pk)], "post": "yes",
    })
    assert response.status_code == 302
    assert _profile(party).relationship == "prospect"


def _facet_count(html: str, facet: str) -> int:
    match = re.search(rf'data-facet="{facet}"[^>]*>[^<]*<span class="facets__count">(\d+)</span>', html)
    return int(match.group(1))


def test_it_takes_a_deleted_referral_off_its_referrers_growing_and_off_the_counts(as_admin, admin_user):
    referrer = party_create(actor=None, data=PartyData(name="Bu Ani"))
    _buy(referrer, days_ago=40)
    _buy(referrer, days_ago=20)
    friend = party_create(actor=None, data=PartyData(name="Pak Joko", referred_by=referrer))
    _buy(friend)
    assert _profile(referrer).growing
    customers = _facet_count(as_admin.get("/parties/").content.decode(), "relationship:customer")
    assert customers == 2
    response = as_admin.post(f"/admin/parties/party/{friend.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Party.objects.filter(pk=friend.pk).exists()
    assert not _profile(referrer).growing
    assert _facet_count(as_admin.get("/parties/").content.decode(), "relationship:customer") == 1
    assert AuditEvent.objects.filter(action="party.delete", target_id=str(friend.pk), actor=admin_user).exists()


def test_it_reclassifies_whom_parties_deleted_by_the_bulk_action_touched(as_admin):
    mother = party_create(actor=None, data=PartyData(name="Ibu Sari"))
    child = party_create(actor=None, data=PartyData(name="Dewi"))
    _buy(mother, consumer=child)
    other = party_create(actor=None, data=PartyData(name="Duplikat"))
    assert _profile(child).relationship == "consumer"
    response = as_admin.post("/admin/parties/party/", {
        "action": "delete_selected", "_selected_action": [str(mother.pk), str(other.pk)], "post": "yes",
    })
    assert response.status_code == 302
    assert list(Party.objects.values_list("name", flat=True)) == ["Dewi"]
    assert _profile(child).relationship == "prospect"
    assert _facet_count(as_admin.get("/parties/").content.decode(), "relationship:prospect") == 1
    assert AuditEvent.objects.filter(action="party.delete").count() == 2


def test_it_reclassifies_the_buyer_when_an_order_is_deleted_in_the_admin(as_admin, admin_user):
    buyer = party_create(actor=None, data=PartyData(name="Ibu Sari"))
    order = _buy(buyer)
    assert _profile(buyer).relationship == "customer"
    response = as_admin.post(f"/admin/commerce/order/{order.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Order.objects.exists()
    assert _profile(buyer).relationship == "prospect"
    event = AuditEvent.objects.get(action="order.delete", target_id=str(order.pk))
    assert event.actor == admin_user and event.changes["lines"][0]["sku"] == "KOPI"


def test_it_cancels_orders_by_the_admin_action_and_reclassifies(as_admin, admin_user):
    buyer = party_create(actor=None, data=PartyData(name="Ibu Sari"))
    child = party_create(actor=None, data=PartyData(name="Dewi"))
    order = _buy(buyer, consumer=child)
    response = as_admin.post("/admin/commerce/order/", {
        "action": "cancel_orders", "_selected_action": [str(order.pk)],
    }, follow=True)
    assert "1 order cancelled." in response.content.decode()
    order.refresh_from_db()
    assert not order.is_paid and order.lines.get().status == "cancelled"
    assert (_profile(buyer).relationship, _profile(child).relationship) == ("prospect", "prospect")
    assert AuditEvent.objects.filter(action="order.cancel", target_id=str(order.pk), actor=admin_user).exists()


def test_it_corrects_an_interaction_in_the_admin_and_reclassifies(as_admin, admin_user):
    party = party_create(actor=None, data=PartyData(name="Rina"))
    interaction = interaction_create(actor=None, party=party, occurred_at=timezone.now() - timedelta(days=1),
                                     channel="whatsapp", direction="inbound", body="Halo")
    assert _profile(party).potential
    when = timezone.localtime(interaction.occurred_at)
    response = as_admin.post(f"/admin/interactions/interaction/{interaction.pk}/change/", {
        "occurred_at_0": when.strftime("%Y-%m-%d"), "occurred_at_1": when.strftime("%H:%M:%S"),
        "channel": "whatsapp", "direction": "outbound", "kind": "message", "body": "Halo",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    interaction.refresh_from_db()
    assert interaction.direction == "outbound"
    assert not _profile(party).potential
    assert AuditEvent.objects.filter(action="interaction.update", target_id=str(interaction.pk),
                                     actor=admin_user).exists()


def test_it_reclassifies_when_interactions_are_deleted_by_the_bulk_action(as_admin, admin_user):
    party = party_create(actor=None, data=PartyData(name="Rina"))
    interaction = interaction_create(actor=None, party=party, occurred_at=timezone.now() - timedelta(days=1),
                                     channel="whatsapp", direction="inbound", body="Halo")
    response = as_admin.post("/admin/interactions/interaction/", {
        "action": "delete_selected", "_selected_action": [str(interaction.pk)], "post": "yes",
    })
    assert response.status_code == 302
    assert not _profile(party).potential
    assert AuditEvent.objects.filter(action="interaction.delete", target_id=str(interaction.pk),
                                     actor=admin_user).exists()


def test_it_audits_products_changed_and_deleted_in_the_admin(as_admin, admin_user, world):
    response = as_admin.post(f"/admin/commerce/product/{world['product'].pk}/change/", {
        "sku": "KOPI-250", "name": "Kopi Gayo 250 gram", "kind": "goods",
    })
    assert response.status_code == 302, response.content.decode()[:3000]
    product = Product.objects.get(pk=world["product"].pk)
    assert (product.name, product.active) == ("Kopi Gayo 250 gram", False)
    event = AuditEvent.objects.get(action="product.update", target_id=str(product.pk))
    assert event.actor == admin_user and event.changes["active"] == [True, False]
    spare = Product.objects.create(sku="GULA", name="Gula aren")
    assert as_admin.post(f"/admin/commerce/product/{spare.pk}/delete/", {"post": "yes"}).status_code == 302
    assert AuditEvent.objects.filter(action="product.delete", target_id=str(spare.pk), actor=admin_user).exists()
    # On past orders: the admin refuses, the product stays.
    assert as_admin.post(f"/admin/commerce/product/{product.pk}/delete/", {"post": "yes"}).status_code == 200
    assert Product.objects.filter(pk=product.pk).exists()
