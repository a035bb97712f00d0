"""Facts for these tests, written through Kenal's own services so each one is
classified as a user would see it."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

from django.utils import timezone

from kenal.agreements.services import AgreementData, agreement_create
from kenal.commerce.services import LineData, order_create
from kenal.parties.models import Party, PartyKind
from kenal.parties.services import PartyData, party_create

JAKARTA = ZoneInfo("Asia/Jakarta")
_seq = count(1)


def days_ago(days: int, hour: int = 10) -> datetime:
    """A moment ``days`` calendar days before today in Jakarta, at ``hour`` o'clock."""
    today = timezone.now().astimezone(JAKARTA).date()
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), tzinfo=JAKARTA).replace(hour=hour)


def today() -> date:
    return timezone.now().astimezone(JAKARTA).date()


def party(name: str, *, kind: str = PartyKind.PERSON, **extra) -> Party:
    return party_create(actor=None, data=PartyData(name=name, kind=kind, **extra))


def buy(buyer: Party, when: datetime, *, price: str = "100000", consumer: Party | None = None,
        promo_code: str = "", quantity: str = "1", status: str = "paid", actor=None):
    return order_create(actor=actor, buyer=buyer, occurred_at=when, lines=[
        LineData(sku="KOPI", unit_price=Decimal(price), quantity=Decimal(quantity), consumer=consumer,
                 promo_code=promo_code, status=status),
    ])


def proposal(client: Party, *, starts_on: date | None = None, actor=None):
    return agreement_create(actor=actor, party=client, data=AgreementData(
        title=f"Retainer {next(_seq)}", starts_on=starts_on or today() - timedelta(days=10),
    ))
