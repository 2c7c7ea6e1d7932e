"""The exchange pages: the list of stored exchange markets, and one market's book and price history."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from markets import exchange
from markets.models import ExchangeMarket

MARKETS_PER_PAGE = 50


def market_list(page_number) -> Page:
    """One page of stored markets, newest start first, with their linked matches (two queries)."""
    markets = (ExchangeMarket.objects.select_related("match__home_team", "match__away_team")
               .order_by("-market_time", "market_id"))
    return Paginator(markets, MARKETS_PER_PAGE).get_page(page_number)


@dataclass
class MarketPage:
    market: ExchangeMarket
    books: list[exchange.RunnerBook]
    book_label: str  # what the prices shown are: "Latest book", "Last book before the close"
    chart: dict | None
    total_matched: float | None

    @property
    def winners(self) -> list[str]:
        return [book.runner.label for book in self.books if book.runner.status == "WINNER"]


def market_page(market: ExchangeMarket) -> MarketPage:
    """The runners' prices (latest; once closed, the last while open) and the ltp history (three queries)."""
    if market.status == ExchangeMarket.Status.CLOSED:
        books, label = exchange.last_open_book(market), "Last book while the market was open"
    else:
        books, label = exchange.latest_book(market), "Latest book"
    volumes = [book.traded_volume for book in books if book.traded_volume is not None]
    return MarketPage(market, books, label, exchange.history_chart(exchange.price_history(market)),
                      sum(volumes) if volumes else None)
