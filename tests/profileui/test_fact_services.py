from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
import threading

from django.db import connection, transaction
from django.utils import translation

from kenal.agreements.services import Side, agreement_sign
from kenal.audit.models import AuditEvent
from kenal.classification.models import PartyProfile
from kenal.commerce.models import Order
from kenal.commerce.services import LineData, order_create
from kenal.interactions.services import interaction_create
from kenal.parties.services import PartyData, party_update
from tests.profileui import factories as f


def profile(party) -> PartyProfile:
    return PartyProfile.objects.get(party=party)


def test_it_turns_a_prospect_into_a_client_when_the_second_side_signs(db, manager):
    party = f.party("PT Sinar")
    agreement = f.proposal(party, actor=manager)
    assert profile(party).relationship == "prospect"
    with transaction.atomic():
        agreement_sign(actor=manager, agreement=agreement, side=Side.PROVIDER)
        assert profile(party).relationship == "prospect"  # one signature is still a proposal
        agreement_sign(actor=manager, agreement=agreement, side=Side.CLIENT)
        stored = profile(party)
        assert stored.relationship == "client" and stored.is_client
        assert {"code": "client_agreement", "params": {"agreements": 1}} in stored.reasons
    assert AuditEvent.objects.filter(action="agreement.sign", target_id=str(agreement.pk)).count() == 2


def test_it_refuses_a_second_signature_by_the_same_side(db):
    agreement = f.proposal(f.party("Rina"))
    agreement_sign(actor=None, agreement=agreement, side=Side.CLIENT)
    with pytest.raises(ValidationError):
        agreement_sign(actor=None, agreement=agreement, side=Side.CLIENT)


def test_it_makes_the_named_user_of_a_line_a_consumer(db):
    buyer, child = f.party("Ibu Sari"), f.party("Dewi")
    with transaction.atomic():
        f.buy(buyer, f.days_ago(3), consumer=child)
        assert profile(child).relationship == "consumer"
        assert profile(buyer).relationship == "customer"


def test_it_makes_the_referrer_growing_at_the_referred_partys_first_order(db):
    referrer = f.party("Budi")
    f.buy(referrer, f.days_ago(100))
    f.buy(referrer, f.days_ago(50))
    friend = f.party("Andi", referred_by=referrer)
    assert not profile(referrer).growing
    with transaction.atomic():
        f.buy(friend, f.days_ago(1))
        assert profile(referrer).growing
        assert {"code": "growing", "params": {"referred": 1}} in profile(referrer).reasons


def test_it_keeps_the_referrer_not_growing_with_one_order(db):
    referrer = f.party("Budi")
    f.buy(referrer, f.days_ago(100))
    friend = f.party("Andi", referred_by=referrer)
    f.buy(friend, f.days_ago(1))
    assert not profile(referrer).growing


def test_it_summarises_an_order_from_its_paid_lines_only(db):
    buyer = f.party("Toko Maju")
    order = order_create(actor=None, buyer=buyer, lines=[
        LineData(sku="A", unit_price=Decimal("1000"), quantity=Decimal(12), occurred_at=f.days_ago(2, hour=15)),
        LineData(sku="B", unit_price=Decimal("500"), quantity=Decimal(2), discount=Decimal("100"),
                 occurred_at=f.days_ago(2, hour=9)),
        LineData(sku="C", unit_price=Decimal("9000"), quantity=Decimal(50), promo_code="HEMAT", status="refunded",
                 occurred_at=f.days_ago(3)),
    ])
    order.refresh_from_db()
    assert order.occurred_at == f.days_ago(3)  # the earliest line, paid or not
    assert order.is_paid and order.has_promotion
    assert order.max_paid_quantity == Decimal(12)
    assert order.paid_total == Decimal("12900.00")
    assert AuditEvent.objects.filter(action="order.create", target_id=str(order.pk)).exists()


def test_it_records_an_order_of_only_cancelled_lines_as_no_purchase(db):
    buyer = f.party("Rudi")
    order = f.buy(buyer, f.days_ago(1), status="cancelled")
    order.refresh_from_db()
    assert not order.is_paid and order.paid_total == 0
    assert profile(buyer).relationship == "prospect"


def test_it_rejects_an_order_without_lines_or_with_a_bad_line(db):
    buyer = f.party("Rudi")
    with pytest.raises(ValidationError) as empty:
        order_create(actor=None, buyer=buyer, lines=[])
    assert "lines" in empty.value.message_dict
    with pytest.raises(ValidationError) as bad, translation.override("en"):
        order_create(actor=None, buyer=buyer, lines=[LineData(sku="A", unit_price=Decimal(1), quantity=Decimal(0))])
    assert "Line 1" in bad.value.message_dict["lines"][0]
    assert not Order.objects.exists()


