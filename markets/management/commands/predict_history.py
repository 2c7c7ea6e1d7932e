from django.core.management.base import BaseCommand, CommandError

from markets import predictions
from markets.predictions import MIN_HISTORY_MATCHES, PredictionError
from markets.walk_forward import DixonColesSettings


class Command(BaseCommand):
    help = ("Give every finished match of a competition that has no prediction the one we would have made before "
            "it: Dixon-Coles and Elo walked forward over its seasons, each match from the results before its "
            f"kick-off day, after a first stretch of {MIN_HISTORY_MATCHES}+ results only learned from. Settings "
            "fixed in advance (the defaults, or --xi/--shots-weight), never tuned on the seasons forecast. "
            "Idempotent: a prediction already stored is never replaced, a second run changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--competition", required=True, action="append",
                            help="competition id or name (repeat for several)")
        parser.add_argument("--xi", type=float, default=None, help="Dixon-Coles time decay per day")
        parser.add_argument("--shots-weight", type=float, default=None,
                            help="share of shots on target in the fitted goals, 0-1")

    def handle(self, *args, **options):
        try:
            settings = DixonColesSettings.chosen(options["xi"], options["shots_weight"])
            competitions = [predictions.resolve_competition(value) for value in options["competition"]]
        except (PredictionError, ValueError) as error:
            raise CommandError(str(error)) from error
        for competition in competitions:
            report = predictions.predict_history(competition, settings=settings, on_progress=self.stderr.write)
            self.summary(report)

    def summary(self, report: predictions.HistoryReport):
        write = self.stdout.write
        if not report.walked:
            write(f"{report.competition}: nothing to walk: {len(report.history)} season(s) of results, "
                  f"fewer than the {MIN_HISTORY_MATCHES} a first forecast needs before it")
            return
        if not report.models:
            write(f"{report.competition}: {report.already} matches of {', '.join(report.walked)} already have "
                  f"their prediction; nothing to do ({report.seconds:.1f} s)")
            return
        figures = report.figures
        market = (f", closing odds {figures['market']['rps']:.4f} on the {figures['priced']} priced"
                  if "market" in figures else "; no closing odds to compare with")
        write(f"{report.competition}: predicted {report.predicted} finished matches of {', '.join(report.walked)} "
              f"before their kick-off day (learned from {', '.join(report.history)}; {report.refits} refits, "
              f"{report.seconds:.1f} s); {report.already} had one already")
        write(f"  {', '.join(str(model) for model in report.models)}: RPS Dixon-Coles "
              f"{figures['dixon_coles']['rps']:.4f}, Elo {figures['elo']['rps']:.4f}{market}")
