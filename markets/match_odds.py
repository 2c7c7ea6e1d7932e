"""A match's odds as people read them: the odds page's boards, its CSV and chart, and the
match page's summary.

One query loads every quote of the match (with its bookmaker) whatever the number of
bookmakers, lines and snapshots; everything else is computed here from those rows, with
the margin removed by ``markets.odds``.

Decisions worth knowing:

- A board is one market at one line (1X2; over/under 2.5; Asian handicap at the home
  side's handicap). Opening and closing quotes on different handicap lines are on
  different boards: a price on another line is another bet, not a movement.
- Opening is the pre-match quote, or the earliest snapshot when there is none; closing
  is the closing quote, or the latest snapshot (so an upcoming match shows its latest
  prices as the close so far).
- Best prices are compared among real bookmakers only: the market maximum would always
  win, and the average never can.
- Fair probabilities come from a bookmaker's closing book, or its opening one when the
  close is missing or incomplete. The market consensus is their mean over the real
  bookmakers (over the aggregates only when no real bookmaker has a complete book).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.urls import reverse

from markets import odds
from markets.models import Bookmaker, OddsQuote
from matches.models import Match
from quantfoot import params as read
from quantfoot.params import BadRequestParameter

Market = OddsQuote.Market
Phase = OddsQuote.Phase

MARKET_ORDER = (Market.MATCH_ODDS, Market.OVER_UNDER, Market.ASIAN_HANDICAP)
SUMMARY_TOTALS_LINE = Decimal("2.5")
# The bookmaker the line-movement chart shows first: Pinnacle's sharp prices, when quoted.
PREFERRED_CHART_BOOKMAKER = "PS"


def method_from(params) -> str:
    """The margin-removal method ``?method=`` asks for (the default when absent; another is a bad request)."""
    return read.choice(params, "method", odds.METHODS, odds.DEFAULT_METHOD)


def signed_line(line: Decimal) -> str:
    """A handicap as bettors write it: "+1.5", "−0.25", "0"."""
    line = Decimal(line).normalize()
    if line == 0:
        return "0"
    text = f"{abs(line):f}"
    return f"+{text}" if line > 0 else f"\u2212{text}"


def plain_line(line: Decimal) -> str:
    """A goal line as written: "2.5"."""
    return f"{Decimal(line).normalize():f}"


@dataclass
class Price:
    """One selection's price at a bookmaker: opening, closing, and whether each is the best on offer."""

    opening: float | None
    closing: float | None
    best_opening: bool = False
    best_closing: bool = False

    @property
    def latest(self) -> float | None:
        return self.closing if self.closing is not None else self.opening

    @property
    def change(self) -> float | None:
        if self.opening is None or self.closing is None:
            return None
        return round(self.closing - self.opening, 4)

    @property
    def change_percent(self) -> float | None:
        change = self.change
        return None if change is None else 100.0 * change / self.opening

    @property
    def movement(self) -> str:
        """"shortened" (backed: the price fell), "drifted" (it rose), "unchanged", or "" without both prices."""
        change = self.change
        if change is None:
            return ""
        return "shortened" if change < 0 else "drifted" if change > 0 else "unchanged"


@dataclass
class BookRow:
    """One bookmaker's book on one board."""

    bookmaker: Bookmaker
    prices: list[Price]
    opening_quote: OddsQuote | None
    closing_quote: OddsQuote | None
    opening_overround: float | None = None
    closing_overround: float | None = None
    fair: list[float] | None = None
    fair_from: str = ""  # "closing" or "opening": the book the fair probabilities were taken from

    @property
    def fair_total(self) -> float | None:
        return math.fsum(self.fair) if self.fair else None


