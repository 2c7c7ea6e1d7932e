"""import_salaries CSV --slate NAME [--season S]: a DraftKings salary file as a slate (fantasy.salaries);
import_salaries --from-fpl S --gameweek N --slate NAME: a practice slate of an FPL gameweek."""

from django.core.management.base import BaseCommand, CommandError

from fantasy.management.commands.evaluate_projections import resolve_fpl_season
from fantasy.salaries import import_salaries, slate_from_fpl
from matches.records import RecordError


class Command(BaseCommand):
    help = ("Import a DraftKings salary export (Position, Name + ID, Name, ID, Roster Position, Salary, Game Info, "
            "TeamAbbrev, AvgPointsPerGame) as the slate NAME, matched to our teams, players and matches. Every "
            "line is checked first: a file with a bad line saves nothing. Running it again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="CSV", nargs="?")
        parser.add_argument("--from-fpl", metavar="S", help="instead of a file: a practice slate of this FPL season's "
                                                            "--gameweek, salaries from FPL prices")
        parser.add_argument("--gameweek", type=int)
        parser.add_argument("--slate", required=True, metavar="NAME", help="the slate's name (created or updated)")
        parser.add_argument("--season", metavar="S", help='the season its matches are in, by name ("2023/24")')

    def handle(self, *args, **options):
        if options["from_fpl"]:
            if not options["gameweek"]:
                raise CommandError("--from-fpl needs --gameweek")
            season = resolve_fpl_season(options["from_fpl"])
            try:
                summary = slate_from_fpl(season, options["gameweek"], options["slate"])
            except RecordError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(f"FPL {season} GW{options['gameweek']}: {summary}")
            return
        if not options["path"]:
            raise CommandError("give the salary file (CSV), or --from-fpl S --gameweek N")
        try:
            summary = import_salaries(options["path"], options["slate"], season=options["season"])
        except RecordError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{options['path']}: {summary}")
