"""Demo data for a hybrid business: a small law and advisory practice with signed
clients, and a coffee counter with walk-in customers, gift buyers and resellers.

Everything is drawn from ``random.Random(seed)``, so one seed always gives the same
parties, orders and agreements (same names, same external ids). Dates are relative to
the moment of loading, so "new" and "loyal" keep their meaning whenever it runs. Rows
are written with ``bulk_create``: a few hundred parties and a year of history load in
about a second."""

from __future__ import annotations

import random
import re
import time as clock
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from kenal.accounts.models import Role, User
from kenal.agreements.models import Agreement, BillingPeriod
from kenal.accounts.services import user_create
from kenal.commerce.models import LineStatus, Order, OrderLine, Product
from kenal.commerce.summary import order_summary_refresh
from kenal.demo import vocabulary as words
from kenal.interactions.models import Channel, Direction, Interaction, InteractionKind
from kenal.parties.contacts import normalize_contact
from kenal.parties.models import ContactKind, ContactPoint, Party, PartyKind

DEFAULT_SEED = 1
# The prices are rupiah whatever the business's default currency is.
CURRENCY = "IDR"

MESSAGING = [Channel.WHATSAPP, Channel.INSTAGRAM, Channel.FACEBOOK, Channel.TELEGRAM, Channel.LINE, Channel.WEBCHAT, Channel.EMAIL]
CLIENT_CHANNELS = [Channel.EMAIL, Channel.EMAIL, Channel.WHATSAPP, Channel.TELEGRAM]
# Which contact point a party must have to be reached on a messaging channel (web chat
# needs none: the visitor opens it on the website).
CHANNEL_CONTACT = {
    Channel.WHATSAPP: ContactKind.WHATSAPP, Channel.INSTAGRAM: ContactKind.INSTAGRAM,
    Channel.FACEBOOK: ContactKind.FACEBOOK, Channel.TELEGRAM: ContactKind.TELEGRAM,
    Channel.LINE: ContactKind.LINE, Channel.EMAIL: ContactKind.EMAIL,
}


@dataclass(frozen=True)
class DemoSummary:
    parties: int
    organisations: int
    orders: int
    order_lines: int
    agreements: int
    interactions: int
    seconds: float


@transaction.atomic
def demo_reset() -> None:
    """Delete the business data (parties and everything hanging off them, products),
    keeping staff users and the audit trail."""
    Order.objects.all().delete()
    Interaction.objects.all().delete()
    Agreement.objects.all().delete()
    Party.objects.all().delete()
    Product.objects.all().delete()


def demo_staff_ensure() -> dict[str, list[User]]:
    """One staff user per role, by role. They have unusable passwords: they exist to be
    CSMs and actors in the demo, and an administrator sets a password to use one."""
    by_role: dict[str, list[User]] = {}
    for username, first, last, role in words.DEMO_STAFF:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = user_create(
                actor=None, username=username, email=f"{username}@{words.BUSINESS.lower()}.example",
                first_name=first, last_name=last, role=role,
            )
        by_role.setdefault(role, []).append(user)
    return by_role


