"""football-data.co.uk result-and-odds CSV files -> MatchRecords (pure: text in, records out).

Reads the raw site files (``E0.csv``, ``D1.csv`` …, one division-season per file) and the
Frictionless Data copy of them (datasets/football-datasets: no ``Div`` column, no odds,
ISO dates). Columns are read by header name, never by position, because the site adds
and drops bookmakers from season to season.

Decisions worth knowing:

- Time zone. The ``Time`` column is UK time for every division (the site publishes UK
  times: a Bundesliga Friday opener at 20:30 in Germany is listed as 19:30), so it is
  read as Europe/London and stored as UTC. A row without a time gets 15:00 in the
  competition's own time zone (from ``matches.catalog``; Europe/London when the
  division is unknown): a guess at a traditional kick-off that keeps the date right.
- Dates: dd/mm/yyyy, dd/mm/yy (00-68 -> 20xx, 69-99 -> 19xx, as ``strptime``'s ``%y``)
  or ISO yyyy-mm-dd.
- The season comes from the file's earliest match: a first match in July-December of
  year Y makes the season "Y/(Y+1)"; in January-June, "(Y-1)/Y". A ``Season`` column
  (the site's "extra leagues" files) wins when present.
- Division: the ``Div`` cell; without a ``Div`` column, the ``division`` argument, and
  without that, the Frictionless folder name (``bundesliga`` -> ``D1`` …).
- The site has no match ids, so a match is keyed ``"{div}:{date}:{home}:{away}"`` with
  the names as the file spells them: the raw file and the Frictionless copy of the same
  match get the same key.
- Odds: every bookmaker found in the header, discovered by pattern (``<code>H``,
  ``<code>CH``, ``<code>>2.5``, ``<code>C<2.5``, ``<code>AHH``, ``<code>CAHA`` …), for
  1X2, over/under and Asian handicap, pre-match and closing. ``P`` (Pinnacle's prefix
  for totals and handicaps) becomes ``PS``, ``BbMx``/``BbAv`` (Betbrain, older files)
  become ``Max``/``Avg``. The Asian handicap line is the home team's handicap (``AHh``,
  ``AHCh`` for closing; ``BbAHh`` or ``<code>AH`` in older files). Empty cells, and the
  "0" the site occasionally writes for a price it could not collect (2021/22 E0 has
  one), are skipped; any other price that is not a number above 1 is bad input.
- Errors raise ``RecordError`` naming the file, the 1-based line and the column. The
  whole file is parsed before anything is returned, so a bad line means nothing is
  written.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import math
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

from matches.catalog import COMPETITIONS, known_competition
from matches.records import (
    CompetitionRef,
    MatchRecord,
    OddsRecord,
    Origin,
    RecordError,
    TeamRef,
    TeamStatsRecord,
)

SOURCE = "football_data_uk"
UK_TIME = ZoneInfo("Europe/London")
DEFAULT_LOCAL_KICKOFF = dt.time(15, 0)

# Bookmaker code -> (display name, is an aggregate over many bookmakers).
BOOKMAKERS: dict[str, tuple[str, bool]] = {
    "B365": ("Bet365", False),
    "BW": ("Bet&Win", False),
    "IW": ("Interwetten", False),
    "PS": ("Pinnacle", False),
    "WH": ("William Hill", False),
    "VC": ("VC Bet", False),
    "LB": ("Ladbrokes", False),
    "BF": ("Betfair", False),
    "BFE": ("Betfair Exchange", False),
    "1XB": ("1xBet", False),
    "GB": ("Gamebookers", False),
    "BS": ("Blue Square", False),
    "SB": ("Sportingbet", False),
    "SJ": ("Stan James", False),
    "SO": ("Sporting Odds", False),
    "SY": ("Stanleybet", False),
    "Max": ("Market maximum", True),
    "Avg": ("Market average", True),
}
# Column prefixes that name a bookmaker under another code.
PREFIX_CODES = {"P": "PS", "BbMx": "Max", "BbAv": "Avg"}

# Folder names of the Frictionless football-datasets packages -> division code.
FRICTIONLESS_FOLDERS = {
    "premier-league": "E0", "bundesliga": "D1", "la-liga": "SP1", "serie-a": "I1", "ligue-1": "F1",
}

# Required columns, each with the other header names some files use for it.
REQUIRED = {
    "Date": ("Date",),
    "HomeTeam": ("HomeTeam", "Home", "HT"),
    "AwayTeam": ("AwayTeam", "Away", "AT"),
    "FTHG": ("FTHG", "HG"),
    "FTAG": ("FTAG", "AG"),
}
STATS = {  # TeamStatsRecord field -> (home column, away column)
    "shots": ("HS", "AS"),
    "shots_on_target": ("HST", "AST"),
    "fouls": ("HF", "AF"),
    "corners": ("HC", "AC"),
    "yellow_cards": ("HY", "AY"),
    "red_cards": ("HR", "AR"),
    "offsides": ("HO", "AO"),
}
# Columns that are not prices even though some look like one (``HR`` ends like ``<code>H``).
NOT_ODDS = {
    "Div", "Date", "Time", "Season", "Country", "League", "HomeTeam", "AwayTeam", "Home", "Away",
    "HT", "AT", "FTHG", "FTAG", "HG", "AG", "FTR", "Res", "HTHG", "HTAG", "HTR", "Referee",
    "Attendance", "HS", "AS", "HST", "AST", "HHW", "AHW", "HC", "AC", "HF", "AF", "HFKC", "AFKC",
    "HO", "AO", "HY", "AY", "HR", "AR", "HBP", "ABP",
}

ONE_X_TWO = re.compile(r"(?P<stem>[A-Za-z0-9]+?)(?P<sel>[HDA])")
TOTALS = re.compile(r"(?P<stem>[A-Za-z0-9]+?)(?P<side>[<>])(?P<line>\d+(?:\.\d+)?)")
HANDICAP = re.compile(r"(?P<stem>[A-Za-z0-9]+?)AH(?P<sel>[HA])")
HANDICAP_LINE = re.compile(r"(?:[A-Za-z0-9]*)AH(?:C?h)?")  # AHh, AHCh, BbAHh, B365AH (and BbAH, a count)
SELECTIONS = {"H": "home", "D": "draw", "A": "away", ">": "over", "<": "under"}


def parse_csv(source: str | bytes | os.PathLike, *, path_label: str | None = None,
              division: str | None = None) -> list[MatchRecord]:
    """Parse one football-data.co.uk CSV (text, bytes or a file path) into validated records.

    ``path_label`` names the file in error messages (defaults to the path, if one is
    given); ``division`` is the code (``"D1"``) for files without a ``Div`` column.
    """
    if isinstance(source, os.PathLike):
        # Read as a stream: memory stays with the records, not with the file (a 50 MB file is not held).
        label = path_label or os.fspath(source)
        encoding = _encoding_of(Path(source))
        with open(source, encoding=encoding, errors="replace", newline="") as handle:
            return _Parser(label, division).parse(handle)
    label = path_label or "<csv>"
    text = _decode(source, label) if isinstance(source, bytes) else source
    return _Parser(label, division).parse(_lines(text.removeprefix("\ufeff")))


def parse_file(path: str | os.PathLike, *, division: str | None = None) -> list[MatchRecord]:
    """Parse a CSV file by its path."""
    return parse_csv(Path(path), division=division)


def bookmakers_for(records: list[MatchRecord]) -> dict[str, tuple[str, bool]]:
    """Code -> (name, is_aggregate) for every bookmaker quoted in ``records``; unknown codes name themselves."""
    codes = {odds.bookmaker_code for record in records for odds in record.odds}
    return {code: BOOKMAKERS.get(code, (code, False)) for code in sorted(codes)}


def _lines(text: str):
    """The text's lines, ends kept, one at a time (csv joins a quoted field's lines itself): no copy of
    the whole text, where io.StringIO would hold one of four bytes a character."""
    start, length = 0, len(text)
    while start < length:
        end = text.find("\n", start)
        if end == -1:
            yield text[start:]
            return
        yield text[start:end + 1]
        start = end + 1


def _encoding_of(path: Path) -> str:
    """UTF-8 (a BOM allowed) if the whole file decodes as it, else cp1252 (the site's older files); read in
    chunks, nothing kept."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise RecordError(str(path), "UTF-16 text: football-data.co.uk files are UTF-8 or cp1252 (save it as UTF-8)")
        handle.seek(0)
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _decode(raw: bytes, label: str) -> str:
    if raw[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        raise RecordError(label, "UTF-16 text: football-data.co.uk files are UTF-8 or cp1252 (save it as UTF-8)")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")  # the site's older files


def season_of(first_match: dt.date) -> str:
    """The season a file belongs to, from its earliest match date ("2023/24")."""
    start = first_match.year if first_match.month >= 7 else first_match.year - 1
    return f"{start}/{(start + 1) % 100:02d}"


def _season_from_column(value: str) -> str | None:
    value = value.strip()
    if match := re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", value):
        return f"{match[1]}/{match[2][-2:]}"
    if re.fullmatch(r"\d{4}", value):
        return value
    return None


def parse_date(value: str) -> dt.date:
    """dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd; raises ValueError otherwise."""
    value = value.strip()
    if "/" in value:
        day, month, year = value.split("/")
        if len(year) == 2:
            year = ("20" if int(year) < 69 else "19") + year
        elif len(year) != 4:
            raise ValueError(value)
        return dt.date(int(year), int(month), int(day))
    return dt.date.fromisoformat(value)


def _column_plan(columns: dict[str, int]) -> list[tuple]:
    """Every price column of the header: (index, code, market, selection, phase, line, line column)."""
    found = []  # (index, stem, market, selection, line or None)
    for name, index in columns.items():
        if name in NOT_ODDS or HANDICAP_LINE.fullmatch(name):
            continue
        if match := HANDICAP.fullmatch(name):
            found.append((index, match["stem"], "asian_handicap", SELECTIONS[match["sel"]], None))
        elif match := TOTALS.fullmatch(name):
            found.append((index, match["stem"], "over_under", SELECTIONS[match["side"]], Decimal(match["line"])))
        elif match := ONE_X_TWO.fullmatch(name):
            found.append((index, match["stem"], "1x2", SELECTIONS[match["sel"]], Decimal(0)))

    stems = {(market, stem) for _, stem, market, _, _ in found}
    plan, seen = [], set()
    for index, stem, market, selection, line in sorted(found):
        prefix, closing = _split_stem(stem, market, stems)
        code = PREFIX_CODES.get(prefix, prefix)
        phase = "closing" if closing else "pre_match"
        line_column = None
        if market == "asian_handicap":
            line_column = _handicap_line_column(prefix, closing, columns)
            if line_column is None:
                continue  # prices without a line cannot be placed
        key = (code, market, selection, phase, line, line_column)
        if key in seen:
            continue  # e.g. both BbMxH and MaxH: the first one wins
        seen.add(key)
        plan.append((index, code, market, selection, phase, line, line_column))
    return plan


def _split_stem(stem: str, market: str, stems: set) -> tuple[str, bool]:
    """"PSC" -> ("PS", closing); "VC" -> ("VC", pre-match). Known codes first, then the header."""
    known = BOOKMAKERS.keys() | PREFIX_CODES.keys()
    if stem in known:
        return stem, False
    if stem.endswith("C") and len(stem) > 1:
        bare = stem[:-1]
        if bare in known or (market, bare) in stems:
            return bare, True
    return stem, False


def _handicap_line_column(prefix: str, closing: bool, columns: dict[str, int]) -> int | None:
    if closing:
        candidates = [f"{prefix}CAH", "AHCh"]
    elif prefix.startswith("Bb"):
        candidates = ["BbAHh"]
    else:
        candidates = [f"{prefix}AH", "AHh", "BbAHh"]
    for name in candidates:
        if name in columns and name != "BbAH":  # BbAH counts bookmakers, it is no line
            return columns[name]
    return None


def known_divisions() -> list[str]:
    return sorted(competition.codes[SOURCE] for competition in COMPETITIONS if SOURCE in competition.codes)


class _Parser:
    def __init__(self, path: str, division: str | None):
        self.path = path
        self.division = division or FRICTIONLESS_FOLDERS.get(Path(path).parent.name.lower())

    def fail(self, line: int | None, message: str):
        raise RecordError(Origin(self.path, line=line), message)

    def parse(self, lines) -> list[MatchRecord]:
        """``lines``: the file's lines, ends kept (a text file opened with newline="" or _lines(text))."""
        reader = csv.reader(lines)
        try:
            header = next(reader)
        except StopIteration:
            self.fail(None, "the file is empty")
        columns: dict[str, int] = {}
        for index, name in enumerate(header):
            name = name.strip()
            if name in columns:  # which of the two holds the value? Neither can be trusted.
                self.fail(1, f"column {name!r} appears twice (columns {columns[name] + 1} and {index + 1})")
            if name:
                columns[name] = index
        self.columns = columns
        self.required = {}
        for canonical, names in REQUIRED.items():
            index = next((columns[name] for name in names if name in columns), None)
            if index is None:
                self.fail(1, f"missing column {canonical!r}")
            self.required[canonical] = index
        if "Div" not in columns and not self.division:
            self.fail(1, "no 'Div' column: pass the division code (e.g. 'D1')")
        self.width = max(columns.values()) + 1
        self.plan = _column_plan(columns)
        self.line_columns = sorted({entry[-1] for entry in self.plan if entry[-1] is not None})
        self.stats = [(field, columns.get(home), columns.get(away)) for field, (home, away) in STATS.items()
                      if home in columns or away in columns]

        # One pass, row by row: a bad row stops the parse where it is, so a damaged 50 MB file is refused
        # at its first bad line without holding the rest (memory grows with the valid records only).
        records, keys = [], {}
        season_column, earliest = None, None
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue  # blank or all-comma trailing rows
            line = reader.line_num
            if len(row) < self.width:
                self.fail(line, f"the row has {len(row)} fields but the header has {self.width} (truncated row?)")
            if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
                self.fail(line, f"the row has {len(row)} fields but the header has {len(header)}")
            date = self.date(line, row)
            if not records and "Season" in self.columns:
                season_column = self.season_column(line, row)
            earliest = date if earliest is None else min(earliest, date)
            # The season is the Season column's, else the earliest date's: known for sure only at the
            # end, so each record is checked with the one known so far and all are given the final one.
            record = self.record(line, row, date, season_column or season_of(earliest))
            if record.external_id in keys:
                self.fail(line, f"the same match as line {keys[record.external_id]} ({record.external_id})")
            keys[record.external_id] = line
            record.validate()
            records.append(record)
        season = season_column or (season_of(earliest) if earliest else None)
        for record in records:
            record.season_name = season
        return records

    def cell(self, row: list[str], name: str) -> str:
        index = self.columns.get(name)
        return row[index].strip() if index is not None else ""

    def date(self, line: int, row: list[str]) -> dt.date:
        value = row[self.required["Date"]].strip()
        try:
            return parse_date(value)
        except ValueError:
            self.fail(line, f"column 'Date': {value!r} is not a date (dd/mm/yyyy, dd/mm/yy or yyyy-mm-dd)")

    def season_column(self, line: int, row: list[str]) -> str:
        value = self.cell(row, "Season")
        season = _season_from_column(value)
        if season is None:
            self.fail(line, f"column 'Season': {value!r} is not a season")
        return season

    def integer(self, line: int, row: list[str], column: str, index: int) -> int | None:
        value = row[index].strip()
        if not value:
            return None
        try:
            number = int(value)
        except ValueError:
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not number.is_integer():
                self.fail(line, f"column {column!r}: {value!r} is not a whole number")
            number = int(number)
        if number < 0:
            self.fail(line, f"column {column!r}: {value!r} is negative")
        return number

    def record(self, line: int, row: list[str], date: dt.date, season: str) -> MatchRecord:
        division = self.cell(row, "Div") or self.division
        if not division:
            self.fail(line, "column 'Div' is empty: pass the division code")
        known = known_competition(SOURCE, division)
        if known is None and division != self.division:
            # A competition comes from a code we know, or from the operator naming it (--division).
            self.fail(line, f"column 'Div': {division[:20]!r} is not a division we know ({', '.join(known_divisions())}); "
                            f"to import it as a new competition, pass --division {division[:20]}")
        competition = CompetitionRef(SOURCE, division, name=known.name if known else "",
                                     country=known.country if known else "")
        home = row[self.required["HomeTeam"]].strip()
        away = row[self.required["AwayTeam"]].strip()
        required = self.required
        home_score = self.integer(line, row, "FTHG", required["FTHG"])
        away_score = self.integer(line, row, "FTAG", required["FTAG"])
        ht = [self.integer(line, row, name, self.columns[name]) if name in self.columns else None
              for name in ("HTHG", "HTAG")]
        origin = Origin(self.path, line=line)
        return MatchRecord(
            origin=origin,
            source=SOURCE,
            external_id=f"{division}:{date.isoformat()}:{home}:{away}",
            competition=competition,
            season_name=season,
            kickoff=self.kickoff(line, row, date, known.timezone if known else None),
            home=TeamRef(SOURCE, home),
            away=TeamRef(SOURCE, away),
            status="scheduled" if home_score is None and away_score is None else "finished",
            home_score=home_score,
            away_score=away_score,
            home_ht_score=ht[0],
            away_ht_score=ht[1],
            referee=self.cell(row, "Referee"),
            attendance=self.integer(line, row, "Attendance", self.columns["Attendance"])
            if "Attendance" in self.columns else None,
            home_stats=self.team_stats(line, row, 1),
            away_stats=self.team_stats(line, row, 2),
            odds=self.odds(line, row),
        )

    def kickoff(self, line: int, row: list[str], date: dt.date, timezone: str | None) -> dt.datetime:
        value = self.cell(row, "Time")
        if not value:
            local = ZoneInfo(timezone) if timezone else UK_TIME
            return dt.datetime.combine(date, DEFAULT_LOCAL_KICKOFF, local).astimezone(dt.UTC)
        try:
            hour, minute = value.split(":")[:2]
            time = dt.time(int(hour), int(minute))
        except ValueError:
            self.fail(line, f"column 'Time': {value!r} is not a time (hh:mm)")
        return dt.datetime.combine(date, time, UK_TIME).astimezone(dt.UTC)

    def team_stats(self, line: int, row: list[str], side: int) -> TeamStatsRecord | None:
        values = {}
        for field, home_index, away_index in self.stats:
            index = home_index if side == 1 else away_index
            if index is not None:
                name = STATS[field][side - 1]
                values[field] = self.integer(line, row, name, index)
        if not any(value is not None for value in values.values()):
            return None
        return TeamStatsRecord(**values)

    def odds(self, line: int, row: list[str]) -> list[OddsRecord]:
        quotes = []
        handicap_lines = {index: self.handicap_line(line, row, index) for index in self.line_columns}
        for index, code, market, selection, phase, market_line, line_index in self.plan:
            value = row[index]
            if not value:
                continue
            try:
                price = float(value)
            except ValueError:
                if value.isspace():
                    continue
                price = math.nan
            if not 1 < price < math.inf:
                if price == 0:
                    continue  # the site's occasional "0": not quoted, like an empty cell
                self.fail(line, f"column {self.header_name(index)!r}: {value.strip()!r} is not a decimal price above 1")
            if line_index is not None:
                market_line = handicap_lines[line_index]
                if market_line is None:
                    continue  # a handicap price without its line cannot be placed
            quotes.append(OddsRecord(code, market, selection, phase, price, market_line))
        return quotes

    def handicap_line(self, line: int, row: list[str], index: int) -> Decimal | None:
        value = row[index].strip()
        if not value:
            return None
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite() or number % Decimal("0.25"):
            self.fail(line, f"column {self.header_name(index)!r}: {value!r} is not a handicap line")
        return number

    def header_name(self, index: int) -> str:
        return next(name for name, position in self.columns.items() if position == index)
