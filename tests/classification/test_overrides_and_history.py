"""Overrides hold through recomputes and are audited; recomputes record what changed."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import translation

from kenal.audit.models import AuditEvent
from kenal.classification.engine import classify
from kenal.classification.models import PartyProfile, ProfileChange, ProfileOverride
from kenal.classification.reasons import reasons_text as _reasons_text
from kenal.classification.selectors import business_today
from kenal.classification.services import override_create, override_withdraw
from tests.classification.factories import agreement, at, line, order, party

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def reasons_text(reasons) -> list[str]:
    with translation.override("en"):
        return _reasons_text(reasons)


def stored(p) -> PartyProfile:
    return PartyProfile.objects.get(party=p)


def test_it_keeps_a_managers_override_through_recomputes_and_says_who_set_it(manager):
    # An override recomputes its party as of today, so the facts are dated from today.
    today = business_today()
    buyer = party()
    order(buyer, at(f"{today - timedelta(days=9)} 10:00"))
    classify(as_of=today)
    override_create(actor=manager, party=buyer, field="relationship", value="client", reason="Signed on paper")
    override_create(actor=manager, party=buyer, field="characteristic:loyal", value="true", reason="Known for years")
    override_create(actor=manager, party=buyer, field="characteristic:new", value="false", reason="Old friend")
    classify(as_of=today)
    got = stored(buyer)
    assert (got.relationship, got.flags, got.loyal, got.new) == ("client", ["customer"], True, False)
    texts = reasons_text(got.reasons)
    journey = ProfileChange.objects.filter(party=buyer, field="characteristic:new").first()  # the last override
    # The journey keeps the reasons of that moment (overrides in whichever order).
    def keyed(reasons):
        return sorted(json.dumps(reason, sort_keys=True) for reason in reasons)

    assert keyed(journey.reasons) == keyed(got.reasons)
    assert "Relationship set to Client by maya: Signed on paper" in texts
    assert "Loyal set to on by maya: Known for years" in texts
    assert "Customer: 1 paid order" not in texts
    assert not any(text.startswith("New:") for text in texts)
    assert AuditEvent.objects.filter(action="classification.override", target_id=str(buyer.pk)).count() == 3


def test_it_gives_the_result_back_to_the_rules_when_an_override_is_withdrawn(manager):
    buyer = party()
    order(buyer, at("2026-03-01 10:00"))
    override = override_create(actor=manager, party=buyer, field="customer_type", value="internal", reason="Branch")
    classify(as_of=AS_OF)
    assert stored(buyer).customer_type == "internal"
    override_withdraw(actor=manager, override=override)
    classify(as_of=AS_OF)
    override.refresh_from_db()
    assert override.withdrawn_by == manager and override.withdrawn_at is not None
    assert stored(buyer).customer_type == "external"
    assert AuditEvent.objects.filter(action="classification.override_withdraw").count() == 1


def test_it_replaces_an_earlier_override_of_the_same_field(manager):
    buyer = party()
    override_create(actor=manager, party=buyer, field="relationship", value="customer", reason="First")
    override_create(actor=manager, party=buyer, field="relationship", value="consumer", reason="Second")
    assert ProfileOverride.objects.filter(party=buyer, withdrawn_at__isnull=True).get().value == "consumer"
    classify(as_of=AS_OF)
    assert stored(buyer).relationship == "consumer"
    assert stored(buyer).customer_type is None


def test_it_lets_only_managers_override(support):
    buyer = party()
    with pytest.raises(PermissionDenied):
        override_create(actor=support, party=buyer, field="relationship", value="client", reason="Because")
    assert not ProfileOverride.objects.exists()


def test_it_refuses_an_override_without_a_reason_or_with_an_unknown_value(manager):
    buyer = party()
    with pytest.raises(ValidationError) as missing:
        override_create(actor=manager, party=buyer, field="relationship", value="client", reason="  ")
    assert "reason" in missing.value.message_dict
    with pytest.raises(ValidationError) as unknown:
        override_create(actor=manager, party=buyer, field="relationship", value="friend", reason="x")
    assert "value" in unknown.value.message_dict
    assert not ProfileOverride.objects.exists()


def test_it_does_not_profile_an_objecting_party_even_by_override(manager):
    objector = party(objects_to_profiling=True)
    override_create(actor=manager, party=objector, field="characteristic:loyal", value="true", reason="x")
    classify(as_of=AS_OF)
    assert stored(objector).loyal is False


def test_it_records_each_change_between_recomputes_with_its_reasons():
    buyer = party()
    classify(as_of=AS_OF)
    assert not ProfileChange.objects.exists()
    order(buyer, at("2026-03-10 09:00"))
    classify(as_of=AS_OF)
    changes = {c.field: (c.from_value, c.to_value) for c in ProfileChange.objects.filter(party=buyer)}
    assert changes == {
        "relationship": ("prospect", "customer"),
        "customer_type": (None, "external"),
        "flag:customer": ("false", "true"),
        "flag:prospect": ("true", "false"),
        "characteristic:new": ("false", "true"),
    }
    change = ProfileChange.objects.get(party=buyer, field="relationship")
    assert change.as_of == AS_OF
    assert {"code": "customer_orders", "params": {"orders": 1}} in change.reasons
    classify(as_of=AS_OF)
    assert ProfileChange.objects.count() == 5
    classify(as_of=AS_OF + timedelta(days=31))
    assert ProfileChange.objects.filter(field="characteristic:new", to_value="false").count() == 1


def test_it_records_a_client_becoming_a_former_client():
    firm = party(kind="organization")
    agreement(firm, AS_OF - timedelta(days=100), ends_on=AS_OF)
    classify(as_of=AS_OF)
    classify(as_of=AS_OF + timedelta(days=1))
    change = ProfileChange.objects.get(party=firm, field="relationship")
    assert (change.from_value, change.to_value) == ("client", "customer")
    assert reasons_text(change.reasons)[0] == "Customer: former client, whose last agreement ended yesterday"


def test_deleting_a_party_takes_its_profile_and_journey_with_it():
    buyer, other = party(), party()
    order(buyer, at("2026-03-01 09:00"))
    classify(as_of=AS_OF)
    order(buyer, at("2026-03-02 09:00"), line(promo_code="HEMAT"))
    classify(as_of=AS_OF + timedelta(days=1))
    assert ProfileChange.objects.filter(party=buyer).exists()
    buyer.delete()
    assert not PartyProfile.objects.filter(party_id=buyer.pk).exists()
    assert not ProfileChange.objects.filter(party_id=buyer.pk).exists()
    assert stored(other).relationship == "prospect"


def test_a_first_recompute_writes_whole_profiles_and_keeps_the_list_indexes():
    """The first full recompute writes every profile at once (on PostgreSQL it builds
    the secondary indexes afresh afterwards); the profiles must read back whole."""
    buyer, prospect = party(), party()
    order(buyer, at("2026-03-01 09:00"))
    order(buyer, at("2026-03-05 09:00"))
    classify(as_of=AS_OF)
    first = {p.party_id: (p.relationship, p.characteristics, p.reasons) for p in PartyProfile.objects.all()}
    assert first[buyer.pk][0] == "customer" and "new" in first[buyer.pk][1]
    assert {"code": "customer_orders", "params": {"orders": 2}} in first[buyer.pk][2]
    assert first[prospect.pk] == ("prospect", [], [{"code": "prospect_nothing_yet", "params": {}}])
    assert set(PartyProfile.objects.filter(new=True).values_list("party_id", flat=True)) == {buyer.pk}
    with connection.cursor() as cursor:
        names = set(connection.introspection.get_constraints(cursor, PartyProfile._meta.db_table))
    assert {"profile_new_idx", "profile_relationship_idx", "profile_csm_idx"} <= names
    classify(as_of=AS_OF)
    assert {p.party_id: (p.relationship, p.characteristics, p.reasons) for p in PartyProfile.objects.all()} == first


def test_a_profile_the_nightly_run_finds_unchanged_still_counts_its_days_from_that_night():
    from kenal.classification.display import profile_panel

    firm = party(kind="organization")
    agreement(firm, AS_OF - timedelta(days=100), ends_on=AS_OF - timedelta(days=5))
    classify(as_of=AS_OF)
    computed = stored(firm).computed_at
    assert reasons_text(stored(firm).reasons)[0] == "Customer: former client, whose last agreement ended 5 days ago"
    classify(as_of=AS_OF + timedelta(days=30))
    profile = stored(firm)
    assert profile.computed_at == computed  # nothing about it changed, so it was left as it was
    assert reasons_text(profile.reasons)[0] == "Customer: former client, whose last agreement ended 35 days ago"
    panel = profile_panel(party=firm)
    assert panel.facts_up_to == AS_OF + timedelta(days=30) and panel.computed_at > computed


def test_recomputing_many_parties_at_once_gives_what_a_full_run_gives():
    """Beyond a handful of parties a recompute plans for how many there are, rather
    than reusing the plan kept for a few; the results must not depend on which."""
    from kenal.classification.engine import FEW_PARTIES

    buyers = [party() for _ in range(FEW_PARTIES + 5)]
    for n, buyer in enumerate(buyers):
        for days in range(n % 5):
            order(buyer, at("2026-03-01 09:00") - timedelta(days=70 * days), line(promo_code="HEMAT" if n % 2 else ""))
    classify(as_of=AS_OF, party_ids=[buyer.pk for buyer in buyers])
    few = {p.party_id: (p.relationship, p.characteristics, p.reasons) for p in PartyProfile.objects.all()}
    assert len(few) == len(buyers) and {value[0] for value in few.values()} == {"customer", "prospect"}
    classify(as_of=AS_OF)
    assert {p.party_id: (p.relationship, p.characteristics, p.reasons) for p in PartyProfile.objects.all()} == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")
def test_a_full_run_inside_a_callers_transaction_leaves_its_settings_as_they_were():
    """A full run switches PostgreSQL's JIT compiling off for itself; whatever the
    calling transaction had set must hold again once it returns."""
    from django.db import transaction

    buyer = party()
    order(buyer, at("2026-03-01 09:00"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = on")
        classify(as_of=AS_OF)
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "on"
        cursor.execute("SET LOCAL jit = off")
        classify(as_of=AS_OF, party_ids=[buyer.pk])
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    assert stored(buyer).relationship == "customer"
