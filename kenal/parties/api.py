"""Parties over the JSON API: thin shells over the party services and selectors."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Literal

from django.core.exceptions import ValidationError
from django.db.models import QuerySet, Subquery
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict

from kenal.api.pagination import paginated
from kenal.api.schemas import ErrorOut, PartyRef
from kenal.classification.display import parties_by_profile
from kenal.classification.models import Characteristic, ClassificationRun, Relationship
from kenal.classification.schemas import PartyClassificationOut
from kenal.parties.access import parties_access, party_for_user
from kenal.parties.models import Language, Party, PartyKind, Scope
from kenal.parties.selectors import Sort, party_search, party_sorted
from kenal.parties.services import SCALAR_FIELDS, PartyData, party_create, party_update

router = Router()

LanguageIn = Language | Literal[""]
ScopeIn = Scope | Literal[""]
# A party is named by its id (a number) or by its external id (a string).
PartyKey = int | str
# PATCH may send null only for what a party can lack.
NOT_NULL = ("name", "kind", "language", "scope", "objects_to_profiling", "contact_points")


class ContactPointOut(Schema):
    kind: str
    value: str


class PartyOut(PartyClassificationOut):
    id: int
    external_id: str | None
    kind: str
    name: str
    language: str
    scope: str
    objects_to_profiling: bool
    first_contact_at: datetime | None
    referred_by: PartyRef | None
    member_of: PartyRef | None
    contact_points: list[ContactPointOut]
    created_at: datetime
    updated_at: datetime


class ContactPointIn(Schema):
    kind: str = Field(description=gettext_lazy("email, phone, whatsapp, telegram, line, instagram or facebook"))
    value: str = Field(description=gettext_lazy("Written any common way; stored normalised (phones in E.164)."))


class PartyIn(Schema):
    # A misspelt field would otherwise be dropped without a word.
    model_config = ConfigDict(extra="forbid")

    name: str
    kind: PartyKind = PartyKind.PERSON
    external_id: str | None = None
    language: LanguageIn = ""
    scope: ScopeIn = ""
    objects_to_profiling: bool = False
    first_contact_at: datetime | None = None
    referred_by: PartyKey | None = Field(
        None, description=gettext_lazy("The referring party's id (number) or external id (string).")
    )
    member_of: PartyKey | None = Field(
        None, description=gettext_lazy("The organisation's id (number) or external id (string).")
    )
    contact_points: list[ContactPointIn] = []


class PartyPatch(Schema):
    """Only the fields sent change; ``contact_points``, when sent, replaces them all."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    kind: PartyKind | None = None
    external_id: str | None = None
    language: LanguageIn | None = None
    scope: ScopeIn | None = None
    objects_to_profiling: bool | None = None
    first_contact_at: datetime | None = None
    referred_by: PartyKey | None = None
    member_of: PartyKey | None = None
    contact_points: list[ContactPointIn] | None = None


def _party_by_key(key: PartyKey | None, field: str, errors: dict[str, list[str]]) -> Party | None:
    if key is None:
        return None
    lookup = {"pk": key} if isinstance(key, int) else {"external_id": key}
    party = Party.objects.filter(**lookup).first()
    if party is None:
        errors.setdefault(field, []).append(_("No party has the id or external id “%(key)s”.") % {"key": key})
    return party


def _party_data(values: dict, base: PartyData) -> PartyData:
    """``base`` with the sent values applied, party keys resolved and contacts as
    (kind, value) pairs; unknown party keys are reported with the services' errors."""
    errors: dict[str, list[str]] = {}
    changes = dict(values)
    for field in NOT_NULL:
        if field in changes and changes[field] is None:
            errors.setdefault(field, []).append(_("This field cannot be null."))
            del changes[field]
    for field in ("referred_by", "member_of"):
        if field in changes:
            changes[field] = _party_by_key(changes[field], field, errors)
    if "contact_points" in changes:
        points = changes.pop("contact_points")
        changes["contacts"] = [(point["kind"], point["value"]) for point in points]
    for field in ("kind", "language", "scope"):
        if field in changes:
            changes[field] = str(changes[field])
    if errors:
        raise ValidationError(errors)
    return replace(base, **changes)


def _parties() -> QuerySet[Party]:
    return _with_relations(Party.objects.all())


def _with_relations(parties: QuerySet[Party]) -> QuerySet[Party]:
    # The day of the last full run comes along with each row: profiles count their
    # days from it (explain.facts_day), and a page must not ask for it once per party.
    last_run = ClassificationRun.objects.filter(full=True).order_by("-finished_at", "-id").values("as_of")[:1]
    return (
        parties.select_related("referred_by", "member_of", "profile__csm").prefetch_related("contact_points")
        .annotate(last_full_run_as_of=Subquery(last_run))
    )


@router.get("", response=list[PartyOut], summary=gettext_lazy("List parties"))
@paginated
def list_parties(
    request: HttpRequest,
    q: str = Query(
        "", description=gettext_lazy(
            "Fragments of a name (any word order; every word must match), an email, a phone number written any "
            "common way, or an external id. Case and accents do not matter."
        )
    ),
    kind: PartyKind | None = Query(None),
    relationship: Relationship | None = Query(
        None, description=gettext_lazy("Only parties of this primary relationship.")
    ),
    customer_type: Scope | None = Query(None, description=gettext_lazy("Only parties of this customer type.")),
    characteristic: Characteristic | None = Query(
        None, description=gettext_lazy("Only parties with this characteristic.")
    ),
    sort: Sort | None = Query(
        None, description=gettext_lazy("name, activity (latest first) or revenue (highest first); by default the best matches of q first, then by name.")
    ),
):
    parties_access(request.auth)
    found = party_search(query=q, kind=str(kind) if kind else "")
    found = parties_by_profile(
        found, relationship=str(relationship or ""), customer_type=str(customer_type or ""),
        characteristic=str(characteristic or ""),
    )
    return _with_relations(party_sorted(found, str(sort or "")))


@router.get("/{int:party_id}", response={200: PartyOut, 404: ErrorOut}, summary=gettext_lazy("One party"))
def get_party(request: HttpRequest, party_id: int):
    party_for_user(request.auth, party_id)
    return _parties().get(pk=party_id)


@router.post("", response={201: PartyOut, 422: ErrorOut}, summary=gettext_lazy("Create a party"))
def create_party(request: HttpRequest, payload: PartyIn):
    parties_access(request.auth, write=True)
    data = _party_data(payload.dict(), PartyData(name=""))
    party = party_create(actor=request.auth, data=data)
    return Status(201, _parties().get(pk=party.pk))


@router.patch("/{int:party_id}", response={200: PartyOut, 404: ErrorOut, 422: ErrorOut}, summary=gettext_lazy("Change a party"))
def update_party(request: HttpRequest, party_id: int, payload: PartyPatch):
    party = party_for_user(request.auth, party_id, write=True)
    current = PartyData(
        **{name: getattr(party, name) for name in SCALAR_FIELDS},
        contacts=[(point.kind, point.value) for point in party.contact_points.all()],
    )
    data = _party_data(payload.dict(exclude_unset=True), current)
    party_update(actor=request.auth, party=party, data=data)
    return _parties().get(pk=party.pk)
