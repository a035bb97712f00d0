"""DOMAIN.md's rules, each written once: the relationship flags, the customer type,
the characteristics, the notes that come with them and the next best actions.

Each entry holds its predicate as an SQL expression over one party's facts, the
settings it reads, the facts it stores for its reason and the reason's wording. The
engine (engine.py) builds its SQL from this table, for a full run and for a few
parties alike, with the overrides on top; explain.py words the reasons from the
facts a run stored, for profiles and for the history of changes. The reference
classifier (reference.py) reads DOMAIN.md on its own, so it can check this table.

Adding a characteristic: an entry in ``CHARACTERISTICS``, its words in both .po
files, and on PartyProfile a boolean field of its name (and one for each fact it
stores that no other rule stores yet), then ``makemigrations``, which adds the
column with the index the party list filters by. Overrides, reasons, history and
counts follow from the entry (tests/classification/test_new_characteristic.py).

The per-party facts the predicates read (one row per party, built by the engine's
steps, all as of the whole day ``as_of``):

    kind, scope, otp                      the party's kind, explicit customer type, objection to profiling
    n_paid, n_promo, n_bulk               paid orders; those with a promotion; those with a line of
                                          ``intermediate_min_units`` or more units
    first_paid_at, last_paid_at           the first and last paid order's time
    first_dn, last_dn                     their local day numbers (when ``n_paid >= loyal_min_orders``)
    revenue_12m, n_other_currency         paid revenue of 12 months in the business's currency; orders in others
    n_used                                paid lines someone else bought naming the party as their user
    contact_at                            first contact: the earlier of first_contact_at and the first interaction
    n_inbound_recent                      inbound interactions within ``potential_days``
    last_int_at, last_out_at, last_ask_at the last interaction, outbound one, inbound question or complaint
    n_active, n_active_csm, n_former      agreements active at as_of (with a CSM); active on some earlier day only
    former_end_dn, active_end_dn          the last day of the former ones; the end of the active ones
    n_lasting, n_top_tier                 agreements running past the renewal window or renewing; of a top tier
    cover_since_dn                        the first day of the run of days, up to as_of, agreements cover
    n_referred                            parties it referred that hold the client or customer flag
    asked                                 1 when an inbound question came between first contact and first order
    ask_kind, ask_channel                 the unanswered question or complaint, when there is one
    f_client, f_customer, f_consumer      the flags (1 or 0), for the rules that read them

A window "at most N days ago" reads ``%(<setting>_start)s``, the first instant it
includes in the business's time zone; every other setting is ``%(<setting>)s``.

The rest of DOMAIN.md: which facts count as of ``as_of``, and the facts above, are
gathered by engine.py's steps (orders, uses, interactions, agreements: active,
former and their cover without a gap); an order's time and its paid lines are the
summary the order's writers keep (commerce); overrides go on top in engine._out;
the top share by revenue of a client candidate is engine._top_threshold; the
reference reading of all of it, which checks this table, is reference.py.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation import ngettext

from kenal.classification import words
from kenal.classification.words import minus


class Dialect(Protocol):
    def local_day(self, expr: str) -> str: ...
    def plus_hours(self, expr: str, hours: str) -> str: ...
    def minutes_between(self, later: str, earlier: str) -> str: ...


# An SQL expression, or a function giving it for a database (for the few that differ).
SQL = str | Callable[[Dialect], str]
Row = Any  # a stored profile, or a row of a run's results with the same column names
Words = Callable[[dict[str, Any]], str]
Shows = Mapping[str, Callable[[Row, int], Any]]


def sql(expr: SQL, dialect: Dialect) -> str:
    return expr(dialect) if callable(expr) else expr


def _always(row: Row) -> bool:
    return True


@dataclass(frozen=True, eq=False)
class Reason:
    """Why something holds, in words: ``shows`` are its numbers, read from the stored
    facts of a profile and the day they hold as of; ``shown`` says, from those facts,
    whether this is the reason given (a rule with several ways gives one per way)."""

    code: str
    words: Words
    shows: Shows = field(default_factory=dict)
    shown: Callable[[Row], bool] = _always

    def params(self, row: Row, today: int) -> dict[str, Any]:
        return {name: read(row, today) for name, read in self.shows.items()}


@dataclass(frozen=True, eq=False)
class Flag:
    """A relationship flag. ``holds`` is None for the prospect: it holds when none of
    the others does. The order of ``FLAGS`` is the precedence of the primary
    relationship."""

    name: str
    label: Any
    holds: str | None
    reasons: tuple[Reason, ...]
    facts: Mapping[str, SQL] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class CustomerType:
    """One way to a customer type, tried in order; ``value`` is SQL. ``profiled``
    ways are inferences, which a party that objects to profiling never gets."""

    value: str
    holds: str | None
    reason: Reason
    profiled: bool = False
    settings: tuple[str, ...] = ()
    facts: Mapping[str, SQL] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Way:
    """One way a characteristic holds. When it has several, each records in the
    stored boolean fact ``stored_as`` whether it held, for its reason."""

    holds: SQL
    reason: Reason
    stored_as: str | None = None


@dataclass(frozen=True, eq=False)
class Characteristic:
    """A characteristic: it holds when one of its ways does, for a party that does
    not object to profiling. ``facts`` are stored with the profile for the reason
    (SQL over the final results, where the characteristic's own name is whether it
    holds); ``prepares`` are facts the engine computes with the others, 1 or 0, for
    a step to narrow its lookups by."""

    name: str
    label: Any
    ways: tuple[Way, ...]
    settings: tuple[str, ...]
    facts: Mapping[str, SQL] = field(default_factory=dict)
    prepares: Mapping[str, SQL] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Note:
    """A reason given whatever the results: what the numbers leave out."""

    reason: Reason
    facts: Mapping[str, SQL] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Action:
    """A next best action. The first whose ``when`` holds (SQL over the final
    results) is the party's; ``facts`` are stored only for a party it is chosen for."""

    code: str
    when: str
    words: Words
    settings: tuple[str, ...] = ()
    facts: Mapping[str, SQL] = field(default_factory=dict)
    shows: Shows = field(default_factory=dict)

    def params(self, row: Row, today: int) -> dict[str, Any]:
        return {name: read(row, today) for name, read in self.shows.items()}


