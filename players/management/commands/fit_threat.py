"""manage.py fit_threat: fit the expected-threat grid on every stored event, store it, re-rate the matches."""

from django.core.management.base import BaseCommand, CommandError

from players import rating_store
from players.ratings import forget_grid


class Command(BaseCommand):
    help = ("Fit the expected-threat (xT) grid (Karun Singh's value iteration, 16x12 zones) on every stored pass, "
            "carry and shot with a location, store it as a new ThreatModel version, then re-rate every finished "
            "match that has events. One line: 'threat v<version> events=<n> matches=<n> rated=<player-matches> top_zone=<xT>'.")

    def add_arguments(self, parser):
        parser.add_argument("--no-rate", action="store_true", help="fit and store the grid only")

    def handle(self, *args, **options):
        grid, matches = rating_store.fit_stored_events()
        if not grid.events:
            raise CommandError("no stored passes, carries or shots with locations to fit on (import StatsBomb events)")
        model = rating_store.store_grid(grid, matches)
        forget_grid()
        rated = 0 if options["no_rate"] else rating_store.rate_matches()
        top = max(value for column in grid.values for value in column)
        self.stdout.write(self.style.SUCCESS(
            f"threat v{model.version} events={grid.events} matches={matches} rated={rated} top_zone={top:.3f}"))
