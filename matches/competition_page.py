"""The competition season page's parts: which season, view and sort were asked for, the
standings table in the page's columns (also its CSV), the rounds and the top scorers and assisters.

The view (matches/views.py) only reads the request through these and renders.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404, QueryDict
from django.template.loader import render_to_string
from django.utils import timezone

from matches import standings
from matches.tables import Column, query, url_pattern
from matches.models import Competition, Match, Season
from quantfoot import params as read

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
    competition = Competition.objects.filter(pk=pk).first()
    if competition is None:
        raise Http404("No such competition.")
    # One query: the seasons for the selector, each with its last kick-off (an index lookup per season,
    # not an aggregate over every match of the competition) to find the latest one played.
    last_kickoff = Match.objects.filter(season=OuterRef("pk")).order_by("-kickoff").values("kickoff")[:1]
    seasons = list(competition.seasons.annotate(last_kickoff=Subquery(last_kickoff)).order_by("-name"))
    season = read.pick(request.GET, "season", seasons, "No such season in this competition.")
    if season is None:
        played = [season for season in seasons if season.last_kickoff is not None]
        season = max(played, key=lambda season: season.last_kickoff) if played else (seasons[0] if seasons else None)
    if season is not None:
        season.competition = competition
    view = read.choice(request.GET, "view", standings.VIEWS, standings.OVERALL)
    as_of_date = read.date(request.GET, "date")
    sort, descending = read.sort(
        request.GET, {column.key: column.descending_first for column in STANDINGS_COLUMNS if column.sortable},
        "position")
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
        # One note per team, its rulings in the order they were decided (the marker in the table links it).
        names = season_data.team_names
        for adjustment in sorted(season_data.adjustments, key=lambda a: names.get(a.team_id, "?").casefold()):
            note = notes.setdefault(adjustment.team_id, {"team": names.get(adjustment.team_id, "?"),
                                                         "team_id": adjustment.team_id, "points": 0, "reasons": []})
            note["points"] += adjustment.points
            note["reasons"].append({"points": adjustment.points, "reason": adjustment.reason,
                                    "decided_on": adjustment.decided_on, "source_url": adjustment.source_url})
    return StandingsTable(columns, rows, list(notes.values()))


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
    lines = standings_lines(table.rows)
    notes = {note["team_id"]: note for note in table.notes}
    for line in lines:
        note = notes.get(line["row"].team_id)
        if note:  # the marker beside the team's name: its tooltip names the rulings, its link the note below
            line["adjustment_title"] = "; ".join(
                f"{part['points']:+d}".replace("-", "\u2212")
                + (f" on {part['decided_on'].day} {part['decided_on']:%b %Y}" if part["decided_on"] else "")
                + f": {part['reason']}" for part in note["reasons"])
    return {"table": table, "columns": columns, "lines": lines, "notes": table.notes,
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
