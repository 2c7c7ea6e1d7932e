"""The fantasy pages: the gameweeks we project, one gameweek's projections (ours or your upload), its CSV.

A signed-in reader uploads his own projections for a gameweek (``fantasy.uploads``): the file is
checked whole, and the page then offers "Yours" beside "Ours"; nobody else sees it.
"""

from __future__ import annotations

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fantasy import optimizing, pages, tasks, uploads
from fantasy.forms import DkLineupsForm, FplSquadForm
from fantasy.models import Game, Optimization, Slate
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


def _squad_form(request, season, gameweek, data=None) -> FplSquadForm:
    target = _target(season, gameweek)
    has_upload = request.user.is_authenticated and uploads.latest_upload(request.user, target) is not None
    return FplSquadForm(data, target=target, has_upload=has_upload)


def _render_gameweek(request, season, gameweek, *, form=None, squad_form=None, errors=(), status=200):
    source, chosen, mine, site = _chosen_set(request, season, gameweek)
    sort, descending = read.sort(request.GET, pages.SORTABLE, "points")
    columns = pages.shown_columns(chosen) if chosen else []
    table = pages.rows(chosen, season, gameweek, sort, descending, columns) if chosen else []
    return render(request, "fantasy/gameweek.html", {
        "season": season, "gameweek": gameweek, "source": source, "chosen": chosen, "mine": mine, "site": site,
        "table": table, "columns": columns, "sort": sort, "descending": descending, "form": form or UploadForm(),
        "squad_form": squad_form or _squad_form(request, season, gameweek),
        "optimizations": _recent(request.user, season=season, gameweek=gameweek),
        "upload_errors": errors, "previous": gameweek - 1 if gameweek > 1 else None, "next": gameweek + 1,
        "headers": [(column, query(request.GET, sort=column.key,
                                   dir=("asc" if descending else "desc") if column.key == sort else None)
                     if column.sortable else None) for column in columns],
    }, status=status)


def _recent(user, **target):
    return list(optimizing.visible_optimizations(user).filter(**target).select_related("slate", "season")[:5])


@require_http_methods(["GET", "POST"])
def gameweek_page(request, season_pk: int, gameweek: int):
    season = _gameweek(season_pk, gameweek)
    if request.method == "GET":
        return _render_gameweek(request, season, gameweek)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            uploads.save(request.user, _target(season, gameweek), upload.read(), filename=upload.name)
        except uploads.UploadError as exc:
            return _render_gameweek(request, season, gameweek, form=form, errors=exc.errors, status=400)
        return redirect(f"{request.path}?source=yours")
    return _render_gameweek(request, season, gameweek, form=form, status=400)


def _queue(request, make, render_invalid):
    """Store the request and hand it to the workers after the commit, or the form again with the refusal."""
    owner = request.user if request.user.is_authenticated else None
    refusal = optimizing.queue_refusal(owner)
    if refusal:
        return render_invalid(refusal, 429)
    with transaction.atomic():
        optimization = make(owner)
        transaction.on_commit(lambda: tasks.queue_optimization(optimization))
    return redirect(optimization)


@require_POST
def gameweek_optimize(request, season_pk: int, gameweek: int):
    """The best squad (or transfers) for the gameweek, queued as a task; the answer's page polls it."""
    season = _gameweek(season_pk, gameweek)
    squad_form = _squad_form(request, season, gameweek, request.POST)

    def invalid(message=None, status=400):
        if message:
            squad_form.add_error(None, message)
        return _render_gameweek(request, season, gameweek, squad_form=squad_form, status=status)

    if not squad_form.is_valid():
        return invalid()
    return _queue(request, lambda owner: optimizing.create_fpl_squad(
        owner, season, gameweek, squad_form.cleaned_data["source"], squad_form.settings()), invalid)


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


# ------------------------------------------------------------------ slates


