"""The team page's parts: which team and season were asked for, the season's record (from
``matches.standings``), its results and fixtures with each match's figures, the squad, the
team statistics and the chart of points and xG. The results and squad tables are also the
page's CSV downloads: one table object gives both, so they cannot disagree.

The view (matches/views.py) only reads the request through these and renders.

Queries, whatever the size of the season: the team, its seasons (one, with each season's
last kick-off), the season (``standings.load_season``: three), the match figures (two: the
match reports, then shots and passes counted per match and team), the squad (two: lineup
entries per player, then goals, assists and cards per match and player) and the stored
season totals (one: ``TeamSeasonStats``). Ten for the page, seven for either CSV.

Counting rules:

- The record, the points line and the squad count finished matches only.
- Each match's figures (shots, shots on target, possession, xG) follow the rules in
  ``matches/aggregates.py``, which also sums them into the season totals the team
  statistics show: the per-match rows and the totals come from one function.
- Squad: a lineup entry is an appearance when the player started, played minutes or came
  on; goals include penalties (not own goals, not shoot-outs); an assist is the
  ``related_player`` of a goal; a second yellow is a red card. A player credited with goals,
  assists or cards but in none of the season's lineups appears in the matches of his goals
  and assists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Max, Q, Sum
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from matches import standings, weather
from matches.aggregates import FINISHED, SCORED, SHOOTOUT, SideFigures, match_figures
from matches.tables import Column, query, url_pattern
from matches.models import Competition, LineupEntry, Match, MatchEvent, Season, Team, TeamSeasonStats
from quantfoot import params as read

Kind = MatchEvent.Kind
RED = (Kind.RED_CARD, Kind.SECOND_YELLOW)

RESULT_COLUMNS = (
    Column("date", "Date", "Date", numeric=False),
    Column("time", "Time", "Kick-off", numeric=False),
    Column("round", "Round", "Round", numeric=False),  # only when the season names its rounds
    Column("venue", "H/A", "Home or away", numeric=False),
    Column("opponent", "Opponent", "Opponent", numeric=False),
    Column("result", "Res", "Result", numeric=False),
    Column("score", "Score", "Score (for–against)", numeric=False),
    # The figures: each only when at least one of the season's matches has it.
    Column("shots", "Sh", "Shots"),
    Column("on_target", "SoT", "Shots on target"),
    Column("possession", "Poss", "Possession %"),
    Column("xg", "xG", "xG for"),
    Column("xg_against", "xGA", "xG against"),
)
SQUAD_COLUMNS = (
    Column("player", "Player", "Player", numeric=False, descending_first=False),
    Column("appearances", "Apps", "Appearances"),
    Column("starts", "Starts", "Starts"),
    Column("minutes", "Min", "Minutes"),
    Column("goals", "Gls", "Goals"),
    Column("assists", "Ast", "Assists"),
    Column("yellow_cards", "YC", "Yellow cards"),
    Column("red_cards", "RC", "Red cards"),
)
SQUAD_SORT_DEFAULT = "minutes"


# The request


@dataclass
class TeamRequest:
    """What a team page request asks for, read from its query string."""

    team: Team
    seasons: list[Season]  # the seasons the team has matches in, latest first, with last_kickoff
    season: Season | None
    sort: str  # the squad's sort column
    descending: bool
    params: QueryDict  # the query string, with the season filled in

    @property
    def team_id(self) -> int:
        return self.team.pk


def team_request(request, pk) -> TeamRequest:
    team = Team.objects.select_related("venue").filter(pk=pk).first()  # the ground in the header
    if team is None:
        raise Http404("No such team.")
    # One query: every season of any competition the team has matches in, with the kick-off of its
    # last match in it (the filter's join is the one the Max reads: the team's matches only).
    seasons = list(
        Season.objects.filter(Q(matches__home_team=team) | Q(matches__away_team=team))
        .select_related("competition")
        .annotate(last_kickoff=Max("matches__kickoff"))
        .order_by("-last_kickoff", "competition__name")
    )
    season = read.pick(request.GET, "season", seasons, "This team has no matches in that season.")
    if season is None:
        season = seasons[0] if seasons else None  # the latest it played in
    sort, descending = read.sort(
        request.GET, {column.key: column.descending_first for column in SQUAD_COLUMNS if column.sortable},
        SQUAD_SORT_DEFAULT)
    params = request.GET.copy()
    if season is not None:
        params["season"] = str(season.pk)
    return TeamRequest(team, seasons, season, sort, descending, params)


def team_matches(team_id: int, season_data: standings.SeasonData) -> list[dict]:
    """The team's matches of the season (value rows), in kick-off order."""
    return [row for row in season_data.matches if team_id in (row["home_team_id"], row["away_team_id"])]


