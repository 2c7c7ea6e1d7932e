"""Real markets our player values are judged against, registered by the apps that own them.

``markets`` may not import ``fantasy`` (DESIGN.md §2), yet FPL's start-of-season prices are a
real market of fantasy managers; ``fantasy`` registers them here in its ``AppConfig.ready()``
and ``evaluate_valuations`` (``markets.valuation_eval``) judges against every registered one.
Kept apart from the evaluation so that registering at start-up imports no numerical code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class ReferenceMarket:
    """A real market whose prices our values are judged against, owned by another app.

    ``seasons()`` lists the season ids it has prices for; ``prices(season_id)`` gives
    {player id: price} for that season, in ``unit``.
    """

    name: str  # "FPL start-of-season prices"
    unit: str  # "£m"
    seasons: Callable[[], list[int]]
    prices: Callable[[int], dict[int, float]]


REFERENCE_MARKETS: dict[str, ReferenceMarket] = {}


def register_reference_market(market: ReferenceMarket) -> None:
    REFERENCE_MARKETS[market.name] = market
