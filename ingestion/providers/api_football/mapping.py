"""API-Football v3 (api-sports.io) payloads -> records (pure: decoded JSON in, records out; no ORM).

Every function takes the decoded JSON of one response and ``origin``, a label for error
messages (the URL or the file). A payload may be the whole envelope
``{get, parameters, errors, results, paging, response}``, the bare ``response`` array,
or one item of it. Bad input (a required field missing, a field of the wrong type)
raises ``RecordError`` naming the JSON path: ``response[3].fixture.date``. Fields we do
not read are ignored. Decisions worth knowing:

- **Status** (``fixture.status.short``): NS, TBD -> scheduled; 1H, HT, 2H, ET, BT, P,
  SUSP, INT, LIVE -> live; FT, AET, PEN -> finished; PST -> postponed; CANC -> cancelled;
  ABD -> abandoned; AWD (technical loss) and WO (walkover) -> finished when the payload
  gives a score, else abandoned (AWD) or cancelled (WO) with a warning, because a
  finished match needs a score. An unknown code is bad input rather than a guess.
- **Live clock** (``live_state``): 1H first half, HT half-time, 2H second half, ET and BT
  (the breaks before and inside extra time) extra time, P penalties; SUSP, INT and LIVE
  take the period from the elapsed minute. An elapsed minute past the period's end
  (47 in the first half) is 45+2; ``status.extra`` (newer responses) wins when present.
- **Season.** ``league.season`` is the year the season starts. ``season_name`` depends on
  the competition only, never on a match's date, so every match of one season lands in
  the same Season: the catalog first (World Cup, Euro: calendar year; its leagues and
  the Champions League: "2023/24"), then ``CALENDAR_YEAR_COUNTRIES`` (South America,
  MLS, Scandinavia, East Asia ...: "2024"); competitions of the country "World" are
  split-year when they are UEFA club competitions, calendar-year otherwise (CONMEBOL,
  CONCACAF, friendlies, national-team tournaments); every other country is split-year
  (Europe, and Mexico's Apertura + Clausura, which API-Football files as one season).
- **Kick-off**: ``fixture.date`` (ISO 8601 with offset) as aware UTC.
- **Penalty shoot-out score** (``score.penalty``): ``MatchRecord`` has no field for it and
  the import service does not write one, so it is left out; the kicks themselves are
  events of period 5, which never count towards the score.
- **Round**: kept as given ("Regular Season - 12"); a trailing "- <number>" is the matchday.
- **Referee**: the ", Country" suffix some responses add is dropped ("Andy Madley, England").
- **Events** carry no id and a live poll resends the whole list: see ``event_key``.
  Goal details Normal Goal / Own Goal / Penalty / Missed Penalty -> goal / own_goal /
  penalty_scored / penalty_missed; cards -> yellow_card / second_yellow / red_card;
  subst -> substitution; Var -> var (no score change; the decision, e.g. "Goal
  cancelled", is the outcome); any other type -> other, with ``raw_type`` kept.
  Periods come from the elapsed minute (<= 45 first half, <= 90 second, <= 105 and
  <= 120 extra time); a kick of a shoot-out (comment "Penalty Shootout", or a penalty at
  120' or later in a match that went to penalties) is period 5, minute 120.
- **Own goals.** API-Football files an own goal under the team that benefits from it;
  our ``own_goal`` belongs to the side of the player who put it in (the score service
  credits the opponent), so the team is flipped and ``details["credited_team"]`` keeps
  API-Football's.
- **Substitutions** (see ``_players_off_first``): our ``player`` leaves the pitch and
  ``related_player`` comes on, as for StatsBomb. API-Football documents ``player`` as the
  player going off and ``assist`` as the one coming on, and finished matches follow
  that (fixtures_*_1049765.json: every ``player`` is in the starting XI), but live
  feeds often send them the other way round (fixtures_live_all_2024-02-21.json:
  Chabab Mohammédia's I. Mihrab scores at 32' and is the ``assist`` of the 77'
  substitution), a known provider bug (api-sports/public-roadmap #170, #283, #371).
  So each list is read both ways and the reading the match itself supports wins:
  starters cannot come on; a player who acted (scored, assisted, was booked) before
  the substitution was on the pitch, one who acted after it came on. No evidence
  keeps the documented order.
- **Injuries** (``parse_injuries``, /injuries?fixture=): ``player.type`` "Questionable" ->
  doubtful; "Missing Fixture" -> suspended when the reason is a ban ("Suspended", "Red
  Card", "Yellow Cards"), unavailable when it is neither medical nor a ban ("Inactive",
  "Coach's Decision", "Personal Reasons", "International Duty", a loan), else injured
  ("Knee Injury", "Illness"). Any other type is bad input. API-Football gives no chance of
  playing and no start date: the statement begins when we read it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ingestion.providers.live import LiveState, LiveUpdate
from matches.catalog import known_competition
from matches.records import (
    CompetitionRef,
    EventRecord,
    LineupEntryRecord,
    LineupRecord,
    MatchRecord,
    OddsRecord,
    Origin,
    PlayerRef,
    RecordError,
    TeamRef,
    TeamStatsRecord,
    VenueRef,
)

__all__ = [
    "HomeAway", "InjuryRecord", "LiveState", "PlayerSeasonStats", "StandingRow", "TeamSeasonStats",
    "bookmaker_code", "bookmakers_from_odds", "event_key", "live_state", "live_updates",
    "parse_events", "parse_fixtures", "parse_injuries", "parse_lineups", "parse_odds", "parse_player_season_stats",
    "parse_standings", "parse_statistics", "parse_team_season_stats", "season_name",
]

SOURCE = "api_football"

# fixture.status.short -> Match.Status value.
STATUSES = {
    "TBD": "scheduled", "NS": "scheduled",
    "1H": "live", "HT": "live", "2H": "live", "ET": "live", "BT": "live", "P": "live",
    "SUSP": "live", "INT": "live", "LIVE": "live",
    "FT": "finished", "AET": "finished", "PEN": "finished", "AWD": "finished", "WO": "finished",
    "PST": "postponed", "CANC": "cancelled", "ABD": "abandoned",
}
# Awarded and walked-over matches without a score in the payload: what they are instead.
UNSCORED_RESULTS = {"AWD": "abandoned", "WO": "cancelled"}
# fixture.status.short -> Match.Period value while live; SUSP, INT and LIVE go by the minute.
LIVE_PERIODS = {"1H": "first_half", "HT": "half_time", "2H": "second_half", "ET": "extra_time",
                "BT": "extra_time", "P": "penalties"}
PERIOD_ENDS = {"first_half": 45, "second_half": 90, "extra_time": 120}
SHOOTOUT_STATUSES = frozenset({"P", "PEN"})

# Countries (as API-Football spells them) whose leagues run January to December.
CALENDAR_YEAR_COUNTRIES = frozenset({
    "Argentina", "Bolivia", "Brazil", "Chile", "Colombia", "Ecuador", "Paraguay", "Peru", "Uruguay", "Venezuela",
    "USA", "Canada", "Japan", "South-Korea", "China", "Norway", "Sweden", "Finland", "Iceland", "Ireland",
    "Faroe-Islands", "Estonia", "Latvia", "Lithuania", "Belarus", "Kazakhstan", "Georgia",
})
WORLD = "World"

# /fixtures/statistics "type" -> TeamStatsRecord field.
STATISTICS = {
    "Total Shots": "shots", "Shots on Goal": "shots_on_target", "Corner Kicks": "corners", "Fouls": "fouls",
    "Offsides": "offsides", "Yellow Cards": "yellow_cards", "Red Cards": "red_cards",
    "Ball Possession": "possession", "expected_goals": "xg",
}
DECIMAL_STATISTICS = frozenset({"possession", "xg"})

# Lineup "pos" and season statistics "position" -> Player.Position value.
POSITIONS = {"G": "GK", "D": "DF", "M": "MF", "F": "FW",
             "Goalkeeper": "GK", "Defender": "DF", "Midfielder": "MF", "Attacker": "FW"}

# /odds bet names -> OddsQuote.Market value.
MATCH_WINNER, TOTALS, HANDICAP = "Match Winner", "Goals Over/Under", "Asian Handicap"
ODDS_MARKETS = {MATCH_WINNER: "1x2", TOTALS: "over_under", HANDICAP: "asian_handicap"}
ONE_X_TWO = {"home": "home", "draw": "draw", "away": "away"}
TOTALS_VALUE = re.compile(r"(?P<side>over|under)\s*(?P<line>[+-]?\d+(?:\.\d+)?)", re.IGNORECASE)
HANDICAP_VALUE = re.compile(r"(?P<side>home|away)\s*(?P<line>[+-]?\d+(?:\.\d+)?)", re.IGNORECASE)

MATCHDAY = re.compile(r"-\s*(\d+)\s*$")
SUBSTITUTION_NUMBER = re.compile(r"(\d+)\s*$")


# Dataclasses for the statistics jobs


@dataclass(frozen=True)
class StandingRow:
    """One line of a table as API-Football computes it (to cross-check ours)."""

    competition: CompetitionRef
    season_name: str
    group: str  # "Liga I: Regular Season", "Group A"
    rank: int
    team: TeamRef
    played: int
    won: int
    drawn: int
    lost: int
    goals_for: int
    goals_against: int
    points: int
    form: str = ""  # most recent last, as given: "WWDL"
    description: str = ""  # "Promotion - Champions League (Group Stage)", "Relegation"


@dataclass(frozen=True)
class PlayerSeasonStats:
    """A player's season for one team in one competition (/players, /players/topscorers)."""

    player: PlayerRef
    team: TeamRef
    competition: CompetitionRef
    season_name: str
    position: str = ""  # a Player.Position value
    appearances: int | None = None
    starts: int | None = None
    minutes: int | None = None
    goals: int | None = None
    assists: int | None = None
    shots: int | None = None
    shots_on_target: int | None = None
    yellow_cards: int | None = None
    second_yellows: int | None = None
    red_cards: int | None = None
    penalties_scored: int | None = None
    penalties_missed: int | None = None
    rating: float | None = None  # API-Football's average match rating, 0-10


