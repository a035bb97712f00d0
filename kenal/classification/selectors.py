"""Reads of classification settings and results, shared by the web UI, the API and
the commands."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone, translation

from kenal.classification.models import CHARACTERISTICS, FLAG_COLUMNS, ClassificationSettings, PartyProfile
from kenal.classification.reasons import next_best_action_text, reason_text


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
# Rows fetched from the database at a time: enough to make round trips rare, few
# enough that an export of millions runs in constant memory.
EXPORT_CHUNK = 5000


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
        ORDER BY p.external_id, o.party_id
    """


def export_rows(cursor: Any, *, facts_day: date, language: str) -> Iterator[dict[str, Any]]:
    """INTERCHANGE.md export rows from an executed ``export_query``, read a chunk at a
    time, texts in ``language``. The words come from the stored facts with no query
    per row; the same reason or action is worded once and reused (most parties share
    theirs), which is most of what makes a million rows take seconds, not minutes."""
    from kenal.classification.engine import day_number
    from kenal.classification.explain import next_best_action_params, profile_reasons

    today = day_number(facts_day)
    reason_words: dict[tuple, str] = {}
    reason_lists: dict[tuple, tuple[str, ...]] = {}
    action_words: dict[tuple, str | None] = {}
    # Flags and characteristics are a few booleans: each combination's list is made
    # once, and the same tuple object is handed out again (writers may cache by it).
    flag_lists: dict[tuple, tuple[str, ...]] = {}
    first_flag = _ExportRow._fields.index("is_client")
    last_flag = _ExportRow._fields.index(CHARACTERISTICS[-1]) + 1
    names = [*FLAG_COLUMNS, *CHARACTERISTICS]
    with translation.override(language):
        while True:
            chunk = cursor.fetchmany(EXPORT_CHUNK)
            if not chunk:
                return
            for cache in (reason_words, reason_lists, action_words):
                if len(cache) > EXPORT_CACHE:
                    cache.clear()  # memory stays bounded however varied the parties
            for raw in chunk:
                row = _ExportRow._make(raw)
                texts = []
                for reason in profile_reasons(row, today):
                    key = (reason["code"], *reason["params"].items())
                    text = reason_words.get(key)
                    if text is None:
                        text = reason_words[key] = reason_text(reason)
                    texts.append(text)
                words = tuple(texts)
                words = reason_lists.setdefault(words, words)
                params = next_best_action_params(row, today)
                # The name is put in after: an action that names its party is worded
                # once for everyone with the same day, channel and kind.
                name = params.pop("name", None)
                key = (row.next_best_action, *params.items())
                action = action_words.get(key, _UNSET)
                if action is _UNSET:
                    if name is not None:
                        params["name"] = _NAME
                    action = action_words[key] = next_best_action_text(row.next_best_action, params) or None
                if name is not None and action is not None:
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
                    "external_id": row.external_id,
                    "name": row.party_name,
                    "relationship": row.relationship,
                    "flags": lists[0],
                    "customer_type": row.customer_type,
                    "characteristics": lists[1],
                    "reasons": words,
                    "csm": row.csm,
                    "next_best_action": action,
                }


_UNSET: Any = object()
_NAME = "\x00"
# Worded reasons and actions kept for reuse, at most this many of each.
EXPORT_CACHE = 20_000
