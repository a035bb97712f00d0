"""Interactions over the JSON API, read-only: the party's timeline on every channel."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils.translation import gettext_lazy
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema

from kenal.api.pagination import paginated
from kenal.api.schemas import ErrorOut, PartyRef
from kenal.interactions.models import Channel, Interaction
from kenal.parties.access import parties_access

router = Router()


class InteractionOut(Schema):
    id: int
    party: PartyRef
    occurred_at: datetime
    channel: str
    direction: str
    kind: str
    body: str
    created_at: datetime


@router.get("", response=list[InteractionOut], summary=gettext_lazy("List interactions, newest first"))
@paginated
def list_interactions(
    request: HttpRequest,
    party: int | None = Query(None, description=gettext_lazy("Only this party's interactions (party id).")),
    channel: Channel | None = Query(None),
):
    parties_access(request.auth)
    interactions = Interaction.objects.select_related("party")
    if party is not None:
        interactions = interactions.filter(party_id=party)
    if channel is not None:
        interactions = interactions.filter(channel=str(channel))
    return interactions


@router.get("/{int:interaction_id}", response={200: InteractionOut, 404: ErrorOut}, summary=gettext_lazy("One interaction"))
def get_interaction(request: HttpRequest, interaction_id: int):
    parties_access(request.auth)
    return get_object_or_404(Interaction.objects.select_related("party"), pk=interaction_id)
