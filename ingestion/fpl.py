"""Fantasy Premier League -> plain season records (pure: files or JSON in, records out, no ORM).

Two inputs carry the same facts:

- the flattened season folder of vaastav/Fantasy-Premier-League (``../shared/data/fpl/<season>/``):
  ``players_raw.csv`` (bootstrap-static's ``elements``), ``teams.csv``, ``fixtures.csv`` (its
  ``stats`` column is a Python literal, read with ``ast.literal_eval``, never ``eval``) and
  ``gws/gwN.csv`` (one row per player and fixture);
- the public API's own JSON answers: ``bootstrap-static`` (elements, teams, events,
  element_types), ``fixtures``, ``element-summary/<id>`` (its ``history``) and
  ``event/<gw>/live`` (``elements[].stats``).

Decisions worth knowing:

- Identity. Element, team and fixture ids are per season; the ``code`` columns are stable
  across seasons, so codes are the external ids (source "fpl"). Gameweek rows name the
  season's ``element`` and ``fixture`` ids and are mapped through players and fixtures.
- Columns are read by header name. A figure the file does not give is None, never 0. The
  2022/23 files carry ``expected_*`` and ``starts`` columns from gameweek 1, but FPL began
  filling them in gameweek 16: a gameweek file in which nobody who played has any expected
  goals, assists or goals conceded (or any start) did not track them, and its figures stay
  empty rather than a row of false zeros.
- Positions: element_type 1 GK, 2 DF, 3 MF, 4 FW. Type 5 (assistant managers, from 2024/25)
  are not players: their rows are skipped and counted (``skipped_managers``).
- Kick-off times are UTC ("2023-08-11T19:00:00Z").
- The 2018/19 ``raw.json`` is an older bootstrap-static (hyphenated keys such as
  ``game-settings``, no birth dates, no fixtures): refused with a message saying so.
- Errors raise ``RecordError`` naming the file and 1-based line (CSV) or the JSON path; the
  whole input is read before anything is returned, so a bad line means nothing is written.
"""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from matches.identity import season_name_for
from matches.records import Origin, RecordError

SOURCE = "fpl"
COMPETITION_CODE = "PL"  # matches.catalog: Premier League's code for source "fpl"
POSITIONS = {1: "GK", 2: "DF", 3: "MF", 4: "FW"}
ASSISTANT_MANAGER = 5
# Element status -> PlayerAvailability.Status value.
STATUSES = {"a": "available", "d": "doubtful", "i": "injured", "s": "suspended", "u": "unavailable",
            "n": "unavailable"}


@dataclass(frozen=True)
class FplTeam:
    team_id: int  # this season's id
    code: int  # stable across seasons
    name: str
    short_name: str = ""


@dataclass(frozen=True)
class FplPlayer:
    element: int  # this season's id
    code: int  # stable across seasons
    first_name: str
    second_name: str
    web_name: str
    position: str  # Player.Position value
    team_id: int | None
    origin: Origin
    birth_date: dt.date | None = None
    status: str = ""  # a, d, i, s, u, n
    news: str = ""
    news_added: dt.datetime | None = None
    chance_of_playing_next_round: int | None = None
    now_cost: int | None = None  # tenths of £m

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.second_name}".strip() or self.web_name


@dataclass(frozen=True)
class FplFixture:
    fixture_id: int  # this season's id
    code: int
    gameweek: int | None  # None: not scheduled yet
    kickoff: dt.datetime | None
    home_team_id: int
    away_team_id: int
    home_score: int | None
    away_score: int | None
    finished: bool
    origin: Origin


@dataclass
class FplLine:
    """One player's row for one fixture: the football figures and the game's."""

    element: int
    fixture_id: int
    gameweek: int
    was_home: bool
    origin: Origin
    minutes: int = 0
    started: bool | None = None
    goals: int = 0
    assists: int = 0
    own_goals: int = 0
    penalties_saved: int | None = None
    penalties_missed: int | None = None
    xg: float | None = None
    xa: float | None = None
    xg_conceded: float | None = None
    clean_sheet: bool | None = None
    goals_conceded: int | None = None
    saves: int | None = None
    yellow_cards: int = 0
    red_cards: int = 0
    total_points: int = 0
    bonus: int = 0
    bps: int | None = None
    expected_points: float | None = None
    price: Decimal | None = None  # £m; None when the answer does not say (event/live)
    selected: int | None = None
    transfers_in: int | None = None
    transfers_out: int | None = None


