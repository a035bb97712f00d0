"""Background work, run by `kenal db_worker`: recomputes on demand and every night.

Time alone changes results (a "new" customer stops being new after 30 days), so every
party is recomputed each night. The nightly task schedules its own next run, and
``nightly_schedule`` (called when Kenal starts serving) makes sure one is waiting."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime, time, timedelta

from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from kenal.classification.selectors import business_zone
from kenal.classification.services import profiles_recompute

NIGHTLY_AT = time(2, 0)  # business time: after the day's facts, before the morning's work


def _recompute() -> dict:
    summary = profiles_recompute()
    result = asdict(summary)
    result["as_of"] = summary.as_of.isoformat()
    return result


@task()
def recompute_all() -> dict:
    """Recompute every party as of today in the business's time zone."""
    return _recompute()


@task()
def recompute_nightly() -> dict:
    """The nightly recompute; it books the next night's before it returns."""
    result = _recompute()
    nightly_schedule()  # this run is RUNNING now, so it does not count as waiting
    return result


def next_nightly_run(now: datetime | None = None) -> datetime:
    local = (now or timezone.now()).astimezone(business_zone())
    run = datetime.combine(local.date(), NIGHTLY_AT, tzinfo=business_zone())
    return run if run > local else run + timedelta(days=1)


def nightly_schedule() -> bool:
    """Enqueue the next nightly recompute unless one is already waiting. Returns
    whether it enqueued one."""
    waiting = DBTaskResult.objects.filter(task_path=recompute_nightly.module_path, status=TaskResultStatus.READY)
    if waiting.exists():
        return False
    recompute_nightly.using(run_after=next_nightly_run()).enqueue()
    return True
