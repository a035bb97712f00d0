"""The classification as the JSON API shows it on a party: the same fields as the
INTERCHANGE.md export, texts in the request's language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from ninja import Field, Schema

from kenal.classification.models import PartyProfile
from kenal.classification.reasons import next_best_action_text, reasons_text
from kenal.parties.models import Party


def stored_profile(party: Party) -> PartyProfile | None:
    """The party's profile, or None before its first classification."""
    try:
        profile = party.profile
    except PartyProfile.DoesNotExist:
        return None
    if hasattr(party, "last_full_run_as_of"):
        profile.run_as_of = party.last_full_run_as_of
    return profile


class PartyClassificationOut(Schema):
    """Null (or empty) for a party that was never classified."""

    relationship: str | None = Field(None, description=_("client, customer, consumer or prospect"))
    flags: list[str] = Field([], description=_("Every relationship flag that holds, sorted."))
    customer_type: str | None = Field(
        None, description=_("internal, external or intermediate; null for consumers and prospects")
    )
    characteristics: list[str] = Field([], description=_("potential, new, impulsive, thrifty, loyal, growing"))
    reasons: list[str] = Field([], description=_("Why, in plain words with the numbers that decided it."))
    next_best_action: str | None = None
    csm: str | None = Field(None, description=_("The customer success manager's username."))

    @staticmethod
    def resolve_relationship(party: Party) -> str | None:
        profile = stored_profile(party)
        return profile.relationship if profile else None

    @staticmethod
    def resolve_flags(party: Party) -> list[str]:
        profile = stored_profile(party)
        return profile.flags if profile else []

    @staticmethod
    def resolve_customer_type(party: Party) -> str | None:
        profile = stored_profile(party)
        return profile.customer_type if profile else None

    @staticmethod
    def resolve_characteristics(party: Party) -> list[str]:
        profile = stored_profile(party)
        return profile.characteristics if profile else []

    @staticmethod
    def resolve_reasons(party: Party) -> list[str]:
        profile = stored_profile(party)
        return reasons_text(profile.reasons) if profile else []

    @staticmethod
    def resolve_next_best_action(party: Party) -> str | None:
        profile = stored_profile(party)
        if profile is None:
            return None
        return next_best_action_text(profile.next_best_action, profile.next_best_action_params) or None

    @staticmethod
    def resolve_csm(party: Party) -> str | None:
        profile = stored_profile(party)
        return profile.csm.get_username() if profile and profile.csm else None
