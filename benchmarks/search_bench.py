"""How fast does the party search answer through the real web server, at a million parties?

    .venv/bin/python benchmarks/search_bench.py --scale 0.05          # both databases, 50,000 parties
    .venv/bin/python benchmarks/search_bench.py --scale 1.0           # the full size: 1,000,000 parties

``--scale 1.0`` is 1,000,000 parties, each with an email and a phone number (and a
profile, so the list's counts and columns have something to read). Each database is
fresh (SQLite: a file in a temporary directory; PostgreSQL: the database ``--pg-db``,
``kenal_search_bench`` unless told, at ``--pg-url``, dropped afterwards), migrated by
Kenal and filled in bulk (COPY on PostgreSQL, executemany on SQLite; a few minutes at
scale 1), the search text rebuilt in one pass as an import rebuilds it. Then
``kenal serve --no-demo --no-worker`` (waitress, as a user runs it)
is started on a free port, a user logs in over HTTP, and each kind of query is asked
``--requests`` times as the list's live search asks it (an htmx GET of
``/parties/?q=...``), cycling through several distinct fragments, then the counts of
relationships the list fetches after it (``/parties/counts/?q=...``): p50 and p95 in ms
of each.
The target is a p95 under 150 ms for a fragment matching about 1 % of the parties and
for one matching nothing. Figures go to docs/benchmarks.md unless --no-doc."""

from __future__ import annotations

import argparse
import http.cookiejar
import itertools
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdoc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FULL = 1_000_000
PASSWORD = "search-bench-password"

# 100 family names, so each is borne by about 1 % of the parties; the given names
# are spread over all of them. A few carry accents, as real names do.
FAMILIES = [
    "Santoso", "Wijaya", "Hartono", "Lestari", "Saputra", "Kusuma", "Pratama", "Halim", "Gunawan", "Siregar",
    "Nasution", "Harahap", "Lubis", "Simanjuntak", "Pardede", "Sitompul", "Hutapea", "Tambunan", "Manurung",
    "Sinaga", "Purba", "Ginting", "Tarigan", "Sembiring", "Wibowo", "Susanto", "Setiawan", "Hidayat", "Rahman",
    "Kurniawan", "Nugroho", "Firmansyah", "Permana", "Ramadhan", "Hakim", "Syahputra", "Putranto", "Utomo",
    "Suharto", "Wirawan", "Anggraini", "Safitri", "Maharani", "Puspita", "Rahmawati", "Handayani", "Wulandari",
    "Kartika", "Anjani", "Novitasari", "Tanoto", "Salim", "Tjahjadi", "Liem", "Tan", "Ong", "Goh", "Schmidt",
    "Müller", "Dubois", "García", "Rossi", "Kowalski", "Novák", "Yamamoto", "Tanaka", "Nakamura", "Kobayashi",
    "Kim", "Park", "Nguyen", "Tran", "Pham", "Silva", "Santos", "Fernández", "López", "Martín", "Bauer",
    "Fischer", "Weber", "Becker", "Hoffmann", "Koch", "Richter", "Wolf", "Schröder", "Neumann", "Schwarz",
    "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler",
    "Maier",
]
GIVEN = [
    "Budi", "Sari", "Dewi", "Andi", "Rina", "Joko", "Putri", "Agus", "Wati", "Eko", "Nur", "Hadi", "Akira",
    "José", "Anna", "Ketut", "Made", "Wayan", "Siti", "Ahmad", "Yusuf", "Fitri", "Indah", "Rizky", "Dian",
]
DOMAINS = ["gmail.com", "yahoo.co.id", "outlook.com", "kantor.co.id", "mail.id"]
CASES = {
    # kind: fragments asked in turn (each a different 1 % or none)
    "name fragment, about 1 %": ["wijaya", "siregar", "schmidt", "kusuma", "hartono", "muller"],
    "two words, about 0.04 %": ["schmidt akira", "budi wijaya", "dewi siregar"],
    "nothing matches": ["zzqx", "qwertyuiop", "tidak ada", "xylofon", "0899-1234-9999"],
    "phone fragment": ["0812-2226", "62812 5550", "+62 813-4411", "2226 9572"],
    "exact email": [],  # filled from the data: one real address per request
}


