"""Monte Carlo of football matches, player by player, scored under a fantasy game's rules.

Pure numpy, no ORM: ``fantasy.projections`` builds the inputs from what was known before a
gameweek and stores what comes out. One simulated match, per run:

1. the score, drawn from the match model's score matrix (Poisson rates = the prediction's
   expected goals, with the model's rho correction: ``markets.ratings.score_matrix``);
2. each player's minutes: he starts with ``start``; a starter plays 60+ with ``sixty``
   (then 90, or off between 60 and 89), else leaves between 1 and 59 minutes; a player
   who does not start comes on with ``bench`` for the last 1-30 minutes. A player ruled
   out has ``start = bench = 0``;
3. each goal gets a minute (uniform over 90) and a scorer among the team's players on the
   pitch at that minute, by their per-90 xG rates (``own_goal_share`` of goals go to
   nobody: own goals, players not listed); it has an assist with ``assist_share``, given
   by the per-90 xA rates of the others on the pitch;
4. goals conceded while he is on (the opponent's goal minutes), clean sheet (60+ and none
   conceded), a goalkeeper's saves (Poisson: his saves per opponent expected goal times
   the opponent's expected goals, scaled by his minutes), yellow and red cards (Bernoulli
   at his per-90 rates, scaled by his minutes);
5. bonus: the expected bonus of his simulated involvement, from a table (position x
   goals 0/1/2+ x assists 0/1+ x clean sheet x 60+ minutes) that the caller counts from
   earlier gameweeks' lines; a BPS-rank model would need the BPS components per player,
   which the gameweek files do not give.

Then the game's rules (``fantasy.scoring``) score every simulated line at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fantasy import scoring
from markets.ratings import score_matrix

MAX_GOALS = 10
FULL_MATCH_SHARE = 0.6  # a starter past 60 minutes plays the 90 about 3 times in 5
POSITION_INDEX = {position: index for index, position in enumerate(scoring.POSITIONS)}


@dataclass
class TeamSheet:
    """One side of a match: its players' parameters as parallel arrays (one element per player)."""

    player_ids: np.ndarray  # ints
    positions: np.ndarray  # "GK", "DF", "MF", "FW"
    start: np.ndarray  # P(starts)
    sixty: np.ndarray  # P(60+ minutes | starts)
    bench: np.ndarray  # P(comes on | does not start)
    xg90: np.ndarray  # scoring weight: expected goals per 90 (shrunk)
    xa90: np.ndarray  # assisting weight: expected assists per 90 (shrunk)
    yellow90: np.ndarray
    red90: np.ndarray
    saves_per_xg: np.ndarray  # goalkeepers: saves per opponent expected goal (others: 0)
    full: np.ndarray | None = None  # P(plays the 90 | starts and plays 60+); None: FULL_MATCH_SHARE

    def __len__(self) -> int:
        return len(self.player_ids)


@dataclass
class MatchInput:
    """One match to simulate: the model's expected goals, its rho and both sides."""

    home_rate: float
    away_rate: float
    home: TeamSheet
    away: TeamSheet
    rho: float = 0.0
    match_id: int | None = None


@dataclass
class Shares:
    """League-level constants the caller measures from earlier lines (defaults: 2022/23-like)."""

    own_goal_share: float = 0.03
    assist_share: float = 0.75  # goals with an FPL assist
    bonus_table: np.ndarray | None = None  # [position, goals 0-2, assists 0-1, clean sheet, 60+] -> mean bonus


@dataclass
class PlayerOutcome:
    """A player's simulated distribution, summarised (one per player and match)."""

    player_id: int
    match_id: int | None
    points: float
    median: float
    p10: float
    p90: float
    play_probability: float
    sixty_probability: float
    minutes: float
    goals: float
    assists: float
    clean_sheet: float
    bonus: float
    samples: np.ndarray | None = None  # the simulated points, when asked for


def default_bonus_table() -> np.ndarray:
    """A rough table for when no earlier lines exist: a goal ~1.5, an assist ~0.8, a clean sheet ~0.4 (DF/GK)."""
    table = np.zeros((4, 3, 2, 2, 2))
    for position in range(4):
        for goals in range(3):
            for assists in range(2):
                for clean in range(2):
                    for sixty in range(2):
                        value = 1.4 * goals + 0.7 * assists + (0.5 if clean and position < 2 else 0) + 0.1 * sixty
                        table[position, goals, assists, clean, sixty] = min(value, 3.0)
    return table


