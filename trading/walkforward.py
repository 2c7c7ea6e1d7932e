"""Walk-forward: a parameter grid chosen on a rolling training window, applied to the window after it.

Windows are seasons: with seasons A, B, C, D and one training season, the grid is fitted on A and
the best setting bets B, then fitted on B and bets C, and so on. The best setting is the one whose
bankroll grew most on the training window among those with at least ``min_bets`` bets (a setting
that bets twice and wins twice is luck, not a fit). A window where no setting bets that often (a
training season without predictions) is not bet at all: nothing was fitted, so nothing is chosen. Out of sample, the bankroll carries over from
one window to the next, so the out-of-sample log reads as one continuous season of betting.

In-sample figures (the chosen setting on its own training window) beside the out-of-sample ones
show how much of a backtest's profit was fitting: the gap between them is what a user should
expect to lose by choosing parameters after the fact.

Grid keys are strategy fields (``edge``, ``min_price``, ``max_price``, ``move``, ``commission``),
``kelly`` (a fraction of full Kelly, staking ``kelly:F:cap`` with the strategy's cap), ``stake``
(stake texts) or ``model`` (dixon_coles, elo: each model's probabilities are given in
``model_columns``, since the rows, prices and results are the same for every model); each key's
values are tried in every combination.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Callable
from dataclasses import dataclass, fields

import numpy as np

from trading import engine, metrics
from trading.engine import BetLog, Candidates
from trading.strategy import StrategyError, StrategySpec

DEFAULT_GRID = {"edge": [0.02, 0.05, 0.1], "kelly": [0.1, 0.25, 0.5], "max_price": [2.5, 4.0, 10.0]}
GRID_KEYS = ("edge", "min_price", "max_price", "move", "commission", "kelly", "stake", "model")
MIN_BETS = 30


@dataclass
class Window:
    train: list[int]  # season ids
    test: int
    setting: dict | None  # None: no setting bet ``min_bets`` times in training, so the window was not bet
    in_sample: dict
    out_of_sample: dict


@dataclass
class WalkForward:
    windows: list[Window]
    out_of_sample: BetLog
    in_sample: dict  # the chosen settings' training figures, summed over the windows

    def windows_as_dicts(self, season_names: dict[int, str] | None = None) -> list[dict]:
        names = season_names or {}
        return [{"train": [names.get(s, s) for s in w.train], "test": names.get(w.test, w.test),
                 "setting": w.setting, "in_sample": w.in_sample, "out_of_sample": w.out_of_sample}
                for w in self.windows]


def settings(spec: StrategySpec, grid: dict) -> list[tuple[dict, StrategySpec]]:
    """Every combination of the grid, as (the setting, the strategy with it)."""
    for key in grid:
        if key not in GRID_KEYS:
            raise StrategyError(f"grid.{key}", f"not a grid key; use {', '.join(GRID_KEYS)}")
        if not isinstance(grid[key], (list, tuple)) or not grid[key]:
            raise StrategyError(f"grid.{key}", "a list of values to try")
    keys = list(grid)
    found = []
    cap = spec.stake_plan.cap
    for values in itertools.product(*(grid[key] for key in keys)):
        setting = dict(zip(keys, values))
        changes = {key: value for key, value in setting.items() if key not in ("kelly",)}
        if "kelly" in setting:
            changes["stake"] = f"kelly:{setting['kelly']}:{cap}"
        found.append((setting, spec.replace(**changes)))
    return found


def season_order(candidates: Candidates) -> list[int]:
    """Season ids in the order their first match was played."""
    order = {}
    for season, day in zip(candidates.season_id.tolist(), candidates.day.tolist()):
        order.setdefault(season, day)
    return sorted(order, key=order.get)


def walk_forward(candidates: Candidates, spec: StrategySpec, grid: dict, *, train_seasons: int = 1,
                 min_bets: int = MIN_BETS, on_window: Callable[[int, int], None] | None = None,
                 model_columns: dict[str, np.ndarray] | None = None) -> WalkForward:
    seasons = season_order(candidates)
    columns = {spec.model: candidates.model, **(model_columns or {})}
    for model in grid.get("model", []):
        if model not in columns:
            raise StrategyError("grid.model", f"no probabilities given for {model!r}")
    by_model = {model: dataclasses.replace(candidates, model=column) for model, column in columns.items()}
    if len(seasons) <= train_seasons:
        raise StrategyError("seasons", f"a walk-forward needs more than {train_seasons} season(s) of priced "
                                       f"matches; these have {len(seasons)}")
    tried = settings(spec, grid)
    by_season = {season: np.flatnonzero(candidates.season_id == season) for season in seasons}
    windows, logs = [], []
    bankroll = spec.bankroll
    total = len(seasons) - train_seasons
    for done, position in enumerate(range(train_seasons, len(seasons)), start=1):
        train = seasons[position - train_seasons:position]
        test = seasons[position]
        train_index = np.concatenate([by_season[s] for s in train])
        training = {model: rows.take(train_index) for model, rows in by_model.items()}
        scored = []
        for order, (setting, trial) in enumerate(tried):
            log = engine.run(training[trial.model], trial)
            if len(log) >= min_bets:
                growth = float(log.profit.sum()) / trial.bankroll
                scored.append((growth, -order, setting, trial, log))
        if scored:
            _, _, setting, trial, training_log = max(scored, key=lambda item: item[:2])
            test_rows = by_model[trial.model].take(by_season[test])
        else:  # nothing was fitted: stay out of the next window
            setting, trial = None, spec
            training_log = engine.run(Candidates.empty(), spec)
            test_rows = Candidates.empty()
        tested = engine.run(test_rows, trial.replace(bankroll=max(bankroll, 1e-9)))
        bankroll += float(tested.profit.sum())
        logs.append(tested)
        windows.append(Window(train, test, setting, _summary(training_log), _summary(tested)))
        if on_window:
            on_window(done, total)
    combined = concatenate(logs, spec.bankroll)
    in_sample = {"profit": sum(w.in_sample["profit"] for w in windows),
                 "staked": sum(w.in_sample["staked"] for w in windows),
                 "bets": sum(w.in_sample["bets"] for w in windows)}
    in_sample["roi"] = in_sample["profit"] / in_sample["staked"] if in_sample["staked"] else None
    return WalkForward(windows, combined, in_sample)


def _summary(log: BetLog) -> dict:
    figures = metrics.report(log)
    return {key: figures[key] for key in ("bets", "staked", "profit", "roi", "growth", "max_drawdown", "clv")}


def concatenate(logs: list[BetLog], start_bankroll: float) -> BetLog:
    if not logs:
        return engine.run(Candidates.empty(), StrategySpec(rule="back", selection="home"))
    rows = Candidates(**{f.name: np.concatenate([getattr(log.rows, f.name) for log in logs])
                         for f in fields(Candidates)})
    joined = {name: np.concatenate([getattr(log, name) for log in logs])
              for name in ("probability", "stake", "gross", "commission", "bankroll_before")}
    return BetLog(rows, start_bankroll=start_bankroll, **joined)
