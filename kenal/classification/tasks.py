"""Background work: the nightly recompute, run by `kenal db_worker`."""

from __future__ import annotations

from dataclasses import asdict

from django_tasks import task

from kenal.classification.services import profiles_recompute


@task()
def recompute_all() -> dict:
    """Recompute every party as of today in the business's time zone."""
    summary = profiles_recompute()
    result = asdict(summary)
    result["as_of"] = summary.as_of.isoformat()
    return result
