"""How a bet settles, from the final score: 1X2, over/under and Asian handicap, quarter lines included.

A settlement is the share of the stake that wins, that is void (returned) and that loses; the
three add up to one. A quarter line (−0.75, 2.25 …) is two bets of half the stake on the
neighbouring half and whole lines (−0.5 and −1; 2 and 2.5), which is how every Asian book
settles it: home −0.75 winning by one goal is half won (−0.5 wins) and half void (−1 pushes).

Profit per unit staked is ``win × (price − 1) − lose``; the void share comes back. Exchanges
charge commission on a market's net winnings (``commission_on``), never on a loss.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import numpy as np

MATCH_ODDS, OVER_UNDER, ASIAN_HANDICAP = "1x2", "over_under", "asian_handicap"
SELECTIONS = {MATCH_ODDS: ("home", "draw", "away"), OVER_UNDER: ("over", "under"), ASIAN_HANDICAP: ("home", "away")}


class SettlementError(ValueError):
    pass


@dataclass(frozen=True)
class Settlement:
    win: float
    void: float
    lose: float

    @property
    def label(self) -> str:
        """won, half won, void, half lost or lost (a whole-line push is void)."""
        if self.win == 1:
            return "won"
        if self.lose == 1:
            return "lost"
        if self.void == 1:
            return "void"
        return "half won" if self.win > 0 else "half lost"

    def profit(self, stake: float, price: float) -> float:
        return stake * (self.win * (price - 1) - self.lose)


def _whole_or_half(margin: float) -> Settlement:
    """A bet on a whole or half line, by the goals it is ahead of the line."""
    if margin > 0:
        return Settlement(1.0, 0.0, 0.0)
    if margin < 0:
        return Settlement(0.0, 0.0, 1.0)
    return Settlement(0.0, 1.0, 0.0)


def split_line(line: float | Decimal) -> tuple[float, ...]:
    """A quarter line as its two halves (−0.75 -> −0.5, −1.0); any other line as itself."""
    quarters = float(line) * 4
    if quarters != round(quarters):
        raise SettlementError(f"line {line} is not a multiple of 0.25")
    if round(quarters) % 2 == 0:  # whole or half line
        return (float(line),)
    return (float(line) - 0.25, float(line) + 0.25)


def _over_lines(margin_of: float, line: float | Decimal) -> Settlement:
    halves = [_whole_or_half(margin_of - part) for part in split_line(line)]
    share = 1 / len(halves)
    return Settlement(sum(h.win for h in halves) * share, sum(h.void for h in halves) * share,
                      sum(h.lose for h in halves) * share)


def settle(market: str, selection: str, line: float | Decimal, home_goals: int, away_goals: int) -> Settlement:
    """The settlement of one bet on a finished match (90 minutes and added time, as the markets settle)."""
    if market == MATCH_ODDS:
        winner = "home" if home_goals > away_goals else "away" if away_goals > home_goals else "draw"
        if selection not in SELECTIONS[market]:
            raise SettlementError(f"unknown 1X2 selection {selection!r}")
        return Settlement(1.0, 0.0, 0.0) if selection == winner else Settlement(0.0, 0.0, 1.0)
    if market == OVER_UNDER:
        total = home_goals + away_goals
        if selection == "over":
            return _over_lines(total, line)
        if selection == "under":
            return _over_lines(-total, -float(line))
        raise SettlementError(f"unknown over/under selection {selection!r}")
    if market == ASIAN_HANDICAP:  # ``line`` is the home side's handicap; the away side gets its negative
        if selection == "home":
            return _over_lines(home_goals - away_goals, -float(line))
        if selection == "away":
            return _over_lines(away_goals - home_goals, float(line))
        raise SettlementError(f"unknown Asian handicap selection {selection!r}")
    raise SettlementError(f"unknown market {market!r}")


def unit_profits(price: np.ndarray, win: np.ndarray, lose: np.ndarray) -> np.ndarray:
    """Profit per unit staked for arrays of bets (vectorised ``Settlement.profit``)."""
    return win * (price - 1.0) - lose


def commission_on(net: float, commission: float) -> float:
    """An exchange's charge on one market's net result: a share of net winnings, nothing on a loss."""
    return net * commission if net > 0 else 0.0
