"""Bookmaker margin removal: decimal odds of one book in, fair probabilities out (pure).

A bookmaker's book (the prices of every outcome of one market, e.g. home/draw/away) has
implied probabilities ``π_i = 1 / o_i`` that add up to more than 1; the excess is the
overround, the bookmaker's margin. Each method below is a different assumption about how
the margin was spread over the outcomes, and removes it accordingly so that the
probabilities add up to exactly 1:

- ``multiplicative`` (basic normalisation): in proportion to each price.
- ``additive``: the same amount from every outcome.
- ``power``: a common exponent, which loads more of the margin onto long shots.
- ``shin``: Shin's model of a market with a share ``z`` of insiders, which explains the
  favourite-longshot bias. Štrumbelj (2014) found it the most accurate of these for
  football; it is the site's default.

Names and worked examples follow penaltyblog's ``implied`` module and Clarke's ``shin``
package (both checked in ``markets/tests/test_odds.py``). The functions take and return
plain floats and know nothing of the database; views, commands and tasks share them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from scipy.optimize import brentq


class OddsError(ValueError):
    """A book that has no fair probabilities: fewer than two outcomes, or a price that is not above 1."""


def implied_probabilities(odds: Sequence[float]) -> list[float]:
    """``π_i = 1 / o_i`` for each decimal price, after checking the book is one.

    Raises ``OddsError`` for fewer than two outcomes or a price that is not a finite
    number above 1 (a price of 1 or less pays nothing, or loses, on a winning bet).
    """
    prices = list(odds)
    if len(prices) < 2:
        raise OddsError(f"a book needs at least two outcomes, got {len(prices)}")
    for price in prices:
        if not isinstance(price, (int, float)) or not math.isfinite(price) or price <= 1:
            raise OddsError(f"decimal odds must be finite numbers above 1, got {price!r}")
    return [1.0 / price for price in prices]


def overround(odds: Sequence[float]) -> float:
    """The book's margin: ``Σ 1/o_i − 1`` (0.028 is a 2.8% overround).

    Negative for a book that pays out more than it takes in: an exchange's back prices
    at times, or the best prices gathered from many bookmakers (an arbitrage).
    """
    return math.fsum(implied_probabilities(odds)) - 1.0


def multiplicative(odds: Sequence[float]) -> list[float]:
    """Basic normalisation: ``p_i = π_i / Σ_j π_j``.

    The margin is taken in proportion to each implied probability, so every outcome's
    price is shortened by the same factor. penaltyblog's default; it leaves the
    favourite-longshot bias in the prices untouched.
    """
    implied = implied_probabilities(odds)
    booksum = math.fsum(implied)
    return [probability / booksum for probability in implied]


def additive(odds: Sequence[float]) -> list[float]:
    """Equal margin per outcome: ``p_i = π_i − (Σ_j π_j − 1) / n``.

    With two outcomes this is also what Shin's method gives. It is the least-squares
    (Euclidean) projection of the implied probabilities onto the probability simplex,
    and that is how it is computed, which settles the case the formula cannot: a long
    shot whose implied probability is smaller than its equal share of the margin would
    come out negative. Such an outcome gets 0 and the margin is shared equally among the
    others instead (``p_i = max(0, π_i − θ)`` with ``θ`` chosen so the sum is 1). A
    negative probability is no probability, and raising instead would leave a page or a
    backtest without an answer for a book every other method handles; the projection
    keeps the method's own rule (equal absolute deductions) on the outcomes it can
    apply to, and is identical to the formula whenever the formula is valid.
    """
    implied = implied_probabilities(odds)
    # Largest k such that the k likeliest outcomes can each give up an equal share θ.
    ordered = sorted(implied, reverse=True)
    cumulative, theta = 0.0, 0.0
    for count, probability in enumerate(ordered, start=1):
        cumulative += probability
        candidate = (cumulative - 1.0) / count
        if probability - candidate > 0:
            theta = candidate
    return [max(probability - theta, 0.0) for probability in implied]


def power_exponent(odds: Sequence[float]) -> float:
    """The ``k`` of the power method: the root of ``Σ_i π_i^k = 1`` (Brent's method).

    ``k > 1`` for a book with a margin (``Σ π_i > 1``), ``k < 1`` for one with a negative
    margin, ``k = 1`` for a fair book. ``Σ π_i^k`` falls as ``k`` grows because every
    ``π_i < 1``, so the root is unique.
    """
    implied = implied_probabilities(odds)
    booksum = math.fsum(implied)

    def excess(k: float) -> float:
        return math.fsum(probability**k for probability in implied) - 1.0

    if booksum == 1.0:
        return 1.0
    if booksum < 1.0:
        return brentq(excess, 0.0, 1.0, xtol=1e-15, rtol=1e-15, maxiter=200)
    upper = 2.0
    while excess(upper) > 0:  # a heavy favourite near 1.01 needs a large k
        upper *= 2.0
    return brentq(excess, 1.0, upper, xtol=1e-15, rtol=1e-15, maxiter=200)


def power(odds: Sequence[float]) -> list[float]:
    """Power method: ``p_i = π_i^k`` with ``k`` solving ``Σ_i π_i^k = 1`` (see ``power_exponent``).

    Raising every implied probability to the same power shrinks small ones
    proportionally more, so long shots carry more of the margin than under the
    multiplicative method: one reading of the favourite-longshot bias (Clarke,
    Kovalchik and Ingram 2017). The result is normalised once more to remove the
    solver's last rounding.
    """
    implied = implied_probabilities(odds)
    k = power_exponent(odds)
    raised = [probability**k for probability in implied]
    total = math.fsum(raised)
    return [probability / total for probability in raised]


def _shin_probability(probability: float, booksum: float, z: float) -> float:
    """``p_i(z) = (√(z² + 4(1−z) π_i² / β) − z) / (2(1−z))``, written to stay exact near z = 1.

    For ``z ≥ 0`` the numerator is rationalised, ``√(z²+a) − z = a / (√(z²+a) + z)``, which
    avoids cancelling two nearly equal numbers and is defined at ``z = 1`` (``π_i² / β``).
    """
    a = 4.0 * (1.0 - z) * probability * probability / booksum
    root = math.sqrt(z * z + a)
    if z >= 0:
        return 2.0 * probability * probability / (booksum * (root + z))
    return (root - z) / (2.0 * (1.0 - z))


def shin_insider_share(odds: Sequence[float]) -> float:
    """Shin's ``z``: the share of money from insiders, the root of ``Σ_i p_i(z) = 1``.

    Shin (1993, eq. 5) prices outcome ``i`` of true probability ``p_i``, for a bookmaker
    facing a share ``z`` of insiders, at ``π_i = √(z p_i + (1−z) p_i²) · Σ_j √(z p_j + (1−z) p_j²)``;
    Jullien and Salanié (1994) invert it to

        p_i(z) = (√(z² + 4 (1 − z) π_i² / β) − z) / (2 (1 − z)),   β = Σ_j π_j,

    and ``z`` is the value at which these add up to 1. penaltyblog's ``implied.shin``
    finds it with a root finder, Clarke's ``shin`` package with the fixed-point
    iteration ``z ← (Σ_i √(z² + 4(1−z) π_i²/β) − 2) / (n − 2)``, whose fixed point is
    the same root. Here: Brent's method on ``[0, 1]``, where ``Σ p_i(0) = √β > 1`` and
    ``Σ p_i(1) = Σ π_i² / β < 1``.

    A book with a negative margin (``β < 1``: an exchange, or best prices gathered from
    several bookmakers) has no insiders to explain it; the same equation then has its
    root on ``[−1, 0)``, a negative ``z`` with no economic meaning but probabilities that
    still add up to 1 and keep the prices' order. A fair book gives ``z = 0``.
    """
    implied = implied_probabilities(odds)
    booksum = math.fsum(implied)

    def excess(z: float) -> float:
        return math.fsum(_shin_probability(probability, booksum, z) for probability in implied) - 1.0

    if booksum == 1.0:
        return 0.0
    low, high = (0.0, 1.0) if booksum > 1.0 else (-1.0, 0.0)
    return brentq(excess, low, high, xtol=1e-15, rtol=1e-15, maxiter=200)


def shin(odds: Sequence[float]) -> list[float]:
    """Shin's method: ``p_i(z)`` (see ``shin_insider_share``) at the ``z`` that makes them add up to 1.

    Long shots lose more of their implied probability than favourites, in proportion to
    how much insider money the margin implies. With two outcomes it equals the additive
    method. The result is normalised once more to remove the solver's last rounding.
    """
    implied = implied_probabilities(odds)
    booksum = math.fsum(implied)
    z = shin_insider_share(odds)
    fair = [_shin_probability(probability, booksum, z) for probability in implied]
    total = math.fsum(fair)
    return [probability / total for probability in fair]


METHODS: dict[str, Callable[[Sequence[float]], list[float]]] = {
    "shin": shin,
    "multiplicative": multiplicative,
    "additive": additive,
    "power": power,
}
METHOD_LABELS = {
    "shin": "Shin",
    "multiplicative": "Multiplicative",
    "additive": "Additive",
    "power": "Power",
}
# Shin's method: the most accurate of these on football 1X2 books in Štrumbelj (2014),
# and it corrects the favourite-longshot bias the multiplicative method keeps.
DEFAULT_METHOD = "shin"


def fair_probabilities(odds: Sequence[float], method: str = DEFAULT_METHOD) -> list[float]:
    """The book's probabilities with the margin removed by ``method`` (a key of ``METHODS``)."""
    try:
        remove_margin = METHODS[method]
    except KeyError:
        raise OddsError(f"unknown margin-removal method {method!r}; one of {', '.join(METHODS)}") from None
    return remove_margin(odds)