def test_it_makes_a_prospect_potential_at_an_inbound_message(db, support):
    party = f.party("Lia")
    with transaction.atomic():
        made = interaction_create(actor=support, party=party, occurred_at=f.days_ago(1), channel="whatsapp",
                                  direction="inbound", body="Halo, berapa harganya?")
        assert profile(party).potential
    assert made.source_key.startswith("manual:")
    assert AuditEvent.objects.filter(action="interaction.create", actor=support).exists()


def test_it_stores_a_resent_message_once(db):
    party = f.party("Lia")
    first = interaction_create(actor=None, party=party, occurred_at=f.days_ago(1), channel="whatsapp",
                               direction="inbound", source_key="wamid.1")
    again = interaction_create(actor=None, party=party, occurred_at=f.days_ago(1), channel="whatsapp",
                               direction="inbound", source_key="wamid.1")
    assert again.pk == first.pk and party.interactions.count() == 1
    with pytest.raises(ValidationError):
        interaction_create(actor=None, party=f.party("Other"), occurred_at=f.days_ago(1), channel="whatsapp",
                           direction="inbound", source_key="wamid.1")


def test_it_keeps_the_referral_for_classification_when_set_through_party_update(db):
    referrer = f.party("Budi")
    f.buy(referrer, f.days_ago(100))
    f.buy(referrer, f.days_ago(50))
    friend = f.party("Andi")
    f.buy(friend, f.days_ago(5))
    party_update(actor=None, party=friend, data=PartyData(name="Andi", referred_by=referrer))
    # party_update does not reclassify; the next fact for the friend does, and with it the referrer.
    f.buy(friend, f.days_ago(1))
    assert profile(referrer).growing


def test_it_classifies_a_new_party_at_once_as_a_prospect(db):
    party = f.party("Lestari")
    stored = profile(party)
    assert stored.relationship == "prospect" and stored.flags == ["prospect"]


def test_it_moves_growing_to_the_new_referrer_when_a_referral_changes(db):
    first, second = f.party("Budi"), f.party("Wati")
    for referrer in (first, second):
        f.buy(referrer, f.days_ago(100))
        f.buy(referrer, f.days_ago(50))
    friend = f.party("Andi", referred_by=first)
    f.buy(friend, f.days_ago(1))
    assert profile(first).growing and not profile(second).growing
    party_update(actor=None, party=friend, data=PartyData(name="Andi", referred_by=second))
    assert not profile(first).growing
    assert profile(second).growing


def test_it_drops_characteristics_when_a_party_objects_to_profiling(db):
    buyer = f.party("Sari")
    f.buy(buyer, f.days_ago(2))
    assert profile(buyer).new
    party_update(actor=None, party=buyer, data=PartyData(name="Sari", objects_to_profiling=True))
    stored = profile(buyer)
    assert stored.relationship == "customer"
    assert stored.characteristics == []


def test_it_refuses_an_agreement_in_a_currency_that_is_not_iso_4217(db):
    from kenal.agreements.models import Agreement
    from kenal.agreements.services import AgreementData, agreement_create

    party = f.party("PT Sinar Jaya", kind="organization")
    with pytest.raises(ValidationError) as bad, translation.override("en"):
        agreement_create(actor=None, party=party, data=AgreementData(
            title="Retainer", starts_on=f.today(), currency="Rp",
        ))
    assert "“Rp” is not an ISO 4217 currency code" in bad.value.message_dict["currency"][0]
    assert not Agreement.objects.exists()
    agreement = agreement_create(actor=None, party=party, data=AgreementData(
        title="Retainer", starts_on=f.today(), currency="sgd",
    ))
    agreement.refresh_from_db()
    assert agreement.currency == "SGD"


@pytest.mark.django_db(transaction=True)
def test_it_gives_orders_saved_at_the_same_time_different_numbers():
    """Several orders saved at once, each in its own connection: no two get the same
    number and none fails. SQLite's test database lives in shared memory, where a
    second writer is refused at once instead of waiting its turn as it does on the
    real file (one writer at a time); there the sequence test above is what holds."""
    if connection.vendor == "sqlite":
        pytest.skip("the in-memory SQLite test database refuses concurrent writers instead of queuing them")
    buyer = f.party("Ibu Sari")
    f.buy(buyer, f.days_ago(1))  # makes the product and the counter
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def save() -> None:
        try:
            start.wait()
            f.buy(buyer, f.days_ago(1))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=save) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    numbers = sorted(Order.objects.values_list("external_id", flat=True))
    assert numbers == ["ORD-000001", "ORD-000002", "ORD-000003", "ORD-000004", "ORD-000005"]
