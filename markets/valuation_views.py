"""Market-value pages: the board by competition, position and age band, and the CSV files."""

from django.http import Http404
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from markets import valuation_pages
from markets.valuation_pages import BoardFilters
from players.models import Player
from quantfoot.downloads import csv_response


@require_safe
def value_board(request):
    filters = BoardFilters.from_query(request.GET)
    query = request.GET.urlencode()
    return render(request, "markets/value_board.html", {
        "rows": valuation_pages.board_rows(filters),
        "limit": valuation_pages.BOARD_ROWS,
        "filters": filters,
        "choices": valuation_pages.board_choices(),
        "csv_query": f"?{query}" if query else "",
    })


@require_safe
def value_board_csv(request):
    """Every current value the filters select (not only the page's first hundred)."""
    rows = valuation_pages.board_rows(BoardFilters.from_query(request.GET), limit=None)
    return csv_response("market-values.csv", valuation_pages.BOARD_COLUMNS, valuation_pages.board_csv_rows(rows))


@require_safe
def player_values_csv(request, pk):
    """A player's whole value history with the inputs behind each figure."""
    player = Player.objects.filter(pk=pk).first()
    if player is None:
        raise Http404("No such player.")
    rows = valuation_pages.player_history(player)
    return csv_response(slugify(f"{player.display_name} market values") + ".csv", valuation_pages.HISTORY_COLUMNS,
                        valuation_pages.history_csv_rows(rows))
