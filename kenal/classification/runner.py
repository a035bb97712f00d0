"""How the engine's statements run: each is a named ``Step`` filling a temporary table,
and the runner chooses how to make it on each database, for every party or for a few.

- A full run makes each step's table (on SQLite a table of one row per party gets the
  party as its rowid; on PostgreSQL a table with indexes is analysed).
- A run for a few parties makes one statement: every step before the results becomes
  a CTE of the results' step, as a dozen temporary tables would cost more than the
  work itself. On PostgreSQL that statement is prepared (its generic plan uses the
  indexes, right for a few parties); on SQLite its table is kept and refilled, so the
  statements SQLite compiled stay valid.

Nothing here outlives a run but what the database holds: which statements are
prepared is asked of the server in the run's own transaction, so it holds through a
connection pool, and through PgBouncer in transaction mode (a transaction keeps one
server connection). Set ``KENAL_PREPARED_STATEMENTS=false`` in the environment for a pooler that
shares server connections within a transaction (statement mode)."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

logger = logging.getLogger("kenal.classification.engine")

# Up to this many parties (with those they referred), a PostgreSQL run uses its
# prepared, generic plan; more would want the planner to see how many.
FEW_PARTIES = 20


@dataclass(frozen=True)
class Step:
    """One statement of a run: the temporary table ``name`` filled by the query ``sql``.

    ``keyed_by_party``: one row per party, ``party_id`` first. ``indexes``: the columns
    of a unique index a full run gives the table (and then, on PostgreSQL, gathers its
    statistics). ``ctes``: named queries ``sql`` reads, as (name, "(query)").
    ``results``: the run's results, the step a run for a few parties makes of all the
    others, listing its ``columns``."""

    name: str
    sql: str
    keyed_by_party: bool = False
    indexes: tuple[str, ...] = ()
    ctes: tuple[tuple[str, str], ...] = ()
    results: bool = False
    columns: tuple[str, ...] = ()


def compose(ctes: list[tuple[str, str]] | tuple[tuple[str, str], ...], query: str) -> str:
    if not ctes:
        return query
    return f"WITH {', '.join(f'{name} AS {body}' for name, body in ctes)} {query}"


@lru_cache(maxsize=16)
def _fixed_offset_seconds(zone_name: str) -> int | None:
    """The zone's UTC offset when it has been the same since 1970 (Asia/Jakarta has);
    SQLite can then find local days with integer arithmetic instead of a Python call.
    Remembered by name: asking takes half a millisecond, a good part of a one-party run."""
    zone = ZoneInfo(zone_name)
    offsets = {zone.utcoffset(datetime(year, month, 1)) for year in range(1970, 2101) for month in (1, 4, 7, 10)}
    if len(offsets) != 1:
        return None
    return int(offsets.pop().total_seconds())


class Dialect:
    """The few expressions that differ between SQLite and PostgreSQL."""

    def __init__(self, vendor: str, zone_name: str) -> None:
        self.pg = vendor == "postgresql"
        self.zone_name = zone_name
        self.offset = _fixed_offset_seconds(zone_name)

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

    def plus_hours(self, expr: str, hours: str) -> str:
        """``expr`` plus ``hours`` (SQL giving a whole number)."""
        if self.pg:
            return f"(({expr}) + make_interval(hours => CAST({hours} AS integer)))"
        # SQLite's date functions keep milliseconds only; shift the whole seconds and
        # put the stored fraction back so the comparison stays exact.
        return f"(datetime(substr({expr}, 1, 19), '+' || ({hours}) || ' hours') || substr({expr}, 20))"

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

    def json_text(self, expr: str) -> str:
        return f"CAST({expr} AS text)" if self.pg else expr

    def to_json(self, expr: str) -> str:
        """Text holding JSON, as a value for a JSONField column."""
        return f"CAST({expr} AS jsonb)" if self.pg else expr

    def concat_agg(self, expr: str) -> str:
        return f"string_agg({expr}, ',')" if self.pg else f"group_concat({expr}, ',')"

    def distinct(self, a: str, b: str) -> str:
        return f"({a} IS DISTINCT FROM {b})" if self.pg else f"({a} IS NOT {b})"


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


class _Positional(dict):
    """Numbers each named parameter as ``%`` formatting meets it: "%(x)s" -> "$1"."""

    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def __missing__(self, name: str) -> str:
        self.names.append(name)
        self[name] = f"${len(self.names)}"
        return self[name]


class StepRunner:
    """Runs the steps of one classification run on ``cursor`` with the parameters ``p``."""

    def __init__(self, cursor: Any, dialect: Dialect, params: dict[str, Any], party_ids: list[int] | None) -> None:
        self.cursor = cursor
        self.d = dialect
        self.p = params
        self.party_ids = party_ids
        self.scope_ids: list[int] = []
        self.ctes: list[tuple[str, str]] = []
        self.created: set[str] = set()
        self.left_in_place: set[str] = set()

    @property
    def few(self) -> bool:
        return self.party_ids is not None

    @property
    def prepared(self) -> bool:
        """Whether this run uses a prepared statement (PostgreSQL, a few parties)."""
        return (
            self.d.pg and self.few and len(self.scope_ids) <= FEW_PARTIES
            and settings.KENAL_PREPARED_STATEMENTS
        )

    def statement(self, sql: str) -> None:
        """Run one statement that makes no table of the run's."""
        started = time.perf_counter()
        self.cursor.execute(sql, self.p)
        self._log(started, sql)

    def make(self, step: Step) -> None:
        if self.few and not step.results:
            self.ctes.append((step.name, f"({step.sql})"))
            return
        started = time.perf_counter()
        ctes = [*self.ctes, *step.ctes] if self.few else list(step.ctes)
        query = compose(ctes, step.sql)
        if not self.few:
            self._make_full(step, query)
        elif self.prepared:
            self._make_prepared(step.name, query)
        elif self.d.pg:
            # An earlier run for a few parties in this transaction leaves its table
            # until the commit.
            self.cursor.execute(f"DROP TABLE IF EXISTS {step.name}")
            self.cursor.execute(f"CREATE TEMP TABLE {step.name} AS {query}", self.p)
        else:
            self._fill_kept(step, query)
        self.created.add(step.name)
        self._log(started, f"{step.name}: {step.sql}")

    def _log(self, started: float, sql: str) -> None:
        # Statement timings at DEBUG level show where a slow recompute spends its time.
        logger.debug("%.1f ms: %s", (time.perf_counter() - started) * 1000, " ".join(sql.split())[:90])

    def _make_full(self, step: Step, query: str) -> None:
        if step.keyed_by_party and not self.d.pg:
            # Joined by party, the rows are then found by their key; made by CREATE
            # TABLE AS, SQLite would build a temporary index of each for every join
            # (a few seconds at a million parties).
            self.cursor.execute(f"SELECT * FROM ({query}) LIMIT 0", self.p)
            columns = [column[0] for column in self.cursor.description]
            assert columns[0] == "party_id", step.name
            declared = ", ".join(f'"{column}"' for column in columns[1:])
            self.cursor.execute(f"CREATE TEMP TABLE {step.name} (party_id INTEGER PRIMARY KEY, {declared})")
            self.cursor.execute(f"INSERT INTO {step.name} {query}", self.p)
            return
        self.cursor.execute(f"CREATE TEMP TABLE {step.name} AS {query}", self.p)
        if step.indexes:
            self.cursor.execute(f"CREATE UNIQUE INDEX {step.name}_pk ON {step.name} ({', '.join(step.indexes)})")
            self.analyze(step.name)

    def analyze(self, table: str) -> None:
        """PostgreSQL never gathers statistics on temporary tables by itself; without
        them it plans a million-row join as if the table were tiny. Row counts and a
        rough idea of each column are all the plans here need, so a small sample does."""
        if self.d.pg and not self.few:
            self.cursor.execute("SET LOCAL default_statistics_target = 10")
            self.cursor.execute(f"ANALYZE {table}")
            self.cursor.execute("RESET default_statistics_target")

    def _fill_kept(self, step: Step, query: str) -> None:
        """SQLite, a run for a few parties: the table stays from one run to the next on
        the connection, emptied and filled again. Creating and dropping it would change
        the schema, which makes SQLite compile every statement afresh, and compiling the
        engine's long statements takes longer than running them for a few parties; with
        the schema unchanged and the same texts each time (the ids are a parameter),
        the statements compiled by the first run are reused. The table is made again
        only when its columns change (the rules did)."""
        declared = ", ".join(f'"{column}"' for column in step.columns)
        self.cursor.execute(f"SELECT name FROM pragma_table_info('{step.name}', 'temp')")
        found = tuple(name for (name,) in self.cursor.fetchall())
        if found != step.columns:
            if found:
                self.cursor.execute(f"DROP TABLE temp.{step.name}")
            self.cursor.execute(f"CREATE TEMP TABLE {step.name} ({declared})")
        else:
            self.cursor.execute(f"DELETE FROM {step.name}")
        self.cursor.execute(f"INSERT INTO {step.name} ({declared}) {query}", self.p)
        self.left_in_place.add(step.name)

    def _make_prepared(self, table: str, query: str) -> None:
        """CREATE TABLE AS EXECUTE, on PostgreSQL: planning the one long statement that
        classifies a few parties takes longer than running it, so it is prepared once
        per server connection, under a name that is a hash of its text and parameter
        types, and its generic plan is used every time. Whether it is prepared is asked
        of the server, in this transaction. The table goes at commit, sparing a DROP."""
        positional = _Positional()
        text = query % positional  # also turns "%%" back into "%"
        names = positional.names
        types = ", ".join(_pg_type(self.p[name]) for name in names)
        statement = "kenal_cls_" + hashlib.sha1(f"{types}|{text}".encode()).hexdigest()[:20]
        self.cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [statement])
        if self.cursor.fetchone() is None:
            self.cursor.execute(f"PREPARE {statement} ({types}) AS {text}")
        arguments = ", ".join(["%s"] * len(names))
        # One round trip for all three: each costs about half a millisecond. The table
        # of an earlier run in the same transaction may still be there.
        self.cursor.execute(
            f"DROP TABLE IF EXISTS {table}; SET LOCAL plan_cache_mode = force_generic_plan; "
            f"CREATE TEMP TABLE {table} ON COMMIT DROP AS EXECUTE {statement} ({arguments})",
            [self.p[name] for name in names],
        )
        self.left_in_place.add(table)

    def drop(self, *tables: str) -> None:
        """Temporary tables go as soon as they are used, to keep memory low. Only those
        this run created and does not leave in place: a one-party run makes one,
        and each statement costs a round trip that would be a good part of its time."""
        for table in tables:
            if table in self.created and table not in self.left_in_place:
                self.cursor.execute(f"DROP TABLE {table}")
                self.created.discard(table)

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