def fill(parties: int, seed: int) -> None:
    """``parties`` parties with a phone, an email and a profile each, the same for the
    same seed. Written as a bulk load writes: COPY on PostgreSQL, executemany on
    SQLite, in one transaction, with the search rows rebuilt in one pass after as an
    import does, then the tally counted afresh. Through the ORM a million took an hour."""
    from django.db import connection, transaction
    from django.utils import timezone

    from kenal.accounts.models import Role, User
    from kenal.classification.engine import tally_rebuild
    from kenal.classification.models import PartyProfile
    from kenal.parties.models import ContactPoint, Party
    from kenal.parties.search import search_bulk_write

    now = timezone.now()
    User.objects.create_user(username="bench", password=PASSWORD, role=Role.SUPPORT)
    # Each table draws from its own stream, so each is written in one pass of its own.
    names = random.Random(f"{seed}/names")
    given = bytes(names.randrange(len(GIVEN)) for _ in range(parties))

    def name(n: int) -> str:
        return f"{GIVEN[given[n]]} {FAMILIES[n % len(FAMILIES)]}"

    def party_rows() -> Iterator[tuple]:
        for n in range(parties):
            yield n + 1, name(n), f"P-{n:07d}"

    def contact_rows() -> Iterator[tuple]:
        rnd = random.Random(f"{seed}/contacts")
        for n in range(parties):
            prefix = rnd.choice(["812", "813", "857", "878"])
            yield n + 1, "phone", f"+62{prefix}{rnd.randrange(10**8):08d}"
            user = name(n).lower().replace(" ", ".")
            yield n + 1, "email", f"{user}.{n:07d}@{rnd.choice(DOMAINS)}"

    def profile_rows() -> Iterator[tuple]:
        rnd = random.Random(f"{seed}/profiles")
        for n in range(parties):
            buys = rnd.random() < 0.3
            yield (
                n + 1, "customer" if buys else "prospect", buys, not buys, "external" if buys else None,
                rnd.randrange(0, 50_000_000) if buys else 0, 20_000 + rnd.randrange(400) if buys else None,
                20_000 + rnd.randrange(400) if rnd.random() < 0.5 else None,
            )

    tables = [
        (Party, ["id", "name", "external_id"], party_rows()),
        (ContactPoint, ["party_id", "kind", "value"], contact_rows()),
        (PartyProfile, ["party_id", "relationship", "is_customer", "is_prospect", "customer_type", "revenue_12m",
                        "last_order_day", "last_interaction_day"], profile_rows()),
    ]
    with transaction.atomic(), connection.cursor() as cursor, \
            search_bulk_write(cursor, connection.vendor, touched="SELECT id FROM parties_party"):
        for model, varying, rows in tables:
            _bulk_insert(cursor, model, varying, rows, now)
        if connection.vendor == "postgresql":
            from django.core.management.color import no_style

            for statement in connection.ops.sequence_reset_sql(no_style(), [Party]):
                cursor.execute(statement)
    tally_rebuild()


def _bulk_insert(cursor: Any, model: Any, varying: list[str], rows: Iterator[tuple], now: datetime) -> None:
    """Insert ``rows`` (values of the columns ``varying``) into ``model``'s table, the
    other columns as Django stores an instance left to its defaults, with its required
    dates and times now."""
    from django.db import connection

    fields = [field for field in model._meta.concrete_fields if field.column not in varying and not field.primary_key]
    when = {"DateTimeField": now, "DateField": now.date()}
    instance = model(**{
        field.attname: when[field.get_internal_type()] for field in fields
        if field.get_internal_type() in when and not field.null
    })
    fixed = tuple(field.get_db_prep_save(getattr(instance, field.attname), connection) for field in fields)
    columns = ", ".join(connection.ops.quote_name(column) for column in [*varying, *(f.column for f in fields)])
    table = connection.ops.quote_name(model._meta.db_table)
    if connection.vendor == "postgresql":
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row + fixed)
        return
    marks = ", ".join(["%s"] * (len(varying) + len(fixed)))
    while chunk := [row + fixed for row in itertools.islice(rows, 50_000)]:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", chunk)