@dataclass
class FplSeason:
    """Everything one import reads: a season folder, or a set of API answers."""

    label: str  # the folder or first file, for messages
    season_name: str  # "2023/24"
    teams: dict[int, FplTeam] = field(default_factory=dict)  # by this season's id
    players: dict[int, FplPlayer] = field(default_factory=dict)  # by element
    fixtures: dict[int, FplFixture] = field(default_factory=dict)  # by this season's id
    lines: list[FplLine] = field(default_factory=list)
    skipped_managers: int = 0  # element_type 5 elements and their rows
    observed_at: dt.datetime | None = None  # when the availability statements held

    @property
    def gameweeks(self) -> int:
        return len({line.gameweek for line in self.lines})


def availability_statement(player: FplPlayer) -> dict:
    """What FPL says about a player's availability, as ``players.availability.Statement``'s fields
    (without the player id, which the writer knows)."""
    return {
        "status": STATUSES.get(player.status, "available"),
        "reason": player.news[:200],
        "chance_of_playing": player.chance_of_playing_next_round,
        "since": player.news_added,
    }


# Reading values


_WHOLE_FLOAT = re.compile(r"-?\d+\.0+")


def _int(value: Any, where: Origin, column: str, *, empty=None) -> int | None:
    if value.__class__ is int:  # not bool
        return value
    if value is None or value == "" or value == "None":
        return empty
    if value.__class__ is str:
        try:
            return int(value)
        except ValueError:
            if _WHOLE_FLOAT.fullmatch(value.strip()):
                return int(float(value))
    raise RecordError(where, f"{column}: expected a whole number, got {value!r}")


