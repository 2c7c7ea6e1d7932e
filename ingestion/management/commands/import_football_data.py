from ingestion import football_data
from ingestion.files import expand, read_bytes
from ingestion.imports import import_matches
from ingestion.management.importing import ImportCommand


class Command(ImportCommand):
    help = ("Import football-data.co.uk results, match statistics and bookmaker odds "
            "(CSV files, folders of them, or the site's URLs such as https://www.football-data.co.uk/mmz4281/2324/E0.csv).")

    def add_arguments(self, parser):
        parser.add_argument("locations", nargs="+", metavar="CSV_OR_DIR")
        parser.add_argument("--division", help='Division code for files without a Div column, e.g. "D1".')
        super().add_arguments(parser)

    def run(self, options):
        results = []
        for location in expand(options["locations"], "*.csv"):
            records = football_data.parse_csv(read_bytes(location), path_label=location, division=options["division"])
            summary = import_matches(
                records, source=football_data.SOURCE, job="import_football_data", target=location,
                strict=options["strict"], bookmakers=football_data.bookmakers_for(records),
                progress=self.progress(location),
            )
            results.append((location, summary))
        return results
