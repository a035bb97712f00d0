"""How a run's results are kept: the profiles written (only those that changed, in a
full run), the history of what changed with the reasons the new facts give, the
counts of the party list, the run's summary and its log.

``ProfileStore`` is the part of a run (engine.py) that writes; the results are in its
table ``cls_out``, named as PartyProfile's columns but ``nba`` (the next best action)
and ``n_paid`` (the paid orders)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from kenal.classification import rules
from kenal.classification.explain import profile_reasons
from kenal.classification.models import ClassificationRun, PartyProfile, ProfileTally, Relationship
from kenal.classification.runner import StepRunner


class _Row(dict):
    """A row of a run's results whose columns read as attributes, as a profile's do."""

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


@dataclass
class ClassifySummary:
    as_of: date
    parties: int = 0
    changes: int = 0
    relationships: dict[str, int] = field(default_factory=dict)
    customer_types: dict[str, int] = field(default_factory=dict)
    characteristics: dict[str, int] = field(default_factory=dict)


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
    names += [(f"characteristic:{name}", f'"{name}"') for name in rules.characteristic_names()]
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
    names += [f"characteristic:{name}" for name in rules.characteristic_names() if getattr(profile, name)]
    ProfileTally.objects.bulk_create([ProfileTally(name=name, delta=-1) for name in names])



class ProfileStore(StepRunner):
    """The writes of a run; the run sets ``as_of``, ``store``, ``first`` and ``names``."""

    as_of: date
    store: bool
    first: bool
    names: list[str]

    def _facts(self) -> dict[str, rules.SQL]:
        """PartyProfile column -> SQL over the final results of the facts the reasons
        and the next best action are worded from (rules.py, explain.py); read of the
        table once a run."""
        if not hasattr(self, "facts"):
            self.facts = {**rules.stored_facts(), "override_reasons": "ov_reasons"}
        return self.facts

    def _log_full_run(self, summary: ClassifySummary, threshold: Decimal | None, started: datetime) -> None:
        # Only full runs are logged: every order or message written may recompute its
        # parties, and a row for each would drown the nightly runs.
        ClassificationRun.objects.create(
            as_of=self.as_of, full=True, parties=summary.parties, top_revenue_threshold=threshold,
            started_at=started, finished_at=timezone.now(),
        )

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
        self.statement(f"INSERT INTO {table} (party_id, {names}) SELECT o.party_id, {values} FROM ({results}) o")
        for _, definition in rebuild:
            self.statement(definition)

    def _classified(self) -> list[tuple[str, str, str]]:
        """(history field name, cls_out column, profile column) of what the journey records."""
        compared = [("relationship", "relationship", "relationship"), ("customer_type", "customer_type", "customer_type")]
        compared += [(f"flag:{flag}", f"is_{flag}", f"is_{flag}") for flag in ("client", "consumer", "customer", "prospect")]
        compared += [(f"characteristic:{name}", f'"{name}"', f'"{name}"') for name in self.names]
        return compared

    def _changed_sql(self) -> str:
        """The results that differ from the stored profiles, with the stored values."""
        compared = [(f"n.{new}", f"p.{old}") for _, new, old in self._classified()]
        any_change = " OR ".join(self.d.distinct(new, old) for new, old in compared)
        return f"""
            SELECT n.*, {", ".join(f"{old} AS was_{i}" for i, (_, old) in enumerate(compared))}
            FROM cls_out n JOIN classification_partyprofile p ON p.party_id = n.party_id
            WHERE {any_change}
        """

    def _history(self, rows: list[tuple] | None = None, description: Any = None) -> int:
        """Record each changed field of each changed profile, with the reasons its new
        facts give (explain.py): the same reasons the profile gives for the same day."""
        if rows is None:
            self.cursor.execute(self._changed_sql(), self.p)
            rows, description = self.cursor.fetchall(), self.cursor.description
        if not rows:
            return 0
        # The run's own names for two columns, as a stored profile calls them.
        names = [{"nba": "next_best_action", "n_paid": "paid_orders"}.get(c[0], c[0]) for c in description]
        compared = self._classified()
        changes: list[tuple[int, str, Any, Any, str]] = []
        for raw in rows:
            row = _Row(zip(names, raw))
            reasons = json.dumps(profile_reasons(row, self.p["asof_dn"]), default=float)
            for i, (name, new, _old) in enumerate(compared):
                now, was = getattr(row, new.strip('"')), getattr(row, f"was_{i}")
                if i >= 2:
                    now, was = ("true" if now else "false"), ("true" if was else "false")
                if now != was:
                    changes.append((i, name, was, now, row.party_id, reasons))
        changes.sort(key=lambda change: change[0])  # field by field, as they are read
        value = f"(%s, %s, %s, %s, %s, %s, {self.d.to_json('%s')})"
        for start in range(0, len(changes), 500):
            chunk = changes[start:start + 500]
            self.cursor.execute(
                "INSERT INTO classification_profilechange (party_id, field, from_value, to_value, at, as_of, reasons) "
                f"VALUES {', '.join([value] * len(chunk))}",
                [v for _, name, was, now, party, reasons in chunk
                 for v in (party, name, was, now, self.p["computed_at"], self.p["asof"], reasons)],
            )
        return len(changes)

    PROFILES = "classification_partyprofile"

    def _columns(self) -> list[tuple[str, str]]:
        """(PartyProfile column, value from cls_out ``o``) of everything a run stores,
        the day of the run and the time it started last."""
        return [
            ("relationship", "o.relationship"), ("is_client", "o.is_client"), ("is_customer", "o.is_customer"),
            ("is_consumer", "o.is_consumer"), ("is_prospect", "o.is_prospect"), ("customer_type", "o.customer_type"),
            *[(name, f'o."{name}"') for name in self.names], ("next_best_action", "o.nba"), ("csm_id", "o.csm_id"),
            ("paid_orders", "o.n_paid"), ("revenue_12m", "o.revenue_12m"),
            *[(column, f"o.{column}") for column in self._facts()],
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
        batch = [self._changed_sql(), self._summary_sql(), self._tally_sql(), update, insert]
        self.cursor.execute(";\n".join(batch), self.p)
        changed, description = self.cursor.fetchall(), self.cursor.description
        self.cursor.nextset()
        counts = self.cursor.fetchall()
        self.cursor.nextset()
        self._tally_differences(self.cursor.fetchall())
        return self._summary(self._history(changed, description), counts)

    def _store(self, parties: int) -> None:
        """Write the results: in a full run, only the profiles that changed and the new
        ones (see ``_differing``); in a run for a few parties, all of theirs."""
        if self.party_ids is not None:
            update, insert = self._store_few_sql()
            self.statement(update)
            if self.cursor.rowcount < parties:
                self.statement(insert)
            return
        self.cursor.execute("SELECT COALESCE(SUM(fresh), 0), COUNT(*) - COALESCE(SUM(fresh), 0) FROM cls_out")
        fresh, changed = (int(n) for n in self.cursor.fetchone())
        update, insert = self._write_sql(update_where=" AND o.fresh = 0", insert_where="o.fresh = 1")
        if changed:
            self.statement(update)
        if fresh:
            self.statement(insert)

    def _tally_totals(self, summary: ClassifySummary) -> None:
        """A full run has just written every profile: its own counts become the tally."""
        self.cursor.execute(f"DELETE FROM {TALLY}")
        totals = [(f"relationship:{value}", summary.relationships.get(value, 0)) for value in Relationship.values]
        totals += [(f"characteristic:{name}", summary.characteristics.get(name, 0)) for name in self.names]
        self.cursor.executemany(f"INSERT INTO {TALLY} (name, delta) VALUES (%s, %s)", totals)

    def _tally_sql(self) -> str:
        """Append to the tally what this run changes: each new result counts once, each
        profile it replaces once less. Names whose count does not move add no row."""
        both = ", ".join(["relationship", *(f'"{name}"' for name in self.names)])
        names = ["SELECT 'relationship:' || relationship AS name, d FROM x"]
        names += [f"SELECT 'characteristic:{name}', d FROM x WHERE \"{name}\"" for name in self.names]
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

    def _summary_sql(self, table: str = "cls_out") -> str:
        sums = ", ".join(f'SUM(CASE WHEN "{name}" THEN 1 ELSE 0 END)' for name in self.names)
        return f"SELECT relationship, customer_type, COUNT(*), {sums} FROM {table} GROUP BY relationship, customer_type"

    def _summary(self, changes: int, rows: list[tuple] | None = None, table: str = "cls_out") -> ClassifySummary:
        summary = ClassifySummary(as_of=self.as_of, changes=changes)
        if rows is None:
            self.cursor.execute(self._summary_sql(table))
            rows = self.cursor.fetchall()
        summary.characteristics = dict.fromkeys(self.names, 0)
        for relationship, customer_type, count, *characteristics in rows:
            summary.relationships[relationship] = summary.relationships.get(relationship, 0) + count
            if customer_type is not None:
                summary.customer_types[customer_type] = summary.customer_types.get(customer_type, 0) + count
            for name, n in zip(self.names, characteristics):
                summary.characteristics[name] += int(n or 0)
        summary.parties = sum(summary.relationships.values())
        return summary