# Tables: the page's and the CSV's


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell as both the page and the CSV show it (``text``); the page adds a link and a class."""

    text: str
    url: str = ""
    css: str = ""
    numeric: bool = False
    header: bool = False  # the row's name: a <th scope="row"> that stays in view on a phone
    forecast: dict | None = None  # an upcoming fixture's weather icon beside the cell (page only, not the CSV)
    # The page keeps ``text`` (the CSV's, site's zone) in a {% local_time %} ("date" or "time")
    # that the browser rewrites in the reader's zone.
    when: dt.datetime | None = None
    when_format: str = ""


@dataclass
class Table:
    columns: list[Column]
    rows: list[list[Cell]]

    def csv_header(self) -> list[str]:
        return [column.title for column in self.columns]

    def csv_rows(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.rows]

    def keyed_rows(self) -> list[list[tuple[str, Cell]]]:
        """Each row's cells with their column's key: the page marks cells by column (data-col), so a phone
        can leave out a column the date already tells (the round)."""
        keys = [column.key for column in self.columns]
        return [list(zip(keys, row)) for row in self.rows]


def _number(value, decimals: int = 0) -> str:
    """A figure as people round it (1.095 is 1.10, not the binary float's 1.09); "" when unknown."""
    if value is None:
        return ""
    return str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP))


def _day(moment: dt.datetime, zone) -> str:
    """'12 Aug' in the site's time zone."""
    local = moment.astimezone(zone)
    return f"{local.day} {local:%b}"


def round_label(row: dict) -> str:
    if row["round"]:
        return row["round"]
    return f"Matchday {row['matchday']}" if row["matchday"] else ""


@dataclass(frozen=True, slots=True)
class TeamMatch:
    """One of the team's matches, seen from the team."""

    row: dict  # the season's value row (standings.MATCH_FIELDS)
    at_home: bool
    opponent: dict  # {"id", "name", "short_name"}
    goals_for: int | None
    goals_against: int | None
    ours: SideFigures
    theirs: SideFigures

    @property
    def finished(self) -> bool:
        return self.row["status"] == FINISHED and self.goals_for is not None

    @property
    def outcome(self) -> str:
        if not self.finished:
            return ""
        return "W" if self.goals_for > self.goals_against else "D" if self.goals_for == self.goals_against else "L"


def seen_from(team_id: int, season_data: standings.SeasonData, figures: dict[int, dict[int, SideFigures]]
              ) -> list[TeamMatch]:
    seen = []
    for row in team_matches(team_id, season_data):
        at_home = row["home_team_id"] == team_id
        opponent_id = row["away_team_id"] if at_home else row["home_team_id"]
        scores = (row["home_score"], row["away_score"])
        sides = figures.get(row["id"], {})
        seen.append(TeamMatch(
            row, at_home, season_data.teams[opponent_id],
            scores[0] if at_home else scores[1], scores[1] if at_home else scores[0],
            sides.get(team_id, SideFigures()), sides.get(opponent_id, SideFigures()),
        ))
    return seen


