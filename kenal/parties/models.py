from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartyKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANIZATION = "organization", _("Organisation")


class Scope(models.TextChoices):
    """The customer type (DOMAIN.md, "Customer type")."""

    INTERNAL = "internal", _("Internal")
    EXTERNAL = "external", _("External")
    INTERMEDIATE = "intermediate", _("Intermediate")


class Language(models.TextChoices):
    INDONESIAN = "id", _("Bahasa Indonesia")
    ENGLISH = "en", _("English")


class Party(models.Model):
    """Anyone the business deals with: a person or an organisation.

    Whether a party is a client, customer, consumer or prospect is never stored here by
    hand; it is derived from the facts (orders, agreements, interactions)."""

    external_id = models.CharField(
        _("external id"), max_length=100, unique=True, null=True, blank=True,
        help_text=_("The business's own key for this party, used by imports."),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PartyKind.choices, default=PartyKind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, blank=True)
    scope = models.CharField(
        _("customer type"), max_length=16, choices=Scope.choices, blank=True,
        help_text=_("Set only when known for sure; otherwise Kenal infers it."),
    )
    objects_to_profiling = models.BooleanField(
        _("objects to profiling"), default=False,
        help_text=_("The party asked not to be profiled: no characteristics and no inferred type."),
    )
    first_contact_at = models.DateTimeField(_("first contact"), null=True, blank=True)
    referred_by = models.ForeignKey(
        "self", verbose_name=_("referred by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="referrals",
    )
    member_of = models.ForeignKey(
        "self", verbose_name=_("member of"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="members",
        limit_choices_to={"kind": PartyKind.ORGANIZATION},
    )
    notes = models.TextField(_("notes"), blank=True, help_text=_("Personal notes: what matters to them."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["name", "id"], name="party_name_idx")]

    def __str__(self) -> str:
        return self.name


class ContactKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    TELEGRAM = "telegram", _("Telegram")
    LINE = "line", _("LINE")
    INSTAGRAM = "instagram", _("Instagram")
    FACEBOOK = "facebook", _("Facebook")


PHONE_KINDS = frozenset({ContactKind.PHONE, ContactKind.WHATSAPP})


class ContactPoint(models.Model):
    """One way to reach a party. Values are stored normalised (phones in E.164, emails
    and handles lower-cased) so lookups are exact index hits. Two parties may share a
    value (a family phone); that is allowed and shown as a possible duplicate."""

    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="contact_points")
    kind = models.CharField(_("kind"), max_length=16, choices=ContactKind.choices)
    value = models.CharField(_("value"), max_length=254)

    class Meta:
        verbose_name = _("contact point")
        verbose_name_plural = _("contact points")
        ordering = ["kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["party", "kind", "value"], name="contact_point_unique_per_party"),
        ]
        indexes = [models.Index(fields=["value", "kind"], name="contact_value_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.value}"


class Match(models.Lookup):
    """``body__match=<FTS5 query>``: a lookup in SQLite's trigram index of the search
    text. PostgreSQL's pg_trgm index serves plain LIKE, so only SQLite uses it."""

    lookup_name = "match"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class SearchText(models.TextField):
    pass


SearchText.register_lookup(Match)


class PartySearch(models.Model):
    """The search text of a party (see kenal.parties.search): a pg_trgm-indexed table
    on PostgreSQL, an FTS5 trigram table on SQLite, both written by database triggers
    alone. Its column is ``rowid`` because that is the FTS5 table's key."""

    party = models.OneToOneField(
        Party, primary_key=True, db_column="rowid", on_delete=models.DO_NOTHING, related_name="search",
        db_constraint=False,
    )
    body = SearchText()

    class Meta:
        managed = False
        db_table = "parties_partysearch"
