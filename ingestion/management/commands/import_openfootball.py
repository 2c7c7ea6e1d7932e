from ingestion import openfootball
from ingestion.management.importing import ImportCommand


class Command(ImportCommand):
    help = ("Import openfootball football.json season files (e.g. 2023-24/en.1.json), folders of them, "
            "or their raw URLs.")
    job = "import_openfootball"

    def add_arguments(self, parser):
        parser.add_argument("locations", nargs="+", metavar="JSON")
        parser.add_argument("--competition", help='openfootball code when the file name does not give it, e.g. "en.1".')
        super().add_arguments(parser)

    def run(self, options):
        def parse(content, location):
            return openfootball.parse_season_file(content, path_label=location,
                                                  competition_code=options["competition"])

        return self.import_files(options["locations"], "*.json", parse, source=openfootball.SOURCE,
                                 strict=options["strict"])
