"""`kenal export parties` words each reason and action once and reuses it for every
party with the same facts: what differs from party to party (the name an action
calls the party by, a number of days) must still be each party's own, and both
formats must read exactly as the json and csv modules would write the rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
from django.core.management import call_command

from kenal.classification.selectors import EXPORT_FIELDS, business_today
from kenal.classification.services import override_create
from tests.classification.factories import at, interaction, order, party

pytestmark = pytest.mark.django_db
AS_OF = date(2026, 3, 10)


def _export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", "parties", *args, stdout=out)
    return out.getvalue()


def _rows(*args: str) -> dict[str, dict]:
    return {row["external_id"]: row for row in json.loads(_export("--format", "json", *args))}


def test_it_calls_each_party_by_its_own_name_in_an_action_worded_for_several():
    # Three open questions asked the same day on the same channel: one wording,
    # three names (a person by the first word of the name, an organisation whole).
    for external_id, name, kind in [
        ("P-1", "Siti Rahma", "person"), ("P-2", "Dewi Lestari", "person"), ("P-3", "PT Maju Jaya", "organization"),
    ]:
        interaction(party(name, external_id=external_id, kind=kind), at("2026-03-08 10:00"), kind="question")
    rows = _rows("--as-of", "2026-03-10", "--language", "en")
    assert rows["P-1"]["next_best_action"] == "Answer Siti’s question from 8 Mar on WhatsApp."
    assert rows["P-2"]["next_best_action"] == "Answer Dewi’s question from 8 Mar on WhatsApp."
    assert rows["P-3"]["next_best_action"] == "Answer PT Maju Jaya’s question from 8 Mar on WhatsApp."
    cells = {
        row["external_id"]: row["next_best_action"]
        for row in csv.DictReader(io.StringIO(_export("--format", "csv", "--as-of", "2026-03-10", "--language", "id")))
    }
    assert cells == {
        "P-1": "Jawab pertanyaan Siti tanggal 8 Mar lewat WhatsApp.",
        "P-2": "Jawab pertanyaan Dewi tanggal 8 Mar lewat WhatsApp.",
        "P-3": "Jawab pertanyaan PT Maju Jaya tanggal 8 Mar lewat WhatsApp.",
    }


def test_it_counts_each_partys_own_days_when_that_is_all_that_differs():
    # The first party exported is a prospect, whose reasons count no days; the two
    # new customers after it agree on everything but the day of their first order.
    party("Prospect", external_id="P-1")
    order(party("Early", external_id="P-2"), at("2026-02-28 09:00"))
    order(party("Late", external_id="P-3"), at("2026-03-07 09:00"))
    order(party("Late too", external_id="P-4"), at("2026-03-07 15:00"))
    rows = _rows("--as-of", "2026-03-10", "--language", "en")
    assert rows["P-1"]["reasons"] == ["Prospect: no active agreement, paid order or product in use yet"]
    assert "New: first paid order 10 days ago" in rows["P-2"]["reasons"]
    assert "New: first paid order 3 days ago" in rows["P-3"]["reasons"]
    assert rows["P-4"]["reasons"] == rows["P-3"]["reasons"]
    # Another day, other counts.
    rows = _rows("--as-of", "2026-03-12", "--language", "en")
    assert "New: first paid order 12 days ago" in rows["P-2"]["reasons"]
    assert "New: first paid order 5 days ago" in rows["P-3"]["reasons"]


def test_it_writes_json_and_csv_exactly_as_the_json_and_csv_modules_would(manager):
    # Names and an override's reason with the characters each format must escape.
    today = business_today()
    buyer = party('Budi "Bos", Jr.', external_id="P-1")
    order(buyer, at(f"{today - timedelta(days=2)} 10:00"))
    party("Ani\nBaris dua", external_id="P-2")
    party("Çağrı Ñúñez 李", external_id="P-3", kind="organization")
    party("", external_id="P-4")
    override_create(
        actor=manager, party=buyer, field="relationship", value="client", reason='Signed, "on paper"\nat home',
    )
    text = _export("--format", "json", "--language", "en")
    rows = json.loads(text)
    assert [row["external_id"] for row in rows] == ["P-1", "P-2", "P-3", "P-4"]
    assert text == "[\n  " + ",\n  ".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n"
    assert rows[0]["name"] == 'Budi "Bos", Jr.' and rows[0]["relationship"] == "client"
    assert 'Relationship set to Client by maya: Signed, "on paper"\nat home' in rows[0]["reasons"]

    expected = io.StringIO(newline="")
    writer = csv.writer(expected)
    writer.writerow(EXPORT_FIELDS)
    for row in rows:
        writer.writerow(";".join(row[f]) if isinstance(row[f], list) else row[f] for f in EXPORT_FIELDS)
    assert _export("--format", "csv", "--language", "en") == expected.getvalue()


def test_it_writes_an_empty_list_when_there_is_no_party():
    assert json.loads(_export("--format", "json")) == []
    assert _export("--format", "json") == "[\n]\n"
    assert _export("--format", "csv") == ",".join(EXPORT_FIELDS) + "\r\n"
