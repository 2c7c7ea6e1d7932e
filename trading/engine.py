"""The backtest itself, on arrays: which priced selections a strategy backs, the stakes, the profits.

``Candidates`` holds every selection a strategy could have backed, one row per match, market,
line and selection, with what was known at bet time (the price taken, the opening price, our
model's probability, the sharp book's fair probability) and what was learned after it (the
closing price, the settlement from the final score). ``trading.data`` fills it from the
database; the benchmark and the tests fill it directly. A rule reads only the bet-time columns;
the closing price is used for closing-line value and never to choose a bet.

``run`` walks the bets in kick-off order. Flat stakes need no bankroll; a share of the bankroll
(proportional, Kelly) is taken from the bankroll as it stood at the start of the bet's day.
Commission is charged on each market's net winnings (match and market: backing home and draw in
one match is one market), as exchanges charge it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np

from trading.settlement import unit_profits
from trading.staking import day_scaled
from trading.strategy import StrategySpec

NO_PROBABILITY = np.nan


@dataclass
class Candidates:
    match_id: np.ndarray  # int
    day: np.ndarray  # int: days since 1970-01-01 of the kick-off (UTC)
    kickoff: np.ndarray  # datetime64[s]
    competition_id: np.ndarray
    season_id: np.ndarray
    market: np.ndarray  # str: 1x2 | over_under | asian_handicap
    selection: np.ndarray  # str: home | draw | away | over | under
    line: np.ndarray  # float
    price: np.ndarray  # the price taken, at bet time
    bookmaker: np.ndarray  # str: whose price it is
    opening: np.ndarray  # the same bookmaker's opening price (nan if none)
    closing: np.ndarray  # the closing price of the same selection and line (nan if none): after the bet
    model: np.ndarray  # our model's probability (nan if none)
    fair: np.ndarray  # the sharp book's fair probability at bet time (nan if none)
    favourite_rank: np.ndarray  # 1X2: 0 for the shortest price of the book, 2 for the longest; -1 otherwise
    win: np.ndarray  # settlement shares, after the match
    void: np.ndarray
    lose: np.ndarray

    def __len__(self):
        return len(self.match_id)

    def take(self, index) -> Candidates:
        return Candidates(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def from_rows(cls, rows: list[dict]) -> Candidates:
        """From dicts with the field names (tests, benchmark); sorted by kick-off, match, market."""
        defaults = {"opening": np.nan, "closing": np.nan, "model": np.nan, "fair": np.nan, "favourite_rank": -1,
                    "competition_id": 0, "season_id": 0, "bookmaker": "", "void": 0.0, "line": 0.0}
        rows = [{**defaults, **row} for row in rows]
        for row in rows:
            row.setdefault("kickoff", np.datetime64(row["day"] * 86400, "s") if "day" in row else None)
            row.setdefault("day", int(np.datetime64(row["kickoff"], "D").astype(int)))
            row.setdefault("lose", 1.0 - row["win"] - row["void"])
        rows.sort(key=lambda row: (row["kickoff"], row["match_id"], row["market"]))
        return cls(**{f.name: np.array([row[f.name] for row in rows]) for f in fields(cls)}) if rows else cls.empty()

    @classmethod
    def empty(cls) -> Candidates:
        kinds = {"market": str, "selection": str, "bookmaker": str, "kickoff": "datetime64[s]"}
        ints = {"match_id", "day", "competition_id", "season_id", "favourite_rank"}
        return cls(**{f.name: np.array([], dtype=kinds.get(f.name, int if f.name in ints else float))
                      for f in fields(cls)})


def select(candidates: Candidates, spec: StrategySpec) -> tuple[np.ndarray, np.ndarray]:
    """The rows the strategy backs (a boolean mask), and the probability it stakes on (nan if none)."""
    c = candidates
    in_range = (c.price >= spec.min_price) & (c.price <= spec.max_price) & np.isfinite(c.price)
    probability = np.full(len(c), NO_PROBABILITY)
    if spec.rule == "back":
        market, selection, line = spec.simple_target()
        mask = (c.market == market) & (c.selection == selection)
        if line is not None:
            mask &= np.isclose(c.line, line)
        probability = c.model
    elif spec.rule == "value":
        mask = np.isin(c.market, spec.markets) & (c.model * c.price > 1.0 + spec.edge)
        probability = c.model
    elif spec.rule == "closing_line":
        mask = np.isin(c.market, spec.markets) & (c.fair * c.price > 1.0 + spec.edge)
        probability = c.fair
    elif spec.rule == "favourite_longshot":
        mask = (c.market == "1x2") & (c.favourite_rank == (0 if spec.side == "favourite" else 2))
    elif spec.rule == "market_move":
        mask = (np.isin(c.market, spec.markets) & np.isfinite(c.opening)
                & (c.price <= c.opening * (1.0 - spec.move)))
    else:  # validated before
        raise AssertionError(spec.rule)
    return mask & in_range, probability


@dataclass
class BetLog:
    """The bets a backtest placed, in kick-off order, with their stakes and profits (arrays)."""

    rows: Candidates
    probability: np.ndarray
    stake: np.ndarray
    gross: np.ndarray  # profit before commission
    commission: np.ndarray
    bankroll_before: np.ndarray  # the bankroll that morning (what shares of it were taken from)
    start_bankroll: float

    @property
    def profit(self) -> np.ndarray:
        return self.gross - self.commission

    def __len__(self):
        return len(self.stake)


def market_groups(rows: Candidates) -> np.ndarray:
    """One integer per (match, market) in the order of the rows (which keeps each market's bets together)."""
    if not len(rows):
        return np.array([], dtype=int)
    key = np.char.add(rows.match_id.astype(str), np.char.add("|", rows.market.astype(str)))
    change = np.concatenate([[True], key[1:] != key[:-1]])
    return np.cumsum(change) - 1


def commissions(gross: np.ndarray, groups: np.ndarray, rate: float) -> np.ndarray:
    """Each bet's share of its market's commission (the net winnings' charge, shared among winning bets)."""
    if rate == 0 or not len(gross):
        return np.zeros_like(gross)
    net = np.bincount(groups, weights=gross)
    charge = np.where(net > 0, net * rate, 0.0)
    winnings = np.bincount(groups, weights=np.maximum(gross, 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(winnings[groups] > 0, np.maximum(gross, 0.0) / winnings[groups], 0.0)
    return charge[groups] * share


def run(candidates: Candidates, spec: StrategySpec) -> BetLog:
    """Backtest ``spec`` on the candidates: every bet with its stake and profit."""
    mask, probability = select(candidates, spec)
    rows = candidates.take(np.flatnonzero(mask))
    probability = probability[mask]
    return stake_and_settle(rows, probability, spec)


def stake_and_settle(rows: Candidates, probability: np.ndarray, spec: StrategySpec) -> BetLog:
    plan = spec.stake_plan
    units = unit_profits(rows.price, rows.win, rows.lose)
    groups = market_groups(rows)
    start = spec.bankroll
    if plan.kind == "flat":
        stake = np.full(len(rows), plan.amount)
        gross = stake * units
        charge = commissions(gross, groups, spec.commission)
        before = start + _cumulative_before_day(gross - charge, rows.day)
        return BetLog(rows, probability, stake, gross, charge, before, start)
    fractions = plan.fractions(rows.price, probability)
    if len(rows):
        fractions = day_scaled(fractions, np.unique(rows.day, return_inverse=True)[1])
    stake = np.zeros(len(rows))
    gross = np.zeros(len(rows))
    charge = np.zeros(len(rows))
    before = np.zeros(len(rows))
    bankroll = start
    for first, last in _day_bounds(rows.day):
        day = slice(first, last)
        before[day] = bankroll
        stake[day] = fractions[day] * max(bankroll, 0.0)
        gross[day] = stake[day] * units[day]
        charge[day] = commissions(gross[day], groups[day] - groups[first], spec.commission)
        bankroll += float(np.sum(gross[day] - charge[day]))
    keep = stake > 0  # Kelly stakes nothing on a bet without an edge
    if not keep.all():
        index = np.flatnonzero(keep)
        return BetLog(rows.take(index), probability[index], stake[index], gross[index], charge[index],
                      before[index], start)
    return BetLog(rows, probability, stake, gross, charge, before, start)


def _day_bounds(day: np.ndarray) -> list[tuple[int, int]]:
    if not len(day):
        return []
    starts = np.flatnonzero(np.concatenate([[True], day[1:] != day[:-1]]))
    ends = np.concatenate([starts[1:], [len(day)]])
    return list(zip(starts.tolist(), ends.tolist()))


def _cumulative_before_day(profit: np.ndarray, day: np.ndarray) -> np.ndarray:
    """For each bet, the profit settled on the days before its own."""
    if not len(profit):
        return profit
    cumulative = np.concatenate([[0.0], np.cumsum(profit)])
    first_of_day = np.searchsorted(day, day, side="left")
    return cumulative[first_of_day]
