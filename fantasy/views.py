"""The fantasy pages: the gameweeks we project, one gameweek's projections (ours or your upload), its CSV.

A signed-in reader uploads his own projections for a gameweek (``fantasy.uploads``): the file is
checked whole, and the page then offers "Yours" beside "Ours"; nobody else sees it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from fantasy import pages, uploads
from fantasy.models import Game
from matches.models import Season
from matches.tables import query
from quantfoot import params as read
from quantfoot.downloads import csv_response


class UploadForm(forms.Form):
    file = forms.FileField(label="Your projections (CSV)",
                           help_text="A header with player and points, optionally minutes and ownership; player is "
                                     "our id or a name.")


def _target(season: Season, gameweek: int) -> uploads.Target:
    return uploads.Target(game=Game.FPL, season_id=season.pk, gameweek=gameweek)


@require_GET
def fantasy_home(request):
    return render(request, "fantasy/home.html", {"seasons": pages.gameweeks()})


def _gameweek(season_pk: int, gameweek: int) -> Season:
    season = get_object_or_404(Season.objects.select_related("competition"), pk=season_pk)
    if not 1 <= gameweek <= 47:
        raise Http404("No such gameweek.")
    return season


def _chosen_set(request, season, gameweek):
    source = read.choice(request.GET, "source", ("ours", "yours"), "ours")
    mine = uploads.latest_upload(request.user, _target(season, gameweek))
    site = pages.site_set(season, gameweek)
    chosen = mine if source == "yours" and mine else site
    return source if chosen is mine and mine else "ours", chosen, mine, site


@require_http_methods(["GET", "POST"])
def gameweek_page(request, season_pk: int, gameweek: int):
    season = _gameweek(season_pk, gameweek)
    errors = []
    form = UploadForm()
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                uploads.save(request.user, _target(season, gameweek), upload.read(), filename=upload.name)
            except uploads.UploadError as exc:
                errors = exc.errors
            else:
                return redirect(f"{request.path}?source=yours")
    source, chosen, mine, site = _chosen_set(request, season, gameweek)
    sort, descending = read.sort(request.GET, pages.SORTABLE, "points")
    columns = pages.shown_columns(chosen) if chosen else []
    table = pages.rows(chosen, season, gameweek, sort, descending, columns) if chosen else []
    return render(request, "fantasy/gameweek.html", {
        "season": season, "gameweek": gameweek, "source": source, "chosen": chosen, "mine": mine, "site": site,
        "table": table, "columns": columns, "sort": sort, "descending": descending, "form": form,
        "upload_errors": errors, "previous": gameweek - 1 if gameweek > 1 else None, "next": gameweek + 1,
        "headers": [(column, query(request.GET, sort=column.key,
                                   dir=("asc" if descending else "desc") if column.key == sort else None)
                     if column.sortable else None) for column in columns],
    }, status=400 if errors or (request.method == "POST" and not form.is_valid()) else 200)


@require_GET
def gameweek_csv(request, season_pk: int, gameweek: int):
    season = _gameweek(season_pk, gameweek)
    source, chosen, _, _ = _chosen_set(request, season, gameweek)
    if chosen is None:
        raise Http404("No projections for this gameweek.")
    columns = pages.shown_columns(chosen)
    table = pages.rows(chosen, season, gameweek, "points", True)
    name = f"projections-{season.name.replace('/', '-')}-gw{gameweek}-{source}.csv"
    return csv_response(name, [column.title for column in columns], pages.csv_rows(table, columns))