@dataclass(frozen=True)
class HomeAway:
    home: int | None = None
    away: int | None = None
    total: int | None = None


@dataclass(frozen=True)
class TeamSeasonStats:
    """A team's season in one competition (/teams/statistics)."""

    team: TeamRef
    competition: CompetitionRef
    season_name: str
    played: HomeAway
    wins: HomeAway
    draws: HomeAway
    losses: HomeAway
    goals_for: HomeAway
    goals_against: HomeAway
    clean_sheets: HomeAway
    failed_to_score: HomeAway
    form: str = ""  # oldest first: "WWDL"


# Reading the payload with JSON paths for errors


def _kind_of(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else f"a {type(value).__name__}")


class _At:
    """A value of the payload and its JSON path, so that every error says where."""

    __slots__ = ("value", "path", "origin")

    def __init__(self, value: Any, path: str, origin: str):
        self.value, self.path, self.origin = value, path, origin

    def where(self, key: str | int | None = None) -> str:
        if key is None:
            return self.path
        if isinstance(key, int):
            return f"{self.path}[{key}]"
        return f"{self.path}.{key}" if self.path else key

    def fail(self, message: str, key: str | int | None = None) -> NoReturn:
        raise RecordError(Origin(self.origin, record=self.where(key)), message)

    def as_object(self) -> _At:
        if not isinstance(self.value, dict):
            self.fail(f"expected an object, got {_kind_of(self.value)}")
        return self

    def get(self, key: str) -> Any:
        return self.value.get(key) if isinstance(self.value, dict) else None

    def obj(self, key: str, *, required: bool = True) -> _At | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail("missing", key)
            return None
        if not isinstance(value, dict):
            self.fail(f"expected an object, got {_kind_of(value)}", key)
        return _At(value, self.where(key), self.origin)

    def children(self, key: str, *, required: bool = False) -> list[_At]:
        value = self.get(key)
        if value is None:
            if required:
                self.fail("missing", key)
            return []
        if not isinstance(value, list):
            self.fail(f"expected a list, got {_kind_of(value)}", key)
        base = self.where(key)
        return [_At(item, f"{base}[{index}]", self.origin) for index, item in enumerate(value)]

    def integer(self, key: str, *, required: bool = False) -> int | None:
        value = self.get(key)
        if value is None:
            if required:
                self.fail("missing", key)
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"expected a whole number, got {_kind_of(value)} {value!r}", key)
        return value

    def count(self, key: str, *, required: bool = False) -> int | None:
        """A whole number that cannot be negative (goals, minutes, appearances)."""
        value = self.integer(key, required=required)
        if value is not None and value < 0:
            self.fail(f"is negative ({value})", key)
        return value

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.get(key)
        if value is None or (required and value == ""):
            if required:
                self.fail("missing", key)
            return ""
        if not isinstance(value, str):
            self.fail(f"expected a string, got {_kind_of(value)} {value!r}", key)
        return value.strip()

    def number(self, key: str) -> float | None:
        """A number the API may send as a number or as text: 1.64, "1.64", "35%", "8.053333"."""
        value = self.get(key)
        if value is None or value == "":
            return None
        if isinstance(value, bool):
            self.fail(f"expected a number, got {value!r}", key)
        if isinstance(value, int | float):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().removesuffix("%"))
            except ValueError:
                pass
        self.fail(f"expected a number, got {_kind_of(value)} {value!r}", key)

    def moment(self, key: str, *, timezone: str = "") -> dt.datetime:
        text = self.text(key, required=True)
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not an ISO 8601 date and time", key)
        if moment.tzinfo is None:
            try:
                moment = moment.replace(tzinfo=ZoneInfo(timezone or "UTC"))
            except (ZoneInfoNotFoundError, ValueError):
                self.fail(f"{text!r} has no offset and {timezone!r} is no time zone", key)
        return moment.astimezone(dt.UTC)


