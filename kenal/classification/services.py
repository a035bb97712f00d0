"""Every change to classification results goes through here: recomputes and overrides."""

from __future__ import annotations

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
    PartyProfile,
    ProfileOverride,
    Relationship,
)
from kenal.parties.models import Party, Scope


def profiles_recompute(*, as_of: date | None = None, party_ids: list[int] | None = None) -> ClassifySummary:
    """Recompute and store profiles as of a day (default: today in the business's zone)."""
    return classify(as_of=as_of, party_ids=party_ids)


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
    if field not in OverrideField.values:
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
    """Show the change at once, as of the same day as the party's stored profile."""
    stored = PartyProfile.objects.filter(party_id=party_id).values_list("as_of", flat=True).first()
    classify(as_of=stored, party_ids=[party_id])


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
