from django.core.management.base import BaseCommand, CommandError

from markets import predictions
from markets.predictions import BOOKMAKER_LABELS, PredictionError
from markets.walk_forward import REFIT_DAYS, DixonColesSettings


def seasons_argument(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class Command(BaseCommand):
    help = ("Fit our ratings on earlier seasons and forecast a later one match by match, each match only from "
            "what was known before its day; print RPS, log loss and Brier for the results-only models "
            "(Dixon-Coles, Elo, their blend), the market-informed ratings (fitted to the goals implied by "
            "EARLIER matches' closing prices, never the forecast match's own) and the closing odds "
            "(Pinnacle where quoted, else the market average). Last line: "
            "rps model=<market-informed ratings> market=<closing odds> matches=<n>")

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
        if evaluation.elo_weights:
            write("Results-only blend: Dixon-Coles and Elo probabilities averaged, Elo weight "
                  f"{evaluation.elo_weight:g} (chosen on the same training walks, RPS "
                  + ", ".join(f"{weight:g}: {rps:.4f}" for weight, rps in evaluation.elo_weights[::2]) + ")")
        market = evaluation.market_settings
        if market is not None:
            write("Market-informed ratings: team ratings followed by a Kalman filter through the goals implied by "
                  "the closing 1X2 and over/under 2.5 prices of EARLIER matches (results of earlier days weigh "
                  f"{market.results_weight:g}); never the forecast match's own prices")
            if evaluation.market_tuning:
                write(f"  tuned on the training seasons alone (walked {', '.join(evaluation.market_tuning.seasons)}),"
                      " best mean RPS:")
                for line in evaluation.market_tuning.lines():
                    write(line)
            write(f"  drift {market.drift:g}/day, results weight {market.results_weight:g}, "
                  f"shots weight {market.shots_weight:g}, stretch {market.stretch:g}")
        sources = ", ".join(f"{BOOKMAKER_LABELS.get(code, code)} {count}"
                            for code, count in sorted(figures["market_sources"].items()))
        unpriced = f"; {figures['unpriced']} without closing odds left out" if figures["unpriced"] else ""
        write(f"Closing odds, margin removed multiplicatively: {sources}{unpriced}")
        rows = (("Results only:", None), ("Dixon-Coles", "dixon_coles"), ("Elo", "elo"),
                ("Blend", "results_blend"), ("Market-informed (earlier matches' prices):", None),
                ("Ratings", "market_ratings"), ("The market:", None), ("Closing odds", "market"))
        write(f"{'':<18}{'RPS':>8}{'log loss':>10}{'Brier':>8}{'vs odds':>9}")
        for label, key in rows:
            if key is None:
                write(label)
            elif key in figures:
                row = figures[key]
                gap = f"{evaluation.gap(key):+.1%}" if key != "market" else ""
                write(f"  {label:<16}{row['rps']:>8.4f}{row['log_loss']:>10.4f}{row['brier']:>8.4f}{gap:>9}")
        if "results_blend" in figures:
            write(f"Results only (blend): RPS {evaluation.gap('results_blend'):+.1%} against the closing odds")
        label = "Market-informed ratings" if evaluation.presented == "market_ratings" else "Dixon-Coles"
        write(f"{label} (the model below): RPS {evaluation.rps_gap:+.1%} against the closing odds "
              f"({evaluation.seconds:.0f} s)")
        write(f"rps model={figures[evaluation.presented]['rps']:.4f} market={figures['market']['rps']:.4f} "
              f"matches={figures['matches']}")