@dataclass
class Board:
    """One market at one line: every bookmaker's book, the best prices and the consensus."""

    market: str
    line: Decimal
    title: str
    selections: tuple[str, ...]
    labels: list[str]
    rows: list[BookRow] = field(default_factory=list)
    consensus: list[float] | None = None
    consensus_books: int = 0

    @property
    def short_labels(self) -> list[tuple[str, str]]:
        """(short, full) headers for the fair-probability columns: "1", "X", "2" for a match result."""
        short = {Market.MATCH_ODDS: ["1", "X", "2"], Market.OVER_UNDER: ["Over", "Under"],
                 Market.ASIAN_HANDICAP: ["Home", "Away"]}[self.market]
        return list(zip(short, self.labels))

    @property
    def line_text(self) -> str:
        return plain_line(self.line)

    @property
    def key(self) -> str:
        return f"{self.market}-{plain_line(self.line)}".replace(".", "_").replace("-", "_")

    @property
    def lead_columns(self) -> int:
        """Columns before the fair probabilities: bookmaker, three per selection, two overrounds."""
        return 1 + 3 * len(self.labels) + 2

    @property
    def fair_columns(self) -> int:
        return len(self.labels) + 1

    @property
    def bookmakers(self) -> list[BookRow]:
        return [row for row in self.rows if not row.bookmaker.is_aggregate]

    @property
    def aggregates(self) -> list[BookRow]:
        return [row for row in self.rows if row.bookmaker.is_aggregate]

    @property
    def consensus_cells(self) -> list[tuple[str, float]]:
        return list(zip(self.labels, self.consensus or []))

    def best_latest(self) -> list[tuple[str, float | None, list[str]]]:
        """Per selection: its label, the best latest price among real bookmakers, and who offers it."""
        best = []
        for index, label in enumerate(self.labels):
            offers = [(row.prices[index].latest, row.bookmaker.name) for row in self.bookmakers
                      if row.prices[index].latest is not None]
            top = max((price for price, _ in offers), default=None)
            best.append((label, top, [name for price, name in offers if price == top]))
        return best


def load_quotes(match: Match, *, summary: bool = False) -> list[OddsQuote]:
    """Every quote of the match, bookmakers included, in one query (only 1X2 and over/under 2.5 for the summary)."""
    quotes = OddsQuote.objects.filter(match=match).select_related("bookmaker")
    if summary:
        quotes = quotes.filter(market__in=(Market.MATCH_ODDS, Market.OVER_UNDER))
    return list(quotes)


def _labels(match: Match, market: str, line: Decimal) -> list[str]:
    home, away = match.home_team.display_name, match.away_team.display_name
    if market == Market.MATCH_ODDS:
        return [home, "Draw", away]
    if market == Market.OVER_UNDER:
        return [f"Over {plain_line(line)}", f"Under {plain_line(line)}"]
    return [f"{home} {signed_line(line)}", f"{away} {signed_line(-Decimal(line))}"]


def _title(match: Match, market: str, line: Decimal) -> str:
    if market == Market.MATCH_ODDS:
        return "Match result (1X2)"
    if market == Market.OVER_UNDER:
        return f"Over/under {plain_line(line)} goals"
    return f"Asian handicap: {match.home_team.display_name} {signed_line(line)}"


def _opening_and_closing(quotes: list[OddsQuote]) -> tuple[OddsQuote | None, OddsQuote | None]:
    by_phase = defaultdict(list)
    for quote in quotes:
        by_phase[quote.phase].append(quote)
    snapshots = sorted(by_phase[Phase.SNAPSHOT], key=lambda quote: quote.taken_at)
    opening = by_phase[Phase.PRE_MATCH][0] if by_phase[Phase.PRE_MATCH] else (snapshots[0] if snapshots else None)
    if by_phase[Phase.CLOSING]:
        closing = by_phase[Phase.CLOSING][0]
    else:
        closing = snapshots[-1] if snapshots and snapshots[-1] is not opening else None
    return opening, closing


def _complete(quote: OddsQuote | None, selections) -> list[float] | None:
    if quote is None:
        return None
    prices = [getattr(quote, selection) for selection in selections]
    return prices if all(price is not None for price in prices) else None


