from django.core.management.base import BaseCommand, CommandError

from markets import predictions
from markets.predictions import BOOKMAKER_LABELS, PredictionError
from markets.walk_forward import REFIT_DAYS, DixonColesSettings


def seasons_argument(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = ("Fit our ratings on earlier seasons and forecast a later one match by match, each match only from "
            "results before its day; print RPS, log loss and Brier for Dixon-Coles, Elo and the closing odds "
            "(Pinnacle where quoted, else the market average). Last line: "
            "rps model=<ours> market=<closing odds> matches=<n>")

    def add_arguments(self, parser):
        parser.add_argument("--competition", required=True, help="competition id (or name)")
        parser.add_argument("--train", required=True, type=seasons_argument,
                            help='training seasons, comma-separated names as stored ("2021/22,2022/23") or ids')
        parser.add_argument("--test", required=True, help='the season to forecast ("2023/24") or its id')
        parser.add_argument("--xi", type=float, default=None,
                            help="Dixon-Coles time decay per day (default: tuned on the training seasons)")
        parser.add_argument("--shots-weight", type=float, default=None,
                            help="share of shots on target in the goals the model is fitted to, 0-1 "
                                 "(default: tuned with xi; 0 when --xi is given)")
        parser.add_argument("--refit-days", type=int, default=REFIT_DAYS,
                            help=f"refit Dixon-Coles at most every N days (default {REFIT_DAYS}: every matchday)")

    def handle(self, *args, **options):
        try:
            settings = DixonColesSettings.chosen(options["xi"], options["shots_weight"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["refit_days"] < 1:
            raise CommandError("--refit-days must be 1 or more")
        try:
            competition = predictions.resolve_competition(options["competition"])
            train = [predictions.resolve_season(competition, name) for name in options["train"]]
            if not train:
                raise PredictionError("--train names no season")
            test = predictions.resolve_season(competition, options["test"])
            evaluation = predictions.evaluate(competition, train, test, settings=settings,
                                              refit_days=options["refit_days"], on_progress=self.stderr.write)
        except (PredictionError, ValueError) as error:
            raise CommandError(str(error)) from error
        self.summary(evaluation)

    def summary(self, evaluation: predictions.Evaluation):
        write, figures, settings = self.stdout.write, evaluation.figures, evaluation.settings
        write(f"{evaluation.competition}: fitted on {', '.join(s.name for s in evaluation.train)} "
              f"({evaluation.training_matches} matches), forecast {evaluation.test.name} match by match "
              f"({len(evaluation.forecasts.results)} matches, each from results before its day)")
        if evaluation.tuning:
            write(f"Dixon-Coles tuned on the training seasons alone (walked {', '.join(evaluation.tuning.seasons)} "
                  "from the seasons before each), mean RPS:")
            for line in evaluation.tuning.lines():
                write(line)
        write(f"Dixon-Coles: xi={settings.xi:g}/day, shots weight {settings.shots_weight:g}, ridge {settings.ridge:g}, "
              f"{evaluation.forecasts.refits} refits")
        sources = ", ".join(f"{BOOKMAKER_LABELS.get(code, code)} {count}"
                            for code, count in sorted(figures["market_sources"].items()))
        unpriced = f"; {figures['unpriced']} without closing odds left out" if figures["unpriced"] else ""
        write(f"Closing odds, margin removed multiplicatively: {sources}{unpriced}")
        write(f"{'':<14}{'RPS':>8}{'log loss':>10}{'Brier':>8}")
        for label, key in (("Dixon-Coles", "dixon_coles"), ("Elo", "elo"), ("Closing odds", "market")):
            row = figures[key]
            write(f"{label:<14}{row['rps']:>8.4f}{row['log_loss']:>10.4f}{row['brier']:>8.4f}")
        write(f"Dixon-Coles RPS is {evaluation.rps_gap:+.1%} against the closing odds "
              f"({evaluation.seconds:.0f} s)")
        write(f"rps model={figures['dixon_coles']['rps']:.4f} market={figures['market']['rps']:.4f} "
              f"matches={figures['matches']}")
