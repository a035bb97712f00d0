"""The relationship engine: DOMAIN.md's rules as a handful of set-based SQL statements.

``classify`` aggregates the facts of every party (or of a few) into temporary tables
with GROUP BY and window functions, derives flags, type, characteristics, reasons and
the next best action in one SELECT, writes history rows for what changed, and upserts
``PartyProfile``. The same SQL runs on SQLite and PostgreSQL; ``_Dialect`` holds the
few expressions that differ.

Time rules (DOMAIN.md): ``as_of`` is a whole day in the business's time zone, so a
fact counts when it is before the first instant of the next day there. "At most N
days ago" is turned into "at or after the first instant of the day N days before
as_of", computed once in Python; only the loyal rule's "N days apart" needs each
party's first and last order as local calendar days. Dates are compared as day
numbers (days since 1970-01-01) so both databases do the same integer arithmetic.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kenal.classification.models import (
    CHARACTERISTICS,
    ClassificationRun,
    ClassificationSettings,
    PartyProfile,
    ProfileTally,
    Relationship,
)
from kenal.classification.selectors import (
    business_today,
    classification_settings_current,
    day_end_exclusive,
    day_start,
)

logger = logging.getLogger(__name__)
EPOCH = date(1970, 1, 1)
FAR = 99_999_999  # a day number later than any real date: "no end"


@dataclass
class ClassifySummary:
    as_of: date
    parties: int = 0
    changes: int = 0
    relationships: dict[str, int] = field(default_factory=dict)
    customer_types: dict[str, int] = field(default_factory=dict)
    characteristics: dict[str, int] = field(default_factory=dict)


def day_number(day: date) -> int:
    return (day - EPOCH).days


def _fixed_offset_seconds(zone: ZoneInfo) -> int | None:
    """The zone's UTC offset when it has been the same since 1970 (Asia/Jakarta has);
    SQLite can then find local days with integer arithmetic instead of a Python call."""
    offsets = {zone.utcoffset(datetime(year, month, 1)) for year in range(1970, 2101) for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds())


class _Dialect:
    def __init__(self, vendor: str, zone_name: str) -> None:
        self.pg = vendor == "postgresql"
        self.zone_name = zone_name
        self.offset = _fixed_offset_seconds(ZoneInfo(zone_name))

    def local_day(self, expr: str) -> str:
        """Day number of a stored timestamp's calendar date in the business's zone."""
        if self.pg:
            return f"(CAST(({expr}) AT TIME ZONE %(zone)s AS date) - DATE '1970-01-01')"
        if self.offset is not None:
            return f"((CAST(strftime('%%s', {expr}) AS INTEGER) + {self.offset}) / 86400)"
        return f"CAST(julianday(django_datetime_cast_date({expr}, %(zone)s, 'UTC')) - 2440587.5 AS INTEGER)"

    def day(self, expr: str) -> str:
        """Day number of a stored date."""
        if self.pg:
            return f"(({expr}) - DATE '1970-01-01')"
        return f"CAST(julianday({expr}) - 2440587.5 AS INTEGER)"

    def plus_hours(self, expr: str, hours: int) -> str:
        if self.pg:
            return f"(({expr}) + make_interval(hours => {int(hours)}))"
        # SQLite's date functions keep milliseconds only; shift the whole seconds and
        # put the stored fraction back so the comparison stays exact.
        return f"(datetime(substr({expr}, 1, 19), '+{int(hours)} hours') || substr({expr}, 20))"

    def minutes_between(self, later: str, earlier: str) -> str:
        if self.pg:
            return f"CAST(FLOOR(EXTRACT(EPOCH FROM ({later}) - ({earlier})) / 60) AS integer)"
        return f"((CAST(strftime('%%s', {later}) AS INTEGER) - CAST(strftime('%%s', {earlier}) AS INTEGER)) / 60)"

    def least(self, *exprs: str) -> str:
        return f"{'LEAST' if self.pg else 'min'}({', '.join(exprs)})"

    def greatest(self, *exprs: str) -> str:
        return f"{'GREATEST' if self.pg else 'max'}({', '.join(exprs)})"

    def obj(self, *pairs: tuple[str, str]) -> str:
        """A JSON object from (key, SQL expression) pairs; nests inside ``json_text``."""
        args = ", ".join(f"'{key}', {value}" for key, value in pairs)
        return f"json_build_object({args})" if self.pg else f"json_object({args})"

    def numbers_object(self, code: str, params: list[tuple[str, str]]) -> str:
        """{"code": code, "params": {...}} for numeric params, written by concatenation:
        the JSON functions cost several times more, and a recompute builds millions."""
        inner = ",".join(f'"{key}":\' || COALESCE(CAST({value} AS text), \'null\') || \'' for key, value in params)
        return "'{\"code\":\"" + code + "\",\"params\":{" + inner + "}}'"

    def json_text(self, expr: str) -> str:
        return f"CAST({expr} AS text)" if self.pg else expr

    def to_json(self, expr: str) -> str:
        """Text holding JSON, as a value for a JSONField column."""
        return f"CAST({expr} AS jsonb)" if self.pg else expr

    def concat_agg(self, expr: str) -> str:
        return f"string_agg({expr}, ',')" if self.pg else f"group_concat({expr}, ',')"

    def distinct(self, a: str, b: str) -> str:
        return f"({a} IS DISTINCT FROM {b})" if self.pg else f"({a} IS NOT {b})"


_CREATE = re.compile(r"\s*CREATE TEMP TABLE (?P<name>\w+) AS(?P<body>.*)", re.DOTALL)
_INDEX = re.compile(r"\s*CREATE UNIQUE INDEX \w+ ON (?P<name>\w+)")
_PARAM = re.compile(r"%\((\w+)\)s")
# Per database connection, the statements prepared on it; they go when it closes.
_PREPARED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()


def _pg_type(value: Any) -> str:
    """The PostgreSQL type of a parameter of a prepared statement, from its value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "bigint"
    if isinstance(value, float):
        return "double precision"
    if isinstance(value, Decimal) or value is None:
        return "numeric"
    if isinstance(value, datetime):
        return "timestamptz"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list):
        return "bigint[]"
    return "text"


# Up to this many parties (with those they referred), a PostgreSQL run uses its
# prepared, generic plan; more would want the planner to see how many.
FEW_PARTIES = 20
# The columns of the tables SQLite keeps between runs for a few parties, by the text
# of the query that fills them.
_KEPT_COLUMNS: dict[str, list[str]] = {}
KEYED_BY_PARTY = frozenset({"cls_ord", "cls_use", "cls_int", "cls_agr", "cls_base", "cls_grow", "cls_out"})
TEMP_TABLES = [
    "cls_ord", "cls_use", "cls_int", "cls_agr_rows", "cls_agr", "cls_csm", "cls_cover",
    "cls_base", "cls_grow", "cls_q", "cls_ask", "cls_ov", "cls_out",
]


TALLY = "classification_profiletally"
# Every so many appended differences, a one-party run folds the tally back into one
# row per name, so reading it stays a sum over a few dozen rows between nightly runs.
TALLY_COMPACT_EVERY = 500


def tally_compact(cursor) -> None:
    """Replace the tally's rows by one per name with the same sums."""
    if connection.vendor == "postgresql":
        # One statement: it deletes exactly the rows its snapshot sees, so rows that
        # concurrent transactions append meanwhile are neither lost nor counted twice.
        cursor.execute(f"""
            WITH gone AS (DELETE FROM {TALLY} RETURNING name, delta)
            INSERT INTO {TALLY} (name, delta) SELECT name, SUM(delta) FROM gone GROUP BY name
        """)
        return
    # SQLite lets one writer in at a time, so two statements see the same rows.
    cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TALLY}")
    (last,) = cursor.fetchone()
    cursor.execute(
        f"INSERT INTO {TALLY} (name, delta) SELECT name, SUM(delta) FROM {TALLY} WHERE id <= %s GROUP BY name",
        [last],
    )
    cursor.execute(f"DELETE FROM {TALLY} WHERE id <= %s", [last])


