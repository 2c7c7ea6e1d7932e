"""import_betfair PATH_OR_DIR ...: Betfair Exchange Stream API files (and their .bz2/.gz downloads)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ingestion.betfair import IN_PLAY_SECONDS, PRE_OFF_SECONDS, Sampling, open_stream
from ingestion.betfair_import import import_betfair_file
from ingestion.files import expand, is_url
from matches.records import RecordError


def looks_like_stream(path: Path) -> bool:
    """Whether a file found in a folder is a stream recording: its first line is a message with an "op"."""
    try:
        with open_stream(path) as lines:
            first = next((line for line in lines if line.strip()), "")
    except (OSError, EOFError, UnicodeDecodeError):
        return False
    return first.lstrip().startswith("{") and '"op"' in first[:200]


class Command(BaseCommand):
    help = ("Import Betfair Exchange Stream API files (one mcm JSON message a line, as Betfair's historical data "
            "and flumine record them; .bz2 and .gz are read as they are): markets, runners and sampled snapshots "
            "of their back and lay prices. Each file is one transaction; running a file again changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("locations", nargs="+", metavar="PATH_OR_DIR")
        parser.add_argument("--pre-off-seconds", type=float, default=PRE_OFF_SECONDS,
                            help="Keep at most one book per runner per this many seconds before the off (default 60).")
        parser.add_argument("--in-play-seconds", type=float, default=IN_PLAY_SECONDS,
                            help="Keep at most one book per runner per this many seconds in play (default 5).")

    def handle(self, *args, **options):
        if options["pre_off_seconds"] < 0 or options["in_play_seconds"] < 0:
            raise CommandError("--pre-off-seconds and --in-play-seconds cannot be negative")
        sampling = Sampling(options["pre_off_seconds"], options["in_play_seconds"])
        verbose = options["verbosity"] >= 1
        try:
            files = self.stream_files(options["locations"])
            for path in files:
                summary = import_betfair_file(path, sampling=sampling,
                                              progress=self.stderr.write if verbose else None)
                self.stdout.write(f"{path}: {summary}")
                for link in summary.linked:
                    self.stdout.write(f"  linked {link}")
        except RecordError as exc:
            raise CommandError(str(exc)) from exc

    def stream_files(self, locations: list[str]) -> list[str]:
        """Files named are taken as they are; a folder's files only when they look like recordings."""
        files = []
        for location in locations:
            if is_url(location):
                raise RecordError(location, "stream files are read from disk; download it first")
            if Path(location).is_dir():
                for found in expand([location], "*"):
                    path = Path(found)
                    if not path.is_file() or path.name.startswith("."):
                        continue
                    if looks_like_stream(path):
                        files.append(found)
                    else:
                        self.stdout.write(f"{found}: skipped, not a stream file (no \"op\" on its first line)")
            else:
                files.append(location)
        return files