def fact(column: str) -> Callable[[Row, int], Any]:
    return lambda row, today: getattr(row, column)


def since(column: str) -> Callable[[Row, int], Any]:
    """Days from a stored day number to the day the facts hold as of."""
    return lambda row, today: minus(today, getattr(row, column))


# -- The three relationships and the prospect ---------------------------------------

FLAGS: list[Flag] = [
    Flag(
        "client", gettext_lazy("Client"), "n_active > 0",
        reasons=(Reason(
            "client_agreement",
            lambda p: ngettext(
                "Client: party to %(agreements)d active agreement signed by both sides",
                "Client: party to %(agreements)d active agreements signed by both sides",
                p["agreements"],
            ) % p,
            {"agreements": fact("agreements_active")},
            shown=lambda row: row.is_client,
        ),),
        facts={"agreements_active": "n_active"},
    ),
    Flag(
        "customer", gettext_lazy("Customer"), "n_paid > 0 OR (n_former > 0 AND n_active = 0)",
        reasons=(
            Reason(
                "customer_orders",
                lambda p: ngettext(
                    "Customer: %(orders)d paid order", "Customer: %(orders)d paid orders", p["orders"]
                ) % p,
                {"orders": fact("paid_orders")},
                shown=lambda row: row.paid_orders > 0,
            ),
            Reason(
                "former_client",
                lambda p: _("Customer: former client, whose last agreement ended %(when)s") % {
                    "when": words.ago(p["days"]),
                },
                {"days": since("former_end_day")},
                shown=lambda row: row.agreements_former > 0,
            ),
        ),
        # A party with an active agreement is a client, never a former one, however
        # many of its agreements ended before (a renewal).
        facts={
            "agreements_former": "CASE WHEN n_active = 0 THEN n_former ELSE 0 END",
            "former_end_day": "CASE WHEN n_former > 0 AND n_active = 0 THEN former_end_dn END",
        },
    ),
    Flag(
        "consumer", gettext_lazy("Consumer"), "n_used > 0",
        reasons=(Reason(
            "consumer_uses",
            lambda p: ngettext(
                "Consumer: uses %(lines)d product someone else paid for",
                "Consumer: uses %(lines)d products someone else paid for",
                p["lines"],
            ) % p,
            {"lines": fact("products_used")},
            shown=lambda row: row.is_consumer,
        ),),
        facts={"products_used": "n_used"},
    ),
    Flag(
        "prospect", gettext_lazy("Prospect"), None,
        reasons=(Reason(
            "prospect_nothing_yet",
            lambda p: _("Prospect: no active agreement, paid order or product in use yet"),
            shown=lambda row: row.is_prospect,
        ),),
    ),
]

