"""The player page's two tables, seasons and match log, as the page and its CSV files show them.

A table is columns and rows of cells. The page renders each cell's text (with a link
where it has one) and the CSV writes the same texts, so the two can never disagree:
same rows, same order, same columns, same numbers. Unknown values are empty in both.
Pure: model rows in, cells out; no queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from matches.models import Match
from matches.tables import Column
from players.aggregates import MatchLine
from players.models import PlayerSeasonStats
from quantfoot import params as read


@dataclass(frozen=True)
class Cell:
    text: str
    href: str = ""
    sort: Any = None  # None sorts last whichever the direction
    numeric: bool = False
    when: dt.datetime | None = None  # the page wraps text in {% local_time %}: rewritten in the reader's zone


@dataclass
class Table:
    name: str  # "seasons" or "matches": the query parameters' prefix and the CSV's name
    caption: str
    columns: tuple[Column, ...]
    rows: list[list[Cell]] = field(default_factory=list)
    sort: str = ""
    descending: bool = False

    def sorted_by(self, params: Mapping[str, str]) -> Table:
        """The rows in the order ``<name>_sort`` and ``<name>_dir`` ask for (default order otherwise)."""
        names = {"name": f"{self.name}_sort", "direction": f"{self.name}_dir"}
        if read.raw(params, names["name"]) is None:
            read.choice(params, names["direction"], ("asc", "desc"))  # a bad one is still a bad link
            return self
        keys = [column.key for column in self.columns]
        sort, descending = read.sort(
            params, {column.key: column.descending_first for column in self.columns if column.sortable}, "", **names)
        index = keys.index(sort)
        known = [row for row in self.rows if row[index].sort is not None]
        unknown = [row for row in self.rows if row[index].sort is None]
        known.sort(key=lambda row: row[index].sort, reverse=descending)
        self.rows, self.sort, self.descending = known + unknown, sort, descending
        return self

    def csv_rows(self) -> list[list[str]]:
        return [[column.title for column in self.columns]] + [[cell.text for cell in row] for row in self.rows]


def number(value: int | float | None, decimals: int = 0) -> Cell:
    if value is None:
        return Cell("", numeric=True)
    return Cell(f"{value:.{decimals}f}" if decimals else str(value), sort=value, numeric=True)


def text(value: str, href: str = "", sort: Any = None) -> Cell:
    return Cell(value, href, value.casefold() if sort is None else sort)


# Seasons

SEASON_COLUMNS = (
    Column("season", "Season", "Season", numeric=False),
    Column("competition", "Comp", "Competition", numeric=False, descending_first=False),
    Column("team", "Team", "Team", numeric=False, descending_first=False),
    Column("appearances", "MP", "Matches played"),
    Column("starts", "Starts", "Starts"),
    Column("minutes", "Min", "Minutes"),
    Column("goals", "Gls", "Goals"),
    Column("assists", "Ast", "Assists"),
    Column("penalty_goals", "PK", "Penalties scored"),
    Column("penalty_attempts", "PKatt", "Penalties taken"),
    Column("shots", "Sh", "Shots"),
    Column("shots_on_target", "SoT", "Shots on target"),
    Column("xg", "xG", "Expected goals"),
    Column("yellow_cards", "CrdY", "Yellow cards"),
    Column("red_cards", "CrdR", "Red cards"),
    Column("goals_per_90", "Gls/90", "Goals per 90 minutes"),
    Column("assists_per_90", "Ast/90", "Assists per 90 minutes"),
    Column("shots_per_90", "Sh/90", "Shots per 90 minutes"),
    Column("xg_per_90", "xG/90", "Expected goals per 90 minutes"),
)
# Figures only events give (shots, penalties); a season known from FPL's lines alone leaves them empty.
SHOT_FIGURES = frozenset({"shots", "shots_on_target", "penalty_goals", "penalty_attempts", "shots_per_90"})
DECIMALS = {"xg": 2, "xa": 2, "goals_per_90": 2, "assists_per_90": 2, "shots_per_90": 2, "xg_per_90": 2}
# Figures only some sources give (FPL's match lines): a column appears, after xG, when a row has it.
SEASON_EXTRAS = (
    Column("xa", "xA", "Expected assists"),
    Column("clean_sheets", "CS", "Clean sheets"),
    Column("goals_conceded", "GA", "Goals conceded while on the pitch"),
    Column("saves", "Saves", "Saves"),
)
MATCH_EXTRAS = (
    Column("rating", "Rating", "Player rating (0-10, from the match events)"),
    Column("xa", "xA", "Expected assists"),
    Column("clean_sheet", "CS", "Clean sheet"),
    Column("saves", "Saves", "Saves"),
)


def with_extras(columns: tuple[Column, ...], extras: tuple[Column, ...], rows: list) -> tuple[Column, ...]:
    """``columns`` with the extras some row gives a value for, placed after xG."""
    shown = tuple(column for column in extras if any(getattr(row, column.key) is not None for row in rows))
    at = [column.key for column in columns].index("xg") + 1
    return columns[:at] + shown + columns[at:]


def season_table(stats: list[PlayerSeasonStats], *, player_url: str) -> Table:
    """One row per season and team, latest first; ``stats`` with season, competition and team loaded."""
    columns = with_extras(SEASON_COLUMNS, SEASON_EXTRAS, stats)
    table = Table("seasons", "Season statistics", columns)
    for row in stats:
        competition = row.season.competition
        cells = {
            "season": text(row.season.name, f"{player_url}?season={row.season_id}#matches",
                           sort=(row.season.name, competition.name.casefold())),
            "competition": text(competition.name, f"{competition.get_absolute_url()}?season={row.season_id}"),
            "team": text(row.team.display_name, row.team.get_absolute_url()),
        }
        for column in columns[3:]:
            if column.key in SHOT_FIGURES and row.appearances and not row.shots_matches:
                cells[column.key] = number(None)  # no source of his matches counts shots (FPL): unknown, not 0
            else:
                cells[column.key] = number(getattr(row, column.key), DECIMALS.get(column.key, 0))
        table.rows.append([cells[column.key] for column in columns])
    return table


# Match log

MATCH_COLUMNS = (  # on a phone the date stays put and the opponent and result come first
    Column("date", "Date", "Date", numeric=False),
    Column("opponent", "Opponent", "Opponent", numeric=False, descending_first=False),
    Column("result", "Result", "Result", numeric=False),
    Column("venue", "Venue", "Home or away", numeric=False, descending_first=False),
    Column("started", "Start", "Started", numeric=False),
    Column("minutes", "Min", "Minutes"),
    Column("goals", "Gls", "Goals"),
    Column("assists", "Ast", "Assists"),
    Column("shots", "Sh", "Shots"),
    Column("shots_on_target", "SoT", "Shots on target"),
    Column("xg", "xG", "Expected goals"),
    Column("yellow_cards", "CrdY", "Yellow cards"),
    Column("red_cards", "CrdR", "Red cards"),
    Column("team", "Team", "Team", numeric=False, descending_first=False),
    Column("competition", "Comp", "Competition", numeric=False, descending_first=False),
)
RESULT_ORDER = {"W": 2, "D": 1, "L": 0}


def local_date(kickoff: dt.datetime) -> dt.date:
    return timezone.localtime(kickoff).date()


def result_of(match: Match, team_id: int | None) -> tuple[str, str]:
    """("W", "W 3–0") from the team's side: its goals first; a shoot-out in brackets.

    An en dash, not a hyphen, so that a spreadsheet does not read "3-0" as a date.
    """
    home = team_id == match.home_team_id
    ours, theirs = (match.home_score, match.away_score) if home else (match.away_score, match.home_score)
    if ours is None or theirs is None:
        return "", ""
    outcome = "W" if ours > theirs else "L" if ours < theirs else "D"
    score = f"{ours}–{theirs}"
    if match.home_penalty_score is not None and match.away_penalty_score is not None:
        pens = (match.home_penalty_score, match.away_penalty_score) if home else (
            match.away_penalty_score, match.home_penalty_score)
        score += f" ({pens[0]}–{pens[1]} pens)"
    return outcome, f"{outcome} {score}"


def match_table(log: list[tuple[Match, MatchLine]]) -> Table:
    """One row per appearance, latest first; ``log`` with competition and teams loaded."""
    columns = with_extras(MATCH_COLUMNS, MATCH_EXTRAS, [line for _, line in log])
    table = Table("matches", "Match log", columns)
    for match, line in log:
        home = line.team_id == match.home_team_id
        team, opponent = (match.home_team, match.away_team) if home else (match.away_team, match.home_team)
        outcome, result = result_of(match, line.team_id)
        date = local_date(match.kickoff)
        cells = {
            "date": Cell(date.isoformat(), sort=(match.kickoff, match.pk), when=match.kickoff),
            "competition": text(match.competition.name, match.competition.get_absolute_url()),
            "venue": text("Home" if home else "Away"),
            "team": text(team.display_name, team.get_absolute_url()),
            "opponent": text(opponent.display_name, opponent.get_absolute_url()),
            "result": Cell(result, match.get_absolute_url(),
                           sort=(RESULT_ORDER[outcome], _margin(match, home)) if outcome else None),
            "started": text("Yes" if line.started else "No") if (line.in_lineup or line.stored) and not line.start_unknown else Cell(""),
            "minutes": number(line.minutes),
            "goals": number(line.goals),
            "assists": number(line.assists),
            "shots": number(line.shots if line.shots_known else None),
            "shots_on_target": number(line.shots_on_target if line.shots_known else None),
            "xg": number(line.xg, 2),
            "yellow_cards": number(line.yellow_cards),
            "red_cards": number(line.red_cards),
            "xa": number(line.xa, 2),
            "clean_sheet": Cell("") if line.clean_sheet is None else text("Yes" if line.clean_sheet else "No"),
            "saves": number(line.saves),
            "rating": number(line.rating, 1),
        }
        table.rows.append([cells[column.key] for column in columns])
    return table


def _margin(match: Match, home: bool) -> int:
    margin = match.home_score - match.away_score
    return margin if home else -margin
