"""football-data.org API v4 payloads -> records (pure: decoded JSON in, records out).

Reads ``/v4/matches``, ``/v4/competitions/{code}/matches``, ``/v4/teams/{id}/matches``
(``{"matches": [...]}``), a single ``/v4/matches/{id}`` (the match object itself) and
``/v4/competitions/{code}/standings``. Nothing here touches the network or the database.

Decisions worth knowing:

- Status. SCHEDULED and TIMED (the kick-off time is fixed) are ``scheduled``; IN_PLAY,
  PAUSED (a break: half-time, or before extra time / penalties), LIVE, EXTRA_TIME and
  PENALTY_SHOOTOUT are ``live``; FINISHED and AWARDED are ``finished``; POSTPONED and
  SUSPENDED are ``postponed``; CANCELLED is ``cancelled``. Any other status is bad input.
- Teams are named by the API's full ``name`` ("Manchester City FC"), not ``shortName``
  ("Man City") or ``tla``: the full name is unique across competitions ("Nottingham" is
  not), and ``matches.catalog`` lists every Premier League club's "… FC" spelling, so a
  match lands on the same team rows as the football-data.co.uk, openfootball and
  StatsBomb imports. The team id is the external id. A fixture whose teams are not
  known yet (cup draws: ``homeTeam.id`` null) is left out: it cannot be stored.
- Season. ``season.startDate``/``endDate`` in two years give "2023/24", in one year
  "2024" (World Cup, Euro, calendar-year leagues).
- Score. ``fullTime`` is the result, ``halfTime`` the half-time score (left out while the
  first half is being played, when it is only the running score). After a shoot-out
  (``duration`` PENALTY_SHOOTOUT) the API's ``fullTime`` adds the shoot-out kicks to the
  goals, so the result is ``regularTime + extraTime`` when given, else ``fullTime -
  penalties``. The shoot-out score itself has no place in ``MatchRecord`` yet.
- Round: "Matchday 18" in a league phase, "Group G" in a group, the stage otherwise
  ("Round of 16", "Final").
- Events (``goals``, ``bookings``, ``substitutions``: single match, paid plans). The API
  gives no event ids, so an event is keyed
  ``football_data_org:<match>:<goal|booking|substitution>:<minute>+<injuryTime>:<team id>:<n>``
  where n counts the same key earlier in the list: stable across resends, independent of
  player-name spellings. The side a goal counts for comes from the goal's running
  ``score`` when present, else from its ``team``; an own goal's event team is the side
  that conceded it (as ``MatchEvent`` expects). A minute past 90 in a match of regular
  duration is second-half added time (90+n); 45+2 is minute 45, added 2.
- Errors raise ``RecordError`` naming the origin and the JSON path
  (``matches[3].utcDate``); unknown fields are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from ingestion.providers.live import LiveState
from ingestion.providers.reading import PayloadReader, shown
from matches.catalog import known_competition
from matches.records import (
    CompetitionRef,
    EventRecord,
    MatchRecord,
    Origin,
    PlayerRef,
    TeamRef,
    VenueRef,
)

SOURCE = "football_data_org"

# football-data.org status -> Match.Status value.
STATUSES = {
    "SCHEDULED": "scheduled", "TIMED": "scheduled",
    "IN_PLAY": "live", "PAUSED": "live", "LIVE": "live", "EXTRA_TIME": "live", "PENALTY_SHOOTOUT": "live",
    "FINISHED": "finished", "AWARDED": "finished",
    "POSTPONED": "postponed", "SUSPENDED": "postponed",
    "CANCELLED": "cancelled",
}
# Match.Period values (records stay free of the ORM).
FIRST_HALF, HALF_TIME, SECOND_HALF, EXTRA_TIME, PENALTIES = (
    "first_half", "half_time", "second_half", "extra_time", "penalties")

STAGES = {
    "REGULAR_SEASON": "Regular season", "GROUP_STAGE": "Group stage", "LEAGUE_STAGE": "League phase",
    "PLAYOFFS": "Play-offs", "PLAYOFF_ROUND": "Play-off round", "PRELIMINARY_ROUND": "Preliminary round",
    "QUALIFICATION": "Qualification", "QUALIFICATION_ROUND_1": "Qualifying round 1",
    "QUALIFICATION_ROUND_2": "Qualifying round 2", "QUALIFICATION_ROUND_3": "Qualifying round 3",
    "ROUND_1": "Round 1", "ROUND_2": "Round 2", "ROUND_3": "Round 3", "ROUND_4": "Round 4",
    "LAST_64": "Round of 64", "LAST_32": "Round of 32", "LAST_16": "Round of 16",
    "QUARTER_FINALS": "Quarter-finals", "SEMI_FINALS": "Semi-finals", "THIRD_PLACE": "Third place",
    "FINAL": "Final",
}
LEAGUE_STAGES = {"REGULAR_SEASON", "LEAGUE_STAGE"}
GOAL_KINDS = {"REGULAR": "goal", "PENALTY": "penalty_scored", "OWN": "own_goal"}
CARD_KINDS = {"YELLOW": "yellow_card", "YELLOW_RED": "second_yellow", "RED": "red_card"}
MINUTE = re.compile(r"\s*(\d+)\s*(?:\+\s*(\d+))?\s*'?\s*")


@dataclass(frozen=True)
class StandingRow:
    """One team's line in one table of ``/competitions/{code}/standings``."""

    competition: CompetitionRef
    season_name: str
    stage: str  # "REGULAR_SEASON", "GROUP_STAGE" … as the API names it
    group: str  # "GROUP_A", or "" outside groups
    table_type: str  # "TOTAL", "HOME" or "AWAY"
    position: int
    team: TeamRef
    played: int
    won: int
    draw: int
    lost: int
    goals_for: int
    goals_against: int
    goal_difference: int
    points: int
    form: str = ""  # "WDLWW" as the API lists it (commas dropped); "" when it sends none


