"""What Kenal concludes about each party, and the knobs a business turns.

Results live in ``PartyProfile`` (one row per party, written only by the engine),
changes to them in ``ProfileChange``, and human corrections in ``ProfileOverride``.
The defaults of ``ClassificationSettings`` are the numbers of DOMAIN.md."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kenal.classification import rules
from kenal.parties.models import Party


class BusinessProfile(models.TextChoices):
    CLIENT_BASED = "client_based", _("Client-based")
    CUSTOMER_BASED = "customer_based", _("Customer-based")
    HYBRID = "hybrid", _("Hybrid")


class Relationship(models.TextChoices):
    CLIENT = "client", _("Client")
    CUSTOMER = "customer", _("Customer")
    CONSUMER = "consumer", _("Consumer")
    PROSPECT = "prospect", _("Prospect")


# The characteristics of the table of rules, alphabetically.
Characteristic = models.TextChoices(
    "Characteristic",
    [(c.name.upper(), (c.name, c.label)) for c in sorted(rules.CHARACTERISTICS, key=lambda c: c.name)],
)


# Flag name -> PartyProfile column, in the alphabetical order exports list them.
FLAG_COLUMNS = {"client": "is_client", "consumer": "is_consumer", "customer": "is_customer", "prospect": "is_prospect"}
CHARACTERISTICS = [c.value for c in Characteristic]
# Each characteristic gets an index of the parties where it holds: lists filter on
# "is loyal", and leaving the false rows out keeps a million-party recompute cheap.
# The relationship flags have none: lists filter on the primary relationship.
TRUE_INDEXED = CHARACTERISTICS


class ClassificationSettings(models.Model):
    """One row: the business profile and every threshold of DOMAIN.md."""

    profile = models.CharField(
        _("business profile"), max_length=16, choices=BusinessProfile.choices, default=BusinessProfile.HYBRID
    )
    new_days = models.PositiveIntegerField(_("new: first paid order at most this many days ago"), default=30)
    potential_days = models.PositiveIntegerField(_("potential: inbound interaction within days"), default=90)
    impulsive_hours = models.PositiveIntegerField(_("impulsive: bought within hours of first contact"), default=24)
    thrifty_min_orders = models.PositiveIntegerField(_("thrifty: minimum paid orders"), default=2)
    thrifty_share = models.FloatField(_("thrifty: minimum share of orders with a promotion"), default=0.5)
    loyal_min_orders = models.PositiveIntegerField(_("loyal: minimum paid orders"), default=4)
    loyal_span_days = models.PositiveIntegerField(_("loyal: days between first and last order"), default=180)
    loyal_recent_days = models.PositiveIntegerField(_("loyal: last order at most this many days ago"), default=180)
    loyal_agreement_days = models.PositiveIntegerField(_("loyal: days covered by agreements"), default=365)
    growing_min_orders = models.PositiveIntegerField(_("growing: minimum paid orders"), default=2)
    intermediate_min_units = models.DecimalField(
        _("intermediate: units on one line"), max_digits=12, decimal_places=3, default=12
    )
    intermediate_share = models.FloatField(_("intermediate: minimum share of bulk orders"), default=0.5)
    top_revenue_share = models.FloatField(_("client candidate: top share by 12-month revenue"), default=0.10)
    top_tiers = models.CharField(
        _("client candidate: top tiers"), max_length=200, default="enterprise", blank=True,
        help_text=_("Comma-separated tier names."),
    )
    renewal_window_days = models.PositiveIntegerField(_("renewal talk: days before the end"), default=60)
    checkin_days = models.PositiveIntegerField(_("check-in: days without interaction"), default=30)
    winback_days = models.PositiveIntegerField(_("win-back: days without an order"), default=365)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("classification settings")
        verbose_name_plural = _("classification settings")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)

    @property
    def top_tier_list(self) -> list[str]:
        return [t.strip() for t in self.top_tiers.split(",") if t.strip()]


class PartyProfile(models.Model):
    """The engine's result for one party as of a day. Characteristics are separate
    indexed booleans so the party list can filter on them without reading JSON."""

    # No foreign-key constraints in the database: a profile is derived from the party
    # in the same transaction, deleting a party deletes its profile through the ORM, and
    # checking a million keys (and locking a million parties on PostgreSQL) would cost a
    # full recompute a fifth of its time.
    party = models.OneToOneField(
        Party, primary_key=True, on_delete=models.CASCADE, related_name="profile", db_constraint=False
    )
    as_of = models.DateField(_("as of"))
    relationship = models.CharField(_("relationship"), max_length=16, choices=Relationship.choices)
    is_client = models.BooleanField(_("client"), default=False)
    is_customer = models.BooleanField(_("customer"), default=False)
    is_consumer = models.BooleanField(_("consumer"), default=False)
    is_prospect = models.BooleanField(_("prospect"), default=False)
    customer_type = models.CharField(_("customer type"), max_length=16, null=True, blank=True)
    potential = models.BooleanField(_("potential"), default=False)
    new = models.BooleanField(_("new"), default=False)
    impulsive = models.BooleanField(_("impulsive"), default=False)
    thrifty = models.BooleanField(_("thrifty"), default=False)
    loyal = models.BooleanField(_("loyal"), default=False)
    growing = models.BooleanField(_("growing"), default=False)
    next_best_action = models.CharField(_("next best action"), max_length=32, blank=True)
    csm = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("customer success manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_constraint=False, db_index=False,
    )
    paid_orders = models.PositiveIntegerField(_("paid orders"), default=0)
    revenue_12m = models.DecimalField(_("paid revenue, last 12 months"), max_digits=18, decimal_places=2, default=0)
    computed_at = models.DateTimeField(_("computed at"))
    # The numbers behind the reasons and the next best action. The engine stores them
    # and ``explain.py`` turns them into reasons when someone reads them: building a
    # million JSON documents in SQL took a recompute a sixth of its time. Day numbers
    # count days since 1970-01-01 in the business's time zone; most are set only when
    # a reason needs them.
    agreements_active = models.PositiveIntegerField(default=0)
    agreements_former = models.PositiveIntegerField(default=0)
    former_end_day = models.IntegerField(null=True)
    products_used = models.PositiveIntegerField(default=0)
    type_set_on_party = models.BooleanField(default=False)
    bulk_orders = models.PositiveIntegerField(default=0)
    promo_orders = models.PositiveIntegerField(default=0)
    inbound_recent = models.PositiveIntegerField(default=0)
    first_paid_day = models.IntegerField(null=True)
    minutes_to_first_order = models.IntegerField(null=True)
    first_order_day = models.IntegerField(null=True)
    last_order_day = models.IntegerField(null=True)
    loyal_by_orders = models.BooleanField(default=False)
    loyal_by_agreements = models.BooleanField(default=False)
    covered_since_day = models.IntegerField(null=True)
    referred = models.PositiveIntegerField(default=0)
    objects_to_profiling = models.BooleanField(default=False)
    intermediate_min_units = models.FloatField(null=True)
    potential_days = models.PositiveIntegerField(null=True)
    agreement_end_day = models.IntegerField(null=True)
    last_interaction_day = models.IntegerField(null=True)
    last_paid_day = models.IntegerField(null=True)
    # Paid orders of the last 12 months in another currency than the business's: left
    # out of the revenue ranking, which adds amounts of one currency only.
    other_currency_orders = models.PositiveIntegerField(default=0)
    # The inbound question or complaint waiting for an answer (next best action "answer").
    question_day = models.IntegerField(null=True)
    question_kind = models.CharField(max_length=16, null=True)
    question_channel = models.CharField(max_length=16, null=True)
    # The active overrides' reasons as the engine found them: JSON objects joined by commas.
    override_reasons = models.TextField(null=True)

    class Meta:
        verbose_name = _("party profile")
        verbose_name_plural = _("party profiles")
        # Plain indexes: db_index on a CharField would add a second, pattern-matching
        # index on PostgreSQL that these exact-value filters never use.
        indexes = [
            models.Index(fields=["relationship"], name="profile_relationship_idx"),
            models.Index(fields=["customer_type"], name="profile_customer_type_idx"),
            # Only clients have a CSM: the rows a deleted user's profiles are found by.
            models.Index(fields=["csm"], condition=models.Q(csm__isnull=False), name="profile_csm_idx"),
            *[
                models.Index(fields=["party"], condition=models.Q((column, True)), name=f"profile_{column}_idx")
                for column in TRUE_INDEXED
            ],
        ]

    def __str__(self) -> str:
        return f"{self.party_id}: {self.relationship}"

    @property
    def flags(self) -> list[str]:
        return [flag for flag, column in FLAG_COLUMNS.items() if getattr(self, column)]

    @property
    def characteristics(self) -> list[str]:
        return [name for name in rules.characteristic_names() if getattr(self, name)]

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """[{"code": ..., "params": {...}}], rendered in the reader's language by reasons.py."""
        from kenal.classification.explain import profile_reasons

        return profile_reasons(self)

    @property
    def next_best_action_params(self) -> dict[str, Any]:
        from kenal.classification.explain import next_best_action_params

        return next_best_action_params(self)


