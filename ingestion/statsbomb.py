"""StatsBomb open data -> MatchRecords (pure: JSON in, records out; no ORM).

A root is the open-data ``data`` folder, local or the public URL (``OPEN_DATA_URL``)::

    competitions.json                          one row per competition-season
    matches/<competition_id>/<season_id>.json  the season's matches: date, kick-off, teams, score, stadium, referee
    events/<match_id>.json                     every event of a match, in ``index`` order
    lineups/<match_id>.json                    both squads: shirt numbers, nicknames, positions played

``parse_match(root, match_id)`` reads the events and lineups, plus the match's entry in
a matches file and its competitions.json row when they exist. Decisions worth knowing:

- **Matches-file entry.** Looked up in ``matches/<competition>/<season>.json`` when the
  caller names them, else in every matches file of the root (a local root globs
  ``matches/*/*.json``; a URL root walks the competitions.json rows). Competition, season,
  date, kick-off, home/away, score, stadium, referee and match week come from it.
- **No entry** (e.g. Euro 2020 Turkey v Italy, shipped as events + lineups only): the
  events and lineups carry no date and no competition, so
    * the competition is the caller's ``competition_id``/``season_id`` (named through
      competitions.json when it lists them); otherwise ``CompetitionRef(external_id="",
      name="")``, which the service files under "Unknown competition", and the season
      name comes from the kick-off year (a calendar year for national teams, "2020/21"
      style for clubs);
    * the kick-off is the caller's ``kickoff`` (a date means 15:00 local time); without
      it ``RecordError`` names the events file;
    * home is the team of the first "Starting XI" event: StatsBomb writes the home
      side's first (checked on all six Bundesliga 2023/24 matches that have an entry,
      and Turkey, the home side, comes first in Turkey v Italy). The "Half Start" order
      is *not* reliable (it follows the kick-off team);
    * the score is left to the events (``score_from_events=True``).
- **Time.** ``kick_off`` is read as local time of the competition (``matches.catalog``
  time zone, else UTC) and stored as aware UTC. StatsBomb's 2023/24 Bundesliga file
  gives several kick-offs an hour later than they were; we keep what the file says.
- **Minutes.** StatsBomb minutes are elapsed minutes running on across periods (period 2
  starts at 45:00). The football minute is that plus one (0:00-0:59 is the 1st minute),
  capped at the period's end with the rest as added time: 45+2 is minute 45, added 2
  (StatsBomb minute 46 of period 1). Caps: 45, 90, 105, 120; shoot-out kicks (period 5)
  are minute 120 with no added time. ``second`` is StatsBomb's second.
- **Kinds.** Every event is kept, in ``index`` order (``source_index``). A shot is
  ``goal``/``shot``, or ``penalty_scored``/``penalty_missed``; a foul or bad behaviour
  with a card becomes the card's kind (the foul stays in ``details``). Own goals come as
  a pair: "Own Goal Against" (team = the conceding side, player = who put it in) is
  ``own_goal``; its twin "Own Goal For" (the side credited) is ``other``, so the service,
  which counts ``own_goal`` for the opposing team, counts it once. Each period's two
  "Half Start"/"Half End" events (one per team) give one ``period_start``/``period_end``;
  the twin is ``other``. A pass's ``related_player`` is its recipient, a substitution's
  the player coming on, a goal's the passer of its key pass (the assist).
- **Pitch.** StatsBomb's 120x80 yards, each team attacking towards x=120, map linearly
  onto our 0-100 frame (``MatchEvent``); so do shot freeze frames in ``details``.
- **Lineups.** Every squad player is an entry (unused substitutes with 0 minutes).
  Minutes played run from coming on to going off (or the end of the match: 90, or 120
  after extra time), each time clamped into its period (added time is not counted); a
  player who appears plays at least 1 minute. Files without ``positions`` (older data)
  fall back to the Starting XI and Substitution events.
- Bad input (missing file, bad JSON, an event without id/index/type/period/minute)
  raises ``RecordError`` naming the file and the event.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from ingestion.files import is_url, read_bytes
from matches.catalog import known_competition
from matches.records import (
    MAX_MINUTE,
    CompetitionRef,
    EventRecord,
    LineupEntryRecord,
    LineupRecord,
    MatchRecord,
    Origin,
    PlayerRef,
    RecordError,
    TeamRef,
    VenueRef,
    goals_from_events,
)

SOURCE = "statsbomb"


class UndatedMatch(RecordError):
    """No matches file dates the match and the caller gave no date: events and lineups carry none."""


OPEN_DATA_URL = "https://raw.githubusercontent.com/statsbomb/open-data/master/data"
PITCH_LENGTH = 120.0  # yards, StatsBomb x
PITCH_WIDTH = 80.0  # yards, StatsBomb y
DEFAULT_LOCAL_KICKOFF = dt.time(15, 0)

# Elapsed minutes (StatsBomb's clock) at which each period starts and ends, added time aside.
PERIOD_START = {1: 0, 2: 45, 3: 90, 4: 105, 5: 120}
PERIOD_END = {1: 45, 2: 90, 3: 105, 4: 120, 5: 120}

# StatsBomb event type -> (MatchEvent.Kind value, the key of the type's own object in the event).
EVENT_TYPES: dict[str, tuple[str, str | None]] = {
    "Pass": ("pass", "pass"),
    "Carry": ("carry", "carry"),
    "Ball Receipt*": ("ball_receipt", "ball_receipt"),
    "Shot": ("shot", "shot"),
    "Dribble": ("dribble", "dribble"),
    "Pressure": ("pressure", None),
    "Duel": ("duel", "duel"),
    "Interception": ("interception", "interception"),
    "Clearance": ("clearance", "clearance"),
    "Block": ("block", "block"),
    "Ball Recovery": ("ball_recovery", "ball_recovery"),
    "Foul Committed": ("foul", "foul_committed"),
    "Foul Won": ("foul_won", "foul_won"),
    "Offside": ("offside", None),
    "Goal Keeper": ("goalkeeper", "goalkeeper"),
    "Miscontrol": ("miscontrol", "miscontrol"),
    "Dispossessed": ("dispossessed", None),
    "Substitution": ("substitution", "substitution"),
    "Own Goal Against": ("own_goal", None),
    "Own Goal For": ("other", None),
    "Half Start": ("period_start", None),
    "Half End": ("period_end", None),
    "Bad Behaviour": ("other", "bad_behaviour"),
    "50/50": ("other", "50_50"),
    "Injury Stoppage": ("other", "injury_stoppage"),
    "Starting XI": ("other", "tactics"),
    "Tactical Shift": ("other", "tactics"),
}
CARD_KINDS = {"Yellow Card": "yellow_card", "Second Yellow": "second_yellow", "Red Card": "red_card"}
# Top-level event fields copied into ``details`` when present.
CONTEXT_FIELDS = ("under_pressure", "counterpress", "out", "off_camera")
# Keys of a type's object that are handled elsewhere, never copied into ``details``.
HANDLED_KEYS = frozenset({"end_location", "outcome", "body_part", "freeze_frame", "statsbomb_xg", "lineup"})
# Keys of a type's object naming a player: kept as the player's id.
PLAYER_KEYS = frozenset({"recipient", "replacement"})


# Reading


def location_of(root: str | Path, relative_path: str) -> str:
    """The file or URL of ``relative_path`` under a local folder or an http(s) base URL."""
    root = str(root)
    if is_url(root):
        return f"{root.rstrip('/')}/{relative_path}"
    return str(Path(root, relative_path))


def read_json(root: str | Path, relative_path: str) -> Any:
    """Load one JSON file of the root; a missing, unreadable or malformed file raises RecordError naming it."""
    location = location_of(root, relative_path)
    content = read_bytes(location)
    try:
        return json.loads(content)
    except json.JSONDecodeError as error:
        raise RecordError(Origin(location, line=error.lineno),
                          f"not valid JSON (truncated or damaged?): {error.msg} at column {error.colno}") from None
    except UnicodeDecodeError as error:
        raise RecordError(location, f"not UTF-8 text: {error.reason}") from None
    except RecursionError:
        raise RecordError(location, "JSON nested deeper than any StatsBomb file: refused") from None


def exists(root: str | Path, relative_path: str) -> bool:
    """Whether a local root has the file; URL roots are assumed to (a fetch says otherwise)."""
    return is_url(str(root)) or Path(str(root), relative_path).is_file()


class StatsBombFolder:
    """One open-data root; reads competitions.json and the matches files at most once each."""

    def __init__(self, root: str | Path):
        self.root = root
        self._competitions: list[dict] | None = None
        self._matches_files: dict[tuple[int, int], list[dict]] = {}
        self._entries: dict[int, dict] | None = None  # match id -> entry, from every matches file

    # competitions.json and matches files

    def competitions(self) -> list[dict]:
        """The rows of competitions.json; [] when the root has none."""
        if self._competitions is None:
            if not exists(self.root, "competitions.json"):
                self._competitions = []
            else:
                rows = read_json(self.root, "competitions.json")
                if not isinstance(rows, list):
                    raise RecordError(location_of(self.root, "competitions.json"), "expected a list of competitions")
                self._competitions = rows
        return self._competitions

    def competition_row(self, competition_id: int, season_id: int | None = None) -> dict | None:
        for row in self.competitions():
            if row.get("competition_id") == competition_id and season_id in (None, row.get("season_id")):
                return row
        return None

    def season_ids(self, competition_id: int) -> list[int]:
        """Seasons of a competition that have a matches file (local) or a competitions.json row."""
        if is_url(str(self.root)):
            return sorted({row["season_id"] for row in self.competitions()
                           if row.get("competition_id") == competition_id})
        folder = Path(str(self.root), "matches", str(competition_id))
        return sorted(int(path.stem) for path in folder.glob("*.json") if path.stem.isdigit())

    def matches_file(self, competition_id: int, season_id: int) -> list[dict]:
        """The entries of ``matches/<competition>/<season>.json``; [] when a local root lacks it."""
        key = (competition_id, season_id)
        if key not in self._matches_files:
            relative = f"matches/{competition_id}/{season_id}.json"
            entries = read_json(self.root, relative) if exists(self.root, relative) else []
            if not isinstance(entries, list):
                raise RecordError(location_of(self.root, relative), "expected a list of matches")
            self._matches_files[key] = entries
        return self._matches_files[key]

    def all_seasons(self) -> list[tuple[int, int]]:
        if is_url(str(self.root)):
            return [(row["competition_id"], row["season_id"]) for row in self.competitions()]
        found = []
        for path in Path(str(self.root), "matches").glob("*/*.json"):
            if path.parent.name.isdigit() and path.stem.isdigit():
                found.append((int(path.parent.name), int(path.stem)))
        return sorted(found)

    def match_entry(self, match_id: int, competition_id: int | None = None,
                    season_id: int | None = None) -> dict | None:
        """The match's entry in a matches file, or None when no matches file lists it."""
        if competition_id is not None:
            seasons = [season_id] if season_id is not None else self.season_ids(competition_id)
            for season in seasons:
                for entry in self.matches_file(competition_id, season):
                    if entry.get("match_id") == match_id:
                        return entry
            return None
        if self._entries is None:
            self._entries = {}
            for competition, season in self.all_seasons():
                for entry in self.matches_file(competition, season):
                    self._entries.setdefault(entry.get("match_id"), entry)
        return self._entries.get(match_id)

    # Matches

    def match_ids(self, competition_id: int | None = None, season_id: int | None = None) -> list[int]:
        """Matches to import, oldest first.

        With a competition (and season): the matches files' entries, keeping on a local
        root only those whose events file is there. Without: every events file of a
        local root (a URL root cannot be listed, so it needs a competition).
        """
        if competition_id is None:
            if is_url(str(self.root)):
                raise RecordError(str(self.root), "name a competition to list matches at a URL")
            return sorted(int(path.stem) for path in Path(str(self.root), "events").glob("*.json")
                          if path.stem.isdigit())
        seasons = [season_id] if season_id is not None else self.season_ids(competition_id)
        entries = []
        for season in seasons:
            relative = f"matches/{competition_id}/{season}.json"
            if not exists(self.root, relative):
                raise RecordError(location_of(self.root, relative), "no such matches file")
            entries += self.matches_file(competition_id, season)
        entries.sort(key=lambda entry: (entry.get("match_date") or "", entry.get("kick_off") or "",
                                        entry.get("match_id")))
        return [entry["match_id"] for entry in entries
                if exists(self.root, f"events/{entry['match_id']}.json")]

    def parse_match(self, match_id: int, *, competition_id: int | None = None, season_id: int | None = None,
                    kickoff: dt.datetime | dt.date | None = None) -> MatchRecord:
        """One match as a MatchRecord (see the module docstring for what comes from where).

        ``competition_id``/``season_id`` say where to look for the matches-file entry and,
        without one, which competition the match belongs to; ``kickoff`` is used only when
        no matches file dates the match (a naive time or a date is local to the competition).
        """
        events_path = f"events/{match_id}.json"
        events = read_json(self.root, events_path)
        lineups = read_json(self.root, f"lineups/{match_id}.json")
        entry = self.match_entry(match_id, competition_id, season_id)
        if entry is not None:
            competition_id = entry.get("competition", {}).get("competition_id", competition_id)
            season_id = entry.get("season", {}).get("season_id", season_id)
        row = self.competition_row(competition_id, season_id) if competition_id is not None else None
        parser = _MatchParser(location_of(self.root, events_path), location_of(self.root, f"lineups/{match_id}.json"),
                              match_id)
        try:
            return parser.parse(events, lineups, entry, competition_id, season_id, row, kickoff)
        except RecordError:
            raise
        except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as error:
            # The last net: a value of a type the format never has, outside the events (lineups, matches file).
            raise RecordError(Origin(parser.events_path, record=f"match {match_id}"),
                              f"a malformed value ({error.__class__.__name__}: {str(error)[:120]})") from None


