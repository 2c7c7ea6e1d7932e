from django.core.management.base import BaseCommand, CommandError

from fantasy import projections
from fantasy.management.commands.evaluate_projections import resolve_fpl_season


class Command(BaseCommand):
    help = ("Simulate an FPL gameweek from what was known before its first kick-off and store the projections "
            "as a new version of its projection set.")

    def add_arguments(self, parser):
        parser.add_argument("--season", required=True, help='season id or name, e.g. "2023/24"')
        parser.add_argument("--gameweek", type=int, required=True)
        parser.add_argument("--simulations", type=int, default=projections.DEFAULT_SIMULATIONS)

    def handle(self, *args, **options):
        season = resolve_fpl_season(options["season"])
        try:
            projection_set = projections.project_gameweek(season, options["gameweek"],
                                                          simulations=options["simulations"])
        except projections.ProjectionError as error:
            raise CommandError(str(error)) from error
        count = projection_set.projections.count()
        top = projection_set.projections.select_related("player").order_by("-points")[:5]
        self.stdout.write(f"{projection_set}: {count} projections; top: "
                          + ", ".join(f"{row.player} {row.points:.2f}" for row in top))
