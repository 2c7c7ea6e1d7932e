"""Reading exchange prices: a market's book as of a moment, its last open book, its price history.

The trading engine and the pages read ``ExchangeSnapshot`` rows through these functions
only. A snapshot is the exact book at its ``taken_at``; between two snapshots the book is
taken to be the earlier one (the sampling rule in ``ingestion.betfair`` keeps the last
book of every window and every book around a status change, so nothing later leaks in).
``book_at`` never looks past its moment: a backtest asking for 14:00 gets what was on
offer at 14:00 or before.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass

from django.db.models import JSONField, OuterRef, Q, Subquery

from markets.models import ExchangeMarket, ExchangeRunner, ExchangeSnapshot

# The price chart: at most this many points per runner (the last of each equal stretch of time).
CHART_POINTS = 400
CHART_WIDTH, CHART_HEIGHT = 360, 200
CHART_PAD_LEFT, CHART_PAD_RIGHT, CHART_PAD_TOP, CHART_PAD_BOTTOM = 34, 6, 8, 20


@dataclass(frozen=True)
class RunnerBook:
    """One runner's book as of a moment; prices and sizes None when nothing was on offer."""

    runner: ExchangeRunner
    taken_at: dt.datetime | None  # of the snapshot it comes from; None: no snapshot yet
    status: str  # the market's status then ("OPEN", "SUSPENDED" …)
    in_play: bool
    back: list  # [[price, size]], best (highest) first, top three levels
    lay: list  # [[price, size]], best (lowest) first
    last_traded_price: float | None
    traded_volume: float | None

    @property
    def best_back(self) -> float | None:
        return self.back[0][0] if self.back else None

    @property
    def best_back_size(self) -> float | None:
        return self.back[0][1] if self.back else None

    @property
    def best_lay(self) -> float | None:
        return self.lay[0][0] if self.lay else None

    @property
    def best_lay_size(self) -> float | None:
        return self.lay[0][1] if self.lay else None

    @property
    def takeable(self) -> bool:
        """Whether a bet could be struck at these prices then (the market open)."""
        return self.status == ExchangeMarket.Status.OPEN


def _market_pk(market: ExchangeMarket | int) -> int:
    return market.pk if isinstance(market, ExchangeMarket) else int(market)


def _books(market: ExchangeMarket | int, snapshots: Q) -> list[RunnerBook]:
    """Every runner of the market with its latest snapshot among ``snapshots``, in one query."""
    latest = (ExchangeSnapshot.objects.filter(snapshots, runner=OuterRef("pk")).order_by("-taken_at"))

    def field(name, output=None):
        values = latest.values(name)[:1]
        return Subquery(values, output_field=output) if output else Subquery(values)

    runners = (ExchangeRunner.objects.filter(market_id=_market_pk(market)).select_related("market")
               .annotate(book_taken_at=field("taken_at"), book_status=field("status"),
                         book_in_play=field("in_play"), book_back=field("back", JSONField()),
                         book_lay=field("lay", JSONField()), book_ltp=field("last_traded_price"),
                         book_tv=field("traded_volume"))
               .order_by("sort_priority", "selection_id", "handicap"))
    return [
        RunnerBook(runner=runner, taken_at=runner.book_taken_at, status=runner.book_status or "",
                   in_play=bool(runner.book_in_play), back=_ladder(runner.book_back), lay=_ladder(runner.book_lay),
                   last_traded_price=runner.book_ltp, traded_volume=runner.book_tv)
        for runner in runners
    ]


def _ladder(value) -> list:
    if isinstance(value, str):  # some backends hand a subquery's JSON back as text
        value = json.loads(value)
    return [list(level) for level in value or []]


def book_at(market: ExchangeMarket | int, moment: dt.datetime) -> list[RunnerBook]:
    """Each runner's book as of ``moment``: its latest snapshot at or before it (one query).

    In the runners' order (sort priority); a runner with no snapshot yet has empty ladders
    and ``taken_at`` None.
    """
    return _books(market, Q(taken_at__lte=moment))


def latest_book(market: ExchangeMarket | int) -> list[RunnerBook]:
    """Each runner's latest stored book, whatever the market's status (one query)."""
    return _books(market, Q())


def last_open_book(market: ExchangeMarket | int) -> list[RunnerBook]:
    """Each runner's last book while the market was open: after the close, the prices it closed at."""
    return _books(market, Q(status=ExchangeMarket.Status.OPEN))


def _match_odds_markets(match):
    return ExchangeMarket.objects.filter(match=match, market_type="MATCH_ODDS").order_by("-updated_at", "-pk")


def match_odds_market(match) -> ExchangeMarket | None:
    """The exchange Match Odds market linked to one of our matches, if one was imported."""
    return _match_odds_markets(match).first()


def match_book_at(match, moment: dt.datetime) -> dict[str, RunnerBook]:
    """The exchange's home / draw / away books for one of our matches as of ``moment`` (two queries).

    Empty when no linked Match Odds market was imported; the market (its commission,
    ``market_base_rate`` percent) is ``book.runner.market``.
    """
    market = match_odds_market(match)
    if market is None:
        return {}
    return {book.runner.selection: book for book in book_at(market, moment) if book.runner.selection}


def match_odds_market_annotations() -> dict:
    """For ``Match.objects.annotate(**...)``: ``exchange_market_pk`` and ``exchange_market_status`` of
    the match's exchange Match Odds market (None without one), in the match's own query."""
    linked = _match_odds_markets(OuterRef("pk"))
    return {"exchange_market_pk": Subquery(linked.values("pk")[:1]),
            "exchange_market_status": Subquery(linked.values("status")[:1])}


