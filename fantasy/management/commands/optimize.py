"""optimize: the optimizer from the command line, stored like a page's run (site-owned, visible to all)."""

from django.core.management.base import BaseCommand, CommandError

from fantasy.management.commands.evaluate_projections import resolve_fpl_season
from fantasy.models import Optimization, Slate
from fantasy.optimizing import MAX_LINEUPS, create_dk_lineups, create_fpl_squad, run_optimization


class Command(BaseCommand):
    help = ("Optimise an FPL gameweek's squad (--season S --gameweek N) on our projections, or N DraftKings "
            "lineups of a slate (--slate NAME --lineups N) on its average points, and store the answer.")

    def add_arguments(self, parser):
        parser.add_argument("--season", help='FPL season id or name, e.g. "2023/24"')
        parser.add_argument("--gameweek", type=int)
        parser.add_argument("--budget", type=float, default=100.0)
        parser.add_argument("--bench-weight", type=float, default=0.1)
        parser.add_argument("--slate", metavar="NAME")
        parser.add_argument("--lineups", type=int, default=20)
        parser.add_argument("--max-exposure", type=float, help="share of lineups, 0-1")

    def handle(self, *args, **options):
        if options["slate"]:
            slate = Slate.objects.filter(name=options["slate"]).first()
            if slate is None:
                raise CommandError(f"--slate {options['slate']}: no slate of that name")
            if not 1 <= options["lineups"] <= MAX_LINEUPS:
                raise CommandError(f"--lineups: 1 to {MAX_LINEUPS}")
            settings = {"lineups": options["lineups"]}
            if options["max_exposure"] is not None:
                settings["max_exposure"] = options["max_exposure"]
            optimization = create_dk_lineups(None, slate, "average", settings)
        elif options["season"] and options["gameweek"]:
            season = resolve_fpl_season(options["season"])
            optimization = create_fpl_squad(None, season, options["gameweek"], "ours",
                                            {"budget": options["budget"], "bench_weight": options["bench_weight"]})
        else:
            raise CommandError("say what to optimise: --season S --gameweek N, or --slate NAME")
        optimization = run_optimization(optimization)
        if optimization.status != Optimization.Status.DONE:
            raise CommandError(f"{optimization}: {optimization.message}")
        result = optimization.result
        if "lineups" in result:
            lineups = result["lineups"]
            self.stdout.write(f"{optimization}: {len(lineups)} lineups, {lineups[0]['points']:.2f} to "
                              f"{lineups[-1]['points']:.2f} projected points")
        else:
            captain = next(p for p in result["squad"] if p["captain"])
            self.stdout.write(f"{optimization}: {result['points']:.2f} projected points, £{result['cost']:.1f}m, "
                              f"{result['formation']}, captain {captain['name']}")
