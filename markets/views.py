"""Pages of priced things. For now: a match's odds and their CSV."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from markets import match_odds
from markets.odds import METHOD_LABELS
from matches.models import Match


def _match_or_404(pk: int) -> Match:
    try:
        return Match.objects.select_related("competition", "season", "home_team", "away_team").get(pk=pk)
    except Match.DoesNotExist:
        raise Http404("No such match.") from None


@require_GET
def match_odds_page(request, pk):
    """Every bookmaker's prices for a match, opening and closing, with the margin removed by ?method=."""
    match = _match_or_404(pk)
    method = match_odds.method_from(request.GET.get("method"))
    page = match_odds.odds_page(match, method, chart_bookmaker=request.GET.get("book"))
    return render(request, "markets/match_odds.html", {
        "match": match,
        "page": page,
        "methods": [(key, label, key == method) for key, label in METHOD_LABELS.items()],
    })


@require_GET
def match_odds_csv(request, pk):
    """The odds page's tables as CSV, one line per bookmaker and selection."""
    match = _match_or_404(pk)
    page = match_odds.odds_page(match, match_odds.method_from(request.GET.get("method")))
    filename = slugify(f"{match.home_team.name} {match.away_team.name} {match.kickoff:%Y-%m-%d} odds")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    response.write("\ufeff")  # a byte-order mark: spreadsheets then read the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(match_odds.CSV_HEADER)
    writer.writerows(match_odds.csv_rows(page))
    return response
