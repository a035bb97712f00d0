"""The SQL engine agrees with the plain reference evaluator on random facts."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from django.test import override_settings

from kenal.agreements.models import Agreement
from kenal.classification.engine import classify
from kenal.classification.models import ClassificationRun, ClassificationSettings, PartyProfile, ProfileChange
from kenal.classification.reference import (
    RefAgreement,
    RefFacts,
    RefInteraction,
    RefLine,
    RefOrder,
    RefParty,
    evaluate,
)
from kenal.commerce.models import Order, OrderLine, Product
from kenal.interactions.models import Interaction
from kenal.parties.models import Party
from tests.classification.factories import JAKARTA

AS_OF = date(2026, 3, 10)
# Summer time began there on 8 March 2026: days -1 and -2 straddle the change.
NEW_YORK = ZoneInfo("America/New_York")
# Day offsets from as_of, rich in the rules' edges.
DAYS = st.sampled_from([1, 0, -1, -2, -29, -30, -31, -89, -90, -91, -179, -180, -181, -200, -364, -365, -366, -400])
SECONDS = st.sampled_from([0, 1, 36_000, 36_001, 43_200, 86_399])


@st.composite
def moments(draw, zone: ZoneInfo = JAKARTA) -> datetime:
    day = AS_OF + timedelta(days=draw(DAYS))
    return datetime.combine(day, time.min, tzinfo=zone) + timedelta(seconds=draw(SECONDS))


# Thresholds around DOMAIN.md's defaults and the edges of the facts drawn above.
SETTINGS = {
    "new_days": [0, 1, 29, 30, 90], "potential_days": [0, 1, 90, 180], "impulsive_hours": [1, 10, 24, 48],
    "thrifty_min_orders": [1, 2, 3], "thrifty_share": [0.0, 0.5, 0.75, 1.0], "loyal_min_orders": [1, 2, 4],
    "loyal_span_days": [0, 1, 180, 364], "loyal_recent_days": [0, 30, 180, 365],
    "loyal_agreement_days": [0, 30, 365, 400], "growing_min_orders": [1, 2, 3],
    "intermediate_min_units": [Decimal(1), Decimal(12), Decimal(40)], "intermediate_share": [0.25, 0.5, 1.0],
}


@st.composite
def other_settings(draw) -> ClassificationSettings:
    return ClassificationSettings(**{name: draw(st.sampled_from(values)) for name, values in SETTINGS.items()})


@st.composite
def facts(draw, zone: ZoneInfo = JAKARTA) -> RefFacts:
    n = draw(st.integers(1, 7))
    parties = [
        RefParty(
            id=i,
            kind=draw(st.sampled_from(["person", "organization"])),
            scope=draw(st.sampled_from(["", "", "", "internal", "intermediate", "external"])),
            objects_to_profiling=draw(st.booleans()) and draw(st.booleans()),
            first_contact_at=draw(st.none() | moments(zone)),
            referred_by_id=draw(st.none() | st.integers(0, n - 1)),
        )
        for i in range(n)
    ]
    for party in parties:
        if party.referred_by_id == party.id:
            party.referred_by_id = None
    who = st.integers(0, n - 1)
    lines = st.builds(
        RefLine,
        status=st.sampled_from(["paid", "paid", "cancelled", "refunded"]),
        quantity=st.sampled_from([Decimal(1), Decimal(11), Decimal(12), Decimal(40)]),
        discount=st.sampled_from([Decimal(0), Decimal(0), Decimal("0.01"), Decimal(5000)]),
        promo_code=st.sampled_from(["", "", "HEMAT"]),
        consumer_id=st.none() | who,
        # Some lines bought at another moment than the order's first: the order's time
        # is its earliest line's.
        occurred_at=st.none() | st.none() | moments(zone),
    )
    orders = draw(st.lists(st.builds(RefOrder, buyer_id=who, occurred_at=moments(zone), lines=st.lists(lines, min_size=1, max_size=3)), max_size=12))
    signature = st.none() | moments(zone)
    start_days = st.sampled_from([-800, -400, -366, -365, -364, -200, -30, -1, 0, 1, 20])
    agreements = []
    for _ in range(draw(st.integers(0, 4))):
        starts_on = AS_OF + timedelta(days=draw(start_days))
        length = draw(st.none() | st.sampled_from([0, 30, 200, 364, 365, 366, 400]))
        ends_on = None if length is None else starts_on + timedelta(days=length)
        terminated = draw(st.none() | st.sampled_from([-100, -1, 0, 1, 10]))
        agreements.append(RefAgreement(
            party_id=draw(who), starts_on=starts_on, ends_on=ends_on,
            terminated_on=None if terminated is None else AS_OF + timedelta(days=terminated),
            signed_by_provider_at=draw(signature), signed_by_client_at=draw(signature),
        ))
    interactions = draw(st.lists(st.builds(
        RefInteraction, party_id=who, occurred_at=moments(zone),
        direction=st.sampled_from(["inbound", "outbound"]),
        kind=st.sampled_from(["question", "message", "call"]),
    ), max_size=8))
    return RefFacts(parties=parties, orders=orders, agreements=agreements, interactions=interactions)


def _store(data: RefFacts, cfg: ClassificationSettings | None = None) -> dict[int, Party]:
    for model in (ProfileChange, PartyProfile, ClassificationRun, Interaction, OrderLine, Order, Agreement, Party,
                  ClassificationSettings):
        model.objects.all().delete()
    if cfg is not None:
        cfg.save()
    product, _ = Product.objects.get_or_create(sku="SKU-HYP")
    stored = {
        p.id: Party.objects.create(
            name=f"P{p.id}", external_id=f"H-{p.id}", kind=p.kind, scope=p.scope,
            objects_to_profiling=p.objects_to_profiling, first_contact_at=p.first_contact_at,
        )
        for p in data.parties
    }
    for p in data.parties:
        if p.referred_by_id is not None:
            Party.objects.filter(pk=stored[p.id].pk).update(referred_by=stored[p.referred_by_id])
    orders, lines = [], []
    for i, o in enumerate(data.orders):
        paid = [line for line in o.lines if line.status == "paid"]
        orders.append(Order(
            external_id=f"HO-{i}", buyer=stored[o.buyer_id], occurred_at=o.time, is_paid=bool(paid),
            has_promotion=any(line.promo_code or line.discount > 0 for line in paid),
            max_paid_quantity=max((line.quantity for line in paid), default=Decimal(0)),
            paid_total=sum((line.quantity * 1000 - line.discount for line in paid), Decimal(0)),
        ))
    Order.objects.bulk_create(orders)
    for created, o in zip(orders, data.orders):
        for n, line in enumerate(o.lines, start=1):
            lines.append(OrderLine(
                order=created, line_no=n, product=product, occurred_at=line.occurred_at or o.occurred_at,
                quantity=line.quantity,
                unit_price=Decimal(1000), discount=line.discount, promo_code=line.promo_code, status=line.status,
                consumer=None if line.consumer_id is None else stored[line.consumer_id],
            ))
    OrderLine.objects.bulk_create(lines)
    Agreement.objects.bulk_create(
        Agreement(party=stored[a.party_id], title="A", starts_on=a.starts_on, ends_on=a.ends_on,
                  terminated_on=a.terminated_on, signed_by_provider_at=a.signed_by_provider_at,
                  signed_by_client_at=a.signed_by_client_at)
        for a in data.agreements
    )
    Interaction.objects.bulk_create(
        Interaction(party=stored[i.party_id], occurred_at=i.occurred_at, channel="email", direction=i.direction,
                    kind=i.kind, source_key=f"h-{n}")
        for n, i in enumerate(data.interactions)
    )
    return stored


@pytest.mark.django_db
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=facts())
def test_it_classifies_every_party_as_the_reference_does(data):
    stored = _store(data)
    classify(as_of=AS_OF)
    expected = evaluate(data, AS_OF, JAKARTA)
    for ref_id, party in stored.items():
        profile = PartyProfile.objects.get(party=party)
        got = (profile.relationship, profile.flags, profile.customer_type, profile.characteristics)
        want = expected[ref_id]
        assert got == (want.relationship, want.flags, want.customer_type, want.characteristics), (ref_id, data)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=facts())
def test_it_classifies_one_party_at_a_time_as_the_reference_does(data):
    stored = _store(data)
    expected = evaluate(data, AS_OF, JAKARTA)
    for ref_id, party in stored.items():
        classify(as_of=AS_OF, party_ids=[party.pk])
        profile = PartyProfile.objects.get(party=party)
        got = (profile.relationship, profile.flags, profile.customer_type, profile.characteristics)
        want = expected[ref_id]
        assert got == (want.relationship, want.flags, want.customer_type, want.characteristics), (ref_id, data)


@pytest.mark.django_db
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=facts())
def test_the_journey_keeps_the_same_reasons_the_profile_gives(data):
    """A change's reasons are written by SQL, a profile's are built from its stored
    numbers in Python: both must say the same thing for the same recompute."""
    stored = _store(data)
    classify(as_of=AS_OF - timedelta(days=800))  # before every fact: everyone starts out a prospect
    classify(as_of=AS_OF)
    for party in stored.values():
        change = ProfileChange.objects.filter(party=party, as_of=AS_OF).first()
        if change is not None:
            assert change.reasons == PartyProfile.objects.get(party=party).reasons, (party.name, data)


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=facts(NEW_YORK), cfg=other_settings(), one_at_a_time=st.booleans())
def test_it_classifies_as_the_reference_does_with_other_settings_in_a_zone_with_summer_time(data, cfg, one_at_a_time):
    stored = _store(data, cfg)
    expected = evaluate(data, AS_OF, NEW_YORK, cfg)
    with override_settings(TIME_ZONE="America/New_York"):
        if one_at_a_time:
            for party in stored.values():
                classify(as_of=AS_OF, party_ids=[party.pk])
        else:
            classify(as_of=AS_OF)
    for ref_id, party in stored.items():
        profile = PartyProfile.objects.get(party=party)
        got = (profile.relationship, profile.flags, profile.customer_type, profile.characteristics)
        want = expected[ref_id]
        assert got == (want.relationship, want.flags, want.customer_type, want.characteristics), (ref_id, cfg, data)
