"""Backtest benchmark: our engine beside penaltyblog's backtest, same bets on the same data, same run.

Targets (issue 14): a season backtest with 10,000 Monte Carlo paths under 2 s, a walk-forward
over four seasons with a 27-setting grid under 60 s, each with the same profit to the cent as
penaltyblog's ``Backtest`` (bench/requirements.txt installs it) and our time as a ratio to theirs.

Setup, not timed: the four E0 seasons 2020/21-2023/24 imported with ``import_football_data``,
then ``predict_history`` (2020/21 is only learned from, so it has prices and no predictions).
On SQLite the prepared database is kept and copied back for the next repetitions.

- Season: the value rule on 2023/24 (edge 5%, 1X2, Pinnacle's closing prices, flat stake 1:
  penaltyblog's account adds each bet's profit to the bankroll, so flat stakes are what it can
  match). Ours: ``trading.data.load`` + ``engine.run`` + ``metrics.report`` + ``montecarlo.simulate``
  (10,000 paths, probability method). Theirs: ``Backtest`` over a frame of the same candidates
  (one row per match: date, our probabilities, Pinnacle's closing prices, the result; the frame is
  built untimed) with a logic function that places the same bets.
- Walk-forward: ``walk_forward`` with the 27-setting grid over the four seasons (three windows;
  the first trains on 2020/21, where no setting bets, so ``walk_forward`` stays out of 2021/22), and
  again over the three predicted seasons (two windows, both real fits).
  Theirs: every setting a ``Backtest`` of the training season, the best chosen by the same rule
  (highest profit / bankroll among settings with at least 30 bets, ties to the earlier setting,
  no bet in the test season when none has 30), then a ``Backtest`` of the test season with it, the
  bankroll carried over.

Figures: ``load``, ``engine`` (run + report), ``mc`` (10,000 paths) and their sum ``ours`` (target
2 s); ``theirs``; ``bootstrap`` (printed, not in ``ours``); ``wf_ours`` (load + walk_forward, four
seasons, target 60 s) and ``wf_theirs``; ``wf3_ours`` and ``wf3_thrs`` (three seasons); ``total`` is
``ours`` + ``wf_ours``. A profit or bet count that differs exits non-zero, naming the bets that differ.
"""

import importlib.util
import io
import itertools
import logging
import os
import shutil
import statistics
from pathlib import Path
from time import perf_counter

os.environ.setdefault("TQDM_DISABLE", "1")  # penaltyblog's Backtest draws a tqdm bar; read when tqdm is imported

import numpy as np

from trading import engine, metrics, montecarlo
from trading.strategy import StrategySpec
from trading.walkforward import MIN_BETS, settings, walk_forward

FILES = ("2021.csv", "2122.csv", "2223.csv", "2324.csv")
SEASONS = ("2020/21", "2021/22", "2022/23", "2023/24")
PREDICTED = SEASONS[1:]  # predict_history learns from 2020/21 and forecasts the rest
TEST_SEASON = "2023/24"
SPEC = StrategySpec(rule="value", markets=("1x2",), edge=0.05, stake="flat:1", price="closing", bookmaker="PS")
GRID = {"edge": [0.02, 0.05, 0.1], "min_price": [1.5, 2.0, 2.5], "max_price": [3.0, 5.0, 10.0]}
PATHS = 10_000
SELECTIONS = ("home", "draw", "away")

_prepared: dict[str, Path] = {}  # SQLite: the database after setup, copied back for later repetitions
_seconds: dict[str, list[float]] = {}  # across repetitions, for the running medians printed after each


def benchmarks(data: Path) -> list[tuple[str, str, object, object]]:
    folder = data / "football-data" / "E0"
    missing = [name for name in FILES if not (folder / name).exists()]
    if missing:
        print(f"skipped backtest: {', '.join(str(folder / name) for name in missing)} not found")
        return []
    if importlib.util.find_spec("penaltyblog") is None:  # found, not imported: pandas loads only if we run
        print("skipped backtest: penaltyblog is not installed (.venv/bin/pip install -r bench/requirements.txt)")
        return []
    return [("backtest", "value rule, E0 2023/24 season + walk-forward of 27 settings, beside penaltyblog",
             {"ours": 2.0, "wf_ours": 60.0}, lambda: backtest(folder))]


