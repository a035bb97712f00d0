"""kenal classify [--as-of YYYY-MM-DD]: recompute every party and print a summary.

A run for today stores the results; a run for another day computes them on the side,
prints the same counts and changes nothing stored."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenal.classification.management.commands._options import parse_as_of
from kenal.classification.models import Characteristic, Relationship
from kenal.classification.selectors import business_today
from kenal.classification.services import profiles_recompute
from kenal.parties.models import Scope


class Command(BaseCommand):
    help = gettext_lazy(
        "Recompute every party's relationship, type and characteristics as of a day, and print the counts."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--as-of", dest="as_of",
            help=gettext_lazy(
                "The day to classify as of (YYYY-MM-DD); default today. Another day than today is "
                "computed on the side and changes nothing stored."
            ),
        )

    def handle(self, *args, **options) -> None:
        summary = profiles_recompute(as_of=parse_as_of(options["as_of"]))
        out = self.stdout
        out.write(_("Classified %(count)d parties as of %(day)s.") % {"count": summary.parties, "day": summary.as_of})
        if summary.as_of != business_today():
            out.write(_("Not today: the results were computed on the side and nothing stored changed."))
        out.write(_("Relationships:"))
        for value, label in Relationship.choices:
            out.write(f"  {label}: {summary.relationships.get(value, 0)}")
        out.write(_("Customer types:"))
        for value in ("external", "intermediate", "internal"):
            out.write(f"  {dict(Scope.choices)[value]}: {summary.customer_types.get(value, 0)}")
        out.write(_("Characteristics:"))
        for value, label in Characteristic.choices:
            out.write(f"  {label}: {summary.characteristics.get(value, 0)}")
        out.write(_("Changes recorded: %(count)d") % {"count": summary.changes})
