"""Reads of classification results shaped for the screens and the API: the profile
panel of a party page, the journey of changes, and the party list's filters and
counts. Words come from ``reasons.py`` in the reader's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from django.utils.translation import gettext as _

from kenal.classification.access import may_manage
from kenal.classification.explain import facts_day, latest_full_run
from kenal.classification.forms import OverrideForm
from kenal.classification.models import (
    CHARACTERISTICS,
    Characteristic,
    ClassificationRun,
    OverrideField,
    PartyProfile,
    ProfileChange,
    ProfileOverride,
    ProfileTally,
    Relationship,
)
from kenal.classification.reasons import next_best_action_text, reason_text, reasons_text
from kenal.classification.tasks import recompute_all
from kenal.parties.models import Party, Scope

JOURNEY_SIZE = 50

# Which reason codes explain a change of which field, for the journey's "why".
RELATIONSHIP_CODES = {
    "client": {"client_agreement"},
    "customer": {"customer_orders", "former_client"},
    "consumer": {"consumer_uses"},
    "prospect": {"prospect_nothing_yet"},
}
TYPE_CODES = frozenset({"type_explicit", "type_intermediate", "type_default", "objects_to_profiling"})


@dataclass
class Badge:
    value: str
    label: str
    overridden: bool = False


@dataclass
class JourneyStep:
    change: ProfileChange
    what: str
    from_label: str
    to_label: str
    why: list[str]


@dataclass
class ProfilePanel:
    party: Party
    profile: PartyProfile | None
    relationship: Badge | None = None
    flags: list[Badge] = field(default_factory=list)
    customer_type: Badge | None = None
    characteristics: list[Badge] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    next_best_action: str = ""
    overrides: list[ProfileOverride] = field(default_factory=list)
    journey: list[JourneyStep] = field(default_factory=list)
    facts_up_to: date | None = None
    computed_at: datetime | None = None


def _label(choices: Any, value: str | None) -> str:
    return str(dict(choices).get(value or "", value or ""))


def field_label(name: str) -> str:
    if name.startswith("flag:"):
        return _("%(flag)s flag") % {"flag": _label(Relationship.choices, name.removeprefix("flag:"))}
    return _label(OverrideField.choices, name)


def value_label(name: str, value: str | None) -> str:
    if value is None or value == "":
        return _("none")
    if name == "relationship":
        return _label(Relationship.choices, value)
    if name == "customer_type":
        return _label(Scope.choices, value)
    return _("yes") if value == "true" else _("no")


def _explains(name: str, to_value: str | None, reason: dict[str, Any]) -> bool:
    code = reason.get("code", "")
    if code == "override":
        return (reason.get("params") or {}).get("field") == name
    if name == "relationship":
        return code in RELATIONSHIP_CODES.get(to_value or "", set())
    if name.startswith("flag:"):
        return code in RELATIONSHIP_CODES.get(name.removeprefix("flag:"), set())
    if name == "customer_type":
        return code in TYPE_CODES
    characteristic = name.removeprefix("characteristic:")
    return code == "objects_to_profiling" or code == characteristic or code.startswith(f"{characteristic}_")


def journey_steps(*, party: Party, size: int = JOURNEY_SIZE) -> list[JourneyStep]:
    """The party's recorded changes, newest first. A flag change that only repeats a
    change of the primary relationship at the same moment is left out."""
    changes = list(ProfileChange.objects.filter(party=party).order_by("-at", "-id")[:size])
    moved = {(c.at, c.from_value) for c in changes if c.field == "relationship"}
    moved |= {(c.at, c.to_value) for c in changes if c.field == "relationship"}
    steps = []
    for change in changes:
        if change.field.startswith("flag:") and (change.at, change.field.removeprefix("flag:")) in moved:
            continue
        why = [reason_text(r) for r in change.reasons if _explains(change.field, change.to_value, r)]
        if not why and change.to_value in ("false", None, ""):
            why = [_("The rule no longer holds.")]
        steps.append(JourneyStep(
            change=change, what=field_label(change.field),
            from_label=value_label(change.field, change.from_value),
            to_label=value_label(change.field, change.to_value), why=why,
        ))
    return steps


def profile_panel(*, party: Party) -> ProfilePanel:
    """Everything the party page shows about the classification: badges (marked when
    set by hand), the reasons, the next best action, active overrides and the journey."""
    profile = PartyProfile.objects.select_related("csm").filter(party=party).first()
    overrides = list(
        ProfileOverride.objects.filter(party=party, withdrawn_at__isnull=True).select_related("created_by")
    )
    panel = ProfilePanel(party=party, profile=profile, overrides=overrides, journey=journey_steps(party=party))
    if profile is None:
        return panel
    # A full run leaves the profiles it finds unchanged as they are: for those, it is
    # the run that last confirmed them.
    run = latest_full_run()
    profile.run_as_of = run.as_of if run is not None else None
    panel.facts_up_to = facts_day(profile)
    confirmed = run is not None and run.started_at > profile.computed_at
    panel.computed_at = run.started_at if confirmed else profile.computed_at
    by_hand = {override.field for override in overrides}
    panel.relationship = Badge(
        profile.relationship, _label(Relationship.choices, profile.relationship), "relationship" in by_hand
    )
    panel.flags = [Badge(flag, _label(Relationship.choices, flag)) for flag in profile.flags]
    if profile.customer_type:
        panel.customer_type = Badge(
            profile.customer_type, _label(Scope.choices, profile.customer_type), "customer_type" in by_hand
        )
    panel.characteristics = [
        Badge(name, _label(Characteristic.choices, name), f"characteristic:{name}" in by_hand)
        for name in profile.characteristics
    ]
    panel.reasons = reasons_text(profile.reasons)
    panel.next_best_action = next_best_action_text(profile.next_best_action, profile.next_best_action_params)
    for override in overrides:
        override.what = field_label(override.field)
        override.value_label = value_label(override.field, override.value)
    return panel


# Below this many matching profiles a filter reads them through its index and sorts
# them by name; above it, walking the list's name order finds a page sooner. The two
# cost the same near the square root of (page size x parties): about 5,000 at a million.
FEW_MATCHES = 5000


def parties_by_profile(
    parties: QuerySet[Party], *, relationship: str = "", customer_type: str = "", characteristic: str = ""
) -> QuerySet[Party]:
    """``parties`` narrowed by the primary relationship, the customer type and one
    characteristic of their profiles.

    A common value (most parties are customers) is a correlated EXISTS, so both
    databases walk the list's (name, id) order and stop after a page. A rare one (a few
    hundred impulsive buyers among a million) would make that walk visit most parties
    to fill a page, so its few ids, read from the profile indexes, are given instead."""
    lookup: dict[str, Any] = {}
    if relationship:
        lookup["relationship"] = relationship
    if customer_type:
        lookup["customer_type"] = customer_type
    if characteristic in CHARACTERISTICS:
        lookup[characteristic] = True
    if not lookup:
        return parties
    few = list(PartyProfile.objects.filter(**lookup).order_by().values_list("party_id", flat=True)[: FEW_MATCHES + 1])
    if len(few) <= FEW_MATCHES:
        return parties.filter(pk__in=few)
    return parties.filter(Exists(PartyProfile.objects.filter(party_id=OuterRef("pk"), **lookup)))


@dataclass
class ProfileCounts:
    relationships: dict[str, int]
    characteristics: dict[str, int]


def _count_everyone() -> ProfileCounts:
    """Counts over every profile, read from the tally the engine keeps as it writes
    them: a sum over a few dozen rows, where counting would visit a million."""
    counts = ProfileCounts(
        relationships=dict.fromkeys(Relationship.values, 0), characteristics=dict.fromkeys(CHARACTERISTICS, 0)
    )
    rows = ProfileTally.objects.order_by().values("name").annotate(n=Sum("delta")).values_list("name", "n")
    for name, n in rows:
        group, _, value = name.partition(":")
        numbers = counts.relationships if group == "relationship" else counts.characteristics
        if value in numbers:
            numbers[value] = int(n)
    return counts


def profile_counts(parties: QuerySet[Party]) -> ProfileCounts:
    """How many of ``parties`` have each primary relationship and each characteristic,
    in one query: from the tally when ``parties`` is every party, else one GROUP BY
    over the profiles of the matching parties."""
    if not parties.query.where:
        return _count_everyone()
    sums = {name: Count("pk", filter=Q(**{name: True})) for name in CHARACTERISTICS}
    # The matching parties as an IN subquery: both databases then scan the search
    # once and hash its few ids, rather than hashing every profile for a join.
    rows = (
        PartyProfile.objects.filter(party__in=parties.order_by().values("pk"))
        .order_by().values("relationship").annotate(total=Count("pk"), **sums)
    )
    counts = ProfileCounts(
        relationships=dict.fromkeys(Relationship.values, 0), characteristics=dict.fromkeys(CHARACTERISTICS, 0)
    )
    for row in rows:
        counts.relationships[row["relationship"]] = row["total"]
        for name in CHARACTERISTICS:
            counts.characteristics[name] += row[name]
    return counts


@dataclass
class Facet:
    name: str  # the query parameter: relationship or characteristic
    value: str
    label: str
    count: int
    query: str  # the list's query string with this value chosen (or, when active, cleared)
    active: bool


def profile_facets(*, counts: ProfileCounts, params: Any) -> list[Facet]:
    """Counts as links for the party list: each narrows the current search to its value,
    or, when already chosen, clears it. ``params`` is the request's QueryDict."""
    base = params.copy()
    for key in ("after", "before"):
        base.pop(key, None)
    facets = []
    groups = [
        ("relationship", Relationship.choices, counts.relationships),
        ("characteristic", Characteristic.choices, counts.characteristics),
    ]
    for name, choices, numbers in groups:
        for value, label in choices:
            query = base.copy()
            active = query.get(name) == value
            if active:
                query.pop(name, None)
            else:
                query[name] = value
            facets.append(Facet(name, value, str(label), numbers.get(value, 0), query.urlencode(), active))
    return facets


