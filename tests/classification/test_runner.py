"""How the engine's statements run: a recompute of one party keeps working when the
database session under the connection changes, as it does behind a pooler."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection

from kenal.classification.engine import classify
from kenal.classification.models import PartyProfile
from tests.classification.factories import at, line, order, party

AS_OF = date(2026, 3, 10)


@pytest.mark.django_db
def test_it_recomputes_one_party_after_the_session_forgot_its_prepared_statements():
    buyer = party()
    order(buyer, at("2026-03-01 10:00"), line())
    classify(as_of=AS_OF, party_ids=[buyer.pk])
    if connection.vendor == "postgresql":
        # What a pooler's reset, or another server connection, looks like to a client.
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
    order(buyer, at("2026-03-02 10:00"), line(promo_code="HEMAT"))
    order(buyer, at("2026-03-03 10:00"), line(promo_code="HEMAT"))
    classify(as_of=AS_OF, party_ids=[buyer.pk])
    profile = PartyProfile.objects.get(party=buyer)
    assert (profile.paid_orders, profile.characteristics) == (3, ["new", "thrifty"])


@pytest.mark.django_db
def test_with_prepared_statements_off_it_prepares_none_and_gives_the_same_result(settings):
    """Behind a pooler in statement mode a prepared statement may meet another server
    connection, so KENAL_PREPARED_STATEMENTS=false must leave none behind."""
    settings.KENAL_PREPARED_STATEMENTS = False
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")  # what earlier tests on this connection prepared
    buyer = party()
    order(buyer, at("2026-03-01 10:00"), line(promo_code="HEMAT"))
    order(buyer, at("2026-03-02 10:00"), line(promo_code="HEMAT"))
    classify(as_of=AS_OF, party_ids=[buyer.pk])
    profile = PartyProfile.objects.get(party=buyer)
    assert (profile.paid_orders, profile.characteristics) == (2, ["new", "thrifty"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT name, statement FROM pg_prepared_statements")
            assert cursor.fetchall() == []