class ProfileChange(models.Model):
    """One field of a profile that changed in a recompute, e.g. ``relationship`` or
    ``characteristic:loyal``, with the reasons as they were at that moment."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="profile_changes")
    field = models.CharField(_("field"), max_length=32)
    from_value = models.CharField(_("from"), max_length=32, null=True, blank=True)
    to_value = models.CharField(_("to"), max_length=32, null=True, blank=True)
    at = models.DateTimeField(_("when"))
    as_of = models.DateField(_("as of"))
    reasons = models.JSONField(_("reasons"), default=list)

    class Meta:
        verbose_name = _("profile change")
        verbose_name_plural = _("profile changes")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["party", "at"], name="profile_change_party_idx")]


OverrideField = models.TextChoices(
    "OverrideField",
    [("RELATIONSHIP", ("relationship", _("Relationship"))), ("CUSTOMER_TYPE", ("customer_type", _("Customer type")))]
    + [(c.name.upper(), (f"characteristic:{c.name}", c.label)) for c in sorted(rules.CHARACTERISTICS, key=lambda c: c.name)],
)


def override_fields() -> list[str]:
    """What a person may override: the relationship, the type and each characteristic
    of the table of rules as it stands."""
    return ["relationship", "customer_type", *(f"characteristic:{name}" for name in rules.characteristic_names())]


class ProfileOverride(models.Model):
    """A person's correction of one result, kept through every recompute until it is
    withdrawn. For characteristics ``value`` is ``"true"`` or ``"false"``."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="profile_overrides")
    field = models.CharField(_("what"), max_length=32, choices=OverrideField.choices)
    value = models.CharField(_("value"), max_length=32)
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("set by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("set at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("withdrawn by"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )

    class Meta:
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "field"], condition=models.Q(withdrawn_at__isnull=True),
                name="one_active_override_per_field",
            )
        ]


class ClassificationRun(models.Model):
    """One run of the engine. A full run remembers the 12-month revenue a party needs
    to be in the top share, so a one-party recompute need not rank everyone again."""

    as_of = models.DateField(_("as of"))
    full = models.BooleanField(_("every party"), default=True)
    parties = models.PositiveIntegerField(_("parties"), default=0)
    top_revenue_threshold = models.DecimalField(max_digits=18, decimal_places=2, null=True, blank=True)
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"))

    class Meta:
        verbose_name = _("classification run")
        verbose_name_plural = _("classification runs")
        ordering = ["-finished_at", "-id"]


class ProfileTally(models.Model):
    """How many profiles have each primary relationship and each characteristic, kept
    as the engine writes them so the party list need not count a million rows on
    every request. ``name`` is ``relationship:<value>`` or ``characteristic:<name>``;
    the count is the sum of a name's rows. A full run replaces every row with the
    totals; a run for a few parties appends the differences it made, so concurrent
    order saves never wait on one another for a counter."""

    name = models.CharField(max_length=40)
    delta = models.BigIntegerField()

    class Meta:
        verbose_name = _("profile count")
        verbose_name_plural = _("profile counts")
