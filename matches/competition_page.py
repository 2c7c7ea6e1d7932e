"""The competition season page's parts: which season, view and sort were asked for, the
standings table in the page's columns (also its CSV), the rounds and the top scorers and assisters.

The view (matches/views.py) only reads the request through these and renders.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils import timezone

from matches import standings
from matches.tables import Column, query, url_pattern
from matches.models import Competition, Match, MatchEvent, Season

STANDINGS_COLUMNS = (
    Column("position", "#", "Position", descending_first=False),
    Column("team", "Team", "Team", numeric=False, descending_first=False),
    Column("played", "P", "Played"),
    Column("won", "W", "Won"),
    Column("drawn", "D", "Drawn"),
    Column("lost", "L", "Lost"),
    Column("goals_for", "GF", "Goals for"),
    Column("goals_against", "GA", "Goals against"),
    Column("goal_difference", "GD", "Goal difference"),
    Column("points", "Pts", "Points"),
    Column("adjustment", "Adj", "Points adjustment"),  # only in a league table with adjustments
    Column("form", "Form", "Form", numeric=False, sortable=False),
)
VIEW_LABELS = {standings.OVERALL: "Overall", standings.HOME: "Home", standings.AWAY: "Away"}
TOP_SCORERS = 10


def _csv_value(row: standings.Row, key: str):
    if key == "team":
        return row.team_name
    if key == "form":
        return row.form_letters
    return getattr(row, key)


def _sort_value(row: standings.Row, key: str):
    return row.team_name.casefold() if key == "team" else getattr(row, key)


@dataclass
class StandingsRequest:
    """What a standings request asks for, read from its query string."""

    competition: Competition
    seasons: list[Season]
    season: Season | None
    view: str
    as_of_date: dt.date | None
    sort: str
    descending: bool

    @property
    def as_of(self) -> dt.datetime | None:
        """The end of the asked-for day, in the time zone the site shows kick-offs in."""
        if self.as_of_date is None:
            return None
        zone = timezone.get_current_timezone()
        next_midnight = dt.datetime.combine(self.as_of_date + dt.timedelta(days=1), dt.time(), zone)
        return next_midnight - dt.timedelta(microseconds=1)


def standings_request(request, pk) -> StandingsRequest:
    competition = get_object_or_404(Competition, pk=pk)
    # One query: the seasons for the selector, each with its last kick-off (an index lookup per season,
    # not an aggregate over every match of the competition) to find the latest one played.
    last_kickoff = Match.objects.filter(season=OuterRef("pk")).order_by("-kickoff").values("kickoff")[:1]
    seasons = list(competition.seasons.annotate(last_kickoff=Subquery(last_kickoff)).order_by("-name"))
    raw_season = request.GET.get("season")
    if raw_season:
        season = next((season for season in seasons if str(season.pk) == raw_season), None)
        if season is None:
            raise Http404("No such season in this competition.")
    else:
        played = [season for season in seasons if season.last_kickoff is not None]
        season = max(played, key=lambda season: season.last_kickoff) if played else (seasons[0] if seasons else None)
    if season is not None:
        season.competition = competition
    view = request.GET.get("view", standings.OVERALL)
    if view not in standings.VIEWS:
        view = standings.OVERALL
    try:
        as_of_date = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        as_of_date = None
    columns = {column.key: column for column in STANDINGS_COLUMNS if column.sortable}
    sort = request.GET.get("sort", "position")
    if sort not in columns:
        sort = "position"
    direction = request.GET.get("dir")
    descending = direction == "desc" if direction in ("asc", "desc") else columns[sort].descending_first
    return StandingsRequest(competition, seasons, season, view, as_of_date, sort, descending)


@dataclass
class StandingsTable:
    columns: list[Column]
    rows: list[standings.Row]
    notes: list[dict]

    def csv_rows(self) -> list[list]:
        return [[_csv_value(row, column.key) for column in self.columns] for row in self.rows]


def standings_table(asked: StandingsRequest, season_data: standings.SeasonData) -> StandingsTable:
    rows = season_data.table(asked.view, as_of=asked.as_of)
    if asked.sort != "position" or asked.descending:
        rows.sort(key=lambda row: row.position)
        rows.sort(key=lambda row: _sort_value(row, asked.sort), reverse=asked.descending)
    shows_adjustments = asked.view == standings.OVERALL and bool(season_data.adjustments)
    columns = [column for column in STANDINGS_COLUMNS if column.key != "adjustment" or shows_adjustments]
    notes = {}
    if shows_adjustments:
        for team_name, points, reason in season_data.adjustment_notes():
            note = notes.setdefault(team_name, {"team": team_name, "points": 0, "reasons": []})
            note["points"] += points
            note["reasons"].append({"points": points, "reason": reason})
    return StandingsTable(columns, rows, list(notes.values()))


def season_goals(season: Season) -> list[dict]:
    """The season's goals (penalties included; own goals and shoot-outs not) counted per scorer, assister,
    team and kind: one query, which both the top scorers and the top assisters read."""
    return list(
        MatchEvent.objects.filter(
            # The season's matches as a subquery: the (match, kind) index then finds their goals, where a join
            # would read every goal of every season through the kind index.
            match__in=Match.objects.filter(season=season).values("id"),
            kind__in=(MatchEvent.Kind.GOAL, MatchEvent.Kind.PENALTY_SCORED),
        )
        .exclude(period=5)  # a penalty shoot-out scores no goals
        .values("player_id", "player__name", "player__known_as", "team_id",
                "related_player_id", "related_player__name", "related_player__known_as", "kind")
        .annotate(count=Count("id"))
        .order_by()
    )


def _leaders(goals: list[dict], teams: dict[int, dict], who: str, counts: dict[str, object]) -> list[dict]:
    """Players ranked by the first of ``counts`` (name -> the kinds it counts, or None for all), best first.

    ``who`` is the event's "player" (the scorer) or "related_player" (the assister).
    """
    players = {}
    for row in goals:  # one line per player and team: a player who moved mid-season scored for both
        player_id = row[f"{who}_id"]
        if player_id is None:
            continue
        player = players.setdefault(player_id, {
            "id": player_id, "name": row[f"{who}__known_as"] or row[f"{who}__name"], "teams": [],
            **{name: 0 for name in counts},
        })
        for name, kinds in counts.items():
            if kinds is None or row["kind"] in kinds:
                player[name] += row["count"]
        team = teams.get(row["team_id"])
        if team is not None and team not in player["teams"]:
            player["teams"].append(team)
    first = next(iter(counts))
    ranked = sorted(players.values(), key=lambda player: (-player[first], player["name"].casefold()))
    if len(ranked) > TOP_SCORERS:  # keep everyone level with the last one shown
        ranked = [player for player in ranked if player[first] >= ranked[TOP_SCORERS - 1][first]]
    position = 0
    for index, player in enumerate(ranked):
        if index == 0 or player[first] != ranked[index - 1][first]:
            position = index + 1
        player["position"] = position
    return ranked


def top_scorers(season: Season, teams: dict[int, dict], goals: list[dict] | None = None) -> list[dict]:
    """Goals per player in the season (penalties included; own goals and shoot-outs not), best first."""
    goals = season_goals(season) if goals is None else goals
    return _leaders(goals, teams, "player", {"goals": None, "penalties": (MatchEvent.Kind.PENALTY_SCORED,)})


def top_assisters(season: Season, teams: dict[int, dict], goals: list[dict] | None = None) -> list[dict]:
    """Assists per player in the season, best first: the ``related_player`` of a goal or scored penalty
    (own goals and shoot-outs have none)."""
    goals = season_goals(season) if goals is None else goals
    return _leaders(goals, teams, "related_player", {"assists": None})


def goal_leaders(season: Season, teams: dict[int, dict]) -> dict[str, list[dict]]:
    """The page's top scorers and top assisters, from one query."""
    goals = season_goals(season)
    return {"scorers": top_scorers(season, teams, goals), "assisters": top_assisters(season, teams, goals)}