def results_table(played: list[TeamMatch], forecasts: dict[int, dict] | None = None) -> Table:
    """The season's results and fixtures, one row a match, in kick-off order (``forecasts``: match id ->
    the weather forecast shown beside an upcoming fixture's kick-off time)."""
    zone = timezone.get_current_timezone()
    match_url, team_url = url_pattern("matches:match"), url_pattern("matches:team")
    shown = {column.key for column in RESULT_COLUMNS[:7]}
    if not any(round_label(match.row) for match in played):
        shown.discard("round")
    for key, has in (
        ("shots", lambda m: m.ours.shots is not None), ("on_target", lambda m: m.ours.on_target is not None),
        ("possession", lambda m: m.ours.possession is not None), ("xg", lambda m: m.ours.xg is not None),
        ("xg_against", lambda m: m.theirs.xg is not None),
    ):
        if any(has(match) for match in played):
            shown.add(key)
    columns = [column for column in RESULT_COLUMNS if column.key in shown]
    rows = []
    for match in played:
        kickoff = match.row["kickoff"].astimezone(zone)
        status = match.row["status"]
        if match.finished:
            result = Cell(match.outcome, css=f"form-{match.outcome.lower()}")
        elif status == Match.Status.SCHEDULED:  # the forecast stands where the result will: in view on a phone
            result = Cell("", forecast=(forecasts or {}).get(match.row["id"]))
        else:
            result = Cell(Match.Status(status).label, css="badge" + (" badge--live" if status == "live" else ""))
        score = "v" if match.goals_for is None else f"{match.goals_for}\N{EN DASH}{match.goals_against}"
        cells = {
            "date": Cell(kickoff.date().isoformat(), when=kickoff, when_format="date"),
            "time": Cell(f"{kickoff:%H:%M}", when=kickoff, when_format="time"),
            "round": Cell(round_label(match.row)),
            "venue": Cell("H" if match.at_home else "A"),
            "opponent": Cell(match.opponent["name"], url=team_url.format(match.opponent["id"]), header=True),
            "result": result,
            "score": Cell(score, url=match_url.format(match.row["id"]), css="score" if match.goals_for is not None else ""),
            "shots": Cell(_number(match.ours.shots), numeric=True),
            "on_target": Cell(_number(match.ours.on_target), numeric=True),
            "possession": Cell(_number(match.ours.possession), numeric=True),
            "xg": Cell(_number(match.ours.xg, 2), numeric=True),
            "xg_against": Cell(_number(match.theirs.xg, 2), numeric=True),
        }
        rows.append([cells[column.key] for column in columns])
    return Table(columns, rows)


def season_matches(asked: TeamRequest, season_data: standings.SeasonData) -> list[TeamMatch]:
    """The team's matches of the asked season with their figures (two queries)."""
    mine = team_matches(asked.team_id, season_data)
    return seen_from(asked.team_id, season_data, match_figures(mine))


# The squad


@dataclass(slots=True)
class SquadLine:
    player_id: int
    name: str
    appearances: int = 0
    starts: int = 0
    minutes: int | None = None
    goals: int = 0
    assists: int = 0
    yellow_cards: int = 0
    red_cards: int = 0
    in_lineups: bool = False
    event_matches: set = field(default_factory=set)  # matches of his goals and assists


def _player_name(name: str, known_as: str) -> str:
    return known_as or name


