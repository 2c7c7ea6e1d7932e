"""OpenLigaDB ``getmatchdata`` payloads -> MatchRecords (pure: decoded JSON in, records out).

Reads a list of matches (``/getmatchdata/bl1/2023``, ``…/bl1/2023/5``) or one match
(``/getmatchdata/{matchId}``), in the current camelCase format of api.openligadb.de
(``matchID``, ``team1.teamName``, ``matchResults``, ``goals`` …) and in the legacy
PascalCase one of the 2017 API and its sample stubs (``MatchID``, ``Team1.TeamName`` …):
keys are folded to lower case once, up front, so one parser reads both.

Decisions worth knowing:

- Competition: ``leagueShortcut`` ("bl1") is the external id, else the ``league`` the
  caller fetched (older payloads and the stubs carry no shortcut); its name is the
  catalog's, else ``leagueName`` without its trailing season ("3. Liga 2016/2017" ->
  "3. Liga").
- Season: ``leagueSeason`` (else the caller's ``season``, else the kick-off date) 2016
  gives "2016/17"; tournaments (``em``/``wm`` shortcuts, international competitions in
  the catalog) are named by their year ("2024").
- Teams by ``teamName`` ("FC Bayern München", the full name the catalog lists), ``teamId``
  as external id; ``shortName`` is often empty.
- Kick-off from ``matchDateTimeUTC``. Status: ``matchIsFinished`` -> finished; otherwise
  live from kick-off until ``LIVE_WINDOW`` later (``now`` is injectable), scheduled
  before. An unfinished match past that window is finished when it has a final result
  (the community entered the score but not the flag), else scheduled, with a warning.
- Scores: the result with ``resultTypeID`` 2 ("Endergebnis") is the score, 1
  ("Halbzeit") the half-time score. A live match without a final result has the running
  score of its last goal (0-0 before any).
- Goals carry the running score (``scoreTeam1``/``scoreTeam2``), not the team: the side
  credited is the one whose count went up; an own goal's event team is the other side
  (the player's own team, as ``MatchEvent`` expects). Goals are ordered by that running
  score. A goal up to the half-time score is in the first half (a first-half 47th minute
  is 45+2), ``isOvertime`` puts it in extra time, and a second-half minute past 90 is
  90+n. Kinds: ``own_goal``, ``penalty_scored`` or ``goal``; ``goalGetterID`` is the
  player's external id; the event's external id is ``openligadb:<goalID>``. A goal whose
  running score does not follow from the previous one, or that has no minute, is left
  out with a warning on the record: the score stands, the timeline lacks that goal.
- Attendance from ``numberOfViewers``; venue from ``location`` (stadium, city).
- Errors raise ``RecordError`` naming the origin and the JSON path in the current
  spelling (``[3].matchDateTimeUTC``); unknown fields are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

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

SOURCE = "openligadb"
# Kick-off to final whistle, breaks, extra time and a shoot-out included, with room to spare.
LIVE_WINDOW = dt.timedelta(hours=3)
RESULT_FINAL, RESULT_HALF_TIME = 2, 1
# Leagues OpenLigaDB users sync that the catalog does not list yet.
LEAGUE_NAMES = {"bl3": ("3. Liga", "Germany"), "dfb": ("DFB-Pokal", "Germany")}
TOURNAMENT_SHORTCUT = re.compile(r"(?:em|wm)\d*", re.IGNORECASE)
SEASON_SUFFIX = re.compile(r"\s*\d{4}(?:\s*/\s*\d{2,4})?\s*$")


def parse_match_data(payload, origin: str, *, league: str | None = None, season: int | str | None = None,
                     now: dt.datetime | None = None) -> list[MatchRecord]:
    """Every match of a ``getmatchdata`` response (a list, or one match) as validated records.

    ``league`` and ``season`` are the shortcut and year the data was fetched with: they
    stand in for ``leagueShortcut``/``leagueSeason`` when a payload lacks them. ``now``
    (aware) decides whether an unfinished match is live; it defaults to the current time.
    """
    now = now or dt.datetime.now(dt.UTC)
    parser = _Parser(origin, league, season, now)
    folded = _fold_keys(payload)
    if isinstance(folded, list):
        entries = [(f"[{i}]", item) for i, item in enumerate(folded)]
    elif isinstance(folded, Mapping):
        entries = [("", folded)]
    else:
        parser.fail("", f"expected a list of matches or one match, not {shown(payload)}")
    records = []
    for where, item in entries:
        record = parser.match(where, parser.mapping(where, item))
        record.validate()
        records.append(record)
    return records


def _fold_keys(value):
    """The same JSON with every object key in lower case: "MatchID" and "matchID" read alike."""
    if isinstance(value, Mapping):
        return {str(key).lower(): _fold_keys(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fold_keys(item) for item in value]
    return value


# Folded key -> the current API's spelling, for error messages.
SPELLING = {name.lower(): name for name in (
    "matchID", "matchDateTimeUTC", "matchIsFinished", "leagueShortcut", "leagueName", "leagueSeason",
    "group", "groupName", "groupOrderID", "team1", "team2", "teamId", "teamName", "shortName",
    "matchResults", "resultTypeID", "pointsTeam1", "pointsTeam2", "goals", "goalID", "scoreTeam1",
    "scoreTeam2", "matchMinute", "goalGetterID", "goalGetterName", "isPenalty", "isOwnGoal",
    "isOvertime", "comment", "location", "locationID", "locationCity", "locationStadium", "numberOfViewers",
)}


class _Parser(PayloadReader):
    def __init__(self, origin: str, league: str | None, season: int | str | None, now: dt.datetime):
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        super().__init__(origin)
        self.league, self.season, self.now = league, season, now

    @staticmethod
    def path(where: str, key: str) -> str:
        name = SPELLING.get(key, key)
        return f"{where}.{name}" if where else name

    def field(self, where: str, item: Mapping, key: str, read, **options):
        return read(self.path(where, key), item.get(key), **options)

    # A match

    def match(self, where: str, item: Mapping) -> MatchRecord:
        match_id = self.field(where, item, "matchid", self.count)
        kickoff = self.kickoff(where, item)
        home = self.team(where, item, "team1")
        away = self.team(where, item, "team2")
        group = item.get("group")
        group = self.mapping(self.path(where, "group"), group) if group is not None else {}
        at_group = self.path(where, "group")
        final, half = self.results(where, item)
        warnings: list[str] = []
        label = f"{self.origin}, {where or 'match'} (match {match_id})"
        events = self.goals(where, item, home, away, half, warnings, label)

        status = self.status(where, item, kickoff, final)
        if status == "live" and final is None:
            final = self.running_score(where, item) or (0, 0)
        elif status == "scheduled":
            final, half, events = None, None, []
            if kickoff + LIVE_WINDOW <= self.now:
                warnings.append(f"{label}: kicked off {kickoff:%Y-%m-%d %H:%M} UTC but is neither finished "
                                "nor scored in OpenLigaDB; kept as scheduled")
        elif status == "finished" and final is None:
            final = self.running_score(where, item)  # validate() refuses a finished match without one

        numbers = item.get("numberofviewers")
        return MatchRecord(
            origin=Origin(self.origin, record=where or f"match {match_id}"),
            source=SOURCE,
            external_id=str(match_id),
            competition=self.competition(where, item),
            season_name=self.season_name(where, item, kickoff),
            kickoff=kickoff,
            home=home,
            away=away,
            status=status,
            home_score=final[0] if final else None,
            away_score=final[1] if final else None,
            home_ht_score=half[0] if half else None,
            away_ht_score=half[1] if half else None,
            round=self.field(at_group, group, "groupname", self.text) if group else "",
            matchday=self.field(at_group, group, "grouporderid", self.count, required=False) if group else None,
            venue=self.venue(where, item),
            attendance=self.count(self.path(where, "numberofviewers"), numbers, required=False),
            events=events,
            warnings=warnings,
        )

    def kickoff(self, where: str, item: Mapping) -> dt.datetime:
        at = self.path(where, "matchdatetimeutc")
        value = item.get("matchdatetimeutc")
        try:
            moment = dt.datetime.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(at, f"must be a UTC date and time (2017-03-25T13:00:00Z), not {shown(value)}")
        if moment.tzinfo is None:  # the field is UTC by definition
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)

    def team(self, where: str, item: Mapping, key: str) -> TeamRef:
        at = self.path(where, key)
        team = self.mapping(at, item.get(key))
        name = self.field(at, team, "teamname", self.text) or self.field(at, team, "shortname", self.text)
        if not name:
            self.fail(self.path(at, "teamname"), "missing")
        return TeamRef(SOURCE, name, external_id=str(self.field(at, team, "teamid", self.count)))

    def competition(self, where: str, item: Mapping) -> CompetitionRef:
        shortcut = self.field(where, item, "leagueshortcut", self.text) or (self.league or "").strip()
        if not shortcut:
            self.fail(self.path(where, "leagueshortcut"),
                      "missing: pass league= (the shortcut the data was fetched with, e.g. 'bl1')")
        known = known_competition(SOURCE, shortcut)
        fallback_name, fallback_country = LEAGUE_NAMES.get(shortcut.lower(), ("", ""))
        league_name = SEASON_SUFFIX.sub("", self.field(where, item, "leaguename", self.text))
        if known:
            return CompetitionRef(SOURCE, shortcut, name=known.name, country=known.country)
        return CompetitionRef(SOURCE, shortcut, name=league_name or fallback_name or shortcut, country=fallback_country)

    def season_name(self, where: str, item: Mapping, kickoff: dt.datetime) -> str:
        at = self.path(where, "leagueseason")
        value = item.get("leagueseason")
        if value is None:
            value = self.season
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if value is None:
            start = kickoff.year if kickoff.month >= 7 else kickoff.year - 1
        else:
            start = self.count(at, value)
        shortcut = self.field(where, item, "leagueshortcut", self.text) or (self.league or "")
        known = known_competition(SOURCE, shortcut)
        if TOURNAMENT_SHORTCUT.fullmatch(shortcut) or (known and known.kind == "international"):
            return str(value if value is not None else kickoff.year)
        return f"{start}/{(start + 1) % 100:02d}"

    def results(self, where: str, item: Mapping) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(final, half-time) from ``matchResults``, each (team1, team2) or None."""
        at = self.path(where, "matchresults")
        results = item.get("matchresults") or []
        if not isinstance(results, list):
            self.fail(at, f"must be a list, not {shown(results)}")
        found: dict[int, tuple[int, int]] = {}
        for i, result in enumerate(results):
            here = f"{at}[{i}]"
            result = self.mapping(here, result)
            kind = self.field(here, result, "resulttypeid", self.integer, required=False)
            if kind in (RESULT_FINAL, RESULT_HALF_TIME):
                found[kind] = (self.field(here, result, "pointsteam1", self.count),
                               self.field(here, result, "pointsteam2", self.count))
        return found.get(RESULT_FINAL), found.get(RESULT_HALF_TIME)

    def status(self, where: str, item: Mapping, kickoff: dt.datetime, final) -> str:
        if self.field(where, item, "matchisfinished", self.flag):
            return "finished"
        if kickoff > self.now:
            return "scheduled"
        if self.now < kickoff + LIVE_WINDOW:
            return "live"
        return "finished" if final is not None else "scheduled"

    def venue(self, where: str, item: Mapping) -> VenueRef | None:
        location = item.get("location")
        if location is None:
            return None
        at = self.path(where, "location")
        location = self.mapping(at, location)
        stadium = self.field(at, location, "locationstadium", self.text)
        city = self.field(at, location, "locationcity", self.text)
        if not stadium:
            return None
        location_id = self.field(at, location, "locationid", self.count, required=False)
        return VenueRef(SOURCE, stadium, external_id=str(location_id) if location_id else None, city=city)

    # Goals

    def goal_entries(self, where: str, item: Mapping) -> list[tuple[str, Mapping, tuple[int, int] | None]]:
        """(path, goal, running score or None) in match order."""
        at = self.path(where, "goals")
        goals = item.get("goals") or []
        if not isinstance(goals, list):
            self.fail(at, f"must be a list, not {shown(goals)}")
        entries = []
        for i, goal in enumerate(goals):
            here = f"{at}[{i}]"
            goal = self.mapping(here, goal)
            team1 = self.field(here, goal, "scoreteam1", self.count, required=False)
            team2 = self.field(here, goal, "scoreteam2", self.count, required=False)
            entries.append((here, goal, None if team1 is None or team2 is None else (team1, team2)))
        return sorted(entries, key=lambda entry: (entry[2] is None, sum(entry[2] or (0, 0))))

    def running_score(self, where: str, item: Mapping) -> tuple[int, int] | None:
        scores = [score for _, _, score in self.goal_entries(where, item) if score is not None]
        return max(scores, key=sum) if scores else None

    def goals(self, where: str, item: Mapping, home: TeamRef, away: TeamRef, half: tuple[int, int] | None,
              warnings: list[str], label: str) -> list[EventRecord]:
        events, before = [], (0, 0)
        for here, goal, score in self.goal_entries(where, item):
            goal_id = self.field(here, goal, "goalid", self.count)
            minute = self.field(here, goal, "matchminute", self.count, required=False)
            own_goal = self.field(here, goal, "isowngoal", self.flag)
            penalty = self.field(here, goal, "ispenalty", self.flag)
            overtime = self.field(here, goal, "isovertime", self.flag)
            name = self.field(here, goal, "goalgettername", self.text)
            player_id = self.field(here, goal, "goalgetterid", self.count, required=False)
            comment = self.field(here, goal, "comment", self.text)
            if score == (before[0] + 1, before[1]):
                credited = home
            elif score == (before[0], before[1] + 1):
                credited = away
            else:
                shown = "no running score" if score is None else f"{score[0]}-{score[1]}"
                warnings.append(f"{label}: goal {goal_id} ({shown}) does not follow from {before[0]}-{before[1]}; "
                                "left out of the timeline")
                before = score or before
                continue
            before = score
            if minute is None:
                warnings.append(f"{label}: goal {goal_id} has no minute; left out of the timeline")
                continue
            period, minute, added = _clock(minute, overtime, first_half=half is not None and minute <= 60
                                           and score[0] <= half[0] and score[1] <= half[1])
            kind = "own_goal" if own_goal else "penalty_scored" if penalty else "goal"
            events.append(EventRecord(
                source=SOURCE, external_id=f"{SOURCE}:{goal_id}", kind=kind,
                period=period, minute=minute, added_minute=added, source_index=len(events),
                team=(away if credited is home else home) if own_goal else credited,
                player=PlayerRef(SOURCE, name, external_id=str(player_id) if player_id else None) if name else None,
                situation="penalty" if penalty else "",
                raw_type="Own goal" if own_goal else "Penalty" if penalty else "Goal",
                details={"comment": comment} if comment else {},
            ))
        return events


def _clock(minute: int, overtime: bool, *, first_half: bool) -> tuple[int, int, int | None]:
    """(period, minute, added): OpenLigaDB counts on through added time (a first-half 47 is 45+2)."""
    if overtime:
        if minute > 120:
            return 4, 120, minute - 120
        return (3 if minute <= 105 else 4), minute, None
    if first_half or minute <= 45:
        return (1, 45, minute - 45) if minute > 45 else (1, minute, None)
    if minute > 90:
        return 2, 90, minute - 90
    return 2, minute, None
