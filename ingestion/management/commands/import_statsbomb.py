import datetime as dt

from django.core.management import CommandError

from ingestion import statsbomb
from ingestion.imports import import_matches
from ingestion.management.importing import ImportCommand

# Matches are parsed and written this many at a time: a whole open-data season at once
# would hold ~100 MB of events in memory; each match is still its own transaction.
CHUNK = 20


def local_kickoff(value: str) -> dt.date | dt.datetime:
    """A date, or a date and time (naive: the parser reads it in the competition's time zone)."""
    return dt.datetime.fromisoformat(value) if "T" in value or " " in value.strip() else dt.date.fromisoformat(value)


class Command(ImportCommand):
    job = "import_statsbomb"
    help = ("Import StatsBomb open data (events, lineups and, where the folder has one, the matches file) "
            "from a local open-data folder or its public URL.")

    def add_arguments(self, parser):
        parser.add_argument("root", metavar="PATH", help=f"open-data root (holding events/ and lineups/), or {statsbomb.OPEN_DATA_URL}")
        parser.add_argument("--competition", type=int, help="StatsBomb competition id (e.g. 9, Bundesliga)")
        parser.add_argument("--season", type=int, help="StatsBomb season id (e.g. 281, 2023/24)")
        parser.add_argument("--match", type=int, action="append", dest="matches", metavar="ID",
                            help="import only this match (repeatable)")
        parser.add_argument("--date", type=local_kickoff, metavar="YYYY-MM-DD[THH:MM]",
                            help="kick-off for matches no matches file dates, in the competition's local time "
                                 "(a date alone means 15:00)")
        super().add_arguments(parser)

    def run(self, options):
        folder = statsbomb.StatsBombFolder(options["root"])
        if options["season"] is not None and options["competition"] is None:
            raise CommandError("--season needs --competition")
        match_ids = options["matches"] or folder.match_ids(options["competition"], options["season"])
        if not match_ids:
            raise CommandError(f"{options['root']}: no matches to import")

        results, undated, imported = [], [], 0
        for start in range(0, len(match_ids), CHUNK):
            records = []
            for match_id in match_ids[start:start + CHUNK]:
                try:
                    records.append(folder.parse_match(match_id, competition_id=options["competition"],
                                                      season_id=options["season"], kickoff=options["date"]))
                except statsbomb.UndatedMatch:
                    undated.append(match_id)
            if not records:
                continue
            label = f"{options['root']} (matches {start + 1}-{start + len(records)})" if len(match_ids) > CHUNK \
                else str(options["root"])
            results.append((label, import_matches(
                records, source=statsbomb.SOURCE, job=self.job, target=str(options["root"]),
                strict=options["strict"], progress=self.progress(label))))
            imported += len(records)
        for match_id in undated:
            self.stderr.write(self.style.WARNING(
                f"skipped match {match_id}: no matches file dates it; import it with "
                f"--match {match_id} --date YYYY-MM-DD [--competition ID --season ID]"))
        if not imported:
            raise CommandError(f"no match could be dated: {', '.join(map(str, undated))}")
        return results