def tally_rebuild() -> None:
    """Count the stored profiles afresh into the tally, for profiles written other
    than by the engine (a benchmark's seeded ones, say)."""
    names = [(f"relationship:{value}", f"relationship = '{value}'") for value in Relationship.values]
    names += [(f"characteristic:{name}", f'"{name}"') for name in CHARACTERISTICS]
    counted = " UNION ALL ".join(
        f"SELECT '{name}', COUNT(*) FROM classification_partyprofile WHERE {condition}" for name, condition in names
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TALLY}")
        cursor.execute(f"INSERT INTO {TALLY} (name, delta) {counted}")


def tally_forget(*, party_id: int) -> None:
    """Take a party about to be deleted out of the tally. Runs append differences as
    they write profiles; a deleted party gets no new profile, so its stored one is
    subtracted here."""
    profile = PartyProfile.objects.filter(party_id=party_id).first()
    if profile is None:
        return
    names = [f"relationship:{profile.relationship}"]
    names += [f"characteristic:{name}" for name in CHARACTERISTICS if getattr(profile, name)]
    ProfileTally.objects.bulk_create([ProfileTally(name=name, delta=-1) for name in names])


# The earliest day a window may start on: a setting of a million days (or more) means
# "since ever", and a date before year 1 does not exist.
FIRST_DAY = date(1, 1, 3)
# Hours past which "within N hours" means "at any time": 1,000 years, so adding them to
# a timestamp stays inside what both databases can hold.
MAX_HOURS = 24 * 366 * 1000
# Days past which a count of days means "any number": added to a day number it stays
# an integer both databases hold, and below FAR, so an agreement with no end still
# ends after any window.
MAX_DAYS = 10_000_000


def days_before(as_of: date, days: int) -> date:
    """``as_of`` minus ``days``, or the first day there is when that goes further back."""
    room = (as_of - FIRST_DAY).days
    return as_of - timedelta(days=max(0, min(int(days), room)))


def _params(cfg: ClassificationSettings, as_of: date, zone_name: str) -> dict:
    def ts(days: int):
        return connection.ops.adapt_datetimefield_value(day_start(days_before(as_of, days)))

    return {
        "zone": zone_name,
        "asof": connection.ops.adapt_datefield_value(as_of),
        "asof_dn": day_number(as_of),
        "end": connection.ops.adapt_datetimefield_value(day_end_exclusive(as_of)),
        "new_start": ts(cfg.new_days),
        "pot_start": ts(cfg.potential_days),
        "loyal_recent_start": ts(cfg.loyal_recent_days),
        "rev_start": ts(365),
        "checkin_start": ts(cfg.checkin_days),
        "winback_start": ts(cfg.winback_days),
        "currency": business_currency(),
        "units": float(cfg.intermediate_min_units),
        "thrifty_min": cfg.thrifty_min_orders,
        "thrifty_share": float(cfg.thrifty_share),
        "loyal_min": cfg.loyal_min_orders,
        "loyal_span": min(cfg.loyal_span_days, MAX_DAYS),
        "loyal_agr_days": min(cfg.loyal_agreement_days, MAX_DAYS),
        "growing_min": cfg.growing_min_orders,
        "inter_share": float(cfg.intermediate_share),
        "renewal_days": min(cfg.renewal_window_days, MAX_DAYS),
        "potential_days": cfg.potential_days,
        "far": FAR,
        # The tiers are parameters (never written into the SQL); with none configured
        # the condition is simply false (``_tier_condition``).
        # PostgreSQL refuses a NUL character in text, so none is ever sent.
        **{f"tier{i}": tier.replace("\x00", "") for i, tier in enumerate(cfg.top_tier_list)},
    }


def business_currency() -> str:
    """The currency the business reports in: revenue is ranked in it alone, as adding
    rupiah to dollars would mean nothing."""
    return (settings.KENAL_DEFAULT_CURRENCY or "IDR").strip().upper()


def _tier_condition(params: dict, column: str) -> str:
    keys = [f"%({key})s" for key in params if key.startswith("tier")]
    return f"{column} IN ({', '.join(keys)})" if keys else "1 = 0"


def classify(
    *, as_of: date | None = None, party_ids: list[int] | None = None, store: bool = True,
    read: Callable[[Any], Any] | None = None,
) -> ClassifySummary:
    """Recompute every party (or only ``party_ids``) as of the whole day ``as_of``
    (default: today in the business's time zone), store the results in PartyProfile
    and record what changed in ProfileChange.

    With ``store=False`` the run writes nothing but its own temporary tables: the
    results stay in ``cls_out`` (columns named as PartyProfile's, but ``nba`` for the
    next best action and ``n_paid`` for the paid orders), where ``read(cursor)`` may
    read them before they go; the summary counts them.
    The services store only runs for today (services.profiles_recompute).

    A party's ``growing`` depends on the parties it referred; recomputing one party
    reads their facts but does not update them, nor its referrer."""
    as_of = as_of or business_today()
    cfg = classification_settings_current()
    started = timezone.now()
    # No savepoint inside a caller's transaction (saving an order, say): a failure here
    # must fail the whole of it, as a fact stored without its classification would be
    # half-written; and a savepoint costs two round trips on each save.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        run = _Run(cursor, cfg, as_of, party_ids, store=store, read=read)
        summary = run.execute(started)
    if store and party_ids is None and connection.vendor == "postgresql" and not connection.in_atomic_block:
        # A full run may write a million profiles (the first always does). Until a
        # vacuum marks the new row versions visible to all, the party list's filters
        # must visit the table for each index entry they read; autovacuum would come,
        # but minutes later. After a run that changed little it has little to do.
        # VACUUM cannot run inside a transaction, hence here.
        with connection.cursor() as cursor:
            vacuum_started = time.perf_counter()
            cursor.execute("VACUUM (ANALYZE) classification_partyprofile")
            logger.debug("%.1f ms: VACUUM (ANALYZE) of the profiles", (time.perf_counter() - vacuum_started) * 1000)
    return summary