# -- Customer type, for clients and customers ---------------------------------------

CUSTOMER_TYPES: list[CustomerType] = [
    CustomerType(
        "scope", "scope <> ''",
        Reason(
            "type_explicit",
            lambda p: _("Customer type %(type)s, set on the party") % {"type": words.type_label(p["type"])},
            {"type": fact("customer_type")},
            shown=lambda row: row.type_set_on_party,
        ),
        facts={"type_set_on_party": "scope <> ''"},
    ),
    CustomerType(
        "'intermediate'", "kind = 'organization' AND n_paid >= 1 AND n_bulk >= %(intermediate_share)s * n_paid",
        Reason(
            "type_intermediate",
            lambda p: _(
                "Intermediate: an organisation with %(bulk)d of %(orders)d paid orders holding a line of "
                "%(units)s or more units"
            ) % {**p, "units": f"{float(p['units']):g}"},
            {"bulk": fact("bulk_orders"), "orders": fact("paid_orders"), "units": fact("intermediate_min_units")},
            shown=lambda row: row.customer_type == "intermediate" and not row.type_set_on_party,
        ),
        profiled=True,
        settings=("intermediate_min_units", "intermediate_share"),
        facts={
            "bulk_orders": "n_bulk",
            "intermediate_min_units": "CASE WHEN customer_type = 'intermediate' THEN %(intermediate_min_units)s END",
        },
    ),
    CustomerType(
        "'external'", None,
        Reason(
            "type_default",
            lambda p: _("External: the default customer type"),
            shown=lambda row: row.customer_type == "external" and not row.type_set_on_party,
        ),
    ),
]
TYPED_RELATIONSHIPS = ("client", "customer")

# -- Notes --------------------------------------------------------------------------

NOTES: list[Note] = [
    Note(
        Reason(
            "revenue_other_currency",
            lambda p: ngettext(
                "Revenue ranking in %(currency)s only: %(orders)d paid order of the last 12 months in another "
                "currency is left out",
                "Revenue ranking in %(currency)s only: %(orders)d paid orders of the last 12 months in other "
                "currencies are left out",
                p["orders"],
            ) % {**p, "currency": settings.KENAL_DEFAULT_CURRENCY},
            {"orders": fact("other_currency_orders")},
            shown=lambda row: row.other_currency_orders > 0,
        ),
        facts={"other_currency_orders": "n_other_currency"},
    ),
    Note(
        Reason(
            "objects_to_profiling",
            lambda p: _("Objects to profiling: no characteristics and no inferred type"),
            shown=lambda row: row.objects_to_profiling,
        ),
        facts={"objects_to_profiling": "otp"},
    ),
]

# -- Characteristics, in DOMAIN.md's order (their reasons come in this order) --------

