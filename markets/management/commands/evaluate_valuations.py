import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from markets import valuation, valuation_eval
from markets.models import ValuationModel
from markets.valuation_eval import NotEnoughData, ValuationDataError

LACKING = ("valuation: no market values to judge against: looked for Transfermarkt-style CSV files "
           "(a name column and market_value_in_eur) {where} and for reference market prices (FPL "
           "start-of-season prices: import_fpl) and found none; pass --values FILE.csv")


class Command(BaseCommand):
    help = ("Judge the valuation model against real market values (Transfermarkt-style CSV files, and every "
            "reference market another app registers: FPL start-of-season prices): fit its term scales on "
            "most matched players, then print Spearman rank correlation and median absolute percentage "
            "error on the players held out. Each judgement ends with valuation spearman=<rho> players=<n> "
            "(the last line is the last one's), or it says which data it lacks.")

    def add_arguments(self, parser):
        parser.add_argument("--values", nargs="+", type=Path,
                            help="Transfermarkt-style CSV files (default: any under QUANTFOOT_DATA)")
        parser.add_argument("--as-of", help="value our players on this day, YYYY-MM-DD "
                                            "(default: the latest valuation date in the files)")
        parser.add_argument("--save", action="store_true",
                            help="store the fitted model as the next version (the Monday job then uses it)")

    def handle(self, *args, **options):
        try:
            as_of = dt.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError:
            raise CommandError(f"--as-of {options['as_of']!r} is not a date (YYYY-MM-DD)") from None
        files = options["values"]
        if files:
            missing = [str(path) for path in files if not path.is_file()]
            if missing:
                raise CommandError(f"no such file: {', '.join(missing)}")
        else:
            root = Path(settings.QUANTFOOT_DATA)
            files = valuation_eval.find_market_value_files(root)
        model = valuation.current_model()
        reports, lacking = [], []
        if files:
            try:
                reports.append(valuation_eval.evaluate(files, model.parameters, as_of))
            except NotEnoughData as error:
                lacking.append(str(error))
            except ValuationDataError as error:
                raise CommandError(str(error)) from error
        # Real markets other apps register (FPL start-of-season prices), every season with prices.
        judged, unjudged = valuation_eval.reference_reports(model.parameters, as_of)
        reports += judged
        lacking += unjudged
        if not reports:
            if not lacking:
                where = f"under {settings.QUANTFOOT_DATA} (found none)" if not options["values"] else "given"
                self.stdout.write(LACKING.format(where=where))
            for reason in lacking:
                self.stdout.write(f"valuation: not enough data to judge: {reason}")
            return
        if options["save"]:
            in_euros = [report for report in reports if report.unit == "€"]
            if not in_euros:
                raise CommandError("--save fits the model to market values in euros (--values FILE.csv); "
                                   f"{reports[0].against} is priced in {reports[0].unit}")
            self.save(in_euros[0])
        for reason in lacking:
            self.stdout.write(f"Not judged: {reason}")
        for report in reports:
            self.summary(model, report)
            self.stdout.write(f"valuation spearman={report.spearman:.4f} players={report.held_out}")

    def summary(self, model: ValuationModel, report: valuation_eval.Report):
        write = self.stdout.write
        valued = f"valued as of {report.as_of}" + (f", {report.note}" if report.note else "")
        if report.unit == "€":
            write(f"Market values: {report.values} in {report.against}; "
                  f"{report.matched} belong to players we have statistics for ({valued})")
        else:
            write(f"Against {report.against} ({report.unit}): {report.values} players priced, "
                  f"{report.matched} with minutes we know of ({valued})")
        if report.unmatched_examples:
            write(f"Not matched by name, e.g.: {', '.join(report.unmatched_examples)}")
        write(f"Fitted on {report.train} players, judged on {report.held_out} held out:")
        unit = "" if report.unit == "€" else "; one unit factor fitted"
        write(f"  model v{model.version} as documented{unit}: spearman {report.spearman_documented:.4f}, "
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
