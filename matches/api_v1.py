"""matches/' part of the public API (/api/v1/, quantfoot/api.py): competitions, seasons, standings,
matches with their events, lineups and xG, teams.

Names and filters follow football-data.org v4 (``/competitions/{id}/standings``,
``/matches?dateFrom=&dateTo=&status=&team=&competition=&season=``). Text a source left empty is
``null``; scores are integers or ``null`` before kick-off; times are UTC; days are UTC days.
Standings come from ``matches.standings`` (the same tables as the competition page).
"""

import datetime as dt
from typing import List

from django.db.models import F, Prefetch, Q
from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from matches import standings
from matches.models import Competition, Lineup, LineupEntry, Match, MatchEvent, Season, Team
from quantfoot.api_support import OptionalText, Pagination, day_bounds, start_of
from quantfoot.params import MAX_INT, BadRequestParameter

router = Router()

EVENTS_PAGE_SIZE = 500
MAX_RANGE_DAYS = 400  # a season and a bit: dateFrom..dateTo wider than this is a 400, as at football-data.org


def _get(queryset, pk: int, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"no {what} with id {pk}")
    return found


# --------------------------------------------------------------------------- schemas


class Ref(Schema):
    id: int
    name: str


class TeamRef(Schema):
    id: int
    name: str
    short_name: OptionalText  # from a Team, or the plain dict a standings row gives


class CompetitionOut(Schema):
    id: int
    name: str
    short_name: OptionalText
    country: OptionalText
    kind: str




class SeasonOut(Schema):
    id: int
    name: str
    start_date: dt.date | None
    end_date: dt.date | None


class CompetitionDetailOut(CompetitionOut):
    current_season: SeasonOut | None
    points_for_win: int
    points_for_draw: int
    tiebreak: str


class ScorePair(Schema):
    home: int | None
    away: int | None


class ScoreOut(Schema):
    full_time: ScorePair
    half_time: ScorePair
    penalties: ScorePair


class MatchOut(Schema):
    id: int
    competition: Ref
    season: Ref
    round: OptionalText
    matchday: int | None
    kickoff: dt.datetime
    status: str
    period: OptionalText
    minute: int | None
    added_minute: int | None
    home_team: TeamRef
    away_team: TeamRef
    score: ScoreOut
    venue: Ref | None
    referee: OptionalText
    attendance: int | None
    last_seq: int



    @staticmethod
    def resolve_minute(obj):
        return obj.clock_minute

    @staticmethod
    def resolve_added_minute(obj):
        return obj.clock_added


    @staticmethod
    def resolve_score(obj):
        return {"full_time": {"home": obj.home_score, "away": obj.away_score},
                "half_time": {"home": obj.home_ht_score, "away": obj.away_ht_score},
                "penalties": {"home": obj.home_penalty_score, "away": obj.away_penalty_score}}


class VenueOut(Schema):
    id: int
    name: str
    city: OptionalText
    country: OptionalText
    capacity: int | None
    latitude: float | None
    longitude: float | None




class TeamOut(TeamRef):
    kind: str
    country: OptionalText
    venue: VenueOut | None



class StandingRow(Schema):
    position: int
    team: TeamRef
    played: int
    won: int
    drawn: int
    lost: int
    goals_for: int
    goals_against: int
    goal_difference: int
    points: int
    adjustment: int
    form: str | None


class StandingsOut(Schema):
    competition: Ref
    season: SeasonOut
    date: dt.date | None
    table: List[StandingRow]


class PlayerRef(Schema):
    id: int
    name: str


class EventOut(Schema):
    seq: int
    kind: str
    period: int
    minute: int
    added_minute: int | None
    second: int
    team: Ref | None
    player: PlayerRef | None
    related_player: PlayerRef | None
    x: float | None
    y: float | None
    end_x: float | None
    end_y: float | None
    outcome: OptionalText
    body_part: OptionalText
    situation: OptionalText


class EventsOut(Schema):
    match: int
    last_seq: int
    count: int
    next_after: int | None
    events: List[EventOut]