def list_match_ids(root: str | Path, competition_id: int | None = None, season_id: int | None = None) -> list[int]:
    """Match ids under a root: see ``StatsBombFolder.match_ids``."""
    return StatsBombFolder(root).match_ids(competition_id, season_id)


def parse_match(root: str | Path, match_id: int, *, competition_id: int | None = None,
                season_id: int | None = None, kickoff: dt.datetime | dt.date | None = None) -> MatchRecord:
    """Parse one match of a root: see ``StatsBombFolder.parse_match``.

    Importing many matches, keep one ``StatsBombFolder`` so matches files are read once.
    """
    return StatsBombFolder(root).parse_match(match_id, competition_id=competition_id, season_id=season_id,
                                             kickoff=kickoff)


# Small conversions


def season_name(value: str) -> str:
    """StatsBomb's "2023/2024" -> "2023/24"; "2020" stays "2020"."""
    value = (value or "").strip()
    if match := re.fullmatch(r"(\d{4})\s*/\s*(\d{2}|\d{4})", value):
        return f"{match[1]}/{match[2][-2:]}"
    return value


def formation_name(value: int | str | None) -> str:
    """4141 -> "4-1-4-1"."""
    digits = re.sub(r"\D", "", str(value or ""))
    return "-".join(digits)


def football_minute(period: int, minute: int) -> tuple[int, int | None]:
    """(minute, added) from StatsBomb's elapsed minute: period 1, minute 46 -> (45, 2)."""
    end = PERIOD_END.get(period)
    if end is None:
        return minute + 1, None
    if period == 5:
        return end, None
    shown = minute + 1
    if shown > end:
        return end, shown - end
    return shown, None