def attach_profiles(parties: list[Party]) -> None:
    """Give each listed party its ``listed_profile`` (or None) and the labels of its
    ``listed_characteristics``, in one query."""
    profiles = PartyProfile.objects.in_bulk([party.pk for party in parties])
    labels = dict(Characteristic.choices)
    for party in parties:
        party.listed_profile = profiles.get(party.pk)
        names = party.listed_profile.characteristics if party.listed_profile else []
        party.listed_characteristics = [str(labels[name]) for name in names]


@dataclass
class RecomputeProgress:
    """The latest background recompute as its task row tells it, and the latest
    finished run of the engine over every party."""

    task: DBTaskResult | None
    last_full_run: ClassificationRun | None

    @property
    def active(self) -> bool:
        return self.task is not None and self.task.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING)

    @property
    def status(self) -> str:
        return self.task.status if self.task is not None else ""

    @property
    def status_label(self) -> str:
        return str(TaskResultStatus(self.task.status).label) if self.task is not None else ""


def recompute_progress() -> RecomputeProgress:
    task = DBTaskResult.objects.filter(task_path=recompute_all.module_path).order_by("-enqueued_at").first()
    run = ClassificationRun.objects.filter(full=True).order_by("-finished_at", "-id").first()
    return RecomputeProgress(task=task, last_full_run=run)


def profile_context(*, party: Party, user, form: OverrideForm | None = None) -> dict:
    """What the profile partial needs, for the party page and for htmx refreshes."""
    manage = may_manage(user)
    return {
        "panel": profile_panel(party=party),
        "may_manage": manage,
        "override_form": (form or OverrideForm()) if manage else None,
    }
