"""Normalized records: what every source's parser produces and the domain services accept.

Plain dataclasses, no ORM: parsers are pure (payload in, records out) and tested
without a database; services resolve the references (teams by alias or external id,
players by external id or name) and write. One ``MatchRecord`` is one unit of work.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from decimal import Decimal


@dataclass(frozen=True)
class Origin:
    """Where a record came from, for error messages: the file and the line or record."""

    path: str
    line: int | None = None  # 1-based line of a CSV row
    record: str = ""  # a JSON path or record id: "matches[12]", "event 3f1c…"

    def __str__(self):
        where = self.path
        if self.line is not None:
            where += f", line {self.line}"
        if self.record:
            where += f", {self.record}"
        return where


class RecordError(ValueError):
    """Bad input: says where (file, line or record) and what is wrong."""

    def __init__(self, origin: Origin | str, message: str):
        self.origin = origin
        self.message = message
        super().__init__(f"{origin}: {message}")


# What any source may send, checked on every record before anything is written (sources'
# own formats allow no more; a value outside is a damaged or shifted file, never a fact).
MAX_GOALS = 99
MAX_NAME = 100  # a team, player, venue or referee name
MAX_ID = 128  # a source's own id (ExternalId.external_id's length)
MAX_MINUTE = 150  # 120 and stoppage time
MAX_ATTENDANCE = 250_000
MAX_PRICE = 10_000.0  # decimal odds
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
COORDINATE_RANGE = (0.0, 100.0)  # our pitch frame: every source's pitch maps onto 0-100


def check_text(origin, field_name: str, value, *, max_length: int = MAX_NAME, required: bool = False) -> None:
    """Text of a sane length without control characters (PostgreSQL refuses NUL; no name holds a tab)."""
    if value is None or value == "":
        if required:
            raise RecordError(origin, f"{field_name} is empty")
        return
    if not isinstance(value, str):
        raise RecordError(origin, f"{field_name}: {value!r} is not text")
    if len(value) > max_length:
        raise RecordError(origin, f"{field_name}: {len(value):,} characters (at most {max_length})")
    if CONTROL_CHARACTERS.search(value):
        raise RecordError(origin, f"{field_name}: {value[:40]!r} holds a control character")


def check_number(origin, field_name: str, value, low: float, high: float, *, whole: bool = False) -> None:
    """A finite number (a whole one if ``whole``) in [low, high]; None passes (unknown)."""
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise RecordError(origin, f"{field_name}: {value!r} is not a number")
    if not math.isfinite(value):
        raise RecordError(origin, f"{field_name}: {value!r} is not a finite number")
    if whole and value != int(value):
        raise RecordError(origin, f"{field_name}: {value!r} is not a whole number")
    if not low <= value <= high:
        raise RecordError(origin, f"{field_name}: {value!r} is outside {low:g} to {high:g}")


# MatchEvent.Kind values that change the score (records stay free of the ORM).
SCORING_KINDS = frozenset({"goal", "own_goal", "penalty_scored"})


@dataclass(frozen=True)
class CompetitionRef:
    source: str
    external_id: str  # "E0" (football-data.co.uk), "en.1" (openfootball), "9" (StatsBomb)
    name: str = ""
    country: str = ""


@dataclass(frozen=True)
class TeamRef:
    source: str
    name: str
    external_id: str | None = None
    country: str = ""
    is_national: bool = False


@dataclass(frozen=True)
class PlayerRef:
    source: str
    name: str
    external_id: str | None = None
    known_as: str = ""
    nationality: str = ""
    birth_date: dt.date | None = None


@dataclass(frozen=True)
class VenueRef:
    source: str
    name: str
    external_id: str | None = None
    city: str = ""
    country: str = ""


@dataclass
class EventRecord:
    """One event. ``kind`` is a ``MatchEvent.Kind`` value; coordinates in our 0-100 frame."""

    source: str
    external_id: str
    kind: str
    period: int
    minute: int
    second: int = 0
    added_minute: int | None = None
    source_index: int | None = None
    team: TeamRef | None = None
    player: PlayerRef | None = None
    related_player: PlayerRef | None = None
    x: float | None = None
    y: float | None = None
    end_x: float | None = None
    end_y: float | None = None
    xg: float | None = None
    outcome: str = ""
    body_part: str = ""
    situation: str = ""
    raw_type: str = ""
    details: dict = field(default_factory=dict)


    def check(self, origin: Origin) -> None:
        """The event's values against what a source may send (MatchRecord.validate calls it)."""
        where = f"event {str(self.external_id)[:40]}"
        check_text(origin, f"{where}: id", self.external_id, max_length=MAX_ID, required=True)
        check_number(origin, f"{where}: period", self.period, 1, 5, whole=True)
        check_number(origin, f"{where}: minute", self.minute, 0, MAX_MINUTE, whole=True)
        check_number(origin, f"{where}: second", self.second, 0, 59, whole=True)
        check_number(origin, f"{where}: added minute", self.added_minute, 0, 60, whole=True)
        check_number(origin, f"{where}: index", self.source_index, 0, 1_000_000, whole=True)
        for name in ("x", "y", "end_x", "end_y"):
            check_number(origin, f"{where}: {name}", getattr(self, name), *COORDINATE_RANGE)
        check_number(origin, f"{where}: xg", self.xg, 0, 1)
        for label, ref in (("player", self.player), ("related player", self.related_player)):
            if ref is not None:
                check_text(origin, f"{where}: {label}", ref.name, required=True)
                check_text(origin, f"{where}: {label} id", ref.external_id, max_length=MAX_ID)
        if self.team is not None:
            check_text(origin, f"{where}: team", self.team.name, required=True)
        for name, length in (("outcome", 40), ("body_part", 30), ("situation", 30), ("raw_type", 60)):
            check_text(origin, f"{where}: {name}", getattr(self, name), max_length=length)  # the columns' lengths


