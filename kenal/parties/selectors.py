"""Reads of parties, shared by the web UI and the API."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection, models
from django.db.models import Case, Count, F, Func, Prefetch, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest, Lower, StrIndex
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenal.agreements.models import Agreement
from kenal.classification.display import ProfileCounts, profile_counts
from kenal.classification.engine import EPOCH
from kenal.classification.models import CHARACTERISTICS, PartyProfile, Relationship
from kenal.commerce.models import LineStatus, Order, OrderLine
from kenal.interactions.models import Interaction
from kenal.parties import search
from kenal.parties.contacts import phone_national
from kenal.parties.models import PHONE_KINDS, ContactKind, ContactPoint, Party, PartySearch


def party_search(*, query: str = "", kind: str = "") -> QuerySet[Party]:
    """Parties matching a free-text query, best matches first.

    Every word typed must be found somewhere in a party's search text (kenal.parties.
    search): a fragment of its name in any word order, of an email, of an external id,
    or of a phone number written any common way (0812-2226, 62812 2226, +62 812-2226,
    2226 9572). Case and accents do not matter. Words of one or two letters have no
    trigram to look up; typed alone they find names and external ids starting so.

    Ranked: a whole value typed exactly, then the start of a value or of a word of the
    name, then anything else; ties by name, case aside (and accents too on
    PostgreSQL). ``search_rank`` carries the rank."""
    qs = Party.objects.all()
    if kind:
        qs = qs.filter(kind=kind)
    if not query.strip():
        return qs
    read = search.read_query(query)
    if read.short:
        start = read.text.removeprefix("@")
        match = Q(name__istartswith=start) | Q(external_id__istartswith=start)
        return qs.filter(match).annotate(search_rank=Value(1)).order_by("name", "id")
    rank, matches = _matching(read, "search__body")
    # Ranked before filtering: a filter after the annotation makes the join to the
    # search table an inner join, which SQLite's MATCH requires.
    qs = qs.annotate(search_rank=rank)
    for match in matches:
        qs = qs.filter(match)
    return qs.order_by("search_rank", _name_key("search__body", "name"), "id")


def party_search_ids(*, query: str) -> QuerySet[PartySearch] | None:
    """The ids of party_search(query=query), in its order, read from the search rows
    alone; None for a query of short words only, which reads names instead.

    The same rows in the same order, without the join to the parties: PostgreSQL
    plans that join for ten thousand matches as a walk of every party."""
    read = search.read_query(query)
    if read.short:
        return None
    rank, matches = _matching(read, "body")
    found = PartySearch.objects.annotate(search_rank=rank)
    for match in matches:
        found = found.filter(match)
    return found.order_by("search_rank", _name_key("body", "party__name"), "pk").values_list("pk", flat=True)


def _matching(read: search.Query, body: str) -> tuple[Case, list[Q]]:
    """The rank of a match and the conditions every match meets, for the search text
    at the path ``body``."""
    sqlite = connection.vendor == "sqlite"
    exact, leading = Q(), Q()
    for whole in read.whole:
        if sqlite:
            # The trigram index finds a whole value or its start as it finds any
            # fragment (a bar or a space is a character like the others); reading the
            # text of each of thousands of matches to look for them costs more.
            exact |= Q(pk__in=_indexed([f"|{whole}|"]))
            leading |= Q(pk__in=_indexed([f"|{whole}", f" {whole}"]))
        else:
            exact |= Q(**{f"{body}__contains": f"|{whole}|"})
            leading |= Q(**{f"{body}__contains": f"|{whole}"}) | Q(**{f"{body}__contains": f" {whole}"})
    rank = Case(When(exact, then=Value(0)), When(leading, then=Value(1)), default=Value(2))
    matches = []
    for alternatives in read.fragments:
        if sqlite and all(len(word) >= search.MIN_FRAGMENT for word in alternatives):
            matches.append(Q(**{f"{body}__match": search.fts_query(alternatives)}))
        else:
            either = Q()
            for word in alternatives:
                probe = search.index_probe(word)
                either |= Q(**{f"{body}__contains": probe}) & (
                    # strpos, which no index serves: checks the rows the probe found.
                    Q(GreaterThan(StrIndex(body, Value(word)), 0)) if probe != word else Q()
                )
            matches.append(either)
    return rank, matches


def _name_key(body: str, name: str) -> Func:
    """The name in lower case, to order equally good matches by. On PostgreSQL it is
    read from the search text, which the search has read anyway, so accents are off
    too. On SQLite reading the text back out of its index, or folding each name in
    Python, costs a quarter of the search: there it is the name lower-cased."""
    if connection.vendor == "postgresql":
        return Func(F(body), Value("|"), Value(2), function="split_part", output_field=models.TextField())
    return Lower(name)


def _indexed(alternatives: list[str]) -> QuerySet[PartySearch]:
    """The ids of the parties whose search text holds any of ``alternatives``, from
    SQLite's trigram index."""
    return PartySearch.objects.filter(body__match=search.fts_query(alternatives)).values("pk")


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
# Counting every match of a fragment found in a million parties would read them all;
# past this many the list says "more than 10,000".
COUNT_CAP = 10_000


