from ingestion import football_data
from ingestion.management.importing import ImportCommand


class Command(ImportCommand):
    help = ("Import football-data.co.uk results, match statistics and bookmaker odds "
            "(CSV files, folders of them, or the site's URLs such as https://www.football-data.co.uk/mmz4281/2324/E0.csv).")
    job = "import_football_data"

    def add_arguments(self, parser):
        parser.add_argument("locations", nargs="+", metavar="CSV_OR_DIR")
        parser.add_argument("--division", help='Division code for files without a Div column, e.g. "D1"; also the one code '
                            'not in our catalog that the file may name (a new competition).')
        super().add_arguments(parser)

    def run(self, options):
        def parse(content, location):
            return football_data.parse_csv(content, path_label=location, division=options["division"])

        return self.import_files(options["locations"], "*.csv", parse, source=football_data.SOURCE,
                                 strict=options["strict"], bookmakers=football_data.bookmakers_for)
