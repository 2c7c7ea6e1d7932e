"""League tables computed from results, with each competition's own rules.

The computation is pure: ``compute_table`` takes plain values (results, team names, the
rules, points adjustments) and returns ranked rows. ``load_season`` is the only part that
reads the database: three queries whatever the size of the season (its matches as value
rows, the teams in them, its points adjustments).

Ranking, as the leagues publish it:

- ``goal_difference`` (Premier League, Bundesliga, Ligue 1): points, goal difference, goals
  scored; teams still level are ranked by the points they took from each other, then by
  the away goals they scored against each other (Premier League rule C.17), then by name.
- ``head_to_head`` (La Liga, Serie A): points; teams level on points form a mini-league of
  their matches against each other, ranked by its points, then its goal difference, then
  overall goal difference, goals scored, name. The mini-league counts only once every
  one of those teams has played every other home and away (La Liga's rule; until then
  goal difference decides, as the league's own mid-season tables do).

Home-only and away-only tables count each team's home (or away) matches alone and are
ranked by points, goal difference, goals scored and name: head-to-head and adjustments
belong to the league table, not to these views.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import groupby

OVERALL, HOME, AWAY = "overall", "home", "away"
VIEWS = (OVERALL, HOME, AWAY)
GOAL_DIFFERENCE, HEAD_TO_HEAD = "goal_difference", "head_to_head"  # Competition.Tiebreak values
FORM_LENGTH = 5


@dataclass(frozen=True, slots=True)
class Result:
    """A finished match's final score."""

    match_id: int
    kickoff: dt.datetime
    home_id: int
    away_id: int
    home_goals: int
    away_goals: int
    matchday: int | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    points_for_win: int = 3
    points_for_draw: int = 1
    tiebreak: str = GOAL_DIFFERENCE

    @classmethod
    def of(cls, competition) -> Rules:
        return cls(competition.points_for_win, competition.points_for_draw, competition.tiebreak)


@dataclass(frozen=True, slots=True)
class Adjustment:
    """Points a league added (positive) or deducted (negative), and why."""

    team_id: int
    points: int
    reason: str = ""
    decided_on: dt.date | None = None
    source_url: str = ""  # where the ruling is published


@dataclass(frozen=True, slots=True)
class FormResult:
    """One match of a team's recent form, seen from that team."""

    outcome: str  # "W", "D" or "L"
    match_id: int
    kickoff: dt.datetime
    opponent_id: int
    opponent_name: str
    at_home: bool
    goals_for: int
    goals_against: int

    @property
    def summary(self) -> str:
        """'W 3-1 v Arsenal (H)'."""
        return (f"{self.outcome} {self.goals_for}-{self.goals_against} v {self.opponent_name} "
                f"({'H' if self.at_home else 'A'})")


@dataclass(slots=True)
class Row:
    team_id: int
    team_name: str
    position: int = 0
    played: int = 0
    won: int = 0
    drawn: int = 0
    lost: int = 0
    goals_for: int = 0
    goals_against: int = 0
    earned: int = 0  # points from results, before adjustments
    adjustment: int = 0
    form: list[FormResult] = field(default_factory=list)

    @property
    def goal_difference(self) -> int:
        return self.goals_for - self.goals_against

    @property
    def points(self) -> int:
        return self.earned + self.adjustment

    @property
    def form_letters(self) -> str:
        return "".join(result.outcome for result in self.form)