def _items(payload: Any, origin: str) -> list[_At]:
    """The items of a response: of the envelope's ``response``, of a bare array, or one item."""
    if isinstance(payload, dict) and "response" in payload:
        errors = payload.get("errors")
        if errors:  # [] or {} when fine; {"token": "..."}, {"requests": "..."} otherwise
            raise RecordError(Origin(origin, record="errors"), f"the API answered with errors: {errors}")
        response = payload["response"]
        if isinstance(response, dict):
            return [_At(response, "response", origin)]
        payload = response
    if isinstance(payload, list):
        return [_At(item, f"response[{index}]", origin).as_object() for index, item in enumerate(payload)]
    if isinstance(payload, dict):
        return [_At(payload, "", origin)]
    raise RecordError(origin, f"expected an API-Football response, got {_kind_of(payload)}")


# Competitions, seasons, teams, players


def season_name(league: Mapping[str, Any]) -> str:
    """Our season name for API-Football's ``league`` object: "2023/24" or "2024" (see the module docstring)."""
    year = league["season"]
    if _is_calendar_year(str(league.get("id", "")), league.get("name") or "", league.get("country") or ""):
        return str(year)
    return f"{year}/{(year + 1) % 100:02d}"


def _is_calendar_year(league_id: str, name: str, country: str) -> bool:
    known = known_competition(SOURCE, league_id) if league_id else None
    if known:
        return known.kind == "international"
    if country == WORLD:
        return not (name.startswith("UEFA") and "League" in name and "Nations" not in name)
    return country in CALENDAR_YEAR_COUNTRIES