CHARACTERISTICS: list[Characteristic] = [
    Characteristic(
        "potential", gettext_lazy("Potential"),
        (Way(
            "f_client = 0 AND f_customer = 0 AND f_consumer = 0 AND n_inbound_recent > 0",
            Reason(
                "potential",
                lambda p: _("Potential: %(messages)s %(window)s and nothing bought yet") % {
                    "messages": ngettext(
                        "%(count)d inbound message", "%(count)d inbound messages", p["interactions"]
                    ) % {"count": p["interactions"]},
                    "window": _("today") if p["days"] == 0 else ngettext(
                        "in the last %(days)d day", "in the last %(days)d days", p["days"]
                    ) % p,
                },
                {"interactions": fact("inbound_recent"), "days": fact("potential_days")},
            ),
        ),),
        settings=("potential_days",),  # the window n_inbound_recent counts in
        facts={"inbound_recent": "n_inbound_recent", "potential_days": "CASE WHEN potential THEN %(potential_days)s END"},
    ),
    Characteristic(
        "new", gettext_lazy("New"),
        (Way(
            "first_paid_at >= %(new_days_start)s",
            Reason(
                "new", lambda p: _("New: first paid order %(when)s") % {"when": words.ago(p["days"])},
                {"days": since("first_paid_day")},
            ),
        ),),
        settings=("new_days",),
        facts={"first_paid_day": lambda d: f"CASE WHEN \"new\" THEN {d.local_day('first_paid_at')} END"},
    ),
    Characteristic(
        "impulsive", gettext_lazy("Impulsive"),
        (Way(
            "quick_first_order = 1 AND asked IS NULL",
            Reason(
                "impulsive",
                lambda p: _(
                    "Impulsive: first paid order %(after)s after first contact, with no question in between"
                ) % {"after": words.duration(p["minutes"])},
                {"minutes": fact("minutes_to_first_order")},
            ),
        ),),
        settings=("impulsive_hours",),
        facts={"minutes_to_first_order": lambda d: (
            f"CASE WHEN impulsive THEN {d.minutes_between('first_paid_at', 'contact_at')} END"
        )},
        # Bought within the hours of the first contact (an unknown contact, or one
        # after the order, never is); only these are searched for a question between.
        prepares={"quick_first_order": lambda d: (
            "contact_at IS NOT NULL AND first_paid_at IS NOT NULL AND contact_at <= first_paid_at "
            f"AND first_paid_at < {d.plus_hours('contact_at', '%(impulsive_hours)s')}"
        )},
    ),
    Characteristic(
        "thrifty", gettext_lazy("Thrifty"),
        (Way(
            "n_paid >= %(thrifty_min_orders)s AND n_promo >= %(thrifty_share)s * n_paid",
            Reason(
                "thrifty", lambda p: _("Thrifty: %(promo)d of %(orders)d paid orders used a promotion") % p,
                {"promo": fact("promo_orders"), "orders": fact("paid_orders")},
            ),
        ),),
        settings=("thrifty_min_orders", "thrifty_share"),
        facts={"promo_orders": "n_promo"},
    ),
    Characteristic(
        "loyal", gettext_lazy("Loyal"),
        (
            Way(
                "n_paid >= %(loyal_min_orders)s AND last_dn - first_dn >= %(loyal_span_days)s "
                "AND last_paid_at >= %(loyal_recent_days_start)s",
                Reason(
                    "loyal_orders",
                    lambda p: _("Loyal: %(orders)s over %(span)s, the last one %(when)s") % {
                        "orders": ngettext("%(count)d order", "%(count)d orders", p["orders"]) % {"count": p["orders"]},
                        "span": words.days(p["span"]),
                        "when": words.ago(p["last"]),
                    },
                    {
                        "orders": fact("paid_orders"),
                        "span": lambda row, today: minus(row.last_order_day, row.first_order_day),
                        "last": since("last_order_day"),
                    },
                    shown=lambda row: row.loyal_by_orders,
                ),
                stored_as="loyal_by_orders",
            ),
            Way(
                "n_active > 0 AND cover_since_dn <= %(asof_dn)s - %(loyal_agreement_days)s",
                Reason(
                    "loyal_agreements",
                    lambda p: _("Loyal: covered by signed agreements for %(days)s without a gap") % {
                        "days": words.days(p["days"]),
                    },
                    # The day of as_of counts: covered since today is one day.
                    {"days": lambda row, today: minus(today, row.covered_since_day) + 1
                     if row.covered_since_day is not None else None},
                    shown=lambda row: row.loyal_by_agreements,
                ),
                stored_as="loyal_by_agreements",
            ),
        ),
        settings=("loyal_min_orders", "loyal_span_days", "loyal_recent_days", "loyal_agreement_days"),
        facts={"first_order_day": "first_dn", "last_order_day": "last_dn", "covered_since_day": "cover_since_dn"},
    ),
    Characteristic(
        "growing", gettext_lazy("Growing"),
        (Way(
            "(n_paid >= %(growing_min_orders)s OR n_active > 0) AND n_referred > 0",
            Reason(
                "growing",
                lambda p: ngettext(
                    "Growing: referred %(referred)d party who buys", "Growing: referred %(referred)d parties who buy",
                    p["referred"],
                ) % p,
                {"referred": fact("referred")},
            ),
        ),),
        settings=("growing_min_orders",),
        facts={"referred": "n_referred"},
    ),
]