class LineupPlayer(Schema):
    player: PlayerRef
    shirt_number: int | None
    position: OptionalText
    minutes_played: int | None
    subbed_on_minute: int | None
    subbed_off_minute: int | None


class LineupOut(Schema):
    team: TeamRef
    formation: OptionalText
    start_xi: List[LineupPlayer]
    bench: List[LineupPlayer]


class ShotOut(Schema):
    seq: int
    period: int
    minute: int
    added_minute: int | None
    team: Ref | None
    player: PlayerRef | None
    kind: str
    is_goal: bool
    x: float | None
    y: float | None
    body_part: OptionalText
    situation: OptionalText
    outcome: OptionalText
    xg: float | None  # ours
    provider_xg: float | None


class TeamXg(Schema):
    team: TeamRef
    shots: int
    xg: float | None
    provider_xg: float | None


class XgOut(Schema):
    match: int
    teams: List[TeamXg]
    shots: List[ShotOut]


# --------------------------------------------------------------------------- competitions and seasons


def _latest_season(competition: Competition, day: dt.date | None = None) -> Season | None:
    """The season covering ``day`` when one's dates do, else the competition's latest."""
    seasons = competition.seasons.order_by(F("start_date").desc(nulls_last=True), "-name")
    if day is not None:
        covering = seasons.filter(start_date__lte=day, end_date__gte=day).first()
        if covering is not None:
            return covering
    return seasons.first()


@router.get("/competitions", response=List[CompetitionOut], tags=["competitions"])
@paginate(Pagination)
def competitions(request):
    """Every competition, by country and name."""
    return Competition.objects.order_by("country", "name", "pk")


@router.get("/competitions/{competition_id}", response=CompetitionDetailOut, tags=["competitions"])
def competition(request, competition_id: int):
    found = _get(Competition.objects.all(), competition_id, "competition")
    found.current_season = _latest_season(found)
    return found


@router.get("/competitions/{competition_id}/seasons", response=List[SeasonOut], tags=["competitions"])
@paginate(Pagination)
def competition_seasons(request, competition_id: int):
    """The competition's seasons, latest first."""
    found = _get(Competition.objects.all(), competition_id, "competition")
    return found.seasons.order_by(F("start_date").desc(nulls_last=True), "-name", "pk")


@router.get("/competitions/{competition_id}/standings", response=StandingsOut, tags=["competitions"])
def competition_standings(request, competition_id: int,
                          season: int | None = Query(None, ge=1, le=MAX_INT,
                                                     description="A season id (default: the latest)."),
                          date: dt.date | None = Query(None, description="The table at the end of this UTC day.")):
    """The league table with its tiebreakers and points adjustments, as it stands or stood on ``date``."""
    found = _get(Competition.objects.all(), competition_id, "competition")
    day = day_bounds("date", date)
    if season is not None:
        chosen = found.seasons.filter(pk=season).first()
        if chosen is None:
            raise Http404(f"competition {competition_id} has no season with id {season}")
    else:
        chosen = _latest_season(found, day)
        if chosen is None:
            raise Http404(f"competition {competition_id} has no season yet")
    chosen.competition = found
    as_of = start_of(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1) if day else None
    season_data = standings.load_season(chosen)
    rows = season_data.table(as_of=as_of)
    return {
        "competition": found, "season": chosen, "date": day,
        "table": [
            {"position": row.position,
             "team": {"id": row.team_id, "name": row.team_name,
                      "short_name": season_data.teams.get(row.team_id, {}).get("short_name", "")},
             "played": row.played, "won": row.won, "drawn": row.drawn, "lost": row.lost,
             "goals_for": row.goals_for, "goals_against": row.goals_against,
             "goal_difference": row.goal_difference, "points": row.points, "adjustment": row.adjustment,
             "form": row.form_letters or None}
            for row in rows
        ],
    }


# --------------------------------------------------------------------------- matches


def _matches():
    return Match.objects.select_related("competition", "season", "venue", "home_team", "away_team")


