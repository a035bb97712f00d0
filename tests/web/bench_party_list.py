"""Time the party list at 100,000 parties: ``python tests/web/bench_party_list.py``.

Runs against the database in DATABASE_URL (or the SQLite file under KENAL_DATA_DIR),
which must be migrated. Seeds 100,000 parties with an email and a phone each (a third
also with WhatsApp) when there are fewer, then prints the median and worst of five
htmx requests for a set of searches, and the cost of paging deep into a result."""

from __future__ import annotations

import os
import random
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kenal.settings")
os.environ.setdefault("KENAL_ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from kenal.accounts.models import Role, User  # noqa: E402
from kenal.parties.models import ContactPoint, Party, PartyKind  # noqa: E402

SIZE = 100_000
FIRST = "Budi Sari Agus Dewi Rina Andi Putri Joko Wati Eko Siti Rudi Ayu Bayu Nur Fajar Indah Hadi Lina Tono".split()
LAST = "Santoso Wijaya Saputra Lestari Hidayat Kusuma Pratama Halim Gunawan Nugroho Setiawan Rahman Wibowo".split()
SEARCHES = ["", "a", "budi", "zzzz-no-match", "user4242@example.id", "0812-0000-4242", "+62 812 0000 4242",
            "6281200004242", "C004242", "PT Halim"]


def seed() -> None:
    """Bulk rows straight into the tables: a benchmark fixture, not business data."""
    rng = random.Random(7)
    parties = []
    for n in range(SIZE):
        if n % 10 == 0:
            parties.append(Party(name=f"PT {rng.choice(LAST)} {rng.choice(FIRST)} {n}", kind=PartyKind.ORGANIZATION,
                                 external_id=f"C{n:06d}"))
        else:
            parties.append(Party(name=f"{rng.choice(FIRST)} {rng.choice(LAST)} {n}", external_id=f"C{n:06d}"))
    Party.objects.bulk_create(parties, batch_size=5000)
    points = []
    for n, pk in enumerate(Party.objects.order_by("id").values_list("id", flat=True)):
        points.append(ContactPoint(party_id=pk, kind="email", value=f"user{n}@example.id"))
        points.append(ContactPoint(party_id=pk, kind="phone", value=f"+62812{n:08d}"))
        if n % 3 == 0:
            points.append(ContactPoint(party_id=pk, kind="whatsapp", value=f"+62813{n:08d}"))
    ContactPoint.objects.bulk_create(points, batch_size=10000)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def main() -> None:
    if Party.objects.count() < SIZE:
        Party.objects.all().delete()
        seed()
    print(f"{connection.vendor}: {Party.objects.count()} parties, {ContactPoint.objects.count()} contact points")
    user, _ = User.objects.get_or_create(username="bench", defaults={"role": Role.SUPPORT})
    client = Client()
    client.force_login(user)
    for query in SEARCHES:
        times = []
        for _ in range(5):
            start = time.perf_counter()
            response = client.get("/parties/", {"q": query}, HTTP_HX_REQUEST="true")
            times.append((time.perf_counter() - start) * 1000)
        rows = response.content.decode().count('<th scope="row"')
        print(f"  {query!r:24} rows={rows:3}  median {sorted(times)[2]:6.1f} ms  worst {max(times):6.1f} ms")
    after, start = None, time.perf_counter()
    for _ in range(20):
        response = client.get("/parties/", {"q": "budi", **({"after": after} if after else {})}, HTTP_HX_REQUEST="true")
        match = re.search(r"after=(\d+)", response.content.decode())
        after = match.group(1) if match else None
    print(f"  20 pages deep into 'budi': {(time.perf_counter() - start) * 1000 / 20:.1f} ms a page")


if __name__ == "__main__":
    main()
