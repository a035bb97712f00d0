"""How fast is the party list, with live search, filters and counts, at 100,000 parties?

    .venv/bin/python benchmarks/party_list_bench.py                  # SQLite and PostgreSQL
    .venv/bin/python benchmarks/party_list_bench.py --db sqlite --parties 20000

Each database is fresh (SQLite: a file in a temporary directory; PostgreSQL: the
database ``kenal_profileui_bench`` at ``--pg-url``, dropped afterwards), migrated, and
filled with parties (each with an email and a phone number) and their profiles in a
seeded random mix (about 20 % customers,
2 % clients, 5 % consumers, characteristics a few percent each). Then a child process
times whole GET requests of the party list through Django's test client: the median
and the slowest of several runs for each filter combination. The target is under
200 ms each. Figures go to docs/benchmarks.md unless --no-doc."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import benchdoc  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CASES = [
    "",
    "relationship=customer",
    "relationship=client",
    "characteristic=loyal",
    "characteristic=growing&relationship=customer",
    "customer_type=intermediate",
    "q=santoso",
    "q=santoso&characteristic=thrifty",
    "q=zzzz-nobody",
    "q=0812-0000-0777",
    "q=%2B62 812 0000 0777",
    "q=budi.santoso.777@example.id",
    "q=B-0000777",
]
NAMES = ["Budi", "Sari", "Dewi", "Andi", "Rina", "Joko", "Putri", "Agus", "Wati", "Eko", "Nur", "Hadi"]
FAMILIES = ["Santoso", "Wijaya", "Hartono", "Lestari", "Saputra", "Kusuma", "Pratama", "Halim", "Gunawan"]


def fill(parties: int, seed: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from kenal.classification.engine import tally_rebuild
    from kenal.classification.models import PartyProfile
    from kenal.parties.models import ContactPoint, Party

    rnd = random.Random(seed)
    now = timezone.now()
    chunk = 5000
    with transaction.atomic():
        for start in range(0, parties, chunk):
            rows = [
                Party(name=f"{rnd.choice(NAMES)} {rnd.choice(FAMILIES)} {n}", external_id=f"B-{n:07d}")
                for n in range(start, min(start + chunk, parties))
            ]
            Party.objects.bulk_create(rows)
        contacts = []
        for pk, n in Party.objects.values_list("pk", "external_id").iterator(chunk_size=chunk):
            number = int(n[2:])
            contacts.append(ContactPoint(party_id=pk, kind="phone", value=f"+62812{number:08d}"))
            contacts.append(ContactPoint(party_id=pk, kind="email", value=f"budi.santoso.{number}@example.id"))
            if len(contacts) >= 2 * chunk:
                ContactPoint.objects.bulk_create(contacts)
                contacts = []
        ContactPoint.objects.bulk_create(contacts)
        profiles = []
        for pk in Party.objects.values_list("pk", flat=True).iterator(chunk_size=chunk):
            roll = rnd.random()
            relationship = (
                "client" if roll < 0.02 else "customer" if roll < 0.22 else "consumer" if roll < 0.27 else "prospect"
            )
            buys = relationship in ("client", "customer")
            profiles.append(PartyProfile(
                party_id=pk, as_of=now.date(), relationship=relationship, computed_at=now,
                is_client=relationship == "client", is_customer=buys and relationship == "customer",
                is_consumer=relationship == "consumer", is_prospect=relationship == "prospect",
                customer_type=(rnd.choice(["external"] * 9 + ["intermediate"]) if buys else None),
                potential=relationship == "prospect" and rnd.random() < 0.1,
                new=buys and rnd.random() < 0.1, impulsive=buys and rnd.random() < 0.05,
                thrifty=buys and rnd.random() < 0.2, loyal=buys and rnd.random() < 0.15,
                growing=buys and rnd.random() < 0.03,
            ))
            if len(profiles) >= chunk:
                PartyProfile.objects.bulk_create(profiles)
                profiles = []
        PartyProfile.objects.bulk_create(profiles)
    tally_rebuild()  # the list's counts of everyone come from the tally the engine keeps


def measure(runs: int, cases: list[str] = CASES) -> dict[str, list[float]]:
    from django.test import Client
    from django.test.utils import setup_test_environment

    from kenal.accounts.models import Role, User

    setup_test_environment()  # lets the test client's host in

    user = User.objects.create_user(username="bench", password="x", role=Role.SUPPORT)
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    timings: dict[str, list[float]] = {}
    for case in cases:
        client.get(f"/parties/?{case}")  # warm caches, as a user's second look would be
        samples = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(f"/parties/?{case}", headers={"HX-Request": "true"})
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        timings[case or "(everyone)"] = samples
    return timings


def child(args: argparse.Namespace) -> None:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    fill(args.parties, args.seed)
    if os.environ.get("DATABASE_URL"):
        from django.db import connection

        with connection.cursor() as cursor:
            # What autovacuum does on a live database: statistics and the visibility
            # map that index-only counts rely on.
            cursor.execute("VACUUM ANALYZE")
    print(json.dumps({"fill_s": time.perf_counter() - started, "timings": measure(args.runs)}))


def run(db: str, args: argparse.Namespace) -> dict[str, list[float]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kenal.settings", "KENAL_DATA_DIR": tempfile.mkdtemp()}
    env.pop("DATABASE_URL", None)
    if db == "postgresql":
        import psycopg

        name = "kenal_profileui_bench"
        with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        env["DATABASE_URL"] = f"{args.pg_url}/{name}"
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--parties", str(args.parties), "--runs", str(args.runs),
             "--seed", str(args.seed)],
            env=env, cwd=ROOT, check=True, capture_output=True, text=True,
        ).stdout
    finally:
        if db == "postgresql":
            with psycopg.connect(f"{args.pg_url}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name}")
    result = json.loads(out.strip().splitlines()[-1])
    print(f"== {db}: {args.parties:,} parties (filled in {result['fill_s']:.0f} s), ms per request")
    for case, samples in result["timings"].items():
        print(f"  {case:48} median {statistics.median(samples):7.1f}   max {max(samples):7.1f}")
    return result["timings"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--parties", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--pg-url", default="postgresql://postgres@127.0.0.1:5432")
    parser.add_argument("--no-doc", action="store_true", help="print only; leave docs/benchmarks.md alone")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    header = benchdoc.machine()
    dbs = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    results = {db: run(db, args) for db in dbs}
    if args.no_doc:
        return
    rows = [
        f"| `{case}` | " + " | ".join(f"{statistics.median(results[db][case]):.0f}" for db in dbs) + " |"
        for case in results[dbs[0]]
    ]
    benchdoc.write_section("party-list", "\n".join([
        "## Party list (web), one htmx request of the list with its counts",
        "",
        header,
        f"{args.parties:,} parties, each with a phone and an email, profiles in a seeded mix; "
        f"median of {args.runs} requests through Django's test client, in ms. "
        "Run: `.venv/bin/python benchmarks/party_list_bench.py`.",
        "",
        "| query | " + " | ".join(dbs) + " |",
        "|---|" + "---:|" * len(dbs),
        *rows,
    ]))


if __name__ == "__main__":
    main()
