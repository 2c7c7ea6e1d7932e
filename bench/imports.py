"""Import benchmarks: one StatsBomb match and one football-data.co.uk season into an empty database.

Targets (issue): a StatsBomb match (about 3,800 events) in under 1 s, a football-data
season in under 0.5 s. Each repetition parses the input, writes it (``import_matches``,
as the commands do), then parses it again and re-imports it unchanged.
"""

import datetime as dt
from pathlib import Path
from time import perf_counter

from ingestion import football_data, statsbomb
from ingestion.imports import import_matches


def benchmarks(data: Path) -> list[tuple[str, str, float, object]]:
    """(name, what, target seconds for parse+write, run) for each input present under ``data``."""
    root = data / "statsbomb"
    season = data / "football-data" / "E0" / "2324.csv"
    found = [
        ("statsbomb_match_import", "StatsBomb 3788741, Euro 2020 Turkey v Italy (3,803 events)", 1.0, root / "events/3788741.json",
         lambda: statsbomb_match(root, 3788741, competition_id=55, season_id=43, kickoff=dt.date(2021, 6, 11))),
        ("statsbomb_match_import_bundesliga", "StatsBomb 3895074, Bundesliga 2023/24 (4,346 events)", 1.0, root / "events/3895074.json",
         lambda: statsbomb_match(root, 3895074, competition_id=9, season_id=281)),
        ("football_data_season_import", "football-data E0 2023/24 (380 matches with odds)", 0.5, season,
         lambda: football_data_season(season)),
    ]
    present = []
    for name, what, target, path, run in found:
        if path.exists():
            present.append((name, what, target, run))
        else:
            print(f"skipped {name}: {path} not found")
    return present


def statsbomb_match(root: Path, match_id: int, **where) -> dict[str, float]:
    def parse():
        return [statsbomb.StatsBombFolder(root).parse_match(match_id, **where)]

    return _timed(parse, lambda records: import_matches(records, source=statsbomb.SOURCE, job="bench"))


def football_data_season(path: Path) -> dict[str, float]:
    def write(records):
        return import_matches(records, source=football_data.SOURCE, job="bench",
                              bookmakers=football_data.bookmakers_for(records))

    return _timed(lambda: football_data.parse_file(path), write)


def _timed(parse, write) -> dict[str, float]:
    """Seconds for parse, write, their total, and a re-import (write only) of the same input unchanged."""
    started = perf_counter()
    records = parse()
    parsed = perf_counter()
    first = write(records)
    written = perf_counter()
    records = parse()
    again_started = perf_counter()
    again = write(records)
    again_done = perf_counter()
    if (first.created, again.unchanged) != (len(records), len(records)):
        raise RuntimeError(f"expected {len(records)} created then unchanged, got {first} then {again}")
    return {"parse": parsed - started, "write": written - parsed, "total": written - started,
            "reimport": again_done - again_started}
