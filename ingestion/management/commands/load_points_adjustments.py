from django.core.management.base import BaseCommand, CommandError

from ingestion import points_adjustments
from matches.records import RecordError


class Command(BaseCommand):
    help = ("Load the leagues' points rulings (deductions, appeals) from a sourced CSV into the seasons' points "
            "adjustments: competition, season, team, points, reason, decided_on, source_url. Idempotent; one "
            f"transaction. Default file: {points_adjustments.DEFAULT_FILE.name} in matches/data/.")

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(points_adjustments.DEFAULT_FILE), metavar="FILE")

    def handle(self, *args, **options):
        try:
            report = points_adjustments.load_file(options["file"])
        except RecordError as error:
            raise CommandError(str(error)) from error
        for kind, names in (("created", report.created), ("updated", report.updated)):
            for name in names:
                self.stderr.write(f"  {kind}: {name}")
        self.stdout.write(report.summary(options["file"]))
