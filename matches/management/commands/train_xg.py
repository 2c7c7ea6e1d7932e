from django.core.management.base import BaseCommand, CommandError

from matches import xg
from matches.records import RecordError


def progress_writer(command: BaseCommand):
    """Progress to stderr (stdout stays a summary) when there are many events files to read."""
    def report(done: int, total: int):
        if total >= 50 and (done % 50 == 0 or done == total):
            command.stderr.write(f"read {done}/{total} events files")
    return report


def plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


class Command(BaseCommand):
    help = ("Fit our expected-goals model on one or more StatsBomb open-data folders (PATH/events/<match_id>.json), "
            "compare it with StatsBomb's own xG on held-out matches and cross-validated, and store it as the active "
            "model version.")

    def add_arguments(self, parser):
        parser.add_argument("paths", metavar="PATH", nargs="+",
                            help="StatsBomb open-data folder (its events/ folder is read); several are pooled")
        parser.add_argument("--holdout-fraction", type=float, default=0.2,
                            help="share of matches held out for the comparison (default 0.2)")
        parser.add_argument("--seed", type=int, default=0, help="which matches are held out (default 0)")
        parser.add_argument("--l2", type=float, default=None,
                            help="L2 penalty on standardised coefficients (default: chosen by cross-validation "
                                 "on the training matches)")
        parser.add_argument("--features", choices=sorted(xg.FEATURE_SETS), default=None,
                            help="feature set: base (distance, angle, body part, situation), frameless (+ shape "
                                 "and StatsBomb's chance flags), full (+ freeze frame); default: chosen by "
                                 "cross-validation on the training matches")

    def handle(self, *args, **options):
        fraction = options["holdout_fraction"]
        if not 0 < fraction < 1:
            raise CommandError("--holdout-fraction must be between 0 and 1")
        if options["l2"] is not None and options["l2"] < 0:
            raise CommandError("--l2 cannot be negative")
        try:
            result = xg.train(options["paths"], fraction, options["seed"], options["l2"],
                              on_progress=progress_writer(self), features=options["features"])
        except RecordError as error:
            raise CommandError(str(error)) from error
        saved = xg.save_model(result)
        self.summary(result, saved)

    def summary(self, result: xg.TrainingResult, saved):
        data, model, write = result.training_data, result.model, self.stdout.write
        write(f"Training: {data['shots']} shots ({data['goals']} goals, {data['with_freeze_frame']} with a freeze "
              f"frame) from {data['matches']} matches in {', '.join(data['paths'])}")
        write(f"Penalties: {data['penalties_scored']} of {data['penalties']} scored in training; rate "
              f"{model.penalty_rate:.3f} (shrunk toward {xg.LONG_RUN_PENALTY_RATE} with the weight of "
              f"{xg.PENALTY_PRIOR_WEIGHT} penalties)")
        scores = data["settings_log_loss"]
        if len(scores) > 1 or len(next(iter(scores.values()), {})) > 1:
            write("Out-of-fold log loss on the training matches (feature set: best L2):  " + "  ".join(
                f"{name} {min(by_l2.values()):.4f}" for name, by_l2 in scores.items()))
            chosen = " (chosen by cross-validation on the training matches)"
        else:
            chosen = ""
        write(f"Features: {data['feature_set']}, L2: {data['l2']:g}{chosen}")
        write("Coefficients (raw scale): intercept " + f"{model.intercept:+.3f}, " + ", ".join(
            f"{name} {value:+.3f}" for name, value in model.coefficients.items()))
        if model.fallback is not None:
            write("Without a freeze frame (fallback): intercept " + f"{model.fallback.intercept:+.3f}, " + ", ".join(
                f"{name} {value:+.3f}" for name, value in model.fallback.coefficients.items()))
        held = result.metrics["held_out"]
        if held:
            ids = ", ".join(map(str, data["held_out_match_ids"]))
            write(f"Held out: {plural(held['matches'], 'match', 'matches')} ({ids}), ours beside StatsBomb's xG:")
            for line in xg.comparison_lines(held):
                write(line)
        cross = result.metrics["cross_validated"]
        if cross:
            write(f"Cross-validated over all {cross['matches']} matches ({cross['folds']} folds by match, "
                  f"{cross['shots']} shots): Brier {cross['brier']:.4f} vs StatsBomb {cross['provider_brier']:.4f}, "
                  f"log loss {cross['log_loss']:.4f} vs {cross['provider_log_loss']:.4f}")
        write(self.style.SUCCESS(f"Saved xG model version {saved.version}, now the active one."))
