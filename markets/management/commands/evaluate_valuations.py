import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from markets import valuation, valuation_eval
from markets.models import ValuationModel
from markets.valuation_eval import NotEnoughData, ValuationDataError

LACKING = ("valuation: no market values to judge against: looked for Transfermarkt-style CSV files "
           "(a name column and market_value_in_eur) {where}; pass --values FILE.csv")


class Command(BaseCommand):
    help = ("Judge the valuation model against real market values: fit its term scales on most matched "
            "players, then print Spearman rank correlation and median absolute percentage error on the "
            "players held out. Last line: valuation spearman=<rho> players=<n>, or which data it lacks.")

    def add_arguments(self, parser):
        parser.add_argument("--values", nargs="+", type=Path,
                            help="Transfermarkt-style CSV files (default: any under QUANTFOOT_DATA)")
        parser.add_argument("--as-of", help="value our players on this day, YYYY-MM-DD "
                                            "(default: the latest valuation date in the files)")
        parser.add_argument("--save", action="store_true",
                            help="store the fitted model as the next version (the Monday job then uses it)")

    def handle(self, *args, **options):
        files = options["values"]
        if files:
            missing = [str(path) for path in files if not path.is_file()]
            if missing:
                raise CommandError(f"no such file: {', '.join(missing)}")
        else:
            root = Path(settings.QUANTFOOT_DATA)
            files = valuation_eval.find_market_value_files(root)
            if not files:
                self.stdout.write(LACKING.format(where=f"under {root} (found none)"))
                return
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError:
            raise CommandError(f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD)") from None
        model = valuation.current_model()
        try:
            report = valuation_eval.evaluate(files, model.parameters, as_of)
        except NotEnoughData as error:
            self.stdout.write(f"valuation: not enough data to judge: {error}")
            return
        except ValuationDataError as error:
            raise CommandError(str(error)) from error
        self.summary(model, report)
        if options["save"]:
            self.save(report)
        self.stdout.write(f"valuation spearman={report.spearman:.4f} players={report.held_out}")

    def summary(self, model: ValuationModel, report: valuation_eval.Report):
        write = self.stdout.write
        write(f"Market values: {report.values} in {', '.join(str(path) for path in report.files)}; "
              f"{report.matched} belong to players we have statistics for (valued as of {report.as_of})")
        if report.unmatched_examples:
            write(f"Not matched by name, e.g.: {', '.join(report.unmatched_examples)}")
        write(f"Fitted on {report.train} players, judged on {report.held_out} held out:")
        write(f"  model v{model.version} as documented: spearman {report.spearman_documented:.4f}, "
              f"median abs. error {report.mdape_documented:.1%}")
        scales = ", ".join(f"{key} ×{scale:.2f}" for key, scale in report.parameters["term_scales"].items())
        write(f"  fitted (term scales {scales}; intercept {report.parameters['intercept']:+.2f}): "
              f"spearman {report.spearman:.4f}, median abs. error {report.mdape:.1%}")

    @transaction.atomic
    def save(self, report: valuation_eval.Report):
        latest = valuation.current_model()
        model = ValuationModel.objects.create(
            version=latest.version + 1, parameters=report.parameters,
            description=valuation.DESCRIPTION + f" Term scales fitted to {report.train} players' market values.",
            metrics={"spearman": report.spearman, "mdape": report.mdape, "held_out": report.held_out,
                     "train": report.train, "as_of": report.as_of.isoformat(),
                     "files": [str(path) for path in report.files]})
        self.stdout.write(f"Stored valuation model v{model.version}; the Monday job uses it from now on.")