@dataclass(frozen=True)
class RunnerHistory:
    runner_id: int
    label: str
    points: list[tuple[dt.datetime, float]]  # (taken_at, last traded price), in time order


@dataclass(frozen=True)
class PriceHistory:
    runners: list[RunnerHistory]
    in_play_at: dt.datetime | None  # the first snapshot in play: the off
    start: dt.datetime | None = None  # the first and last snapshots read (while open)
    end: dt.datetime | None = None

    @property
    def empty(self) -> bool:
        return not any(history.points for history in self.runners)


def price_history(market: ExchangeMarket | int) -> PriceHistory:
    """Each runner's last traded price over time while the market was open, and the moment it went in
    play (two queries)."""
    runners = list(ExchangeRunner.objects.filter(market_id=_market_pk(market))
                   .order_by("sort_priority", "selection_id", "handicap"))
    points: dict[int, list[tuple[dt.datetime, float]]] = {runner.pk: [] for runner in runners}
    in_play_at = start = end = None
    # Trades happen only while the market is open: the ladders and prices Betfair clears while
    # suspended for settlement are not moves of the market.
    rows = (ExchangeSnapshot.objects.filter(runner__market_id=_market_pk(market))
            .exclude(status__in=[ExchangeMarket.Status.SUSPENDED, ExchangeMarket.Status.CLOSED])
            .order_by("taken_at", "runner_id").values_list("runner_id", "taken_at", "last_traded_price", "in_play"))
    for runner_id, taken_at, price, in_play in rows:
        start, end = start or taken_at, taken_at
        if in_play and in_play_at is None:
            in_play_at = taken_at
        series = points[runner_id]
        if price is not None and (not series or series[-1][1] != price):
            series.append((taken_at, price))
    return PriceHistory([RunnerHistory(runner.pk, runner.label, points[runner.pk]) for runner in runners], in_play_at,
                        start, end)


def _thinned(points: list[tuple[dt.datetime, float]], x_of) -> list[tuple[float, float]]:
    """At most about CHART_POINTS points: the last price in each slice of the chart's width."""
    by_slice: dict[int, tuple[float, float]] = {}
    for taken_at, price in points:
        x = x_of(taken_at.timestamp())
        by_slice[int(x * CHART_POINTS / CHART_WIDTH)] = (x, price)
    return [by_slice[key] for key in sorted(by_slice)]


def history_chart(history: PriceHistory) -> dict | None:
    """The price history as SVG geometry: one step line per runner on a log price scale.

    When the market went in play the time axis is in two halves, before the off (often
    days of it) and in play (hours), so the in-play moves are not squashed into a sliver;
    the off is marked where they meet.
    """
    everything = [point for runner in history.runners for point in runner.points]
    if not everything:
        return None
    start = (history.start or min(taken_at for taken_at, _ in everything)).timestamp()
    end = (history.end or max(taken_at for taken_at, _ in everything)).timestamp()
    off = history.in_play_at.timestamp() if history.in_play_at else None
    if off is not None and not start < off < end:
        off = None
    low = math.log(min(price for _, price in everything))
    high = math.log(max(price for _, price in everything))
    if high - low < 1e-9:
        low, high = low - 0.1, high + 0.1
    inner_width = CHART_WIDTH - CHART_PAD_LEFT - CHART_PAD_RIGHT
    inner_height = CHART_HEIGHT - CHART_PAD_TOP - CHART_PAD_BOTTOM
    middle = CHART_PAD_LEFT + inner_width / 2

    def x_of(seconds: float) -> float:
        if off is None:
            return round(CHART_PAD_LEFT + (seconds - start) / max(end - start, 1.0) * inner_width, 1)
        if seconds <= off:
            return round(CHART_PAD_LEFT + (seconds - start) / (off - start) * inner_width / 2, 1)
        return round(middle + (seconds - off) / (end - off) * inner_width / 2, 1)

    def y_of(price: float) -> float:
        return round(CHART_PAD_TOP + (high - math.log(price)) / (high - low) * inner_height, 1)

    lines = []
    for index, runner in enumerate(history.runners):
        if not runner.points:
            continue
        thinned = _thinned(runner.points, x_of)
        # A step line: a price holds until the next trade.
        coordinates, previous_y = [], None
        for x, price in thinned:
            y = y_of(price)
            if previous_y is not None:
                coordinates.append(f"{x},{previous_y}")
            coordinates.append(f"{x},{y}")
            previous_y = y
        coordinates.append(f"{x_of(end)},{previous_y}")
        lines.append({"label": runner.label, "points": " ".join(coordinates), "series": index % 3 + 1,
                      "last": thinned[-1][1]})
    ticks = []
    for price in (1000, 100, 50, 20, 10, 5, 3, 2, 1.5, 1.25, 1.1, 1.01):  # top down, none closer than 10 px
        if low - 1e-9 <= math.log(price) <= high + 1e-9 and (not ticks or y_of(price) - ticks[-1]["y"] >= 10):
            ticks.append({"label": f"{price:g}", "y": y_of(price)})
    return {
        "width": CHART_WIDTH, "height": CHART_HEIGHT, "lines": lines, "ticks": ticks,
        "left": CHART_PAD_LEFT, "right": CHART_WIDTH - CHART_PAD_RIGHT, "top": CHART_PAD_TOP,
        "bottom": CHART_HEIGHT - CHART_PAD_BOTTOM, "off_x": x_of(off) if off is not None else None,
        "in_play_at": history.in_play_at if off is not None else None,
        "start": dt.datetime.fromtimestamp(start, dt.UTC), "end": dt.datetime.fromtimestamp(end, dt.UTC),
    }