def _competition(league: _At) -> tuple[CompetitionRef, str, bool]:
    """The competition, our season name and whether national teams play in it."""
    league_id = league.integer("id", required=True)
    season = league.integer("season", required=True)
    name, country = league.text("name"), league.text("country")
    known = known_competition(SOURCE, str(league_id))
    ref = CompetitionRef(SOURCE, str(league_id), name=name, country="" if country == WORLD else country)
    return ref, season_name({"id": league_id, "name": name, "country": country, "season": season}), bool(
        known and known.kind == "international")


def _team(node: _At, national: bool = False) -> TeamRef:
    team_id = node.integer("id", required=True)
    name = node.text("name", required=True)
    return TeamRef(SOURCE, name, str(team_id), country=name if national else "", is_national=national)


def _player(node: _At | None) -> PlayerRef | None:
    """A player as events and lineups give one ({id, name}); None when both are empty."""
    if node is None:
        return None
    player_id, name = node.integer("id"), node.text("name")
    if player_id is None and not name:
        return None
    return PlayerRef(SOURCE, name, str(player_id) if player_id is not None else None)


def _player_key(ref: PlayerRef | None) -> tuple[str, str] | None:
    if ref is None:
        return None
    return ("id", ref.external_id) if ref.external_id else ("name", ref.name)


# /fixtures


def parse_fixtures(payload: Any, origin: str) -> list[MatchRecord]:
    """/fixtures responses (by date, league and season, id, live=all, head to head) -> validated MatchRecords.

    Items that embed ``events``, ``lineups`` or ``statistics`` (live=all, by id) bring them along.
    """
    return [_fixture(item, origin) for item in _items(payload, origin)]


def live_state(fixture_item: Mapping[str, Any], origin: str = "api_football fixture") -> LiveState:
    """Status, period (a Match.Period value, "" unless live), minute and added minute of one /fixtures item."""
    return _live_state(_At(fixture_item, "", origin).as_object().obj("fixture"))


def live_updates(payload: Any, origin: str) -> list[LiveUpdate]:
    """A /fixtures?live=all poll as one LiveUpdate per match: state, score and the events so far."""
    updates = []
    for item in _items(payload, origin):
        record = _fixture(item, origin)
        updates.append(LiveUpdate(SOURCE, record.external_id, _live_state(item.obj("fixture")),
                                  record.home_score, record.away_score, record.events))
    return updates


def _status(fixture: _At) -> tuple[str, str]:
    """(short code, Match.Status value)."""
    status = fixture.obj("status")
    short = status.text("short", required=True)
    if short not in STATUSES:
        status.fail(f"unknown status {short!r} ({status.text('long') or 'no description'})", "short")
    return short, STATUSES[short]


def _live_state(fixture: _At) -> LiveState:
    short, status = _status(fixture)
    if status != "live":
        return LiveState(status)
    node = fixture.obj("status")
    elapsed, extra = node.count("elapsed"), node.count("extra")
    period = LIVE_PERIODS.get(short)
    if period is None:  # suspended, interrupted, or a feed that only says "live"
        period = ("first_half" if elapsed is None or elapsed <= 45
                  else "second_half" if elapsed <= 90 else "extra_time")
    if period == "half_time":
        return LiveState(status, period, 45, None)
    if period == "penalties":
        return LiveState(status, period, 120, None)
    if elapsed is None:
        return LiveState(status, period)
    end = PERIOD_ENDS[period]
    if extra is None and elapsed > end:
        elapsed, extra = end, elapsed - end
    return LiveState(status, period, elapsed, extra or None)


def _fixture(item: _At, origin: str) -> MatchRecord:
    fixture = item.obj("fixture")
    fixture_id = fixture.integer("id", required=True)
    competition, season, national = _competition(item.obj("league"))
    teams = item.obj("teams")
    home, away = _team(teams.obj("home"), national), _team(teams.obj("away"), national)
    kickoff = fixture.moment("date", timezone=fixture.text("timezone"))
    short, status = _status(fixture)
    goals = item.obj("goals")
    home_score, away_score = goals.count("home"), goals.count("away")
    halftime = (item.obj("score", required=False) or _At({}, "", origin)).obj("halftime", required=False)
    home_ht = halftime.count("home") if halftime else None
    away_ht = halftime.count("away") if halftime else None
    warnings = []
    if short in UNSCORED_RESULTS and home_score is None:
        status = UNSCORED_RESULTS[short]
        warnings.append(f"{origin}, {item.path}: status {short} without a score; stored as {status}")
    round_name = item.obj("league").text("round")
    matchday = MATCHDAY.search(round_name)

    lineups = [_lineup(node, {home.external_id: home, away.external_id: away}) for node in item.children("lineups")]
    events = _events(item.children("events"), str(fixture_id), home, away,
                     shootout=short in SHOOTOUT_STATUSES, lineups=lineups)
    _mark_substitutions(lineups, events)
    stats = dict(_team_statistics(node) for node in item.children("statistics"))

    record = MatchRecord(
        origin=Origin(origin, record=f"{item.path}, fixture {fixture_id}"),
        source=SOURCE, external_id=str(fixture_id), competition=competition, season_name=season,
        kickoff=kickoff, home=home, away=away, status=status,
        home_score=home_score, away_score=away_score, home_ht_score=home_ht, away_ht_score=away_ht,
        round=round_name, matchday=int(matchday[1]) if matchday else None,
        venue=_venue(fixture.obj("venue", required=False)), referee=_referee(fixture.text("referee")),
        events=events, lineups=lineups,
        home_stats=stats.get(home.external_id), away_stats=stats.get(away.external_id),
        warnings=warnings,
    )
    record.validate()
    return record


