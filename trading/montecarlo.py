"""Monte Carlo risk of a backtest: thousands of simulated seasons of the same bets, vectorised (numpy).

Two ways to draw a season:

- ``probability``: each bet wins with its own probability (the model's for a value bet, the sharp
  book's fair probability otherwise, else the price's implied probability with the margin left
  in), at its own price; a bet that was half won or half lost is drawn as won or lost at the
  probability of its line, the only approximation here.
- ``bootstrap``: the season's realised bets resampled with replacement, each with its own return
  per unit (half results and commission included), in the order of the original days.

Stakes follow the strategy: flat stakes as placed; a share of the bankroll taken from each
simulated bankroll at the start of each day. Ruin is the bankroll falling to ``ruin_level`` (0 by
default) at any point. Paths run in chunks so memory stays bounded whatever the count.
"""

from __future__ import annotations

import numpy as np

from trading.engine import BetLog, commissions, market_groups
from trading.metrics import thin
from trading.strategy import StrategySpec

PERCENTILES = (5, 25, 50, 75, 95)
CHUNK = 2000


def bet_probabilities(log: BetLog) -> np.ndarray:
    probability = np.where(np.isfinite(log.probability), log.probability, log.rows.fair)
    return np.where(np.isfinite(probability), probability, 1.0 / log.rows.price)


def simulate(log: BetLog, spec: StrategySpec, *, paths: int = 10_000, method: str = "probability", seed: int = 7,
             ruin_level: float = 0.0, band_points: int = 200) -> dict:
    """Distribution of the final bankroll, probability of ruin, drawdown percentiles, a 5-95% equity band."""
    if method not in ("probability", "bootstrap"):
        raise ValueError(f"method {method!r}: probability or bootstrap")
    n = len(log)
    start = log.start_bankroll
    if n == 0:
        return {"paths": paths, "method": method, "bets": 0}
    rng = np.random.default_rng(seed)
    plan = spec.stake_plan
    price = log.rows.price
    groups = market_groups(log.rows)
    day_index = np.unique(log.rows.day, return_inverse=True)[1]
    if plan.kind != "flat":
        fractions = np.where(log.bankroll_before > 0, log.stake / np.maximum(log.bankroll_before, 1e-12), 0.0)
    realised = log.profit / log.stake
    probability = bet_probabilities(log)
    band_index = thin(n + 1, band_points)
    finals, drawdowns, ruined, bands = [], [], [], []
    for done in range(0, paths, CHUNK):
        size = min(CHUNK, paths - done)
        if method == "probability":
            won = rng.random((size, n)) < probability
            units = np.where(won, price - 1.0, -1.0)
            charged = spec.commission > 0
        else:
            units = realised[rng.integers(0, n, size=(size, n))]
            charged = False  # the realised returns are after commission already
        if plan.kind == "flat":
            profit = log.stake * units
            if charged:
                profit -= _commissions(profit, groups, spec.commission)
            equity = start + np.concatenate([np.zeros((size, 1)), np.cumsum(profit, axis=1)], axis=1)
        else:
            equity = np.empty((size, n + 1))
            equity[:, 0] = start
            bankroll = np.full(size, start)
            for first, last in _bounds(day_index):
                stake = fractions[first:last] * np.maximum(bankroll, 0.0)[:, None]
                profit = stake * units[:, first:last]
                if charged:
                    profit -= _commissions(profit, groups[first:last] - groups[first], spec.commission)
                equity[:, first + 1:last + 1] = bankroll[:, None] + np.cumsum(profit, axis=1)
                bankroll = equity[:, last]
        peaks = np.maximum.accumulate(equity, axis=1)
        drawdowns.append((peaks - equity).max(axis=1))
        finals.append(equity[:, -1])
        ruined.append((equity <= ruin_level).any(axis=1))
        bands.append(equity[:, band_index])
    final = np.concatenate(finals)
    worst = np.concatenate(drawdowns)
    band = np.percentile(np.concatenate(bands), (5, 50, 95), axis=0)
    return {
        "paths": paths, "method": method, "bets": n, "seed": seed, "start_bankroll": start,
        "final": {str(p): float(v) for p, v in zip(PERCENTILES, np.percentile(final, PERCENTILES))},
        "final_mean": float(final.mean()),
        "profit_probability": float(np.mean(final > start)),
        "ruin_probability": float(np.mean(np.concatenate(ruined))),
        "ruin_level": ruin_level,
        "max_drawdown": {str(p): float(v) for p, v in zip((50, 90, 95, 99), np.percentile(worst, (50, 90, 95, 99)))},
        "band": {"bet": band_index.tolist(), "p5": band[0].round(4).tolist(), "p50": band[1].round(4).tolist(),
                 "p95": band[2].round(4).tolist()},
    }


def _commissions(profit: np.ndarray, groups: np.ndarray, rate: float) -> np.ndarray:
    """``engine.commissions`` for every path at once (rows are paths; each market's bets are contiguous)."""
    starts = np.flatnonzero(np.concatenate([[True], groups[1:] != groups[:-1]]))
    index = np.cumsum(np.concatenate([[False], groups[1:] != groups[:-1]]))  # market of each bet, 0..
    won = np.maximum(profit, 0.0)
    net = np.add.reduceat(profit, starts, axis=1)
    winnings = np.add.reduceat(won, starts, axis=1)
    charge = np.where(net > 0, net * rate, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(winnings[:, index] > 0, won / winnings[:, index], 0.0)
    return charge[:, index] * share


def _bounds(day_index: np.ndarray):
    starts = np.flatnonzero(np.concatenate([[True], day_index[1:] != day_index[:-1]]))
    ends = np.concatenate([starts[1:], [len(day_index)]])
    return zip(starts.tolist(), ends.tolist())
