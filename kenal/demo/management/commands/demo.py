"""``kenal demo``: load the demo business, then classify it when classification exists."""

from __future__ import annotations

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from kenal.demo.selectors import business_data_exists
from kenal.demo.services import DEFAULT_SEED, demo_load, demo_reset


class Command(BaseCommand):
    help = _(
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
        # Classification is its own app; when it is installed, profiles are ready at once.
        if "classify" in get_commands():
            call_command("classify", stdout=self.stdout, stderr=self.stderr)
