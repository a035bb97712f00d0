"""Every agreement written through Kenal goes through here. An agreement makes its
party a client only once both sides have signed it (DOMAIN.md), so each signature
reclassifies the party at once."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kenal.agreements.models import Agreement, ServiceKind
from kenal.audit.services import audit_record
from kenal.classification.actions import profiles_refresh
from kenal.core.money import currency_normalize
from kenal.parties.models import Party


class Side:
    PROVIDER = "provider"
    CLIENT = "client"


SIGNATURE_FIELDS = {Side.PROVIDER: "signed_by_provider_at", Side.CLIENT: "signed_by_client_at"}


@dataclass
class AgreementData:
    title: str
    starts_on: date
    ends_on: date | None = None
    terminated_on: date | None = None
    external_id: str | None = None
    service_kind: str = ServiceKind.PROFESSIONAL_SERVICE
    tier: str = ""
    auto_renew: bool = False
    value: Decimal | None = None
    currency: str = settings.KENAL_DEFAULT_CURRENCY
    billing_period: str = ""
    csm: Any | None = None
    signed_by_provider_at: datetime | None = None
    signed_by_client_at: datetime | None = None


def _clean(data: AgreementData, agreement: Agreement | None = None) -> None:
    errors: dict[str, list[str]] = {}
    if not data.title or not data.title.strip():
        errors.setdefault("title", []).append(_("A title is required."))
    if data.ends_on is not None and data.ends_on < data.starts_on:
        errors.setdefault("ends_on", []).append(_("The agreement cannot end before it starts."))
    if data.terminated_on is not None and data.terminated_on < data.starts_on:
        errors.setdefault("terminated_on", []).append(_("The agreement cannot be terminated before it starts."))
    if data.service_kind not in ServiceKind.values:
        errors.setdefault("service_kind", []).append(_("Choose a kind of service."))
    if data.value is not None and data.value < 0:
        errors.setdefault("value", []).append(_("The value cannot be negative."))
    try:
        currency_normalize(data.currency)
    except ValidationError as exc:
        errors.setdefault("currency", []).extend(exc.messages)
    for field in SIGNATURE_FIELDS.values():
        signed = getattr(data, field)
        if signed is not None and signed > timezone.now():
            errors.setdefault(field, []).append(_("A signature cannot be in the future."))
    if data.external_id:
        taken = Agreement.objects.filter(external_id=data.external_id)
        if agreement is not None:
            taken = taken.exclude(pk=agreement.pk)
        if taken.exists():
            errors.setdefault("external_id", []).append(
                _("Another agreement already has the external id “%(value)s”.") % {"value": data.external_id}
            )
    if errors:
        raise ValidationError(errors)


def agreement_check(*, data: AgreementData, agreement: Agreement | None = None) -> None:
    """Raise the ValidationError the services would raise for these values, without
    writing; for forms that must show the messages before they save."""
    _clean(data, agreement)


def _snapshot(agreement: Agreement) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for spec in fields(AgreementData):
        value = getattr(agreement, spec.name)
        if spec.name == "csm":
            value = agreement.csm_id
        elif isinstance(value, (date, datetime)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        out[spec.name] = value
    return out


@transaction.atomic
def agreement_create(*, actor: Any | None, party: Party, data: AgreementData) -> Agreement:
    """Record an agreement (a proposal until both sides sign) and reclassify its party."""
    _clean(data)
    values = {spec.name: getattr(data, spec.name) for spec in fields(AgreementData)}
    values["title"] = data.title.strip()
    values["external_id"] = data.external_id or None
    values["currency"] = currency_normalize(data.currency)
    agreement = Agreement.objects.create(party=party, **values)
    audit_record(actor=actor, action="agreement.create", target=agreement, changes=_snapshot(agreement))
    profiles_refresh(party_ids=[party.pk])
    return agreement


@transaction.atomic
def agreement_sign(*, actor: Any | None, agreement: Agreement, side: str, at: datetime | None = None) -> Agreement:
    """Record one side's signature (default: now). The second signature concludes the
    agreement; from its start day the party is a client."""
    if side not in SIGNATURE_FIELDS:
        raise ValidationError({"side": [_("Choose who signs: the provider or the client.")]})
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    field = SIGNATURE_FIELDS[side]
    if getattr(agreement, field) is not None:
        raise ValidationError({"side": [_("This side has already signed the agreement.")]})
    signed_at = at or timezone.now()
    setattr(agreement, field, signed_at)
    agreement.save(update_fields=[field, "updated_at"])
    audit_record(actor=actor, action="agreement.sign", target=agreement, changes={
        "side": side, field: signed_at.isoformat(), "concluded": agreement.is_signed,
    })
    profiles_refresh(party_ids=[agreement.party_id])
    return agreement


def agreement_data_of(agreement: Agreement) -> AgreementData:
    """An agreement's current values, to change a few of them."""
    return AgreementData(**{spec.name: getattr(agreement, spec.name) for spec in fields(AgreementData)})


@transaction.atomic
def agreement_update(*, actor: Any | None, agreement: Agreement, data: AgreementData) -> Agreement:
    """Correct an agreement: dates, signatures, terms. Whether the party is a client
    depends on them, so it is reclassified at once."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    _clean(data, agreement)
    before = _snapshot(agreement)
    for spec in fields(AgreementData):
        setattr(agreement, spec.name, getattr(data, spec.name))
    agreement.title = data.title.strip()
    agreement.external_id = data.external_id or None
    agreement.currency = currency_normalize(data.currency)
    agreement.save()
    after = _snapshot(agreement)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit_record(actor=actor, action="agreement.update", target=agreement, changes=changed)
        profiles_refresh(party_ids=[agreement.party_id])
    return agreement


@transaction.atomic
def agreement_terminate(*, actor: Any | None, agreement: Agreement, on: date) -> Agreement:
    """End an agreement early: from ``on`` (the first day it no longer applies) it
    makes nobody a client. Reclassifies the party at once."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if on < agreement.starts_on:
        raise ValidationError({"terminated_on": [_("The agreement cannot be terminated before it starts.")]})
    before = agreement.terminated_on
    agreement.terminated_on = on
    agreement.save(update_fields=["terminated_on", "updated_at"])
    audit_record(actor=actor, action="agreement.terminate", target=agreement, changes={
        "terminated_on": [before.isoformat() if before else None, on.isoformat()],
    })
    profiles_refresh(party_ids=[agreement.party_id])
    return agreement


@transaction.atomic
def agreement_delete(*, actor: Any | None, agreement: Agreement) -> None:
    """Remove an agreement recorded by mistake, audited with its terms, and
    reclassify its party."""
    audit_record(actor=actor, action="agreement.delete", target=agreement, changes=_snapshot(agreement))
    party_id = agreement.party_id
    agreement.delete()
    profiles_refresh(party_ids=[party_id])