def _book_row(bookmaker: Bookmaker, quotes: list[OddsQuote], selections, method: str) -> BookRow:
    opening, closing = _opening_and_closing(quotes)
    row = BookRow(
        bookmaker=bookmaker,
        prices=[Price(getattr(opening, selection, None), getattr(closing, selection, None)) for selection in selections],
        opening_quote=opening,
        closing_quote=closing,
    )
    opening_book, closing_book = _complete(opening, selections), _complete(closing, selections)
    if opening_book:
        row.opening_overround = odds.overround(opening_book)
    if closing_book:
        row.closing_overround = odds.overround(closing_book)
    if closing_book or opening_book:
        row.fair = odds.fair_probabilities(closing_book or opening_book, method)
        row.fair_from = "closing" if closing_book else "opening"
    return row


def _mark_best(board: Board) -> None:
    for index in range(len(board.selections)):
        prices = [row.prices[index] for row in board.bookmakers]
        best_opening = max((price.opening for price in prices if price.opening is not None), default=None)
        best_closing = max((price.closing for price in prices if price.closing is not None), default=None)
        for price in prices:
            price.best_opening = price.opening is not None and price.opening == best_opening
            price.best_closing = price.closing is not None and price.closing == best_closing


def _consensus(board: Board) -> None:
    books = [row.fair for row in board.bookmakers if row.fair] or [row.fair for row in board.aggregates if row.fair]
    if books:
        board.consensus = [math.fsum(column) / len(books) for column in zip(*books)]
        board.consensus_books = len(books)


def build_boards(match: Match, quotes: list[OddsQuote], method: str = odds.DEFAULT_METHOD) -> list[Board]:
    """The match's boards in market order (1X2, over/under, Asian handicap), each by line."""
    grouped: dict[tuple, dict[int, list[OddsQuote]]] = defaultdict(lambda: defaultdict(list))
    bookmakers: dict[int, Bookmaker] = {}
    for quote in quotes:
        grouped[(quote.market, Decimal(quote.line))][quote.bookmaker_id].append(quote)
        bookmakers[quote.bookmaker_id] = quote.bookmaker

    boards = []
    for market, line in sorted(grouped, key=lambda key: (MARKET_ORDER.index(key[0]), key[1])):
        selections = OddsQuote.SELECTIONS[market]
        board = Board(market, line, _title(match, market, line), selections, _labels(match, market, line))
        by_bookmaker = grouped[(market, line)]
        order = sorted(by_bookmaker, key=lambda pk: (bookmakers[pk].is_aggregate, bookmakers[pk].name.casefold()))
        board.rows = [_book_row(bookmakers[pk], by_bookmaker[pk], selections, method) for pk in order]
        _mark_best(board)
        _consensus(board)
        boards.append(board)
    return boards


# The line-movement chart


def _moment(quote: OddsQuote, match: Match) -> dt.datetime | None:
    """When a quote was on offer: its timestamp, or the kick-off for a closing price without one."""
    if quote.taken_at is not None:
        return quote.taken_at
    return match.kickoff if quote.phase == Phase.CLOSING else None