@dataclass
class LineupEntryRecord:
    player: PlayerRef
    shirt_number: int | None = None
    position: str = ""
    is_starter: bool = False
    minutes_played: int | None = None
    subbed_on_minute: int | None = None
    subbed_off_minute: int | None = None


@dataclass
class LineupRecord:
    team: TeamRef
    formation: str = ""
    entries: list[LineupEntryRecord] = field(default_factory=list)


@dataclass
class TeamStatsRecord:
    shots: int | None = None
    shots_on_target: int | None = None
    corners: int | None = None
    fouls: int | None = None
    offsides: int | None = None
    yellow_cards: int | None = None
    red_cards: int | None = None
    possession: float | None = None
    xg: float | None = None


@dataclass
class OddsRecord:
    """One decimal price. ``market``/``selection``/``phase`` are ``OddsQuote`` choice values."""

    bookmaker_code: str
    market: str
    selection: str
    phase: str
    price: float
    line: Decimal = Decimal("0")
    taken_at: dt.datetime | None = None


@dataclass
class MatchRecord:
    """A match and everything a source knows about it; written in one transaction."""

    origin: Origin
    source: str
    external_id: str
    competition: CompetitionRef
    season_name: str  # "2023/24" or "2024"
    kickoff: dt.datetime  # timezone-aware
    home: TeamRef
    away: TeamRef
    status: str = "scheduled"  # a Match.Status value
    home_score: int | None = None
    away_score: int | None = None
    home_ht_score: int | None = None
    away_ht_score: int | None = None
    round: str = ""
    matchday: int | None = None
    venue: VenueRef | None = None
    referee: str = ""
    attendance: int | None = None
    events: list[EventRecord] = field(default_factory=list)
    lineups: list[LineupRecord] = field(default_factory=list)
    home_stats: TeamStatsRecord | None = None
    away_stats: TeamStatsRecord | None = None
    odds: list[OddsRecord] = field(default_factory=list)
    # True when the record's result comes from the events themselves (StatsBomb with
    # no matches file): the score is derived from the goals, own goals included.
    score_from_events: bool = False
    # What validate() had to leave out because the source contradicts itself.
    warnings: list[str] = field(default_factory=list)

    def validate(self) -> None:
        """Raise RecordError for what no source may send: a negative score, a team playing itself."""
        for label, value in (
            ("home_score", self.home_score), ("away_score", self.away_score),
            ("home_ht_score", self.home_ht_score), ("away_ht_score", self.away_ht_score),
        ):
            if value is not None and value < 0:
                raise RecordError(self.origin, f"{label} is negative ({value})")
        if (self.home_score is None) != (self.away_score is None):
            raise RecordError(self.origin, "only one side has a score")
        if self.status == "finished" and self.home_score is None and not self.score_from_events:
            raise RecordError(self.origin, "a finished match needs a score")
        for side in ("home", "away"):
            ht, ft = getattr(self, f"{side}_ht_score"), getattr(self, f"{side}_score")
            if ht is not None and ft is not None and ht > ft:
                raise RecordError(self.origin, f"{side} half-time score {ht} exceeds full-time score {ft}")
        if not self.home.name.strip() or not self.away.name.strip():
            raise RecordError(self.origin, "a team name is empty")
        if self.home.name == self.away.name and self.home.external_id == self.away.external_id:
            raise RecordError(self.origin, f"{self.home.name} cannot play itself")
        if self.kickoff.tzinfo is None:
            raise RecordError(self.origin, "kickoff has no time zone")
        self._check_values()
        self._drop_contradicting_stats()

    def _check_values(self) -> None:
        """Every stored value against what the sources' formats allow; the message names the field."""
        origin = self.origin
        for label in ("home_score", "away_score", "home_ht_score", "away_ht_score"):
            check_number(origin, label, getattr(self, label), 0, MAX_GOALS, whole=True)
        for label, ref in (("home team", self.home), ("away team", self.away)):
            check_text(origin, f"{label} name", ref.name, required=True)
            check_text(origin, f"{label} id", ref.external_id, max_length=MAX_ID)
        check_text(origin, "external id", self.external_id, max_length=MAX_ID, required=True)
        check_text(origin, "competition", self.competition.name)
        check_text(origin, "competition id", self.competition.external_id, max_length=MAX_ID)
        check_text(origin, "season", self.season_name, max_length=20, required=True)
        check_text(origin, "round", self.round, max_length=60)
        check_text(origin, "referee", self.referee, max_length=80)
        check_number(origin, "matchday", self.matchday, 0, 100, whole=True)
        check_number(origin, "attendance", self.attendance, 0, MAX_ATTENDANCE, whole=True)
        if self.venue is not None:
            check_text(origin, "venue", self.venue.name)
            check_text(origin, "venue city", self.venue.city, max_length=80)
        for side, stats in (("home", self.home_stats), ("away", self.away_stats)):
            if stats is None:
                continue
            for name in ("shots", "shots_on_target", "corners", "fouls", "offsides", "yellow_cards", "red_cards"):
                check_number(origin, f"{side} {name}", getattr(stats, name), 0, 200, whole=True)
            check_number(origin, f"{side} possession", stats.possession, 0, 100)
            check_number(origin, f"{side} xg", stats.xg, 0, 30)
        for odds in self.odds:
            where = f"{odds.bookmaker_code} {odds.market} {odds.selection} price"
            check_number(origin, where, odds.price, 1.0, MAX_PRICE)
            if odds.price <= 1.0:
                raise RecordError(origin, f"{where}: {odds.price!r} is not above 1 (decimal odds)")
            check_number(origin, f"{odds.bookmaker_code} {odds.market} line", odds.line, -20, 20)
        for lineup in self.lineups:
            check_text(origin, "lineup team", lineup.team.name, required=True)
            check_text(origin, "formation", lineup.formation, max_length=20)
            for entry in lineup.entries:
                check_text(origin, "lineup player", entry.player.name, required=True)
                check_text(origin, "lineup player id", entry.player.external_id, max_length=MAX_ID)
                check_number(origin, f"{entry.player.name}: shirt number", entry.shirt_number, 0, 999, whole=True)
                for name in ("minutes_played", "subbed_on_minute", "subbed_off_minute"):
                    check_number(origin, f"{entry.player.name}: {name}", getattr(entry, name), 0, MAX_MINUTE,
                                 whole=True)
        for event in self.events:
            event.check(origin)

    def _drop_contradicting_stats(self) -> None:
        """Published files contradict themselves now and then (football-data.co.uk 2021/22 E0,
        line 10: West Ham 9 shots on target of 8). Keep the shots, leave on-target empty, say so."""
        for side, stats in (("home", self.home_stats), ("away", self.away_stats)):
            if stats and stats.shots is not None and stats.shots_on_target is not None \
                    and stats.shots_on_target > stats.shots:
                name = getattr(self, side).name
                self.warnings.append(f"{self.origin}: {name} has {stats.shots_on_target} shots on target of "
                                     f"{stats.shots} shots; on-target left empty")
                stats.shots_on_target = None


def goals_from_events(events: list[EventRecord], home: TeamRef, away: TeamRef, *,
                      up_to_period: int = 4) -> tuple[int, int]:
    """(home, away) goals: goals and scored penalties for their team, own goals for the other.

    Shoot-out kicks (period 5) never count towards the score.
    """
    def side(ref: TeamRef | None) -> str | None:
        for name, team in (("home", home), ("away", away)):
            if ref is not None and (ref.external_id, ref.name) == (team.external_id, team.name):
                return name
        return None

    goals = {"home": 0, "away": 0}
    for event in events:
        if event.period > up_to_period or event.kind not in SCORING_KINDS:
            continue
        scorer = side(event.team)
        if scorer is None:
            raise RecordError(f"event {event.external_id}", f"goal by a team that is not in the match: {event.team}")
        if event.kind == "own_goal":
            scorer = "away" if scorer == "home" else "home"
        goals[scorer] += 1
    return goals["home"], goals["away"]