def parse_matches(payload, origin: str) -> list[MatchRecord]:
    """Every match of a matches list, or the one match of ``/v4/matches/{id}``, as validated records."""
    reader = _Reader(origin)
    if not isinstance(payload, Mapping):
        reader.fail("", "expected an object: {'matches': [...]} or a single match")
    if "matches" in payload:
        items = payload["matches"]
        if not isinstance(items, list):
            reader.fail("matches", "must be a list")
        entries = [(f"matches[{i}]", item) for i, item in enumerate(items)]
    elif "id" in payload:
        entries = [("", payload)]
    elif isinstance(payload.get("match"), Mapping):  # {"match": {...}, "head2head": ...} wrappers
        entries = [("match", payload["match"])]
    else:
        reader.fail("matches", "missing: neither a matches list nor a single match")
    records = []
    for where, item in entries:
        record = reader.match(where, reader.mapping(where, item))
        if record is not None:
            record.validate()
            records.append(record)
    return records


def parse_standings(payload, origin: str) -> list[StandingRow]:
    """Every row of every table (TOTAL, HOME, AWAY; each group) of a standings response."""
    reader = _Reader(origin)
    payload = reader.mapping("", payload)
    competition = reader.competition("competition", payload.get("competition"), payload.get("area"))
    season_name = reader.season_name("season", payload.get("season"))
    tables = payload.get("standings")
    if not isinstance(tables, list):
        reader.fail("standings", "missing or not a list")
    rows = []
    for t, table in enumerate(tables):
        where = f"standings[{t}]"
        table = reader.mapping(where, table)
        lines = table.get("table")
        if not isinstance(lines, list):
            reader.fail(f"{where}.table", "missing or not a list")
        stage = reader.text(f"{where}.stage", table.get("stage"))
        group = reader.text(f"{where}.group", table.get("group"))
        table_type = reader.text(f"{where}.type", table.get("type")) or "TOTAL"
        for r, line in enumerate(lines):
            at = f"{where}.table[{r}]"
            line = reader.mapping(at, line)
            team = reader.team(f"{at}.team", line.get("team"))
            if team is None:
                reader.fail(f"{at}.team", "has no id and name")
            count = {name: reader.count(f"{at}.{key}", line.get(key)) for name, key in (
                ("position", "position"), ("played", "playedGames"), ("won", "won"), ("draw", "draw"),
                ("lost", "lost"), ("goals_for", "goalsFor"), ("goals_against", "goalsAgainst"))}
            rows.append(StandingRow(
                competition=competition, season_name=season_name, stage=stage, group=group,
                table_type=table_type, team=team, **count,
                goal_difference=reader.integer(f"{at}.goalDifference", line.get("goalDifference")),
                points=reader.integer(f"{at}.points", line.get("points")),
                form=re.sub(r"[^A-Za-z]", "", reader.text(f"{at}.form", line.get("form"))).upper(),
            ))
    return rows