def _venue(node: _At | None) -> VenueRef | None:
    if node is None or not node.text("name"):
        return None
    venue_id = node.integer("id")
    return VenueRef(SOURCE, node.text("name"), str(venue_id) if venue_id is not None else None, city=node.text("city"))


def _referee(name: str) -> str:
    """Drop the ", Country" suffix some responses add: "Andy Madley, England" -> "Andy Madley"."""
    return name.rsplit(",", 1)[0].strip()[:80] if name else ""


# /fixtures/events


def parse_events(payload_or_list: Any, origin: str, *, home: TeamRef, away: TeamRef,
                 fixture_id: str | int | None = None, shootout: bool = False,
                 lineups: list[LineupRecord] | None = None) -> list[EventRecord]:
    """/fixtures/events (or a fixture's embedded ``events``) -> EventRecords in the list's order.

    ``fixture_id`` defaults to the envelope's ``parameters.fixture``; a bare list needs it.
    ``shootout``: the match went to penalties (status P or PEN), so penalties at 120' or
    later are shoot-out kicks even without the "Penalty Shootout" comment.
    ``lineups`` (of the same match), when known, help read substitutions the right way round.
    """
    if fixture_id is None and isinstance(payload_or_list, dict):
        fixture_id = (payload_or_list.get("parameters") or {}).get("fixture")
    if fixture_id is None or str(fixture_id).strip() == "":
        raise RecordError(origin, "the events name no fixture: pass fixture_id")
    items = _items(payload_or_list, origin)
    return _events(items, str(fixture_id).strip(), home, away, shootout=shootout, lineups=lineups or [])


def event_key(fixture_id: str, key_class: str, team_id: int | None, elapsed: int, ordinal: int) -> str:
    """The external id of an API-Football event, which has none of its own.

    A live poll resends the whole list each time, and later copies of an event may gain
    the player's name or id, an assist, ``time.extra``, a comment, or swap Normal Goal
    for Own Goal or Penalty. So the key holds only what stays put: the fixture, the
    class of event (any goal / missed penalty / card / substitution / VAR / other type),
    the team API-Football files it under and the elapsed minute, plus the ordinal among
    the list's events sharing those (two goals by one team in the same minute are
    ordinal 0 and 1; the list is in match order, so their ordinals do not swap).
    ``time.extra`` is left out on purpose: it is sometimes filled in late, and events in
    added time differ by their ordinal. What this cannot follow: an event whose elapsed
    minute or team is corrected later becomes a new event.
    """
    return f"{fixture_id}:{key_class}:{team_id if team_id is not None else '-'}:{elapsed}:{ordinal}"


def _event_kind(type_name: str, detail: str) -> str:
    kind, text = type_name.casefold(), detail.casefold()
    if kind == "goal":
        if "miss" in text:
            return "penalty_missed"
        if "own" in text:
            return "own_goal"
        if "penalty" in text:
            return "penalty_scored"
        return "goal"
    if kind == "card":
        if "second" in text or "yellow red" in text or "yellowred" in text:
            return "second_yellow"
        if "red" in text:
            return "red_card"
        if "yellow" in text:
            return "yellow_card"
        return "other"
    return {"subst": "substitution", "var": "var"}.get(kind, "other")


def _key_class(type_name: str, kind: str) -> str:
    if kind in ("goal", "own_goal", "penalty_scored"):
        return "goal"
    if kind == "penalty_missed":
        return "penalty-miss"
    return re.sub(r"\W+", "-", type_name.casefold()).strip("-") or "event"


@dataclass
class _RawEvent:
    node: _At
    type_name: str
    detail: str
    comments: str
    kind: str
    elapsed: int
    extra: int | None
    api_team_id: int | None
    team: TeamRef | None
    player: PlayerRef | None
    assist: PlayerRef | None


def _events(nodes: list[_At], fixture_id: str, home: TeamRef, away: TeamRef, *, shootout: bool,
            lineups: list[LineupRecord]) -> list[EventRecord]:
    raw = [_raw_event(node.as_object(), home, away) for node in nodes]
    off_first = _players_off_first(raw, lineups)
    seen: dict[tuple, int] = {}
    records = []
    for index, event in enumerate(raw):
        key_class = _key_class(event.type_name, event.kind)
        identity = (key_class, event.api_team_id, event.elapsed)
        ordinal = seen.get(identity, 0)
        seen[identity] = ordinal + 1

        details: dict[str, Any] = {}
        if event.detail:
            details["detail"] = event.detail
        if event.comments:
            details["comments"] = event.comments
        team, player, related = event.team, event.player, None
        outcome = situation = ""
        if event.kind == "own_goal" and team is not None:
            details["credited_team"] = team.external_id
            team = away if team is home else home
        elif event.kind in ("goal", "penalty_scored", "penalty_missed"):
            related = event.assist
            situation = "Penalty" if event.kind != "goal" else ""
        elif event.kind == "substitution":
            player, related = (event.player, event.assist) if off_first else (event.assist, event.player)
            if number := SUBSTITUTION_NUMBER.search(event.detail):
                details["substitution"] = int(number[1])
        elif event.kind == "var":
            outcome = event.detail[:40]

        shootout_kick = "shootout" in event.comments.casefold().replace(" ", "") or (
            shootout and event.kind in ("penalty_scored", "penalty_missed") and event.elapsed >= 120)
        if shootout_kick:
            period, minute, added = 5, 120, None
            if event.extra:
                details["shootout_kick"] = event.extra
        else:
            period = 1 if event.elapsed <= 45 else 2 if event.elapsed <= 90 else 3 if event.elapsed <= 105 else 4
            minute, added = event.elapsed, event.extra or None

        records.append(EventRecord(
            source=SOURCE, external_id=event_key(fixture_id, key_class, event.api_team_id, event.elapsed, ordinal),
            kind=event.kind, period=period, minute=minute, added_minute=added, source_index=index,
            team=team, player=player, related_player=related, outcome=outcome, situation=situation,
            raw_type=event.type_name[:60], details=details,
        ))
    return records


