"""Adding a characteristic takes an entry in the table of rules, its words in both
languages and its column (a migration): here a "weekend buyer", registered for the
test only, is computed by a full run and a run for one party, given with its reason
and overridable, with no other code changed."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection, models
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import trans_real

from kenal.classification import rules
from kenal.classification.engine import classify
from kenal.classification.models import PartyProfile, ProfileChange
from kenal.classification.reasons import reasons_text
from kenal.classification.services import override_create
from tests.classification.factories import at, line, order, party

AS_OF = date(2026, 3, 10)  # a Tuesday
WORDS = "Weekend buyer: the first of %(orders)d paid orders came on a weekend"
IN_INDONESIAN = "Pembeli akhir pekan: pesanan pertama dari %(orders)d pesanan dibayar datang di akhir pekan"

WEEKEND_BUYER = rules.Characteristic(
    "weekend_buyer", "Weekend buyer",
    (rules.Way(
        # Day 0 (1970-01-01) was a Thursday: (day + 3) % 7 is 5 on Saturdays, 6 on Sundays.
        lambda d: f"({d.local_day('first_paid_at')} + 3) %% 7 IN (5, 6)",
        rules.Reason("weekend_buyer", lambda p: _(WORDS) % p, {"orders": rules.fact("paid_orders")}),
    ),),
    settings=(),
)


@pytest.fixture
def weekend_buyer(monkeypatch):
    """The entry, its Indonesian words, and the column its migration would add."""
    monkeypatch.setattr(rules, "CHARACTERISTICS", [*rules.CHARACTERISTICS, WEEKEND_BUYER])
    # Django keeps a language's messages in the first of its catalogs.
    monkeypatch.setitem(trans_real.translation("id")._catalog._catalogs[0], WORDS, IN_INDONESIAN)
    column = models.BooleanField(default=False)
    column.contribute_to_class(PartyProfile, "weekend_buyer")
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("ALTER TABLE classification_partyprofile ADD COLUMN weekend_buyer boolean NOT NULL DEFAULT FALSE")
    yield
    PartyProfile._meta.local_fields.remove(column)
    delattr(PartyProfile, "weekend_buyer")
    PartyProfile._meta._expire_cache()


@pytest.mark.django_db
def test_it_computes_gives_and_overrides_a_characteristic_added_to_the_table(weekend_buyer, manager):
    saturday, wednesday = party("Sabtu"), party("Rabu")
    order(saturday, at("2026-03-07 23:30"), line())  # Saturday evening in Jakarta, Saturday 16:30 UTC
    order(saturday, at("2026-03-09 10:00"), line())
    order(wednesday, at("2026-03-04 10:00"), line())

    classify(as_of=AS_OF)
    profile = PartyProfile.objects.get(party=saturday)
    assert profile.characteristics == ["new", "weekend_buyer"]
    assert PartyProfile.objects.get(party=wednesday).characteristics == ["new"]
    assert {"code": "weekend_buyer", "params": {"orders": 2}} in profile.reasons
    with translation.override("en"):
        assert WORDS % {"orders": 2} in reasons_text(profile.reasons)
    with translation.override("id"):
        assert IN_INDONESIAN % {"orders": 2} in reasons_text(profile.reasons)

    sunday = party("Minggu")
    order(sunday, at("2026-03-08 00:15"), line())  # just after midnight: Sunday in Jakarta
    classify(as_of=AS_OF, party_ids=[sunday.pk])
    assert PartyProfile.objects.get(party=sunday).characteristics == ["new", "weekend_buyer"]

    override_create(actor=manager, party=wednesday, field="characteristic:weekend_buyer", value="true",
                    reason="Comes every Saturday; paid on a Wednesday once.")
    assert "weekend_buyer" in PartyProfile.objects.get(party=wednesday).characteristics  # recomputed for today
    change = ProfileChange.objects.get(party=wednesday, field="characteristic:weekend_buyer")
    assert (change.from_value, change.to_value) == ("false", "true")
    classify(as_of=AS_OF)  # the override holds through a full run
    assert PartyProfile.objects.get(party=wednesday).weekend_buyer