def characteristic_names() -> list[str]:
    """The characteristics' names in alphabetical order, as profiles and exports list them."""
    return sorted(entry.name for entry in CHARACTERISTICS)


# -- Next best actions, in priority order -------------------------------------------
#
# 1. answer: an inbound question or complaint that no outbound message followed;
#    someone waiting for an answer comes before anything the business wants.
# 2. Client care: a client without a CSM, a renewal to talk about, a check-in when
#    nobody was in touch within the check-in window.
# 3. Customers: propose a client engagement to a valuable loyal one, win back a
#    lapsed one; never to the business's own branches (type internal).
# 4. What each characteristic calls for: onboarding, promotion, follow-up of a
#    potential prospect, thanks for referrals; consumers are invited to register.
# 5. A prospect nobody has written to yet: introduce yourself.
# 6. Otherwise an explicit "nothing to do now", with the reason why.
# ``%(threshold)s`` is the 12-month revenue of the top share (null when nobody has any).

def _days_or(p: dict[str, Any], with_days: str, without: str, say: Callable[[int], str] = words.ago) -> str:
    return with_days % {"when": say(p["days"])} if p.get("days") is not None else without


def _answer(p: dict[str, Any]) -> str:
    values = {
        "name": p["name"], "day": words.calendar_day(p["day"], p.get("today")),
        "channel": words.channel_label(p["channel"]),
    }
    if p.get("kind") == "complaint":
        return _("Answer %(name)s’s complaint from %(day)s on %(channel)s.") % values
    return _("Answer %(name)s’s question from %(day)s on %(channel)s.") % values


def addressed_as(row: Row) -> str:
    """How a person calls the party: a person by the first word of their name ("Siti"),
    an organisation by its whole name. Readers of many profiles set ``party_name`` and
    ``party_kind`` on each to spare a query."""
    name = getattr(row, "party_name", None)
    kind = getattr(row, "party_kind", None)
    if name is None:
        name, kind = row.party.name, row.party.kind
    name = (name or "").strip()
    return name.split()[0] if kind == "person" and name else name


_OWN = "customer_type = 'internal'"
_IN_TOUCH = {"last_interaction_day": lambda d: d.local_day("last_int_at")}
_LAST_PAID = {"last_paid_day": lambda d: d.local_day("last_paid_at")}

