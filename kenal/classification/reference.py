"""DOMAIN.md's rules written as plainly as possible, over facts held in memory.

This is the yardstick the SQL engine is tested against: it favours being obviously
right over being fast (it checks agreements day by day, reads every order line), so
use it for a few hundred parties, never for a real database."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from kenal.classification.models import ClassificationSettings


@dataclass
class RefParty:
    id: int
    kind: str = "person"
    scope: str = ""
    objects_to_profiling: bool = False
    first_contact_at: datetime | None = None
    referred_by_id: int | None = None


@dataclass
class RefLine:
    status: str = "paid"
    quantity: Decimal = Decimal(1)
    discount: Decimal = Decimal(0)
    promo_code: str = ""
    consumer_id: int | None = None
    # When the line was bought; None: at the order's ``occurred_at``.
    occurred_at: datetime | None = None


@dataclass
class RefOrder:
    buyer_id: int
    occurred_at: datetime
    lines: list[RefLine] = field(default_factory=list)

    @property
    def time(self) -> datetime:
        """An order's time is its earliest line's, paid or not (DOMAIN.md)."""
        return min(line.occurred_at or self.occurred_at for line in self.lines) if self.lines else self.occurred_at


@dataclass
class RefAgreement:
    party_id: int
    starts_on: date
    signed_by_provider_at: datetime | None = None
    signed_by_client_at: datetime | None = None
    ends_on: date | None = None
    terminated_on: date | None = None


@dataclass
class RefInteraction:
    party_id: int
    occurred_at: datetime
    direction: str = "inbound"
    kind: str = "message"


@dataclass
class RefFacts:
    parties: list[RefParty] = field(default_factory=list)
    orders: list[RefOrder] = field(default_factory=list)
    agreements: list[RefAgreement] = field(default_factory=list)
    interactions: list[RefInteraction] = field(default_factory=list)


@dataclass
class RefResult:
    relationship: str
    flags: list[str]
    customer_type: str | None
    characteristics: list[str]


def evaluate(facts: RefFacts, as_of: date, zone: ZoneInfo, cfg: ClassificationSettings | None = None) -> dict[int, RefResult]:
    cfg = cfg or ClassificationSettings()

    def day(moment: datetime) -> date:
        return moment.astimezone(zone).date()

    def known(moment: datetime | None) -> bool:
        return moment is not None and day(moment) <= as_of

    def signed_by(agreement: RefAgreement, when: date) -> bool:
        return (
            agreement.signed_by_provider_at is not None and agreement.signed_by_client_at is not None
            and day(agreement.signed_by_provider_at) <= when and day(agreement.signed_by_client_at) <= when
        )

    def applies_on(agreement: RefAgreement, when: date) -> bool:
        return (
            agreement.starts_on <= when
            and (agreement.ends_on is None or agreement.ends_on >= when)
            and (agreement.terminated_on is None or agreement.terminated_on > when)
        )

    def active_on(agreement: RefAgreement, when: date) -> bool:
        return signed_by(agreement, when) and applies_on(agreement, when)

    def paid_lines(order: RefOrder) -> list[RefLine]:
        return [line for line in order.lines if line.status == "paid"]

    orders = [o for o in facts.orders if known(o.time) and paid_lines(o)]
    interactions = [i for i in facts.interactions if known(i.occurred_at)]

    def flags_of(party: RefParty) -> list[str]:
        mine = [a for a in facts.agreements if a.party_id == party.id]
        client = any(active_on(a, as_of) for a in mine)
        former = False
        for agreement in mine:
            if active_on(agreement, as_of):
                continue
            when = agreement.starts_on
            while when < as_of:
                if active_on(agreement, when):
                    former = True
                    break
                when += timedelta(days=1)
        # A former client has no active agreement: a client that renewed is a client.
        former = former and not client
        customer = any(o.buyer_id == party.id for o in orders) or former
        consumer = any(
            line.consumer_id == party.id and o.buyer_id != party.id for o in orders for line in paid_lines(o)
        )
        flags = [name for name, holds in (("client", client), ("consumer", consumer), ("customer", customer)) if holds]
        return flags or ["prospect"]

    flags = {party.id: flags_of(party) for party in facts.parties}
    results: dict[int, RefResult] = {}
    for party in facts.parties:
        mine = sorted((o for o in orders if o.buyer_id == party.id), key=lambda o: o.time)
        agreements = [a for a in facts.agreements if a.party_id == party.id]
        active = any(active_on(a, as_of) for a in agreements)
        relationship = next(r for r in ("client", "customer", "consumer", "prospect") if r in flags[party.id])

        bulk = [o for o in mine if any(line.quantity >= cfg.intermediate_min_units for line in paid_lines(o))]
        customer_type = None
        if relationship in ("client", "customer"):
            if party.scope:
                customer_type = party.scope
            elif (
                not party.objects_to_profiling and party.kind == "organization" and mine
                and len(bulk) >= cfg.intermediate_share * len(mine)
            ):
                customer_type = "intermediate"
            else:
                customer_type = "external"

        characteristics: list[str] = []
        if not party.objects_to_profiling:
            inbound = [i for i in interactions if i.party_id == party.id and i.direction == "inbound"]
            if flags[party.id] == ["prospect"] and any(
                (as_of - day(i.occurred_at)).days <= cfg.potential_days for i in inbound
            ):
                characteristics.append("potential")
            if mine and (as_of - day(mine[0].time)).days <= cfg.new_days:
                characteristics.append("new")
            contacts = [i.occurred_at for i in interactions if i.party_id == party.id]
            if known(party.first_contact_at):
                contacts.append(party.first_contact_at)
            if mine and contacts:
                first_contact = min(contacts)
                first_order = mine[0].time
                asked = any(
                    i.kind == "question" and first_contact <= i.occurred_at <= first_order for i in inbound
                )
                if (
                    first_contact <= first_order
                    and first_order - first_contact < timedelta(hours=cfg.impulsive_hours)
                    and not asked
                ):
                    characteristics.append("impulsive")
            promoted = [
                o for o in mine if any(line.promo_code or line.discount > 0 for line in paid_lines(o))
            ]
            if len(mine) >= cfg.thrifty_min_orders and len(promoted) >= cfg.thrifty_share * len(mine):
                characteristics.append("thrifty")
            loyal_by_orders = (
                len(mine) >= cfg.loyal_min_orders
                and (day(mine[-1].time) - day(mine[0].time)).days >= cfg.loyal_span_days
                and (as_of - day(mine[-1].time)).days <= cfg.loyal_recent_days
            )
            signed_now = [a for a in agreements if signed_by(a, as_of)]
            covered = all(
                any(applies_on(a, as_of - timedelta(days=back)) for a in signed_now)
                for back in range(cfg.loyal_agreement_days + 1)
            )
            if loyal_by_orders or (active and covered):
                characteristics.append("loyal")
            referred_a_buyer = any(
                r.referred_by_id == party.id and ({"client", "customer"} & set(flags[r.id])) for r in facts.parties
            )
            if (len(mine) >= cfg.growing_min_orders or active) and referred_a_buyer:
                characteristics.append("growing")

        results[party.id] = RefResult(
            relationship=relationship, flags=flags[party.id], customer_type=customer_type,
            characteristics=sorted(characteristics),
        )
    return results
