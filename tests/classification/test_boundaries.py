"""Every rule of DOMAIN.md pinned at its edges, as of 10 March 2026 in Jakarta."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from kenal.classification.engine import classify
from kenal.classification.models import PartyProfile
from kenal.parties.models import Party
from tests.classification.factories import (
    agreement,
    at,
    interaction,
    line,
    order,
    party,
)

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def days_ago(n: int, clock: str = "10:00") -> datetime:
    return at(f"{AS_OF - timedelta(days=n)} {clock}")


def profile(p: Party, as_of: date = AS_OF) -> PartyProfile:
    classify(as_of=as_of)
    return PartyProfile.objects.get(party=p)


def result(p: Party, as_of: date = AS_OF) -> tuple:
    got = profile(p, as_of)
    return got.relationship, got.flags, got.customer_type, got.characteristics


# -- the as_of day and time zones ------------------------------------------------------

def test_it_counts_an_order_at_23_59_on_the_as_of_day_but_not_at_midnight_after():
    late, next_day = party(), party()
    order(late, at("2026-03-10 23:59:59"))
    order(next_day, at("2026-03-11 00:00:00"))
    assert result(late) == ("customer", ["customer"], "external", ["new"])
    assert result(next_day) == ("prospect", ["prospect"], None, [])


def test_it_reads_utc_times_as_jakarta_calendar_days():
    evening_utc, still_today = party(), party()
    order(evening_utc, datetime(2026, 3, 10, 17, 30, tzinfo=UTC))  # 00:30 on 11 March in Jakarta
    order(still_today, datetime(2026, 3, 10, 16, 59, 59, tzinfo=UTC))  # 23:59:59 on 10 March
    assert profile(evening_utc).relationship == "prospect"
    assert profile(still_today).relationship == "customer"
    # On 11 March the late order is dated that day: new, and 0 days old.
    got = profile(evening_utc, date(2026, 3, 11))
    assert got.relationship == "customer" and got.new
    assert {"code": "new", "params": {"days": 0}} in got.reasons


# -- new ---------------------------------------------------------------------------------

def test_it_calls_new_a_first_order_30_days_ago_but_not_31():
    day30, day31 = party(), party()
    order(day30, days_ago(30, "00:00"))
    order(day31, days_ago(31, "23:59:59"))
    assert profile(day30).new is True
    assert profile(day31).new is False


def test_it_judges_new_by_the_first_paid_order_not_a_cancelled_one():
    buyer = party()
    order(buyer, days_ago(60), line(status="cancelled"))
    order(buyer, days_ago(5))
    assert result(buyer) == ("customer", ["customer"], "external", ["new"])


# -- impulsive ---------------------------------------------------------------------------

def test_it_calls_impulsive_a_first_order_a_second_under_24_hours_after_first_contact():
    quick, exact, slow = party(first_contact_at=days_ago(50, "10:00:00")), party(first_contact_at=days_ago(50)), party(
        first_contact_at=days_ago(50)
    )
    order(quick, days_ago(49, "09:59:59"))
    order(exact, days_ago(49, "10:00:00"))
    order(slow, days_ago(49, "10:00:01"))
    assert profile(quick).impulsive is True
    assert profile(exact).impulsive is False
    assert profile(slow).impulsive is False


def test_it_takes_the_first_interaction_as_first_contact_when_earlier():
    buyer = party(first_contact_at=days_ago(50, "09:00"))
    interaction(buyer, days_ago(52), direction="outbound")
    order(buyer, days_ago(50, "10:00"))
    assert profile(buyer).impulsive is False


def test_it_does_not_call_impulsive_a_buyer_who_asked_a_question_first():
    asked, told, asked_at_order = party(first_contact_at=days_ago(50)), party(first_contact_at=days_ago(50)), party(
        first_contact_at=days_ago(50)
    )
    for p in (asked, told, asked_at_order):
        order(p, days_ago(50, "15:00"))
    interaction(asked, days_ago(50, "12:00"), kind="question")
    interaction(told, days_ago(50, "12:00"), direction="outbound", kind="question")
    interaction(asked_at_order, days_ago(50, "15:00"), kind="question")
    assert profile(asked).impulsive is False
    assert profile(told).impulsive is True
    assert profile(asked_at_order).impulsive is False


def test_it_does_not_call_impulsive_without_a_known_first_contact_or_with_contact_after_the_order():
    unknown, later = party(), party(first_contact_at=days_ago(49))
    order(unknown, days_ago(50))
    order(later, days_ago(50))
    assert profile(unknown).impulsive is False
    assert profile(later).impulsive is False


# -- thrifty -----------------------------------------------------------------------------

def test_it_calls_thrifty_half_the_orders_with_a_promotion_but_not_less():
    half, third, single = party(), party(), party()
    order(half, days_ago(100), line(promo_code="HEMAT"))
    order(half, days_ago(90))
    order(third, days_ago(100), line(discount=1))
    order(third, days_ago(90))
    order(third, days_ago(80))
    order(single, days_ago(100), line(promo_code="HEMAT"))
    assert profile(half).thrifty is True
    assert profile(third).thrifty is False
    assert profile(single).thrifty is False


def test_it_ignores_promotions_on_cancelled_lines():
    buyer = party()
    order(buyer, days_ago(100), line(), line(status="refunded", promo_code="HEMAT"))
    order(buyer, days_ago(90))
    assert profile(buyer).thrifty is False


# -- loyal by orders ---------------------------------------------------------------------

def _four_orders(p: Party, first: int, last: int) -> None:
    for n in (first, first - 1, last + 1, last):
        order(p, days_ago(n))


def test_it_calls_loyal_four_orders_180_days_apart_the_last_180_days_ago():
    edge, span179, stale = party(), party(), party()
    _four_orders(edge, 360, 180)
    _four_orders(span179, 359, 180)
    _four_orders(stale, 361, 181)
    got = profile(edge)
    assert got.loyal is True
    assert {"code": "loyal_orders", "params": {"orders": 4, "span": 180, "last": 180}} in got.reasons
    assert profile(span179).loyal is False
    assert profile(stale).loyal is False


def test_it_does_not_call_loyal_three_orders():
    buyer = party()
    for n in (300, 100, 10):
        order(buyer, days_ago(n))
    assert profile(buyer).loyal is False


def test_it_measures_the_span_in_jakarta_calendar_days():
    buyer = party()
    order(buyer, at("2025-09-11 23:30"))  # 180 calendar days before 10 March 2026
    order(buyer, at("2025-10-01 10:00"))
    order(buyer, at("2025-12-01 10:00"))
    order(buyer, at("2026-03-10 00:10"))  # less than 180 * 24 hours later
    assert profile(buyer).loyal is True


# -- loyal by agreements -----------------------------------------------------------------

def test_it_calls_loyal_a_client_covered_for_365_days_but_not_364():
    year, short = party(), party()
    agreement(year, AS_OF - timedelta(days=365))
    agreement(short, AS_OF - timedelta(days=364))
    got = profile(year)
    assert got.loyal is True
    assert {"code": "loyal_agreements", "params": {"days": 366}} in got.reasons
    assert profile(short).loyal is False


def test_it_joins_back_to_back_and_overlapping_agreements_but_not_across_a_gap():
    adjacent, overlapping, gap = party(), party(), party()
    agreement(adjacent, AS_OF - timedelta(days=500), ends_on=AS_OF - timedelta(days=200))
    agreement(adjacent, AS_OF - timedelta(days=199))
    agreement(overlapping, AS_OF - timedelta(days=500), ends_on=AS_OF - timedelta(days=100))
    agreement(overlapping, AS_OF - timedelta(days=300), ends_on=AS_OF - timedelta(days=250))
    agreement(overlapping, AS_OF - timedelta(days=120))
    agreement(gap, AS_OF - timedelta(days=500), ends_on=AS_OF - timedelta(days=200))
    agreement(gap, AS_OF - timedelta(days=198))
    assert profile(adjacent).loyal is True
    assert profile(overlapping).loyal is True
    assert profile(gap).loyal is False


def test_it_treats_a_termination_as_the_first_uncovered_day():
    terminated = party()
    agreement(terminated, AS_OF - timedelta(days=500), ends_on=AS_OF + timedelta(days=100),
              terminated_on=AS_OF - timedelta(days=200))
    agreement(terminated, AS_OF - timedelta(days=200))
    assert profile(terminated).loyal is True
    gap = party()
    agreement(gap, AS_OF - timedelta(days=500), terminated_on=AS_OF - timedelta(days=200))
    agreement(gap, AS_OF - timedelta(days=199))
    assert profile(gap).loyal is False


def test_it_does_not_count_an_unsigned_agreement_towards_loyalty():
    client = party()
    agreement(client, AS_OF - timedelta(days=500), ends_on=AS_OF - timedelta(days=100), signed=None)
    agreement(client, AS_OF - timedelta(days=99))
    assert profile(client).loyal is False


def test_it_does_not_call_loyal_a_former_client_however_long_the_past_agreements():
    former = party()
    agreement(former, AS_OF - timedelta(days=800), ends_on=AS_OF - timedelta(days=1))
    assert result(former) == ("customer", ["customer"], "external", [])


# -- agreements and the client flag ------------------------------------------------------

def test_it_makes_nobody_a_client_with_a_proposal_missing_a_signature():
    proposal, provider_only = party(), party()
    agreement(proposal, AS_OF - timedelta(days=10), signed=None)
    agreement(provider_only, AS_OF - timedelta(days=10), signed=None, provider_signed=days_ago(10))
    assert result(proposal) == ("prospect", ["prospect"], None, [])
    assert result(provider_only) == ("prospect", ["prospect"], None, [])


def test_it_makes_nobody_a_client_before_the_agreement_starts_or_is_signed():
    not_started, signed_tomorrow, signed_today_late = party(), party(), party()
    agreement(not_started, AS_OF + timedelta(days=1), signed=days_ago(5))
    agreement(signed_tomorrow, AS_OF - timedelta(days=5), signed=at("2026-03-11 00:00"))
    agreement(signed_today_late, AS_OF - timedelta(days=5), signed=at("2026-03-10 23:59:59"))
    assert result(not_started) == ("prospect", ["prospect"], None, [])
    assert result(signed_tomorrow) == ("prospect", ["prospect"], None, [])
    assert profile(signed_today_late).relationship == "client"


def test_it_ends_a_client_on_the_termination_day_and_makes_it_a_former_client():
    terminated_today, terminated_tomorrow, ends_today, ended_yesterday = party(), party(), party(), party()
    agreement(terminated_today, AS_OF - timedelta(days=30), terminated_on=AS_OF)
    agreement(terminated_tomorrow, AS_OF - timedelta(days=30), terminated_on=AS_OF + timedelta(days=1))
    agreement(ends_today, AS_OF - timedelta(days=30), ends_on=AS_OF)
    agreement(ended_yesterday, AS_OF - timedelta(days=30), ends_on=AS_OF - timedelta(days=1))
    assert result(terminated_today) == ("customer", ["customer"], "external", [])
    assert profile(terminated_tomorrow).relationship == "client"
    assert profile(ends_today).relationship == "client"
    assert result(ended_yesterday) == ("customer", ["customer"], "external", [])


def test_it_does_not_make_a_former_client_of_an_agreement_terminated_before_it_started():
    never = party()
    agreement(never, AS_OF - timedelta(days=30), terminated_on=AS_OF - timedelta(days=30))
    assert result(never) == ("prospect", ["prospect"], None, [])


def test_it_counts_a_client_that_renewed_as_a_client_not_a_former_client():
    renewed, renewed_and_bought = party(), party()
    for who in (renewed, renewed_and_bought):
        agreement(who, AS_OF - timedelta(days=400), ends_on=AS_OF - timedelta(days=40))
        agreement(who, AS_OF - timedelta(days=10))
    order(renewed_and_bought, days_ago(3))
    got = profile(renewed)
    assert got.flags == ["client"]
    assert [reason["code"] for reason in got.reasons] == ["client_agreement", "type_default"]
    assert profile(renewed_and_bought).flags == ["client", "customer"]


def test_it_makes_a_client_of_a_one_off_consultation_only_as_a_customer():
    consulted = party()
    order(consulted, days_ago(3), line(unit_price=2_500_000))
    assert profile(consulted).relationship == "customer"


def test_it_does_not_pass_an_organisations_client_status_to_its_members():
    firm = party(kind="organization")
    member = party(member_of=firm)
    agreement(firm, AS_OF - timedelta(days=10))
    assert profile(firm).relationship == "client"
    assert result(member) == ("prospect", ["prospect"], None, [])


# -- consumers ---------------------------------------------------------------------------

def test_it_makes_a_consumer_of_who_uses_what_someone_else_paid_for():
    buyer, gifted, cancelled_gift = party(), party(), party()
    order(buyer, days_ago(3), line(consumer=gifted), line(status="cancelled", consumer=cancelled_gift))
    assert result(gifted) == ("consumer", ["consumer"], None, [])
    assert result(cancelled_gift) == ("prospect", ["prospect"], None, [])


def test_it_changes_nothing_when_the_buyer_is_named_as_consumer():
    buyer = party()
    order(buyer, days_ago(100), line(consumer=buyer))
    assert profile(buyer).flags == ["customer"]


def test_it_lists_every_flag_sorted_and_picks_the_primary_by_precedence():
    both, gift_giver = party(), party()
    order(both, days_ago(100))
    order(gift_giver, days_ago(100), line(consumer=both))
    assert result(both)[:2] == ("customer", ["consumer", "customer"])


# -- potential ---------------------------------------------------------------------------

def test_it_calls_potential_a_prospect_who_wrote_in_90_days_ago_but_not_91():
    day90, day91, outbound, buyer = party(), party(), party(), party()
    interaction(day90, days_ago(90, "00:00"))
    interaction(day91, days_ago(91, "23:59:59"))
    interaction(outbound, days_ago(1), direction="outbound")
    interaction(buyer, days_ago(1))
    order(buyer, days_ago(200))
    assert result(day90) == ("prospect", ["prospect"], None, ["potential"])
    assert profile(day91).potential is False
    assert profile(outbound).potential is False
    assert profile(buyer).potential is False


# -- growing -----------------------------------------------------------------------------

def test_it_calls_growing_a_repeat_buyer_or_client_who_referred_a_buyer():
    repeat, once, client, referred_prospect = party(), party(), party(), party()
    for p in (repeat, once):
        order(p, days_ago(100))
    order(repeat, days_ago(50))
    agreement(client, AS_OF - timedelta(days=10))
    for referrer in (repeat, once, client):
        friend = party(referred_by=referrer)
        order(friend, days_ago(5))
    order(referred_prospect, days_ago(100))
    order(referred_prospect, days_ago(90))
    party(referred_by=referred_prospect)
    assert profile(repeat).growing is True
    assert profile(once).growing is False
    assert profile(client).growing is True
    assert profile(referred_prospect).growing is False


def test_it_counts_a_referred_former_client_as_a_buyer():
    referrer = party()
    order(referrer, days_ago(100))
    order(referrer, days_ago(50))
    friend = party(referred_by=referrer)
    agreement(friend, AS_OF - timedelta(days=100), ends_on=AS_OF - timedelta(days=5))
    assert profile(referrer).growing is True


# -- customer type -----------------------------------------------------------------------

def test_it_infers_intermediate_for_an_organisation_with_half_its_orders_in_bulk():
    half, third, eleven, person = party(kind="organization"), party(kind="organization"), party(kind="organization"), party()
    order(half, days_ago(10), line(quantity=12))
    order(half, days_ago(9))
    order(third, days_ago(10), line(quantity=12))
    order(third, days_ago(9))
    order(third, days_ago(8))
    order(eleven, days_ago(10), line(quantity=11))
    order(person, days_ago(10), line(quantity=50))
    assert profile(half).customer_type == "intermediate"
    assert profile(third).customer_type == "external"
    assert profile(eleven).customer_type == "external"
    assert profile(person).customer_type == "external"


def test_it_lets_an_explicit_type_win_over_inference():
    explicit = party(kind="organization", scope="external")
    internal = party(scope="internal")
    order(explicit, days_ago(10), line(quantity=100))
    order(internal, days_ago(10))
    assert profile(explicit).customer_type == "external"
    assert profile(internal).customer_type == "internal"


def test_it_reports_no_type_for_consumers_and_prospects():
    consumer, prospect = party(scope="internal"), party(scope="internal")
    order(party(), days_ago(10), line(consumer=consumer))
    assert result(consumer) == ("consumer", ["consumer"], None, [])
    assert result(prospect) == ("prospect", ["prospect"], None, [])


def test_it_counts_bulk_only_on_paid_lines():
    reseller = party(kind="organization")
    order(reseller, days_ago(10), line(), line(quantity=100, status="cancelled"))
    assert profile(reseller).customer_type == "external"


# -- objects to profiling ----------------------------------------------------------------

def test_it_gives_no_characteristics_or_inferred_type_to_a_party_that_objects():
    objector = party(kind="organization", objects_to_profiling=True, first_contact_at=days_ago(3, "09:00"))
    order(objector, days_ago(3), line(quantity=20, promo_code="HEMAT"))
    order(objector, days_ago(2), line(quantity=20))
    got = profile(objector)
    assert (got.relationship, got.flags, got.customer_type, got.characteristics) == (
        "customer", ["customer"], "external", []
    )
    assert {"code": "objects_to_profiling", "params": {}} in got.reasons


def test_it_keeps_the_explicit_type_of_a_party_that_objects():
    objector = party(kind="organization", scope="intermediate", objects_to_profiling=True)
    order(objector, days_ago(3))
    assert profile(objector).customer_type == "intermediate"


def test_it_keeps_the_flags_of_an_objecting_prospect_but_not_potential():
    objector = party(objects_to_profiling=True)
    interaction(objector, days_ago(1))
    assert result(objector) == ("prospect", ["prospect"], None, [])


# -- recomputing one party ---------------------------------------------------------------

def test_it_recomputes_only_the_parties_asked_for():
    first, second = party(), party()
    classify(as_of=AS_OF)
    order(first, days_ago(1))
    order(second, days_ago(1))
    summary = classify(as_of=AS_OF, party_ids=[first.pk])
    assert summary.parties == 1
    assert PartyProfile.objects.get(party=first).relationship == "customer"
    assert PartyProfile.objects.get(party=second).relationship == "prospect"


def test_it_reads_the_referred_parties_when_recomputing_one_referrer():
    referrer = party()
    order(referrer, days_ago(100))
    order(referrer, days_ago(50))
    friend = party(referred_by=referrer)
    order(friend, days_ago(3))
    classify(as_of=AS_OF, party_ids=[referrer.pk])
    assert PartyProfile.objects.get(party=referrer).growing is True
    assert not PartyProfile.objects.filter(party=friend).exists()


# -- a time zone with summer time ----------------------------------------------------------

def test_it_counts_calendar_days_in_a_zone_with_summer_time():
    from zoneinfo import ZoneInfo

    from django.test import override_settings

    berlin = ZoneInfo("Europe/Berlin")
    span179, span180 = party(), party()
    for p, last in ((span179, datetime(2026, 3, 29, 23, 30, tzinfo=berlin)),
                    (span180, datetime(2026, 3, 30, 0, 30, tzinfo=berlin))):
        order(p, datetime(2025, 10, 1, 0, 30, tzinfo=berlin))  # 30 September in UTC
        order(p, datetime(2025, 12, 1, 12, 0, tzinfo=berlin))
        order(p, datetime(2026, 2, 1, 12, 0, tzinfo=berlin))
        order(p, last)
    with override_settings(TIME_ZONE="Europe/Berlin"):
        classify(as_of=date(2026, 3, 30))
    assert PartyProfile.objects.get(party=span179).loyal is False
    assert PartyProfile.objects.get(party=span180).loyal is True
