"""The relationship engine: DOMAIN.md's rules as a handful of set-based SQL statements.

``classify`` aggregates the facts of every party (or of a few) into temporary tables
with GROUP BY and window functions (the steps below), then derives flags, type,
characteristics and the next best action in one SELECT built from the table of rules
(rules.py), with the overrides on top. runner.py runs the steps on each database;
store.py writes the profiles, the history of changes and the counts.

Time rules (DOMAIN.md): ``as_of`` is a whole day in the business's time zone, so a
fact counts when it is before the first instant of the next day there. "At most N
days ago" is turned into "at or after the first instant of the day N days before
as_of", computed once in Python; only the loyal rule's "N days apart" needs each
party's first and last order as local calendar days. Dates are compared as day
numbers (days since 1970-01-01) so both databases do the same integer arithmetic.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kenal.classification import rules
from kenal.classification.models import ClassificationRun, ClassificationSettings
from kenal.classification.runner import FEW_PARTIES, Dialect, Step, compose
from kenal.classification.selectors import (
    business_today,
    classification_settings_current,
    day_end_exclusive,
    day_start,
)
from kenal.classification.store import ClassifySummary, ProfileStore, tally_compact, tally_forget, tally_rebuild
from kenal.classification.words import EPOCH, day_number

# Names other modules import from here: the engine's public face.
__all__ = [
    "EPOCH", "FEW_PARTIES", "ClassifySummary", "classify", "day_number", "days_before", "tally_compact",
    "tally_forget", "tally_rebuild",
]
logger = logging.getLogger(__name__)
FAR = 99_999_999  # a day number later than any real date: "no end"
TEMP_TABLES = [
    "cls_ord", "cls_use", "cls_int", "cls_agr_rows", "cls_agr", "cls_csm", "cls_cover",
    "cls_base", "cls_grow", "cls_q", "cls_ask", "cls_ov", "cls_out",
]
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


# Settings the SQL adds to day numbers or timestamps, held where the sum still fits.
CLAMPED = {"loyal_span_days": MAX_DAYS, "loyal_agreement_days": MAX_DAYS, "renewal_window_days": MAX_DAYS,
           "impulsive_hours": MAX_HOURS}


def _params(cfg: ClassificationSettings, as_of: date, zone_name: str) -> dict:
    """The SQL's parameters: each setting by its name (rules.py), a window's start as
    ``<name>_start``, and the day and time bounds of ``as_of``."""
    def ts(days: int):
        return connection.ops.adapt_datetimefield_value(day_start(days_before(as_of, days)))

    values: dict[str, Any] = {}
    for model_field in cfg._meta.concrete_fields:
        value = getattr(cfg, model_field.name)
        if isinstance(value, (float, Decimal)) or model_field.get_internal_type() in ("FloatField", "DecimalField"):
            values[model_field.name] = float(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            values[model_field.name] = min(value, CLAMPED.get(model_field.name, value))
    values.pop("id", None)
    return {
        **values,
        **{f"{name}_start": ts(getattr(cfg, name)) for name in rules.WINDOWS},
        "zone": zone_name,
        "asof": connection.ops.adapt_datefield_value(as_of),
        "asof_dn": day_number(as_of),
        "end": connection.ops.adapt_datetimefield_value(day_end_exclusive(as_of)),
        "rev_start": ts(365),
        "currency": business_currency(),
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


class _Run(ProfileStore):
    def __init__(
        self, cursor, cfg: ClassificationSettings, as_of: date, party_ids: list[int] | None, *,
        store: bool = True, read: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(
            cursor, Dialect(connection.vendor, settings.TIME_ZONE), _params(cfg, as_of, settings.TIME_ZONE),
            None if party_ids is None else sorted({int(pk) for pk in party_ids}),
        )
        self.store = store
        self.read = read
        self.first = False
        self.cfg = cfg
        self.as_of = as_of
        self.names = rules.characteristic_names()

    def execute(self, started: datetime) -> ClassifySummary:
        if self.party_ids is not None:
            self._scope()
        if not self.d.pg or self.prepared:
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
        self.drop("cls_ord", "cls_use", "cls_int", "cls_agr_rows", "cls_agr", "cls_csm", "cls_cover")
        self._derived()
        threshold = self._top_threshold()
        self._overrides()
        # An empty profile table (the first run after an import) is locked at once: the
        # results then go straight into it. Otherwise it is locked only to store them.
        self.first = (
            self.store and self.party_ids is None and self._profiles_empty() and self._lock_profiles_and_check_empty()
        )
        self._out(threshold, started)
        self.drop("cls_base", "cls_grow", "cls_q", "cls_ask", "cls_ov")
        if not self.store:
            # A run for another day: its results are read from cls_out and go with it.
            summary = self._summary(0)
            if self.read is not None:
                self.read(self.cursor)
            self.drop(*TEMP_TABLES)
            return summary
        if self.first:
            summary = self._summary(0, table=self.PROFILES)
            self._tally_totals(summary)
            self._log_full_run(summary, threshold, started)
            self.drop(*TEMP_TABLES)
            return summary
        if self.d.pg and "cls_out" in self.left_in_place:
            summary = self._finish_few_at_once()
            self.drop(*TEMP_TABLES)
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
        self.drop(*TEMP_TABLES)
        return summary

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
        self.make(Step("cls_ord", f"""
            SELECT x.*,
                CASE WHEN x.n_paid >= %(loyal_min_orders)s THEN {d.local_day('x.first_at')} END AS first_dn,
                CASE WHEN x.n_paid >= %(loyal_min_orders)s THEN {d.local_day('x.last_at')} END AS last_dn
            FROM (
                SELECT o.buyer_id AS party_id, COUNT(*) AS n_paid,
                    SUM(CASE WHEN o.has_promotion THEN 1 ELSE 0 END) AS n_promo,
                    SUM(CASE WHEN o.max_paid_quantity >= %(intermediate_min_units)s THEN 1 ELSE 0 END) AS n_bulk,
                    MIN(o.occurred_at) AS first_at, MAX(o.occurred_at) AS last_at,
                    SUM(CASE WHEN o.occurred_at >= %(rev_start)s AND o.currency = %(currency)s
                        THEN o.paid_total ELSE 0 END) AS revenue_12m,
                    SUM(CASE WHEN o.occurred_at >= %(rev_start)s AND o.currency <> %(currency)s
                        THEN 1 ELSE 0 END) AS n_other_currency
                FROM commerce_order o
                WHERE o.is_paid AND o.occurred_at < %(end)s{self.scoped('o.buyer_id')}
                GROUP BY o.buyer_id
            ) x
        """, keyed_by_party=True))

    def _uses(self) -> None:
        # Consumer: named on a paid line of an order someone else bought. SQLite looks
        # each line's order up by its id; in consumer order those lookups jump about a
        # table of millions of orders, and with its pages out of the cache each one is a
        # read from disk (9 s instead of 1 at a million parties), so it sorts the lines
        # by order first. PostgreSQL inlines the plain CTE and hash-joins in parallel.
        sqlite = not self.d.pg
        self.make(Step("cls_use", f"""
            WITH u AS {"MATERIALIZED " if sqlite else ""}(
                SELECT l.order_id, l.consumer_id FROM commerce_orderline l
                WHERE l.consumer_id IS NOT NULL AND l.status = 'paid'{self.scoped('l.consumer_id')}
                {"ORDER BY l.order_id" if sqlite else ""}
            )
            SELECT u.consumer_id AS party_id, COUNT(*) AS n_used
            FROM u JOIN commerce_order o ON o.id = u.order_id
            WHERE u.consumer_id <> o.buyer_id AND o.occurred_at < %(end)s
            GROUP BY u.consumer_id
        """, keyed_by_party=True))

    def _interactions(self) -> None:
        self.make(Step("cls_int", f"""
            SELECT i.party_id, MIN(i.occurred_at) AS first_at, MAX(i.occurred_at) AS last_at,
                SUM(CASE WHEN i.direction = 'inbound' AND i.occurred_at >= %(potential_days_start)s THEN 1 ELSE 0 END)
                    AS n_inbound_recent,
                MAX(CASE WHEN i.direction = 'outbound' THEN i.occurred_at END) AS last_out_at,
                MAX(CASE WHEN i.direction = 'inbound' AND i.kind IN ('question', 'complaint') THEN i.occurred_at END)
                    AS last_ask_at
            FROM interactions_interaction i
            WHERE i.occurred_at < %(end)s{self.scoped('i.party_id')}
            GROUP BY i.party_id
        """, keyed_by_party=True))

    def _agreements(self) -> None:
        d = self.d
        # Every agreement that matters here is signed by both sides on or before as_of:
        # unsigned ones are proposals, and one signed later was not signed at as_of.
        end_dn = d.least(
            f"COALESCE({d.day('a.ends_on')}, %(far)s)", f"COALESCE({d.day('a.terminated_on')} - 1, %(far)s)"
        )
        self.make(Step("cls_agr_rows", f"""
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
        """))
        self.make(Step("cls_agr", f"""
            SELECT party_id,
                SUM(active) AS n_active,
                SUM(CASE WHEN active = 1 AND csm_id IS NOT NULL THEN 1 ELSE 0 END) AS n_active_csm,
                SUM(former) AS n_former,
                MAX(CASE WHEN former = 1 THEN {d.least('e_dn', '%(asof_dn)s - 1')} END) AS former_end_dn,
                MAX(CASE WHEN active = 1 THEN e_dn END) AS active_end_dn,
                SUM(CASE WHEN e_dn >= %(asof_dn)s AND (e_dn > %(asof_dn)s + %(renewal_window_days)s OR auto_renew)
                    THEN 1 ELSE 0 END) AS n_lasting,
                SUM(CASE WHEN {_tier_condition(self.p, 'tier')} THEN 1 ELSE 0 END) AS n_top_tier
            FROM cls_agr_rows GROUP BY party_id
        """, keyed_by_party=True))
        self.make(Step("cls_csm", """
            SELECT party_id, csm_id FROM (
                SELECT party_id, csm_id,
                    ROW_NUMBER() OVER (PARTITION BY party_id ORDER BY s_dn DESC, id DESC) AS rn
                FROM cls_agr_rows WHERE active = 1 AND csm_id IS NOT NULL
            ) z WHERE rn = 1
        """))
        # Gaps and islands: the run of days, ending at as_of, that signed agreements
        # cover without a gap (overlapping and back-to-back agreements join up).
        self.make(Step("cls_cover", f"""
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
        """))

    def _base(self) -> None:
        d = self.d
        where = "" if self.party_ids is None else f" WHERE TRUE{self.scoped('p.id')}"
        # The flags (client, customer, consumer) and the facts the characteristics
        # prepare, over the facts gathered so far (rules.py).
        derived = [(f"f_{flag.name}", flag.holds) for flag in rules.FLAGS if flag.holds is not None]
        derived += [(name, rules.sql(expr, d)) for entry in rules.CHARACTERISTICS for name, expr in entry.prepares.items()]
        columns = ", ".join(f"CASE WHEN {expr} THEN 1 ELSE 0 END AS {name}" for name, expr in derived)
        self.make(Step("cls_base", f"""
            SELECT b.*, {columns}
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
        """, keyed_by_party=True, indexes=("party_id",)))

    def _derived(self) -> None:
        scope = self.scoped("r.referred_by_id", requested_only=True)
        self.make(Step("cls_grow", f"""
            SELECT r.referred_by_id AS party_id, COUNT(*) AS n_referred
            FROM parties_party r JOIN cls_base b ON b.party_id = r.id
            WHERE r.referred_by_id IS NOT NULL AND (b.f_client = 1 OR b.f_customer = 1){scope}
            GROUP BY r.referred_by_id
        """, keyed_by_party=True))
        # Impulsive needs no inbound question between first contact and first order
        # (both ends included); only the few candidates are looked up.
        self.make(Step("cls_q", """
            SELECT b.party_id, 1 AS asked FROM cls_base b
            WHERE b.quick_first_order = 1 AND EXISTS (
                SELECT 1 FROM interactions_interaction q
                WHERE q.party_id = b.party_id AND q.direction = 'inbound' AND q.kind = 'question'
                    AND q.occurred_at >= b.contact_at AND q.occurred_at <= b.first_paid_at
            )
        """))
        # The latest inbound question or complaint that no outbound message followed:
        # what it was and where, looked up only for the parties that have one.
        self.make(Step("cls_ask", """
            SELECT b.party_id, MIN(q.kind) AS ask_kind, MIN(q.channel) AS ask_channel
            FROM cls_base b JOIN interactions_interaction q
                ON q.party_id = b.party_id AND q.occurred_at = b.last_ask_at
                AND q.direction = 'inbound' AND q.kind IN ('question', 'complaint')
            WHERE b.last_ask_at IS NOT NULL AND (b.last_out_at IS NULL OR b.last_out_at < b.last_ask_at)
            GROUP BY b.party_id
        """))

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
            for name in self.names
        )
        reason = d.json_text(d.obj(
            ("code", "'override'"),
            ("params", d.obj(("field", "v.field"), ("value", "v.value"), ("user", "u.username"), ("reason", "v.reason"))),
        ))
        self.make(Step("cls_ov", f"""
            SELECT v.party_id,
                MAX(CASE WHEN v.field = 'relationship' THEN v.value END) AS ov_relationship,
                MAX(CASE WHEN v.field = 'customer_type' THEN v.value END) AS ov_type,
                {pivots},
                {d.concat_agg(reason)} AS ov_reasons
            FROM classification_profileoverride v JOIN accounts_user u ON u.id = v.created_by_id
            WHERE v.withdrawn_at IS NULL{self.scoped('v.party_id')}
            GROUP BY v.party_id
        """))

    def _out(self, threshold: Decimal | None, started: datetime) -> None:
        d = self.d
        self.p["threshold"] = float(threshold) if threshold is not None else None
        self.p["computed_at"] = connection.ops.adapt_datetimefield_value(started)
        requested = "" if self.party_ids is None else f" WHERE TRUE{self.scoped('b.party_id', requested_only=True)}"
        # Stage 1: what the rules compute (rules.py), over the facts of each party.
        held = [flag.name for flag in rules.FLAGS if flag.holds is not None]  # the prospect holds when none does
        primary = " ".join(f"WHEN f_{name} = 1 THEN '{name}'" for name in held)
        types = " ".join(
            f"WHEN {'otp = FALSE AND ' if way.profiled else ''}({way.holds}) THEN {way.value}"
            for way in rules.CUSTOMER_TYPES[:-1]
        )
        computed = [f"CASE {primary} ELSE '{rules.FLAGS[-1].name}' END AS c_relationship",
                    f"CASE {types} ELSE {rules.CUSTOMER_TYPES[-1].value} END AS c_type"]
        for entry in rules.CHARACTERISTICS:
            ways = [f"({rules.sql(way.holds, d)})" for way in entry.ways]
            computed += [f"CASE WHEN otp = FALSE AND ({rules.sql(way.holds, d)}) THEN 1 ELSE 0 END AS c_{way.stored_as}"
                         for way in entry.ways if way.stored_as]
            computed.append(f"CASE WHEN otp = FALSE AND ({' OR '.join(ways)}) THEN 1 ELSE 0 END AS c_{entry.name}")
        stage1 = f"""
            SELECT b.*, COALESCE(g.n_referred, 0) AS n_referred,
                {", ".join(computed)},
                k.ask_kind, k.ask_channel,
                v.ov_relationship, v.ov_type, v.ov_reasons,
                {", ".join(f"v.ov_{name}" for name in self.names)}
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
            f"ELSE (c.c_{name} = 1) END AS \"{name}\""
            for name in self.names
        )
        typed = ", ".join(f"'{name}'" for name in rules.TYPED_RELATIONSHIPS)
        final = f"""
            SELECT c.*,
                COALESCE(c.ov_relationship, c.c_relationship) AS relationship,
                CASE WHEN COALESCE(c.ov_relationship, c.c_relationship) IN ({typed})
                     THEN COALESCE(c.ov_type, c.c_type) END AS customer_type,
                {char_final}
            FROM c
        """
        # The final values are materialised once: inlined, every mention of a column in
        # the next best action and the facts would evaluate its whole CASE again.
        facts = ",\n".join(f"{rules.sql(expr, d)} AS {column}" for column, expr in self._facts().items())
        overrides = ", ".join(f"f.ov_{name}" for name in ["relationship", "type", *self.names])
        actions = " ".join(f"WHEN {action.when} THEN '{action.code}'" for action in rules.ACTIONS)
        ctes = (
            ("c", f"({stage1})"), ("f1", self._once(final)),
            ("f", f"(SELECT f.*, CASE {actions} ELSE '' END AS nba FROM f1 f)"),
        )
        select = f"""
            SELECT f.party_id, f.relationship, f.customer_type,
                {", ".join(f"f.f_{name} = 1 AS is_{name}" for name in held)},
                ({" AND ".join(f"f.f_{name} = 0" for name in held)}) AS is_{rules.FLAGS[-1].name},
                {", ".join(f'f."{name}"' for name in self.names)},
                f.nba, f.csm_id, f.n_paid, f.revenue_12m,
                {facts}, {overrides}
            FROM f
        """
        columns = (
            "party_id", "relationship", "customer_type", "is_client", "is_customer", "is_consumer", "is_prospect",
            *self.names, "nba", "csm_id", "n_paid", "revenue_12m", *self._facts(),
            *(f"ov_{name}" for name in ["relationship", "type", *self.names]),
        )
        if self.few:
            self.make(Step("cls_out", select, ctes=ctes, results=True, columns=columns))
            return
        results = compose(ctes, select)
        if self.first:
            self._insert_first(results)
            return
        if self.store:
            results = self._differing(results)
        self.make(Step("cls_out", results, keyed_by_party=True, indexes=("party_id",), results=True))

    def _once(self, query: str) -> str:
        """A CTE body whose columns are computed once per row. PostgreSQL does that for
        a subquery it may not flatten (OFFSET 0), row by row; MATERIALIZED would also
        write every row to a tuplestore, spilling a million wide rows to disk. SQLite
        would flatten such a subquery, so it gets MATERIALIZED."""
        return f"({query} OFFSET 0)" if self.d.pg else f"MATERIALIZED ({query})"
