from django.core.management.base import BaseCommand, CommandError

from matches import xg
from matches.management.commands.train_xg import plural, progress_writer
from matches.records import RecordError


class Command(BaseCommand):
    help = ("Evaluate the active xG model on the held-out matches of a StatsBomb open-data folder (the split "
            "train_xg used) beside StatsBomb's own xG. Last line: "
            "xg brier=<ours> provider_brier=<theirs> shots=<n>")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="StatsBomb open-data folder (its events/ folder is read)")

    def handle(self, *args, **options):
        path = options["path"]
        model = xg.active_model()
        if model is None:
            raise CommandError("no active xG model: run `manage.py train_xg PATH` first")
        try:
            held_ids, shots = xg.held_out_shots(path, model.training_data, on_progress=progress_writer(self))
        except RecordError as error:
            raise CommandError(str(error)) from error
        if not held_ids:
            raise CommandError(f"{path}: every held-out match of this folder was used to train {model}")
        try:
            comparison = xg.compare(shots, xg.predict(shots, model))
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        write = self.stdout.write
        trained = model.training_data
        write(f"{model}, trained {model.created_at:%Y-%m-%d %H:%M} UTC on {trained.get('shots')} shots from "
              f"{trained.get('matches')} matches")
        write(f"Held out in {path}: {plural(len(held_ids), 'match', 'matches')} ({', '.join(map(str, held_ids))}), "
              f"ours beside StatsBomb's xG:")
        for line in xg.comparison_lines(comparison):
            write(line)
        write(f"xg brier={comparison['brier']:.4f} provider_brier={comparison['provider_brier']:.4f} "
              f"shots={comparison['shots']}")