def movement_chart(match: Match, quotes: list[OddsQuote], board: Board | None, code: str | None) -> dict | None:
    """The 1X2 prices of one bookmaker over time, for uPlot.

    With snapshots, every timed quote (snapshots, and the closing price at kick-off) on
    a time axis; without them, two points: opening and closing. None when the chosen
    bookmaker has fewer than two points to join.
    """
    if board is None or not board.rows:
        return None
    rows = {row.bookmaker.code: row for row in board.rows}
    real = [row.bookmaker.code for row in board.bookmakers]
    if code is not None and code not in rows:  # ?book= from a link: a bookmaker that prices this match
        raise BadRequestParameter("book", code, "one of the bookmakers quoting this match: " + ", ".join(rows))
    if code is None:
        code = PREFERRED_CHART_BOOKMAKER if PREFERRED_CHART_BOOKMAKER in rows else (real or list(rows))[0]
    row = rows[code]
    mine = [quote for quote in quotes if quote.bookmaker.code == code and quote.market == board.market
            and Decimal(quote.line) == board.line]
    timed = sorted(((_moment(quote, match), quote) for quote in mine if _moment(quote, match) is not None),
                   key=lambda pair: pair[0])
    chart = {
        "bookmaker": row.bookmaker.name,
        "code": code,
        "labels": board.labels,
        "choices": [(row.bookmaker.code, row.bookmaker.name) for row in board.rows],
    }
    if any(quote.phase == Phase.SNAPSHOT for quote in mine) and len(timed) >= 2:
        chart.update(
            mode="time",
            x=[moment.timestamp() for moment, _ in timed],
            series=[[getattr(quote, selection) for _, quote in timed] for selection in board.selections],
        )
        return chart
    points = [quote for quote in (row.opening_quote, row.closing_quote) if quote is not None]
    if len(points) < 2:
        return None
    chart.update(
        mode="phase",
        x=[0, 1],
        ticks=["Opening", "Closing"],
        series=[[getattr(quote, selection) for quote in points] for selection in board.selections],
    )
    return chart


# The odds page, its CSV, and the match page's summary


@dataclass
class OddsPage:
    match: Match
    method: str
    boards: list[Board]
    chart: dict | None

    @property
    def method_label(self) -> str:
        return odds.METHOD_LABELS[self.method]


def odds_page(match: Match, method: str, chart_bookmaker: str | None = None) -> OddsPage:
    quotes = load_quotes(match)
    boards = build_boards(match, quotes, method)
    match_odds = next((board for board in boards if board.market == Market.MATCH_ODDS), None)
    return OddsPage(match, method, boards, movement_chart(match, quotes, match_odds, chart_bookmaker))


CSV_HEADER = [
    "Market", "Line", "Bookmaker", "Aggregate", "Selection", "Opening", "Closing", "Change",
    "Best opening", "Best closing", "Opening overround", "Closing overround", "Fair probability", "Fair from",
    "Method",
]


def _csv_number(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def csv_rows(page: OddsPage) -> list[list]:
    """The page's tables, one line per bookmaker and selection (overround and probabilities as fractions)."""
    lines = []
    for board in page.boards:
        for row in board.rows:
            for index, (label, price) in enumerate(zip(board.labels, row.prices)):
                lines.append([
                    board.title, plain_line(board.line), row.bookmaker.name, "yes" if row.bookmaker.is_aggregate else "no",
                    label, _csv_number(price.opening, 2), _csv_number(price.closing, 2), _csv_number(price.change, 2),
                    "yes" if price.best_opening else "", "yes" if price.best_closing else "",
                    _csv_number(row.opening_overround, 6), _csv_number(row.closing_overround, 6),
                    _csv_number(row.fair[index] if row.fair else None, 6), row.fair_from, page.method,
                ])
    return lines


def odds_summary(match: Match) -> dict | None:
    """What the match page shows of the odds: consensus fair probabilities and the best prices (one query).

    None when the match has no 1X2 or over/under odds.
    """
    quotes = load_quotes(match, summary=True)
    if not quotes:
        return None
    boards = build_boards(match, quotes, odds.DEFAULT_METHOD)
    match_odds = next((board for board in boards if board.market == Market.MATCH_ODDS), None)
    totals = next((board for board in boards if board.market == Market.OVER_UNDER
                   and board.line == SUMMARY_TOTALS_LINE), None)
    if match_odds is None and totals is None:
        return None
    return {
        "match_odds": match_odds,
        "boards": [board for board in (match_odds, totals) if board is not None],
        "method_label": odds.METHOD_LABELS[odds.DEFAULT_METHOD],
        "url": reverse("markets:match-odds", args=[match.pk]),
    }
