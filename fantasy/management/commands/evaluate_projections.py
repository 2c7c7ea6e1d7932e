from django.core.management.base import BaseCommand, CommandError

from fantasy import projections
from fantasy.models import Game
from matches.models import Season


def resolve_fpl_season(value: str) -> Season:
    """A season by id or name ("2023/24", "2023-24") that has FPL lines."""
    name = value.replace("-", "/")
    seasons = Season.objects.filter(fpl_lines__isnull=False).distinct()
    found = seasons.filter(pk=int(value)) if value.isdigit() else seasons.filter(name=name)
    if not found.exists() and "/" in name:  # "2023/2024"
        start, end = name.split("/", 1)
        found = seasons.filter(name=f"{start}/{end[-2:]}")
    season = found.first()
    if season is None:
        raise CommandError(f"no season {value!r} with FPL lines (import_fpl first)")
    return season


class Command(BaseCommand):
    help = ("Project each gameweek from what was known before its first kick-off and score the projections "
            "against the points of the players who played, beside FPL's own xP. Last line: "
            "projections mae=<ours> corr=<ours> xp_mae=<FPL xP> xp_corr=<FPL xP> rows=<n>")

    def add_arguments(self, parser):
        parser.add_argument("--game", default=Game.FPL, choices=[Game.FPL])
        parser.add_argument("--season", required=True, help='season id or name, e.g. "2023/24"')
        parser.add_argument("--from-gw", type=int, default=5)
        parser.add_argument("--to-gw", type=int, default=None)
        parser.add_argument("--simulations", type=int, default=projections.DEFAULT_SIMULATIONS)

    def handle(self, *args, **options):
        season = resolve_fpl_season(options["season"])
        try:
            result = projections.evaluate(season, options["from_gw"], options["to_gw"],
                                          simulations=options["simulations"], progress=self.stderr.write)
        except projections.ProjectionError as error:
            raise CommandError(str(error)) from error
        if not result.overall.rows:
            raise CommandError(f"{season}: no gameweek from {options['from_gw']} with players who played")
        write = self.stdout.write
        write(f"{season} gameweeks {result.gameweeks[0]}-{result.gameweeks[-1]}, {options['simulations']} "
              f"simulations per match, {result.seconds:.1f} s")
        for position, scores in result.by_position.items():
            write(f"  {position}: mae={scores.mae:.4f} corr={scores.corr:.4f} xp_mae={scores.xp_mae:.4f} "
                  f"xp_corr={scores.xp_corr:.4f} rows={scores.rows}")
        o = result.overall
        write(f"  our medians: mae={result.median_mae:.4f}")
        write(f"  FPL xP recorded before the gameweek (his previous gameweek's file; the gameweek's own file is "
              f"collected after it): mae={o.prior_xp_mae:.4f} corr={o.prior_xp_corr:.4f} rows={o.prior_xp_rows}")
        write(f"projections mae={o.mae:.4f} corr={o.corr:.4f} xp_mae={o.xp_mae:.4f} xp_corr={o.xp_corr:.4f} "
              f"rows={o.rows}")
