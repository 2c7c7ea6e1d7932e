from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ingestion import fpl
from ingestion.files import is_url, read_bytes
from ingestion.fpl_import import import_fpl_season
from ingestion.imports import ImportFailed
from matches.records import RecordError


class Command(BaseCommand):
    help = ("Import Fantasy Premier League data: season folders in the flattened layout of "
            "vaastav/Fantasy-Premier-League (players_raw.csv, teams.csv, fixtures.csv, gws/gwN.csv), or files "
            "or URLs of the API's own JSON answers (one bootstrap-static, plus fixtures, element-summary/<id> "
            "and event/<gw>/live), taken together as one season.")
    job = "import_fpl"

    def add_arguments(self, parser):
        parser.add_argument("locations", nargs="+", metavar="PATH_OR_URL")

    def handle(self, *args, **options):
        folders = [location for location in options["locations"] if not is_url(location) and Path(location).is_dir()]
        answers = [location for location in options["locations"] if location not in folders]
        try:
            # Everything is read and checked before anything is written.
            seasons = [fpl.parse_season_folder(folder) for folder in folders]
            if answers:
                seasons.append(fpl.parse_api_answers([(location, read_bytes(location)) for location in answers],
                                                     observed_at=timezone.now()))
            for season in seasons:
                summary = import_fpl_season(season, job=self.job, target=season.label, progress=self.progress)
                self.stdout.write(f"{season.label}:")
                for line in summary.lines():
                    self.stdout.write(f"  {line}")
        except (ImportFailed, RecordError) as exc:
            raise CommandError(str(exc)) from exc

    def progress(self, message: str) -> None:
        if self.verbosity_allows():
            self.stderr.write(message)

    def verbosity_allows(self) -> bool:
        return getattr(self, "_verbosity", 1) >= 1

    def execute(self, *args, **options):
        self._verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)
