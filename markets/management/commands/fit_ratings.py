from django.core.management.base import BaseCommand, CommandError

from markets import predictions
from markets.management.commands.evaluate_predictions import seasons_argument
from markets.predictions import DEFAULT_TRAINING_SEASONS, PredictionError
from markets.walk_forward import DixonColesSettings


class Command(BaseCommand):
    help = ("Fit Dixon-Coles and Elo ratings on a competition's results, store them as new model versions with "
            "their walk-forward metrics, and predict the competition's upcoming matches.")

    def add_arguments(self, parser):
        parser.add_argument("--competition", required=True, help="competition id (or name)")
        parser.add_argument("--seasons", type=seasons_argument, default=None,
                            help="seasons to fit on, comma-separated names or ids "
                                 f"(default: the latest {DEFAULT_TRAINING_SEASONS} with results)")
        parser.add_argument("--xi", type=float, default=None,
                            help="Dixon-Coles time decay per day (default: tuned by walking the seasons forward)")
        parser.add_argument("--shots-weight", type=float, default=None,
                            help="share of shots on target in the fitted goals, 0-1 (default: tuned with xi)")

    def handle(self, *args, **options):
        try:
            settings = DixonColesSettings.chosen(options["xi"], options["shots_weight"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            competition = predictions.resolve_competition(options["competition"])
            seasons = None
            if options["seasons"] is not None:
                seasons = [predictions.resolve_season(competition, name) for name in options["seasons"]]
            report = predictions.fit_ratings(competition, seasons, settings=settings,
                                             on_progress=self.stderr.write)
        except (PredictionError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.summary(report)

    def summary(self, report: predictions.FitReport):
        write, dc = self.stdout.write, report.dixon_coles
        write(f"{dc.competition}: fitted on {', '.join(s.name for s in report.seasons)} "
              f"({dc.training_matches} matches, through {dc.trained_through:%Y-%m-%d})")
        settings = report.settings
        tuned = " (tuned by walking the later seasons forward)" if report.tuning else ""
        write(f"{dc}: xi={settings.xi:g}/day, shots weight {settings.shots_weight:g}{tuned}, "
              f"home advantage {dc.parameters['home_advantage']:.3f}, rho {dc.parameters['rho']:.3f}")
        elo = report.elo.parameters
        write(f"{report.elo}: K={elo['k']:g}, home advantage {elo['home_advantage']:g}")
        validation = report.validation
        if validation:
            market = (f"closing odds {validation['market']['rps']:.4f}" if validation["market"]
                      else "no closing odds to compare with")
            write(f"Walk-forward on {', '.join(validation['seasons'])} ({validation['matches']} matches) "
                  f"RPS: Dixon-Coles {validation['dixon_coles']['rps']:.4f}, Elo {validation['elo']['rps']:.4f}, "
                  f"{market}")
        else:
            write("No walk-forward figures: they need two seasons or more")
        write(f"Predicted {report.predictions} upcoming matches with each model")
