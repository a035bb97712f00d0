"""Reads of classification settings and results, shared by the web UI, the API and
the commands."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator
from datetime import date, datetime, time, timedelta
from operator import itemgetter
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from kenal.classification.explain import next_best_action_params, profile_reasons
from kenal.classification.models import CHARACTERISTICS, FLAG_COLUMNS, ClassificationSettings, PartyProfile
from kenal.classification.reasons import next_best_action_text, reason_text
from kenal.classification.words import day_number


def classification_settings_current() -> ClassificationSettings:
    """The business's settings, or DOMAIN.md's defaults when none were saved."""
    return ClassificationSettings.objects.order_by("id").first() or ClassificationSettings()


def business_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def business_today() -> date:
    return timezone.now().astimezone(business_zone()).date()


def day_start(day: date) -> datetime:
    """The first instant of a calendar day in the business's time zone."""
    return datetime.combine(day, time.min, tzinfo=business_zone())


def day_end_exclusive(day: date) -> datetime:
    """The first instant after ``day``: everything before it is dated on or before it."""
    return day_start(day + timedelta(days=1))


def profile_list(*, relationship: str = "", characteristic: str = "") -> QuerySet[PartyProfile]:
    qs = PartyProfile.objects.select_related("party", "csm")
    if relationship:
        qs = qs.filter(relationship=relationship)
    if characteristic:
        qs = qs.filter(**{characteristic: True})
    return qs


EXPORT_FIELDS = [
    "external_id", "name", "relationship", "flags", "customer_type", "characteristics", "reasons", "csm",
    "next_best_action",
]


# What an export reads of each result, named as PartyProfile's columns: the results
# and the facts the reasons and the next best action are worded from (explain.py).
EXPORT_COLUMNS = [
    "relationship", "customer_type", *FLAG_COLUMNS.values(), *CHARACTERISTICS, "next_best_action", "paid_orders",
    "agreements_active", "agreements_former", "former_end_day", "products_used", "type_set_on_party",
    "bulk_orders", "promo_orders", "inbound_recent", "first_paid_day", "minutes_to_first_order",
    "first_order_day", "last_order_day", "loyal_by_orders", "loyal_by_agreements", "covered_since_day",
    "referred", "objects_to_profiling", "intermediate_min_units", "potential_days", "agreement_end_day",
    "last_interaction_day", "last_paid_day", "override_reasons", "other_currency_orders",
    "question_day", "question_kind", "question_channel",
]
# The engine's own names for two of them in its table of results (engine.py, cls_out).
_ENGINE_NAMES = {"next_best_action": "nba", "paid_orders": "n_paid"}
_ExportRow = namedtuple("_ExportRow", ["external_id", "party_name", "party_kind", "csm", *EXPORT_COLUMNS])
_EXPORT_INDEX = {name: index for index, name in enumerate(_ExportRow._fields)}
# Rows fetched from the database at a time: enough to make round trips rare, few
# enough that an export of millions runs in constant memory.
EXPORT_CHUNK = 10_000
# Worded reasons and actions kept for reuse, at most this many of each (a few
# hundred bytes each). A million parties have tens of thousands of distinct ones.
EXPORT_CACHE = 100_000


def export_query(table: str) -> str:
    """The export's rows from ``table``: the stored profiles (PartyProfile's table) or
    a run's results on the side (the engine's ``cls_out``), in external id order."""
    engine = table != PartyProfile._meta.db_table
    columns = ", ".join(
        f"o.{_ENGINE_NAMES[c]} AS {c}" if engine and c in _ENGINE_NAMES else f'o."{c}"' for c in EXPORT_COLUMNS
    )
    return f"""
        SELECT p.external_id, p.name, p.kind, u.username, {columns}
        FROM {table} o JOIN parties_party p ON p.id = o.party_id
        LEFT JOIN accounts_user u ON u.id = o.csm_id
        ORDER BY p.external_id, p.id
    """


class _Reading:
    """An export row as explain.py reads it, by column name, noting which columns it
    read. The columns are properties (set below): falling back to __getattr__ after
    the ordinary lookup missed took twice as long."""

    __slots__ = ("raw", "read")

    def __init__(self, raw: tuple) -> None:
        self.raw = raw
        self.read: set[int] = set()


def _read_column(index: int) -> property:
    def read(self: _Reading) -> Any:
        self.read.add(index)
        return self.raw[index]

    return property(read)


for _name, _index in _EXPORT_INDEX.items():
    setattr(_Reading, _name, _read_column(_index))