def _raw_event(node: _At, home: TeamRef, away: TeamRef) -> _RawEvent:
    time = node.obj("time")
    elapsed = time.count("elapsed", required=True)
    extra = time.count("extra")
    type_name, detail = node.text("type", required=True), node.text("detail")
    team_node = node.obj("team", required=False)
    api_team_id = team_node.integer("id") if team_node else None
    return _RawEvent(
        node=node, type_name=type_name, detail=detail, comments=node.text("comments"),
        kind=_event_kind(type_name, detail), elapsed=elapsed, extra=extra, api_team_id=api_team_id,
        team=_side(team_node, home, away), player=_player(node.obj("player", required=False)),
        assist=_player(node.obj("assist", required=False)),
    )


def _side(node: _At | None, home: TeamRef, away: TeamRef) -> TeamRef | None:
    """The match's own TeamRef for an event's team: by id, or by name when the id is missing."""
    if node is None:
        return None
    team_id, name = node.integer("id"), node.text("name")
    if team_id is None and not name:
        return None
    for ref in (home, away):
        if (ref.external_id == str(team_id)) if team_id is not None else (ref.name == name):
            return ref
    node.fail(f"team {name or team_id!r} is not playing in this match ({home.name} v {away.name})")


def _players_off_first(events: list[_RawEvent], lineups: list[LineupRecord]) -> bool:
    """Whether the list's substitutions name the player going off as ``player`` (the documented order).

    Evidence, per substitution: a starter cannot come on; a player who acted before it
    (scored, assisted, was booked) was on the pitch and so went off; one who acted after
    it came on. The votes of the whole list decide, since feeds swap the order per match,
    not per substitution; no evidence keeps the documented order.
    """
    starters = {_player_key(entry.player) for lineup in lineups for entry in lineup.entries if entry.is_starter}
    acted: dict[tuple[str, str], list[int]] = {}
    for index, event in enumerate(events):
        if event.kind != "substitution":
            for ref in (event.player, event.assist):
                if ref is not None:
                    acted.setdefault(_player_key(ref), []).append(index)
    votes = 0
    for index, event in enumerate(events):
        if event.kind != "substitution":
            continue
        for ref, sign in ((event.player, 1), (event.assist, -1)):  # +1: ``player`` went off
            key = _player_key(ref)
            if key is None:
                continue
            if key in starters:
                votes += sign
            votes += sum(sign if moment < index else -sign for moment in acted.get(key, []))
    return votes >= 0


def _mark_substitutions(lineups: list[LineupRecord], events: list[EventRecord]) -> None:
    """Fill the lineups' subbed-on and subbed-off minutes from the substitution events."""
    entries = {(lineup.team.external_id, _player_key(entry.player)): entry
               for lineup in lineups for entry in lineup.entries}
    for event in events:
        if event.kind != "substitution" or event.team is None:
            continue
        if off := entries.get((event.team.external_id, _player_key(event.player))):
            off.subbed_off_minute = event.minute
        if on := entries.get((event.team.external_id, _player_key(event.related_player))):
            on.subbed_on_minute = event.minute


# /fixtures/lineups


def parse_lineups(payload: Any, origin: str) -> list[LineupRecord]:
    """/fixtures/lineups -> one LineupRecord per team: formation, the starting XI, then the substitutes."""
    return [_lineup(item, {}) for item in _items(payload, origin)]


def _lineup(node: _At, teams: dict[str | None, TeamRef]) -> LineupRecord:
    team = _team(node.as_object().obj("team"))
    team = teams.get(team.external_id, team)
    entries = []
    for key, starter in (("startXI", True), ("substitutes", False)):
        for item in node.children(key):
            player_node = item.as_object().obj("player")
            player = _player(player_node)
            if player is None:
                player_node.fail("a lineup player has neither id nor name")
            entries.append(LineupEntryRecord(
                player=player, shirt_number=player_node.count("number"),
                position=POSITIONS.get(player_node.text("pos"), ""), is_starter=starter,
            ))
    return LineupRecord(team, node.text("formation"), entries)


# /fixtures/statistics