class Sort(models.TextChoices):
    """How the list is ordered. Without a choice: the best matches first when
    searching, else by name."""

    NAME = "name", _("Name (A–Z)")
    ACTIVITY = "activity", _("Last activity (latest first)")
    REVENUE = "revenue", _("Revenue, last 12 months (highest first)")


def party_sorted(parties: QuerySet[Party], sort: str) -> QuerySet[Party]:
    """``parties`` in the chosen order; the last activity is the later of the last
    order and the last interaction, as the profiles hold them. Parties without a
    profile (not classified yet) come last."""
    if sort == Sort.NAME:
        if "search_rank" in parties.query.annotations:
            # Searching: sort the few matches. Ordered by the indexed name, PostgreSQL
            # may walk the whole name index looking for them, which for a fragment
            # found nowhere means every party.
            return parties.order_by(Lower("name"), "id")
        return parties.order_by("name", "id")
    if sort == Sort.ACTIVITY:
        never = Value(-10**6)
        latest = Greatest(
            Coalesce("profile__last_order_day", never), Coalesce("profile__last_interaction_day", never)
        )
        return parties.annotate(last_activity_day=latest).order_by(
            F("last_activity_day").desc(nulls_last=True), "name", "id"
        )
    if sort == Sort.REVENUE:
        return parties.order_by(F("profile__revenue_12m").desc(nulls_last=True), "name", "id")
    return parties


