"""The next best action each party gets, in priority order."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import translation

from kenal.classification.engine import classify
from kenal.classification.models import ClassificationSettings, PartyProfile
from kenal.classification.reasons import next_best_action_text
from kenal.classification.tasks import recompute_all
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


def days_ago(n: int, clock: str = "10:00"):
    return at(f"{AS_OF - timedelta(days=n)} {clock}")


def action(p) -> tuple[str, dict]:
    got = PartyProfile.objects.get(party=p)
    return got.next_best_action, got.next_best_action_params


def test_it_asks_to_assign_a_csm_then_to_renew_then_to_check_in(csm):
    no_csm, ending, quiet, cared_for, auto = party(), party(), party(), party(), party()
    agreement(no_csm, AS_OF - timedelta(days=10))
    agreement(ending, AS_OF - timedelta(days=300), ends_on=AS_OF + timedelta(days=60), csm=csm)
    agreement(quiet, AS_OF - timedelta(days=300), csm=csm)
    interaction(quiet, days_ago(31), direction="outbound")
    agreement(cared_for, AS_OF - timedelta(days=300), ends_on=AS_OF + timedelta(days=61), csm=csm)
    interaction(cared_for, days_ago(30), direction="outbound")
    agreement(auto, AS_OF - timedelta(days=300), ends_on=AS_OF + timedelta(days=5), csm=csm, auto_renew=True)
    interaction(auto, days_ago(1))
    classify(as_of=AS_OF)
    assert action(no_csm) == ("assign_csm", {})
    assert action(ending) == ("renewal_talk", {"days": 60})
    assert action(quiet) == ("csm_checkin", {"days": 31})
    assert action(cared_for) == ("nothing_client", {"days": 30})
    assert action(auto) == ("nothing_client", {"days": 1})
    with translation.override("en"):
        assert next_best_action_text(*action(ending)) == (
            "Start the renewal talk: the agreement ends in 60 days and does not renew by itself."
        )


def test_it_does_not_ask_to_renew_an_agreement_already_followed_by_a_signed_one(csm):
    renewed = party()
    agreement(renewed, AS_OF - timedelta(days=300), ends_on=AS_OF + timedelta(days=20), csm=csm)
    agreement(renewed, AS_OF + timedelta(days=21), ends_on=AS_OF + timedelta(days=400), signed=days_ago(3), csm=csm)
    interaction(renewed, days_ago(2))
    classify(as_of=AS_OF)
    assert action(renewed) == ("nothing_client", {"days": 2})


def _loyal_orders(p, total: int) -> None:
    for n in (300, 200, 100, 10):
        order(p, days_ago(n), line(unit_price=total))


def test_it_proposes_a_client_engagement_to_a_loyal_top_customer_or_top_tier():
    top = party()
    _loyal_orders(top, 10_000_000)
    loyal_small = party()
    _loyal_orders(loyal_small, 100)
    enterprise_alumnus = party()
    _loyal_orders(enterprise_alumnus, 1_000)
    agreement(enterprise_alumnus, AS_OF - timedelta(days=900), ends_on=AS_OF - timedelta(days=400), tier="enterprise")
    for _ in range(9):
        order(party(), days_ago(400))  # buyers outside the 12 months do not count
        order(party(), days_ago(50), line(unit_price=500))
    classify(as_of=AS_OF)
    assert action(top)[0] == "propose_client"
    assert action(loyal_small)[0] == "nothing_customer"
    assert action(enterprise_alumnus)[0] == "propose_client"


def test_it_honours_the_top_tiers_setting():
    ClassificationSettings.objects.create(top_tiers="gold, platinum")
    alumnus = party()
    _loyal_orders(alumnus, 1_000)
    agreement(alumnus, AS_OF - timedelta(days=900), ends_on=AS_OF - timedelta(days=400), tier="gold")
    classify(as_of=AS_OF)
    assert action(alumnus)[0] == "propose_client"


def test_it_suggests_win_back_promotion_onboarding_follow_up_referral_and_registration():
    lapsed, thrifty, newcomer, curious, referrer, user = (party() for _ in range(6))
    order(lapsed, days_ago(366))
    order(thrifty, days_ago(200), line(promo_code="HEMAT"))
    order(thrifty, days_ago(100))
    order(newcomer, days_ago(3), line(promo_code="HEMAT"))
    order(newcomer, days_ago(2), line(promo_code="HEMAT"))
    interaction(curious, days_ago(5))
    order(referrer, days_ago(200))
    order(referrer, days_ago(100))
    order(party(referred_by=referrer), days_ago(20))
    order(party(), days_ago(20), line(consumer=user))
    classify(as_of=AS_OF)
    assert action(lapsed) == ("win_back", {"days": 366})
    assert action(thrifty)[0] == "promotion"
    assert action(newcomer)[0] == "onboarding"
    assert action(curious)[0] == "follow_up_strengths"
    assert action(referrer)[0] == "referral_thanks"
    assert action(user)[0] == "invite_register"


def test_it_does_not_win_back_a_customer_who_ordered_365_days_ago():
    recent = party()
    order(recent, days_ago(365, "00:00"))
    classify(as_of=AS_OF)
    assert action(recent) == ("nothing_customer", {"days": 365})


def test_it_stores_the_csm_of_the_latest_active_agreement(csm, manager):
    firm = party(kind="organization")
    agreement(firm, AS_OF - timedelta(days=300), csm=manager)
    agreement(firm, AS_OF - timedelta(days=30), csm=csm)
    agreement(firm, AS_OF - timedelta(days=10), csm=None)
    classify(as_of=AS_OF)
    assert PartyProfile.objects.get(party=firm).csm == csm


@override_settings(TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_it_recomputes_everyone_in_the_nightly_task():
    buyer = party()
    order(buyer, at("2026-01-01 10:00"))
    result = recompute_all.enqueue()
    assert result.return_value["parties"] == 1
    assert result.return_value["relationships"] == {"customer": 1}
    assert PartyProfile.objects.get(party=buyer).relationship == "customer"
