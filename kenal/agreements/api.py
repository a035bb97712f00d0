"""Agreements over the JSON API: read them, and record a proposal through the
agreement services."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kenal.agreements.access import agreements_allowed
from kenal.agreements.models import Agreement, ServiceKind
from kenal.agreements.services import AgreementData, agreement_create
from kenal.api.pagination import paginated
from kenal.api.schemas import ErrorOut, PartyRef, UserRef
from kenal.parties.access import parties_access
from kenal.parties.models import Party

router = Router()


class AgreementOut(Schema):
    id: int
    external_id: str | None
    party: PartyRef
    title: str
    service_kind: str
    tier: str
    signed_by_provider_at: datetime | None
    signed_by_client_at: datetime | None
    starts_on: date
    ends_on: date | None
    terminated_on: date | None
    auto_renew: bool
    value: Decimal | None
    currency: str
    billing_period: str
    csm: UserRef | None
    created_at: datetime
    updated_at: datetime


def _agreements():
    return Agreement.objects.select_related("party", "csm")


@router.get("", response=list[AgreementOut], summary=gettext_lazy("List agreements, latest start first"))
@paginated
def list_agreements(
    request: HttpRequest,
    party: int | None = Query(None, description=gettext_lazy("Only this party's agreements (party id).")),
):
    parties_access(request.auth)
    agreements = _agreements()
    if party is not None:
        agreements = agreements.filter(party_id=party)
    return agreements


@router.get("/{int:agreement_id}", response={200: AgreementOut, 404: ErrorOut}, summary=gettext_lazy("One agreement"))
def get_agreement(request: HttpRequest, agreement_id: int):
    parties_access(request.auth)
    return get_object_or_404(_agreements(), pk=agreement_id)


class AgreementIn(Schema):
    model_config = ConfigDict(extra="forbid")

    party: int | str = Field(description=gettext_lazy("The client's party id (number) or external id (string)."))
    title: str
    starts_on: date
    ends_on: date | None = None
    external_id: str | None = None
    service_kind: ServiceKind = ServiceKind.PROFESSIONAL_SERVICE
    tier: str = ""
    auto_renew: bool = False
    value: Decimal | None = None
    currency: str = Field(settings.KENAL_DEFAULT_CURRENCY, description=gettext_lazy("An ISO 4217 code, like IDR."))
    billing_period: str = ""
    signed_by_provider_at: datetime | None = None
    signed_by_client_at: datetime | None = None


@router.post("", response={201: AgreementOut, 422: ErrorOut}, summary=gettext_lazy("Record an agreement"))
def create_agreement(request: HttpRequest, payload: AgreementIn):
    parties_access(request.auth, write=True)
    if not agreements_allowed(request.auth):
        raise PermissionDenied
    values = payload.dict()
    key = values.pop("party")
    party = Party.objects.filter(**({"pk": key} if isinstance(key, int) else {"external_id": key})).first()
    if party is None:
        raise ValidationError({"party": [_("No party has the id or external id “%(key)s”.") % {"key": key}]})
    values["service_kind"] = str(values["service_kind"])
    agreement = agreement_create(actor=request.auth, party=party, data=AgreementData(**values))
    return Status(201, _agreements().get(pk=agreement.pk))
