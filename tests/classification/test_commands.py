"""`kenal classify` and `kenal export parties`, through call_command and the real console command."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from kenal.classification.models import PartyProfile
from tests.classification.factories import agreement, at, line, order, party

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def _facts(csm_user=None):
    siti = party("Siti Rahma", external_id="P-0001", first_contact_at=at("2026-02-20 08:00"))
    budi = party("Budi", external_id="P-0002")
    firm = party("PT Maju", external_id="P-0003", kind="organization")
    order(siti, at("2026-02-20 09:00"), line(promo_code="HEMAT"), line(consumer=budi))
    order(siti, at("2026-03-01 09:00"))
    agreement(firm, AS_OF - timedelta(days=400), csm=csm_user, tier="enterprise")
    return siti, budi, firm


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", "parties", *args, stdout=out)
    return out.getvalue()


def test_it_prints_counts_per_relationship_type_and_characteristic():
    _facts()
    out = io.StringIO()
    with translation.override("en"):
        call_command("classify", "--as-of", "2026-03-10", stdout=out)
    text = out.getvalue()
    assert "Classified 3 parties as of 2026-03-10." in text
    assert "  Client: 1\n" in text and "  Customer: 1\n" in text and "  Consumer: 1\n" in text
    assert "  Prospect: 0\n" in text
    assert "  External: 2\n" in text
    assert "  Impulsive: 1\n" in text and "  Loyal: 1\n" in text and "  Thrifty: 1\n" in text
    # Not today: computed on the side, nothing stored.
    assert "nothing stored changed" in text
    assert PartyProfile.objects.count() == 0


def test_it_prints_the_counts_with_labels_in_the_consoles_language():
    _facts()
    out = io.StringIO()
    with translation.override("id"):
        call_command("classify", "--as-of", "2026-03-10", stdout=out)
    text = out.getvalue()
    assert "  Klien: 1\n" in text and "  Pelanggan: 1\n" in text and "  Konsumen: 1\n" in text
    assert "client:" not in text and "external:" not in text and "impulsive:" not in text
    with translation.override("id"):
        help_text = str(load_command_class("kenal.classification", "classify").help)
    assert help_text.startswith("Hitung ulang")


def test_it_exports_every_party_as_interchange_json(csm):
    _facts(csm_user=csm)
    rows = {row["external_id"]: row for row in json.loads(_export("--as-of", "2026-03-10", "--language", "en"))}
    assert rows["P-0001"] == {
        "external_id": "P-0001", "name": "Siti Rahma", "relationship": "customer", "flags": ["customer"],
        "customer_type": "external", "characteristics": ["impulsive", "new", "thrifty"],
        "reasons": [
            "Customer: 2 paid orders", "External: the default customer type",
            "New: first paid order 18 days ago",
            "Impulsive: first paid order 1 h 00 min after first contact, with no question in between",
            "Thrifty: 1 of 2 paid orders used a promotion",
        ],
        "csm": None, "next_best_action": "Follow up on onboarding; expect and answer detailed questions.",
    }
    assert rows["P-0002"]["relationship"] == "consumer" and rows["P-0002"]["customer_type"] is None
    assert rows["P-0002"]["next_best_action"] == "Invite them to register the product and give feedback."
    assert rows["P-0003"]["relationship"] == "client" and rows["P-0003"]["csm"] == "citra"
    assert rows["P-0003"]["characteristics"] == ["loyal"]
    assert "Loyal: covered by signed agreements for 401 days without a gap" in rows["P-0003"]["reasons"]


def test_it_exports_csv_with_lists_joined_by_semicolons(tmp_path):
    _facts()
    target = tmp_path / "parties.csv"
    _export("--format", "csv", "--output", str(target), "--as-of", "2026-03-10", "--language", "en")
    rows = {row["external_id"]: row for row in csv.DictReader(target.open(encoding="utf-8"))}
    assert list(rows["P-0001"]) == [
        "external_id", "name", "relationship", "flags", "customer_type", "characteristics", "reasons", "csm",
        "next_best_action",
    ]
    assert rows["P-0001"]["characteristics"] == "impulsive;new;thrifty"
    assert rows["P-0001"]["reasons"].startswith("Customer: 2 paid orders;External: the default customer type;")
    assert rows["P-0002"]["customer_type"] == "" and rows["P-0003"]["csm"] == ""


def test_it_exports_fresh_results_without_a_classify_after_new_facts():
    _facts()
    call_command("classify", "--as-of", "2026-03-10", stdout=io.StringIO())
    newcomer = party("Newcomer", external_id="P-0009")
    order(newcomer, at("2026-03-10 12:00"))
    rows = {row["external_id"]: row for row in json.loads(_export("--as-of", "2026-03-10"))}
    assert rows["P-0009"]["relationship"] == "customer"
    assert rows["P-0009"]["characteristics"] == ["new"]


def test_it_exports_as_of_another_day():
    _facts()
    rows = {row["external_id"]: row for row in json.loads(_export("--as-of", "2026-02-19"))}
    assert rows["P-0001"]["relationship"] == "prospect"
    assert rows["P-0002"]["relationship"] == "prospect"


def test_it_refuses_an_invalid_as_of_date():
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("classify", "--as-of", "10/03/2026")
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _export("--as-of", "2026-02-30")


CREATE_FACTS = """
from datetime import date, datetime
from zoneinfo import ZoneInfo
from kenal.commerce.models import Order, OrderLine, Product
from kenal.parties.models import Party
jkt = ZoneInfo("Asia/Jakarta")
buyer = Party.objects.create(name="Siti", external_id="P-1")
Party.objects.create(name="Dewi", external_id="P-2")
when = datetime(2026, 3, 9, 10, tzinfo=jkt)
o = Order.objects.create(external_id="O-1", buyer=buyer, occurred_at=when, is_paid=True, paid_total=1000, max_paid_quantity=1)
OrderLine.objects.create(order=o, line_no=1, product=Product.objects.create(sku="S"), occurred_at=when, unit_price=1000)
"""


def _database_url() -> tuple[str | None, str | None]:
    """A fresh database for the subprocess: SQLite under KENAL_DATA_DIR, or a new
    PostgreSQL database on the same server as the tests."""
    if connection.vendor != "postgresql":
        return None, None
    params = connection.settings_dict
    name = f"kenal_cli_{uuid.uuid4().hex[:10]}"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    user = params.get("USER") or "postgres"
    password = params.get("PASSWORD") or ""
    auth = f"{user}:{password}" if password else user
    return f"postgresql://{auth}@{host}:{port}/{name}", name


def _admin_dsn() -> str:
    params = connection.settings_dict
    return psycopg.conninfo.make_conninfo(
        dbname="postgres", host=params.get("HOST") or "127.0.0.1", port=params.get("PORT") or 5432,
        user=params.get("USER") or "postgres", password=params.get("PASSWORD") or None,
    )


def test_it_classifies_and_exports_through_the_kenal_command(tmp_path):
    url, name = _database_url()
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["KENAL_DATA_DIR"] = str(tmp_path / "data")
    if url:
        env["DATABASE_URL"] = url
        with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
    kenal = str(Path(sys.executable).with_name("kenal"))

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([kenal, *args], env=env, capture_output=True, text=True, timeout=300)

    try:
        first = run("classify")
        assert first.returncode == 0, first.stderr
        assert ": 0\n" in first.stdout and ": 1\n" not in first.stdout
        assert run("shell", "-c", CREATE_FACTS).returncode == 0
        # A full run for today outside any transaction, which on PostgreSQL also
        # vacuums the profiles.
        again = run("classify")
        assert again.returncode == 0, again.stderr
        assert again.stdout.count(": 1\n") >= 2  # a customer and a prospect, in either language
        target = tmp_path / "out.json"
        done = run("export", "parties", "--as-of", "2026-03-10", "--output", str(target), "--language", "en")
        assert done.returncode == 0, done.stderr
        rows = {row["external_id"]: row for row in json.loads(target.read_text(encoding="utf-8"))}
        assert rows["P-1"]["relationship"] == "customer" and rows["P-1"]["characteristics"] == ["new"]
        assert rows["P-2"]["flags"] == ["prospect"]
        bad = run("classify", "--as-of", "yesterday")
        assert bad.returncode != 0 and "YYYY-MM-DD" in bad.stderr
    finally:
        if url:
            with psycopg.connect(_admin_dsn(), autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
