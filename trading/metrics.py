"""The report of a bet log: what a bettor reads first, and the same per market and per competition.

ROI is profit per unit staked (profit / turnover), as the ``backtest`` command's contract prints it;
the bankroll's growth (profit / starting bankroll) is reported beside it, since with shares of the
bankroll the two differ. Drawdown is measured on the bankroll after each bet: the largest fall
from a peak, in units and as a share of that peak, and how long (bets and days) it took to get back
above the peak (or until the end, if it never did). Closing-line value compares the price taken
with the closing price of the same selection and line: ``price / close − 1`` on average, and the
share of bets whose price beat the close.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from trading.engine import BetLog

MARKET_LABELS = {"1x2": "Match result", "over_under": "Over/under", "asian_handicap": "Asian handicap"}


def _figures(stake: np.ndarray, profit: np.ndarray, price: np.ndarray, closing: np.ndarray) -> dict:
    staked = float(stake.sum())
    total = float(profit.sum())
    priced = np.isfinite(closing) & (closing > 1)
    clv = price[priced] / closing[priced] - 1.0
    return {
        "bets": int(len(stake)),
        "staked": staked,
        "profit": total,
        "roi": total / staked if staked else None,
        "hit_rate": float(np.mean(profit > 0)) if len(profit) else None,
        "average_price": float(price.mean()) if len(price) else None,
        "clv": float(clv.mean()) if len(clv) else None,
        "beat_close": float(np.mean(clv > 0)) if len(clv) else None,
        "clv_bets": int(len(clv)),
    }


def drawdown(equity: np.ndarray, days: np.ndarray | None = None) -> dict:
    """Largest fall from a peak of ``equity`` (bankroll after each bet, the start first)."""
    if len(equity) < 2:
        return {"max_drawdown": 0.0, "max_drawdown_share": 0.0, "drawdown_bets": 0, "drawdown_days": 0}
    peaks = np.maximum.accumulate(equity)
    falls = peaks - equity
    bottom = int(np.argmax(falls))
    peak_at = int(np.flatnonzero(equity[: bottom + 1] == peaks[bottom])[0])
    recovered = np.flatnonzero(equity[bottom:] >= peaks[bottom])
    end = bottom + int(recovered[0]) if len(recovered) else len(equity) - 1
    span_days = 0
    if days is not None and falls[bottom] > 0:
        # equity[i] is after bet i-1; day of equity[0] is the first bet's day
        day_of = np.concatenate([[days[0]], days])
        span_days = int(day_of[end] - day_of[peak_at])
    return {"max_drawdown": float(falls[bottom]),
            "max_drawdown_share": float(falls[bottom] / peaks[bottom]) if peaks[bottom] > 0 else None,
            "drawdown_bets": end - peak_at if falls[bottom] > 0 else 0, "drawdown_days": span_days}


def longest_losing_run(profit: np.ndarray) -> int:
    longest = current = 0
    for value in profit < 0:
        current = current + 1 if value else 0
        longest = max(longest, current)
    return longest


def _day_label(day: int) -> str:
    return (dt.date(1970, 1, 1) + dt.timedelta(days=int(day))).isoformat()


def report(log: BetLog, *, competition_names: dict[int, str] | None = None) -> dict:
    """Every figure of the report as plain numbers (stored as JSON, printed by the command)."""
    rows = log.rows
    profit = log.profit
    equity = log.start_bankroll + np.concatenate([[0.0], np.cumsum(profit)])
    figures = _figures(log.stake, profit, rows.price, rows.closing)
    figures.update(drawdown(equity, rows.day))
    figures.update({
        "start_bankroll": log.start_bankroll,
        "final_bankroll": float(equity[-1]),
        "growth": float(equity[-1] / log.start_bankroll - 1.0),
        "commission": float(log.commission.sum()),
        "longest_losing_run": longest_losing_run(profit),
        "first_day": _day_label(rows.day[0]) if len(rows) else None,
        "last_day": _day_label(rows.day[-1]) if len(rows) else None,
    })
    months = np.array([_day_label(day)[:7] for day in rows.day])
    figures["months"] = [
        {"month": month, **_figures(log.stake[months == month], profit[months == month],
                                    rows.price[months == month], rows.closing[months == month])}
        for month in dict.fromkeys(months.tolist())]
    figures["markets"] = [
        {"market": market, "label": MARKET_LABELS.get(market, market),
         **_figures(log.stake[rows.market == market], profit[rows.market == market],
                    rows.price[rows.market == market], rows.closing[rows.market == market])}
        for market in dict.fromkeys(rows.market.tolist())]
    names = competition_names or {}
    figures["competitions"] = [
        {"competition_id": int(cid), "name": names.get(int(cid), str(cid)),
         **_figures(log.stake[rows.competition_id == cid], profit[rows.competition_id == cid],
                    rows.price[rows.competition_id == cid], rows.closing[rows.competition_id == cid])}
        for cid in dict.fromkeys(rows.competition_id.tolist())]
    return figures


def equity_curve(log: BetLog, *, points: int = 400) -> list[list]:
    """[day, bankroll] after each bet (the start first), thinned to about ``points`` for a chart."""
    rows = log.rows
    equity = log.start_bankroll + np.concatenate([[0.0], np.cumsum(log.profit)])
    days = np.concatenate([[rows.day[0]], rows.day]) if len(rows) else np.array([0])
    index = thin(len(equity), points)
    return [[_day_label(days[i]), round(float(equity[i]), 4)] for i in index]


def thin(count: int, points: int) -> np.ndarray:
    """About ``points`` indexes spread over ``count``, always keeping the first and the last."""
    if count <= points:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, points).round().astype(int))
