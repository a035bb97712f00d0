"""Every change to a party goes through here: the web UI, the API, imports and tests."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kenal.audit.services import audit_record
from kenal.classification.actions import profiles_refresh
from kenal.classification.engine import tally_forget
from kenal.commerce.models import OrderLine
from kenal.parties.contacts import normalize_contact
from kenal.parties.models import ContactKind, ContactPoint, Party, PartyKind


@dataclass
class PartyData:
    """What a user may set on a party. ``contacts`` is a list of (kind, raw value)."""

    name: str
    kind: str = PartyKind.PERSON
    external_id: str | None = None
    language: str = ""
    scope: str = ""
    objects_to_profiling: bool = False
    first_contact_at: datetime | None = None
    referred_by: Party | None = None
    member_of: Party | None = None
    notes: str = ""
    contacts: list[tuple[str, str]] = field(default_factory=list)


SCALAR_FIELDS = [f.name for f in fields(PartyData) if f.name != "contacts"]


def _clean(data: PartyData, party: Party | None) -> list[tuple[str, str]]:
    """Validate everything at once and return the normalised contact points; raise one
    ValidationError keyed by field so a form or API can show each message in place."""
    errors: dict[str, list[str]] = {}
    if not data.name or not data.name.strip():
        errors.setdefault("name", []).append(_("A name is required."))
    if data.kind not in PartyKind.values:
        errors.setdefault("kind", []).append(_("Choose a person or an organisation."))
    if data.external_id:
        taken = Party.objects.filter(external_id=data.external_id)
        if party is not None:
            taken = taken.exclude(pk=party.pk)
        if taken.exists():
            errors.setdefault("external_id", []).append(
                _("Another party already has the external id “%(value)s”.") % {"value": data.external_id}
            )
    if data.member_of is not None:
        if data.member_of.kind != PartyKind.ORGANIZATION:
            errors.setdefault("member_of", []).append(_("A party can only be a member of an organisation."))
        elif party is not None and data.member_of.pk == party.pk:
            errors.setdefault("member_of", []).append(_("A party cannot be a member of itself."))
    if data.referred_by is not None and party is not None and data.referred_by.pk == party.pk:
        errors.setdefault("referred_by", []).append(_("A party cannot refer itself."))
    contacts: list[tuple[str, str]] = []
    for kind, raw in data.contacts:
        if not raw or not raw.strip():
            continue
        if kind not in ContactKind.values:
            errors.setdefault("contacts", []).append(_("Unknown kind of contact point: %(kind)s") % {"kind": kind})
            continue
        try:
            value = normalize_contact(kind, raw)
        except ValidationError as exc:
            errors.setdefault("contacts", []).extend(exc.messages)
            continue
        if (kind, value) not in contacts:
            contacts.append((kind, value))
    if errors:
        raise ValidationError(errors)
    return contacts


def _sync_contacts(party: Party, contacts: list[tuple[str, str]]) -> None:
    existing = {(c.kind, c.value): c.pk for c in party.contact_points.all()}
    wanted = set(contacts)
    stale = [pk for key, pk in existing.items() if key not in wanted]
    if stale:
        ContactPoint.objects.filter(pk__in=stale).delete()
    ContactPoint.objects.bulk_create(
        [ContactPoint(party=party, kind=k, value=v) for k, v in contacts if (k, v) not in existing]
    )


def _snapshot(party: Party) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in SCALAR_FIELDS:
        value = getattr(party, name)
        out[name] = value.pk if isinstance(value, Party) else (value.isoformat() if isinstance(value, datetime) else value)
    out["contacts"] = sorted(f"{c.kind}:{c.value}" for c in party.contact_points.all())
    return out


@transaction.atomic
def party_create(*, actor: Any | None, data: PartyData) -> Party:
    contacts = _clean(data, None)
    party = Party(**{name: getattr(data, name) for name in SCALAR_FIELDS})
    party.name = party.name.strip()
    party.external_id = party.external_id or None
    party.save()
    _sync_contacts(party, contacts)
    audit_record(actor=actor, action="party.create", target=party, changes=_snapshot(party))
    # Classified at once, so its journey starts here (as a prospect, usually).
    profiles_refresh(party_ids=[party.pk])
    return party


@transaction.atomic
def party_update(*, actor: Any | None, party: Party, data: PartyData) -> Party:
    contacts = _clean(data, party)
    before = _snapshot(party)
    old_referrer_id = party.referred_by_id
    for name in SCALAR_FIELDS:
        setattr(party, name, getattr(data, name))
    party.name = party.name.strip()
    party.external_id = party.external_id or None
    party.save()
    _sync_contacts(party, contacts)
    after = _snapshot(party)
    changed = {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
    if changed:
        audit_record(actor=actor, action="party.update", target=party, changes=changed)
        # Kind, type, referral and the objection to profiling all feed the classification;
        # a referrer's "growing" reads its referrals, so the one it lost is redone too.
        profiles_refresh(party_ids=[party.pk, old_referrer_id])
    return party


@transaction.atomic
def party_delete(*, actor: Any | None, party: Party) -> None:
    """Delete a party with its facts (orders, agreements, interactions), audited, and
    reclassify at once whom its facts touched: the party that referred it (whose
    "growing" may rest on it), the consumers of what it bought, and the buyers of
    what it used."""
    touched = {party.referred_by_id}
    touched |= set(
        OrderLine.objects.filter(order__buyer=party, consumer__isnull=False).values_list("consumer_id", flat=True)
    )
    touched |= set(OrderLine.objects.filter(consumer=party).values_list("order__buyer_id", flat=True))
    touched.discard(party.pk)
    audit_record(actor=actor, action="party.delete", target=party, changes={
        "name": party.name, "external_id": party.external_id,
    })
    tally_forget(party_id=party.pk)
    party.delete()
    profiles_refresh(party_ids=touched)
