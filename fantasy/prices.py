"""Fantasy Premier League prices as a market: what managers paid for a player.

FPL sets each player's price before the season from what it expects of him, then moves it
week by week with managers' transfers. The price of his first fixture of a season is the
market's opening view of him; ``markets.valuation_eval`` judges our values against it
(registered in ``fantasy.apps``, so ``markets`` never imports this app).
"""

from __future__ import annotations

from fantasy.models import FplPlayerFixture


def seasons_with_prices() -> list[int]:
    return sorted(set(FplPlayerFixture.objects.values_list("season_id", flat=True).distinct()))


def start_of_season_prices(season_id: int) -> dict[int, float]:
    """{player id: £m} at each player's first fixture of the season (a late signing's first)."""
    prices: dict[int, float] = {}
    rows = (FplPlayerFixture.objects.filter(season_id=season_id)
            .order_by("player_id", "gameweek", "match__kickoff").values_list("player_id", "price"))
    for player_id, price in rows:
        prices.setdefault(player_id, float(price))
    return prices