@require_GET
def slates_page(request):
    slates = Slate.objects.select_related("season__competition").annotate(player_count=Count("players"))
    return render(request, "fantasy/slates.html", {"slates": slates})


def _render_slate(request, slate, *, optimize_form=None, upload_form=None, errors=(), status=200):
    sources = optimizing.slate_sources(request.user, slate)
    target = uploads.Target(game=Game.DK_CLASSIC, slate=slate)
    mine = uploads.latest_upload(request.user, target) if request.user.is_authenticated else None
    yours = optimizing.player_points(mine) if mine else {}
    players = optimizing.slate_players(slate)
    return render(request, "fantasy/slate.html", {
        "slate": slate, "players": [(row, yours.get(row.player_id) if mine else None) for row in players],
        "mine": mine, "sources": sources, "upload_form": upload_form or UploadForm(), "upload_errors": errors,
        "optimize_form": optimize_form or DkLineupsForm(slate=slate, sources=sources),
        "optimizations": _recent(request.user, slate=slate),
        "matches": slate.matches.select_related("home_team", "away_team").order_by("kickoff"),
    }, status=status)


@require_http_methods(["GET", "POST"])
def slate_page(request, pk: int):
    """A slate: its players and salaries, your projections' upload, and the lineup optimizer's form."""
    slate = get_object_or_404(Slate.objects.select_related("season__competition"), pk=pk)
    if request.method == "GET":
        return _render_slate(request, slate)
    if read.choice(request.POST, "action", ("optimize", "upload"), "optimize") == "upload":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return _render_slate(request, slate, upload_form=form, status=400)
        upload = form.cleaned_data["file"]
        try:
            uploads.save(request.user, uploads.Target(game=Game.DK_CLASSIC, slate=slate), upload.read(),
                         filename=upload.name)
        except uploads.UploadError as exc:
            return _render_slate(request, slate, upload_form=form, errors=exc.errors, status=400)
        return redirect(request.path)
    form = DkLineupsForm(request.POST, slate=slate, sources=optimizing.slate_sources(request.user, slate))

    def invalid(message=None, status=400):
        if message:
            form.add_error(None, message)
        return _render_slate(request, slate, optimize_form=form, status=status)

    if not form.is_valid():
        return invalid()
    return _queue(request, lambda owner: optimizing.create_dk_lineups(owner, slate, form.cleaned_data["source"],
                                                                      form.settings()), invalid)


# ------------------------------------------------------------------ an optimization's answer


def _optimization_or_404(request, pk: int) -> Optimization:
    return get_object_or_404(optimizing.visible_optimizations(request.user)
                             .select_related("slate", "season__competition", "projection_set"), pk=pk)


@require_GET
def optimization_page(request, pk: int):
    """One run: its progress while it runs (polled), then the squad or the lineups."""
    optimization = _optimization_or_404(request, pk)
    return render(request, "fantasy/optimization.html", pages.optimization_context(optimization))


@require_GET
def optimization_status(request, pk: int):
    optimization = _optimization_or_404(request, pk)
    return render(request, "fantasy/partials/_optimization_body.html", pages.optimization_context(optimization))


@require_GET
def optimization_csv(request, pk: int):
    """The lineups in DraftKings' upload format (a squad's players as a plain list)."""
    optimization = _optimization_or_404(request, pk)
    if optimization.status != Optimization.Status.DONE:
        raise Http404("This optimization has no answer yet.")
    if optimization.kind == Optimization.Kind.DK_LINEUPS:
        header, rows = optimizing.dk_upload_rows(optimization)
        return csv_response(f"draftkings-lineups-{optimization.pk}.csv", header, rows)
    squad = optimization.result.get("squad", [])
    return csv_response(f"fpl-squad-{optimization.pk}.csv", ["id", "name", "position", "club", "price", "points"],
                        [[p["id"], p["name"], p["position"], p["club"], p["price"], p["points"]] for p in squad])