def squad_lines(team_id: int, finished_ids: list[int]) -> list[SquadLine]:
    """The players who appeared for the team in these matches, with their figures: two grouped queries."""
    if not finished_ids:
        return []
    lines: dict[int, SquadLine] = {}

    def line(player_id: int, name: str, known_as: str) -> SquadLine:
        if player_id not in lines:
            lines[player_id] = SquadLine(player_id, _player_name(name, known_as))
        return lines[player_id]

    entries = (
        LineupEntry.objects.filter(lineup__team_id=team_id, lineup__match_id__in=finished_ids)
        .values("player_id", "player__name", "player__known_as")
        .annotate(
            appearances=Count("pk", filter=Q(is_starter=True) | Q(minutes_played__gt=0)
                              | Q(subbed_on_minute__isnull=False)),
            starts=Count("pk", filter=Q(is_starter=True)),
            minutes=Sum("minutes_played"),
        )
        .order_by()
    )
    for row in entries:
        current = line(row["player_id"], row["player__name"], row["player__known_as"])
        current.appearances, current.starts, current.minutes = row["appearances"], row["starts"], row["minutes"]
        current.in_lineups = True

    events = (
        MatchEvent.objects.filter(
            Q(kind__in=SCORED, period__lt=SHOOTOUT) | Q(kind__in=(Kind.YELLOW_CARD, *RED)),
            match_id__in=finished_ids, team_id=team_id,
        )
        .values("match_id", "kind", "player_id", "player__name", "player__known_as",
                "related_player_id", "related_player__name", "related_player__known_as")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in events:
        kind, count = row["kind"], row["count"]
        if row["player_id"] is not None:
            current = line(row["player_id"], row["player__name"], row["player__known_as"])
            if kind in SCORED:
                current.goals += count
                current.event_matches.add(row["match_id"])
            elif kind == Kind.YELLOW_CARD:
                current.yellow_cards += count
            else:
                current.red_cards += count
        if kind in SCORED and row["related_player_id"] is not None:
            assister = line(row["related_player_id"], row["related_player__name"], row["related_player__known_as"])
            assister.assists += count
            assister.event_matches.add(row["match_id"])
    for current in lines.values():
        if not current.in_lineups:
            current.appearances = len(current.event_matches)
    return [current for current in lines.values()
            if current.appearances or current.goals or current.assists or current.yellow_cards or current.red_cards]


def _squad_sort_value(line: SquadLine, key: str):
    if key == "player":
        return line.name.casefold()
    value = getattr(line, key)
    return -1 if value is None else value


def squad_table(asked: TeamRequest, season_data: standings.SeasonData) -> Table:
    """The squad, sorted as asked (level players keep the default order: minutes, appearances, name)."""
    finished = [row["id"] for row in team_matches(asked.team_id, season_data)
                if row["status"] == FINISHED and row["home_score"] is not None]
    lines = squad_lines(asked.team_id, finished)
    lines.sort(key=lambda line: line.name.casefold())
    lines.sort(key=lambda line: (_squad_sort_value(line, "minutes"), line.appearances), reverse=True)
    if asked.sort != SQUAD_SORT_DEFAULT or not asked.descending:
        lines.sort(key=lambda line: _squad_sort_value(line, asked.sort), reverse=asked.descending)
    player_url = url_pattern("players:player")
    rows = [
        [Cell(line.name, url=player_url.format(line.player_id), header=True)]
        + [Cell(_number(getattr(line, column.key)), numeric=True) for column in SQUAD_COLUMNS[1:]]
        for line in lines
    ]
    return Table(list(SQUAD_COLUMNS), rows)


# The season's record, statistics and chart


@dataclass
class Record:
    overall: standings.Row
    home: standings.Row
    away: standings.Row
    teams: int
    shows_position: bool  # a league's table ranks; a cup's or tournament's merged table does not
    form: list[dict]
    notes: list[tuple[str, int, str]]  # the team's points adjustments: (name, points, reason)


def season_record(team_id: int, season: Season, season_data: standings.SeasonData) -> Record:
    rows = {view: next(row for row in season_data.table(view) if row.team_id == team_id) for view in standings.VIEWS}
    overall = rows[standings.OVERALL]
    zone = timezone.get_current_timezone()
    match_url = url_pattern("matches:match")
    form = [{"outcome": result.outcome, "css": f"form-{result.outcome.lower()}", "url": match_url.format(result.match_id),
             "title": f"{result.summary}, {_day(result.kickoff, zone)} {result.kickoff.astimezone(zone):%Y}"}
            for result in overall.form]
    name = season_data.teams[team_id]["name"]
    return Record(
        overall, rows[standings.HOME], rows[standings.AWAY], len(season_data.teams),
        season.competition.kind == Competition.Kind.LEAGUE, form,
        [note for note in season_data.adjustment_notes() if note[0] == name],
    )


@dataclass(frozen=True)
class StatisticLine:
    """A figure summed over the finished matches that give it, for the team and its opponents."""

    label: str
    ours: float
    theirs: float
    matches: int
    decimals: int = 0

    @property
    def total_ours(self) -> str:
        return _number(self.ours, self.decimals)

    @property
    def total_theirs(self) -> str:
        return _number(self.theirs, self.decimals)

    @property
    def per_match_ours(self) -> str:
        return _number(self.ours / self.matches, 2)

    @property
    def per_match_theirs(self) -> str:
        return _number(self.theirs / self.matches, 2)


def season_statistics(team_id: int, season_id: int) -> TeamSeasonStats | None:
    """The team's stored season totals (``matches.aggregates``): one query; None until computed."""
    return TeamSeasonStats.objects.filter(team_id=team_id, season_id=season_id).first()


def team_statistics(stats: TeamSeasonStats | None) -> dict:
    """Totals and per-match figures from the stored season row (each over the matches that give it)."""
    if stats is None or not stats.played:
        return {"lines": [], "matches": 0, "possession": None, "possession_against": None,
                "possession_matches": 0, "clean_sheets": None}

    def line(label, ours, theirs, matches, decimals=0) -> StatisticLine | None:
        if ours is None or not matches:
            return None
        return StatisticLine(label, ours, theirs or 0, matches, decimals)

    lines = [
        line("Goals", stats.goals_for, stats.goals_against, stats.played),
        line("Shots", stats.shots, stats.shots_against, stats.shots_matches),
        line("Shots on target", stats.shots_on_target, stats.shots_on_target_against, stats.shots_on_target_matches),
        line("Expected goals (xG)", stats.xg_for, stats.xg_against, stats.xg_matches, decimals=2),
    ]
    average = stats.possession if stats.possession_matches else None
    return {
        "lines": [current for current in lines if current is not None],
        "matches": stats.played,
        "possession": average,
        "possession_against": None if average is None else 100 - average,
        "possession_matches": stats.possession_matches,
        "clean_sheets": stats.clean_sheets,
    }


def chart_data(team: Team, played: list[TeamMatch], rules: standings.Rules = standings.Rules()) -> dict | None:
    """Cumulative points (from results; adjustments are the table's) and xG for and against, match by match.

    An xG point is null (a gap in the line) for a match without xG; the sums go on over the others.
    """
    finished = [match for match in played if match.finished]
    if not finished:
        return None
    zone = timezone.get_current_timezone()
    points, xg_for, xg_against = [0], [0.0], [0.0]
    labels = ["Start"]
    total_points, total_for, total_against = 0, 0.0, 0.0
    earned = {"W": rules.points_for_win, "D": rules.points_for_draw, "L": 0}
    for number, match in enumerate(finished, start=1):
        total_points += earned[match.outcome]
        points.append(total_points)
        known = match.ours.xg is not None and match.theirs.xg is not None
        if known:
            total_for += match.ours.xg
            total_against += match.theirs.xg
        xg_for.append(round(total_for, 2) if known else None)
        xg_against.append(round(total_against, 2) if known else None)
        labels.append(f"{number}. {_day(match.row['kickoff'], zone)}: {match.outcome} {match.goals_for}\N{EN DASH}"
                      f"{match.goals_against} v {match.opponent['name']} ({'H' if match.at_home else 'A'})")
    has_xg = any(value is not None for value in xg_for[1:])
    return {
        "team": team.name, "match": list(range(len(points))), "labels": labels, "points": points,
        "xg_for": xg_for if has_xg else None, "xg_against": xg_against if has_xg else None,
        "xg_matches": sum(value is not None for value in xg_for[1:]), "matches": len(finished),
    }


def csv_filename(asked: TeamRequest, table: str) -> str:
    season = asked.season
    return slugify(f"{asked.team.name} {season.competition.name} {season.name.replace('/', '-')} {table}") + ".csv"


def page_context(asked: TeamRequest) -> dict:
    """Everything the team page shows for the asked season."""
    team, season = asked.team, asked.season
    context = {"team": team, "seasons": asked.seasons, "season": season}
    if season is None:
        return context
    season_data = standings.load_season(season)
    played = season_matches(asked, season_data)
    record = season_record(team.pk, season, season_data)
    results = results_table(played, weather.forecasts_for([match.row for match in played]))  # 0-1 query
    squad = squad_table(asked, season_data)
    sort_columns = []
    for column in squad.columns:
        current = column.key == asked.sort
        descending = not asked.descending if current else column.descending_first
        sort_columns.append({
            "column": column,
            "url": query(asked.params, sort=column.key, dir="desc" if descending else "asc") + "#squad",
            "aria_sort": ("descending" if asked.descending else "ascending") if current else "",
        })
    csv_query = query(asked.params)
    context.update(
        competition_url=reverse("matches:competition", args=[season.competition_id]) + f"?season={season.pk}",
        record=record,
        record_split=[("Overall", record.overall), ("Home", record.home), ("Away", record.away)],
        results=results,
        results_headers=[{"column": column} for column in results.columns],
        results_csv_url=reverse("matches:team-results-csv", args=[team.pk]) + csv_query,
        squad=squad,
        squad_columns=sort_columns,
        squad_csv_url=reverse("matches:team-squad-csv", args=[team.pk]) + csv_query,
        statistics=team_statistics(season_statistics(team.pk, season.pk)),
        chart=chart_data(team, played, season_data.rules),
    )
    return context

