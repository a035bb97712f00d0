"""Runs for another day change nothing stored; settings never break a write; revenue
is ranked in one currency; every party gets an action; days read as people say them."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.forms.models import model_to_dict
from django.test import override_settings
from django.utils import translation

from kenal.classification.engine import classify
from kenal.classification.models import (
    ClassificationRun,
    ClassificationSettings,
    PartyProfile,
    ProfileChange,
    ProfileTally,
)
from kenal.classification.reasons import next_best_action_text, reasons_text
from kenal.classification.selectors import business_today
from kenal.classification.services import profiles_recompute
from kenal.commerce.services import LineData, order_create
from kenal.interactions.models import Interaction
from tests.classification.factories import JAKARTA, agreement, at, interaction, line, order, party

pytestmark = pytest.mark.django_db


def today() -> date:
    return business_today()


def days_ago(n: int, clock: str = "10:00") -> datetime:
    return at(f"{today() - timedelta(days=n)} {clock}")


def stored_state() -> tuple:
    profiles = sorted(
        (json.dumps(model_to_dict(p), sort_keys=True, default=str) for p in PartyProfile.objects.all())
    )
    changes = sorted(ProfileChange.objects.values_list("party_id", "field", "from_value", "to_value", "as_of"))
    tally = sorted(ProfileTally.objects.values_list("name", "delta"))
    return profiles, changes, tally, ClassificationRun.objects.count()


def _export(*args: str) -> list[dict]:
    out = io.StringIO()
    call_command("export", "parties", *args, "--language", "en", stdout=out)
    return json.loads(out.getvalue())


# -- 1. a run or an export for another day changes nothing stored ---------------------

def test_it_exports_and_classifies_as_of_another_day_without_changing_anything_stored():
    lapsed = party("Lapsed", external_id="P-1")
    order(lapsed, days_ago(400))
    quiet = party("Quiet", external_id="P-2")
    order(quiet, days_ago(20))
    profiles_recompute()
    before = stored_state()
    assert PartyProfile.objects.get(party=lapsed).next_best_action == "win_back"
    past, future = (today() - timedelta(days=390)).isoformat(), (today() + timedelta(days=400)).isoformat()
    rows = {row["external_id"]: row for row in _export("--as-of", past)}
    assert rows["P-1"]["characteristics"] == ["new"] and rows["P-2"]["relationship"] == "prospect"
    # Days are counted from the export's day: the first order was 10 days before it.
    assert "New: first paid order 10 days ago" in rows["P-1"]["reasons"]
    rows = {row["external_id"]: row for row in _export("--as-of", future, "--format", "json")}
    assert rows["P-2"]["next_best_action"] == "Win them back: the last order was 420 days ago."
    csv_out = io.StringIO()
    call_command("export", "parties", "--as-of", future, "--format", "csv", stdout=csv_out)
    assert csv_out.getvalue().count("\n") == 3
    for day in (past, future):
        call_command("classify", "--as-of", day, stdout=io.StringIO())
    assert stored_state() == before
    profile = PartyProfile.objects.get(party=quiet)
    assert profile.as_of == today() and profile.next_best_action == "onboarding"


def test_it_recomputes_an_override_as_of_today_whatever_day_the_profile_was_stored_for(manager):
    from kenal.classification.services import override_create

    buyer = party()
    order(buyer, days_ago(5))
    classify(as_of=today() - timedelta(days=3))  # as stored by an older version for another day
    override_create(actor=manager, party=buyer, field="characteristic:thrifty", value="true", reason="Asks for deals")
    got = PartyProfile.objects.get(party=buyer)
    assert got.as_of == today() and got.thrifty
    assert not ProfileChange.objects.filter(as_of=today() - timedelta(days=3), field="characteristic:thrifty").exists()


def test_it_exports_today_from_stored_profiles_the_same_as_classify_would_store():
    siti = party("Siti Rahma", external_id="P-1")
    order(siti, days_ago(3))
    fresh = _export()
    assert fresh[0]["characteristics"] == ["new"]
    # Current profiles are read as they are: the same rows again, no new run logged.
    runs = ClassificationRun.objects.count()
    assert _export() == fresh
    assert ClassificationRun.objects.count() == runs
    # A change of settings makes them stale: the export recomputes first.
    ClassificationSettings.objects.create(new_days=1)
    assert _export()[0]["characteristics"] == []


# -- 2. a client that renewed is not a former client ---------------------------------

def test_it_does_not_call_a_current_client_a_former_client_on_its_reasons(csm):
    firm = party("PT Maju", kind="organization")
    agreement(firm, today() - timedelta(days=500), ends_on=today() - timedelta(days=100), csm=csm)
    agreement(firm, today() - timedelta(days=99), csm=csm)
    profiles_recompute()
    got = PartyProfile.objects.get(party=firm)
    assert got.flags == ["client"]
    with translation.override("id"):
        texts = reasons_text(got.reasons)
    assert not any("mantan klien" in text for text in texts)


# -- 3. no value of a setting breaks a write -----------------------------------------

EDGES = {
    "new_days": (0, 2_147_483_647), "potential_days": (0, 2_147_483_647), "impulsive_hours": (0, 2_147_483_647),
    "thrifty_min_orders": (0, 2_147_483_647), "thrifty_share": (0.0, 1e300),
    "loyal_min_orders": (0, 2_147_483_647), "loyal_span_days": (0, 2_147_483_647),
    "loyal_recent_days": (0, 2_147_483_647), "loyal_agreement_days": (0, 2_147_483_647),
    "growing_min_orders": (0, 2_147_483_647), "intermediate_min_units": (Decimal(0), Decimal("999999999.999")),
    "intermediate_share": (0.0, 1e300), "top_revenue_share": (0.0, 1e300),
    "renewal_window_days": (0, 2_147_483_647), "checkin_days": (0, 2_147_483_647),
    "winback_days": (0, 2_147_483_647),
}


@pytest.mark.parametrize("edge", [0, 1])
def test_it_saves_an_order_whatever_the_settings_hold(edge):
    ClassificationSettings.objects.create(top_tiers="", **{name: values[edge] for name, values in EDGES.items()})
    buyer = party("Budi")
    agreement(buyer, today() - timedelta(days=30), tier="enterprise")
    order(buyer, days_ago(2))
    profiles_recompute()
    order_create(actor=None, buyer=buyer, lines=[LineData(sku="KOPI", unit_price=Decimal(25_000))])
    got = PartyProfile.objects.get(party=buyer)
    assert got.relationship == "client" and got.paid_orders == 2


def test_it_saves_an_order_with_no_top_tier_configured():
    ClassificationSettings.objects.create(top_tiers="  , ")
    buyer = party("Budi")
    order_create(actor=None, buyer=buyer, lines=[LineData(sku="KOPI", unit_price=Decimal(25_000))])
    assert PartyProfile.objects.get(party=buyer).relationship == "customer"


# -- 4. revenue is ranked in the business currency only ------------------------------

@override_settings(KENAL_DEFAULT_CURRENCY="IDR")
def test_it_ranks_revenue_in_the_business_currency_only_and_says_what_it_left_out():
    def loyal(who, amount: int, currency: str = "IDR") -> None:
        for n in (300, 200, 100, 10):
            order_create(actor=None, buyer=who, occurred_at=days_ago(n), currency=currency,
                         lines=[LineData(sku="KOPI", unit_price=Decimal(amount))])

    dollars = party("Dollar buyer")
    loyal(dollars, 5_000, "USD")  # 20,000 dollars: added to rupiah, it would top the ranking
    rupiah = party("Rupiah buyer")
    loyal(rupiah, 2_000_000)
    for n in range(9):
        loyal(party(f"Small {n}"), 1_000)
    profiles_recompute()
    top = PartyProfile.objects.get(party=rupiah)
    other = PartyProfile.objects.get(party=dollars)
    assert top.next_best_action == "propose_client" and top.revenue_12m == Decimal(8_000_000)
    assert other.next_best_action != "propose_client" and other.revenue_12m == 0
    with translation.override("en"):
        assert (
            "Revenue ranking in IDR only: 4 paid orders of the last 12 months in other currencies are left out"
            in reasons_text(other.reasons)
        )
    assert not any(reason["code"] == "revenue_other_currency" for reason in top.reasons)


# -- 5. every party gets an action, or "nothing to do now" and why --------------------

def test_it_asks_first_to_answer_an_unanswered_question_naming_who_when_and_where(csm):
    siti = party("Siti Rahma")
    for n in (300, 200, 100, 10):
        order(siti, days_ago(n))
    Interaction.objects.create(party=siti, occurred_at=at("2026-11-29 09:00"), channel="instagram",
                               direction="inbound", kind="question", source_key="q-1")
    answered = party("Answered")
    interaction(answered, days_ago(4), kind="complaint")
    interaction(answered, days_ago(3), direction="outbound")
    firm = party("PT Maju", kind="organization")
    agreement(firm, today() - timedelta(days=100), csm=csm)
    Interaction.objects.create(party=firm, occurred_at=at("2025-12-30 09:00"), channel="email",
                               direction="inbound", kind="complaint", source_key="q-2")
    classify(as_of=date(2026, 12, 1))
    got = PartyProfile.objects.get(party=siti)
    assert got.next_best_action == "answer"
    with translation.override("en"):
        assert next_best_action_text(got.next_best_action, got.next_best_action_params) == (
            "Answer Siti’s question from 29 Nov on Instagram."
        )
    with translation.override("id"):
        assert next_best_action_text(got.next_best_action, got.next_best_action_params) == (
            "Jawab pertanyaan Siti tanggal 29 Nov lewat Instagram."
        )
    assert PartyProfile.objects.get(party=answered).next_best_action != "answer"
    firm_profile = PartyProfile.objects.get(party=firm)
    with translation.override("en"):
        assert next_best_action_text(firm_profile.next_best_action, firm_profile.next_best_action_params) == (
            "Answer PT Maju’s complaint from 30 Dec 2025 on Email."
        )


def test_it_gives_every_party_an_action_or_says_why_there_is_nothing_to_do(csm):
    newcomer = party("Prospect")  # nobody wrote to them
    waiting = party("Waiting")
    interaction(waiting, days_ago(200), direction="outbound")
    branch = party("Cabang Bandung", scope="internal")
    for n in (300, 200, 100, 10):
        order(branch, days_ago(n), line(unit_price=50_000_000))
    quiet_client = party("Quiet client")
    agreement(quiet_client, today() - timedelta(days=100), csm=csm)
    interaction(quiet_client, days_ago(31), direction="outbound")
    happy_client = party("Happy client")
    agreement(happy_client, today() - timedelta(days=100), csm=csm)
    interaction(happy_client, days_ago(1), direction="outbound")
    steady = party("Steady")
    order(steady, days_ago(100))
    profiles_recompute()
    actions = {p.party.name: p.next_best_action for p in PartyProfile.objects.select_related("party")}
    assert actions == {
        "Prospect": "introduce", "Waiting": "nothing_prospect", "Cabang Bandung": "nothing_internal",
        "Quiet client": "csm_checkin", "Happy client": "nothing_client", "Steady": "nothing_customer",
    }
    with translation.override("en"):
        texts = {p.party.name: next_best_action_text(p.next_best_action, p.next_best_action_params)
                 for p in PartyProfile.objects.select_related("party")}
    assert texts["Happy client"] == (
        "Nothing to do now: in touch yesterday, with a manager and an agreement that runs on."
    )
    assert texts["Steady"] == "Nothing to do now: the last order was 100 days ago and no question is open."
    assert texts["Quiet client"] == "Check in: the last contact with this client was 31 days ago."
    assert all(texts.values())


# -- 8. days as people say them ---------------------------------------------------------

def test_it_says_today_and_yesterday_instead_of_zero_or_one_days_ago():
    fresh, yesterday = party(), party()
    order(fresh, days_ago(0, "08:00"))
    order(yesterday, days_ago(1))
    loyal = party()
    for n in (200, 100, 50, 0):
        order(loyal, days_ago(n, "08:00"))
    profiles_recompute()

    def words(p, language: str) -> list[str]:
        with translation.override(language):
            return reasons_text(PartyProfile.objects.get(party=p).reasons)

    assert "New: first paid order today" in words(fresh, "en")
    assert "Baru: pesanan berbayar pertama hari ini" in words(fresh, "id")
    assert "New: first paid order yesterday" in words(yesterday, "en")
    assert "Baru: pesanan berbayar pertama kemarin" in words(yesterday, "id")
    assert "Loyal: 4 orders over 200 days, the last one today" in words(loyal, "en")
    assert not any(re.search(r"\b[01] days?\b", text) for text in words(loyal, "en") + words(fresh, "en"))
