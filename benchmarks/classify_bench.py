"""How fast does the relationship engine classify a large business?

    python benchmarks/classify_bench.py --scale 0.1                 # both databases
    python benchmarks/classify_bench.py --scale 1 --db postgresql    # the full target
    python benchmarks/classify_bench.py --scale 0.01 --write-csv /tmp/kenal-csv --no-run

Scale 1 is the target size: 1,000,000 parties, 10,000,000 order lines (about 4 million
orders with their paid-line summary), 100,000 agreements and 2,000,000 interactions.
The data is generated from a seed (the same arguments give the same data), loaded
straight into a fresh database (PostgreSQL with COPY, SQLite with executemany in big
transactions), then a separate process times a full ``classify`` twice (first run
inserts every profile, second updates them), and ``classify(party_ids=[id])`` for a
sample of single parties. Peak memory is the classifying process's peak RSS (for
PostgreSQL also the server backend's, which does the work). ``--write-csv DIR``
writes the same data as INTERCHANGE.md CSV files so other tools can be compared.

PostgreSQL comes from ``--pg-url`` (a server URL; a database ``--pg-db``, default
``kenal_engine_bench``, is created there and dropped afterwards unless ``--keep``); SQLite is a file in a
temporary directory.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdoc  # noqa: E402
AS_OF = date(2026, 3, 10)
JAKARTA = timezone(timedelta(hours=7))
AS_OF_END = int(datetime(2026, 3, 11, tzinfo=JAKARTA).timestamp())
DAY = 86400
FULL = {"parties": 1_000_000, "lines": 10_000_000, "agreements": 100_000, "interactions": 2_000_000}
CSMS = ["citra", "dimas", "eka", "fajar", "gita"]


def utc(ts: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts))


def iso_day(day_number: int) -> str:
    return (date(1970, 1, 1) + timedelta(days=day_number)).isoformat()


AS_OF_DN = (AS_OF - date(1970, 1, 1)).days


class Data:
    """Deterministic facts. Each table is a generator of tuples so nothing big is
    held in memory; ``sizes`` are the counts at the requested scale."""

    def __init__(self, scale: float, seed: int) -> None:
        self.seed = seed
        self.sizes = {name: max(1, int(count * scale)) for name, count in FULL.items()}
        rng = random.Random(seed)
        parties = self.sizes["parties"]
        self.orgs = [n for n in range(1, parties + 1) if rng.random() < 0.08] or [1]

    def rng(self, table: str) -> random.Random:
        return random.Random(f"{self.seed}:{table}")

    def parties(self) -> Iterator[tuple]:
        """(id, external_id, kind, name, scope, objects_to_profiling, first_contact_ts, referred_by_id)"""
        rng = self.rng("parties")
        orgs = set(self.orgs)
        for n in range(1, self.sizes["parties"] + 1):
            org = n in orgs
            yield (
                n, f"P-{n:07d}", "organization" if org else "person", f"{'PT' if org else 'Party'} {n}",
                rng.choice(["internal", "intermediate", "external"]) if rng.random() < 0.05 else "",
                rng.random() < 0.01,
                AS_OF_END - rng.randrange(3 * 365 * DAY) if rng.random() < 0.5 else None,
                rng.randrange(1, n) if n > 1 and rng.random() < 0.1 else None,
            )

    def orders(self) -> Iterator[tuple[tuple, list[tuple]]]:
        """((id, external_id, buyer_id, ts, is_paid, has_promotion, max_paid_quantity, paid_total),
        [(line_no, quantity, unit_price, discount, promo_code, consumer_id, status, product_id)])"""
        rng = self.rng("orders")
        parties, lines_left, order_id = self.sizes["parties"], self.sizes["lines"], 0
        buyers = max(1, int(parties * 0.7))
        while lines_left > 0:
            order_id += 1
            buyer = 1 + int(buyers * rng.random() ** 2)
            ts = AS_OF_END - 1 - rng.randrange(3 * 365 * DAY)
            count = min(lines_left, rng.choice((1, 1, 2, 2, 3, 3, 4, 4)))
            lines_left -= count
            lines, paid_total, max_qty, promo, paid = [], 0, 0, False, False
            for line_no in range(1, count + 1):
                status = "paid" if rng.random() < 0.9 else rng.choice(("cancelled", "refunded"))
                quantity = rng.randrange(12, 41) if rng.random() < 0.05 else rng.randrange(1, 4)
                price = rng.randrange(5, 500) * 1000
                discount = 5000 if rng.random() < 0.1 else 0
                code = "HEMAT" if rng.random() < 0.15 else ""
                consumer = rng.randrange(1, parties + 1) if rng.random() < 0.05 else None
                if status == "paid":
                    paid = True
                    promo = promo or bool(code) or discount > 0
                    max_qty = max(max_qty, quantity)
                    paid_total += quantity * price - discount
                lines.append((line_no, quantity, price, discount, code, consumer, status, 1 + rng.randrange(100)))
            yield (order_id, f"O-{order_id:08d}", buyer, ts, paid, promo, max_qty, paid_total), lines

    def agreements(self) -> Iterator[tuple]:
        """(id, external_id, party_id, tier, provider_ts, client_ts, starts_dn, ends_dn, terminated_dn,
        auto_renew, csm_index)"""
        rng = self.rng("agreements")
        for n in range(1, self.sizes["agreements"] + 1):
            party = rng.choice(self.orgs) if rng.random() < 0.7 else rng.randrange(1, self.sizes["parties"] + 1)
            starts = AS_OF_DN - rng.randrange(-60, 1500)
            ends = None if rng.random() < 0.3 else starts + rng.choice((364, 365, 729, 730))
            signed = (starts - rng.randrange(0, 30)) * DAY + 3 * 3600
            kind = rng.random()
            provider = signed if kind < 0.95 else None
            client = signed + rng.randrange(0, 5 * DAY) if kind < 0.9 else None
            terminated = starts + rng.randrange(1, 700) if rng.random() < 0.05 else None
            yield (
                n, f"A-{n:07d}", party, "enterprise" if rng.random() < 0.2 else "standard", provider, client,
                starts, ends, terminated, rng.random() < 0.3,
                rng.randrange(len(CSMS)) if rng.random() < 0.7 else None,
            )

    def interactions(self) -> Iterator[tuple]:
        """(id, party_id, ts, channel, direction, kind)"""
        rng = self.rng("interactions")
        parties = self.sizes["parties"]
        for n in range(1, self.sizes["interactions"] + 1):
            yield (
                n, 1 + int(parties * rng.random() ** 1.5), AS_OF_END - 1 - rng.randrange(2 * 365 * DAY),
                rng.choice(("whatsapp", "whatsapp", "email", "phone", "instagram", "webchat")),
                "inbound" if rng.random() < 0.6 else "outbound",
                rng.choice(("message", "message", "message", "question", "call", "complaint", "feedback")),
            )


# -- loading -----------------------------------------------------------------------------

PARTY_COLS = ("id, external_id, kind, name, language, scope, objects_to_profiling, first_contact_at, referred_by_id, "
              "member_of_id, notes, created_at, updated_at")
ORDER_COLS = ("id, external_id, buyer_id, occurred_at, channel, currency, is_paid, has_promotion, max_paid_quantity, "
              "paid_total")
LINE_COLS = ("order_id, line_no, product_id, occurred_at, quantity, unit_price, discount, promo_code, consumer_id, "
             "channel, currency, status")
AGREEMENT_COLS = ("id, external_id, party_id, title, service_kind, tier, signed_by_provider_at, signed_by_client_at, "
                  "starts_on, ends_on, terminated_on, auto_renew, value, currency, billing_period, csm_id, created_at, "
                  "updated_at")
INTERACTION_COLS = "id, party_id, occurred_at, channel, direction, kind, body, source_key, created_at"


def rows(data: Data, ts: Callable[[int | None], object], day: Callable[[int | None], object], csm_ids: list[int]):
    """Row tuples per table, with times and dates formatted for the target database."""
    now = ts(AS_OF_END)

    def parties():
        for n, ext, kind, name, scope, otp, contact, referred in data.parties():
            yield (n, ext, kind, name, "", scope, otp, ts(contact), referred, None, "", now, now)

    def orders_and_lines():
        for (oid, ext, buyer, when, paid, promo, max_qty, total), lines in data.orders():
            moment = ts(when)
            yield ("order", (oid, ext, buyer, moment, "web", "IDR", paid, promo, max_qty, total))
            for line_no, qty, price, discount, code, consumer, status, product in lines:
                yield ("line", (oid, line_no, product, moment, qty, price, discount, code, consumer, "web", "IDR", status))

    def agreements():
        for n, ext, party, tier, provider, client, starts, ends, terminated, auto, csm in data.agreements():
            yield (n, ext, party, "Retainer", "professional_service", tier, ts(provider), ts(client), day(starts),
                   day(ends), day(terminated), auto, None, "IDR", "", None if csm is None else csm_ids[csm], now, now)

    def interactions():
        for n, party, when, channel, direction, kind in data.interactions():
            yield (n, party, ts(when), channel, direction, kind, "", f"b-{n}", now)

    return parties, orders_and_lines, agreements, interactions


def _users() -> list[int]:
    from kenal.accounts.models import Role, User

    return [User.objects.create(username=name, role=Role.CSM).pk for name in CSMS]


def load_sqlite(data: Data, path: str) -> None:
    import sqlite3

    from django.db import connection

    csm_ids = _users()
    connection.close()
    con = sqlite3.connect(path)
    # The party search's triggers call the fold Kenal registers on its own connections.
    from kenal.parties import search

    con.create_function("kenal_fold", 1, search._fold_or_null, deterministic=True)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-500000")
    ts = lambda v: None if v is None else utc(v)
    day = lambda v: None if v is None else iso_day(v)
    parties, orders_and_lines, agreements, interactions = rows(data, ts, day, csm_ids)

    def insert(table: str, cols: str, source) -> None:
        sql = f"INSERT INTO {table} ({cols}) VALUES ({', '.join('?' * len(cols.split(',')))})"
        batch = []
        for row in source:
            batch.append(row)
            if len(batch) >= 200_000:
                con.executemany(sql, batch)
                batch.clear()
        con.executemany(sql, batch)
        con.commit()

    con.execute("INSERT INTO commerce_product (id, sku, name, kind) VALUES " + ", ".join(
        f"({n}, 'SKU-{n:05d}', '', 'goods')" for n in range(1, 101)))
    insert("parties_party", PARTY_COLS, parties())
    order_sql = f"INSERT INTO commerce_order ({ORDER_COLS}) VALUES ({', '.join('?' * 10)})"
    line_sql = f"INSERT INTO commerce_orderline ({LINE_COLS}) VALUES ({', '.join('?' * 12)})"
    orders, lines = [], []
    for kind, row in orders_and_lines():
        (orders if kind == "order" else lines).append(row)
        if len(lines) >= 200_000:
            con.executemany(order_sql, orders)
            con.executemany(line_sql, lines)
            orders.clear()
            lines.clear()
    con.executemany(order_sql, orders)
    con.executemany(line_sql, lines)
    con.commit()
    insert("agreements_agreement", AGREEMENT_COLS, agreements())
    insert("interactions_interaction", INTERACTION_COLS, interactions())
    con.execute("ANALYZE")
    con.commit()
    con.close()


def load_postgresql(data: Data) -> None:
    from django.db import connection

    csm_ids = _users()
    ts = lambda v: None if v is None else utc(v) + "+00"
    day = lambda v: None if v is None else iso_day(v)
    parties, orders_and_lines, agreements, interactions = rows(data, ts, day, csm_ids)

    def text(row: tuple) -> str:
        return "\t".join(
            "\\N" if v is None else ("t" if v is True else "f" if v is False else str(v)) for v in row
        ) + "\n"

    def copy(cursor, table: str, cols: str, source) -> None:
        with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as pipe:
            buffer = []
            for row in source:
                buffer.append(text(row))
                if len(buffer) >= 50_000:
                    pipe.write("".join(buffer))
                    buffer.clear()
            pipe.write("".join(buffer))

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("INSERT INTO commerce_product (id, sku, name, kind) SELECT n, 'SKU-' || lpad(n::text, 5, '0'), "
                       "'', 'goods' FROM generate_series(1, 100) n")
        copy(cursor, "parties_party", PARTY_COLS, parties())
        # Orders and lines come from one generator; lines wait in a spool file.
        with tempfile.TemporaryFile("w+", encoding="utf-8") as spool:
            with cursor.copy(f"COPY commerce_order ({ORDER_COLS}) FROM STDIN") as pipe:
                buffer = []
                for kind, row in orders_and_lines():
                    if kind == "order":
                        buffer.append(text(row))
                        if len(buffer) >= 50_000:
                            pipe.write("".join(buffer))
                            buffer.clear()
                    else:
                        spool.write(text(row))
                pipe.write("".join(buffer))
            spool.seek(0)
            with cursor.copy(f"COPY commerce_orderline ({LINE_COLS}) FROM STDIN") as pipe:
                while chunk := spool.read(1 << 22):
                    pipe.write(chunk)
        copy(cursor, "agreements_agreement", AGREEMENT_COLS, agreements())
        copy(cursor, "interactions_interaction", INTERACTION_COLS, interactions())
        for table in ("parties_party", "commerce_order", "commerce_orderline", "agreements_agreement",
                      "interactions_interaction", "commerce_product", "accounts_user"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    connection.connection.commit()
    connection.connection.autocommit = True
    with connection.connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def write_csv(data: Data, directory: Path) -> None:
    """The same facts as INTERCHANGE.md files (times in UTC with an explicit offset)."""
    directory.mkdir(parents=True, exist_ok=True)
    ts = lambda v: "" if v is None else utc(v).replace(" ", "T") + "+00:00"
    day = lambda v: "" if v is None else iso_day(v)
    ext = lambda n: "" if n is None else f"P-{n:07d}"
    with (directory / "parties.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["external_id", "kind", "name", "scope", "referred_by", "first_contact_at", "objects_to_profiling"])
        for n, external, kind, name, scope, otp, contact, referred in data.parties():
            out.writerow([external, kind, name, scope, ext(referred), ts(contact), "true" if otp else ""])
    with (directory / "orders.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["order_id", "party", "occurred_at", "sku", "quantity", "unit_price", "discount", "promo_code",
                      "consumer", "status"])
        for (oid, external, buyer, when, *_summary), lines in data.orders():
            for line_no, qty, price, discount, code, consumer, status, product in lines:
                out.writerow([external, ext(buyer), ts(when), f"SKU-{product:05d}", qty, f"{price}.00",
                              f"{discount}.00", code, ext(consumer), status])
    with (directory / "agreements.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["external_id", "party", "title", "tier", "signed_by_provider_at", "signed_by_client_at",
                      "starts_on", "ends_on", "terminated_on", "auto_renew", "csm"])
        for n, external, party, tier, provider, client, starts, ends, terminated, auto, csm in data.agreements():
            # No csm column value: the importer only accepts users that exist in the
            # target database, and a fresh one has none.
            out.writerow([external, ext(party), "Retainer", tier, ts(provider), ts(client), day(starts), day(ends),
                          day(terminated), "true" if auto else "false", ""])
    with (directory / "interactions.csv").open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["party", "occurred_at", "channel", "direction", "kind"])
        for n, party, when, channel, direction, kind in data.interactions():
            out.writerow([ext(party), ts(when), channel, direction, kind])


# -- the child processes -----------------------------------------------------------------

def child_load(args) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    data = Data(args.scale, args.seed)
    started = time.perf_counter()
    if args.db == "sqlite":
        from django.conf import settings

        load_sqlite(data, settings.DATABASES["default"]["NAME"])
    else:
        load_postgresql(data)
    return {"load_seconds": round(time.perf_counter() - started, 1), **data.sizes}


def _backend_peak_kib(cursor) -> int | None:
    cursor.execute("SELECT pg_backend_pid()")
    status = Path(f"/proc/{cursor.fetchone()[0]}/status")
    try:
        for text_line in status.read_text().splitlines():
            if text_line.startswith("VmHWM:"):
                return int(text_line.split()[1])
    except OSError:
        return None
    return None


def _backend_cpu_seconds(cursor) -> float | None:
    """CPU time of this connection's PostgreSQL server process, which does the work."""
    cursor.execute("SELECT pg_backend_pid()")
    try:
        fields = Path(f"/proc/{cursor.fetchone()[0]}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_classify(args) -> dict:
    import django

    django.setup()
    from django.db import connection

    from kenal.classification.engine import classify
    from kenal.classification.models import PartyProfile

    result: dict = {"load_average": os.getloadavg()[0]}
    pg = connection.vendor == "postgresql"
    # The first run writes every profile; the second is the nightly case, the next
    # day, when every profile already exists and most are rewritten.
    for label, as_of in (("first", AS_OF), ("second", AS_OF + timedelta(days=1))):
        with connection.cursor() as cursor:
            backend_before = _backend_cpu_seconds(cursor) if pg else None
        cpu_before = _own_cpu_seconds()
        started = time.perf_counter()
        summary = classify(as_of=as_of)
        result[f"full_{label}_seconds"] = round(time.perf_counter() - started, 2)
        result[f"full_{label}_cpu_seconds"] = round(_own_cpu_seconds() - cpu_before, 2)
        if pg:
            with connection.cursor() as cursor:
                backend_after = _backend_cpu_seconds(cursor)
            if backend_before is not None and backend_after is not None:
                result[f"full_{label}_backend_cpu_seconds"] = round(backend_after - backend_before, 2)
        if label == "first":
            result["parties"] = summary.parties
            result["relationships"] = summary.relationships
            result["characteristics"] = summary.characteristics
            result["customer_types"] = summary.customer_types
    result["profiles"] = PartyProfile.objects.count()
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE classification_partyprofile")
    rng = random.Random(args.seed)
    singles = []
    for _ in range(args.singles):
        party_id = rng.randrange(1, result["parties"] + 1)
        started = time.perf_counter()
        classify(as_of=AS_OF, party_ids=[party_id])
        singles.append((time.perf_counter() - started) * 1000)
    result["single_ms_median"] = round(statistics.median(singles), 1)
    result["single_ms_max"] = round(max(singles), 1)
    result["order_save_ms"] = _time_order_saves(rng, result["parties"], args.singles)
    result["party_list_ms"] = _time_party_list()
    result["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    if pg:
        with connection.cursor() as cursor:
            peak = _backend_peak_kib(cursor)
        result["pg_backend_peak_rss_mib"] = None if peak is None else round(peak / 1024)
    return result


def _time_order_saves(rng: random.Random, parties: int, count: int) -> dict:
    """Saving one order through the service the web form and the API use: the order,
    its line, the audit entry and the buyer's (and referrer's) reclassification, in
    one transaction. Returns the median and the slowest, in ms."""
    from decimal import Decimal

    from kenal.commerce.services import LineData, order_create
    from kenal.parties.models import Party

    timings = []
    for n in range(count):
        buyer = Party.objects.get(pk=rng.randrange(1, parties + 1))
        line = LineData(sku=f"SKU-{1 + n % 100:05d}", quantity=Decimal(1), unit_price=Decimal(150_000))
        started = time.perf_counter()
        order_create(actor=None, buyer=buyer, lines=[line], channel="store")
        timings.append((time.perf_counter() - started) * 1000)
    return {"median": round(statistics.median(timings), 1), "max": round(max(timings), 1)}


LIST_CASES = [
    "",
    "characteristic=loyal",
    "characteristic=new",
    "characteristic=impulsive",
    "characteristic=thrifty&relationship=customer",
    "relationship=client",
    "customer_type=intermediate",
]


def _time_party_list(runs: int = 5) -> dict:
    """One htmx request of the party list (rows and counts), as a logged-in user
    sees it: the median and the slowest of ``runs`` after a first, warming request."""
    from party_list_bench import measure

    return {
        case: {"median": round(statistics.median(samples), 1), "max": round(max(samples), 1)}
        for case, samples in measure(runs, LIST_CASES).items()
    }


# -- the driver --------------------------------------------------------------------------

def run_db(args, db: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["DJANGO_SETTINGS_MODULE"] = "kenal.settings"
    workdir = tempfile.mkdtemp(prefix=f"kenal-bench-{db}-")
    env["KENAL_DATA_DIR"] = workdir
    admin = None
    if db == "postgresql":
        import psycopg

        base = args.pg_url.rstrip("/")
        server, _, _name = base.rpartition("/")
        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{args.pg_db}"')
        env["DATABASE_URL"] = f"{server}/{args.pg_db}"

    def child(step: str) -> dict:
        command = [sys.executable, __file__, "--child", step, "--db", db, "--scale", str(args.scale),
                   "--seed", str(args.seed), "--singles", str(args.singles)]
        done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"{db} {step} failed:\n{done.stderr}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    try:
        result = {"db": db, **child("load"), **child("classify")}
    finally:
        if admin is not None and not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{args.pg_db}" WITH (FORCE)')
        if not args.keep:
            subprocess.run(["rm", "-rf", workdir])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=0.1, help="1 = the full target size")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--db", action="append", choices=["sqlite", "postgresql"])
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--pg-db", default="kenal_engine_bench", help="name of the benchmark database")
    parser.add_argument("--singles", type=int, default=50, help="single-party recomputes to time")
    parser.add_argument("--write-csv", type=Path, help="also write the data as interchange CSV files here")
    parser.add_argument("--no-run", action="store_true", help="only write the CSV files")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--child", choices=["load", "classify"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    if args.child:
        args.db = args.db[0]
        result = child_load(args) if args.child == "load" else child_classify(args)
        print(json.dumps(result))
        return
    if args.write_csv:
        write_csv(Data(args.scale, args.seed), args.write_csv)
        print(f"wrote interchange CSV files to {args.write_csv}")
    if args.no_run:
        return
    header = benchdoc.machine()
    results = []
    for db in args.db or ["sqlite", "postgresql"]:
        result = run_db(args, db)
        print(json.dumps(result), flush=True)
        results.append(result)
    if not args.no_doc:
        benchdoc.write_section("classify", report(args, header, results))
        print(f"Wrote {benchdoc.DOC}")


NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}


def report(args, header: str, results: list[dict]) -> str:
    """The docs/benchmarks.md section for these results."""
    sizes = Data(args.scale, args.seed).sizes
    lines = [
        "## Relationship engine (`classify`)",
        "",
        header,
        f"Scale {args.scale:g}, seed {args.seed}: {sizes['parties']:,} parties, {sizes['lines']:,} order lines, "
        f"{sizes['agreements']:,} agreements, {sizes['interactions']:,} interactions, generated and loaded "
        "straight into a fresh database; then, in a separate process, a full `classify` as of "
        f"{AS_OF.isoformat()} (every profile is new) and another as of the next day (every profile exists; "
        "the nightly case). Run: `.venv/bin/python benchmarks/classify_bench.py --scale 1`.",
        "",
        "Wall time is what a user waits for. CPU is the process's own; for PostgreSQL the server "
        "backend, which does the work, is shown too.",
        "",
        "| database | full run | wall s | CPU s | peak memory MiB | load |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in results:
        memory = f"{r['peak_rss_mib']}"
        if r.get("pg_backend_peak_rss_mib") is not None:
            memory += f" + server {r['pg_backend_peak_rss_mib']}"
        for label, text in (("first", "first: all profiles new"), ("second", "next day: all profiles exist")):
            cpu = r[f"full_{label}_cpu_seconds"]
            if f"full_{label}_backend_cpu_seconds" in r:
                cpu = f"{cpu} + server {r[f'full_{label}_backend_cpu_seconds']}"
            lines.append(
                f"| {NAMES[r['db']]} | {text} | {r[f'full_{label}_seconds']} | {cpu} | {memory} | "
                f"{r['load_average']:.1f} |"
            )
    lines += [
        "",
        f"At that size, one party at a time (ms, median / slowest of {args.singles}):",
        "",
        "| database | `classify(party_ids=[id])` | saving one order (`order_create`) |",
        "|---|---:|---:|",
    ]
    for r in results:
        save = r["order_save_ms"]
        lines.append(f"| {NAMES[r['db']]} | {r['single_ms_median']} / {r['single_ms_max']} | "
                     f"{save['median']} / {save['max']} |")
    lines += [
        "",
        "The party list, one htmx request of its rows and counts (ms, median / slowest of 5):",
        "",
        "| query | " + " | ".join(NAMES[r["db"]] for r in results) + " |",
        "|---|" + "---:|" * len(results),
    ]
    for case in LIST_CASES:
        key = case or "(everyone)"
        cells = " | ".join(f"{r['party_list_ms'][key]['median']} / {r['party_list_ms'][key]['max']}" for r in results)
        lines.append(f"| `{key}` | {cells} |")
    counts = results[0]
    lines += [
        "",
        "Counts at this scale: " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts["relationships"].items()))
        + "; " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts["characteristics"].items()))
        + "; " + ", ".join(f"{k} {v:,}" for k, v in sorted(counts["customer_types"].items())) + ".",
    ]
    same = all(r["relationships"] == counts["relationships"] and r["characteristics"] == counts["characteristics"]
               for r in results)
    if len(results) > 1:
        lines.append("Both databases gave the same counts." if same else "**The databases disagree on the counts.**")
    lines += ["", *verdict(results), "", HOW]
    return "\n".join(lines)


