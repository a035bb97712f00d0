from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django_tasks_db.models import DBTaskResult

from kenal.classification.models import PartyProfile
from kenal.classification.services import profiles_replay
from kenal.classification.tasks import next_nightly_run, nightly_schedule, recompute_nightly
from tests.classification.factories import order, party

JAKARTA = ZoneInfo("Asia/Jakarta")
pytestmark = pytest.mark.django_db


def test_it_runs_the_nightly_recompute_at_two_in_the_morning_business_time():
    evening = datetime(2026, 5, 1, 21, 0, tzinfo=JAKARTA)
    assert next_nightly_run(evening) == datetime(2026, 5, 2, 2, 0, tzinfo=JAKARTA)
    small_hours = datetime(2026, 5, 2, 1, 59, tzinfo=JAKARTA)
    assert next_nightly_run(small_hours) == datetime(2026, 5, 2, 2, 0, tzinfo=JAKARTA)


def test_it_keeps_exactly_one_nightly_recompute_waiting():
    assert nightly_schedule() is True
    assert nightly_schedule() is False
    waiting = DBTaskResult.objects.get(task_path=recompute_nightly.module_path, status="READY")
    assert waiting.run_after.astimezone(JAKARTA).hour == 2
    assert waiting.run_after - datetime.now(JAKARTA) <= timedelta(days=1)


def test_it_stops_calling_a_customer_new_when_the_nightly_run_sees_time_pass():
    buyer = party("Sari")
    today = datetime.now(JAKARTA)
    order(buyer, today - timedelta(days=31))
    profiles_replay(as_of=(today - timedelta(days=2)).date())  # as the run two nights ago stored it
    assert PartyProfile.objects.get(party=buyer).new  # 29 days after the first order
    result = recompute_nightly.call()
    profile = PartyProfile.objects.get(party=buyer)
    assert profile.relationship == "customer" and not profile.new
    assert result["parties"] >= 1
    # and it booked the next night's run
    assert DBTaskResult.objects.filter(task_path=recompute_nightly.module_path, status="READY").count() == 1
