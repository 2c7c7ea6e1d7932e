from ingestion import openfootball
from ingestion.files import expand, read_bytes
from ingestion.imports import import_matches
from ingestion.management.importing import ImportCommand


class Command(ImportCommand):
    help = ("Import openfootball football.json season files (e.g. 2023-24/en.1.json), folders of them, "
            "or their raw URLs.")

    def add_arguments(self, parser):
        parser.add_argument("locations", nargs="+", metavar="JSON")
        parser.add_argument("--competition", help='openfootball code when the file name does not give it, e.g. "en.1".')
        super().add_arguments(parser)

    def run(self, options):
        results = []
        for location in expand(options["locations"], "*.json"):
            records = openfootball.parse_season_file(
                read_bytes(location), path_label=location, competition_code=options["competition"])
            summary = import_matches(
                records, source=openfootball.SOURCE, job="import_openfootball", target=location,
                strict=options["strict"], progress=self.progress(location),
            )
            results.append((location, summary))
        return results
