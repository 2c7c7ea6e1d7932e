"""The backtest pages: the list with the "New backtest" form, one backtest (polled while it runs), its CSV.

A backtest never runs inside a request: the form stores it and hands it to the task workers
(``trading.tasks.queue_backtest``); its page polls a fragment every two seconds until it is done,
then the fragment is the report, with no trigger left to poll again.
"""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from quantfoot import params as read
from quantfoot.downloads import csv_response
from trading import pages, tasks
from trading.forms import BacktestForm
from trading.models import Backtest
from trading.services import create_backtest, save_strategy


def _owner(request):
    return request.user if request.user.is_authenticated else None


@require_http_methods(["GET", "POST"])
def backtests_page(request):
    """Every backtest the reader may see, the strategies, and the form that queues a new one."""
    status = 200
    if request.method == "POST":
        form = BacktestForm(request.POST, user=request.user)
        status = 400
        if form.is_valid():
            owner = _owner(request)
            refusal = pages.queue_refusal(owner)
            if refusal:
                form.add_error(None, refusal)
                status = 429  # too many running: nothing wrong with the form
            else:
                backtest = _queue(form, owner)
                return redirect(backtest)
    else:
        form = BacktestForm(initial=_initial(request), user=request.user)
    return render(request, "trading/backtests.html", {
        "form": form,
        "backtests": pages.backtest_rows(request.user),
        "strategies": pages.strategy_list(request.user),
        "anonymous_limit": pages.ANONYMOUS_ACTIVE_LIMIT,
    }, status=status)


def _initial(request) -> dict:
    """?strategy=ID (a visible strategy's latest definition) and ?competition=ID preset the form."""
    initial = {}
    strategy_id = read.integer(request.GET, "strategy", what="an id")
    if strategy_id is not None:
        strategy = pages.visible_strategies(request.user).filter(pk=strategy_id).first()
        version = strategy.latest_version() if strategy else None
        if version is None:
            raise Http404("No such strategy.")
        initial.update(BacktestForm.initial_from(version.definition))
        if strategy.owner_id is not None:
            initial["save_as"] = strategy.name
    competition = _priced_competition(request)
    if competition is not None:
        initial["competition"] = competition
    return initial


def _priced_competition(request) -> int | None:
    """?competition=ID, which must have finished, priced matches (what the form offers)."""
    competition = read.integer(request.GET, "competition", what="an id")
    if competition is not None and not pages.priced_competitions().filter(pk=competition).exists():
        raise Http404("No competition with finished, priced matches has that id.")
    return competition


def _queue(form: BacktestForm, owner) -> Backtest:
    data = form.cleaned_data
    with transaction.atomic():
        version = save_strategy(owner, data["save_as"], form.spec) if owner and data.get("save_as", "").strip() else None
        backtest = create_backtest(form.spec, [data["competition"]], list(data["seasons"]), owner=owner,
                                   strategy_version=version, walk_forward_grid=form.walk_forward_grid())
        # After the commit, so a worker that takes it at once finds the row.
        transaction.on_commit(lambda: tasks.queue_backtest(backtest))
    return backtest


@require_GET
def season_choices(request):
    """The seasons field for ?competition= (htmx swaps it in when the competition changes)."""
    form = BacktestForm(initial={"competition": _priced_competition(request)}, user=request.user)
    return render(request, "trading/partials/_season_field.html", {"field": form["seasons"]})


def _backtest_or_404(request, pk: int) -> Backtest:
    return get_object_or_404(pages.visible_backtests(request.user).select_related("strategy_version__strategy"), pk=pk)


def _body_context(request, backtest: Backtest) -> dict:
    context = {"backtest": backtest, "name": pages.backtest_name(backtest),
               "definition": pages.describe(backtest.definition),
               "definition_fields": pages.definition_fields(backtest.definition)}
    if backtest.status == Backtest.Status.DONE:
        report = backtest.report
        context.update(
            figures=pages.figures(report),
            breakdowns=[("Per market", pages.table_rows(report.get("markets", []), "label"), "markets"),
                        ("Per competition", pages.table_rows(report.get("competitions", []), "name"), "competitions"),
                        ("Profit per month", pages.table_rows(report.get("months", []), "month"), "months")],
            chart=pages.equity_chart(backtest),
            risks=pages.risk_rows(backtest.monte_carlo or {}),
            windows=pages.window_rows(backtest.windows or []),
            window_totals=pages.window_total_rows(backtest.windows or []),
            seen=backtest.data_seen,
            bet_page=pages.bet_page(backtest, read.integer(request.GET, "page", 1, min_value=1,
                                                           max_value=pages.bet_pages(backtest),
                                                           what="a page of the bet log")),
        )
    else:
        competitions = ", ".join(competition.name for competition in backtest.competitions.all())
        seasons = ", ".join(sorted(season.name for season in backtest.seasons.all()))
        context["runs_on"] = f"{competitions}: {seasons}"
    return context


@require_GET
def backtest_page(request, pk):
    """One backtest: its progress while it runs, its report, risk, walk-forward and bet log once done."""
    backtest = _backtest_or_404(request, pk)
    return render(request, "trading/backtest_detail.html", _body_context(request, backtest))


@require_GET
def backtest_status(request, pk):
    """The page's body as it is now: the progress (polling again in 2 s) or, once finished, the report."""
    backtest = _backtest_or_404(request, pk)
    return render(request, "trading/partials/_backtest_body.html", _body_context(request, backtest))


@require_GET
def backtest_csv(request, pk):
    """The whole bet log, one row per bet."""
    backtest = _backtest_or_404(request, pk)
    if backtest.status != Backtest.Status.DONE:
        raise Http404("This backtest has no bet log yet.")
    filename = slugify(f"backtest {backtest.pk} {pages.backtest_name(backtest)}") + "-bets.csv"
    return csv_response(filename, pages.CSV_HEADER, pages.csv_rows(backtest))
