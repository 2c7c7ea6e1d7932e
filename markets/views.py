"""Pages of priced things: a match's odds and their CSV; the value-bet list and its CSV."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from markets import match_odds, value_bets
from markets.odds import METHOD_LABELS
from matches.models import Match
from quantfoot import params as read
from quantfoot.downloads import csv_response


def _match_or_404(pk: int) -> Match:
    try:
        return Match.objects.select_related("competition", "season", "home_team", "away_team").get(pk=pk)
    except Match.DoesNotExist:
        raise Http404("No such match.") from None


@require_GET
def match_odds_page(request, pk):
    """Every bookmaker's prices for a match, opening and closing, with the margin removed by ?method=."""
    match = _match_or_404(pk)
    method = match_odds.method_from(request.GET)
    page = match_odds.odds_page(match, method, chart_bookmaker=read.raw(request.GET, "book"))
    return render(request, "markets/match_odds.html", {
        "match": match,
        "page": page,
        "methods": [(key, label, key == method) for key, label in METHOD_LABELS.items()],
    })


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