@transaction.atomic
def demo_load(*, seed: int = DEFAULT_SEED, now: datetime | None = None) -> DemoSummary:
    started = clock.perf_counter()
    staff = demo_staff_ensure()
    builder = _Builder(seed=seed, now=now or timezone.now(), csms=staff[Role.CSM])
    builder.build()
    builder.save()
    return DemoSummary(
        parties=len(builder.parties),
        organisations=sum(1 for p in builder.parties if p.kind == PartyKind.ORGANIZATION),
        orders=len(builder.orders),
        order_lines=sum(len(lines) for _, lines in builder.orders),
        agreements=len(builder.agreements),
        interactions=len(builder.interactions),
        seconds=clock.perf_counter() - started,
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", text.lower().replace("'", "")).strip(".")


class _Builder:
    """Builds unsaved rows in memory, then writes each table with one bulk insert."""

    def __init__(self, *, seed: int, now: datetime, csms: list[User]) -> None:
        catalogue = words.COUNTER_PRODUCTS + words.RETAIL_PRODUCTS + words.SERVICE_PRODUCTS
        self.rng = random.Random(seed)
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.today = timezone.localdate(now)
        self.csms = csms
        self.parties: list[Party] = []
        self.links: list[tuple[Party, str, Party]] = []
        self.contacts: list[ContactPoint] = []
        self.reachable: dict[str, set[str]] = {}
        self.first_names: dict[str, str] = {}
        self.orders: list[tuple[Order, list[OrderLine]]] = []
        self.agreements: list[Agreement] = []
        self.interactions: list[Interaction] = []
        self.used_names: set[str] = set()
        self.used_handles: set[str] = set()
        self.names = {sku: (id_name, en_name) for sku, id_name, en_name, _, _ in catalogue}
        self.prices = {sku: Decimal(price) for sku, _, _, _, price in catalogue}
        # Products the database already has are reused; the others are created on save.
        self.products = {p.sku: p for p in Product.objects.filter(sku__in=self.names)}
        self.new_products = [
            Product(sku=sku, name=en_name if sku in words.MENU_IN_ENGLISH else id_name, kind=kind)
            for sku, id_name, en_name, kind, _ in catalogue if sku not in self.products
        ]
        self.products.update({p.sku: p for p in self.new_products})

    # -- time -----------------------------------------------------------------------

    def at(self, days_ago: int, *, opening: tuple[int, int] = (7, 21)) -> datetime:
        """A moment during opening hours ``days_ago`` calendar days before today, never
        in the future."""
        day = self.today - timedelta(days=days_ago)
        moment = datetime.combine(day, time(self.rng.randrange(*opening), self.rng.randrange(60)), tzinfo=self.tz)
        latest = self.now - timedelta(minutes=self.rng.randint(5, 90))
        return min(moment, latest)

    def day(self, offset: int) -> date:
        return self.today + timedelta(days=offset)

    # -- parties --------------------------------------------------------------------

    def _unique_name(self, lang: str) -> tuple[str, str]:
        rng = self.rng
        while True:
            if lang == "en":
                first = rng.choice(words.FIRST_NAMES_EN)
                name = f"{first} {rng.choice(words.LAST_NAMES_EN)}"
            elif rng.random() < 0.06:
                first = name = rng.choice(words.SINGLE_NAMES_ID)
            else:
                first = rng.choice(words.FIRST_NAMES_ID)
                name = f"{first} {rng.choice(words.LAST_NAMES_ID)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name, first

    def _handle(self, base: str) -> str:
        handle, n = base, 1
        while handle in self.used_handles:
            n += 1
            handle = f"{base}{n}"
        self.used_handles.add(handle)
        return handle

    def _mobile(self) -> str:
        rng = self.rng
        return f"{rng.choice(words.MOBILE_PREFIXES)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"

    def _contact(self, party: Party, kind: str, raw: str) -> None:
        self.contacts.append(ContactPoint(party=party, kind=kind, value=normalize_contact(kind, raw)))
        self.reachable.setdefault(party.external_id, set()).add(kind)

    def _party(self, *, kind: str, name: str, lang: str, first: str, **fields) -> Party:
        party = Party(external_id=f"P-{len(self.parties) + 1:04d}", kind=kind, name=name, language=lang, **fields)
        self.parties.append(party)
        self.first_names[party.external_id] = first
        return party

    def person(
        self, *, lang: str | None = None, name: str | None = None, first_contact_at: datetime | None = None,
        member_of: Party | None = None, work_domain: str = "", social: bool = True,
    ) -> Party:
        rng = self.rng
        lang = lang or ("en" if rng.random() < 0.15 else "id")
        if name is None:
            name, first = self._unique_name(lang)
        else:
            first = name.split()[0]
        party = self._party(kind=PartyKind.PERSON, name=name, lang=lang, first=first, first_contact_at=first_contact_at)
        if member_of is not None:
            self.links.append((party, "member_of", member_of))
        phone = self._mobile()
        self._contact(party, ContactKind.PHONE, phone)
        if rng.random() < 0.85:
            self._contact(party, ContactKind.WHATSAPP, phone)
        slug = _slug(name)
        if work_domain:
            self._contact(party, ContactKind.EMAIL, f"{self._handle(slug)}@{work_domain}")
        elif rng.random() < 0.6:
            self._contact(party, ContactKind.EMAIL, f"{self._handle(slug)}@{rng.choice(words.EMAIL_DOMAINS)}")
        if social:
            for kind, chance in ((ContactKind.INSTAGRAM, 0.5), (ContactKind.TELEGRAM, 0.2),
                                 (ContactKind.LINE, 0.15), (ContactKind.FACEBOOK, 0.25)):
                if rng.random() < chance:
                    self._contact(party, kind, self._handle(slug.replace(".", "_") if kind == ContactKind.INSTAGRAM else slug))
        return party

    def organisation(self, *, name: str, lang: str, domain: str = "", scope: str = "") -> Party:
        party = self._party(kind=PartyKind.ORGANIZATION, name=name, lang=lang, first="", scope=scope)
        self._contact(party, ContactKind.PHONE, f"(021) {self.rng.randint(500, 799)}-{self.rng.randint(1000, 9999)}")
        if domain:
            self._contact(party, ContactKind.EMAIL, f"info@{domain}")
        else:
            self._contact(party, ContactKind.WHATSAPP, self._mobile())
            self._contact(party, ContactKind.INSTAGRAM, self._handle(_slug(name).replace(".", "")))
        return party

    def refer(self, party: Party, referrer: Party) -> None:
        self.links.append((party, "referred_by", referrer))

    # -- facts ----------------------------------------------------------------------

    def product_name(self, sku: str, lang: str) -> str:
        id_name, en_name = self.names[sku]
        return en_name if lang == "en" else id_name

    def order(
        self, buyer: Party, when: datetime, items: Iterable[tuple[str, int]], *, promo: bool = False,
        channel: str = "store", consumer: Party | None = None, status: str = LineStatus.PAID,
    ) -> Order:
        rng = self.rng
        code, percent = "", Decimal(0)
        if promo:
            # Mostly a code with its discount; sometimes a member discount without a code,
            # or a code for a free extra that takes nothing off the price.
            style = rng.random()
            if style < 0.7:
                code, percent = rng.choice(words.PROMO_CODES), Decimal(rng.choice([10, 15, 20, 25]))
            elif style < 0.9:
                percent = Decimal(rng.choice([5, 10]))
            else:
                code = rng.choice(words.FREE_EXTRA_CODES)
        # The summary (occurred_at included) is computed from the lines once they are saved.
        order = Order(
            external_id=f"O-{len(self.orders) + 1:05d}", buyer=buyer, channel=channel, currency=CURRENCY, occurred_at=when,
        )
        lines = []
        for number, (sku, quantity) in enumerate(items, start=1):
            price = self.prices[sku]
            qty = Decimal(quantity)
            # Now and then one line of an order is cancelled at the till.
            line_status = LineStatus.CANCELLED if status == LineStatus.PAID and number > 1 and rng.random() < 0.08 else status
            lines.append(OrderLine(
                order=order, line_no=number, product=self.products[sku], occurred_at=when + timedelta(minutes=number - 1),
                quantity=qty, unit_price=price, discount=(qty * price * percent / 100).quantize(Decimal(1)),
                promo_code=code, consumer=consumer, channel=channel, currency=CURRENCY, status=line_status,
            ))
        self.orders.append((order, lines))
        return order

    def counter_basket(self) -> list[tuple[str, int]]:
        rng = self.rng
        picks = rng.sample(words.COUNTER_PRODUCTS, rng.choice([1, 1, 2, 2, 3]))
        basket = [(sku, rng.choice([1, 1, 1, 2])) for sku, *_ in picks]
        if rng.random() < 0.15:
            basket.append((rng.choice(words.RETAIL_PRODUCTS)[0], 1))
        return basket

    def interact(
        self, party: Party, when: datetime, *, kind: str, direction: str, channel: str | None = None,
        client: bool = False,
    ) -> None:
        rng = self.rng
        lang = party.language or "id"
        if channel is None:
            channel = {InteractionKind.CALL: Channel.PHONE, InteractionKind.MEETING: Channel.VISIT}.get(kind)
        if channel is None:
            options = [c for c in (CLIENT_CHANNELS if client else MESSAGING)
                       if c not in CHANNEL_CONTACT or CHANNEL_CONTACT[c] in self.reachable[party.external_id]]
            channel = rng.choice(options or [Channel.WEBCHAT])
        template = rng.choice((words.CLIENT_MESSAGES if client else words.SHOP_MESSAGES)[(lang, kind)])
        first = self.first_names[party.external_id] or ("there" if lang == "en" else "Bapak/Ibu")
        body = template.format(product=self.product_name(rng.choice(words.COUNTER_PRODUCTS)[0], lang), first=first)
        self.interactions.append(Interaction(
            party=party, occurred_at=when, channel=channel, direction=direction, kind=kind, body=body,
            source_key=f"demo:{len(self.interactions) + 1}",
        ))

    def chatter(self, party: Party, *, since_days: int, count: int, client: bool = False, questions: bool = True) -> None:
        """``count`` interactions spread from ``since_days`` ago until today."""
        rng = self.rng
        kinds = [
            (InteractionKind.QUESTION, Direction.INBOUND), (InteractionKind.FEEDBACK, Direction.INBOUND),
            (InteractionKind.COMPLAINT, Direction.INBOUND), (InteractionKind.MESSAGE, Direction.OUTBOUND),
            (InteractionKind.MESSAGE, Direction.OUTBOUND), (InteractionKind.CALL, Direction.OUTBOUND),
            (InteractionKind.CALL, Direction.INBOUND), (InteractionKind.MEETING, Direction.INBOUND),
        ]
        for _ in range(count):
            kind, direction = rng.choice(kinds)
            if kind == InteractionKind.QUESTION and not questions:
                kind = InteractionKind.FEEDBACK
            self.interact(party, self.at(rng.randint(0, since_days)), kind=kind, direction=direction, client=client)

    def agreement(
        self, party: Party, *, terms: tuple[str, str, str, int], starts: date, ends: date | None,
        signed_by_provider: bool = True, signed_by_client: bool = True, terminated: date | None = None,
        auto_renew: bool = False, csm: User | None = None,
    ) -> Agreement:
        id_title, en_title, tier, monthly = terms
        # Signed some days before it starts, and never later than the day before yesterday.
        signing_day = min(starts - timedelta(days=self.rng.randint(3, 20)), self.day(-2))
        signed = datetime.combine(signing_day, time(10), tzinfo=self.tz)
        agreement = Agreement(
            external_id=f"A-{len(self.agreements) + 1:04d}", party=party,
            title=f"{en_title if party.language == 'en' else id_title} {starts.year}", tier=tier,
            signed_by_provider_at=signed if signed_by_provider else None,
            signed_by_client_at=signed + timedelta(days=1) if signed_by_client else None,
            starts_on=starts, ends_on=ends, terminated_on=terminated, auto_renew=auto_renew,
            value=Decimal(monthly), currency=CURRENCY, billing_period=BillingPeriod.MONTHLY, csm=csm,
        )
        self.agreements.append(agreement)
        return agreement

    # -- the business ---------------------------------------------------------------

    def build(self) -> None:
        clients = self.build_agency()
        regulars = self.build_counter()
        self.build_gifts()
        self.build_resellers()
        prospects = self.build_prospects()
        self.build_referrals(referrers=clients + regulars, referees=regulars + prospects)

    def build_agency(self) -> list[Party]:
        """Corporate clients in every state an agreement can be in, their people, and a
        few individuals who paid for a single consultation."""
        rng = self.rng
        orgs = []
        for name, lang, domain in words.ORGANISATIONS:
            org = self.organisation(name=name, lang=lang, domain=domain)
            for _ in range(rng.randint(1, 3)):
                member = self.person(lang=lang, member_of=org, work_domain=domain, social=False)
                self.chatter(member, since_days=300, count=rng.randint(0, 3), client=True)
            orgs.append(org)
        rng.shuffle(orgs)
        terms = words.AGREEMENT_KINDS
        csm = iter(self.csms * 20)
        (long_standing, active, ending_soon, not_started, terminated, expired,
         proposals, prospects) = orgs[:3], orgs[3:10], orgs[10], orgs[11], orgs[12], orgs[13], orgs[14:16], orgs[16:]
        for org in long_standing:
            renewal = rng.randint(100, 200)
            self.agreement(org, terms=rng.choice(terms), starts=self.day(-renewal - rng.randint(365, 500)),
                           ends=self.day(-renewal - 1), csm=next(csm))
            self.agreement(org, terms=rng.choice(terms), starts=self.day(-renewal), ends=self.day(rng.randint(100, 300)),
                           auto_renew=True, csm=next(csm))
        for number, org in enumerate(active):
            self.agreement(org, terms=rng.choice(terms), starts=self.day(-rng.randint(20, 300)),
                           ends=rng.choice([None, self.day(rng.randint(90, 400))]), auto_renew=rng.random() < 0.5,
                           csm=next(csm) if number % 2 == 0 else None)
        self.agreement(ending_soon, terms=rng.choice(terms), starts=self.day(-rng.randint(300, 330)),
                       ends=self.day(rng.randint(20, 55)), auto_renew=False, csm=next(csm))
        self.agreement(not_started, terms=rng.choice(terms), starts=self.day(rng.randint(10, 40)),
                       ends=self.day(400), csm=next(csm))
        self.agreement(terminated, terms=rng.choice(terms), starts=self.day(-rng.randint(250, 400)),
                       ends=self.day(100), terminated=self.day(-rng.randint(30, 90)))
        self.agreement(expired, terms=rng.choice(terms), starts=self.day(-rng.randint(400, 500)),
                       ends=self.day(-rng.randint(40, 80)))
        self.agreement(proposals[0], terms=rng.choice(terms), starts=self.day(21), ends=self.day(386),
                       signed_by_client=False)
        self.agreement(proposals[1], terms=rng.choice(terms), starts=self.day(30), ends=self.day(395),
                       signed_by_provider=False)
        for org in long_standing + active + [ending_soon, not_started, terminated, expired]:
            org.first_contact_at = self.at(rng.randint(420, 600))
            self.chatter(org, since_days=360, count=rng.randint(6, 14), client=True)
        for org in proposals + prospects:
            org.first_contact_at = self.at(rng.randint(30, 200))
            self.interact(org, self.at(rng.randint(1, 80)), kind=InteractionKind.QUESTION,
                          direction=Direction.INBOUND, channel=Channel.EMAIL, client=True)
            self.chatter(org, since_days=25, count=rng.randint(0, 3), client=True)

        people = []
        for _ in range(2):
            person = self.person(lang=rng.choice(["id", "en"]), first_contact_at=self.at(rng.randint(200, 300)))
            self.agreement(person, terms=words.PERSONAL_AGREEMENT, starts=self.day(-rng.randint(60, 180)),
                           ends=self.day(rng.randint(60, 200)), csm=next(csm))
            self.chatter(person, since_days=150, count=rng.randint(3, 6), client=True)
            people.append(person)
        for _ in range(4):
            person = self.person()
            days = rng.randint(5, 300)
            person.first_contact_at = self.at(days + rng.randint(2, 10))
            self.interact(person, person.first_contact_at, kind=InteractionKind.QUESTION, direction=Direction.INBOUND,
                          client=True)
            self.order(person, self.at(days), [("KONSULTASI-1J", rng.choice([1, 2]))], channel="office")
        return long_standing + active + [ending_soon] + people

    def build_counter(self) -> list[Party]:
        """Walk-in customers at the coffee counter: loyal regulars, promotion hunters,
        newcomers, impulse buyers, occasional and lapsed ones."""
        rng = self.rng
        regulars = []

        def customer(order_days: list[int], *, promo_share: float, contact_before: int | None) -> Party:
            order_days = sorted(order_days, reverse=True)
            first = self.at(order_days[0])
            party = self.person(first_contact_at=first - timedelta(days=contact_before) if contact_before else None)
            if contact_before:
                self.interact(party, first - timedelta(days=rng.randint(1, contact_before)),
                              kind=InteractionKind.QUESTION, direction=Direction.INBOUND)
            for number, days in enumerate(order_days):
                when = first if number == 0 else self.at(days)
                self.order(party, when, self.counter_basket(), promo=rng.random() < promo_share,
                           channel=rng.choice(["store", "store", "store", "whatsapp", "web", "instagram"]))
            # After the first order, so only the parties built to be impulsive are.
            self.chatter(party, since_days=max(order_days[0] - 1, 0), count=rng.randint(0, 5))
            regulars.append(party)
            return party

        for _ in range(25):  # loyal: 4+ orders over at least 190 days, the last in the past 60
            middle = [rng.randint(60, 200) for _ in range(rng.randint(2, 9))]
            customer([rng.randint(250, 360), *middle, rng.randint(1, 60)], promo_share=0.15,
                     contact_before=rng.choice([None, 3, 10]))
        for _ in range(25):  # thrifty: most orders use a promo code or a discount
            customer([rng.randint(1, 360) for _ in range(rng.randint(2, 5))], promo_share=0.85,
                     contact_before=rng.choice([None, 5]))
        for _ in range(25):  # new: the first order in the last 30 days
            first = rng.randint(0, 30)
            customer([first] + [rng.randint(0, first) for _ in range(rng.randint(0, 1))], promo_share=0.3,
                     contact_before=rng.choice([None, 2, 7]))
        for _ in range(90):  # occasional
            customer([rng.randint(31, 360) for _ in range(rng.randint(1, 3))], promo_share=0.1,
                     contact_before=rng.choice([None, None, 4, 14]))
        for _ in range(20):  # lapsed: nothing for the last 200 days
            customer([rng.randint(200, 360) for _ in range(rng.randint(1, 2))], promo_share=0.1, contact_before=None)

        for _ in range(15):  # impulsive: bought within hours of first getting in touch, without asking first
            days = rng.randint(0, 300)
            first_order = self.at(days, opening=(12, 21))
            contact = first_order - timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
            party = self.person(first_contact_at=contact)
            self.interact(party, contact, kind=InteractionKind.MESSAGE, direction=Direction.INBOUND,
                          channel=rng.choice([Channel.INSTAGRAM, Channel.WHATSAPP, Channel.FACEBOOK, Channel.WEBCHAT]))
            self.order(party, first_order, self.counter_basket(), channel=rng.choice(["instagram", "web", "whatsapp"]))
            for _ in range(rng.randint(0, 2) if days > 1 else 0):
                self.order(party, self.at(rng.randint(0, days - 1)), self.counter_basket(), channel="web")
            regulars.append(party)

        refund_buyer = rng.choice(regulars)
        self.order(refund_buyer, self.at(rng.randint(40, 120)), [("TUMBLER", 1)], status=LineStatus.REFUNDED)
        for party in rng.sample(regulars, 3):
            party.objects_to_profiling = True
        return regulars

    def build_gifts(self) -> None:
        """Buyers of gifts whose lines name the person who receives them."""
        rng = self.rng
        for _ in range(15):
            buyer = self.person()
            family = buyer.name.split()[-1] if " " in buyer.name else ""
            lang = buyer.language
            for _ in range(rng.randint(1, 2)):
                # Family members share the buyer's family name when there is one.
                first = rng.choice(words.FIRST_NAMES_EN if lang == "en" else words.FIRST_NAMES_ID)
                name = f"{first} {family}".strip()
                if name in self.used_names:
                    name, first = self._unique_name(lang)
                self.used_names.add(name)
                relation = rng.choice(words.RELATIONS_EN if lang == "en" else words.RELATIONS_ID)
                consumer = self.person(lang=lang, name=name, social=False)
                consumer.notes = (f"{relation.capitalize()} of {buyer.name}" if lang == "en"
                                  else f"{relation.capitalize()} dari {buyer.name}")
                for _ in range(rng.randint(1, 2)):
                    self.order(buyer, self.at(rng.randint(1, 330)), [(rng.choice(words.GIFT_SKUS), 1)],
                               consumer=consumer, channel=rng.choice(["store", "web", "whatsapp"]))
                if rng.random() < 0.2:  # some who received a gift come back to buy for themselves
                    self.order(consumer, self.at(rng.randint(0, 30)), self.counter_basket())
            for _ in range(rng.randint(0, 3)):
                self.order(buyer, self.at(rng.randint(1, 360)), self.counter_basket())
            self.chatter(buyer, since_days=300, count=rng.randint(1, 4))

    def build_resellers(self) -> None:
        """Shops, distributors and the business's own branches buying by the dozen."""
        rng = self.rng
        for name, lang, scope in words.RESELLERS:
            org = self.organisation(name=name, lang=lang, scope=scope)
            org.first_contact_at = self.at(rng.randint(300, 400))
            contact = self.person(lang=lang, member_of=org, social=False)
            self.chatter(contact, since_days=200, count=rng.randint(0, 2))
            small_buyer = name.startswith("Minimarket")
            for _ in range(rng.randint(3, 8)):
                bulk = not small_buyer and rng.random() < 0.8
                items = ([(sku, rng.choice([12, 24, 36, 48, 60])) for sku in rng.sample(words.BULK_SKUS, rng.randint(1, 3))]
                         if bulk else [(rng.choice(words.BULK_SKUS), rng.randint(2, 6))])
                self.order(org, self.at(rng.randint(1, 360)), items, channel=rng.choice(["whatsapp", "email", "phone"]),
                           promo=rng.random() < 0.1)
            self.chatter(org, since_days=300, count=rng.randint(2, 6))

    def build_prospects(self) -> list[Party]:
        """People who asked but never bought: most recently (potential), some long ago."""
        rng = self.rng
        prospects = []
        for number in range(45):
            party = self.person()
            if number < 30:
                days = rng.randint(0, 85)
                party.first_contact_at = self.at(days + rng.randint(0, 5))
                self.interact(party, self.at(days), kind=InteractionKind.QUESTION, direction=Direction.INBOUND)
                if rng.random() < 0.5:
                    self.interact(party, self.at(rng.randint(0, days)), kind=InteractionKind.MESSAGE,
                                  direction=Direction.OUTBOUND)
            elif number < 40:
                days = rng.randint(100, 300)
                party.first_contact_at = self.at(days)
                self.interact(party, self.at(days), kind=InteractionKind.QUESTION, direction=Direction.INBOUND)
            else:
                self.interact(party, self.at(rng.randint(0, 60)), kind=InteractionKind.MESSAGE,
                              direction=Direction.OUTBOUND)
            prospects.append(party)
        return prospects

    def build_referrals(self, *, referrers: list[Party], referees: list[Party]) -> None:
        rng = self.rng
        chosen = rng.sample(referees, 40)
        referred = {party.external_id for party in chosen}
        candidates = [party for party in referrers if party.external_id not in referred]
        for referee in chosen:
            self.refer(referee, rng.choice(candidates))

    # -- writing --------------------------------------------------------------------

    def save(self) -> None:
        Party.objects.bulk_create(self.parties, batch_size=500)
        linked = {}
        for party, field, target in self.links:
            setattr(party, field, target)
            linked[party.pk] = party
        Party.objects.bulk_update(list(linked.values()), ["referred_by", "member_of"], batch_size=500)
        ContactPoint.objects.bulk_create(self.contacts, batch_size=1000)
        Product.objects.bulk_create(self.new_products)
        Order.objects.bulk_create([order for order, _ in self.orders], batch_size=1000)
        OrderLine.objects.bulk_create([line for _, lines in self.orders for line in lines], batch_size=1000)
        order_summary_refresh(order_ids=[order.pk for order, _ in self.orders])
        Agreement.objects.bulk_create(self.agreements)
        Interaction.objects.bulk_create(self.interactions, batch_size=1000)
