"""Pages of priced things: a match's odds and their CSV; the value-bet list and its CSV; exchange markets."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from markets import exchange, exchange_pages, match_odds, value_bets
from markets.models import ExchangeMarket
from markets.odds import METHOD_LABELS
from matches.models import Match
from quantfoot import params as read
from quantfoot.downloads import csv_response


def _match_or_404(pk: int, *, with_exchange: bool = False) -> Match:
    matches = Match.objects.select_related("competition", "season", "home_team", "away_team")
    if with_exchange:  # the linked exchange market, in the same query (none: no query more)
        matches = matches.annotate(**exchange.match_odds_market_annotations())
    try:
        return matches.get(pk=pk)
    except Match.DoesNotExist:
        raise Http404("No such match.") from None


@require_GET
def match_odds_page(request, pk):
    """Every bookmaker's prices for a match, opening and closing, with the margin removed by ?method=."""
    match = _match_or_404(pk, with_exchange=True)
    method = match_odds.method_from(request.GET)
    page = match_odds.odds_page(match, method, chart_bookmaker=read.raw(request.GET, "book"))
    return render(request, "markets/match_odds.html", {
        "match": match,
        "page": page,
        "exchange": _exchange_beside(match),
        "methods": [(key, label, key == method) for key, label in METHOD_LABELS.items()],
    })


def _exchange_beside(match: Match) -> dict | None:
    """The linked exchange Match Odds market's latest (or, once closed, last open) book (one query)."""
    if match.exchange_market_pk is None:
        return None
    closed = match.exchange_market_status == ExchangeMarket.Status.CLOSED
    books = (exchange.last_open_book if closed else exchange.latest_book)(match.exchange_market_pk)
    return {"market": books[0].runner.market, "books": books} if books else None


@require_GET
def match_odds_csv(request, pk):
    """The odds page's tables as CSV, one line per bookmaker and selection."""
    match = _match_or_404(pk)
    page = match_odds.odds_page(match, match_odds.method_from(request.GET))
    filename = slugify(f"{match.home_team.name} {match.away_team.name} {match.kickoff:%Y-%m-%d} odds")
    return csv_response(f"{filename}.csv", match_odds.CSV_HEADER, match_odds.csv_rows(page))


@require_GET
def value_bets_page(request):
    """Upcoming outcomes where our probability times the best price beats 1 by ?edge= (0.05 unless asked)."""
    asked = value_bets.read_request(request.GET)
    context = value_bets.page_context(asked)
    return render(request, "markets/value_bets.html", context, status=400 if asked.errors else 200)


@require_GET
def value_bets_csv(request):
    """The value-bet list the page shows (same edge, competition, order, rows and columns) as CSV."""
    asked = value_bets.read_request(request.GET)
    if asked.errors:
        return HttpResponse("\n".join(asked.errors) + "\n", status=400, content_type="text/plain; charset=utf-8")
    found = value_bets.listing(asked)
    return csv_response(value_bets.csv_filename(found), found.csv_header(), found.csv_rows())


@require_GET
def exchange_markets_page(request):
    """Every stored exchange market: event, market type, start, status and the match it is on."""
    markets = exchange_pages.market_list(request.GET.get("page"))
    return render(request, "markets/exchange_markets.html", {"markets": markets})


@require_GET
def exchange_market_page(request, market_id):
    """One exchange market: its runners' back and lay prices with sizes, volume, winner, price history."""
    try:
        market = ExchangeMarket.objects.select_related("match__home_team", "match__away_team").get(market_id=market_id)
    except ExchangeMarket.DoesNotExist:
        raise Http404("No such exchange market.") from None
    return render(request, "markets/exchange_market.html", {"page": exchange_pages.market_page(market)})