# ------------------------------------------------------------------ setup (not timed)
def prepare(folder: Path):
    """The four seasons imported and walked forward; returns the competition."""
    from django.core.management import call_command
    from django.db import connection

    from matches.models import Competition

    sqlite = connection.vendor == "sqlite"
    if sqlite and "database" in _prepared:
        connection.close()
        shutil.copyfile(_prepared["database"], connection.settings_dict["NAME"])
    else:
        quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
        logging.disable(logging.WARNING)  # the imports' per-file notes are not this benchmark's figures
        try:
            call_command("import_football_data", *(str(folder / name) for name in FILES), **quiet)
            competition = Competition.objects.get(seasons__name=TEST_SEASON)
            call_command("predict_history", competition=[str(competition.pk)], **quiet)
        finally:
            logging.disable(logging.NOTSET)
        if sqlite:
            connection.close()
            name = Path(connection.settings_dict["NAME"])
            _prepared["database"] = name.with_name("backtest-prepared.sqlite3")  # dropped with the scratch folder
            shutil.copyfile(name, _prepared["database"])
    return Competition.objects.get(seasons__name=TEST_SEASON)


def seasons_of(competition, names) -> list:
    return sorted(competition.seasons.filter(name__in=names), key=lambda season: season.name)


# ------------------------------------------------------------------ penaltyblog's side
def match_frame(candidates: engine.Candidates):
    """One row per match for penaltyblog: date, our probabilities, the prices, the result (built untimed)."""
    import pandas as pd

    rows = {}
    for i in range(len(candidates)):
        if candidates.market[i] != "1x2":
            continue
        match_id, selection = int(candidates.match_id[i]), str(candidates.selection[i])
        row = rows.setdefault(match_id, {"match_id": match_id, "season_id": int(candidates.season_id[i]),
                                         "date": np.datetime64(candidates.kickoff[i], "D").astype(object)})
        row[f"p_{selection}"] = float(candidates.model[i])
        row[f"price_{selection}"] = float(candidates.price[i])
        if candidates.win[i] == 1:
            row["result"] = selection
    frame = pd.DataFrame(list(rows.values()))
    for selection in SELECTIONS:  # a selection no book priced: never backed
        for column in (f"p_{selection}", f"price_{selection}"):
            if column not in frame:
                frame[column] = np.nan
    return frame


def value_logic(edge: float, min_price: float, max_price: float, placed: list | None = None):
    """penaltyblog logic: back each selection whose probability x price beats 1 + edge, in the odds range."""
    threshold = 1.0 + edge  # the same float as trading.engine.select's

    def logic(ctx):
        fixture = ctx.fixture
        for selection in SELECTIONS:
            probability, price = fixture[f"p_{selection}"], fixture[f"price_{selection}"]
            if probability * price > threshold and min_price <= price <= max_price:
                ctx.account.place_bet(price, 1, 1 if fixture["result"] == selection else 0)
                if placed is not None:
                    placed.append((int(fixture["match_id"]), selection))
    return logic


def penaltyblog_backtest(frame, bankroll: float, logic) -> dict:
    from penaltyblog.backtest import Backtest

    backtest = Backtest(frame, frame["date"].min(), frame["date"].max())
    backtest.start(bankroll, logic)
    return backtest.results()


def penaltyblog_walk_forward(frames: dict, order: list[int], grid_settings: list[dict]) -> tuple[list, float]:
    """Their walk-forward: every setting on the training season, the best by our rule, then the test season."""
    windows, bankroll, profit = [], SPEC.bankroll, 0.0
    for train, test in zip(order, order[1:]):
        best = None
        for setting in grid_settings:
            result = penaltyblog_backtest(frames[train], SPEC.bankroll, value_logic(**_range(setting)))
            growth = result["Profit"] / SPEC.bankroll
            if result["Total Bets"] >= MIN_BETS and (best is None or growth > best[0]):  # ties: the earlier
                best = (growth, setting, result)
        if best is None:  # as walk_forward: nothing bets enough, the window is not bet
            windows.append({"setting": None, "in_bets": 0, "in_profit": 0.0, "out_bets": 0, "out_profit": 0.0})
            continue
        _, setting, training = best
        tested = penaltyblog_backtest(frames[test], bankroll, value_logic(**_range(setting)))
        bankroll += tested["Profit"]
        profit += tested["Profit"]
        windows.append({"setting": setting, "in_bets": training["Total Bets"], "in_profit": training["Profit"],
                        "out_bets": tested["Total Bets"], "out_profit": tested["Profit"]})
    return windows, profit


def _range(setting: dict) -> dict:
    return {"edge": setting.get("edge", SPEC.edge), "min_price": setting.get("min_price", SPEC.min_price),
            "max_price": setting.get("max_price", SPEC.max_price)}