def standings_lines(rows: list[standings.Row]) -> list[dict]:
    """Each row with its form pills ready to print: a page shows a hundred of them, so their links and
    dates are made here at a fraction of what a {% url %} and a |date per pill cost."""
    match_url, team_url = url_pattern("matches:match"), url_pattern("matches:team")
    zone = timezone.get_current_timezone()
    lines = []
    for row in rows:
        pills = []
        for result in row.form:
            day = result.kickoff.astimezone(zone)
            pills.append({"outcome": result.outcome, "css": f"form-{result.outcome.lower()}",
                          "url": match_url.format(result.match_id),
                          "title": f"{result.summary}, {day.day} {day:%b %Y}"})
        lines.append({"row": row, "team_url": team_url.format(row.team_id), "form": pills})
    return lines


def table_context(asked: StandingsRequest, season_data: standings.SeasonData, params) -> dict:
    """What the standings partial needs: the page and the live frame render it alike."""
    table = standings_table(asked, season_data)
    columns = []
    for column in table.columns:
        current = column.sortable and column.key == asked.sort
        url = ""
        if column.sortable:
            descending = not asked.descending if current else column.descending_first
            url = query(params, sort=column.key, dir="desc" if descending else "asc")
        aria_sort = ("descending" if asked.descending else "ascending") if current else ""
        columns.append({"column": column, "url": url, "aria_sort": aria_sort})
    return {"table": table, "columns": columns, "lines": standings_lines(table.rows), "notes": table.notes,
            "shows_adjustments": any(column.key == "adjustment" for column in table.columns)}


def follows_live(asked: StandingsRequest, season_data: standings.SeasonData) -> bool:
    """The default table of a season with a match being played is kept current over a socket."""
    default = (asked.view, asked.as_of_date, asked.sort, asked.descending) == (standings.OVERALL, None, "position",
                                                                              False)
    return default and any(match["status"] == Match.Status.LIVE for match in season_data.matches)


def live_table(season_id: int) -> tuple[int, str, str]:
    """(seq, version, html) of a season's default table as an hx-swap-oob fragment (the live feed's state)."""
    season = Season.objects.select_related("competition").get(pk=season_id)
    version = season_version(season_id)
    asked = StandingsRequest(season.competition, [], season, standings.OVERALL, None, "position", False)
    params = QueryDict(mutable=True)
    params["season"] = str(season_id)
    context = table_context(asked, standings.load_season(season), params)
    return 0, version, render_to_string("matches/partials/_standings.html", {**context, "oob": True})


def season_version(season_id: int) -> str | None:
    """Changes when a result in the season does: goals, kick-offs and final whistles, not every pass."""
    if not Season.objects.filter(pk=season_id).exists():
        return None
    totals = Match.objects.filter(season_id=season_id).exclude(status=Match.Status.SCHEDULED).aggregate(
        home=Sum("home_score"), away=Sum("away_score"), played=Count("id"),
        finished=Count("id", filter=Q(status=Match.Status.FINISHED)))
    return "{home}:{away}:{played}:{finished}".format(**totals)