def parse_statistics(payload: Any, origin: str) -> dict[str, TeamStatsRecord]:
    """/fixtures/statistics (or one of its items) -> TeamStatsRecord by the team's API-Football id."""
    return dict(_team_statistics(item) for item in _items(payload, origin))


def _team_statistics(node: _At) -> tuple[str, TeamStatsRecord]:
    team = _team(node.as_object().obj("team"))
    stats = TeamStatsRecord()
    for item in node.children("statistics"):
        name = item.as_object().text("type")
        field_name = STATISTICS.get(name)
        if field_name is None:
            continue
        if field_name in DECIMAL_STATISTICS:
            value = item.number("value")
            if field_name == "possession" and value is not None and not 0 <= value <= 100:
                item.fail(f"possession {value} is not a percentage", "value")
        else:
            value = item.count("value")
        setattr(stats, field_name, value)
    return team.external_id, stats


# /odds


def bookmaker_code(bookmaker_id: int) -> str:
    """Our Bookmaker.code for an API-Football bookmaker; prefixed so it never meets a football-data.co.uk code."""
    return f"{SOURCE}:{bookmaker_id}"


def parse_odds(payload: Any, origin: str) -> dict[str, list[OddsRecord]]:
    """/odds -> OddsRecords by fixture id: 1X2, over/under (every line) and Asian handicap, as snapshots.

    ``taken_at`` is the item's ``update``. The handicap line is the home side's (as in
    OddsQuote): "Away +0.5" is line -0.5. Other bets, selections we cannot read and
    prices of 1 or less (no price at all) are skipped; a price that is not a number is bad input.
    """
    by_fixture: dict[str, list[OddsRecord]] = {}
    for item in _items(payload, origin):
        fixture_id = str(item.obj("fixture").integer("id", required=True))
        taken_at = item.moment("update")
        records = by_fixture.setdefault(fixture_id, [])
        for bookmaker in item.children("bookmakers"):
            code = bookmaker_code(bookmaker.as_object().integer("id", required=True))
            for bet in bookmaker.children("bets"):
                market = ODDS_MARKETS.get(bet.as_object().text("name"))
                if market is None:
                    continue
                for value in bet.children("values"):
                    quote = _selection(market, value.as_object())
                    price = value.number("odd")
                    if quote is None or price is None or price <= 1:
                        continue
                    selection, line = quote
                    records.append(OddsRecord(code, market, selection, "snapshot", price, line, taken_at))
    return by_fixture


def _selection(market: str, node: _At) -> tuple[str, Decimal] | None:
    text = str(node.get("value") or "").strip()
    if market == "1x2":
        selection = ONE_X_TWO.get(text.casefold())
        return (selection, Decimal(0)) if selection else None
    pattern = TOTALS_VALUE if market == "over_under" else HANDICAP_VALUE
    found = pattern.fullmatch(text)
    if not found:
        return None
    selection, line = found["side"].casefold(), Decimal(found["line"])
    if market == "asian_handicap" and selection == "away":
        line = -line
    return selection, line + 0  # + 0 turns -0 into 0


def bookmakers_from_odds(payload: Any, origin: str = "api_football odds") -> dict[str, tuple[str, bool]]:
    """Code -> (name, is_aggregate) for every bookmaker of an /odds payload: ``import_matches(bookmakers=...)``."""
    names: dict[str, tuple[str, bool]] = {}
    for item in _items(payload, origin):
        for bookmaker in item.children("bookmakers"):
            bookmaker_id = bookmaker.as_object().integer("id", required=True)
            names[bookmaker_code(bookmaker_id)] = (bookmaker.text("name") or f"API-Football bookmaker {bookmaker_id}",
                                                    False)
    return names


# /standings


def parse_standings(payload: Any, origin: str) -> list[StandingRow]:
    """/standings -> every row of every group, in the order given."""
    rows = []
    for item in _items(payload, origin):
        league = item.obj("league")
        competition, season, national = _competition(league)
        for group in league.children("standings"):
            if not isinstance(group.value, list):
                group.fail(f"expected a list of rows, got {_kind_of(group.value)}")
            for index, value in enumerate(group.value):
                row = _At(value, group.where(index), origin).as_object()
                overall = row.obj("all")
                goals = overall.obj("goals")
                rows.append(StandingRow(
                    competition=competition, season_name=season, group=row.text("group"),
                    rank=row.count("rank", required=True), team=_team(row.obj("team"), national),
                    played=overall.count("played", required=True), won=overall.count("win", required=True),
                    drawn=overall.count("draw", required=True), lost=overall.count("lose", required=True),
                    goals_for=goals.count("for", required=True), goals_against=goals.count("against", required=True),
                    points=row.integer("points", required=True),  # a deduction can make it negative
                    form=row.text("form"), description=row.text("description"),
                ))
    return rows


# /players, /players/topscorers (and topassists, topyellowcards, topredcards)