def _float(value: Any, where: Origin, column: str) -> float | None:
    if value is None or value == "" or value == "None":
        return None
    if isinstance(value, bool):
        raise RecordError(where, f"{column}: expected a number, got {value!r}")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise RecordError(where, f"{column}: expected a number, got {value!r}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise RecordError(where, f"{column}: expected a number, got {value!r}")
    return number


def _bool(value: Any, where: Origin, column: str) -> bool | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip()
    if text in ("True", "true", "1"):
        return True
    if text in ("False", "false", "0"):
        return False
    raise RecordError(where, f"{column}: expected True or False, got {value!r}")


def _time(value: Any, where: Origin, column: str) -> dt.datetime | None:
    if value is None or value in ("", "None"):
        return None
    try:
        moment = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(where, f"{column}: expected an ISO time, got {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _date(value: Any, where: Origin, column: str) -> dt.date | None:
    if value is None or value in ("", "None"):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise RecordError(where, f"{column}: expected a date, got {value!r}") from None


# The season folder


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RecordError(path, f"not UTF-8 text (byte {exc.start})") from None


def read_csv(text: str, path: str, required: Iterable[str]) -> list[tuple[Origin, dict[str, str]]]:
    """Rows as {header: cell} with their origin; a row whose cell count differs from the header's
    (a truncated or garbled file) is refused with its line."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if header is None:
            raise RecordError(path, "empty file (no header line)")
        header = [name.strip() for name in header]
        missing = [name for name in required if name not in header]
        if missing:
            raise RecordError(Origin(path, 1), f"missing column(s) {', '.join(missing)}")
        rows = []
        for cells in reader:
            line = reader.line_num
            if not cells:
                continue
            if len(cells) != len(header):
                raise RecordError(Origin(path, line), f"{len(cells)} cells where the header has {len(header)} "
                                                     "(truncated or garbled line)")
            rows.append((Origin(path, line), dict(zip(header, cells))))
    except csv.Error as exc:
        raise RecordError(Origin(path, reader.line_num), f"unreadable CSV: {exc}") from None
    return rows


TEAM_COLUMNS = ("id", "code", "name")
PLAYER_COLUMNS = ("id", "code", "first_name", "second_name", "web_name", "element_type", "team")
FIXTURE_COLUMNS = ("id", "code", "event", "kickoff_time", "team_h", "team_a", "team_h_score", "team_a_score",
                   "finished")
GW_COLUMNS = ("element", "fixture", "minutes", "goals_scored", "assists", "total_points", "value", "was_home")
EXPECTED = ("expected_goals", "expected_assists", "expected_goals_conceded")


def parse_season_folder(folder: str | Path) -> FplSeason:
    """A season folder as vaastav/Fantasy-Premier-League ships it -> FplSeason."""
    root = Path(folder)
    if not root.is_dir():
        raise RecordError(str(folder), "no such folder")
    label = str(root)

    def text(name: str) -> tuple[str, str]:
        path = root / name
        if not path.is_file():
            raise RecordError(str(path), "no such file (an FPL season folder has players_raw.csv, teams.csv, "
                                         "fixtures.csv and gws/gwN.csv)")
        return _decode(path.read_bytes(), str(path)), str(path)

    teams = _teams(read_csv(*text("teams.csv"), TEAM_COLUMNS))
    players, skipped_ids = _players(read_csv(*text("players_raw.csv"), PLAYER_COLUMNS), teams)
    fixtures_text, fixtures_path = text("fixtures.csv")
    fixtures = _fixtures(read_csv(fixtures_text, fixtures_path, FIXTURE_COLUMNS), teams, literal_stats=True)
    gw_files = sorted((root / "gws").glob("gw*.csv"), key=lambda path: _gameweek_of(path) or 0)
    gw_files = [path for path in gw_files if _gameweek_of(path) is not None]
    if not gw_files:
        raise RecordError(str(root / "gws"), "no gwN.csv files")
    lines: list[FplLine] = []
    skipped = len(skipped_ids)
    for path in gw_files:
        rows = read_csv(_decode(path.read_bytes(), str(path)), str(path), GW_COLUMNS)
        found, skipped_rows = _gameweek_lines(rows, _gameweek_of(path), players, fixtures, skipped_ids)
        lines += found
        skipped += skipped_rows
    season = FplSeason(label=label, season_name=_season_name(root.name, fixtures), teams=teams, players=players,
                       fixtures=fixtures, lines=lines, skipped_managers=skipped)
    kickoffs = [fixture.kickoff for fixture in fixtures.values() if fixture.kickoff and fixture.finished]
    season.observed_at = max(kickoffs) if kickoffs else None
    return season


def _gameweek_of(path: Path) -> int | None:
    found = re.fullmatch(r"gw(\d+)\.csv", path.name)
    return int(found.group(1)) if found else None


def _season_name(folder_name: str, fixtures: dict[int, FplFixture]) -> str:
    found = re.fullmatch(r"(\d{4})-(\d{2})", folder_name)
    if found:
        return f"{found.group(1)}/{found.group(2)}"
    kickoffs = [fixture.kickoff for fixture in fixtures.values() if fixture.kickoff]
    if not kickoffs:
        raise RecordError(folder_name, "cannot tell the season: no fixture has a kick-off time")
    return season_name_for(min(kickoffs).date())


def _teams(rows) -> dict[int, FplTeam]:
    teams = {}
    for where, row in rows:
        team_id = _int(row["id"], where, "id")
        teams[team_id] = FplTeam(team_id=team_id, code=_int(row["code"], where, "code"), name=row["name"].strip(),
                                 short_name=row.get("short_name", "").strip())
        if not teams[team_id].name:
            raise RecordError(where, "name is empty")
    return teams


def _player(where: Origin, row: dict, teams: dict[int, FplTeam]) -> FplPlayer | None:
    """None for an assistant manager (element_type 5)."""
    kind = _int(row["element_type"], where, "element_type")
    if kind == ASSISTANT_MANAGER:
        return None
    if kind not in POSITIONS:
        raise RecordError(where, f"element_type: expected 1-5, got {row['element_type']!r}")
    team_id = _int(row["team"], where, "team")
    if team_id is not None and team_id not in teams:
        raise RecordError(where, f"team {team_id} is not in the season's teams")
    status = str(row.get("status") or "").strip()
    if status and status not in STATUSES:
        raise RecordError(where, f"status: expected one of a, d, i, s, u, n, got {status!r}")
    chance = _int(row.get("chance_of_playing_next_round"), where, "chance_of_playing_next_round")
    if chance is not None and not 0 <= chance <= 100:
        raise RecordError(where, f"chance_of_playing_next_round: {chance} is not a percentage")
    return FplPlayer(
        element=_int(row["id"], where, "id"), code=_int(row["code"], where, "code"),
        first_name=str(row["first_name"]).strip(), second_name=str(row["second_name"]).strip(),
        web_name=str(row["web_name"]).strip(), position=POSITIONS[kind], team_id=team_id, origin=where,
        birth_date=_date(row.get("birth_date"), where, "birth_date"), status=status,
        news=str(row.get("news") or "").strip(), news_added=_time(row.get("news_added"), where, "news_added"),
        chance_of_playing_next_round=chance, now_cost=_int(row.get("now_cost"), where, "now_cost"),
    )


def _players(rows, teams) -> tuple[dict[int, FplPlayer], set[int]]:
    players, managers = {}, set()
    for where, row in rows:
        player = _player(where, row, teams)
        if player is None:
            managers.add(_int(row["id"], where, "id"))
        else:
            players[player.element] = player
    return players, managers


def _fixtures(rows, teams: dict[int, FplTeam], *, literal_stats: bool) -> dict[int, FplFixture]:
    fixtures = {}
    for where, row in rows:
        if literal_stats and row.get("stats"):
            try:  # a Python literal in the CSV (vaastav's dump); never eval
                ast.literal_eval(row["stats"])
            except (ValueError, SyntaxError, MemoryError, RecursionError) as exc:
                raise RecordError(where, f"stats: not a Python literal ({exc.__class__.__name__})") from None
        home, away = _int(row["team_h"], where, "team_h"), _int(row["team_a"], where, "team_a")
        for column, team in (("team_h", home), ("team_a", away)):
            if team not in teams:
                raise RecordError(where, f"{column} {team} is not in the season's teams")
        fixture = FplFixture(
            fixture_id=_int(row["id"], where, "id"), code=_int(row["code"], where, "code"),
            gameweek=_int(row["event"], where, "event"), kickoff=_time(row["kickoff_time"], where, "kickoff_time"),
            home_team_id=home, away_team_id=away,
            home_score=_int(row["team_h_score"], where, "team_h_score"),
            away_score=_int(row["team_a_score"], where, "team_a_score"),
            finished=bool(_bool(row["finished"], where, "finished")), origin=where,
        )
        if fixture.finished and (fixture.home_score is None or fixture.away_score is None):
            raise RecordError(where, "a finished fixture needs both scores")
        fixtures[fixture.fixture_id] = fixture
    return fixtures


def _gameweek_lines(rows, gameweek, players, fixtures, managers) -> tuple[list[FplLine], int]:
    """The rows of one gameweek (file or answer); (lines, rows of assistant managers skipped)."""
    played = [row for where, row in rows if str(row.get("minutes", "0")).strip() not in ("0", "")]
    tracks_expected = any(_positive(row.get(name)) for row in played for name in EXPECTED)
    tracks_starts = any(str(row.get("starts", "")).strip() not in ("", "0") for row in played)
    lines, skipped = [], 0
    for where, row in rows:
        if str(row.get("position", "")).strip() == "AM":
            skipped += 1
            continue
        element = _int(row["element"], where, "element")
        if element in managers:
            skipped += 1
            continue
        if element not in players:
            raise RecordError(where, f"element {element} is not in players_raw.csv")
        fixture_id = _int(row["fixture"], where, "fixture")
        if fixture_id not in fixtures:
            raise RecordError(where, f"fixture {fixture_id} is not in fixtures.csv")
        week = _int(row.get("round"), where, "round") or gameweek or fixtures[fixture_id].gameweek
        if not week:
            raise RecordError(where, "no gameweek: neither the row (round) nor its fixture (event) says")
        lines.append(_line(where, row, element, fixture_id, week,
                           tracks_expected=tracks_expected, tracks_starts=tracks_starts))
    return lines, skipped


def _positive(value: Any) -> bool:
    """Whether a cell holds a number above 0 (bad cells are reported where the row is read)."""
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False


def _line(where: Origin, row: dict, element: int, fixture_id: int, gameweek: int, *, tracks_expected: bool,
          tracks_starts: bool) -> FplLine:
    def count(name, empty=0):
        value = _int(row.get(name), where, name, empty=empty)
        if value is not None and value < 0:
            raise RecordError(where, f"{name}: {value} is negative")
        return value

    value = _int(row["value"], where, "value")
    minutes = count("minutes")
    if minutes > 150:
        raise RecordError(where, f"minutes: {minutes} is more than a match lasts")
    was_home = _bool(row["was_home"], where, "was_home")
    if was_home is None:
        raise RecordError(where, "was_home is empty")
    clean = count("clean_sheets", empty=None)
    started = count("starts", empty=None) if tracks_starts else None
    bonus, yellow, red = count("bonus"), count("yellow_cards"), count("red_cards")
    for name, found, most in (("bonus", bonus, 3), ("yellow_cards", yellow, 2), ("red_cards", red, 1)):
        if found > most:
            raise RecordError(where, f"{name}: {found} is more than {most}")
    if value is not None and not 30 <= value <= 250:
        raise RecordError(where, f"value: {value} is not a price in tenths of £m (30-250)")
    return FplLine(
        element=element, fixture_id=fixture_id, gameweek=gameweek, was_home=was_home, origin=where,
        minutes=minutes, started=None if started is None else started > 0,
        goals=count("goals_scored"), assists=count("assists"), own_goals=count("own_goals"),
        penalties_saved=count("penalties_saved", empty=None), penalties_missed=count("penalties_missed", empty=None),
        xg=_float(row.get("expected_goals"), where, "expected_goals") if tracks_expected else None,
        xa=_float(row.get("expected_assists"), where, "expected_assists") if tracks_expected else None,
        xg_conceded=(_float(row.get("expected_goals_conceded"), where, "expected_goals_conceded")
                     if tracks_expected else None),
        clean_sheet=None if clean is None else clean > 0,
        goals_conceded=count("goals_conceded", empty=None), saves=count("saves", empty=None),
        yellow_cards=yellow, red_cards=red,
        total_points=_int(row["total_points"], where, "total_points"), bonus=bonus,
        bps=_int(row.get("bps"), where, "bps"), expected_points=_float(row.get("xP"), where, "xP"),
        price=None if value is None else Decimal(value) / 10,
        selected=count("selected", empty=None), transfers_in=count("transfers_in", empty=None),
        transfers_out=count("transfers_out", empty=None),
    )


# The API's JSON answers


def parse_api_answers(answers: list[tuple[str, bytes]], *, observed_at: dt.datetime) -> FplSeason:
    """(location, raw JSON) of API answers -> FplSeason. A bootstrap-static answer is required
    (it names the teams and players); fixtures are needed for any per-match figure."""
    documents = []
    for location, raw in answers:
        try:
            documents.append((location, json.loads(_decode(raw, location))))
        except json.JSONDecodeError as exc:
            raise RecordError(Origin(location, exc.lineno), f"not JSON: {exc.msg} (column {exc.colno})") from None
    bootstrap = [(location, doc) for location, doc in documents if _kind(location, doc) == "bootstrap"]
    if len(bootstrap) != 1:
        raise RecordError(answers[0][0] if answers else "FPL", "give exactly one bootstrap-static answer "
                          f"(found {len(bootstrap)}): it names the season's teams and players")
    location, doc = bootstrap[0]
    teams = _teams(_json_rows(location, doc, "teams", TEAM_COLUMNS))
    players, managers = _players(_json_rows(location, doc, "elements", PLAYER_COLUMNS), teams)
    fixtures: dict[int, FplFixture] = {}
    by_summary: list[FplLine] = []
    live: list[tuple[str, Any]] = []
    for location, doc in documents:
        kind = _kind(location, doc)
        if kind == "fixtures":
            rows = _json_rows(location, {"fixtures": doc}, "fixtures", FIXTURE_COLUMNS, path="$")
            fixtures.update(_fixtures(rows, teams, literal_stats=False))
        elif kind == "element-summary":
            rows = _json_rows(location, doc, "history", GW_COLUMNS)
            by_summary.append((location, rows))
        elif kind == "live":
            live.append((location, doc))
    lines: list[FplLine] = []
    skipped = len(managers)
    for location, rows in by_summary:
        found, skipped_rows = _gameweek_lines(rows, None, players, fixtures, managers)
        lines += found
        skipped += skipped_rows
    have = {(line.element, line.fixture_id) for line in lines}
    for location, doc in live:
        lines += [line for line in _live_lines(location, doc, players, fixtures, managers)
                  if (line.element, line.fixture_id) not in have]
    season = FplSeason(label=answers[0][0], season_name=_api_season(*bootstrap[0], fixtures),
                       teams=teams, players=players, fixtures=fixtures, lines=lines, skipped_managers=skipped,
                       observed_at=observed_at)
    return season


def _kind(location: str, doc: Any) -> str:
    if isinstance(doc, dict) and ("game-settings" in doc or "next-event" in doc):
        raise RecordError(Origin(location, record="$.game-settings"),
                          "an older bootstrap-static (2018/19, hyphenated keys): not supported; it has no "
                          "fixtures, birth dates or per-match figures to import")
    if isinstance(doc, dict) and {"elements", "teams", "events"} <= doc.keys():
        return "bootstrap"
    if isinstance(doc, list) and (not doc or isinstance(doc[0], dict) and "team_h" in doc[0]):
        return "fixtures"
    if isinstance(doc, dict) and "history" in doc:
        return "element-summary"
    if isinstance(doc, dict) and isinstance(doc.get("elements"), list):
        return "live"
    raise RecordError(Origin(location, record="$"), "not an FPL answer this importer knows (bootstrap-static, "
                      "fixtures, element-summary or event/<gw>/live)")


def _json_rows(location: str, doc: Any, key: str, required: Iterable[str], *, path: str | None = None
               ) -> list[tuple[Origin, dict]]:
    items = doc.get(key) if isinstance(doc, dict) else None
    base = path or f"$.{key}"
    if not isinstance(items, list):
        raise RecordError(Origin(location, record=base), "expected a list")
    rows = []
    for index, item in enumerate(items):
        where = Origin(location, record=f"{base}[{index}]")
        if not isinstance(item, dict):
            raise RecordError(where, "expected an object")
        missing = [name for name in required if name not in item]
        if missing:
            raise RecordError(where, f"missing {', '.join(missing)}")
        rows.append((where, dict(item)))
    return rows


def _live_lines(location, doc, players, fixtures, managers) -> list[FplLine]:
    """event/<gw>/live: one line per element that played one fixture (a double gameweek's two
    fixtures are summed in ``stats`` and cannot be told apart, so they are left to element-summary)."""
    lines = []
    for index, item in enumerate(doc["elements"]):
        where = Origin(location, record=f"$.elements[{index}]")
        if not isinstance(item, dict) or not isinstance(item.get("stats"), dict):
            raise RecordError(where, "expected an object with stats")
        element = _int(item.get("id"), where, "id")
        if element in managers:
            continue
        if element not in players:
            raise RecordError(Origin(location, record=f"$.elements[{index}].id"), f"element {element} is not in "
                              "the bootstrap-static answer")
        explain = item.get("explain") or []
        if len(explain) != 1 or not isinstance(explain[0], dict):
            continue
        fixture_id = _int(explain[0].get("fixture"), where, "explain[0].fixture")
        if fixture_id not in fixtures:
            raise RecordError(Origin(location, record=f"$.elements[{index}].explain[0].fixture"),
                              f"fixture {fixture_id} is not in the fixtures answer")
        fixture = fixtures[fixture_id]
        team = players[element].team_id
        stats = {**item["stats"], "value": None, "was_home": team == fixture.home_team_id}
        stats_where = Origin(location, record=f"$.elements[{index}].stats")
        tracks = "expected_goals" in stats
        lines.append(_line(stats_where, stats, element, fixture_id, fixture.gameweek or 0,
                           tracks_expected=tracks, tracks_starts="starts" in stats))
    return lines


def _api_season(location, bootstrap, fixtures) -> str:
    kickoffs = [fixture.kickoff for fixture in fixtures.values() if fixture.kickoff]
    if kickoffs:
        return season_name_for(min(kickoffs).date())
    deadlines = [event.get("deadline_time") for event in bootstrap.get("events", []) if isinstance(event, dict)]
    times = [_time(value, Origin(location, record="$.events"), "deadline_time") for value in deadlines if value]
    if not times:
        raise RecordError(Origin(location, record="$.events"), "cannot tell the season: no deadline_time")
    return season_name_for(min(times).date())
