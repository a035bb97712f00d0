"""``{% party_profile party %}``: the profile section of a party page, rendered from
the same partial that htmx swaps in after an override."""

from __future__ import annotations

from django import template

from kenal.classification.display import profile_context

register = template.Library()


@register.inclusion_tag("classification/party_profile.html#profile", takes_context=True)
def party_profile(context: template.Context, party) -> dict:
    return {"party": party, **profile_context(party=party, user=context["request"].user)}
