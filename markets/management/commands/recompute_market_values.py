import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from markets import valuation


class Command(BaseCommand):
    help = ("Value every player with a season row once, as the Monday job does (markets.valuation); "
            "run again the same day it rewrites the same values.")

    def add_arguments(self, parser):
        parser.add_argument("--date", help="the valuation day, YYYY-MM-DD (default: today)")

    def handle(self, *args, **options):
        try:
            day = dt.date.fromisoformat(options["date"]) if options["date"] else None
        except ValueError:
            raise CommandError(f"--date {options['date']!r} is not a date (YYYY-MM-DD)") from None
        self.stdout.write(valuation.recompute_all(day))