def parse_player_season_stats(payload: Any, origin: str) -> list[PlayerSeasonStats]:
    """/players and /players/top* -> one PlayerSeasonStats per player, team and competition."""
    found = []
    for item in _items(payload, origin):
        player = _season_player(item.obj("player"))
        for stats in item.children("statistics"):
            competition, season, national = _competition(stats.as_object().obj("league"))
            games = stats.obj("games", required=False) or _At({}, stats.where("games"), origin)
            goals = stats.obj("goals", required=False) or _At({}, stats.where("goals"), origin)
            shots = stats.obj("shots", required=False) or _At({}, stats.where("shots"), origin)
            cards = stats.obj("cards", required=False) or _At({}, stats.where("cards"), origin)
            penalty = stats.obj("penalty", required=False) or _At({}, stats.where("penalty"), origin)
            found.append(PlayerSeasonStats(
                player=player, team=_team(stats.obj("team"), national), competition=competition,
                season_name=season, position=POSITIONS.get(games.text("position"), ""),
                appearances=games.count("appearences"), starts=games.count("lineups"), minutes=games.count("minutes"),
                goals=goals.count("total"), assists=goals.count("assists"),
                shots=shots.count("total"), shots_on_target=shots.count("on"),
                yellow_cards=cards.count("yellow"), second_yellows=cards.count("yellowred"),
                red_cards=cards.count("red"),
                penalties_scored=penalty.count("scored"), penalties_missed=penalty.count("missed"),
                rating=games.number("rating"),
            ))
    return found


def _season_player(node: _At) -> PlayerRef:
    """The full name ("Neymar da Silva Santos Júnior") as name, the short one ("Neymar") as known_as."""
    player_id = node.integer("id", required=True)
    short = node.text("name")
    full = " ".join(part for part in (node.text("firstname"), node.text("lastname")) if part)
    birth = node.obj("birth", required=False)
    birth_date = None
    if birth and (text := birth.text("date")):
        try:
            birth_date = dt.date.fromisoformat(text)
        except ValueError:
            birth.fail(f"{text!r} is not a date (yyyy-mm-dd)", "date")
    name = full or short
    if not name:
        node.fail("the player has no name")
    return PlayerRef(SOURCE, name, str(player_id), known_as=short if short != name else "",
                     nationality=node.text("nationality"), birth_date=birth_date)


# /teams/statistics


def parse_team_season_stats(payload: Any, origin: str) -> TeamSeasonStats:
    """/teams/statistics (one team, one competition, one season) -> TeamSeasonStats."""
    items = _items(payload, origin)
    if len(items) != 1:
        raise RecordError(origin, f"expected the statistics of one team, got {len(items)} items")
    item = items[0]
    competition, season, national = _competition(item.obj("league"))
    fixtures = item.obj("fixtures")
    goals = item.obj("goals")

    def split(node: _At | None) -> HomeAway:
        if node is None:
            return HomeAway()
        return HomeAway(node.count("home"), node.count("away"), node.count("total"))

    return TeamSeasonStats(
        team=_team(item.obj("team"), national), competition=competition, season_name=season,
        played=split(fixtures.obj("played")), wins=split(fixtures.obj("wins")),
        draws=split(fixtures.obj("draws")), losses=split(fixtures.obj("loses")),
        goals_for=split(goals.obj("for").obj("total")), goals_against=split(goals.obj("against").obj("total")),
        clean_sheets=split(item.obj("clean_sheet", required=False)),
        failed_to_score=split(item.obj("failed_to_score", required=False)),
        form=item.text("form"),
    )


# /injuries

MISSING_FIXTURE, QUESTIONABLE = "Missing Fixture", "Questionable"
BAN_REASONS = ("suspended", "red card", "yellow card")  # "Yellow Cards": too many of them
NOT_FITNESS_REASONS = ("inactive", "coach's decision", "personal reason", "international duty", "loan",
                       "not registered", "ineligible")


@dataclass(frozen=True)
class InjuryRecord:
    """One player missing or doubtful for one fixture, as /injuries reports him."""

    fixture_id: str
    team: TeamRef
    player: PlayerRef
    status: str  # a PlayerAvailability.Status value: injured, suspended, unavailable or doubtful
    reason: str  # as given: "Hamstring Injury", "Red Card"
    kind: str  # API-Football's type: "Missing Fixture" or "Questionable"


def injury_status(kind: str, reason: str) -> str | None:
    """Our status for /injuries' ``type`` and ``reason`` (see the module docstring); None: unknown type."""
    if kind == QUESTIONABLE:
        return "doubtful"
    if kind != MISSING_FIXTURE:
        return None
    folded = reason.casefold().replace("\u2019", "'")
    if any(ban in folded for ban in BAN_REASONS):
        return "suspended"
    if any(other in folded for other in NOT_FITNESS_REASONS):
        return "unavailable"
    return "injured"


def parse_injuries(payload: Any, origin: str) -> list[InjuryRecord]:
    """/injuries responses -> one InjuryRecord per item, every item validated first."""
    records = []
    for item in _items(payload, origin):
        player = item.obj("player")
        kind = player.text("type", required=True)
        reason = player.text("reason")
        status = injury_status(kind, reason)
        if status is None:
            player.fail(f"unknown type {kind!r}: expected {MISSING_FIXTURE!r} or {QUESTIONABLE!r}", "type")
        player_id = player.integer("id", required=True)
        name = player.text("name", required=True)
        fixture_id = item.obj("fixture").integer("id", required=True)
        records.append(InjuryRecord(
            fixture_id=str(fixture_id), team=_team(item.obj("team")),
            player=PlayerRef(SOURCE, name, str(player_id)), status=status, reason=reason, kind=kind))
    return records