# ------------------------------------------------------------------ the benchmark
def backtest(folder: Path) -> dict[str, float]:
    import penaltyblog.backtest  # noqa: F401  (imported here, untimed: seconds of package start-up)

    from trading.data import load

    competition = prepare(folder)
    first = not _seconds
    if first:
        print(machine_line("before"))

    # Season: ours, everything from the database to the Monte Carlo figures
    started = perf_counter()
    candidates, _seen = load([competition], seasons_of(competition, [TEST_SEASON]), SPEC)
    loaded = perf_counter()
    log = engine.run(candidates, SPEC)
    report = metrics.report(log)
    ran = perf_counter()
    risk = montecarlo.simulate(log, SPEC, paths=PATHS, method="probability")
    simulated = perf_counter()
    bootstrap = montecarlo.simulate(log, SPEC, paths=PATHS, method="bootstrap")
    bootstrapped = perf_counter()

    frame = match_frame(candidates)
    theirs_started = perf_counter()
    theirs = penaltyblog_backtest(frame, SPEC.bankroll, value_logic(SPEC.edge, SPEC.min_price, SPEC.max_price))
    theirs_done = perf_counter()
    check_season(log, report, theirs, frame)

    # Walk-forward, four seasons then the three predicted ones
    grid_settings = [dict(zip(GRID, values)) for values in itertools.product(*GRID.values())]  # the grid's order
    wf = {}
    for label, names in (("wf", SEASONS), ("wf3", PREDICTED)):
        started_wf = perf_counter()
        wf_candidates, _ = load([competition], seasons_of(competition, names), SPEC)
        result = walk_forward(wf_candidates, SPEC, GRID, train_seasons=1, min_bets=MIN_BETS)
        ours_wf = perf_counter() - started_wf
        frames = {int(season): group.reset_index(drop=True)
                  for season, group in match_frame(wf_candidates).groupby("season_id")}
        order = sorted(frames, key=lambda season: frames[season]["date"].min())
        theirs_started_wf = perf_counter()
        their_windows, their_profit = penaltyblog_walk_forward(frames, order, grid_settings)
        theirs_wf = perf_counter() - theirs_started_wf
        wf[label] = (result, their_windows, their_profit, ours_wf, theirs_wf)
        check_walk_forward(label, result, their_windows, their_profit)

    figures = {"load": loaded - started, "engine": ran - loaded, "mc": simulated - ran, "ours": simulated - started,
               "theirs": theirs_done - theirs_started, "bootstrap": bootstrapped - simulated,
               "wf_ours": wf["wf"][3], "wf_theirs": wf["wf"][4], "wf3_ours": wf["wf3"][3], "wf3_thrs": wf["wf3"][4]}
    figures["total"] = figures["ours"] + figures["wf_ours"]
    for name, seconds in figures.items():
        _seconds.setdefault(name, []).append(seconds)
    if first:
        print_details(report, risk, bootstrap, theirs, wf)
    print_medians()
    if first:
        print(machine_line("after the first repetition"))
    return figures


# ------------------------------------------------------------------ parity
def check_season(log: engine.BetLog, report: dict, theirs: dict, frame) -> None:
    ours_bets, ours_profit = report["bets"], report["profit"]
    if ours_bets == theirs["Total Bets"] and _cents(ours_profit) == _cents(theirs["Profit"]):
        return
    placed = []
    penaltyblog_backtest(frame, SPEC.bankroll, value_logic(SPEC.edge, SPEC.min_price, SPEC.max_price, placed))
    ours = set(zip(log.rows.match_id.tolist(), log.rows.selection.tolist()))
    raise SystemExit(f"backtest season: ours {ours_bets} bets, profit {ours_profit:.2f}; penaltyblog "
                     f"{theirs['Total Bets']} bets, profit {theirs['Profit']:.2f}; only ours: "
                     f"{sorted(ours - set(placed))[:10]}; only theirs: {sorted(set(placed) - ours)[:10]}")


def check_walk_forward(label: str, result, their_windows: list, their_profit: float) -> None:
    ours_profit = float(result.out_of_sample.profit.sum())
    problems = [f"window {i + 1}: ours {w.setting} ({w.out_of_sample['bets']} bets, {w.out_of_sample['profit']:.2f}), "
                f"penaltyblog {t['setting']} ({t['out_bets']} bets, {t['out_profit']:.2f})"
                for i, (w, t) in enumerate(zip(result.windows, their_windows))
                if w.setting != t["setting"] or w.out_of_sample["bets"] != t["out_bets"]
                or _cents(w.out_of_sample["profit"]) != _cents(t["out_profit"])]
    if problems or _cents(ours_profit) != _cents(their_profit):
        raise SystemExit(f"backtest {label}: out-of-sample profit ours {ours_profit:.2f}, penaltyblog "
                         f"{their_profit:.2f}; " + "; ".join(problems))


def _cents(value: float) -> int:
    return round(float(value) * 100)