def child_fill(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fill(args.parties, args.seed)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does on a live database
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    from kenal.parties.models import ContactPoint

    emails = list(ContactPoint.objects.filter(kind="email").order_by("?").values_list("value", flat=True)[:10])
    print(json.dumps({"fill_s": time.perf_counter() - started, "emails": emails}))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """A logged-in HTTP session against the running server, as a person's browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        request = urllib.request.Request(self.base + path, headers={"Accept-Language": "en", **(headers or {})})
        with self.opener.open(request, timeout=60) as response:
            return response.status, response.read()

    def login(self) -> None:
        _status, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        data = urllib.parse.urlencode({"username": "bench", "password": PASSWORD, "csrfmiddlewaretoken": token})
        request = urllib.request.Request(
            self.base + "/login/", data=data.encode(), headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            if b'name="password"' in response.read():
                raise SystemExit("could not log in to the benchmark server")


def _percentiles(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {"p50": statistics.median(samples), "p95": samples[max(0, int(round(0.95 * len(samples))) - 1)]}


def measure(base: str, cases: dict[str, list[str]], requests: int) -> dict[str, dict]:
    """For each kind of query: the list's request, and apart the counts it then asks for."""
    browser = Browser(base)
    browser.login()
    results = {}
    for kind, fragments in cases.items():
        for fragment in fragments:  # warm caches once per fragment, as a second look would be
            browser.get("/parties/?" + urllib.parse.urlencode({"q": fragment}), {"HX-Request": "true"})
        listed, counted, found = [], [], {}
        for n in range(requests):
            fragment = fragments[n % len(fragments)]
            query = urllib.parse.urlencode({"q": fragment})
            started = time.perf_counter()
            status, body = browser.get("/parties/?" + query, {"HX-Request": "true"})
            listed.append((time.perf_counter() - started) * 1000)
            assert status == 200, status
            count = re.search(rb"data-count>([^<]*)", body)
            found[fragment] = count.group(1).decode().split("\xb7")[0].strip() if count else "?"
            started = time.perf_counter()
            status, body = browser.get("/parties/counts/?" + query, {"HX-Request": "true"})
            counted.append((time.perf_counter() - started) * 1000)
            assert status == 200 and b"data-facets" in body, status
        results[kind] = {**_percentiles(listed), "counts": _percentiles(counted), "found": found}
    return results


def run(db: str, args: argparse.Namespace) -> dict[str, dict]:
    data_dir = tempfile.mkdtemp(prefix="kenal-search-bench-")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kenal.settings", "KENAL_DATA_DIR": data_dir}
    env.pop("DATABASE_URL", None)
    name = args.pg_db
    if db == "postgresql":
        import psycopg

        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"{args.pg_url}/{name}"
    server = None
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--parties", str(args.parties), "--seed", str(args.seed)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
        filled = json.loads(out.strip().splitlines()[-1])
        port = _free_port()
        kenal = Path(sys.executable).with_name("kenal")
        server = subprocess.Popen(
            [str(kenal), "serve", "--no-demo", "--no-worker", "--port", str(port)],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(base + "/login/", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    raise SystemExit(f"kenal serve stopped with exit code {server.returncode}")
                time.sleep(0.2)
        cases = {**CASES, "exact email": filled["emails"]}
        measured_at_load = os.getloadavg()[0]
        results = measure(base, cases, args.requests)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if db == "postgresql":
            import psycopg

            with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
        shutil.rmtree(data_dir, ignore_errors=True)  # a million parties' SQLite file is a gigabyte
    load = os.getloadavg()[0]
    print(f"== {db}: {args.parties:,} parties (filled in {filled['fill_s']:.0f} s), ms per request; "
          f"load average {measured_at_load:.1f} when measuring began, {load:.1f} at the end")
    for kind, figures in results.items():
        shown = ", ".join(f"{fragment!r}: {count}" for fragment, count in list(figures["found"].items())[:3])
        counts = figures["counts"]
        print(f"  {kind:28} list p50 {figures['p50']:7.1f}  p95 {figures['p95']:7.1f}   "
              f"counts p50 {counts['p50']:7.1f}  p95 {counts['p95']:7.1f}   ({shown})")
    return {"fill_s": filled["fill_s"], "results": results, "load": (measured_at_load, load)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.05, help="1.0 = 1,000,000 parties (default 0.05)")
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=50, help="requests per kind of query (default 50)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--pg-db", default="kenal_search_bench", help="database made and dropped at --pg-url")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--parties", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_fill(args)
        return
    args.parties = int(FULL * args.scale)
    header = benchdoc.machine()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    runs = {db: run(db, args) for db in dbs}
    if args.no_doc:
        return
    kinds = list(runs[dbs[0]]["results"])

    def cell(figures: dict) -> str:
        return f"{figures['p50']:.0f} / {figures['p95']:.0f}"

    rows = [
        f"| {kind} | " + " | ".join(
            f"{cell(runs[db]['results'][kind])} | {cell(runs[db]['results'][kind]['counts'])}" for db in dbs
        ) + " |"
        for kind in kinds
    ]
    fills = ", ".join(f"{db} {runs[db]['fill_s']:.0f} s" for db in dbs)
    loads = ", ".join(f"{db} {runs[db]['load'][0]:.1f} to {runs[db]['load'][1]:.1f}" for db in dbs)
    benchdoc.write_section("party-search", "\n".join([
        "## Party search (web), through the real server",
        "",
        header,
        f"Scale {args.scale:g}: {args.parties:,} parties, each with a phone and an email and a profile "
        f"(filled in bulk, search rows rebuilt in one pass as an import does, in {fills}). "
        "`kenal serve --no-demo --no-worker` (waitress) answers a logged-in client's htmx GET of "
        "`/parties/?q=...` (the rows, the count and the pages), "
        f"then of `/parties/counts/?q=...`, which the list asks for once its rows are shown, {args.requests} "
        f"requests per kind cycling through several fragments; p50 / p95 in ms (load average while measuring: "
        f"{loads}). The list's "
        "count, and its counts of each relationship and characteristic, are exact up to 10,000 parties found; "
        "beyond, it says \"more than 10,000\" and leaves the others uncounted. Target: p95 under 150 ms at scale 1.0. "
        f"Run: `.venv/bin/python benchmarks/search_bench.py --scale {args.scale:g}"
        f"{'' if args.db == 'both' else ' --db ' + args.db}`.",
        "",
        "| query | " + " | ".join(f"{db} list | {db} counts" for db in dbs) + " |",
        "|---|" + "---:|" * (2 * len(dbs)),
        *rows,
    ]))


if __name__ == "__main__":
    main()
