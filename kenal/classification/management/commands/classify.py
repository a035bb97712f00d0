"""kenal classify [--as-of YYYY-MM-DD]: recompute every party and print a summary."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from kenal.classification.management.commands._options import parse_as_of
from kenal.classification.models import CHARACTERISTICS, Relationship
from kenal.classification.services import profiles_recompute


class Command(BaseCommand):
    help = "Recompute every party's relationship, type and characteristics as of a day, and print the counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--as-of", dest="as_of", help="The day to classify as of (YYYY-MM-DD); default today.")

    def handle(self, *args, **options) -> None:
        summary = profiles_recompute(as_of=parse_as_of(options["as_of"]))
        out = self.stdout
        out.write(_("Classified %(count)d parties as of %(day)s.") % {"count": summary.parties, "day": summary.as_of})
        out.write(_("Relationships:"))
        for relationship in Relationship.values:
            out.write(f"  {relationship}: {summary.relationships.get(relationship, 0)}")
        out.write(_("Customer types:"))
        for kind in ("external", "intermediate", "internal"):
            out.write(f"  {kind}: {summary.customer_types.get(kind, 0)}")
        out.write(_("Characteristics:"))
        for name in CHARACTERISTICS:
            out.write(f"  {name}: {summary.characteristics.get(name, 0)}")
        out.write(_("Changes recorded: %(count)d") % {"count": summary.changes})