@router.get("/matches", response=List[MatchOut], tags=["matches"])
@paginate(Pagination)
def matches(request,
            date_from: dt.date | None = Query(None, alias="dateFrom", description="First UTC day (inclusive)."),
            date_to: dt.date | None = Query(None, alias="dateTo", description="Last UTC day (inclusive)."),
            status: Match.Status | None = Query(None),
            team: int | None = Query(None, ge=1, le=MAX_INT, description="A team id, at home or away."),
            competition: int | None = Query(None, ge=1, le=MAX_INT, description="A competition id."),
            season: int | None = Query(None, ge=1, le=MAX_INT, description="A season id.")):
    """Matches in kick-off order, filtered."""
    day_from, day_to = day_bounds("dateFrom", date_from), day_bounds("dateTo", date_to)
    if day_from and day_to:
        if day_to < day_from:
            raise BadRequestParameter("dateTo", day_to.isoformat(), f"a day on or after dateFrom ({day_from})")
        if (day_to - day_from).days > MAX_RANGE_DAYS:
            raise BadRequestParameter("dateTo", day_to.isoformat(),
                                      f"at most {MAX_RANGE_DAYS} days after dateFrom ({day_from})")
    found = _matches()
    if day_from:
        found = found.filter(kickoff__gte=start_of(day_from))
    if day_to:
        found = found.filter(kickoff__lt=start_of(day_to + dt.timedelta(days=1)))
    if status:
        found = found.filter(status=status)
    # A well-formed id of nothing is a 404, as on the pages (quantfoot.params): the link is stale.
    for name, model, value in (("team", Team, team), ("competition", Competition, competition),
                               ("season", Season, season)):
        if value is not None and not model.objects.filter(pk=value).exists():
            raise Http404(f"{name}: no {name} with id {value}")
    if team:
        found = found.filter(Q(home_team_id=team) | Q(away_team_id=team))
    if competition:
        found = found.filter(competition_id=competition)
    if season:
        found = found.filter(season_id=season)
    return found.order_by("kickoff", "pk")


@router.get("/matches/{match_id}", response=MatchOut, tags=["matches"])
def match(request, match_id: int):
    return _get(_matches(), match_id, "match")


def _player(pk, name, known_as):
    return None if pk is None else {"id": pk, "name": known_as or name}


@router.get("/matches/{match_id}/events", response=EventsOut, tags=["matches"])
def match_events(request, match_id: int,
                 after: int = Query(0, ge=0, le=MAX_INT, description="The last seq you have: events after it.")):
    """Events in recording order (``seq``), at most 500 at a time: ask again with ``after=next_after``."""
    last_seq = Match.objects.filter(pk=match_id).values_list("last_seq", flat=True).first()
    if last_seq is None:
        raise Http404(f"no match with id {match_id}")
    rows = list(MatchEvent.objects.filter(match_id=match_id, seq__gt=after).order_by("seq").values(
        "seq", "kind", "period", "minute", "added_minute", "second", "team_id", "team__name", "player_id",
        "player__name", "player__known_as", "related_player_id", "related_player__name",
        "related_player__known_as", "x", "y", "end_x", "end_y", "outcome", "body_part", "situation",
    )[: EVENTS_PAGE_SIZE + 1])
    more = len(rows) > EVENTS_PAGE_SIZE
    rows = rows[:EVENTS_PAGE_SIZE]
    return {
        "match": match_id, "last_seq": last_seq, "count": len(rows),
        "next_after": rows[-1]["seq"] if more else None,
        "events": [
            {"seq": row["seq"], "kind": row["kind"], "period": row["period"], "minute": row["minute"],
             "added_minute": row["added_minute"], "second": row["second"],
             "team": {"id": row["team_id"], "name": row["team__name"]} if row["team_id"] else None,
             "player": _player(row["player_id"], row["player__name"], row["player__known_as"]),
             "related_player": _player(row["related_player_id"], row["related_player__name"],
                                       row["related_player__known_as"]),
             "x": row["x"], "y": row["y"], "end_x": row["end_x"], "end_y": row["end_y"],
             "outcome": row["outcome"], "body_part": row["body_part"],
             "situation": row["situation"]}
            for row in rows
        ],
    }


