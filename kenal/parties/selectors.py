"""Reads of parties, shared by the web UI and the API."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from kenal.parties.contacts import looks_like_phone, normalize_phone
from kenal.parties.models import ContactPoint, Party


def party_search(*, query: str = "", kind: str = "") -> QuerySet[Party]:
    """Parties matching a free-text query: a name fragment, an email, a phone number
    written any common way, or an external id. Contact lookups are exact index hits."""
    qs = Party.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    text = query.strip()
    if not text:
        return qs
    match = Q(name__icontains=text) | Q(external_id=text)
    values = {text.lower(), text.lower().removeprefix("@")}
    if looks_like_phone(text):
        try:
            values.add(normalize_phone(text))
        except Exception:  # noqa: BLE001 - not a phone after all; the other matches stand
            pass
    match |= Exists(ContactPoint.objects.filter(party=OuterRef("pk"), value__in=values))
    return qs.filter(match)


def contact_points_shared(*, party: Party) -> dict[int, list[Party]]:
    """For each of the party's contact points, the other parties holding the same value:
    possible duplicates to show, not to block."""
    shared: dict[int, list[Party]] = {}
    mine = list(party.contact_points.all())
    others = (
        ContactPoint.objects.filter(value__in=[c.value for c in mine])
        .exclude(party=party)
        .select_related("party")
    )
    by_key: dict[tuple[str, str], list[Party]] = {}
    for other in others:
        by_key.setdefault((other.kind, other.value), []).append(other.party)
    for point in mine:
        if (point.kind, point.value) in by_key:
            shared[point.pk] = by_key[(point.kind, point.value)]
    return shared
