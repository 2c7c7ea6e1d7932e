from django.core.management.base import BaseCommand, CommandError

from matches import xg
from matches.management.commands.train_xg import plural, progress_writer
from matches.records import RecordError


class Command(BaseCommand):
    help = ("Evaluate the active xG model beside StatsBomb's own xG on the matches of a StatsBomb open-data folder "
            "that it was not fitted on: on its training folder the held-out split train_xg used, on any other "
            "folder every match. Last line: xg brier=<ours> provider_brier=<theirs> shots=<n>")

    def add_arguments(self, parser):
        parser.add_argument("path", metavar="PATH", help="StatsBomb open-data folder (its events/ folder is read)")

    def handle(self, *args, **options):
        path = options["path"]
        model = xg.active_model()
        if model is None:
            raise CommandError("no active xG model: run `manage.py train_xg PATH` first")
        try:
            match_ids, shots = xg.unseen_shots(path, model.training_data, on_progress=progress_writer(self))
        except RecordError as error:
            raise CommandError(str(error)) from error
        if not match_ids:
            raise CommandError(f"{path}: every match of this folder was used to train {model}")
        try:
            comparison = xg.compare(shots, xg.predict(shots, model))
        except ValueError as error:
            raise CommandError(f"{path}: {error}") from error
        write = self.stdout.write
        trained = model.training_data
        write(f"{model}, trained {model.created_at:%Y-%m-%d %H:%M} UTC on {trained.get('shots')} shots from "
              f"{trained.get('matches')} matches")
        ids = ", ".join(map(str, match_ids))
        if xg.is_training_folder(path, trained):
            write(f"Held out in {path}: {plural(len(match_ids), 'match', 'matches')} ({ids}), ours beside StatsBomb's xG:")
        else:
            seen = len(xg.events_files(path)) - len(match_ids)
            also = f"; {plural(seen, 'match', 'matches')} left out, the model was fitted on them" if seen else ""
            write(f"Every match of {path} (not a training folder): {plural(len(match_ids), 'match', 'matches')}"
                  f"{also}, ours beside StatsBomb's xG:")
        for line in xg.comparison_lines(comparison):
            write(line)
        write(f"xg log_loss={comparison['log_loss']:.4f} provider_log_loss={comparison['provider_log_loss']:.4f} "
              f"shots={comparison['shots']}")
        write(f"xg brier={comparison['brier']:.4f} provider_brier={comparison['provider_brier']:.4f} "
              f"shots={comparison['shots']}")
