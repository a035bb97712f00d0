"""Reads of parties, shared by the web UI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from kenal.agreements.models import Agreement
from kenal.commerce.models import LineStatus, Order, OrderLine
from kenal.interactions.models import Interaction
from kenal.parties.contacts import looks_like_phone, normalize_phone
from kenal.parties.models import PHONE_KINDS, ContactKind, ContactPoint, Party


def party_search(*, query: str = "", kind: str = "") -> QuerySet[Party]:
    """Parties matching a free-text query: a name fragment, an email, a phone number
    written any common way, or an external id. Contact lookups are exact index hits."""
    qs = Party.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    text = query.strip()
    if not text:
        return qs
    values = {text.lower(), text.lower().removeprefix("@")}
    # A phone number or an email address is never part of a name: skip the name scan,
    # the one part of a search that reads every party.
    by_name = "@" not in text[1:]
    if looks_like_phone(text):
        try:
            values.add(normalize_phone(text))
            by_name = False
        except Exception:  # noqa: BLE001 - not a phone after all; the other matches stand
            pass
    # The exact matches are uncorrelated subqueries, each computed once from its own
    # index, and tested by id: so a name scan in (name, id) order never has to read
    # the party rows it rejects. That keeps a no-match search over 100,000 parties fast.
    match = Q(pk__in=Party.objects.filter(external_id=text).values("pk")) | Q(
        pk__in=ContactPoint.objects.filter(value__in=values).values("party_id")
    )
    if by_name:
        match |= Q(name__icontains=text)
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


PAGE_SIZE = 25


@dataclass
class PartyPage:
    """One page of a party list, found by seeking from a neighbour's (name, id) rather
    than by OFFSET and COUNT, so every page costs the same at any size."""

    parties: list[Party]
    next_after: int | None
    prev_before: int | None


def _seek_key(pk: int | None) -> tuple[str, int] | None:
    if pk is None:
        return None
    name = Party.objects.filter(pk=pk).values_list("name", flat=True).first()
    return None if name is None else (name, pk)


def party_page(
    *, parties: QuerySet[Party], after: int | None = None, before: int | None = None, size: int = PAGE_SIZE
) -> PartyPage:
    """The page of ``parties`` (ordered by name, then id) just after the party ``after``
    or just before the party ``before``; the first page when neither is given. Each
    party carries ``primary_email`` and ``primary_phone`` for the list."""
    after_key, before_key = _seek_key(after), _seek_key(before)
    # Seek over ids and names only, so both databases answer from the (name, id) index
    # alone without visiting the rows a search rejects; then read the page's rows.
    ids = parties.values_list("pk", flat=True)
    if before_key is not None:
        name, pk = before_key
        found = list(ids.filter(Q(name__lt=name) | Q(name=name, id__lt=pk)).order_by("-name", "-id")[: size + 1])
        has_prev, has_next = len(found) > size, True
        found = found[:size][::-1]
    else:
        if after_key is not None:
            name, pk = after_key
            ids = ids.filter(Q(name__gt=name) | Q(name=name, id__gt=pk))
        found = list(ids.order_by("name", "id")[: size + 1])
        has_next, has_prev = len(found) > size, after_key is not None
        found = found[:size]
    by_id = Party.objects.prefetch_related("contact_points").in_bulk(found)
    rows = [by_id[pk] for pk in found if pk in by_id]
    for party in rows:
        points = list(party.contact_points.all())
        party.primary_email = next((c.value for c in points if c.kind == ContactKind.EMAIL), "")
        party.primary_phone = next((c.value for c in points if c.kind in PHONE_KINDS), "")
    return PartyPage(
        parties=rows,
        next_after=rows[-1].pk if rows and has_next else None,
        prev_before=rows[0].pk if rows and has_prev else None,
    )


LINKS_CAP = 50


@dataclass
class PartyLinks:
    """How a party is tied to others. Lists stop at LINKS_CAP; ``*_more`` says so."""

    members: list[Party]
    members_more: bool
    referrals: list[Party]
    referrals_more: bool
    bought_for: list[Party]
    bought_for_more: bool
    bought_by: list[Party]
    bought_by_more: bool


def _capped(qs: QuerySet[Party]) -> tuple[list[Party], bool]:
    rows = list(qs.order_by("name", "id")[: LINKS_CAP + 1])
    return rows[:LINKS_CAP], len(rows) > LINKS_CAP


def party_links(*, party: Party) -> PartyLinks:
    """Members, referrals, and whom the party bought for or was bought for by (paid
    lines only, as in DOMAIN.md). ``member_of`` and ``referred_by`` are on the party."""
    members, members_more = _capped(party.members.all())
    referrals, referrals_more = _capped(party.referrals.all())
    paid_for_them = OrderLine.objects.filter(consumer=party, status=LineStatus.PAID).exclude(order__buyer=party)
    paid_by_them = OrderLine.objects.filter(order__buyer=party, status=LineStatus.PAID).exclude(consumer=party)
    bought_for, bought_for_more = _capped(
        Party.objects.filter(pk__in=paid_by_them.filter(consumer__isnull=False).values("consumer_id"))
    )
    bought_by, bought_by_more = _capped(Party.objects.filter(pk__in=paid_for_them.values("order__buyer_id")))
    return PartyLinks(
        members=members, members_more=members_more,
        referrals=referrals, referrals_more=referrals_more,
        bought_for=bought_for, bought_for_more=bought_for_more,
        bought_by=bought_by, bought_by_more=bought_by_more,
    )


TIMELINE_SIZE = 20

# Ties in time are broken by kind, then id, so a cursor names exactly one position.
_RANKS = {"interaction": 0, "agreement": 1, "order": 2}


@dataclass
class TimelineEntry:
    kind: str  # "order", "agreement" or "interaction"
    at: datetime
    item: Order | Agreement | Interaction

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.at, _RANKS[self.kind], self.item.pk)

    @property
    def cursor(self) -> str:
        return f"{self.at.isoformat()}~{self.kind}~{self.item.pk}"


@dataclass
class TimelinePage:
    entries: list[TimelineEntry]
    next_cursor: str | None


def _parse_cursor(cursor: str) -> tuple[datetime, int, int] | None:
    try:
        at, kind, pk = cursor.split("~")
        moment = datetime.fromisoformat(at)
        if timezone.is_naive(moment):
            return None
        return (moment, _RANKS[kind], int(pk))
    except (ValueError, KeyError):
        return None


def _older(qs: QuerySet, rank: int, key: tuple[datetime, int, int] | None, field: str) -> QuerySet:
    """Rows strictly after ``key`` in newest-first (time, rank, id) order."""
    if key is None:
        return qs
    at, key_rank, pk = key
    if rank < key_rank:
        return qs.filter(**{f"{field}__lte": at})
    if rank > key_rank:
        return qs.filter(**{f"{field}__lt": at})
    return qs.filter(Q(**{f"{field}__lt": at}) | Q(**{field: at}, pk__lt=pk))


def _agreement_time(agreement: Agreement) -> datetime:
    """An agreement sits on the timeline when it was concluded (its last signature);
    a proposal, at the start of its first day."""
    if agreement.is_signed:
        return max(agreement.signed_by_provider_at, agreement.signed_by_client_at)
    return timezone.make_aware(datetime.combine(agreement.starts_on, time.min))


def party_timeline(*, party: Party, before: str = "", size: int = TIMELINE_SIZE) -> TimelinePage:
    """The party's orders (as buyer, with lines), agreements and interactions on one
    newest-first timeline, ``size`` entries after the cursor ``before``. Costs five
    queries whatever the volume: each source is read up to ``size + 1`` rows from its
    own (party, time) index and the three are merged here."""
    key = _parse_cursor(before) if before else None
    orders = _older(Order.objects.filter(buyer=party), _RANKS["order"], key, "occurred_at")
    orders = orders.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product", "consumer").order_by("line_no"))
    ).order_by("-occurred_at", "-id")[: size + 1]
    interactions = _older(
        Interaction.objects.filter(party=party), _RANKS["interaction"], key, "occurred_at"
    ).order_by("-occurred_at", "-id")[: size + 1]
    entries = [TimelineEntry("order", o.occurred_at, o) for o in orders]
    entries += [TimelineEntry("interaction", i.occurred_at, i) for i in interactions]
    # A party has few agreements, so they are read whole and placed by a time that
    # depends on which signatures exist.
    for agreement in Agreement.objects.filter(party=party).select_related("csm"):
        entry = TimelineEntry("agreement", _agreement_time(agreement), agreement)
        if key is None or entry.key < key:
            entries.append(entry)
    entries.sort(key=lambda e: e.key, reverse=True)
    page = entries[:size]
    for entry in page:
        if entry.kind == "order":
            entry.item.line_statuses = sorted({line.get_status_display() for line in entry.item.lines.all()})
    return TimelinePage(entries=page, next_cursor=page[-1].cursor if len(entries) > size else None)
