"""The player page (profile, live line, season statistics, match log, shot map) and its CSV files.

Queries are fixed whatever his career: the season table reads the stored aggregates
(one query), the match log is four grouped queries (events and stored match lines) plus one for the matches, the shot
map one more, the live line adds its own few; the cards
other apps add (market value, FPL) theirs.
"""

from collections import Counter

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from matches import regions
from players import live, shotmap, tables
from players.aggregates import player_match_log
from players.models import Player, PlayerSeasonStats
from quantfoot import params as read
from quantfoot.downloads import csv_response


@require_safe
def player_detail(request, pk):
    player = _player_or_404(pk)
    stats = _season_stats(player)
    season = _chosen_season(request, stats)
    season_ids = None if season is None else [season.pk]
    log = player_match_log(player.pk, season_ids=season_ids)
    shots = shotmap.player_shots(player.pk, season_ids=season_ids)
    season_table = tables.season_table(stats, player_url=player.get_absolute_url()).sorted_by(request.GET)
    match_table = tables.match_table(log).sorted_by(request.GET)
    positions = Counter(line.position for _, line in log if line.position)
    context = {
        "player": player,
        "line": live.line_context(player.pk),
        "age": player.age_on(timezone.localdate()),
        "usual_position": positions.most_common(1)[0][0] if positions else "",
        "last_team": _team_of(log[0]) if log else None,
        "season": season,
        "all_seasons_url": player.get_absolute_url() + "#matches",
        "season_table": _page_table(request, player, season_table, "players:player-seasons-csv"),
        "match_table": _page_table(request, player, match_table, "players:player-matches-csv"),
        "shotmap": shotmap.shot_map(shots, {match.pk: match for match, _ in log}),
        "cards": regions.cards_for("player", player, request),
    }
    # uPlot and charts.js once for every chart on the page: ours and the cards' (FPL's price).
    context["charts"] = any(card["context"].get("chart") for card in context["cards"])
    return render(request, "players/player_detail.html", context)


@require_safe
def player_seasons_csv(request, pk):
    """The season table the page shows (same order, rows and columns) as CSV."""
    player = _player_or_404(pk)
    table = tables.season_table(_season_stats(player), player_url=player.get_absolute_url()).sorted_by(request.GET)
    return _csv(table, slugify(f"{player.display_name} seasons"))


@require_safe
def player_matches_csv(request, pk):
    """The match log the page shows (same season filter, order, rows and columns) as CSV."""
    player = _player_or_404(pk)
    season = _chosen_season(request, _season_stats(player))
    log = player_match_log(player.pk, season_ids=None if season is None else [season.pk])
    table = tables.match_table(log).sorted_by(request.GET)
    suffix = f" {season.competition.name} {season.name.replace('/', '-')}" if season else ""
    return _csv(table, slugify(f"{player.display_name} matches{suffix}"))


def _player_or_404(pk: int) -> Player:
    player = Player.objects.filter(pk=pk).first()
    if player is None:
        raise Http404("No such player.")
    return player


def _season_stats(player: Player) -> list[PlayerSeasonStats]:
    return list(
        PlayerSeasonStats.objects.filter(player=player)
        .select_related("season__competition", "team")
        .order_by("-season__name", "season__competition__name", "team__name")
    )


def _chosen_season(request, stats: list[PlayerSeasonStats]):
    """The season ``?season=`` picks for the match log and shot map (None: all); one he has no row in is a 404."""
    row = read.pick(request.GET, "season", stats, "He played no match in that season.", key=lambda row: row.season_id)
    return None if row is None else row.season


def _team_of(appearance):
    match, line = appearance
    return match.home_team if line.team_id == match.home_team_id else match.away_team


def _page_table(request, player: Player, table: tables.Table, csv_view: str) -> dict:
    """What the table partial needs: the table, its sortable headers and its CSV link."""
    params = request.GET.copy()
    headers = []
    for column in table.columns:
        current = column.key == table.sort
        descending = not table.descending if current else column.descending_first
        params[f"{table.name}_sort"], params[f"{table.name}_dir"] = column.key, "desc" if descending else "asc"
        headers.append({
            "column": column,
            "url": f"?{params.urlencode()}#{table.name}",
            "aria_sort": ("descending" if table.descending else "ascending") if current else "",
        })
    query = request.GET.urlencode()
    csv_url = reverse(csv_view, args=[player.pk]) + (f"?{query}" if query else "")
    return {"table": table, "headers": headers, "csv_url": csv_url}


def _csv(table: tables.Table, filename: str) -> HttpResponse:
    return csv_response(f"{filename}.csv", None, table.csv_rows())  # the rows start with the header