def _draw_scores(match: MatchInput, simulations: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    matrix = score_matrix(match.home_rate, match.away_rate, match.rho, MAX_GOALS)
    cells = rng.choice(matrix.size, size=simulations, p=matrix.ravel())
    return cells // matrix.shape[1], cells % matrix.shape[1]


def _draw_minutes(sheet: TeamSheet, simulations: int, rng: np.random.Generator):
    """(minutes, on, off): per simulation and player, how long and between which minutes he plays."""
    shape = (simulations, len(sheet))
    starts = rng.random(shape) < sheet.start
    stays = rng.random(shape) < sheet.sixty
    full = rng.random(shape) < (FULL_MATCH_SHARE if sheet.full is None else sheet.full)
    late_off = np.where(full, 90, rng.integers(60, 90, size=shape))
    early_off = rng.integers(1, 60, size=shape)
    comes_on = ~starts & (rng.random(shape) < sheet.bench)
    sub_minutes = rng.integers(1, 31, size=shape)
    minutes = np.where(starts, np.where(stays, late_off, early_off), np.where(comes_on, sub_minutes, 0))
    on = np.where(starts, 0, 90 - minutes)
    off = np.where(starts, minutes, 90)
    return minutes, on, off


def _share_goals(goals: np.ndarray, weights90: np.ndarray, on: np.ndarray, off: np.ndarray, times: np.ndarray,
                 nobody_share: float, rng: np.random.Generator, exclude: np.ndarray | None = None) -> np.ndarray:
    """Give each of a team's goals (``times``, masked past ``goals``) to one player on the pitch at its minute.

    Returns (simulations, goal slot) player indices, -1 for nobody (own goal, no assist,
    unlisted player). ``exclude``: a player index per goal who cannot get it (the scorer,
    for assists).
    """
    simulations, slots = times.shape
    players = weights90.shape[0]
    if slots == 0:
        return np.full((simulations, 0), -1)
    on_pitch = (on[:, None, :] <= times[:, :, None]) & (times[:, :, None] < off[:, None, :])
    weights = on_pitch * weights90[None, None, :]
    if exclude is not None:
        weights = np.where(np.arange(players)[None, None, :] == exclude[:, :, None], 0.0, weights)
    listed = weights.sum(axis=2)
    # "Nobody" takes nobody_share of every goal; if no listed player with a rate is on, all of it.
    nobody = np.where(listed > 0, listed * nobody_share / max(1e-12, 1 - nobody_share), 1.0)
    cumulative = np.cumsum(weights, axis=2) / (listed + nobody)[:, :, None]
    draws = rng.random((simulations, slots))
    picked = (draws[:, :, None] >= cumulative).sum(axis=2)
    picked = np.where(picked >= players, -1, picked)
    slot_used = np.arange(slots)[None, :] < goals[:, None]
    return np.where(slot_used, picked, -1)


def _count(picked: np.ndarray, players: int) -> np.ndarray:
    """(simulations, slots) indices -> (simulations, players) counts (-1 ignored)."""
    counts = np.zeros((picked.shape[0], players), dtype=np.int64)
    rows, slots = np.nonzero(picked >= 0)
    np.add.at(counts, (rows, picked[rows, slots]), 1)
    return counts


def _conceded_while_on(opponent_goals: np.ndarray, opponent_times: np.ndarray, on: np.ndarray,
                       off: np.ndarray) -> np.ndarray:
    slots = opponent_times.shape[1]
    used = np.arange(slots)[None, :] < opponent_goals[:, None]
    inside = (on[:, None, :] <= opponent_times[:, :, None]) & (opponent_times[:, :, None] < off[:, None, :])
    return (inside & used[:, :, None]).sum(axis=1)


def simulate_side(sheet: TeamSheet, goals: np.ndarray, opponent_goals: np.ndarray, opponent_rate: float,
                  shares: Shares, rng: np.random.Generator, *, game: str = "fpl") -> dict[str, np.ndarray]:
    """Every player's simulated line (simulations x players arrays) and his points."""
    simulations = goals.shape[0]
    players = len(sheet)
    minutes, on, off = _draw_minutes(sheet, simulations, rng)
    slots = int(max(goals.max(initial=0), opponent_goals.max(initial=0)))
    times = rng.random((simulations, slots)) * 90
    opponent_times = rng.random((simulations, slots)) * 90
    scorers = _share_goals(goals, sheet.xg90, on, off, times, shares.own_goal_share, rng)
    assisted = (rng.random(scorers.shape) < shares.assist_share) & (scorers >= 0)
    assisters = _share_goals(goals, sheet.xa90, on, off, times, 0.0, rng, exclude=scorers)
    assisters = np.where(assisted, assisters, -1)
    scored, assists = _count(scorers, players), _count(assisters, players)
    conceded = _conceded_while_on(opponent_goals, opponent_times, on, off)
    played = minutes > 0
    share_of_match = minutes / 90
    clean = (minutes >= 60) & (conceded == 0)
    keeper = sheet.positions == "GK"
    saves = rng.poisson(np.outer(np.ones(simulations), sheet.saves_per_xg * opponent_rate) * share_of_match)
    saves = np.where(keeper[None, :], saves, 0)
    yellow = played & (rng.random((simulations, players)) < np.clip(sheet.yellow90 * share_of_match, 0, 1))
    red = played & (rng.random((simulations, players)) < np.clip(sheet.red90 * share_of_match, 0, 1))
    table = shares.bonus_table if shares.bonus_table is not None else default_bonus_table()
    position_index = np.array([POSITION_INDEX[position] for position in sheet.positions])
    bonus = np.where(played, table[position_index[None, :], np.minimum(scored, 2), np.minimum(assists, 1),
                                   clean.astype(int), (minutes >= 60).astype(int)], 0.0)
    positions = sheet.positions[None, :]  # broadcasts against (simulations, players)
    if game == "fpl":
        points = scoring.fpl_points(positions, minutes=minutes, goals=scored, assists=assists, clean_sheet=clean,
                                    goals_conceded=conceded, saves=saves, yellow_cards=yellow.astype(int),
                                    red_cards=red.astype(int), bonus=0) + bonus
    else:
        won = (goals > opponent_goals)[:, None] & np.ones((1, players), dtype=bool)
        points = scoring.draftkings_points(positions, minutes=minutes, goals=scored, assists=assists,
                                           clean_sheet=clean, goals_conceded=conceded, saves=saves,
                                           yellow_cards=yellow.astype(int), red_cards=red.astype(int), win=won)
    return {"points": points, "minutes": minutes, "goals": scored, "assists": assists, "clean_sheet": clean,
            "bonus": bonus, "conceded": conceded, "saves": saves}


def simulate_match(match: MatchInput, *, simulations: int = 4000, shares: Shares | None = None,
                   rng: np.random.Generator | None = None, game: str = "fpl",
                   keep_samples: bool = False) -> list[PlayerOutcome]:
    """Simulate one match ``simulations`` times; one summary per listed player, home side first."""
    shares = shares or Shares()
    rng = rng or np.random.default_rng()
    home_goals, away_goals = _draw_scores(match, simulations, rng)
    outcomes = []
    for sheet, goals, against, opponent_rate in ((match.home, home_goals, away_goals, match.away_rate),
                                                 (match.away, away_goals, home_goals, match.home_rate)):
        if not len(sheet):
            continue
        # Only those who may play are simulated; the others' lines are all 0 (no minutes, no points).
        active = (sheet.start > 0) | (sheet.bench > 0)
        if active.any():
            playing = _subset(sheet, active)
            lines = simulate_side(playing, goals, against, opponent_rate, shares, rng, game=game)
            outcomes.extend(summarise(playing, lines, match.match_id, keep_samples=keep_samples))
        outcomes.extend(PlayerOutcome(
            player_id=int(player_id), match_id=match.match_id, points=0.0, median=0.0, p10=0.0, p90=0.0,
            play_probability=0.0, sixty_probability=0.0, minutes=0.0, goals=0.0, assists=0.0, clean_sheet=0.0,
            bonus=0.0, samples=np.zeros(simulations) if keep_samples else None)
            for player_id in sheet.player_ids[~active])
    return outcomes


def _subset(sheet: TeamSheet, keep: np.ndarray) -> TeamSheet:
    values = {name: getattr(sheet, name) for name in sheet.__dataclass_fields__}
    return TeamSheet(**{name: None if value is None else value[keep] for name, value in values.items()})


def simulate_matches(matches: list[MatchInput], *, simulations: int = 4000, shares: Shares | None = None,
                     seed: int | None = None, game: str = "fpl") -> list[PlayerOutcome]:
    """Many matches at once (a gameweek), from one seeded generator so a run can be repeated exactly."""
    rng = np.random.default_rng(seed)
    outcomes = []
    for match in matches:
        outcomes.extend(simulate_match(match, simulations=simulations, shares=shares, rng=rng, game=game))
    return outcomes


def summarise(sheet: TeamSheet, lines: dict[str, np.ndarray], match_id: int | None, *,
              keep_samples: bool = False) -> list[PlayerOutcome]:
    points = lines["points"]
    p10, median, p90 = np.percentile(points, [10, 50, 90], axis=0)
    means = {name: lines[name].mean(axis=0) for name in ("points", "minutes", "goals", "assists", "clean_sheet",
                                                         "bonus")}
    played = (lines["minutes"] > 0).mean(axis=0)
    sixty = (lines["minutes"] >= 60).mean(axis=0)
    return [PlayerOutcome(
        player_id=int(sheet.player_ids[i]), match_id=match_id, points=float(means["points"][i]),
        median=float(median[i]), p10=float(p10[i]), p90=float(p90[i]), play_probability=float(played[i]),
        sixty_probability=float(sixty[i]), minutes=float(means["minutes"][i]), goals=float(means["goals"][i]),
        assists=float(means["assists"][i]), clean_sheet=float(means["clean_sheet"][i]),
        bonus=float(means["bonus"][i]), samples=points[:, i].copy() if keep_samples else None,
    ) for i in range(len(sheet))]
