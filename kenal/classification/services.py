"""Every change to classification results goes through here: recomputes and overrides."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenal.audit.services import audit_record
from kenal.classification.engine import ClassifySummary, classify
from kenal.classification.models import (
    OverrideField,
    ProfileOverride,
    Relationship,
    override_fields,
)
from kenal.classification.selectors import business_today
from kenal.parties.models import Party, Scope


def profiles_recompute(
    *, as_of: date | None = None, party_ids: list[int] | None = None, read: Callable[[Any], Any] | None = None,
) -> ClassifySummary:
    """Recompute profiles as of a day (default: today in the business's zone).

    Only a run for today stores anything (profiles, history, counts, the runs log):
    the profiles and the party list always show today. A run for another day, past
    or future, computes on the side: ``read(cursor)`` may read its results from the
    engine's table ``cls_out`` (engine.classify) before they go, and nothing stays."""
    today = business_today()
    day = as_of or today
    return classify(as_of=day, party_ids=party_ids, store=day == today, read=read)


def profiles_replay(*, as_of: date) -> ClassifySummary:
    """Store a run for a past day as if it had run then, history included. Only for
    filling a fresh demo database with a year of journeys; never for real data,
    whose profiles must show today (``profiles_recompute``)."""
    return classify(as_of=as_of, store=True)


def _allowed_values(field: str) -> list[str]:
    if field == OverrideField.RELATIONSHIP:
        return list(Relationship.values)
    if field == OverrideField.CUSTOMER_TYPE:
        return list(Scope.values)
    return ["true", "false"]


def _require_manager(actor: Any) -> None:
    if not getattr(actor, "is_manager", False):
        raise PermissionDenied(_("Only a manager can override a classification."))


@transaction.atomic
def override_create(*, actor: Any, party: Party, field: str, value: str, reason: str) -> ProfileOverride:
    """Set one result by hand. It replaces an earlier override of the same field and
    holds through every recompute until withdrawn."""
    _require_manager(actor)
    errors: dict[str, list[str]] = {}
    if field not in override_fields():
        errors["field"] = [_("Choose what to override.")]
    elif value not in _allowed_values(field):
        errors["value"] = [_("“%(value)s” is not a possible value here.") % {"value": value}]
    if not reason or not reason.strip():
        errors["reason"] = [_("Write why you override the result.")]
    if errors:
        raise ValidationError(errors)
    for earlier in ProfileOverride.objects.select_for_update().filter(party=party, field=field, withdrawn_at__isnull=True):
        _withdraw(actor=actor, override=earlier)
    override = ProfileOverride.objects.create(
        party=party, field=field, value=value, reason=reason.strip(), created_by=actor
    )
    audit_record(
        actor=actor, action="classification.override", target=party,
        changes={"field": field, "value": value, "reason": override.reason},
    )
    _recompute_one(party.pk)
    return override


def _recompute_one(party_id: int) -> None:
    """Show the change at once. As of today, whatever day the stored profile was
    computed for: only today's results are ever stored."""
    profiles_recompute(party_ids=[party_id])


def _withdraw(*, actor: Any, override: ProfileOverride) -> None:
    override.withdrawn_at = timezone.now()
    override.withdrawn_by = actor
    override.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=actor, action="classification.override_withdraw", target=override.party,
        changes={"field": override.field, "value": override.value},
    )


@transaction.atomic
def override_withdraw(*, actor: Any, override: ProfileOverride) -> ProfileOverride:
    """Give the result back to the rules."""
    _require_manager(actor)
    if override.withdrawn_at is not None:
        raise ValidationError(_("This override was already withdrawn."))
    _withdraw(actor=actor, override=override)
    _recompute_one(override.party_id)
    return override


def profiles_current(today: date) -> bool:
    """Whether the stored profiles already are what a run for ``today`` would store,
    so an export for today can read them instead of recomputing a million parties.

    They are when a full run for today went after the last change of settings and the
    last import (imports write facts in bulk, without recomputing anyone), and every
    party has a profile: every other write of a fact (an order, a message, an
    agreement, a party, an override) recomputes its parties as of today in its own
    transaction. One-party recomputes rank revenue by the full run's threshold, as a
    full run for today would have just computed it."""
    from kenal.classification.explain import latest_full_run
    from kenal.classification.models import PartyProfile
    from kenal.classification.selectors import classification_settings_current
    from kenal.interchange.models import ImportRun

    run = latest_full_run()
    if run is None or run.as_of != today:
        return False
    cfg = classification_settings_current()
    if cfg.pk is not None and cfg.updated_at >= run.started_at:
        return False
    if ImportRun.objects.filter(at__gte=run.started_at).exists():
        return False
    return PartyProfile.objects.count() == Party.objects.count()


def parties_export(*, as_of: date | None, language: str, emit: Callable[[Iterator[dict[str, Any]]], None]) -> date:
    """Every party as an INTERCHANGE.md export row, as of a day (default today):
    ``emit`` gets an iterator of the rows, streamed from the database a chunk at a
    time. For today: the stored profiles, recomputed first unless already current
    (``profiles_current``). For another day: a run on the side, its results read
    from the engine's table before it goes; nothing stored changes. Returns the day."""
    from django.db import connection

    from kenal.classification.models import PartyProfile
    from kenal.classification.selectors import export_query, export_rows

    today = business_today()
    day = as_of or today

    def read(table: str) -> None:
        # A server-side cursor on PostgreSQL (psycopg would otherwise fetch every row
        # at once); SQLite's cursor steps through the result as it is read.
        with connection.chunked_cursor() as cursor:
            cursor.execute(export_query(table))
            emit(export_rows(cursor, facts_day=day, language=language))

    if day != today:
        profiles_recompute(as_of=day, read=lambda _cursor: read("cls_out"))
        return day
    with transaction.atomic():
        if not profiles_current(today):
            profiles_recompute(as_of=today)
        read(PartyProfile._meta.db_table)
    return day