def _lineup_player(entry: LineupEntry) -> dict:
    return {"player": {"id": entry.player_id, "name": entry.player.known_as or entry.player.name},
            "shirt_number": entry.shirt_number, "position": entry.position,
            "minutes_played": entry.minutes_played, "subbed_on_minute": entry.subbed_on_minute,
            "subbed_off_minute": entry.subbed_off_minute}


@router.get("/matches/{match_id}/lineups", response=List[LineupOut], tags=["matches"])
def match_lineups(request, match_id: int):
    """Both teams' starting eleven and bench, home team first (an empty list before lineups are known)."""
    found = _get(Match.objects.all(), match_id, "match")
    entries = LineupEntry.objects.select_related("player").order_by(
        F("shirt_number").asc(nulls_last=True), "pk")
    lineups = (Lineup.objects.filter(match=found).select_related("team")
               .prefetch_related(Prefetch("entries", queryset=entries)))
    ordered = sorted(lineups, key=lambda lineup: lineup.team_id != found.home_team_id)
    return [
        {"team": lineup.team, "formation": lineup.formation,
         "start_xi": [_lineup_player(entry) for entry in lineup.entries.all() if entry.is_starter],
         "bench": [_lineup_player(entry) for entry in lineup.entries.all() if not entry.is_starter]}
        for lineup in ordered
    ]


def _total(values: list[float | None]) -> float | None:
    known = [value for value in values if value is not None]
    return round(sum(known), 4) if known else None


@router.get("/matches/{match_id}/xg", response=XgOut, tags=["matches"])
def match_xg(request, match_id: int):
    """Every shot with our xG (``xg``, matches.xg's active model) beside the provider's (``provider_xg``)."""
    found = _get(Match.objects.select_related("home_team", "away_team"), match_id, "match")
    shots = list(MatchEvent.objects.filter(match=found, kind__in=MatchEvent.SHOT_KINDS)
                 .select_related("team", "player").order_by("seq"))
    teams = []
    for team in (found.home_team, found.away_team):
        own = [shot for shot in shots if shot.team_id == team.pk]
        teams.append({"team": team, "shots": len(own), "xg": _total([shot.model_xg for shot in own]),
                      "provider_xg": _total([shot.xg for shot in own])})
    return {
        "match": found.pk, "teams": teams,
        "shots": [
            {"seq": shot.seq, "period": shot.period, "minute": shot.minute, "added_minute": shot.added_minute,
             "team": shot.team, "player": _player(shot.player_id, shot.player.name, shot.player.known_as)
             if shot.player_id else None,
             "kind": shot.kind, "is_goal": shot.kind in MatchEvent.SCORING_KINDS, "x": shot.x, "y": shot.y,
             "body_part": shot.body_part, "situation": shot.situation,
             "outcome": shot.outcome, "xg": shot.model_xg, "provider_xg": shot.xg}
            for shot in shots
        ],
    }


# --------------------------------------------------------------------------- teams


@router.get("/teams", response=List[TeamOut], tags=["teams"])
@paginate(Pagination)
def teams(request,
          competition: int | None = Query(None, ge=1, le=MAX_INT, description="Teams with a match in it."),
          season: int | None = Query(None, ge=1, le=MAX_INT, description="Teams with a match in it.")):
    found = Team.objects.select_related("venue").order_by("name", "pk")
    for name, model, value in (("competition", Competition, competition), ("season", Season, season)):
        if value is not None and not model.objects.filter(pk=value).exists():
            raise Http404(f"{name}: no {name} with id {value}")
    if competition or season:
        played = Match.objects.all()
        if competition:
            played = played.filter(competition_id=competition)
        if season:
            played = played.filter(season_id=season)
        found = found.filter(Q(pk__in=played.values("home_team_id")) | Q(pk__in=played.values("away_team_id")))
    return found


@router.get("/teams/{team_id}", response=TeamOut, tags=["teams"])
def team(request, team_id: int):
    return _get(Team.objects.select_related("venue"), team_id, "team")
