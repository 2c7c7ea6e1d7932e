"""manage.py recompute_aggregates [--season ID ...]: rebuild the stored season aggregates (teams', players')."""

from django.core.management.base import BaseCommand, CommandError

from matches.aggregates import recompute_team_seasons
from matches.models import Match, Season
from players.aggregates import recompute_player_seasons


class Command(BaseCommand):
    help = ("Recompute teams' season statistics (results, goals, shots, possession, xG for and against, clean "
            "sheets) and players' (appearances, minutes, goals, assists, shots, xG, cards) from results, match "
            "reports, lineups and match events, for the seasons given or every season with a finished match.")

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
        teams = players = 0
        for number, season in enumerate(seasons, start=1):
            # One season at a time keeps memory bounded; progress on stderr, the summary on stdout.
            team_rows = recompute_team_seasons([season]).get(season.pk, 0)
            player_rows = recompute_player_seasons([season]).get(season.pk, 0)
            teams, players = teams + team_rows, players + player_rows
            if options["verbosity"] > 1 or len(seasons) > 1:
                self.stderr.write(f"[{number}/{len(seasons)}] {season}: {team_rows} team rows, {player_rows} player rows")
        in_seasons = f"in {len(seasons)} season{'s' if len(seasons) != 1 else ''}"
        self.stdout.write(self.style.SUCCESS(f"team season statistics: {teams} rows {in_seasons}"))
        self.stdout.write(self.style.SUCCESS(f"player season statistics: {players} rows {in_seasons}"))
