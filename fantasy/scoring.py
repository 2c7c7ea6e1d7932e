"""The games' scoring rules as data, and the points a player's match line is worth under them.

One table per game, so the simulator (``fantasy.simulation``) and a check against the
game's own points read the same numbers. Every function works on scalars and on numpy
arrays alike (one line, or thousands of simulated lines at once).

Fantasy Premier League, 2023/24 (``../shared/data/PROVENANCE.md``, FPL's "Rules"): these
rules give exactly ``total_points`` for every one of the 29,725 player rows of 2023/24
(``fantasy/tests/test_scoring.py`` checks it on the imported season).

DraftKings soccer classic (8 players: GK, 2 D, 2 M, 2 F, UTIL), the points per stat as
DraftKings published them when it moved to Opta ("Soccer scoring and roster updates",
https://www.draftkings.com/playbook/soc/soc-product-updates), with crosses cut from 1 to
0.75 when the classic roster went back to 8 players (RotoWire, "New DraftKings Soccer
Scoring Rules", https://www.rotowire.com/blog/post.php?id=12731, June 2016). Our data has
no crosses, tackles, fouls, shots or interceptions per player, so a DraftKings projection
from our simulation counts what we simulate (goals, assists, clean sheets, goals
conceded, saves, cards, a goalkeeper's win); the other stats count when a line carries
them (an upload or a richer provider).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

POSITIONS = ("GK", "DF", "MF", "FW")  # players.Player.Position values


@dataclass(frozen=True)
class FplRules:
    """FPL's points per event; per-position tables are keyed by ``POSITIONS``."""

    appearance: int = 1  # 1-59 minutes
    appearance_60: int = 2  # 60+ minutes (instead of 1)
    goal: dict = field(default_factory=lambda: {"GK": 6, "DF": 6, "MF": 5, "FW": 4})
    assist: int = 3
    clean_sheet: dict = field(default_factory=lambda: {"GK": 4, "DF": 4, "MF": 1, "FW": 0})
    clean_sheet_minutes: int = 60
    saves_per_point: int = 3
    penalty_saved: int = 5
    penalty_missed: int = -2
    goals_conceded_per_point: int = 2  # every 2 conceded: -1 (GK and DF only)
    conceded_positions: frozenset = frozenset({"GK", "DF"})
    yellow_card: int = -1
    red_card: int = -3
    own_goal: int = -2
    bonus_max: int = 3


FPL = FplRules()


@dataclass(frozen=True)
class DraftKingsRules:
    """DraftKings soccer classic points per stat (sources in the module docstring)."""

    goal: float = 10
    assist: float = 6
    shot: float = 1
    shot_on_goal: float = 1
    cross: float = 0.75
    foul_drawn: float = 1
    foul_conceded: float = -0.5
    tackle_won: float = 1
    interception: float = 0.5  # D, M and F only
    yellow_card: float = -1
    red_card: float = -3
    penalty_missed: float = -5
    save: float = 2  # GK
    goal_conceded: float = -2  # GK
    clean_sheet: dict = field(default_factory=lambda: {"GK": 5, "DF": 3, "MF": 0, "FW": 0})
    clean_sheet_minutes: int = 60  # GK and D must play 60+ minutes
    win: float = 5  # GK, 60+ minutes
    penalty_saved: float = 3  # GK


DRAFTKINGS = DraftKingsRules()


def _per_position(table: dict, position) -> np.ndarray | float:
    """The table's value for each position (one string, or an array of them)."""
    if isinstance(position, str):
        return table[position]
    position = np.asarray(position)
    uniques, inverse = np.unique(position, return_inverse=True)
    return np.array([table[value] for value in uniques], dtype=float)[inverse].reshape(position.shape)


def fpl_points(position, *, minutes, goals=0, assists=0, clean_sheet=None, goals_conceded=0, saves=0,
               penalties_saved=0, penalties_missed=0, yellow_cards=0, red_cards=0, own_goals=0, bonus=0,
               rules: FplRules = FPL):
    """FPL points of a match line. ``clean_sheet`` None: from minutes (60+) and goals conceded (0).

    Goals conceded count against GK and DF only, while they were on the pitch (as FPL's
    ``goals_conceded`` column gives them). A card counts without minutes: an unused
    substitute booked on the bench loses the point (four rows of 2023/24). Arrays broadcast: a simulation passes one
    element per simulated match.
    """
    minutes = np.asarray(minutes)
    played = minutes > 0
    appearance = np.where(minutes >= 60, rules.appearance_60, np.where(played, rules.appearance, 0))
    if clean_sheet is None:
        clean_sheet = (minutes >= rules.clean_sheet_minutes) & (np.asarray(goals_conceded) == 0)
    conceding = (np.isin(position, list(rules.conceded_positions)) if not isinstance(position, str)
                 else position in rules.conceded_positions)
    points = (appearance
              + _per_position(rules.goal, position) * np.asarray(goals)
              + rules.assist * np.asarray(assists)
              + _per_position(rules.clean_sheet, position) * np.asarray(clean_sheet, dtype=float)
              + np.asarray(saves) // rules.saves_per_point
              + rules.penalty_saved * np.asarray(penalties_saved)
              + rules.penalty_missed * np.asarray(penalties_missed)
              - conceding * (np.asarray(goals_conceded) // rules.goals_conceded_per_point)
              + rules.yellow_card * np.asarray(yellow_cards)
              + rules.red_card * np.asarray(red_cards)
              + rules.own_goal * np.asarray(own_goals)
              + np.asarray(bonus))
    return points.item() if points.ndim == 0 else points


def draftkings_points(position, *, minutes, goals=0, assists=0, shots=0, shots_on_goal=0, crosses=0,
                      fouls_drawn=0, fouls_conceded=0, tackles_won=0, interceptions=0, yellow_cards=0,
                      red_cards=0, penalties_missed=0, saves=0, goals_conceded=0, clean_sheet=None, win=False,
                      penalties_saved=0, rules: DraftKingsRules = DRAFTKINGS):
    """DraftKings soccer classic points of a match line (GK-only stats count for goalkeepers only)."""
    minutes = np.asarray(minutes)
    keeper = (np.asarray(position) == "GK") if not isinstance(position, str) else position == "GK"
    if clean_sheet is None:
        clean_sheet = (minutes >= rules.clean_sheet_minutes) & (np.asarray(goals_conceded) == 0)
    else:
        clean_sheet = np.asarray(clean_sheet, dtype=bool) & (minutes >= rules.clean_sheet_minutes)
    points = (rules.goal * np.asarray(goals) + rules.assist * np.asarray(assists)
              + rules.shot * np.asarray(shots) + rules.shot_on_goal * np.asarray(shots_on_goal)
              + rules.cross * np.asarray(crosses) + rules.foul_drawn * np.asarray(fouls_drawn)
              + rules.foul_conceded * np.asarray(fouls_conceded) + rules.tackle_won * np.asarray(tackles_won)
              + np.where(keeper, 0, rules.interception * np.asarray(interceptions))
              + rules.yellow_card * np.asarray(yellow_cards) + rules.red_card * np.asarray(red_cards)
              + rules.penalty_missed * np.asarray(penalties_missed)
              + _per_position(rules.clean_sheet, position) * clean_sheet
              + keeper * (rules.save * np.asarray(saves) + rules.goal_conceded * np.asarray(goals_conceded)
                          + rules.penalty_saved * np.asarray(penalties_saved)
                          + rules.win * (np.asarray(win, dtype=bool) & (minutes >= 60))))
    return points.item() if points.ndim == 0 else points
