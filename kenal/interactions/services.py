"""Every interaction written through Kenal goes through here. An inbound message can
make a prospect *potential* and a question changes *impulsive*, so each one
reclassifies its party at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import uuid4

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from kenal.audit.services import audit_record
from kenal.classification.actions import profiles_refresh
from kenal.interactions.models import Channel, Direction, Interaction, InteractionKind
from kenal.parties.models import Party

MANUAL_PREFIX = "manual:"


def _clean(*, channel: str, direction: str, kind: str, source_key: str, party: Party) -> Interaction | None:
    """Validate; return the interaction already stored under ``source_key`` for this
    party, which makes a re-sent message a no-op."""
    errors: dict[str, list[str]] = {}
    if channel not in Channel.values:
        errors.setdefault("channel", []).append(_("Choose a channel."))
    if direction not in Direction.values:
        errors.setdefault("direction", []).append(_("Choose inbound or outbound."))
    if kind not in InteractionKind.values:
        errors.setdefault("kind", []).append(_("Choose a kind of interaction."))
    existing = Interaction.objects.filter(source_key=source_key).first() if source_key else None
    if existing is not None and existing.party_id != party.pk:
        errors.setdefault("source_key", []).append(
            _("The source key “%(key)s” already belongs to another party's interaction.") % {"key": source_key}
        )
    if errors:
        raise ValidationError(errors)
    return existing


@transaction.atomic
def interaction_create(
    *,
    actor: Any | None,
    party: Party,
    occurred_at: datetime,
    channel: str,
    direction: str,
    kind: str = InteractionKind.MESSAGE,
    body: str = "",
    source_key: str = "",
) -> Interaction:
    """Record a message, call or meeting and reclassify its party. ``source_key`` is
    the provider's message id; one typed in by hand gets ``manual:<uuid>``."""
    existing = _clean(channel=channel, direction=direction, kind=kind, source_key=source_key, party=party)
    if existing is not None:
        return existing
    interaction = Interaction.objects.create(
        party=party, occurred_at=occurred_at, channel=channel, direction=direction, kind=kind, body=body,
        source_key=source_key or f"{MANUAL_PREFIX}{uuid4()}",
    )
    audit_record(actor=actor, action="interaction.create", target=interaction, changes={
        "party": party.pk, "occurred_at": occurred_at.isoformat(), "channel": channel,
        "direction": direction, "kind": kind, "source_key": interaction.source_key,
    })
    profiles_refresh(party_ids=[party.pk])
    return interaction


def _snapshot(interaction: Interaction) -> dict[str, Any]:
    return {
        "party": interaction.party_id, "occurred_at": interaction.occurred_at.isoformat(),
        "channel": interaction.channel, "direction": interaction.direction, "kind": interaction.kind,
        "body": interaction.body,
    }


@transaction.atomic
def interaction_update(
    *,
    actor: Any | None,
    interaction: Interaction,
    occurred_at: datetime,
    channel: str,
    direction: str,
    kind: str,
    body: str = "",
) -> Interaction:
    """Correct an interaction recorded by mistake (wrong direction, kind or day) and
    reclassify its party: a question or an inbound message changes characteristics."""
    _clean(channel=channel, direction=direction, kind=kind, source_key="", party=interaction.party)
    before = _snapshot(interaction)
    interaction.occurred_at, interaction.channel, interaction.direction = occurred_at, channel, direction
    interaction.kind, interaction.body = kind, body
    interaction.save()
    after = _snapshot(interaction)
    changed = {key: [before[key], after[key]] for key in after if before[key] != after[key]}
    if changed:
        audit_record(actor=actor, action="interaction.update", target=interaction, changes=changed)
        profiles_refresh(party_ids=[interaction.party_id])
    return interaction


@transaction.atomic
def interaction_delete(*, actor: Any | None, interaction: Interaction) -> None:
    """Remove an interaction recorded by mistake, audited with what it said, and
    reclassify its party."""
    audit_record(actor=actor, action="interaction.delete", target=interaction, changes=_snapshot(interaction))
    party_id = interaction.party_id
    interaction.delete()
    profiles_refresh(party_ids=[party_id])