def verdict(results: list[dict]) -> list[str]:
    """Each target of the engine against these figures, in plain words."""
    out = ["Against the targets (full recompute under 30 s and 2 GB, one order under 20 ms, "
           "a filtered list under 200 ms):", ""]
    for r in results:
        name = NAMES[r["db"]]
        full = max(r["full_first_seconds"], r["full_second_seconds"])
        memory = r["peak_rss_mib"] + (r.get("pg_backend_peak_rss_mib") or 0)
        save = r["order_save_ms"]["median"]
        listed = max(v["median"] for v in r["party_list_ms"].values())
        out.append(
            f"- {name}: slowest full run {full:.1f} s ({'within' if full < 30 else '**over**'}), peak memory "
            f"{memory} MiB ({'within' if memory < 2048 else '**over**'}), saving an order {save:.1f} ms median "
            f"({'within' if save < 20 else '**over**'}), slowest list {listed:.0f} ms median "
            f"({'within' if listed < 200 else '**over**'})."
        )
    return out


HOW = """How a full recompute works: a dozen `CREATE TEMP TABLE ... AS SELECT` statements
aggregate each kind of fact per party (orders from the covering index on buyer, time and
paid-line summary; consumers from the partial index of lines that name one;
interactions from the index on party, time, direction and kind; agreements with a
gaps-and-islands window for unbroken coverage). On SQLite the per-party tables are
keyed by party (their rowid), so joins find rows by key instead of building a
temporary index each. One statement derives flags, type, characteristics, the next best
action and the numbers behind the reasons for every party; the reasons themselves are
worded when someone reads them (`kenal/classification/explain.py`). Profiles hold counts
and day numbers, not "days ago", so most come out the same from one day to the next:
one merge of the new results with the stored profiles finds the few that changed, the
history records them, and only they are rewritten, plus an `INSERT` for parties without
a profile. The first run into an empty table inserts everything under a table lock and,
on PostgreSQL, builds the profile indexes afterwards. A PostgreSQL full run ends with
`VACUUM (ANALYZE)` of the profiles, and runs with JIT compiling off: each row passes
once through simple steps, so the time spent compiling the statements is never won
back. The party list's counts of everyone come from a tally the engine keeps as it
writes profiles.

A recompute of a few parties (saving an order) runs the same SQL with the steps as CTEs
of one statement, the party ids as a parameter. On PostgreSQL that statement is prepared
once per connection and run with its generic plan, and the history, summary, tally and
store go to the server as one batch; on SQLite the work table stays on the connection so
its compiled statements are reused.

The figures move by a fifth or more from run to run, and further between machines
of the same size: the data (2 GB for SQLite, 4 GB for PostgreSQL) does not all stay
in the page cache, so a run that finds it evicted reads from disk, and one 2-core
machine can be twice as fast as another. Compare runs taken one after another on one
machine."""


if __name__ == "__main__":
    main()
