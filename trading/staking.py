"""How much each bet stakes: flat, a share of the bankroll, or full or fractional Kelly with a cap.

A stake plan is parsed from text (``flat``, ``flat:2``, ``proportional:0.02``, ``kelly:0.25``,
``kelly:0.5:0.05`` = half Kelly, at most 5% of the bankroll on one bet) and validated, so the
command, the strategy form and the stored strategy share one vocabulary.

Bets placed on the same day are sized from the bankroll as it stood that morning (none of them
is settled yet); if a day's fractions add up to more than the whole bankroll they are scaled down
to fit, so a bankroll is never staked twice over.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_KELLY_CAP = 0.1


class StakeError(ValueError):
    pass


@dataclass(frozen=True)
class StakePlan:
    kind: str  # flat | proportional | kelly
    amount: float  # flat: units per bet; proportional: share of bankroll; kelly: multiplier of full Kelly
    cap: float = DEFAULT_KELLY_CAP  # kelly only: the largest share of the bankroll on one bet

    @classmethod
    def parse(cls, text: str) -> StakePlan:
        kind, _, rest = (text or "flat").strip().lower().partition(":")
        parts = [part for part in rest.split(":") if part] if rest else []
        try:
            numbers = [float(part) for part in parts]
        except ValueError:
            raise StakeError(f"stake {text!r}: {rest!r} is not a number") from None
        if kind == "flat":
            plan = cls("flat", numbers[0] if numbers else 1.0)
            if len(numbers) > 1 or not plan.amount > 0:
                raise StakeError(f"stake {text!r}: flat takes one positive number of units, e.g. flat:1")
            return plan
        if kind == "proportional":
            if len(numbers) != 1 or not 0 < numbers[0] <= 1:
                raise StakeError(f"stake {text!r}: proportional takes a share of the bankroll in (0, 1], e.g. proportional:0.02")
            return cls("proportional", numbers[0])
        if kind == "kelly":
            fraction = numbers[0] if numbers else 1.0
            cap = numbers[1] if len(numbers) > 1 else DEFAULT_KELLY_CAP
            if len(numbers) > 2 or not 0 < fraction <= 1 or not 0 < cap <= 1:
                raise StakeError(f"stake {text!r}: kelly takes a fraction of full Kelly in (0, 1] and an optional cap "
                                 "in (0, 1], e.g. kelly:0.25 or kelly:0.5:0.05")
            return cls("kelly", fraction, cap)
        raise StakeError(f"stake {text!r}: use flat[:units], proportional:SHARE or kelly[:FRACTION[:CAP]]")

    @property
    def needs_probability(self) -> bool:
        return self.kind == "kelly"

    @property
    def label(self) -> str:
        if self.kind == "flat":
            return f"flat {self.amount:g} unit{'s' if self.amount != 1 else ''}"
        if self.kind == "proportional":
            return f"{self.amount:.1%} of the bankroll"
        share = "full" if self.amount == 1 else f"{self.amount:g}×"
        return f"{share} Kelly, at most {self.cap:.0%} a bet"

    def __str__(self):
        if self.kind == "kelly":
            return f"kelly:{self.amount:g}:{self.cap:g}"
        return f"{self.kind}:{self.amount:g}"

    def fractions(self, price: np.ndarray, probability: np.ndarray) -> np.ndarray:
        """Share of the bankroll each bet stakes (proportional, kelly); flat plans have none."""
        if self.kind == "proportional":
            return np.full(len(price), self.amount)
        if self.kind == "kelly":
            return np.clip(kelly_fraction(price, probability) * self.amount, 0.0, self.cap)
        raise StakeError("a flat stake is not a share of the bankroll")


def kelly_fraction(price, probability):
    """Full Kelly: (p × price − 1) / (price − 1), zero when the bet has no edge (or no probability)."""
    price = np.asarray(price, dtype=float)
    probability = np.asarray(probability, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = (probability * price - 1.0) / (price - 1.0)
    return np.where(np.isfinite(fraction) & (fraction > 0), fraction, 0.0)


def day_scaled(fractions: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Fractions scaled down on any day whose total is above 1 (``day`` sorted, one integer a day)."""
    totals = np.bincount(day, weights=fractions)
    scale = np.where(totals > 1.0, 1.0 / np.maximum(totals, 1e-12), 1.0)
    return fractions * scale[day]
