"""openfootball football.json season files -> MatchRecords (pure: JSON in, records out).

One file is one competition-season, published as ``{season}/{code}.json``
(``2023-24/en.1.json``): ``{"name": "English Premier League 2023/24", "matches": [...]}``
where a match is ``{"round", "date", "time", "team1", "team2", "score": {"ht": [h, a],
"ft": [h, a]}}``. Older files group matches under ``"rounds"`` and score them with
``score1``/``score2`` (``score1i``/``score2i`` at half-time); both shapes are read.

Decisions worth knowing:

- The competition comes from the ``name`` inside the file ("English Premier League 2023/24"
  is the catalog's Premier League, openfootball code ``en.1``), never from the file's name,
  so one season imported from two file names is one; a name the catalog does not know is
  refused with the known ones, unless the caller passes the code (``--competition``).
  The season comes from the ``name`` ("… 2023/24" -> "2023/24", "… 2024" -> "2024"),
  else the folder ("2023-24"), else the earliest match date (July-December of year Y
  starts season "Y/(Y+1)").
- Date and time are local to the competition (time zone from ``matches.catalog``, else
  from the code's country prefix, else UTC); a time written with an offset
  ("18:00 UTC+3") uses that offset; a match without a time gets 15:00 local.
- A match with a score is finished, one without is scheduled. The score is ``et`` (after
  extra time) when present, else ``ft``; penalty shoot-outs are not represented.
- openfootball has no match ids: a match is keyed
  ``"{code}:{season}:{date}:{team1}:{team2}"`` with the names as the file spells them.
- Errors raise ``RecordError`` naming the file and the record (``matches[12]``); the
  whole file is parsed before anything is returned.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from pathlib import Path
from zoneinfo import ZoneInfo

from ingestion.football_data import season_of
from matches.catalog import COMPETITIONS, find_competition, known_competition
from matches.records import CompetitionRef, MatchRecord, Origin, RecordError, TeamRef

SOURCE = "openfootball"
DEFAULT_LOCAL_KICKOFF = dt.time(15, 0)
# Time zones by the country part of a code ("at.1" -> "at"), for competitions the catalog lacks.
COUNTRY_TIMEZONES = {
    "en": "Europe/London", "sco": "Europe/London", "de": "Europe/Berlin", "at": "Europe/Vienna",
    "ch": "Europe/Zurich", "es": "Europe/Madrid", "pt": "Europe/Lisbon", "it": "Europe/Rome",
    "fr": "Europe/Paris", "nl": "Europe/Amsterdam", "be": "Europe/Brussels", "tr": "Europe/Istanbul",
}
ROUND_NUMBER = re.compile(
    r"(?:matchday|round|week|spieltag|jornada|giornata|journée)\s*(\d+)|(\d+)\.\s*spieltag", re.IGNORECASE)
TIME = re.compile(r"(\d{1,2})[:.](\d{2})(?:\s*(?:UTC|GMT)\s*([+-]\d{1,2})(?::?(\d{2}))?)?", re.IGNORECASE)


def parse_season_file(source: str | bytes | os.PathLike | Mapping, *, path_label: str | None = None,
                      competition_code: str | None = None) -> list[MatchRecord]:
    """Parse one football.json season file (JSON text, bytes, a file path or the loaded object).

    ``path_label`` names the file in errors and gives the competition code and season
    folder when the arguments do not (``".../2023-24/en.1.json"``).
    """
    if isinstance(source, os.PathLike):
        path_label = path_label or os.fspath(source)
        source = Path(source).read_bytes()
    label = path_label or "<json>"
    if isinstance(source, Mapping):
        document = source
    else:
        try:
            document = json.loads(source)
        except json.JSONDecodeError as error:
            raise RecordError(Origin(label, line=error.lineno),
                              f"not valid JSON: {error.msg} (column {error.colno})") from None
        except UnicodeDecodeError as error:
            raise RecordError(label, f"not UTF-8 text: {error.reason}") from None
        except RecursionError:
            raise RecordError(label, "JSON nested deeper than any football.json file: refused") from None
    try:
        return _Parser(label, competition_code).parse(document)
    except RecordError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as error:
        # The last net: a value of a type football.json never has.
        raise RecordError(label, f"a malformed value ({error.__class__.__name__}: {str(error)[:120]})") from None


def parse_file(path: str | os.PathLike, *, competition_code: str | None = None) -> list[MatchRecord]:
    """Parse a season file by its path."""
    return parse_season_file(Path(path), competition_code=competition_code)


def season_from_name(name: str) -> str | None:
    """"English Premier League 2023/24" -> "2023/24"; "Liga MX 2024" -> "2024"."""
    if match := re.search(r"(\d{4})\s*[/-]\s*(\d{4}|\d{2})\s*$", name):
        return f"{match[1]}/{match[2][-2:]}"
    if match := re.search(r"(?<![\d/])(\d{4})\s*$", name):
        return match[1]
    return None


def season_from_folder(folder: str) -> str | None:
    """"2023-24" -> "2023/24"; "2024" -> "2024"."""
    if match := re.fullmatch(r"(\d{4})-(\d{2})", folder):
        return f"{match[1]}/{match[2]}"
    if re.fullmatch(r"\d{4}", folder):
        return folder
    return None


class _Parser:
    def __init__(self, path: str, code: str | None):
        self.path = path
        self.code = code  # the caller's explicit code; else the name inside the file decides

    def competition_code(self, competition_name: str, name: str) -> str:
        if self.code:
            return self.code
        known = find_competition(competition_name) if competition_name else None
        if known is not None and SOURCE in known.codes:
            return known.codes[SOURCE]
        listed = ", ".join(f"{(competition.aliases or (competition.name,))[0]} ({competition.codes[SOURCE]})"
                           for competition in COMPETITIONS if SOURCE in competition.codes)
        self.fail("name", f"{name[:80]!r} is not a competition we know ({listed}); to import it as a new one, "
                          "pass its code (--competition)")

    def fail(self, record: str, message: str):
        raise RecordError(Origin(self.path, record=record), message)

    def parse(self, document) -> list[MatchRecord]:
        if not isinstance(document, Mapping):
            self.fail("", "expected an object with 'name' and 'matches'")
        name = document.get("name") or ""
        if not isinstance(name, str):
            self.fail("name", "must be a string")
        competition_name = re.sub(r"\s*\d{4}(?:\s*[/-]\s*\d{2,4})?\s*$", "", name)
        code = self.competition_code(competition_name, name)
        entries = self.entries(document)

        dates = [(where, match, self.date(where, match)) for where, match, _ in entries]
        season = (season_from_name(name) or season_from_folder(Path(self.path).parent.name)
                  or (season_of(min(date for _, _, date in dates)) if dates else None))
        if season is None:
            self.fail("name", "cannot tell the season from the name, the folder or the dates")

        known = known_competition(SOURCE, code)
        competition = CompetitionRef(SOURCE, code, name=competition_name or (known.name if known else ""),
                                     country=known.country if known else "")
        timezone = ZoneInfo(known.timezone if known else COUNTRY_TIMEZONES.get(code.split(".")[0], "UTC"))

        records, seen = [], {}
        for (where, match, date), (_, _, round_name) in zip(dates, entries, strict=True):
            record = self.record(where, match, date, round_name, season, competition, timezone)
            if record.external_id in seen:
                self.fail(where, f"the same match as {seen[record.external_id]} ({record.external_id})")
            seen[record.external_id] = where
            record.validate()
            records.append(record)
        return records

    def entries(self, document) -> list[tuple[str, Mapping, str]]:
        """(record path, match, round name) for every match, flat or grouped in rounds."""
        if "matches" in document:
            matches = document["matches"]
            if not isinstance(matches, list):
                self.fail("matches", "must be a list")
            return [(f"matches[{i}]", self.mapping(f"matches[{i}]", match), "") for i, match in enumerate(matches)]
        if "rounds" in document:
            rounds = document["rounds"]
            if not isinstance(rounds, list):
                self.fail("rounds", "must be a list")
            entries = []
            for r, round_ in enumerate(rounds):
                round_ = self.mapping(f"rounds[{r}]", round_)
                matches = round_.get("matches", [])
                if not isinstance(matches, list):
                    self.fail(f"rounds[{r}].matches", "must be a list")
                for i, match in enumerate(matches):
                    where = f"rounds[{r}].matches[{i}]"
                    entries.append((where, self.mapping(where, match), str(round_.get("name") or "")))
            return entries
        self.fail("matches", "missing: the file has neither 'matches' nor 'rounds'")

    def mapping(self, where: str, value) -> Mapping:
        if not isinstance(value, Mapping):
            self.fail(where, "must be an object")
        return value

    def date(self, where: str, match: Mapping) -> dt.date:
        value = match.get("date")
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(where, f"'date' {value!r} is not a date (yyyy-mm-dd)")

    def kickoff(self, where: str, match: Mapping, date: dt.date, timezone: ZoneInfo) -> dt.datetime:
        value = match.get("time")
        if not value:
            return dt.datetime.combine(date, DEFAULT_LOCAL_KICKOFF, timezone).astimezone(dt.UTC)
        parsed = TIME.fullmatch(value.strip()) if isinstance(value, str) else None
        if parsed is None:
            self.fail(where, f"'time' {value!r} is not a time (hh:mm)")
        hour, minute, offset_hours, offset_minutes = parsed.groups()
        try:
            time = dt.time(int(hour), int(minute))
        except ValueError:
            self.fail(where, f"'time' {value!r} is not a time (hh:mm)")
        if offset_hours is not None:
            sign = -1 if offset_hours.startswith("-") else 1
            offset = dt.timedelta(hours=int(offset_hours), minutes=sign * int(offset_minutes or 0))
            timezone = dt.timezone(offset)
        return dt.datetime.combine(date, time, timezone).astimezone(dt.UTC)

    def team(self, where: str, match: Mapping, key: str) -> str:
        value = match.get(key)
        if isinstance(value, Mapping):  # older files: {"key": "arsenal", "name": "Arsenal FC", "code": "ARS"}
            value = value.get("name")
        if not isinstance(value, str) or not value.strip():
            self.fail(where, f"'{key}' must be a team name")
        return value.strip()

    def pair(self, where: str, label: str, value) -> tuple[int, int] | None:
        if value is None:
            return None
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(goals, int) and not isinstance(goals, bool) for goals in value)):
            self.fail(where, f"'{label}' must be two goal counts, not {value!r}")
        if value[0] < 0 or value[1] < 0:
            self.fail(where, f"'{label}' has a negative goal count: {value!r}")
        return value[0], value[1]

    def scores(self, where: str, match: Mapping) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(full time, half time), each (home, away) or None."""
        score = match.get("score")
        if score is not None:
            if not isinstance(score, Mapping):
                self.fail(where, f"'score' must be an object, not {score!r}")
            final = self.pair(where, "score.et", score.get("et")) or self.pair(where, "score.ft", score.get("ft"))
            return final, self.pair(where, "score.ht", score.get("ht"))
        full = [match.get("score1"), match.get("score2")]
        half = [match.get("score1i"), match.get("score2i")]
        extra = [match.get("score1et"), match.get("score2et")]
        final = (self.pair(where, "score1/score2 (extra time)", extra) if extra != [None, None] else None) \
            or (self.pair(where, "score1/score2", full) if full != [None, None] else None)
        return final, (self.pair(where, "score1i/score2i", half) if half != [None, None] else None)

    def record(self, where, match, date, round_name, season, competition, timezone) -> MatchRecord:
        home, away = self.team(where, match, "team1"), self.team(where, match, "team2")
        final, half = self.scores(where, match)
        round_name = str(match.get("round") or round_name)
        number = ROUND_NUMBER.fullmatch(round_name.strip())
        return MatchRecord(
            origin=Origin(self.path, record=where),
            source=SOURCE,
            external_id=f"{competition.external_id}:{season}:{date.isoformat()}:{home}:{away}",
            competition=competition,
            season_name=season,
            kickoff=self.kickoff(where, match, date, timezone),
            home=TeamRef(SOURCE, home),
            away=TeamRef(SOURCE, away),
            status="finished" if final else "scheduled",
            home_score=final[0] if final else None,
            away_score=final[1] if final else None,
            home_ht_score=half[0] if half else None,
            away_ht_score=half[1] if half else None,
            round=round_name,
            matchday=int(number[1] or number[2]) if number else None,
        )