ACTIONS: list[Action] = [
    Action(
        "answer", "ask_kind IS NOT NULL", _answer,
        facts={
            "question_day": lambda d: d.local_day("last_ask_at"), "question_kind": "ask_kind",
            "question_channel": "ask_channel",
        },
        shows={
            "name": lambda row, today: addressed_as(row), "kind": fact("question_kind"),
            "channel": fact("question_channel"), "day": fact("question_day"), "today": lambda row, today: today,
        },
    ),
    Action(
        "assign_csm", "relationship = 'client' AND n_active_csm = 0",
        lambda p: _("Assign a customer success manager to this client."),
    ),
    Action(
        "renewal_talk", "relationship = 'client' AND n_active > 0 AND n_lasting = 0",
        lambda p: _days_or(
            p, _("Start the renewal talk: the agreement ends %(when)s and does not renew by itself."),
            _("Start the renewal talk: the agreement does not renew by itself."), words.in_days,
        ),
        settings=("renewal_window_days",),  # n_lasting: agreements running past it, or renewing
        facts={"agreement_end_day": "active_end_dn"},
        shows={"days": lambda row, today: minus(row.agreement_end_day, today)},
    ),
    Action(
        "csm_checkin", "relationship = 'client' AND (last_int_at IS NULL OR last_int_at < %(checkin_days_start)s)",
        lambda p: _days_or(
            p, _("Check in: the last contact with this client was %(when)s."),
            _("Check in: no contact with this client recorded yet."),
        ),
        settings=("checkin_days",), facts=_IN_TOUCH, shows={"days": since("last_interaction_day")},
    ),
    Action(
        "propose_client",
        f"relationship = 'customer' AND NOT {_OWN} AND loyal "
        "AND ((revenue_12m > 0 AND revenue_12m >= %(threshold)s) OR n_top_tier > 0)",
        lambda p: _("Propose a client engagement: a loyal customer of high value."),
        settings=("top_revenue_share", "top_tiers"),
    ),
    Action(
        "win_back",
        f"relationship = 'customer' AND NOT {_OWN} AND (last_paid_at IS NULL OR last_paid_at < %(winback_days_start)s)",
        lambda p: _days_or(
            p, _("Win them back: the last order was %(when)s."), _("Win them back: no order for over a year."),
        ),
        settings=("winback_days",), facts=_LAST_PAID, shows={"days": since("last_paid_day")},
    ),
    Action("onboarding", '"new"', lambda p: _("Follow up on onboarding; expect and answer detailed questions.")),
    Action("promotion", "thrifty", lambda p: _("Offer a promotion: a discount, cashback or a bundle.")),
    Action("follow_up_strengths", "potential", lambda p: _("Follow up and present the product's strengths.")),
    Action("referral_thanks", "growing", lambda p: _("Thank them and invite them to the referral programme.")),
    Action(
        "invite_register", "relationship = 'consumer'",
        lambda p: _("Invite them to register the product and give feedback."),
    ),
    Action(
        "introduce", "relationship = 'prospect' AND last_out_at IS NULL",
        lambda p: _("Introduce yourself: nobody has written to this prospect yet."),
    ),
    Action("nothing_internal", _OWN, lambda p: _("Nothing to do now: one of the business’s own branches.")),
    Action(
        "nothing_client", "relationship = 'client'",
        lambda p: _days_or(
            p, _("Nothing to do now: in touch %(when)s, with a manager and an agreement that runs on."),
            _("Nothing to do now: the client has a manager and an agreement that runs on."),
        ),
        facts=_IN_TOUCH, shows={"days": since("last_interaction_day")},
    ),
    Action(
        "nothing_customer", "relationship = 'customer'",
        lambda p: _days_or(
            p, _("Nothing to do now: the last order was %(when)s and no question is open."),
            _("Nothing to do now: no question is open."),
        ),
        facts=_LAST_PAID, shows={"days": since("last_paid_day")},
    ),
    Action(
        "nothing_prospect", "relationship = 'prospect'",
        lambda p: _("Nothing to do now: you wrote last; wait for their reply."),
    ),
]


# -- Settings ------------------------------------------------------------------------

# The thresholds each business profile starts from (DOMAIN.md, "Business profiles": the
# profile chooses the defaults). DOMAIN.md's own numbers, the settings' defaults, are
# the hybrid's; the other two change only what their kind of business measures
# differently. A threshold a manager set by hand is kept when the profile changes
# (actions.settings_update): only those still at the old profile's defaults move.
PROFILE_DEFAULTS: dict[str, dict[str, int]] = {
    "hybrid": {},
    # Retail, cafés, restaurants, FMCG: short, transactional relationships measured by
    # new customers per day and the repeat rate. A first purchase two weeks old is no
    # longer onboarding, interest bought on an immediate need cools within a month, a
    # regular who has not come back for three months has lapsed, and loyalty is many
    # visits over a season rather than four orders over half a year.
    "customer_based": {
        "new_days": 14, "potential_days": 30, "loyal_min_orders": 6, "loyal_span_days": 90,
        "loyal_recent_days": 60, "winback_days": 90,
    },
    # Law, accounting, agencies, agents: long, consultative relationships measured by
    # retention and renewal. Onboarding a client takes a quarter, a prospect weighs a
    # firm's reputation for months, renewal care starts a quarter before the end, and
    # loyalty is two years under agreements without a gap; an occasional buyer of a
    # one-off service is lapsed only after two years.
    "client_based": {
        "new_days": 90, "potential_days": 180, "loyal_agreement_days": 730, "renewal_window_days": 90,
        "winback_days": 730,
    },
}