def elapsed_in_period(period: int, minute: int) -> int:
    """StatsBomb elapsed minute clamped into its period (added time does not count)."""
    start, end = PERIOD_START.get(period, 0), PERIOD_END.get(period, minute)
    return min(max(minute, start), end)


def to_frame(location: list | None) -> tuple[float | None, float | None]:
    """A StatsBomb [x, y] in yards -> our 0-100 frame, 2 decimals."""
    if not location:
        return None, None
    if not isinstance(location, list) or len(location) < 2 or not all(
            isinstance(value, (int, float)) and not isinstance(value, bool) for value in location[:2]):
        raise ValueError(f"location {str(location)[:40]} is not [x, y] in yards")
    return round(location[0] * 100 / PITCH_LENGTH, 2), round(location[1] * 100 / PITCH_WIDTH, 2)


def _name(value: Any) -> str:
    return (value.get("name") or "") if isinstance(value, dict) else ""


def _clock(value: str | None) -> int | None:
    """ "63:55" -> 63 (elapsed minutes)."""
    if not value:
        return None
    return int(str(value).split(":")[0])


class _MatchParser:
    def __init__(self, events_path: str, lineups_path: str, match_id: int):
        self.events_path = events_path
        self.lineups_path = lineups_path
        self.match_id = match_id
        self.players: dict[int, PlayerRef] = {}
        self.teams: dict[int, TeamRef] = {}

    def fail(self, message: str, record: str = "", path: str | None = None):
        raise RecordError(Origin(path or self.events_path, record=record), message)

    # The match

    def parse(self, events: Any, lineups: Any, entry: dict | None, competition_id: int | None,
              season_id: int | None, row: dict | None, kickoff: dt.datetime | dt.date | None) -> MatchRecord:
        if not isinstance(events, list):
            self.fail("expected a list of events")
        if not events:
            self.fail("the events list is empty: no match to import")
        if not isinstance(lineups, list):
            self.fail("expected a list of two team lineups", path=self.lineups_path)
        events = [self.checked(position, event) for position, event in enumerate(events)]
        events.sort(key=lambda event: event["index"])
        self.read_players(lineups)
        international = bool(row.get("competition_international")) if row else False

        known = known_competition(SOURCE, str(competition_id)) if competition_id is not None else None
        timezone = ZoneInfo(known.timezone if known else "UTC")
        if entry is not None:
            home, away = self.teams_from_entry(entry, international, lineups)
            start = self.kickoff_from_entry(entry, timezone)
        else:
            home, away = self.teams_from_events(events, international, lineups)
            start = self.kickoff_given(kickoff, timezone)
        self.teams = {int(home.external_id): home, int(away.external_id): away}

        if entry is not None:
            competition = CompetitionRef(SOURCE, str(competition_id),
                                         entry["competition"].get("competition_name", ""),
                                         entry["competition"].get("country_name", ""))
            season = season_name(entry.get("season", {}).get("season_name", ""))
        elif competition_id is not None:
            competition = CompetitionRef(SOURCE, str(competition_id),
                                         (row or {}).get("competition_name") or (known.name if known else ""),
                                         (row or {}).get("country_name") or (known.country if known else ""))
            season = season_name(row["season_name"]) if row else ""
        else:
            competition = CompetitionRef(SOURCE, "", "", "")
            season = ""
        if not season:
            season = self.season_of(start.date(), home.is_national)

        event_records = self.events(events)
        record = MatchRecord(
            origin=Origin(self.events_path, record=f"match {self.match_id}"),
            source=SOURCE, external_id=str(self.match_id), competition=competition, season_name=season,
            kickoff=start, home=home, away=away, status="finished",
            events=event_records, lineups=self.lineups(lineups, events, home, away),
        )
        record.home_ht_score, record.away_ht_score = goals_from_events(event_records, home, away, up_to_period=1)
        if entry is not None and entry.get("home_score") is not None and entry.get("away_score") is not None:
            record.home_score, record.away_score = int(entry["home_score"]), int(entry["away_score"])
        else:
            record.score_from_events = True
        if entry is not None:
            self.describe(record, entry)
        record.validate()
        return record

    def checked(self, position: int, event: Any) -> dict:
        """The event if it has what every event needs; RecordError naming it otherwise."""
        try:
            if (type(event["index"]) is int and type(event["period"]) is int and type(event["minute"]) is int
                    and event["id"] and event["type"]["name"]):
                where = f"event {event['index']} ({str(event['id'])[:40]})"
                if event["period"] not in PERIOD_START:
                    self.fail(f"period {event['period']} is not one of 1-5 (halves, extra time, shoot-out)", where)
                if not 0 <= event["minute"] <= MAX_MINUTE:
                    self.fail(f"minute {event['minute']} is outside 0 to {MAX_MINUTE}", where)
                if event["index"] < 0:
                    self.fail(f"index {event['index']} is negative", where)
                return event
        except (KeyError, TypeError):
            pass
        if not isinstance(event, dict):
            self.fail("an event is not an object", f"events[{position}]")
        where = f"event {event.get('index', f'[{position}]')} ({event.get('id', 'no id')})"
        for name in ("id", "index", "type", "period", "minute"):
            if event.get(name) is None or event.get(name) == "":
                self.fail(f"event has no {name}", where)
        if not isinstance(event["type"], dict) or not event["type"].get("name"):
            self.fail("event type has no name", where)
        self.fail("index, period and minute must be whole numbers", where)

    def describe(self, record: MatchRecord, entry: dict) -> None:
        stage = _name(entry.get("competition_stage"))
        week = entry.get("match_week")
        if week is not None:
            record.matchday = int(week)
        if stage and stage != "Regular Season":
            record.round = f"{stage}, Matchday {week}" if stage == "Group Stage" and week else stage
        elif week is not None:
            record.round = f"Matchday {week}"
        stadium = entry.get("stadium") or {}
        if stadium.get("name"):
            record.venue = VenueRef(SOURCE, stadium["name"], external_id=str(stadium.get("id") or "") or None,
                                    country=_name(stadium.get("country")))
        record.referee = _name(entry.get("referee"))

    # Teams, kick-off, season

    def teams_from_entry(self, entry: dict, international: bool, lineups: list) -> tuple[TeamRef, TeamRef]:
        refs = []
        for side in ("home", "away"):
            team = entry.get(f"{side}_team") or {}
            team_id, name = team.get(f"{side}_team_id"), team.get(f"{side}_team_name")
            if team_id is None or not name:
                self.fail(f"matches-file entry has no {side} team", f"match {self.match_id}")
            country = _name(team.get("country"))
            national = international or name == country or self.squad_nationality(lineups, team_id) == name
            refs.append(TeamRef(SOURCE, name, str(team_id), country, national))
        return refs[0], refs[1]

    def teams_from_events(self, events: list[dict], international: bool, lineups: list) -> tuple[TeamRef, TeamRef]:
        """Home is the first Starting XI's team (StatsBomb lists the home side first)."""
        teams: dict[int, str] = {}
        for event in events:
            if event["type"]["name"] == "Starting XI" and isinstance(event.get("team"), dict):
                teams.setdefault(event["team"]["id"], event["team"]["name"])
        if len(teams) < 2:
            for lineup in lineups:
                if isinstance(lineup, dict) and lineup.get("team_id") is not None:
                    teams.setdefault(lineup["team_id"], lineup.get("team_name", ""))
        if len(teams) != 2:
            self.fail(f"expected two teams in the Starting XI events, found {len(teams)}")
        refs = []
        for team_id, name in teams.items():
            national = international or self.squad_nationality(lineups, team_id) == name
            refs.append(TeamRef(SOURCE, name, str(team_id), name if national else "", national))
        return refs[0], refs[1]

    @staticmethod
    def squad_nationality(lineups: list, team_id: int) -> str | None:
        """The nationality every player of the squad shares, if they all share one."""
        for lineup in lineups:
            if isinstance(lineup, dict) and lineup.get("team_id") == team_id:
                countries = {_name(player.get("country")) for player in lineup.get("lineup") or []}
                return countries.pop() if len(countries) == 1 else None
        return None

    def kickoff_from_entry(self, entry: dict, timezone: ZoneInfo) -> dt.datetime:
        where = f"match {self.match_id}"
        try:
            date = dt.date.fromisoformat(entry["match_date"])
            time = dt.time.fromisoformat(entry["kick_off"][:8]) if entry.get("kick_off") else DEFAULT_LOCAL_KICKOFF
        except (KeyError, TypeError, ValueError) as error:
            self.fail(f"bad match_date/kick_off in the matches file: {error}", where)
        return dt.datetime.combine(date, time, tzinfo=timezone).astimezone(dt.UTC)

    def kickoff_given(self, kickoff: dt.datetime | dt.date | None, timezone: ZoneInfo) -> dt.datetime:
        if kickoff is None:
            raise UndatedMatch(Origin(self.events_path, record=f"match {self.match_id}"),
                               "no matches file lists this match and events carry no date: pass the kick-off date "
                               "(or the competition and season whose matches file lists it)")
        if not isinstance(kickoff, dt.datetime):
            kickoff = dt.datetime.combine(kickoff, DEFAULT_LOCAL_KICKOFF)
        if kickoff.tzinfo is None:
            kickoff = kickoff.replace(tzinfo=timezone)
        return kickoff.astimezone(dt.UTC)

    @staticmethod
    def season_of(date: dt.date, calendar_year: bool) -> str:
        if calendar_year:
            return str(date.year)
        first = date.year if date.month >= 7 else date.year - 1
        return f"{first}/{(first + 1) % 100:02d}"

    # Players

    def read_players(self, lineups: list) -> None:
        for team_position, lineup in enumerate(lineups):
            if not isinstance(lineup, dict) or not isinstance(lineup.get("lineup"), list):
                self.fail("a team has no lineup list", f"lineups[{team_position}]", path=self.lineups_path)
            for player in lineup["lineup"]:
                if not isinstance(player, dict) or player.get("player_id") is None or not player.get("player_name"):
                    self.fail("a lineup player has no player_id or player_name",
                              f"lineup of {lineup.get('team_name', team_position)}", path=self.lineups_path)
                self.players[player["player_id"]] = PlayerRef(
                    SOURCE, player["player_name"], str(player["player_id"]),
                    known_as=player.get("player_nickname") or "", nationality=_name(player.get("country")),
                )

    def player(self, value: Any) -> PlayerRef | None:
        if not isinstance(value, dict) or value.get("id") is None:
            return None
        if type(value["id"]) is not int:
            raise ValueError(f"player id {str(value['id'])[:20]!r} is not a StatsBomb id (a whole number)")
        ref = self.players.get(value["id"])
        if ref is None:
            ref = self.players[value["id"]] = PlayerRef(SOURCE, value.get("name") or "", str(value["id"]))
        return ref

    # Events

    def events(self, events: list[dict]) -> list[EventRecord]:
        passers = {event["id"]: event.get("player") for event in events if event["type"]["name"] == "Pass"}
        seen_period_marks: set[tuple[str, int]] = set()
        records = []
        for event in events:
            try:
                records.append(self.event(event, passers, seen_period_marks))
            except RecordError:
                raise
            except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
                # A value of the wrong type where the format has a number, a list or an object.
                self.fail(f"a malformed value ({error})", f"event {event['index']} ({str(event['id'])[:40]})")
        return records

    def event(self, event: dict, passers: dict, seen_period_marks: set) -> EventRecord:
        """One checked event as a record; a value of the wrong type raises (events() names the event)."""
        type_name = event["type"]["name"]
        kind, subkey = EVENT_TYPES.get(type_name, ("other", None))
        sub = event.get(subkey) if subkey else None
        sub = sub if isinstance(sub, dict) else {}
        period = event["period"]
        minute, added = football_minute(period, event["minute"])
        team = None
        if event.get("team") is not None and not isinstance(event["team"], dict):
            raise ValueError(f"team {str(event['team'])[:40]!r} is not an object with an id and a name")
        if isinstance(event.get("team"), dict):
            team = self.teams.get(event["team"].get("id"))
            if team is None:
                self.fail(f"team {event['team'].get('name')!r} is not in this match",
                          f"event {event['index']} ({event['id']})")
        x, y = to_frame(event.get("location"))
        end_x, end_y = to_frame(sub.get("end_location"))
        related = None
        details = self.details(event, subkey, sub)

        if type_name == "Shot":
            if not _name(sub.get("outcome")):
                raise ValueError("a shot without an outcome")
            shot_type = _name(sub.get("type"))
            goal = _name(sub.get("outcome")) == "Goal"
            if shot_type == "Penalty":
                kind = "penalty_scored" if goal else "penalty_missed"
            else:
                kind = "goal" if goal else "shot"
            if goal and sub.get("key_pass_id"):
                related = self.player(passers.get(sub["key_pass_id"]))
        elif type_name in ("Foul Committed", "Bad Behaviour"):
            card = _name(sub.get("card"))
            if card:
                if card not in CARD_KINDS:
                    self.fail(f"unknown card {card!r}", f"event {event['index']} ({event['id']})")
                kind = CARD_KINDS[card]
        elif type_name in ("Half Start", "Half End"):
            if (type_name, period) in seen_period_marks:
                kind = "other"
            seen_period_marks.add((type_name, period))
        elif type_name in ("Substitution", "Pass"):
            related = self.player(sub.get("replacement") if type_name == "Substitution" else sub.get("recipient"))

        return EventRecord(
            source=SOURCE, external_id=str(event["id"]), kind=kind, period=period, minute=minute,
            second=int(event.get("second") or 0), added_minute=added, source_index=event["index"],
            team=team, player=self.player(event.get("player")), related_player=related,
            x=x, y=y, end_x=end_x, end_y=end_y,
            xg=sub.get("statsbomb_xg") if type_name == "Shot" else None,
            outcome=_name(sub.get("outcome")), body_part=_name(sub.get("body_part")),
            situation=_name(sub.get("type")) if type_name == "Shot" else _name(event.get("play_pattern")),
            raw_type=type_name, details=details,
        )

    def details(self, event: dict, subkey: str | None, sub: dict) -> dict:
        """What else matters, compactly: the type's own fields (names, not {id, name}) and context."""
        details: dict[str, Any] = {}
        if event.get("play_pattern"):
            details["play_pattern"] = _name(event["play_pattern"])
        if event.get("position"):
            details["position"] = _name(event["position"])
        if event.get("possession") is not None:
            details["possession"] = event["possession"]
        for name in CONTEXT_FIELDS:
            if event.get(name):
                details[name] = event[name]
        for key, value in sub.items():
            if key in HANDLED_KEYS or value is None:
                continue
            if key in details:  # a goalkeeper's "position" beside the player's
                key = f"{subkey}_{key}"
            if key in PLAYER_KEYS and isinstance(value, dict):
                details[key] = value.get("id")
            elif isinstance(value, dict):
                details[key] = _name(value)
            elif isinstance(value, float):
                details[key] = round(value, 3)
            elif not isinstance(value, list):
                details[key] = value
        end = sub.get("end_location")
        if isinstance(end, list) and len(end) > 2 and end[2] is not None:
            details["end_z"] = end[2]  # shot height at the goal line, yards
        if "formation" in sub:
            details["formation"] = formation_name(sub["formation"])
        if isinstance(sub.get("lineup"), list):
            details["lineup"] = [[_player_id(item), _name(item.get("position")), item.get("jersey_number")]
                                 for item in sub["lineup"] if isinstance(item, dict)]
        if isinstance(sub.get("freeze_frame"), list):
            details["freeze_frame"] = [self.frozen(item) for item in sub["freeze_frame"] if isinstance(item, dict)]
        return details

    @staticmethod
    def frozen(item: dict) -> dict:
        x, y = to_frame(item.get("location"))
        return {"x": x, "y": y, "teammate": bool(item.get("teammate")),
                "keeper": _name(item.get("position")) == "Goalkeeper", "player": _player_id(item)}

    # Lineups

    def lineups(self, lineups: list, events: list[dict], home: TeamRef, away: TeamRef) -> list[LineupRecord]:
        last_period = max((event["period"] for event in events if event["period"] <= 4), default=2)
        match_end = PERIOD_END[max(last_period, 2)]
        starting: dict[int, dict] = {}
        for event in events:
            if event["type"]["name"] == "Starting XI" and isinstance(event.get("team"), dict):
                starting.setdefault(event["team"]["id"], event.get("tactics") or {})
        spells = None
        if any("positions" not in player for lineup in lineups for player in lineup["lineup"]):
            spells = self.spells_from_events(events, starting)

        records = []
        for lineup in sorted(lineups, key=lambda team: team.get("team_id") != int(home.external_id)):
            team = self.teams.get(lineup.get("team_id"))
            if team is None:
                self.fail(f"team {lineup.get('team_name')!r} is not in this match", path=self.lineups_path)
            tactics = starting.get(lineup["team_id"], {})
            order = {_player_id(item): number for number, item in enumerate(tactics.get("lineup") or [])}
            entries = []
            for player in lineup["lineup"]:
                positions = spells.get(player["player_id"], []) if spells is not None else player.get("positions") or []
                try:
                    entries.append(self.entry(player, positions, match_end))
                except (AttributeError, TypeError, ValueError) as error:
                    self.fail(f"bad positions for {player['player_name']}: {error}",
                              f"lineup of {lineup.get('team_name')}", path=self.lineups_path)
            entries.sort(key=lambda entry: (
                not entry.is_starter, order.get(int(entry.player.external_id), 99),
                entry.subbed_on_minute is None, entry.subbed_on_minute or 0, entry.shirt_number or 999,
            ))
            records.append(LineupRecord(team, formation_name(tactics.get("formation")), entries))
        return records

    def entry(self, player: dict, positions: list[dict], match_end: int) -> LineupEntryRecord:
        ref = self.players[player["player_id"]]
        if not positions:
            return LineupEntryRecord(ref, player.get("jersey_number"), "", False, 0)
        first, last = positions[0], positions[-1]
        starter = any(spell.get("start_reason") == "Starting XI" for spell in positions)
        on_period = first.get("from_period") or 1
        on = elapsed_in_period(on_period, _clock(first.get("from")) or 0)
        off_clock = _clock(last.get("to"))
        off_period = last.get("to_period") or last.get("from_period") or on_period
        off = match_end if off_clock is None else elapsed_in_period(off_period, off_clock)
        subbed_off = None
        if off_clock is not None and str(last.get("end_reason") or "").startswith("Substitution - Off"):
            subbed_off = football_minute(off_period, off_clock)[0]
        subbed_on = None if starter else football_minute(on_period, _clock(first.get("from")) or 0)[0]
        return LineupEntryRecord(
            ref, player.get("jersey_number"), first.get("position") or "", starter,
            max(off - on, 1), subbed_on, subbed_off,
        )

    def spells_from_events(self, events: list[dict], starting: dict[int, dict]) -> dict[int, list[dict]]:
        """Positions as the lineups file would give them, from Starting XI and Substitution events."""
        spells: dict[int, list[dict]] = {}
        for tactics in starting.values():
            for item in tactics.get("lineup") or []:
                spells[_player_id(item)] = [{"position": _name(item.get("position")), "from": "00:00",
                                             "from_period": 1, "to": None, "start_reason": "Starting XI"}]
        for event in events:
            if event["type"]["name"] != "Substitution":
                continue
            clock = f"{event['minute']:02d}:{int(event.get('second') or 0):02d}"
            off = spells.get((event.get("player") or {}).get("id"))
            if off:
                off[-1].update({"to": clock, "to_period": event["period"], "end_reason": "Substitution - Off"})
            replacement = (event.get("substitution") or {}).get("replacement") or {}
            if replacement.get("id") is not None:
                spells[replacement["id"]] = [{"position": _name(event.get("position")), "from": clock,
                                              "from_period": event["period"], "to": None,
                                              "start_reason": "Substitution - On"}]
        return spells


def _player_id(item: dict) -> int | None:
    player = item.get("player")
    return player.get("id") if isinstance(player, dict) else None


