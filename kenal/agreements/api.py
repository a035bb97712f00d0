"""Agreements over the JSON API, read-only."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from kenal.agreements.models import Agreement
from kenal.api.pagination import paginated
from kenal.api.schemas import ErrorOut, PartyRef, UserRef
from kenal.parties.access import parties_access

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