class _Memo:
    """What a function of an export row gave, kept by the values of the columns it
    read, without knowing its rules. A function that reads a row step by step reads
    the same next column for rows that agree on what it read so far: so rows that
    agree on every column it was ever seen to read get the same answer. The key is
    those columns, learned from the rows; when a row makes it read one more, the
    answers kept so far go (their keys lack it)."""

    def __init__(self) -> None:
        self.columns: set[int] = set()
        self.key: Callable[[tuple], Any] = _no_key
        self.values: dict[Any, Any] = {}

    def learn(self, reading: _Reading, *, apart: frozenset[int] = frozenset()) -> Any:
        """Takes note of the columns a computation for ``reading``'s row read, but
        those ``apart``, and returns the row's key to keep its answer under."""
        read = reading.read - apart
        if not read <= self.columns:
            self.columns |= read
            self.key = itemgetter(*sorted(self.columns))
            self.values.clear()
        elif len(self.values) >= EXPORT_CACHE:
            self.values.clear()  # memory stays bounded however varied the parties
        return self.key(reading.raw)


def _no_key(raw: tuple) -> tuple:
    return ()


def export_rows(cursor: Any, *, facts_day: date, language: str) -> Iterator[dict[str, Any]]:
    """INTERCHANGE.md export rows from an executed ``export_query``, read a chunk at a
    time, texts in ``language``. The words come from the stored facts with no query
    per row; most parties share their reasons and action with others, so each is
    worded once and the rows with the same facts reuse it (``_Memo``), which is most
    of what makes a million rows take seconds, not minutes."""
    today = day_number(facts_day)
    reason_words: dict[tuple, str] = {}
    reason_lists: dict[tuple[str, ...], tuple[str, ...]] = {}
    reasons = _Memo()
    actions = _Memo()
    reason_values, action_values = reasons.values, actions.values  # cleared, never replaced
    # The action may name the party; it is worded once with a stand-in for the name,
    # and the name put in per row, so the name's columns are no part of its key.
    named = frozenset({_EXPORT_INDEX["party_name"], _EXPORT_INDEX["party_kind"]})
    relationship_column = _EXPORT_INDEX["relationship"]
    type_column = _EXPORT_INDEX["customer_type"]
    # Flags and characteristics are a few booleans: each combination's list is made
    # once, and the same tuple object is handed out again.
    flag_lists: dict[tuple, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    first_flag = _EXPORT_INDEX["is_client"]
    last_flag = _EXPORT_INDEX[CHARACTERISTICS[-1]] + 1
    names = [*FLAG_COLUMNS, *CHARACTERISTICS]

    def worded_reasons(raw: tuple) -> tuple[str, ...]:
        reading = _Reading(raw)
        texts = []
        for reason in profile_reasons(reading, today):
            key = (reason["code"], *reason["params"].items())
            text = reason_words.get(key)
            if text is None:
                if len(reason_words) >= EXPORT_CACHE:
                    reason_words.clear()
                text = reason_words[key] = reason_text(reason)
            texts.append(text)
        words = tuple(texts)
        if len(reason_lists) >= EXPORT_CACHE:
            reason_lists.clear()
        words = reason_lists.setdefault(words, words)  # equal lists, one object
        reasons.values[reasons.learn(reading)] = words
        return words

    def worded_action(raw: tuple) -> tuple[str | None, bool]:
        reading = _Reading(raw)
        params = next_best_action_params(reading, today)
        has_name = params.pop("name", None) is not None
        if has_name:
            params["name"] = _NAME
        action = next_best_action_text(reading.next_best_action, params) or None
        named_here = has_name and action is not None
        actions.values[actions.learn(reading, apart=named)] = hit = (action, named_here)
        return hit

    with translation.override(language):
        while True:
            chunk = cursor.fetchmany(EXPORT_CHUNK)
            if not chunk:
                return
            for raw in chunk:
                words = reason_values.get(reasons.key(raw))
                if words is None:
                    words = worded_reasons(raw)
                action, named_here = action_values.get(actions.key(raw)) or worded_action(raw)
                if named_here:
                    name = next_best_action_params(_ExportRow._make(raw), today)["name"]
                    action = action.replace(_NAME, name)
                bits = raw[first_flag:last_flag]  # booleans, or 0 and 1 on SQLite: equal keys
                lists = flag_lists.get(bits)
                if lists is None:
                    held = [name for name, on in zip(names, bits) if on]
                    lists = flag_lists[bits] = (
                        tuple(name for name in held if name in FLAG_COLUMNS),
                        tuple(name for name in held if name not in FLAG_COLUMNS),
                    )
                yield {
                    "external_id": raw[0],  # the first columns of export_query
                    "name": raw[1],
                    "relationship": raw[relationship_column],
                    "flags": lists[0],
                    "customer_type": raw[type_column],
                    "characteristics": lists[1],
                    "reasons": words,
                    "csm": raw[3],
                    "next_best_action": action,
                }


_NAME = "\x00"
