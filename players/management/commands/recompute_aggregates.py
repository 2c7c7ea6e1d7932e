"""manage.py recompute_aggregates [--season ID ...]: rebuild the stored season aggregates."""

from django.core.management.base import BaseCommand, CommandError

from matches.models import Match, Season
from players.aggregates import recompute_player_seasons


class Command(BaseCommand):
    help = ("Recompute players' season statistics (appearances, minutes, goals, assists, shots, xG, cards) "
            "from lineups and match events, for the seasons given or every season with a finished match.")

    def add_arguments(self, parser):
        parser.add_argument("--season", type=int, action="append", dest="seasons", metavar="ID",
                            help="our season id (repeatable); default: every season with a finished match")

    def handle(self, *args, **options):
        if options["seasons"]:
            seasons = list(Season.objects.filter(pk__in=options["seasons"]).select_related("competition"))
            missing = set(options["seasons"]) - {season.pk for season in seasons}
            if missing:
                raise CommandError(f"no season with id {', '.join(map(str, sorted(missing)))}")
        else:
            finished = Match.objects.filter(status=Match.Status.FINISHED).values("season_id")
            seasons = list(Season.objects.filter(pk__in=finished).select_related("competition"))
        total = 0
        for number, season in enumerate(seasons, start=1):
            # One season at a time keeps memory bounded; progress on stderr, the summary on stdout.
            rows = recompute_player_seasons([season]).get(season.pk, 0)
            total += rows
            if options["verbosity"] > 1 or len(seasons) > 1:
                self.stderr.write(f"[{number}/{len(seasons)}] {season}: {rows} player rows")
        self.stdout.write(self.style.SUCCESS(
            f"player season statistics: {total} rows in {len(seasons)} season{'s' if len(seasons) != 1 else ''}"))
