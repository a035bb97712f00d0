"""`kenal demo` loads the hybrid business it promises, consistently and repeatably."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F, Q
from django.utils import timezone

from kenal.accounts.models import Role, User
from kenal.agreements.models import Agreement
from kenal.classification.models import (
    Characteristic,
    PartyProfile,
    ProfileChange,
    Relationship,
)
from kenal.commerce.models import LineStatus, Order, OrderLine
from kenal.demo.services import demo_load
from kenal.interactions.models import Channel, Direction, Interaction, InteractionKind
from kenal.parties.models import ContactKind, ContactPoint, Party, PartyKind, Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db) -> None:
    call_command("demo", seed=11, stdout=StringIO())


def paid_orders_by_buyer() -> dict[int, list[Order]]:
    orders = defaultdict(list)
    for order in Order.objects.filter(is_paid=True).order_by("occurred_at"):
        orders[order.buyer_id].append(order)
    return orders


def test_it_loads_a_few_hundred_parties_people_and_organisations(demo):
    assert 300 <= Party.objects.count() <= 500
    assert Party.objects.filter(kind=PartyKind.ORGANIZATION).count() >= 30
    # The people of client organisations are their contacts.
    assert Party.objects.filter(member_of__isnull=False).count() >= 30
    assert Party.objects.filter(referred_by__isnull=False).count() >= 30
    assert Party.objects.filter(objects_to_profiling=True).exists()


def test_it_loads_agreements_in_every_state(demo):
    today = timezone.localdate()
    signed = Agreement.objects.filter(signed_by_provider_at__isnull=False, signed_by_client_at__isnull=False)
    active = signed.filter(starts_on__lte=today).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today)).filter(
        Q(terminated_on__isnull=True) | Q(terminated_on__gt=today)
    )
    assert active.values("party").distinct().count() >= 10
    assert active.filter(csm__isnull=False).exists() and active.filter(csm__isnull=True).exists()
    assert active.filter(ends_on__lte=today + timedelta(days=60), auto_renew=False).exists()
    assert Agreement.objects.filter(Q(signed_by_provider_at__isnull=True) | Q(signed_by_client_at__isnull=True)).count() == 2
    assert signed.filter(starts_on__gt=today).exists()
    assert signed.filter(terminated_on__lte=today).exists()
    # Retainers are priced like real ones: fifteen million rupiah a month or more.
    assert not Agreement.objects.filter(party__kind=PartyKind.ORGANIZATION, value__lt=15_000_000).exists()
    assert all(a.signed_by_client_at <= timezone.now() for a in signed)


def test_it_loads_customers_of_every_character(demo):
    now = timezone.now()
    today = timezone.localdate()
    orders = paid_orders_by_buyer()
    days_ago = {buyer: [(today - timezone.localdate(o.occurred_at)).days for o in found] for buyer, found in orders.items()}
    loyal = [b for b, d in days_ago.items() if len(d) >= 4 and d[0] - d[-1] >= 180 and d[-1] <= 180]
    new = [b for b, d in days_ago.items() if d[0] <= 30]
    thrifty = [b for b, found in orders.items() if len(found) >= 2 and 2 * sum(o.has_promotion for o in found) >= len(found)]
    assert len(loyal) >= 20
    assert len(new) >= 20
    assert len(thrifty) >= 20

    first_touch = {}
    for interaction in Interaction.objects.order_by("occurred_at"):
        first_touch.setdefault(interaction.party_id, interaction.occurred_at)
    impulsive = []
    for party in Party.objects.filter(pk__in=orders):
        contact = min([t for t in (party.first_contact_at, first_touch.get(party.pk)) if t], default=None)
        bought = orders[party.pk][0].occurred_at
        asked = Interaction.objects.filter(
            party=party, direction=Direction.INBOUND, kind=InteractionKind.QUESTION,
            occurred_at__gte=contact or now, occurred_at__lte=bought,
        ).exists()
        if contact and contact <= bought < contact + timedelta(hours=24) and not asked:
            impulsive.append(party.pk)
    assert len(impulsive) >= 10
    assert not Order.objects.filter(occurred_at__gt=now).exists()


def test_it_loads_gift_buyers_resellers_and_prospects(demo):
    gifts = OrderLine.objects.filter(consumer__isnull=False).exclude(consumer=F("order__buyer"))
    assert gifts.values("consumer").distinct().count() >= 15
    resellers = Party.objects.filter(
        kind=PartyKind.ORGANIZATION, orders__lines__quantity__gte=12, orders__lines__status=LineStatus.PAID
    ).distinct()
    assert resellers.count() >= 8
    assert Party.objects.filter(scope=Scope.INTERMEDIATE).count() >= 3
    assert Party.objects.filter(scope=Scope.INTERNAL, kind=PartyKind.ORGANIZATION).count() >= 2

    recently = timezone.now() - timedelta(days=90)
    prospects = Party.objects.filter(orders__isnull=True, agreements__isnull=True, consumed_lines__isnull=True).filter(
        interactions__direction=Direction.INBOUND, interactions__occurred_at__gte=recently
    ).distinct()
    assert prospects.count() >= 25


def test_it_talks_on_every_channel_in_both_languages(demo):
    assert set(Interaction.objects.values_list("channel", flat=True).distinct()) == set(Channel.values)
    assert set(Party.objects.values_list("language", flat=True).distinct()) == {"id", "en"}
    bodies = list(Interaction.objects.values_list("body", flat=True))
    assert any("Terima kasih" in body for body in bodies)
    assert any("thank" in body.lower() and "terima" not in body.lower() for body in bodies)
    keys = list(Interaction.objects.values_list("source_key", flat=True))
    assert all(key.startswith("demo:") for key in keys)


def test_it_stores_contacts_normalised_and_prices_in_rupiah(demo):
    phones = ContactPoint.objects.filter(kind__in=[ContactKind.PHONE, ContactKind.WHATSAPP])
    assert phones.count() >= 300
    assert not phones.exclude(value__startswith="+62").exists()
    emails = list(ContactPoint.objects.filter(kind=ContactKind.EMAIL).values_list("value", flat=True))
    assert emails and all(e == e.lower() and "@" in e for e in emails)
    coffee = OrderLine.objects.filter(product__sku__in=["AMERICANO", "CAPPUCCINO", "KOPI-SUSU-AREN"])
    assert coffee.exists()
    assert not coffee.filter(Q(unit_price__lt=25_000) | Q(unit_price__gt=60_000)).exists()
    assert not OrderLine.objects.exclude(currency="IDR").exists()


def test_it_keeps_each_orders_summary_consistent_with_its_lines(demo):
    lines = defaultdict(list)
    for line in OrderLine.objects.all():
        lines[line.order_id].append(line)
    orders = list(Order.objects.all())
    assert len(orders) >= 500
    assert any(not o.is_paid for o in orders), "a fully refunded order is part of the demo"
    for order in orders:
        paid = [line for line in lines[order.pk] if line.status == LineStatus.PAID]
        assert order.occurred_at == min(line.occurred_at for line in lines[order.pk])
        assert order.is_paid == bool(paid)
        assert order.has_promotion == any(line.promo_code or line.discount > 0 for line in paid)
        assert order.max_paid_quantity == max((line.quantity for line in paid), default=Decimal(0))
        assert order.paid_total == sum((line.total for line in paid), Decimal(0))


def test_it_creates_one_staff_user_per_role_without_a_usable_password(demo):
    staff = User.objects.exclude(role=Role.ADMIN)
    assert sorted(staff.values_list("role", flat=True)) == sorted(
        [Role.MANAGER, Role.CSM, Role.CSM, Role.SALES, Role.SUPPORT]
    )
    assert not any(user.has_usable_password() for user in staff)
    assert Agreement.objects.filter(csm__role=Role.CSM).values("csm").distinct().count() == 2


def snapshot() -> tuple[list, list, list]:
    return (
        list(Party.objects.order_by("external_id").values_list("external_id", "name", "kind")),
        list(Order.objects.order_by("external_id").values_list("external_id", "buyer__external_id", "paid_total")),
        list(Agreement.objects.order_by("external_id").values_list("external_id", "title", "party__external_id")),
    )


def test_it_loads_the_same_data_for_the_same_seed(db):
    summary = demo_load(seed=5)
    assert summary.seconds < 5
    first = snapshot()
    call_command("demo", seed=5, reset=True, stdout=StringIO())
    assert snapshot() == first
    call_command("demo", seed=6, reset=True, stdout=StringIO())
    assert snapshot()[0] != first[0]


def test_it_refuses_to_load_over_existing_parties_without_reset(demo, manager):
    before = Party.objects.count()
    Party.objects.create(name="Pelanggan Asli")
    with pytest.raises(CommandError, match="--reset"):
        call_command("demo", seed=11)
    assert Party.objects.count() == before + 1

    call_command("demo", seed=11, reset=True, stdout=StringIO())
    assert Party.objects.count() == before
    assert not Party.objects.filter(name="Pelanggan Asli").exists()
    # Users are not business data: the reset keeps them.
    assert User.objects.filter(pk=manager.pk).exists()
    assert User.objects.filter(role=Role.CSM).count() == 2


def test_it_classifies_what_it_loaded_into_every_relationship_and_characteristic(demo):
    profiles = PartyProfile.objects.all()
    assert profiles.count() == Party.objects.count()
    assert set(profiles.values_list("relationship", flat=True).distinct()) == set(Relationship.values)
    assert set(profiles.values_list("customer_type", flat=True).distinct()) == {None, "external", "intermediate", "internal"}
    for characteristic in Characteristic.values:
        assert profiles.filter(**{characteristic: True}).count() >= 5, characteristic


def test_it_shows_journeys_over_the_past_year(demo):
    changes = ProfileChange.objects.filter(field="relationship")
    assert changes.filter(from_value="prospect", to_value="customer").exists()
    assert changes.filter(to_value="client").exists()
    assert ProfileChange.objects.filter(field="characteristic:loyal", to_value="true").exists()
    # each step is dated by the day it was seen, spread over the year
    assert len(set(ProfileChange.objects.values_list("as_of", flat=True))) >= 3