# Settings that are windows "at most N days ago": each also reaches the SQL as
# ``%(<name>_start)s``, the first instant of the day N days before as_of.
WINDOWS = ("new_days", "potential_days", "loyal_recent_days", "checkin_days", "winback_days")


# -- What the engine and the reasons read of the table --------------------------------

def stored_facts() -> dict[str, SQL]:
    """Every fact stored with a profile for its reasons: PartyProfile column -> SQL over
    the final results. An action's facts are kept only for a party it is chosen for."""
    found: dict[str, SQL] = {}
    for entry in [*FLAGS, *CUSTOMER_TYPES, *NOTES, *CHARACTERISTICS]:
        found.update(entry.facts)
    for entry in CHARACTERISTICS:
        for way in entry.ways:
            if way.stored_as:
                found[way.stored_as] = f"c_{way.stored_as} = 1"
    chosen_for: dict[str, list[str]] = {}
    expressions: dict[str, SQL] = {}
    for action in ACTIONS:
        for column, expr in action.facts.items():
            chosen_for.setdefault(column, []).append(action.code)
            expressions[column] = expr
    for column, codes in chosen_for.items():
        found[column] = _when_chosen(codes, expressions[column])
    return found


def _when_chosen(codes: list[str], expr: SQL) -> SQL:
    chosen = ", ".join(f"'{code}'" for code in codes)
    return lambda d: f"CASE WHEN nba IN ({chosen}) THEN {sql(expr, d)} END"


def explained() -> tuple[tuple[str | None, Callable[[Row], bool], tuple[Reason, ...]], ...]:
    """(the overridable field that hides them when set by hand, whether the results
    give them, the reasons) in the order reasons are given."""
    return _explained(tuple(FLAGS), tuple(CUSTOMER_TYPES), tuple(NOTES), tuple(CHARACTERISTICS))


def reason_words() -> dict[str, Words]:
    """Reason code -> its wording."""
    return _reason_words(tuple(FLAGS), tuple(CUSTOMER_TYPES), tuple(NOTES), tuple(CHARACTERISTICS))


def action(code: str) -> Action | None:
    return _actions(tuple(ACTIONS)).get(code)


# What the functions above derive is remembered by the entries it was derived from
# (entries compare by identity), so reading a million profiles' reasons derives it
# once, and a table that changes gets its own.

@lru_cache(maxsize=8)
def _explained(
    flags: tuple[Flag, ...], types: tuple[CustomerType, ...], notes: tuple[Note, ...],
    characteristics: tuple[Characteristic, ...],
) -> tuple[tuple[str | None, Callable[[Row], bool], tuple[Reason, ...]], ...]:
    found: list[tuple[str | None, Callable[[Row], bool], tuple[Reason, ...]]] = []
    for flag in flags:
        found.append(("relationship", _always, flag.reasons))
    found.append(("customer_type", lambda row: row.customer_type is not None, tuple(way.reason for way in types)))
    for note in notes:
        found.append((None, _always, (note.reason,)))
    for entry in characteristics:
        found.append((f"characteristic:{entry.name}", _holds(entry.name), tuple(way.reason for way in entry.ways)))
    return tuple(found)


def _holds(name: str) -> Callable[[Row], bool]:
    return lambda row: bool(getattr(row, name))


@lru_cache(maxsize=8)
def _reason_words(*table: tuple) -> dict[str, Words]:
    return {reason.code: reason.words for _field, _given, reasons in _explained(*table) for reason in reasons}


@lru_cache(maxsize=8)
def _actions(actions: tuple[Action, ...]) -> dict[str, Action]:
    return {entry.code: entry for entry in actions}
