"""``kenal demo``: load the demo business, then classify it, replaying the past year so
each party's journey (prospect → customer → loyal customer → client) is there to see."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kenal.classification.selectors import business_today
from kenal.classification.services import profiles_replay
from kenal.demo.selectors import business_data_exists
from kenal.demo.services import DEFAULT_SEED, demo_load, demo_reset


class Command(BaseCommand):
    help = gettext_lazy(
        "Load demo data: a law and advisory practice with signed clients and a coffee counter "
        "with customers, gift buyers and resellers, with a year of orders and conversations."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=_("The same seed gives the same data."))
        parser.add_argument(
            "--reset", action="store_true",
            help=_("Delete all parties, orders, agreements, interactions and products first (users are kept)."),
        )

    def handle(self, *args, seed: int, reset: bool, **options) -> None:
        if reset:
            demo_reset()
        elif business_data_exists():
            raise CommandError(_("The database already has parties. Use --reset to replace them with the demo data."))
        summary = demo_load(seed=seed)
        self.stdout.write(
            _(
                "Loaded %(parties)d parties (%(organisations)d organisations), %(orders)d orders with "
                "%(lines)d lines, %(agreements)d agreements and %(interactions)d interactions in %(seconds).1f s."
            ) % {
                "parties": summary.parties, "organisations": summary.organisations, "orders": summary.orders,
                "lines": summary.order_lines, "agreements": summary.agreements,
                "interactions": summary.interactions, "seconds": summary.seconds,
            }
        )
        # As the nightly runs would have seen the year, a quarter at a time; the first
        # run creates the profiles, the later ones record what changed.
        today = business_today()
        for days_back in (360, 270, 180, 90):
            profiles_replay(as_of=today - timedelta(days=days_back))
        call_command("classify", stdout=self.stdout, stderr=self.stderr)