def compute_table(
    results: Iterable[Result],
    team_names: Mapping[int, str],
    rules: Rules = Rules(),
    adjustments: Iterable[Adjustment] = (),
    *,
    view: str = OVERALL,
    as_of: dt.datetime | None = None,
    matchday: int | None = None,
) -> list[Row]:
    """The table, ranked, one row per team in ``team_names`` (teams without a result have zeros).

    ``as_of`` counts only matches kicked off at or before it, ``matchday`` only matches of
    that matchday or earlier: the table as it stood then. Adjustments count in the overall
    view only.
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    counted = sorted(
        (result for result in results
         if (as_of is None or result.kickoff <= as_of)
         and (matchday is None or (result.matchday is not None and result.matchday <= matchday))),
        key=lambda result: (result.kickoff, result.match_id),
    )
    rows = {team_id: Row(team_id, name) for team_id, name in team_names.items()}
    win, draw = rules.points_for_win, rules.points_for_draw
    for result in counted:
        sides = []
        if view != AWAY:
            sides.append((result.home_id, result.away_id, result.home_goals, result.away_goals, True))
        if view != HOME:
            sides.append((result.away_id, result.home_id, result.away_goals, result.home_goals, False))
        for team_id, opponent_id, scored, conceded, at_home in sides:
            row = rows.get(team_id) or rows.setdefault(team_id, Row(team_id, f"Team {team_id}"))
            row.played += 1
            row.goals_for += scored
            row.goals_against += conceded
            if scored > conceded:
                row.won += 1
                row.earned += win
                outcome = "W"
            elif scored == conceded:
                row.drawn += 1
                row.earned += draw
                outcome = "D"
            else:
                row.lost += 1
                outcome = "L"
            row.form.append(FormResult(
                outcome, result.match_id, result.kickoff, opponent_id,
                team_names.get(opponent_id, f"Team {opponent_id}"), at_home, scored, conceded,
            ))
    if view == OVERALL:
        for adjustment in adjustments:
            row = rows.get(adjustment.team_id) or rows.setdefault(
                adjustment.team_id, Row(adjustment.team_id, team_names.get(adjustment.team_id, "?")))
            row.adjustment += adjustment.points
    for row in rows.values():
        del row.form[:-FORM_LENGTH]
    ranked = _rank(list(rows.values()), counted, rules, view)
    for position, row in enumerate(ranked, start=1):
        row.position = position
    return ranked


def _name_key(row: Row) -> str:
    return row.team_name.casefold()


def _rank(rows: list[Row], results: list[Result], rules: Rules, view: str) -> list[Row]:
    if view != OVERALL:
        return sorted(rows, key=lambda row: (-row.points, -row.goal_difference, -row.goals_for, _name_key(row)))
    if rules.tiebreak == HEAD_TO_HEAD:
        def level(row):
            return -row.points
    else:
        def level(row):
            return -row.points, -row.goal_difference, -row.goals_for
    ranked = []
    for _, tied in groupby(sorted(rows, key=level), key=level):
        tied = list(tied)
        if len(tied) > 1:
            tied = _break_tie(tied, results, rules)
        ranked += tied
    return ranked


@dataclass(slots=True)
class _MiniRow:
    points: int = 0
    goals_for: int = 0
    goals_against: int = 0
    away_goals: int = 0


def _break_tie(tied: list[Row], results: list[Result], rules: Rules) -> list[Row]:
    """Order teams level on the league's first criteria by their matches against each other."""
    ids = {row.team_id for row in tied}
    mini = {team_id: _MiniRow() for team_id in ids}
    pairs_played = set()
    for result in results:
        if result.home_id in ids and result.away_id in ids:
            pairs_played.add((result.home_id, result.away_id))
            home, away = mini[result.home_id], mini[result.away_id]
            home.goals_for += result.home_goals
            home.goals_against += result.away_goals
            away.goals_for += result.away_goals
            away.goals_against += result.home_goals
            away.away_goals += result.away_goals
            if result.home_goals > result.away_goals:
                home.points += rules.points_for_win
            elif result.home_goals < result.away_goals:
                away.points += rules.points_for_win
            else:
                home.points += rules.points_for_draw
                away.points += rules.points_for_draw
    if rules.tiebreak == HEAD_TO_HEAD:
        if len(pairs_played) < len(ids) * (len(ids) - 1):  # not every home and away meeting played yet
            return sorted(tied, key=lambda row: (-row.goal_difference, -row.goals_for, _name_key(row)))
        return sorted(tied, key=lambda row: (
            -mini[row.team_id].points,
            -(mini[row.team_id].goals_for - mini[row.team_id].goals_against),
            -row.goal_difference, -row.goals_for, _name_key(row),
        ))
    return sorted(tied, key=lambda row: (-mini[row.team_id].points, -mini[row.team_id].away_goals, _name_key(row)))


# Reading a season from the database: a fixed number of queries, no model instances.

MATCH_FIELDS = (
    "id", "kickoff", "round", "matchday", "status", "home_team_id", "away_team_id", "home_score", "away_score",
)


@dataclass
class SeasonData:
    """Everything a season's table and fixture list are computed from."""

    rules: Rules
    matches: list[dict]  # value rows (MATCH_FIELDS), in kick-off order
    teams: dict[int, dict]  # id -> {"id", "name", "short_name"}
    adjustments: list[Adjustment]

    @property
    def team_names(self) -> dict[int, str]:
        return {team_id: team["name"] for team_id, team in self.teams.items()}

    @property
    def results(self) -> list[Result]:
        return [
            Result(row["id"], row["kickoff"], row["home_team_id"], row["away_team_id"],
                   row["home_score"], row["away_score"], row["matchday"])
            for row in self.matches
            # A match being played counts at its current score: the live table, as fans expect it.
            if row["status"] in ("finished", "live") and row["home_score"] is not None
        ]

    def table(self, view: str = OVERALL, *, as_of: dt.datetime | None = None,
              matchday: int | None = None) -> list[Row]:
        return compute_table(self.results, self.team_names, self.rules, self.adjustments,
                             view=view, as_of=as_of, matchday=matchday)

    def adjustment_notes(self) -> list[tuple[str, int, str]]:
        """(team name, points, reason) for each adjustment, as the table's footnote lists them."""
        names = self.team_names
        return sorted(((names.get(a.team_id, "?"), a.points, a.reason) for a in self.adjustments),
                      key=lambda note: note[0].casefold())


def load_season(season) -> SeasonData:
    """A season's matches, teams and adjustments in three queries (``season.competition`` must be loaded)."""
    from django.db.models import F

    from matches.models import PointsAdjustment, Team  # standings.py stays importable without Django set up

    matches = list(season.matches.order_by("kickoff", "id").values(*MATCH_FIELDS))
    adjustments = list(PointsAdjustment.objects.filter(season=season)
                       .order_by(F("decided_on").asc(nulls_last=True), "pk")
                       .values_list("team_id", "points", "reason", "decided_on", "source_url"))
    team_ids = {row["home_team_id"] for row in matches} | {row["away_team_id"] for row in matches}
    team_ids |= {adjustment[0] for adjustment in adjustments}
    teams = {team["id"]: team for team in Team.objects.filter(pk__in=team_ids).values("id", "name", "short_name")}
    return SeasonData(
        rules=Rules.of(season.competition),
        matches=matches,
        teams=teams,
        adjustments=[Adjustment(*adjustment) for adjustment in adjustments],
    )


def season_table(season, view: str = OVERALL, *, as_of: dt.datetime | None = None) -> list[Row]:
    """The season's table as it stands (or stood at ``as_of``)."""
    return load_season(season).table(view, as_of=as_of)
