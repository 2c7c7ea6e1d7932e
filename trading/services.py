"""Running a backtest and storing it: the one way in, for the command, the page's task and the admin.

``run_backtest`` reads the data (``trading.data``), runs the engine, the report and the Monte
Carlo risk (and, for a walk-forward, the refits), and stores everything with the backtest in one
transaction; progress is written to the row as it goes so the page can show it.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from django.db import transaction
from django.utils import timezone

from matches.models import Competition, Season
from trading import engine, metrics, montecarlo
from trading.data import load
from trading.models import Backtest, BacktestBet, Strategy, StrategyVersion
from trading.strategy import StrategySpec
from trading.walkforward import DEFAULT_GRID, walk_forward

Progress = Callable[[int, str], None]
MONTE_CARLO_PATHS = 10_000


def create_backtest(spec: StrategySpec, competitions: list[Competition], seasons: list[Season], *,
                    owner=None, strategy_version=None, walk_forward_grid: dict | None = None) -> Backtest:
    backtest = Backtest.objects.create(owner=owner, strategy_version=strategy_version, definition=spec.as_dict(),
                                       walk_forward=walk_forward_grid is not None, grid=walk_forward_grid or {})
    backtest.competitions.set(competitions)
    backtest.seasons.set(seasons)
    return backtest


@transaction.atomic
def save_strategy(owner, name: str, spec: StrategySpec) -> StrategyVersion:
    """The owner's strategy of that name at this definition: its latest version if the definition is the
    same, else a new version (a definition is never edited in place); the strategy is made if new."""
    strategy, _ = Strategy.objects.get_or_create(owner=owner, name=name.strip())
    latest = strategy.versions.select_for_update().order_by("-version").first()
    definition = spec.as_dict()
    if latest is not None and latest.definition == definition:
        return latest
    return StrategyVersion.objects.create(strategy=strategy, version=(latest.version + 1) if latest else 1,
                                          definition=definition)


def stored_run(spec: StrategySpec, competition: Competition, seasons: list[Season],
               walk_forward_grid: dict | None) -> Backtest | None:
    """The site's finished run of this definition on these seasons (and grid), if one is stored."""
    wanted = {season.pk for season in seasons}
    runs = (Backtest.objects.filter(owner__isnull=True, status=Backtest.Status.DONE, definition=spec.as_dict(),
                                    walk_forward=walk_forward_grid is not None, competitions=competition)
            .prefetch_related("seasons").order_by("-finished_at", "-pk"))
    for run in runs:
        if {season.pk for season in run.seasons.all()} == wanted and (run.grid or {}) == (walk_forward_grid or {}):
            return run
    return None


def _progress(backtest: Backtest, on_progress: Progress | None) -> Progress:
    def report(percent: int, message: str) -> None:
        Backtest.objects.filter(pk=backtest.pk).update(progress=percent, message=message[:200])
        if on_progress:
            on_progress(percent, message)
    return report


def run_backtest(backtest: Backtest, *, paths: int = MONTE_CARLO_PATHS, on_progress: Progress | None = None) -> Backtest:
    """Run a stored backtest to the end (or to a stored failure) and return it, filled in."""
    progress = _progress(backtest, on_progress)
    Backtest.objects.filter(pk=backtest.pk).update(status=Backtest.Status.RUNNING, started_at=timezone.now())
    try:
        spec = StrategySpec.from_dict(backtest.definition)
        competitions = list(backtest.competitions.order_by("pk"))
        seasons = sorted(backtest.seasons.all(), key=lambda season: season.name)
        progress(5, "reading matches, prices and predictions")
        candidates, seen = load(competitions, seasons, spec)
        names = {c.pk: str(c) for c in competitions}
        windows = []
        if backtest.walk_forward:
            progress(20, "walk-forward: fitting the grid on each training window")
            grid = backtest.grid or DEFAULT_GRID
            others = {model: _model_column(candidates, load(competitions, seasons, spec.replace(model=model))[0])
                      for model in grid.get("model", []) if model != spec.model}
            result = walk_forward(candidates, spec, grid, model_columns=others,
                                  on_window=lambda done, total: progress(20 + 50 * done // max(total, 1),
                                                                         f"walk-forward window {done}/{total}"))
            log, windows = result.out_of_sample, result.windows_as_dicts({s.pk: s.name for s in seasons})
        else:
            progress(30, f"backtesting {len(candidates)} priced selections")
            log = engine.run(candidates, spec)
        report = metrics.report(log, competition_names=names)
        progress(75, f"Monte Carlo: {paths:,} seasons")
        risk = {"probability": montecarlo.simulate(log, spec, paths=paths, method="probability"),
                "bootstrap": montecarlo.simulate(log, spec, paths=paths, method="bootstrap")}
        progress(95, "storing the bet log")
        with transaction.atomic():
            BacktestBet.objects.filter(backtest=backtest).delete()
            BacktestBet.objects.bulk_create(bet_rows(backtest, log), batch_size=1000)
            Backtest.objects.filter(pk=backtest.pk).update(
                status=Backtest.Status.DONE, progress=100, message="", data_seen=seen.as_dict(), report=report,
                equity=metrics.equity_curve(log), monte_carlo=_plain(risk), windows=_plain(windows),
                finished_at=timezone.now())
    except Exception as exc:
        Backtest.objects.filter(pk=backtest.pk).update(status=Backtest.Status.FAILED, message=str(exc)[:200],
                                                       finished_at=timezone.now())
        raise
    backtest.refresh_from_db()
    return backtest


def _model_column(candidates: engine.Candidates, other: engine.Candidates) -> np.ndarray:
    """Another model's probabilities for the same rows (the rows depend on prices alone, so they match)."""
    for name in ("match_id", "market", "selection", "line", "price"):
        if not np.array_equal(getattr(candidates, name), getattr(other, name)):
            raise AssertionError(f"candidates for two models differ in {name}")
    return other.model


def bet_rows(backtest: Backtest, log: engine.BetLog) -> list[BacktestBet]:
    rows = log.rows
    after = log.start_bankroll + np.cumsum(log.profit)
    labels = _labels(rows.win, rows.void, rows.lose)
    return [BacktestBet(
        backtest=backtest, match_id=int(rows.match_id[i]), market=str(rows.market[i]), line=round(float(rows.line[i]), 2),
        selection=str(rows.selection[i]), bookmaker=str(rows.bookmaker[i]), price=float(rows.price[i]),
        closing_price=_or_none(rows.closing[i]), probability=_or_none(log.probability[i]), stake=float(log.stake[i]),
        result=labels[i], profit=float(log.profit[i]), commission=float(log.commission[i]),
        bankroll_after=float(after[i])) for i in range(len(log))]


def _labels(win, void, lose) -> list[str]:
    from trading.settlement import Settlement
    return [Settlement(float(w), float(v), float(lo)).label for w, v, lo in zip(win, void, lose)]


def _or_none(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def _plain(value):
    """JSON-safe: numpy numbers as floats, nan as None."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if np.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value
