"""Writes around the engine that the screens need: reclassifying the parties a new
fact touches, and saving the business's classification settings.

They sit beside ``services.py`` (the engine's recompute and overrides) and call it;
the fact services of commerce, agreements and interactions call ``profiles_refresh``
inside their own transaction so a saved fact shows in the profile at once."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from kenal.audit.services import audit_record
from kenal.classification import rules
from kenal.classification.models import ClassificationSettings
from kenal.classification.services import profiles_recompute
from kenal.classification.tasks import recompute_all
from kenal.parties.models import Party


def profiles_refresh(*, party_ids: Iterable[int | None]) -> list[int]:
    """Reclassify these parties as of today, with the parties that referred them: a
    referrer's ``growing`` reads its referrals' flags, and a one-party recompute does
    not touch the referrer by itself. Returns the ids recomputed."""
    ids = {int(pk) for pk in party_ids if pk is not None}
    if not ids:
        return []
    referrers = Party.objects.filter(pk__in=ids, referred_by__isnull=False).values_list("referred_by_id", flat=True)
    recomputed = sorted(ids | set(referrers))
    profiles_recompute(party_ids=recomputed)
    return recomputed


SETTINGS_FIELDS = [
    field.name for field in ClassificationSettings._meta.concrete_fields if field.name not in {"id", "updated_at"}
]


def _jsonable(value: Any) -> Any:
    # Decimals as plain text without trailing zeros, so 12 and 12.000 compare equal.
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def profile_defaults(profile: str) -> dict[str, Any]:
    """Every threshold's default under a business profile: DOMAIN.md's numbers (the
    settings' own defaults) with the profile's own (rules.PROFILE_DEFAULTS)."""
    defaults = {
        name: ClassificationSettings._meta.get_field(name).get_default() for name in SETTINGS_FIELDS if name != "profile"
    }
    return {**defaults, **rules.PROFILE_DEFAULTS.get(profile, {})}


def _same(a: Any, b: Any) -> bool:
    return _jsonable(Decimal(str(a)) if isinstance(a, (int, float)) else a) == _jsonable(
        Decimal(str(b)) if isinstance(b, (int, float)) else b
    )


def _with_profile_defaults(current: ClassificationSettings, values: dict[str, Any]) -> dict[str, Any]:
    """The values to store when the profile changes: each threshold still at the old
    profile's default, and not changed in the same form, takes the new profile's
    default; those a manager set by hand stay as they are."""
    profile = values.get("profile", current.profile)
    if profile == current.profile:
        return values
    old, new = profile_defaults(current.profile), profile_defaults(profile)
    values = dict(values)
    for name, default in new.items():
        stored = getattr(current, name)
        if _same(stored, old[name]) and _same(values.get(name, stored), stored):
            values[name] = default
    return values


@transaction.atomic
def settings_update(*, actor: Any, values: dict[str, Any]) -> ClassificationSettings:
    """Store the business profile and thresholds, audit what changed, and enqueue a
    recompute of every party under the new numbers. The task row is written in this
    transaction, so a worker never sees it before the settings it depends on.

    Choosing another profile also moves the thresholds still at the old profile's
    defaults to the new one's (``_with_profile_defaults``)."""
    if not getattr(actor, "is_manager", False):
        raise PermissionDenied(_("Only a manager can change the classification settings."))
    current = ClassificationSettings.objects.select_for_update().order_by("id").first() or ClassificationSettings()
    # An unsaved default holds the plain int 12; compare it as the Decimal it will be.
    current.intermediate_min_units = Decimal(current.intermediate_min_units)
    values = _with_profile_defaults(current, values)
    before = {name: _jsonable(getattr(current, name)) for name in SETTINGS_FIELDS}
    for name in SETTINGS_FIELDS:
        if name in values:
            setattr(current, name, values[name])
    current.full_clean()
    current.save()
    current.refresh_from_db()
    after = {name: _jsonable(getattr(current, name)) for name in SETTINGS_FIELDS}
    changed = {name: [before[name], after[name]] for name in SETTINGS_FIELDS if before[name] != after[name]}
    audit_record(actor=actor, action="classification.settings_update", target=current, changes=changed)
    recompute_all.enqueue()
    return current
