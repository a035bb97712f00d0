from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kenal.parties.models import Party


class Channel(models.TextChoices):
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    TELEGRAM = "telegram", _("Telegram")
    LINE = "line", _("LINE")
    INSTAGRAM = "instagram", _("Instagram")
    FACEBOOK = "facebook", _("Facebook Messenger")
    WEBCHAT = "webchat", _("Web chat")
    VISIT = "visit", _("Visit")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class InteractionKind(models.TextChoices):
    QUESTION = "question", _("Question")
    COMPLAINT = "complaint", _("Complaint")
    FEEDBACK = "feedback", _("Feedback")
    MESSAGE = "message", _("Message")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")


class Interaction(models.Model):
    """A message, call or meeting with a party, on any channel.

    ``source_key`` makes re-sent webhooks and re-run imports idempotent: it is the
    provider's message id when there is one, else a digest of the row's content."""

    # Indexed by interaction_party_summary_idx, which starts with the party.
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="interactions", db_index=False)
    occurred_at = models.DateTimeField(_("when"))
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=InteractionKind.choices, default=InteractionKind.MESSAGE)
    body = models.TextField(_("text"), blank=True)
    source_key = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            # A party's timeline reads it newest first; the classification aggregates
            # interactions per party from the index alone, without the message bodies.
            models.Index(fields=["party", "occurred_at", "direction", "kind"], name="interaction_party_summary_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.get_direction_display()} {self.occurred_at:%Y-%m-%d}"
