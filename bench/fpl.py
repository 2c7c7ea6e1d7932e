"""FPL season import benchmark: FPL 2023/24 (865 players, 29,725 gameweek rows) onto E0 2023/24.

Target (issue 11): under 5 s for a season on SQLite, parse and write. Each repetition first
imports football-data.co.uk's E0 2023/24 (not timed: the matches FPL lands on), then parses
the FPL season folder, writes it (``import_fpl_season``, as the command does: fixtures onto
the matches, players, 11,384 match lines, 29,725 FPL lines, availability, the season's player
figures recomputed), then parses it again and re-imports it unchanged.
"""

from pathlib import Path
from time import perf_counter

from ingestion import football_data, fpl
from ingestion.fpl_import import import_fpl_season
from ingestion.imports import import_matches


def benchmarks(data: Path) -> list[tuple[str, str, float, object]]:
    folder, e0 = data / "fpl" / "2023-24", data / "football-data" / "E0" / "2324.csv"
    if not (folder / "players_raw.csv").exists() or not e0.exists():
        print(f"skipped fpl_season_import: {folder} or {e0} not found")
        return []
    return [("fpl_season_import", "FPL 2023/24 onto E0 2023/24 (865 players, 29,725 gameweek rows)", 5.0,
             lambda: fpl_season(folder, e0))]


def fpl_season(folder: Path, e0: Path) -> dict[str, float]:
    records = football_data.parse_file(e0)
    import_matches(records, source=football_data.SOURCE, job="bench", bookmakers=football_data.bookmakers_for(records))
    started = perf_counter()
    season = fpl.parse_season_folder(folder)
    parsed = perf_counter()
    first = import_fpl_season(season, job="bench")
    written = perf_counter()
    again = import_fpl_season(fpl.parse_season_folder(folder), job="bench")
    done = perf_counter()
    if again.changed or first.stats.created == 0:
        raise RuntimeError(f"expected lines created then unchanged, got {first.lines()} then {again.lines()}")
    return {"parse": parsed - started, "write": written - parsed, "total": written - started,
            "reimport": done - written}