class _Run:
    def __init__(
        self, cursor, cfg: ClassificationSettings, as_of: date, party_ids: list[int] | None, *,
        store: bool = True, read: Callable[[Any], Any] | None = None,
    ) -> None:
        self.cursor = cursor
        self.store = store
        self.read = read
        self.first = False
        self.cfg = cfg
        self.as_of = as_of
        self.party_ids = None if party_ids is None else sorted({int(pk) for pk in party_ids})
        self.d = _Dialect(connection.vendor, settings.TIME_ZONE)
        self.p = _params(cfg, as_of, settings.TIME_ZONE)
        self.ctes: list[str] = []
        self.created: set[str] = set()
        self.left_in_place: set[str] = set()
        self.scope_ids: list[int] = []

    def sql(self, statement: str) -> None:
        statement = self._as_ctes(statement)
        if not statement:
            return
        started = time.perf_counter()
        create = _CREATE.match(statement)
        index = _INDEX.match(statement)
        if create and self._keyed_by_party(create["name"]):
            self._create_keyed(create["name"], create["body"])
        elif create and self._prepared:
            self._create_prepared(create["name"], create["body"])
        elif create and not self.d.pg and self.party_ids is not None:
            self._fill_kept(create["name"], create["body"])
        elif index and self._keyed_by_party(index["name"]):
            pass  # its key already is the party
        else:
            if create and self.party_ids is not None and self.d.pg:
                # An earlier run for a few parties in this transaction leaves its table
                # until the commit.
                self.cursor.execute(f"DROP TABLE IF EXISTS {create['name']}")
            self.cursor.execute(statement, self.p)
        if create:
            self.created.add(create["name"])
        # Statement timings at DEBUG level show where a slow recompute spends its time.
        logger.debug("%.1f ms: %s", (time.perf_counter() - started) * 1000, " ".join(statement.split())[:90])

    @property
    def _prepared(self) -> bool:
        """Whether this run uses the prepared statement kept for a few parties (PostgreSQL)."""
        return self.d.pg and self.party_ids is not None and len(self.scope_ids) <= FEW_PARTIES

    def _keyed_by_party(self, table: str) -> bool:
        """Whether ``table`` is one of a full run's SQLite tables of one row per party,
        made with the party as its rowid. Joined by party, the rows are then found by
        their key; made by CREATE TABLE AS, SQLite would build a temporary index of
        each for every join (a few seconds at a million parties)."""
        return not self.d.pg and self.party_ids is None and table in KEYED_BY_PARTY

    def _create_keyed(self, table: str, body: str) -> None:
        self.cursor.execute(f"SELECT * FROM ({body}) LIMIT 0", self.p)
        columns = [column[0] for column in self.cursor.description]
        assert columns[0] == "party_id", table
        declared = ", ".join(f'"{column}"' for column in columns[1:])
        self.cursor.execute(f"CREATE TEMP TABLE {table} (party_id INTEGER PRIMARY KEY, {declared})")
        self.cursor.execute(f"INSERT INTO {table} {body}", self.p)

    def _fill_kept(self, table: str, body: str) -> None:
        """SQLite, a run for a few parties: the table stays from one run to the next on
        the connection, emptied and filled again. Creating and dropping it would change
        the schema, which makes SQLite compile every statement afresh, and compiling the
        engine's long statements takes longer than running them for a few parties; with
        the schema unchanged and the same texts each time (the ids are a parameter),
        the statements compiled by the first run are reused."""
        columns = _KEPT_COLUMNS.get(body)
        if columns is None:
            self.cursor.execute(f"SELECT * FROM ({body}) LIMIT 0", self.p)
            columns = _KEPT_COLUMNS[body] = [column[0] for column in self.cursor.description]
        declared = ", ".join(f'"{column}"' for column in columns)
        self.cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({declared})")
        self.cursor.execute(f"DELETE FROM {table}")
        self.cursor.execute(f"INSERT INTO {table} ({declared}) {body}", self.p)
        self.left_in_place.add(table)

    def _create_prepared(self, table: str, body: str) -> None:
        """CREATE TABLE AS EXECUTE, on PostgreSQL, for a run of a few parties: planning
        the one long statement that classifies them takes longer than running it, so it
        is prepared once per connection and its generic plan (index lookups, right for
        a few parties) is used every time. Parameters are typed from their values; the
        parties' ids are one of them. The table goes at commit, sparing a DROP."""
        names = list(dict.fromkeys(_PARAM.findall(body)))
        text = body
        for number, name in enumerate(names, start=1):
            text = text.replace(f"%({name})s", f"${number}")
        text = text.replace("%%", "%")
        key = hashlib.sha1(text.encode()).hexdigest()[:20]
        statement = f"kenal_cls_{key}"
        prepared = _PREPARED.setdefault(connection.connection, set())
        if statement not in prepared:
            types = ", ".join(_pg_type(self.p[name]) for name in names)
            self.cursor.execute(f"PREPARE {statement} ({types}) AS {text}")
            prepared.add(statement)
        arguments = ", ".join(["%s"] * len(names))
        # One round trip for all three: each costs about half a millisecond. The table
        # of an earlier run in the same transaction may still be there.
        self.cursor.execute(
            f"DROP TABLE IF EXISTS {table}; SET LOCAL plan_cache_mode = force_generic_plan; "
            f"CREATE TEMP TABLE {table} ON COMMIT DROP AS EXECUTE {statement} ({arguments})",
            [self.p[name] for name in names],
        )
        self.left_in_place.add(table)

    def _as_ctes(self, statement: str) -> str:
        """In a run for a few parties, the intermediate tables become CTEs of the
        statement that builds ``cls_out``: creating a dozen temporary tables would cost
        more than the work itself (PostgreSQL writes each one into its catalogue)."""
        if self.party_ids is None:
            return statement
        if _INDEX.match(statement):
            return ""  # a table of a few rows needs no index
        create = _CREATE.match(statement)
        if create is None:
            return statement
        if create["name"] != "cls_out":
            self.ctes.append(f"{create['name']} AS ({create['body']})")
            return ""
        body = create["body"].strip()
        assert body.startswith("WITH ")
        return f"CREATE TEMP TABLE cls_out AS WITH {', '.join(self.ctes)}, {body[len('WITH '):]}"

    def scoped(self, column: str, *, requested_only: bool = False) -> str:
        """A filter keeping rows of the parties being recomputed (and those they
        referred). The ids are written out: a planner sees a short list and uses the
        indexes, where it would guess wrong about a temporary table."""
        if self.party_ids is None:
            return ""
        ids = self.party_ids if requested_only else self.scope_ids
        # A parameter, so the statement's text (and its prepared plan or compiled
        # program) is the same for every party; the planner still sees the values.
        key = "requested_ids" if requested_only else "scope_ids"
        if self.d.pg:
            self.p[key] = list(ids)
            return f" AND {column} = ANY(%({key})s)"
        self.p[key] = json.dumps(list(ids))
        return f" AND {column} IN (SELECT value FROM json_each(%({key})s))"

    def execute(self, started: datetime) -> ClassifySummary:
        if self.party_ids is not None:
            self._scope()
        if not self.d.pg or self._prepared:
            return self._execute(started)
        # PostgreSQL compiles a costly statement's expressions to machine code (JIT)
        # before running it. Here each row passes once through simple steps, so the
        # compiling is never paid back: at a million parties it took 4 s of an 18 s
        # first run. Turned off for this run only, whatever the caller had set (a run
        # that fails takes its transaction, and the setting, with it).
        self.cursor.execute("SELECT current_setting('jit'), set_config('jit', 'off', true)")
        (jit, _) = self.cursor.fetchone()
        summary = self._execute(started)
        self.cursor.execute("SELECT set_config('jit', %s, true)", [jit])
        return summary

    def _execute(self, started: datetime) -> ClassifySummary:
        if self.party_ids is None:
            # Defensive: a run's tables vanish with its transaction when it fails, and
            # it drops them itself when it succeeds. A one-party run skips this, as each
            # statement is a round trip that would be a good part of its time.
            for table in TEMP_TABLES:
                self.cursor.execute(f"DROP TABLE IF EXISTS {table}")
        self._orders()
        self._uses()
        self._interactions()
        self._agreements()
        self._base()
        self._drop("cls_ord", "cls_use", "cls_int", "cls_agr_rows", "cls_agr", "cls_csm", "cls_cover")
        self._derived()
        threshold = self._top_threshold()
        self._overrides()
        # An empty profile table (the first run after an import) is locked at once: the
        # results then go straight into it. Otherwise it is locked only to store them.
        self.first = (
            self.store and self.party_ids is None and self._profiles_empty() and self._lock_profiles_and_check_empty()
        )
        self._out(threshold, started)
        self._drop("cls_base", "cls_grow", "cls_q", "cls_ask", "cls_ov")
        if not self.store:
            # A run for another day: its results are read from cls_out and go with it.
            summary = self._summary(0)
            if self.read is not None:
                self.read(self.cursor)
            self._drop(*TEMP_TABLES)
            return summary
        if self.first:
            summary = self._summary(0, table=self.PROFILES)
            self._tally_totals(summary)
            self._log_full_run(summary, threshold, started)
            self._drop(*TEMP_TABLES)
            return summary
        if self.d.pg and "cls_out" in self.left_in_place:
            summary = self._finish_few_at_once()
            self._drop(*TEMP_TABLES)
            return summary
        if self.party_ids is None:
            changes = self._history()
            self._store(0)
            summary = self._summary(changes, table=self.PROFILES)
            self._tally_totals(summary)
        else:
            summary = self._summary(self._history())
            self._tally_differences()  # before the store: it reads the old profiles
            self._store(summary.parties)
        if self.party_ids is None:
            self._log_full_run(summary, threshold, started)
        self._drop(*TEMP_TABLES)
        return summary

    def _log_full_run(self, summary: ClassifySummary, threshold: Decimal | None, started: datetime) -> None:
        # Only full runs are logged: every order or message written may recompute its
        # parties, and a row for each would drown the nightly runs.
        ClassificationRun.objects.create(
            as_of=self.as_of, full=True, parties=summary.parties, top_revenue_threshold=threshold,
            started_at=started, finished_at=timezone.now(),
        )

    def _analyze(self, table: str) -> None:
        """PostgreSQL never gathers statistics on temporary tables by itself; without
        them it plans a million-row join as if the table were tiny. Row counts and a
        rough idea of each column are all the plans here need, so a small sample does."""
        if self.d.pg and self.party_ids is None:
            self.cursor.execute("SET LOCAL default_statistics_target = 10")
            self.cursor.execute(f"ANALYZE {table}")
            self.cursor.execute("RESET default_statistics_target")

    def _drop(self, *tables: str) -> None:
        """Temporary tables go as soon as they are used, to keep memory low. Only those
        this run created and does not leave in place: a one-party run makes one,
        and each statement costs a round trip that would be a good part of its time."""
        for table in tables:
            if table in self.created and table not in self.left_in_place:
                self.cursor.execute(f"DROP TABLE {table}")
                self.created.discard(table)

    def _scope(self) -> None:
        # The requested parties plus those they referred: growing reads their flags.
        ids = self.party_ids or []
        referred: set[int] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            self.cursor.execute(
                "SELECT id FROM parties_party WHERE referred_by_id IN (%s)" % ", ".join(["%s"] * len(chunk)), chunk
            )
            referred.update(pk for (pk,) in self.cursor.fetchall())
        self.scope_ids = sorted(set(ids) | referred)

    def _orders(self) -> None:
        d = self.d
        self.sql(f"""
            CREATE TEMP TABLE cls_ord AS
            SELECT x.*,
                CASE WHEN x.n_paid >= %(loyal_min)s THEN {d.local_day('x.first_at')} END AS first_dn,
                CASE WHEN x.n_paid >= %(loyal_min)s THEN {d.local_day('x.last_at')} END AS last_dn
            FROM (
                SELECT o.buyer_id AS party_id, COUNT(*) AS n_paid,
                    SUM(CASE WHEN o.has_promotion THEN 1 ELSE 0 END) AS n_promo,
                    SUM(CASE WHEN o.max_paid_quantity >= %(units)s THEN 1 ELSE 0 END) AS n_bulk,
                    MIN(o.occurred_at) AS first_at, MAX(o.occurred_at) AS last_at,
                    SUM(CASE WHEN o.occurred_at >= %(rev_start)s AND o.currency = %(currency)s
                        THEN o.paid_total ELSE 0 END) AS revenue_12m,
                    SUM(CASE WHEN o.occurred_at >= %(rev_start)s AND o.currency <> %(currency)s
                        THEN 1 ELSE 0 END) AS n_other_currency
                FROM commerce_order o
                WHERE o.is_paid AND o.occurred_at < %(end)s{self.scoped('o.buyer_id')}
                GROUP BY o.buyer_id
            ) x
        """)

    def _uses(self) -> None:
        # Consumer: named on a paid line of an order someone else bought. SQLite looks
        # each line's order up by its id; in consumer order those lookups jump about a
        # table of millions of orders, and with its pages out of the cache each one is a
        # read from disk (9 s instead of 1 at a million parties), so it sorts the lines
        # by order first. PostgreSQL inlines the plain CTE and hash-joins in parallel.
        sqlite = not self.d.pg
        self.sql(f"""
            CREATE TEMP TABLE cls_use AS
            WITH u AS {"MATERIALIZED " if sqlite else ""}(
                SELECT l.order_id, l.consumer_id FROM commerce_orderline l
                WHERE l.consumer_id IS NOT NULL AND l.status = 'paid'{self.scoped('l.consumer_id')}
                {"ORDER BY l.order_id" if sqlite else ""}
            )
            SELECT u.consumer_id AS party_id, COUNT(*) AS n_used
            FROM u JOIN commerce_order o ON o.id = u.order_id
            WHERE u.consumer_id <> o.buyer_id AND o.occurred_at < %(end)s
            GROUP BY u.consumer_id
        """)

    def _interactions(self) -> None:
        self.sql(f"""
            CREATE TEMP TABLE cls_int AS
            SELECT i.party_id, MIN(i.occurred_at) AS first_at, MAX(i.occurred_at) AS last_at,
                SUM(CASE WHEN i.direction = 'inbound' AND i.occurred_at >= %(pot_start)s THEN 1 ELSE 0 END)
                    AS n_inbound_recent,
                MAX(CASE WHEN i.direction = 'outbound' THEN i.occurred_at END) AS last_out_at,
                MAX(CASE WHEN i.direction = 'inbound' AND i.kind IN ('question', 'complaint') THEN i.occurred_at END)
                    AS last_ask_at
            FROM interactions_interaction i
            WHERE i.occurred_at < %(end)s{self.scoped('i.party_id')}
            GROUP BY i.party_id
        """)

    def _agreements(self) -> None:
        d = self.d
        # Every agreement that matters here is signed by both sides on or before as_of:
        # unsigned ones are proposals, and one signed later was not signed at as_of.
        end_dn = d.least(
            f"COALESCE({d.day('a.ends_on')}, %(far)s)", f"COALESCE({d.day('a.terminated_on')} - 1, %(far)s)"
        )
        self.sql(f"""
            CREATE TEMP TABLE cls_agr_rows AS
            SELECT y.*,
                CASE WHEN y.s_dn <= %(asof_dn)s AND y.e_dn >= %(asof_dn)s THEN 1 ELSE 0 END AS active,
                CASE WHEN NOT (y.s_dn <= %(asof_dn)s AND y.e_dn >= %(asof_dn)s)
                    AND {d.greatest('y.s_dn', 'y.sig_dn')} <= {d.least('y.e_dn', '%(asof_dn)s - 1')}
                    THEN 1 ELSE 0 END AS former
            FROM (
                SELECT a.id, a.party_id, a.tier, a.csm_id, a.auto_renew,
                    {d.day('a.starts_on')} AS s_dn, {end_dn} AS e_dn,
                    {d.greatest(d.local_day('a.signed_by_provider_at'), d.local_day('a.signed_by_client_at'))} AS sig_dn
                FROM agreements_agreement a
                WHERE a.signed_by_provider_at < %(end)s AND a.signed_by_client_at < %(end)s{self.scoped('a.party_id')}
            ) y
        """)
        self.sql(f"""
            CREATE TEMP TABLE cls_agr AS
            SELECT party_id,
                SUM(active) AS n_active,
                SUM(CASE WHEN active = 1 AND csm_id IS NOT NULL THEN 1 ELSE 0 END) AS n_active_csm,
                SUM(former) AS n_former,
                MAX(CASE WHEN former = 1 THEN {d.least('e_dn', '%(asof_dn)s - 1')} END) AS former_end_dn,
                MAX(CASE WHEN active = 1 THEN e_dn END) AS active_end_dn,
                SUM(CASE WHEN e_dn >= %(asof_dn)s AND (e_dn > %(asof_dn)s + %(renewal_days)s OR auto_renew)
                    THEN 1 ELSE 0 END) AS n_lasting,
                SUM(CASE WHEN {_tier_condition(self.p, 'tier')} THEN 1 ELSE 0 END) AS n_top_tier
            FROM cls_agr_rows GROUP BY party_id
        """)
        self.sql("""
            CREATE TEMP TABLE cls_csm AS
            SELECT party_id, csm_id FROM (
                SELECT party_id, csm_id,
                    ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY s_dn DESC, id DESC) AS rn
                FROM cls_agr_rows WHERE active = 1 AND csm_id IS NOT NULL
            ) z WHERE rn = 1
        """)
        # Gaps and islands: the run of days, ending at as_of, that signed agreements
        # cover without a gap (overlapping and back-to-back agreements join up).
        self.sql(f"""
            CREATE TEMP TABLE cls_cover AS
            WITH iv AS (
                SELECT party_id, s_dn, {d.least('e_dn', '%(asof_dn)s')} AS e_dn FROM cls_agr_rows
                WHERE s_dn <= %(asof_dn)s AND e_dn >= s_dn
                    AND party_id IN (SELECT party_id FROM cls_agr_rows WHERE active = 1)
            ), m AS (
                SELECT party_id, s_dn, e_dn,
                    MAX(e_dn) OVER (PARTITION BY party_id ORDER BY s_dn, e_dn
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_end
                FROM iv
            ), g AS (
                SELECT party_id, s_dn, e_dn,
                    SUM(CASE WHEN prev_end IS NULL OR s_dn > prev_end + 1 THEN 1 ELSE 0 END)
                        OVER (PARTITION BY party_id ORDER BY s_dn, e_dn ROWS UNBOUNDED PRECEDING) AS grp
                FROM m
            )
            SELECT party_id, MIN(s_dn) AS since_dn FROM g GROUP BY party_id, grp HAVING MAX(e_dn) >= %(asof_dn)s
        """)

    def _base(self) -> None:
        d = self.d
        where = "" if self.party_ids is None else f" WHERE TRUE{self.scoped('p.id')}"
        self.sql(f"""
            CREATE TEMP TABLE cls_base AS
            SELECT b.*,
                CASE WHEN b.n_active > 0 THEN 1 ELSE 0 END AS f_client,
                CASE WHEN b.n_paid > 0 OR (b.n_former > 0 AND b.n_active = 0) THEN 1 ELSE 0 END AS f_customer,
                CASE WHEN b.n_used > 0 THEN 1 ELSE 0 END AS f_consumer,
                CASE WHEN b.contact_at IS NOT NULL AND b.first_paid_at IS NOT NULL
                    AND b.contact_at <= b.first_paid_at
                    AND b.first_paid_at < {d.plus_hours('b.contact_at', min(self.cfg.impulsive_hours, MAX_HOURS))}
                    THEN 1 ELSE 0 END AS imp_cand
            FROM (
                SELECT p.id AS party_id, p.kind, p.scope, p.objects_to_profiling AS otp,
                    COALESCE(o.n_paid, 0) AS n_paid, COALESCE(o.n_promo, 0) AS n_promo,
                    COALESCE(o.n_bulk, 0) AS n_bulk, o.first_at AS first_paid_at, o.last_at AS last_paid_at,
                    o.first_dn, o.last_dn, COALESCE(o.revenue_12m, 0) AS revenue_12m,
                    COALESCE(u.n_used, 0) AS n_used,
                    i.last_at AS last_int_at, COALESCE(i.n_inbound_recent, 0) AS n_inbound_recent,
                    i.last_out_at, i.last_ask_at, COALESCE(o.n_other_currency, 0) AS n_other_currency,
                    CASE
                        WHEN p.first_contact_at IS NULL OR p.first_contact_at >= %(end)s THEN i.first_at
                        WHEN i.first_at IS NULL OR p.first_contact_at <= i.first_at THEN p.first_contact_at
                        ELSE i.first_at
                    END AS contact_at,
                    COALESCE(a.n_active, 0) AS n_active, COALESCE(a.n_active_csm, 0) AS n_active_csm,
                    COALESCE(a.n_former, 0) AS n_former, a.former_end_dn, a.active_end_dn,
                    COALESCE(a.n_lasting, 0) AS n_lasting, COALESCE(a.n_top_tier, 0) AS n_top_tier,
                    c.since_dn AS cover_since_dn, cs.csm_id
                FROM parties_party p
                LEFT JOIN cls_ord o ON o.party_id = p.id
                LEFT JOIN cls_use u ON u.party_id = p.id
                LEFT JOIN cls_int i ON i.party_id = p.id
                LEFT JOIN cls_agr a ON a.party_id = p.id
                LEFT JOIN cls_cover c ON c.party_id = p.id
                LEFT JOIN cls_csm cs ON cs.party_id = p.id{where}
            ) b
        """)
        self.sql("CREATE UNIQUE INDEX cls_base_pk ON cls_base (party_id)")
        self._analyze("cls_base")

    def _derived(self) -> None:
        scope = self.scoped("r.referred_by_id", requested_only=True)
        self.sql(f"""
            CREATE TEMP TABLE cls_grow AS
            SELECT r.referred_by_id AS party_id, COUNT(*) AS n_referred
            FROM parties_party r JOIN cls_base b ON b.party_id = r.id
            WHERE r.referred_by_id IS NOT NULL AND (b.f_client = 1 OR b.f_customer = 1){scope}
            GROUP BY r.referred_by_id
        """)
        # Impulsive needs no inbound question between first contact and first order
        # (both ends included); only the few candidates are looked up.
        self.sql("""
            CREATE TEMP TABLE cls_q AS
            SELECT b.party_id FROM cls_base b
            WHERE b.imp_cand = 1 AND EXISTS (
                SELECT 1 FROM interactions_interaction q
                WHERE q.party_id = b.party_id AND q.direction = 'inbound' AND q.kind = 'question'
                    AND q.occurred_at >= b.contact_at AND q.occurred_at <= b.first_paid_at
            )
        """)
        # The latest inbound question or complaint that no outbound message followed:
        # what it was and where, looked up only for the parties that have one.
        self.sql("""
            CREATE TEMP TABLE cls_ask AS
            SELECT b.party_id, MIN(q.kind) AS ask_kind, MIN(q.channel) AS ask_channel
            FROM cls_base b JOIN interactions_interaction q
                ON q.party_id = b.party_id AND q.occurred_at = b.last_ask_at
                AND q.direction = 'inbound' AND q.kind IN ('question', 'complaint')
            WHERE b.last_ask_at IS NOT NULL AND (b.last_out_at IS NULL OR b.last_out_at < b.last_ask_at)
            GROUP BY b.party_id
        """)

    def _top_threshold(self) -> Decimal | None:
        """The 12-month paid revenue a party needs to be in the top share. A one-party
        recompute reuses the last full run's figure instead of ranking everyone."""
        if self.party_ids is not None:
            last = ClassificationRun.objects.filter(full=True).order_by("-finished_at", "-id").first()
            if last is not None:
                return last.top_revenue_threshold
            source = """(SELECT SUM(paid_total) AS revenue_12m FROM commerce_order
                         WHERE is_paid AND occurred_at >= %(rev_start)s AND occurred_at < %(end)s
                             AND currency = %(currency)s
                         GROUP BY buyer_id) t"""
        else:
            source = "cls_base"
        self.cursor.execute(f"SELECT COUNT(*) FROM {source} WHERE revenue_12m > 0", self.p)
        count = self.cursor.fetchone()[0]
        if not count:
            return None
        share = float(self.cfg.top_revenue_share)
        # Any share a setting holds gives a rank among the parties that have revenue:
        # none or less ranks only the first, all or more (or not a number) every one.
        rank = count if not math.isfinite(share) else min(count, max(1, math.ceil(share * count)))
        self.cursor.execute(
            f"SELECT revenue_12m FROM {source} WHERE revenue_12m > 0 ORDER BY revenue_12m DESC LIMIT 1 OFFSET {rank - 1}",
            self.p,
        )
        return Decimal(str(self.cursor.fetchone()[0]))

    def _overrides(self) -> None:
        d = self.d
        pivots = ",\n".join(
            f"MAX(CASE WHEN v.field = 'characteristic:{name}' THEN v.value END) AS ov_{name}"
            for name in CHARACTERISTICS
        )
        reason = d.json_text(d.obj(
            ("code", "'override'"),
            ("params", d.obj(("field", "v.field"), ("value", "v.value"), ("user", "u.username"), ("reason", "v.reason"))),
        ))
        self.sql(f"""
            CREATE TEMP TABLE cls_ov AS
            SELECT v.party_id,
                MAX(CASE WHEN v.field = 'relationship' THEN v.value END) AS ov_relationship,
                MAX(CASE WHEN v.field = 'customer_type' THEN v.value END) AS ov_type,
                {pivots},
                {d.concat_agg(reason)} AS ov_reasons
            FROM classification_profileoverride v JOIN accounts_user u ON u.id = v.created_by_id
            WHERE v.withdrawn_at IS NULL{self.scoped('v.party_id')}
            GROUP BY v.party_id
        """)

    def _out(self, threshold: Decimal | None, started: datetime) -> None:
        self.p["threshold"] = float(threshold) if threshold is not None else None
        self.p["computed_at"] = connection.ops.adapt_datetimefield_value(started)
        requested = "" if self.party_ids is None else f" WHERE TRUE{self.scoped('b.party_id', requested_only=True)}"
        profiled = "b.otp = FALSE"
        # Stage 1: computed results.
        computed = f"""
            SELECT b.*, COALESCE(g.n_referred, 0) AS n_referred,
                CASE WHEN b.f_client = 1 THEN 'client' WHEN b.f_customer = 1 THEN 'customer'
                     WHEN b.f_consumer = 1 THEN 'consumer' ELSE 'prospect' END AS c_relationship,
                CASE WHEN b.scope <> '' THEN b.scope
                     WHEN {profiled} AND b.kind = 'organization' AND b.n_paid >= 1
                         AND b.n_bulk >= %(inter_share)s * b.n_paid THEN 'intermediate'
                     ELSE 'external' END AS c_type,
                CASE WHEN {profiled} AND b.f_client = 0 AND b.f_customer = 0 AND b.f_consumer = 0
                    AND b.n_inbound_recent > 0 THEN 1 ELSE 0 END AS c_potential,
                CASE WHEN {profiled} AND b.first_paid_at >= %(new_start)s THEN 1 ELSE 0 END AS c_new,
                CASE WHEN {profiled} AND b.imp_cand = 1 AND q.party_id IS NULL THEN 1 ELSE 0 END AS c_impulsive,
                CASE WHEN {profiled} AND b.n_paid >= %(thrifty_min)s AND b.n_promo >= %(thrifty_share)s * b.n_paid
                    THEN 1 ELSE 0 END AS c_thrifty,
                CASE WHEN {profiled} AND b.n_paid >= %(loyal_min)s AND b.last_dn - b.first_dn >= %(loyal_span)s
                    AND b.last_paid_at >= %(loyal_recent_start)s THEN 1 ELSE 0 END AS c_loyal_orders,
                CASE WHEN {profiled} AND b.n_active > 0
                    AND b.cover_since_dn <= %(asof_dn)s - %(loyal_agr_days)s THEN 1 ELSE 0 END AS c_loyal_agr,
                CASE WHEN {profiled} AND (b.n_paid >= %(growing_min)s OR b.n_active > 0)
                    AND g.n_referred > 0 THEN 1 ELSE 0 END AS c_growing,
                k.ask_kind, k.ask_channel,
                v.ov_relationship, v.ov_type, v.ov_reasons,
                {", ".join(f"v.ov_{name}" for name in CHARACTERISTICS)}
            FROM cls_base b
            LEFT JOIN cls_grow g ON g.party_id = b.party_id
            LEFT JOIN cls_q q ON q.party_id = b.party_id
            LEFT JOIN cls_ask k ON k.party_id = b.party_id
            LEFT JOIN cls_ov v ON v.party_id = b.party_id{requested}
        """
        # Stage 2: overrides on top. Characteristic overrides do not apply to a party
        # that objects to profiling.
        char_final = ",\n".join(
            f"CASE WHEN c.ov_{name} IS NOT NULL AND c.otp = FALSE THEN (c.ov_{name} = 'true') "
            f"ELSE ({self._computed_char(name)} = 1) END AS {name}"
            for name in CHARACTERISTICS
        )
        final = f"""
            SELECT c.*,
                COALESCE(c.ov_relationship, c.c_relationship) AS relationship,
                CASE WHEN COALESCE(c.ov_relationship, c.c_relationship) IN ('client', 'customer')
                     THEN COALESCE(c.ov_type, c.c_type) END AS customer_type,
                {char_final}
            FROM c
        """
        # The final values are materialised once: inlined, every mention of a column in
        # the next best action and the facts would evaluate its whole CASE again.
        facts = ",\n".join(f"{expr} AS {column}" for column, expr in self._facts())
        overrides = ", ".join(f"f.ov_{name}" for name in ["relationship", "type", *CHARACTERISTICS])
        results = f"""
            WITH c AS ({computed}),
            f1 AS {self._once(final)},
            f AS (SELECT f.*, {self._nba_code_sql(threshold)} AS nba FROM f1 f)
            SELECT f.party_id, f.relationship, f.customer_type,
                f.f_client = 1 AS is_client, f.f_customer = 1 AS is_customer, f.f_consumer = 1 AS is_consumer,
                (f.f_client = 0 AND f.f_customer = 0 AND f.f_consumer = 0) AS is_prospect,
                {", ".join(f"f.{name}" for name in CHARACTERISTICS)},
                f.nba, f.csm_id, f.n_paid, f.revenue_12m,
                {facts}, {overrides}
            FROM f
        """
        if self.first:
            self._insert_first(results)
            return
        if self.party_ids is None and self.store:
            results = self._differing(results)
        self.sql(f"CREATE TEMP TABLE cls_out AS {results}")
        self.sql("CREATE UNIQUE INDEX cls_out_pk ON cls_out (party_id)")
        self._analyze("cls_out")

    def _differing(self, results: str) -> str:
        """A full run's results narrowed to those that differ from the stored profile
        or have none (``fresh``). Profiles hold counts and day numbers, not "days ago",
        so most come out the same from one day to the next: the run keeps, records and
        rewrites only the rest, instead of a million rows (which would also leave a
        million dead row versions behind on PostgreSQL)."""
        d = self.d
        stored = [(column, value) for column, value in self._columns() if column not in ("as_of", "computed_at")]
        differs = " OR ".join(d.distinct(f'p."{column}"', value) for column, value in stored)
        return f"""
            SELECT o.*, CASE WHEN p.party_id IS NULL THEN 1 ELSE 0 END AS fresh
            FROM ({results}) o LEFT JOIN {self.PROFILES} p ON p.party_id = o.party_id
            WHERE p.party_id IS NULL OR {differs}
        """

    def _insert_first(self, results: str) -> None:
        """The first full run, into an empty (and locked) profile table: the results go
        straight in, with no table of them in between and nothing to compare them with.
        No ON CONFLICT (which costs each row a second look at the key): the lock keeps
        other profiles out. PostgreSQL builds the secondary indexes afterwards, in a
        fraction of the time it takes to grow them one row at a time."""
        table = self.PROFILES
        columns = self._columns()
        names = ", ".join(f'"{column}"' for column, _ in columns)
        values = ", ".join(value for _, value in columns)
        rebuild = self._secondary_indexes(table) if self.d.pg else []
        for name, _ in rebuild:
            self.cursor.execute(f'DROP INDEX "{name}"')
        self.sql(f"INSERT INTO {table} (party_id, {names}) SELECT o.party_id, {values} FROM ({results}) o")
        for _, definition in rebuild:
            self.sql(definition)

    def _once(self, query: str) -> str:
        """A CTE body whose columns are computed once per row. PostgreSQL does that for
        a subquery it may not flatten (OFFSET 0), row by row; MATERIALIZED would also
        write every row to a tuplestore, spilling a million wide rows to disk. SQLite
        would flatten such a subquery, so it gets MATERIALIZED."""
        return f"({query} OFFSET 0)" if self.d.pg else f"MATERIALIZED ({query})"

    @staticmethod
    def _computed_char(name: str) -> str:
        if name == "loyal":
            return "(CASE WHEN c.c_loyal_orders = 1 OR c.c_loyal_agr = 1 THEN 1 ELSE 0 END)"
        return f"c.c_{name}"

    def _facts(self) -> list[tuple[str, str]]:
        """(PartyProfile column, SQL over ``f``) of the numbers the reasons and the next
        best action are built from (explain.py). Those only one reason needs are kept
        only when it is given, so they cost nothing for most parties."""
        d = self.d
        return [
            ("agreements_active", "f.n_active"),
            # A party with an active agreement is a client, never a former one, however
            # many of its agreements ended before (a renewal).
            ("agreements_former", "CASE WHEN f.n_active = 0 THEN f.n_former ELSE 0 END"),
            ("former_end_day", "CASE WHEN f.n_former > 0 AND f.n_active = 0 THEN f.former_end_dn END"),
            ("other_currency_orders", "f.n_other_currency"),
            ("products_used", "f.n_used"),
            ("type_set_on_party", "f.scope <> ''"),
            ("bulk_orders", "f.n_bulk"),
            ("promo_orders", "f.n_promo"),
            ("inbound_recent", "f.n_inbound_recent"),
            ("first_paid_day", f"CASE WHEN f.new THEN {d.local_day('f.first_paid_at')} END"),
            ("minutes_to_first_order",
             f"CASE WHEN f.impulsive THEN {d.minutes_between('f.first_paid_at', 'f.contact_at')} END"),
            ("first_order_day", "f.first_dn"),
            ("last_order_day", "f.last_dn"),
            ("loyal_by_orders", "f.c_loyal_orders = 1"),
            ("loyal_by_agreements", "f.c_loyal_agr = 1"),
            ("covered_since_day", "f.cover_since_dn"),
            ("referred", "f.n_referred"),
            ("objects_to_profiling", "f.otp"),
            ("intermediate_min_units", "CASE WHEN f.customer_type = 'intermediate' THEN %(units)s END"),
            ("potential_days", "CASE WHEN f.potential THEN %(potential_days)s END"),
            ("agreement_end_day", "CASE WHEN f.nba = 'renewal_talk' THEN f.active_end_dn END"),
            ("last_interaction_day",
             f"CASE WHEN f.nba IN ('csm_checkin', 'nothing_client') THEN {d.local_day('f.last_int_at')} END"),
            ("last_paid_day",
             f"CASE WHEN f.nba IN ('win_back', 'nothing_customer') THEN {d.local_day('f.last_paid_at')} END"),
            ("question_day", f"CASE WHEN f.nba = 'answer' THEN {d.local_day('f.last_ask_at')} END"),
            ("question_kind", "CASE WHEN f.nba = 'answer' THEN f.ask_kind END"),
            ("question_channel", "CASE WHEN f.nba = 'answer' THEN f.ask_channel END"),
            ("override_reasons", "f.ov_reasons"),
        ]

    def reasons_sql(self, n: str) -> str:
        """The reasons as JSON text, from the columns of ``cls_out`` row ``n``: the same
        rules as ``explain.profile_reasons``, for the history of changes."""
        d = self.d

        def since(column: str) -> str:
            return f"%(asof_dn)s - {n}.{column}"

        parts: list[tuple[str, str, list[tuple[str, str]]]] = [
            (f"{n}.ov_relationship IS NULL AND {n}.is_client", "client_agreement",
             [("agreements", f"{n}.agreements_active")]),
            (f"{n}.ov_relationship IS NULL AND {n}.n_paid > 0", "customer_orders", [("orders", f"{n}.n_paid")]),
            (f"{n}.ov_relationship IS NULL AND {n}.agreements_former > 0", "former_client",
             [("days", since("former_end_day"))]),
            (f"{n}.ov_relationship IS NULL AND {n}.is_consumer", "consumer_uses", [("lines", f"{n}.products_used")]),
            (f"{n}.ov_relationship IS NULL AND {n}.is_prospect", "prospect_nothing_yet", []),
            (f"{n}.ov_type IS NULL AND {n}.customer_type IS NOT NULL AND {n}.type_set_on_party", "type_explicit",
             [("type", f"{n}.customer_type")]),
            (f"{n}.ov_type IS NULL AND {n}.customer_type = 'intermediate' AND NOT {n}.type_set_on_party",
             "type_intermediate",
             [("bulk", f"{n}.bulk_orders"), ("orders", f"{n}.n_paid"), ("units", f"{n}.intermediate_min_units")]),
            (f"{n}.ov_type IS NULL AND {n}.customer_type = 'external' AND NOT {n}.type_set_on_party",
             "type_default", []),
            (f"{n}.other_currency_orders > 0", "revenue_other_currency", [("orders", f"{n}.other_currency_orders")]),
            (f"{n}.objects_to_profiling", "objects_to_profiling", []),
            (f"{n}.ov_potential IS NULL AND {n}.potential", "potential",
             [("interactions", f"{n}.inbound_recent"), ("days", f"{n}.potential_days")]),
            (f"{n}.ov_new IS NULL AND {n}.new", "new", [("days", since("first_paid_day"))]),
            (f"{n}.ov_impulsive IS NULL AND {n}.impulsive", "impulsive",
             [("minutes", f"{n}.minutes_to_first_order")]),
            (f"{n}.ov_thrifty IS NULL AND {n}.thrifty", "thrifty",
             [("promo", f"{n}.promo_orders"), ("orders", f"{n}.n_paid")]),
            (f"{n}.ov_loyal IS NULL AND {n}.loyal AND {n}.loyal_by_orders", "loyal_orders",
             [("orders", f"{n}.n_paid"), ("span", f"{n}.last_order_day - {n}.first_order_day"),
              ("last", since("last_order_day"))]),
            (f"{n}.ov_loyal IS NULL AND {n}.loyal AND {n}.loyal_by_agreements", "loyal_agreements",
             [("days", f"{since('covered_since_day')} + 1")]),
            (f"{n}.ov_growing IS NULL AND {n}.growing", "growing", [("referred", f"{n}.referred")]),
        ]
        pieces = []
        for condition, code, params in parts:
            if code == "type_explicit":
                obj = d.json_text(d.obj(("code", f"'{code}'"), ("params", d.obj(*params))))
            else:
                obj = d.numbers_object(code, params)
            pieces.append(f"CASE WHEN {condition} THEN ',' || {obj} ELSE '' END")
        pieces.append(f"CASE WHEN {n}.override_reasons IS NOT NULL THEN ',' || {n}.override_reasons ELSE '' END")
        return f"'[' || substr({' || '.join(pieces)}, 2) || ']'"

    def _nba_rules(self, threshold: Decimal | None) -> list[tuple[str, str]]:
        """(code, condition) in priority order: the first that holds is the action, and
        every party gets one (README, "Next best actions", lists them in this order):

        1. answer: an inbound question or complaint that no outbound message followed;
           someone waiting for an answer comes before anything the business wants.
        2. Client care: a client without a CSM, a renewal to talk about, a check-in
           when nobody was in touch within the check-in window.
        3. Customers: propose a client engagement to a valuable loyal one, win back a
           lapsed one; never to the business's own branches (type internal).
        4. What each characteristic calls for: onboarding, promotion, follow-up of a
           potential prospect, thanks for referrals; consumers are invited to register.
        5. A prospect nobody has written to yet: introduce yourself.
        6. Otherwise an explicit "nothing to do now", with the reason why."""
        top = "f.revenue_12m > 0 AND f.revenue_12m >= %(threshold)s" if threshold is not None else "1 = 0"
        own = "f.customer_type = 'internal'"
        return [
            ("answer", "f.ask_kind IS NOT NULL"),
            ("assign_csm", "f.relationship = 'client' AND f.n_active_csm = 0"),
            ("renewal_talk", "f.relationship = 'client' AND f.n_active > 0 AND f.n_lasting = 0"),
            ("csm_checkin", "f.relationship = 'client' AND (f.last_int_at IS NULL OR f.last_int_at < %(checkin_start)s)"),
            ("propose_client",
             f"f.relationship = 'customer' AND NOT {own} AND f.loyal AND (({top}) OR f.n_top_tier > 0)"),
            ("win_back",
             f"f.relationship = 'customer' AND NOT {own} "
             "AND (f.last_paid_at IS NULL OR f.last_paid_at < %(winback_start)s)"),
            ("onboarding", "f.new"),
            ("promotion", "f.thrifty"),
            ("follow_up_strengths", "f.potential"),
            ("referral_thanks", "f.growing"),
            ("invite_register", "f.relationship = 'consumer'"),
            ("introduce", "f.relationship = 'prospect' AND f.last_out_at IS NULL"),
            ("nothing_internal", own),
            ("nothing_client", "f.relationship = 'client'"),
            ("nothing_customer", "f.relationship = 'customer'"),
            ("nothing_prospect", "f.relationship = 'prospect'"),
        ]

    def _nba_code_sql(self, threshold: Decimal | None) -> str:
        whens = " ".join(f"WHEN {cond} THEN '{code}'" for code, cond in self._nba_rules(threshold))
        return f"CASE {whens} ELSE '' END"

    @staticmethod
    def _classified() -> list[tuple[str, str, str]]:
        """(history field name, cls_out column, profile column) of what the journey records."""
        compared = [("relationship", "relationship", "relationship"), ("customer_type", "customer_type", "customer_type")]
        compared += [(f"flag:{flag}", f"is_{flag}", f"is_{flag}") for flag in ("client", "consumer", "customer", "prospect")]
        compared += [(f"characteristic:{name}", name, f'"{name}"') for name in CHARACTERISTICS]
        return compared

    def _history_sql(self) -> str:
        d = self.d
        compared = [(name, f"n.{new}", f"p.{old}") for name, new, old in self._classified()]
        any_change = " OR ".join(d.distinct(new, old) for _, new, old in compared)
        changed = f"""
            SELECT n.party_id, {self.reasons_sql("n")} AS reasons,
                {", ".join(f"{new} AS n{i}, {old} AS o{i}" for i, (_, new, old) in enumerate(compared))}
            FROM cls_out n JOIN classification_partyprofile p ON p.party_id = n.party_id
            WHERE {any_change}
        """

        def text(expr: str, boolean: bool) -> str:
            return f"CASE WHEN {expr} THEN 'true' ELSE 'false' END" if boolean else expr

        branches = []
        for i, (name, _, _) in enumerate(compared):
            boolean = i >= 2
            branches.append(
                f"SELECT party_id, '{name}', {text(f'o{i}', boolean)}, {text(f'n{i}', boolean)}, "
                f"%(computed_at)s, %(asof)s, {d.to_json('reasons')} FROM c WHERE {d.distinct(f'n{i}', f'o{i}')}"
            )
        # The changed profiles are found once (MATERIALIZED) and read by one branch per field.
        return (
            "INSERT INTO classification_profilechange (party_id, field, from_value, to_value, at, as_of, reasons) "
            f"WITH c AS MATERIALIZED ({changed}) " + " UNION ALL ".join(branches)
        )

    def _history(self) -> int:
        self.sql(self._history_sql())
        return self.cursor.rowcount

    PROFILES = "classification_partyprofile"

    def _columns(self) -> list[tuple[str, str]]:
        """(PartyProfile column, value from cls_out ``o``) of everything a run stores,
        the day of the run and the time it started last."""
        return [
            ("relationship", "o.relationship"), ("is_client", "o.is_client"), ("is_customer", "o.is_customer"),
            ("is_consumer", "o.is_consumer"), ("is_prospect", "o.is_prospect"), ("customer_type", "o.customer_type"),
            *[(name, f"o.{name}") for name in CHARACTERISTICS], ("next_best_action", "o.nba"), ("csm_id", "o.csm_id"),
            ("paid_orders", "o.n_paid"), ("revenue_12m", "o.revenue_12m"),
            *[(column, f"o.{column}") for column, _ in self._facts()],
            ("as_of", "%(asof)s"), ("computed_at", "%(computed_at)s"),
        ]

    def _profiles_empty(self) -> bool:
        self.cursor.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {self.PROFILES})")
        return bool(self.cursor.fetchone()[0])

    def _lock_profiles_and_check_empty(self) -> bool:
        table = self.PROFILES
        if self.d.pg:
            # The first run into an empty table locks it, to keep new profiles out
            # between this check and its insert, which then needs no ON CONFLICT.
            # (SQLite's writer already holds the only write lock.)
            self.cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        return self._profiles_empty()

    def _write_sql(self, *, update_where: str, insert_where: str) -> tuple[str, str]:
        """The UPDATE of stored profiles from ``cls_out`` and the INSERT of those that
        have none yet (ON CONFLICT: a party saved meanwhile may have got its first)."""
        table = self.PROFILES
        columns = self._columns()
        names = ", ".join(f'"{column}"' for column, _ in columns)
        values = ", ".join(value for _, value in columns)
        assignments = ", ".join(f'"{column}" = {value}' for column, value in columns)
        update = f"UPDATE {table} SET {assignments} FROM cls_out o WHERE o.party_id = {table}.party_id{update_where}"
        insert = f"""
            INSERT INTO {table} (party_id, {names}) SELECT o.party_id, {values} FROM cls_out o
            WHERE {insert_where} ON CONFLICT (party_id) DO NOTHING
        """
        return update, insert

    def _store_few_sql(self) -> tuple[str, str]:
        """The writes of a run for a few parties: all of theirs."""
        table = self.PROFILES
        return self._write_sql(
            update_where=self.scoped(f"{table}.party_id", requested_only=True),
            insert_where=f"NOT EXISTS (SELECT 1 FROM {table} p WHERE p.party_id = o.party_id)",
        )

    def _finish_few_at_once(self) -> ClassifySummary:
        """PostgreSQL, a run for a few parties: the history, the summary, the tally and
        the store go to the server as one batch of statements, run in this order, where
        each statement alone would cost a round trip (half a millisecond here)."""
        update, insert = self._store_few_sql()
        batch = [self._history_sql(), self._summary_sql(), self._tally_sql(), update, insert]
        self.cursor.execute(";\n".join(batch), self.p)
        changes = self.cursor.rowcount
        self.cursor.nextset()
        summary = self._summary(changes, self.cursor.fetchall())
        self.cursor.nextset()
        self._tally_differences(self.cursor.fetchall())
        return summary

    def _store(self, parties: int) -> None:
        """Write the results: in a full run, only the profiles that changed and the new
        ones (see ``_differing``); in a run for a few parties, all of theirs."""
        if self.party_ids is not None:
            update, insert = self._store_few_sql()
            self.sql(update)
            if self.cursor.rowcount < parties:
                self.sql(insert)
            return
        self.cursor.execute("SELECT COALESCE(SUM(fresh), 0), COUNT(*) - COALESCE(SUM(fresh), 0) FROM cls_out")
        fresh, changed = (int(n) for n in self.cursor.fetchone())
        update, insert = self._write_sql(update_where=" AND o.fresh = 0", insert_where="o.fresh = 1")
        if changed:
            self.sql(update)
        if fresh:
            self.sql(insert)

    def _tally_totals(self, summary: ClassifySummary) -> None:
        """A full run has just written every profile: its own counts become the tally."""
        self.cursor.execute(f"DELETE FROM {TALLY}")
        totals = [(f"relationship:{value}", summary.relationships.get(value, 0)) for value in Relationship.values]
        totals += [(f"characteristic:{name}", summary.characteristics.get(name, 0)) for name in CHARACTERISTICS]
        self.cursor.executemany(f"INSERT INTO {TALLY} (name, delta) VALUES (%s, %s)", totals)

    def _tally_sql(self) -> str:
        """Append to the tally what this run changes: each new result counts once, each
        profile it replaces once less. Names whose count does not move add no row."""
        both = ", ".join(["relationship", *(f'"{name}"' for name in CHARACTERISTICS)])
        names = ["SELECT 'relationship:' || relationship AS name, d FROM x"]
        names += [f"SELECT 'characteristic:{name}', d FROM x WHERE \"{name}\"" for name in CHARACTERISTICS]
        ids = self.scoped("party_id", requested_only=True)
        return f"""
            INSERT INTO {TALLY} (name, delta)
            WITH x AS (
                SELECT {both}, 1 AS d FROM cls_out
                UNION ALL SELECT {both}, -1 FROM classification_partyprofile WHERE TRUE{ids}
            )
            SELECT name, SUM(d) FROM ({" UNION ALL ".join(names)}) y GROUP BY name HAVING SUM(d) <> 0
            RETURNING id
        """

    def _tally_differences(self, ids: list[tuple] | None = None) -> None:
        if ids is None:
            self.cursor.execute(self._tally_sql(), self.p)
            ids = self.cursor.fetchall()
        if any(pk % TALLY_COMPACT_EVERY == 0 for (pk,) in ids):
            tally_compact(self.cursor)

    def _secondary_indexes(self, table: str) -> list[tuple[str, str]]:
        """(name, CREATE INDEX statement) of the table's indexes that enforce nothing."""
        self.cursor.execute(
            """SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i
               JOIN pg_class c ON c.oid = i.indexrelid
               WHERE i.indrelid = %s::regclass AND NOT i.indisunique AND NOT i.indisprimary""",
            [table],
        )
        return [(name, definition.replace("%", "%%")) for name, definition in self.cursor.fetchall()]

    @staticmethod
    def _summary_sql(table: str = "cls_out") -> str:
        sums = ", ".join(f'SUM(CASE WHEN "{name}" THEN 1 ELSE 0 END)' for name in CHARACTERISTICS)
        return f"SELECT relationship, customer_type, COUNT(*), {sums} FROM {table} GROUP BY relationship, customer_type"

    def _summary(self, changes: int, rows: list[tuple] | None = None, table: str = "cls_out") -> ClassifySummary:
        summary = ClassifySummary(as_of=self.as_of, changes=changes)
        if rows is None:
            self.cursor.execute(self._summary_sql(table))
            rows = self.cursor.fetchall()
        summary.characteristics = dict.fromkeys(CHARACTERISTICS, 0)
        for relationship, customer_type, count, *characteristics in rows:
            summary.relationships[relationship] = summary.relationships.get(relationship, 0) + count
            if customer_type is not None:
                summary.customer_types[customer_type] = summary.customer_types.get(customer_type, 0) + count
            for name, n in zip(CHARACTERISTICS, characteristics):
                summary.characteristics[name] += int(n or 0)
        summary.parties = sum(summary.relationships.values())
        return summary