# ------------------------------------------------------------------ printing
def machine_line(when: str) -> str:
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines() if Path("/proc/cpuinfo").exists() else []
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), "unknown CPU")
    cores = sum(1 for line in cpuinfo if line.startswith("processor")) or os.cpu_count()
    load = " ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"backtest machine: {model}, {cores} cores (/proc/cpuinfo), load average {load} ({when})"


def _setting(setting: dict | None) -> str:
    if setting is None:
        return "none"
    return " ".join(f"{key}={value:g}" for key, value in setting.items())


def _risk(name: str, risk: dict) -> str:
    final, drawdown = risk["final"], risk["max_drawdown"]
    return (f"  Monte Carlo {name}, {risk['paths']:,} paths: final bankroll p5 {final['5']:.2f} / p50 {final['50']:.2f}"
            f" / p95 {final['95']:.2f} (mean {risk['final_mean']:.2f}, start {risk['start_bankroll']:g}); "
            f"P(profit) {risk['profit_probability']:.1%}, P(ruin) {risk['ruin_probability']:.2%}; "
            f"max drawdown p50 {drawdown['50']:.2f} / p95 {drawdown['95']:.2f}")


def print_details(report: dict, risk: dict, bootstrap: dict, theirs: dict, wf: dict) -> None:
    print(f"backtest season {TEST_SEASON}: value edge {SPEC.edge:g}, 1X2, Pinnacle closing, flat 1")
    print(f"  ours:        {report['bets']} bets, staked {report['staked']:.2f}, profit {report['profit']:.2f}, "
          f"ROI {report['roi']:.2%}, max drawdown {report['max_drawdown']:.2f}, CLV {report['clv']:.4f}")
    print(f"  penaltyblog: {theirs['Total Bets']} bets, profit {theirs['Profit']:.2f} -> equal to the cent")
    print(_risk("probability", risk))
    print(_risk("bootstrap", bootstrap))
    names = {season.pk: season.name for season in _season_objects()}
    for label, (result, their_windows, their_profit, _, _) in wf.items():
        print(f"backtest walk-forward {label} ({len(result.windows) + 1} seasons, {len(result.windows)} windows, "
              f"{len(settings(SPEC, GRID))} settings, at least {MIN_BETS} bets to be chosen):")
        for window, theirs_window in zip(result.windows, their_windows):
            fallback = " (not bet: no setting had 30 bets in training)" if window.setting is None else ""
            print(f"  {names[window.train[0]]} -> {names[window.test]}: ours {_setting(window.setting)}{fallback}, "
                  f"in-sample {window.in_sample['bets']} bets {window.in_sample['profit']:.2f}, out-of-sample "
                  f"{window.out_of_sample['bets']} bets {window.out_of_sample['profit']:.2f} | penaltyblog "
                  f"{_setting(theirs_window['setting'])}, in {theirs_window['in_bets']} bets "
                  f"{theirs_window['in_profit']:.2f}, out {theirs_window['out_bets']} bets "
                  f"{theirs_window['out_profit']:.2f}")
        print(f"  out-of-sample profit: ours {float(result.out_of_sample.profit.sum()):.2f} "
              f"({len(result.out_of_sample)} bets), penaltyblog {their_profit:.2f} -> equal to the cent; "
              f"in-sample ours {result.in_sample['profit']:.2f} ({result.in_sample['bets']} bets)")


def _season_objects():
    from matches.models import Season
    return Season.objects.filter(name__in=SEASONS)


def print_medians() -> None:
    """Medians over the repetitions so far, the ratios from them: the last of these lines is the one to quote."""
    m = {name: statistics.median(values) for name, values in _seconds.items()}
    print(f"backtest medians over {len(_seconds['ours'])} repetition(s), load average {os.getloadavg()[0]:.2f}:\n"
          f"  season: ours {m['ours']:.3f} s (load {m['load']:.3f}, run+report {m['engine']:.4f}, {PATHS:,} paths "
          f"{m['mc']:.3f}; the bootstrap {m['bootstrap']:.3f} more), penaltyblog {m['theirs']:.3f} s, "
          f"ratio ours/theirs {m['ours'] / m['theirs']:.2f} (run+report alone {m['engine'] / m['theirs']:.3f})\n"
          f"  walk-forward, 4 seasons: ours {m['wf_ours']:.3f} s, penaltyblog {m['wf_theirs']:.3f} s, "
          f"ratio {m['wf_ours'] / m['wf_theirs']:.3f}\n"
          f"  walk-forward, 3 predicted seasons: ours {m['wf3_ours']:.3f} s, penaltyblog {m['wf3_thrs']:.3f} s, "
          f"ratio {m['wf3_ours'] / m['wf3_thrs']:.3f}", flush=True)