def live_state(match_item) -> LiveState:
    """Status, period and clock of one match item, as the live pipeline wants them.

    The clock comes from ``minute`` (an int or "45+2") and ``injuryTime`` when the API sends
    them (paid plans); the period from the status, the score's ``duration`` and the minute.
    """
    match_id = match_item.get("id") if isinstance(match_item, Mapping) else None
    reader = _Reader(f"football-data.org match {match_id}")
    return reader.state("", reader.mapping("", match_item))


class _Reader(PayloadReader):
    """Reads one payload, raising RecordError that names the origin and the JSON path."""

    # Typed values beyond PayloadReader's

    def identifier(self, where: str, value) -> str:
        if isinstance(value, str) and value.strip():
            return value.strip()
        return str(self.integer(where, value))

    def date(self, where: str, value) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(where, f"must be a date (yyyy-mm-dd), not {shown(value)}")

    def utc_datetime(self, where: str, value) -> dt.datetime:
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(where, f"must be a UTC date and time (2023-12-29T17:30:00Z), not {shown(value)}")
        if moment.tzinfo is None:  # the field is UTC by definition
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)

    def pair(self, where: str, value) -> tuple[int, int] | None:
        """{"home": h, "away": a} -> (h, a); None when both are null or the node is absent."""
        if value is None:
            return None
        value = self.mapping(where, value)
        home, away = value.get("home"), value.get("away")
        if home is None and away is None:
            return None
        if home is None or away is None:
            self.fail(where, f"has only one side's goals: {dict(value)}")
        return self.count(f"{where}.home", home), self.count(f"{where}.away", away)

    # Things

    def competition(self, where: str, value, area=None, area_where: str = "area") -> CompetitionRef:
        value = self.mapping(where, value)
        code = self.text(f"{where}.code", value.get("code"))
        if not code:
            code = self.identifier(f"{where}.id", value.get("id"))
        known = known_competition(SOURCE, code)
        country = known.country if known else ""
        if not known and value.get("type") == "LEAGUE" and isinstance(area, Mapping):
            country = self.text(f"{area_where}.name", area.get("name"))
        return CompetitionRef(SOURCE, code, name=self.text(f"{where}.name", value.get("name")) or (
            known.name if known else ""), country=country)

    def season_name(self, where: str, value) -> str:
        value = self.mapping(where, value)
        start = self.date(f"{where}.startDate", value.get("startDate"))
        end = self.date(f"{where}.endDate", value.get("endDate"))
        if end < start:
            self.fail(where, f"ends ({end}) before it starts ({start})")
        if end.year == start.year:
            return str(start.year)
        return f"{start.year}/{(start.year + 1) % 100:02d}"

    def team(self, where: str, value) -> TeamRef | None:
        """The team, or None when the fixture's team is not known yet (id and name null)."""
        value = self.mapping(where, value)
        if value.get("id") is None and not value.get("name"):
            return None
        name = self.text(f"{where}.name", value.get("name")) or self.text(f"{where}.shortName", value.get("shortName"))
        if not name:
            self.fail(f"{where}.name", "missing")
        return TeamRef(SOURCE, name, external_id=self.identifier(f"{where}.id", value.get("id")))

    def person(self, where: str, value) -> PlayerRef | None:
        if value is None:
            return None
        value = self.mapping(where, value)
        name = self.text(f"{where}.name", value.get("name"))
        if not name:
            return None
        player_id = value.get("id")
        return PlayerRef(SOURCE, name, external_id=None if player_id is None
                         else self.identifier(f"{where}.id", player_id))

    def clock(self, item: Mapping, where: str = "") -> tuple[int | None, int | None]:
        """(minute, added) from ``minute`` (int or "45+2") and ``injuryTime``."""
        prefix = f"{where}." if where else ""
        raw, minute, added = item.get("minute"), None, None
        if isinstance(raw, str):  # "67", "45+2"; anything else ("HT") leaves the clock unknown
            if parsed := MINUTE.fullmatch(raw):
                minute, added = int(parsed[1]), int(parsed[2]) if parsed[2] else None
        elif raw is not None:
            minute = self.count(f"{prefix}minute", raw)
        injury = self.count(f"{prefix}injuryTime", item.get("injuryTime"), required=False)
        return minute, injury if injury is not None else added

    def state(self, at: str, item: Mapping) -> LiveState:
        raw_status = item.get("status")
        status = STATUSES.get(raw_status) if isinstance(raw_status, str) else None
        if status is None:
            self.fail(f"{at}status", f"unknown match status {shown(raw_status)}")
        if status != "live":
            return LiveState(status)
        minute, added = self.clock(item, at.removesuffix("."))
        score = item.get("score") if isinstance(item.get("score"), Mapping) else {}
        duration = score.get("duration")
        if raw_status == "PENALTY_SHOOTOUT" or (raw_status == "PAUSED" and duration == "PENALTY_SHOOTOUT"):
            period = PENALTIES
        elif raw_status == "EXTRA_TIME":
            period = EXTRA_TIME
        elif raw_status == "PAUSED":  # half-time, or the break before extra time
            late = duration == "EXTRA_TIME" or (minute is not None and minute >= 90)
            period = EXTRA_TIME if late else HALF_TIME
        elif duration == "PENALTY_SHOOTOUT":
            period = PENALTIES
        elif minute is None or minute <= 45:
            period = FIRST_HALF
        elif minute <= 90 or duration != "EXTRA_TIME":
            period = SECOND_HALF
            if minute > 90 and added is None:  # 93 in regular time: 90+3
                minute, added = 90, minute - 90
        else:
            period = EXTRA_TIME
        return LiveState(status, period, minute, added)

    # A match

    def match(self, where: str, item: Mapping) -> MatchRecord | None:
        at = f"{where}." if where else ""
        home = self.team(f"{at}homeTeam", item.get("homeTeam"))
        away = self.team(f"{at}awayTeam", item.get("awayTeam"))
        if home is None or away is None:
            return None  # a draw not made yet: nothing to store
        match_id = self.identifier(f"{at}id", item.get("id"))
        state = self.state(at, item)
        score = self.mapping(f"{at}score", item.get("score") or {})
        final, half = self.scores(f"{at}score", score)
        if state.period == FIRST_HALF:
            half = None  # the running score, not a half-time score yet
        matchday = self.count(f"{at}matchday", item.get("matchday"), required=False)
        attendance = self.count(f"{at}attendance", item.get("attendance"), required=False)
        venue = self.text(f"{at}venue", item.get("venue")) if not isinstance(item.get("venue"), Mapping) \
            else self.text(f"{at}venue.name", item["venue"].get("name"))
        record = MatchRecord(
            origin=Origin(self.origin, record=where or f"match {match_id}"),
            source=SOURCE,
            external_id=match_id,
            competition=self.competition(f"{at}competition", item.get("competition"), item.get("area"), f"{at}area"),
            season_name=self.season_name(f"{at}season", item.get("season")),
            kickoff=self.utc_datetime(f"{at}utcDate", item.get("utcDate")),
            home=home,
            away=away,
            status=state.status,
            home_score=final[0] if final else None,
            away_score=final[1] if final else None,
            home_ht_score=half[0] if half else None,
            away_ht_score=half[1] if half else None,
            round=self.round_name(at, item, matchday),
            matchday=matchday,
            venue=VenueRef(SOURCE, venue) if venue else None,
            referee=self.referee(f"{at}referees", item.get("referees")),
            attendance=attendance,
        )
        duration = score.get("duration") if isinstance(score.get("duration"), str) else "REGULAR"
        record.events = _Events(self, at, item, match_id, home, away, duration).build()
        return record

    def scores(self, where: str, score: Mapping) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(result, half-time), each (home, away) or None; the shoot-out is taken out of the result."""
        full = self.pair(f"{where}.fullTime", score.get("fullTime"))
        half = self.pair(f"{where}.halfTime", score.get("halfTime"))
        if score.get("duration") != "PENALTY_SHOOTOUT" or full is None:
            return full, half
        regular = self.pair(f"{where}.regularTime", score.get("regularTime"))
        extra = self.pair(f"{where}.extraTime", score.get("extraTime"))
        if regular is not None:
            extra = extra or (0, 0)
            return (regular[0] + extra[0], regular[1] + extra[1]), half
        shootout = self.pair(f"{where}.penalties", score.get("penalties"))
        if shootout is not None and shootout[0] <= full[0] and shootout[1] <= full[1]:
            return (full[0] - shootout[0], full[1] - shootout[1]), half
        self.fail(f"{where}.fullTime", "after a penalty shoot-out, but neither regularTime nor penalties "
                                       "tell the goals from the shoot-out kicks")

    def round_name(self, at: str, item: Mapping, matchday: int | None) -> str:
        stage = self.text(f"{at}stage", item.get("stage"))
        group = self.text(f"{at}group", item.get("group"))
        if group:
            return group.replace("_", " ").title()  # "GROUP_G" -> "Group G"
        if stage in LEAGUE_STAGES and matchday is not None:
            return f"Matchday {matchday}"
        return STAGES.get(stage) or stage.replace("_", " ").capitalize()

    def referee(self, where: str, value) -> str:
        if value is None:
            return ""
        if not isinstance(value, list):
            self.fail(where, f"must be a list, not {shown(value)}")
        for i, official in enumerate(value):
            official = self.mapping(f"{where}[{i}]", official)
            if official.get("type") in ("REFEREE", None):
                return self.text(f"{where}[{i}].name", official.get("name"))
        return ""


class _Events:
    """Goals, bookings and substitutions of one match item, in match order."""

    def __init__(self, reader: _Reader, at: str, item: Mapping, match_id: str, home: TeamRef, away: TeamRef,
                 duration: str):
        self.reader, self.at, self.item, self.match_id = reader, at, item, match_id
        self.home, self.away, self.duration = home, away, duration
        self.seen: Counter = Counter()

    def build(self) -> list[EventRecord]:
        events = [*self.goals(), *self.bookings(), *self.substitutions()]
        order = sorted(range(len(events)), key=lambda i: (
            events[i].period, events[i].minute, events[i].added_minute or 0, i))
        for index, position in enumerate(order):
            events[position].source_index = index
        return sorted(events, key=lambda event: event.source_index)

    def entries(self, key: str):
        value = self.item.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.reader.fail(f"{self.at}{key}", f"must be a list, not {shown(value)}")
        return [(f"{self.at}{key}[{i}]", self.reader.mapping(f"{self.at}{key}[{i}]", entry))
                for i, entry in enumerate(value)]

    def side(self, where: str, value) -> tuple[TeamRef, str]:
        """(the home or away ref, the team id as sent) for an event's ``team``."""
        value = self.reader.mapping(where, value)
        team_id = self.reader.identifier(f"{where}.id", value.get("id"))
        for ref in (self.home, self.away):
            if ref.external_id == team_id:
                return ref, team_id
        self.reader.fail(f"{where}.id", f"team {team_id} plays neither side of this match")

    def other(self, ref: TeamRef) -> TeamRef:
        return self.away if ref is self.home else self.home

    def timing(self, where: str, entry: Mapping) -> tuple[int, int, int | None, str]:
        """(period, minute, added, the id's time part) of one event."""
        minute, added = self.reader.clock(entry, where)
        if minute is None:
            self.reader.fail(f"{where}.minute", "missing")
        stamp = f"{minute}+{added or 0}"
        if added is None and minute > 90 and self.duration == "REGULAR":
            return 2, 90, minute - 90, stamp
        if added is None and minute > 120:
            return 4, 120, minute - 120, stamp
        period = 1 if minute <= 45 else 2 if minute <= 90 else 3 if minute <= 105 else 4
        return period, minute, added, stamp

    def external_id(self, family: str, stamp: str, team_id: str) -> str:
        key = f"{SOURCE}:{self.match_id}:{family}:{stamp}:{team_id}"
        self.seen[key] += 1
        return f"{key}:{self.seen[key]}"

    def goals(self) -> list[EventRecord]:
        events, before = [], (0, 0)
        for where, goal in self.entries("goals"):
            period, minute, added, stamp = self.timing(where, goal)
            named, team_id = self.side(f"{where}.team", goal.get("team"))
            raw_type = self.reader.text(f"{where}.type", goal.get("type")) or "REGULAR"
            kind = GOAL_KINDS.get(raw_type, "goal")
            credited = named
            running = self.reader.pair(f"{where}.score", goal.get("score"))
            if running is not None:
                if running == (before[0] + 1, before[1]):
                    credited = self.home
                elif running == (before[0], before[1] + 1):
                    credited = self.away
                before = running
            events.append(EventRecord(
                source=SOURCE, external_id=self.external_id("goal", stamp, team_id), kind=kind,
                period=period, minute=minute, added_minute=added,
                team=self.other(credited) if kind == "own_goal" else credited,
                player=self.reader.person(f"{where}.scorer", goal.get("scorer")),
                related_player=self.reader.person(f"{where}.assist", goal.get("assist")),
                situation="penalty" if kind == "penalty_scored" else "",
                raw_type=raw_type,
            ))
        return events

    def bookings(self) -> list[EventRecord]:
        events = []
        for where, booking in self.entries("bookings"):
            period, minute, added, stamp = self.timing(where, booking)
            team, team_id = self.side(f"{where}.team", booking.get("team"))
            card = self.reader.text(f"{where}.card", booking.get("card"))
            if card not in CARD_KINDS:
                self.reader.fail(f"{where}.card", f"unknown card {card!r}")
            events.append(EventRecord(
                source=SOURCE, external_id=self.external_id("booking", stamp, team_id), kind=CARD_KINDS[card],
                period=period, minute=minute, added_minute=added, team=team,
                player=self.reader.person(f"{where}.player", booking.get("player")), raw_type=card,
            ))
        return events

    def substitutions(self) -> list[EventRecord]:
        events = []
        for where, substitution in self.entries("substitutions"):
            period, minute, added, stamp = self.timing(where, substitution)
            team, team_id = self.side(f"{where}.team", substitution.get("team"))
            events.append(EventRecord(
                source=SOURCE, external_id=self.external_id("substitution", stamp, team_id), kind="substitution",
                period=period, minute=minute, added_minute=added, team=team,
                player=self.reader.person(f"{where}.playerOut", substitution.get("playerOut")),
                related_player=self.reader.person(f"{where}.playerIn", substitution.get("playerIn")),
                raw_type="SUBSTITUTION",
            ))
        return events