@dataclass
class PartyPage:
    """One numbered page of a party list, with how many parties the list holds
    (``total``; when ``total_capped``, at least that many)."""

    parties: list[Party]
    number: int
    has_next: bool
    total: int
    total_capped: bool

    @property
    def has_prev(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.parties else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + len(self.parties)


def party_count(parties: QuerySet[Party], cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many ``parties``, counted up to ``cap`` (then True: "more than cap")."""
    plain = parties.order_by()
    if not plain.query.where:
        return plain.count(), False
    # Only ids, without the ranking or the sort's joins: a count needs neither.
    found = plain.values("pk")[: cap + 1].count()
    return min(found, cap), found > cap


def day_date(day: int | None) -> date | None:
    """A day as the profiles count it (days since 1 January 1970) as a date."""
    return None if day is None else EPOCH + timedelta(days=day)


def party_page(*, parties: QuerySet[Party], number: int = 1, size: int = PAGE_SIZE) -> PartyPage:
    """Page ``number`` of ``parties`` (ordered as given). Each party carries
    ``primary_email``, ``primary_phone``, ``csm``, ``last_contact_on`` and
    ``revenue_12m`` for the list; a number past the end gives the last page."""
    total, capped = party_count(parties)
    number = _page_number(number, total, capped, size)
    offset = (number - 1) * size
    found = list(parties.values_list("pk", flat=True)[offset: offset + size + 1])
    return _page_of(found, number=number, size=size, total=total, capped=capped)


def _page_number(number: int, total: int, capped: bool, size: int) -> int:
    last = max(1, -(-total // size))
    return max(1, number if capped else min(number, last))


def _page_of(found: list[int], *, number: int, size: int, total: int, capped: bool) -> PartyPage:
    """The page of the ids ``found`` (one more than ``size`` when a next page exists),
    read with the list's facts."""
    has_next = len(found) > size
    found = found[:size]
    by_id = (
        Party.objects.select_related("profile__csm").prefetch_related("contact_points").in_bulk(found)
    )
    rows = [by_id[pk] for pk in found if pk in by_id]
    for party in rows:
        _list_facts(party)
    return PartyPage(parties=rows, number=number, has_next=has_next, total=total, total_capped=capped)


def party_list_page(
    *, parties: QuerySet[Party], query: str, kind: str, sort: str, narrowed: bool,
    number: int = 1, size: int = PAGE_SIZE,
) -> PartyPage:
    """Page ``number`` of ``parties``, the list as shown: party_search of ``query`` and
    ``kind``, ``narrowed`` or not by profile filters, in the order ``sort``.

    A page of a search costs ranking every match whichever page is asked, so the
    matches are ranked once, up to COUNT_CAP + 1 of them: the count and the page come
    from those ids. The counts of relationships are read apart (party_list_counts), so
    the rows need not wait for them."""
    if "search_rank" not in parties.query.annotations:
        # No text searched: the list walks its order and stops after a page.
        return party_page(parties=parties, number=number, size=size)
    best_first = not (kind or sort or narrowed)
    ranked = party_search_ids(query=query) if best_first else None
    if ranked is None:
        ranked = parties.values_list("pk", flat=True)
    ids = list(ranked[: COUNT_CAP + 1])
    capped = len(ids) > COUNT_CAP
    total = min(len(ids), COUNT_CAP)
    number = _page_number(number, total, capped, size)
    offset = (number - 1) * size
    shown = ids[offset: offset + size + 1]
    if capped and offset + size >= len(ids):  # a page past those ranked
        shown = list(ranked[offset: offset + size + 1])
    return _page_of(shown, number=number, size=size, total=total, capped=capped)


def party_list_counts(*, found: QuerySet[Party], query: str, kind: str) -> ProfileCounts | None:
    """How many of ``found`` (party_search of ``query`` and ``kind``, before any
    profile filter, so choosing one relationship keeps the others' numbers in view)
    have each relationship and characteristic; None when more than COUNT_CAP were
    found: a fragment found in half a million parties would have them all read.

    The matches are read unordered, up to COUNT_CAP + 1 of them, from the search rows
    alone when no kind is chosen: counting needs neither the ranking nor the parties."""
    if "search_rank" not in found.query.annotations:
        return _counts(found)
    matching = None if kind else party_search_ids(query=query)
    if matching is None:
        matching = found.values_list("pk", flat=True)
    ids = list(matching.order_by()[: COUNT_CAP + 1])
    return None if len(ids) > COUNT_CAP else _profile_counts_of(ids)


def _profile_counts_of(ids: list[int]) -> ProfileCounts:
    """How many of the parties ``ids`` have each primary relationship and each
    characteristic, as kenal.classification.display.profile_counts counts them. The
    ids go as one value (an array; JSON on SQLite) instead of the search that found
    them, which would be run again."""
    counts = ProfileCounts(
        relationships=dict.fromkeys(Relationship.values, 0), characteristics=dict.fromkeys(CHARACTERISTICS, 0)
    )
    if not ids:
        return counts
    if connection.vendor == "postgresql":
        listed = RawSQL("SELECT unnest(%s::bigint[])", [ids])
    else:
        listed = RawSQL("SELECT value FROM json_each(%s)", [json.dumps(ids)])
    sums = {name: Count("pk", filter=Q(**{name: True})) for name in CHARACTERISTICS}
    rows = (
        PartyProfile.objects.filter(party_id__in=listed)
        .order_by().values("relationship").annotate(total=Count("pk"), **sums)
    )
    for row in rows:
        counts.relationships[row["relationship"]] = row["total"]
        for name in CHARACTERISTICS:
            counts.characteristics[name] += row[name]
    return counts


def _counts(parties: QuerySet[Party]) -> ProfileCounts | None:
    """The counts of ``parties`` when there are at most COUNT_CAP of them (of every
    party, from the tally the engine keeps), else None."""
    if parties.query.where and party_count(parties)[1]:
        return None
    return profile_counts(parties)


def _list_facts(party: Party) -> None:
    points = list(party.contact_points.all())
    party.primary_email = next((c.value for c in points if c.kind == ContactKind.EMAIL), "")
    phone = next((c.value for c in points if c.kind in PHONE_KINDS), "")
    # As a person writes it at home (0812-2226-9572), like the party page shows it.
    party.primary_phone = phone_national(phone) if phone else ""
    profile = party.profile if _has_profile(party) else None
    party.profile_row = profile
    party.csm = profile.csm if profile is not None else None
    party.last_contact_on = day_date(profile.last_interaction_day) if profile is not None else None
    days = [d for d in (profile.last_interaction_day, profile.last_order_day) if d is not None] if profile else []
    party.last_activity_on = day_date(max(days)) if days else None
    party.revenue_12m = profile.revenue_12m if profile is not None else None


def _has_profile(party: Party) -> bool:
    try:
        party.profile
    except ObjectDoesNotExist:
        return False
    return True


def party_export_rows(parties: QuerySet[Party], chunk: int = 2000) -> Iterator[Party]:
    """Every party of ``parties`` in order, with the list's facts and all its
    contact points, read ``chunk`` at a time so a long export streams."""
    rows = parties.select_related("profile__csm").prefetch_related(
        Prefetch("contact_points", queryset=ContactPoint.objects.order_by("kind", "id"))
    )
    for party in rows.iterator(chunk_size=chunk):
        _list_facts(party)
        yield party


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
