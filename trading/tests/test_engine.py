"""The engine, metrics, Monte Carlo and walk-forward on small worlds built in the test."""

import numpy as np
import pytest

from trading import engine, metrics, montecarlo
from trading.engine import Candidates
from trading.strategy import StrategyError, StrategySpec
from trading.walkforward import walk_forward

DAY = 19_700  # 2023-12-09


def row(match, day, selection="home", price=2.0, won=True, **extra):
    return {"match_id": match, "day": day, "market": "1x2", "selection": selection, "price": price,
            "win": 1.0 if won else 0.0, "kickoff": np.datetime64(day * 86400 + 15 * 3600, "s"), **extra}


def test_flat_stakes_profit_is_the_sum_of_price_minus_one_over_winners_less_the_losers():
    candidates = Candidates.from_rows([row(1, DAY, price=2.5), row(2, DAY, price=1.8, won=False),
                                       row(3, DAY + 1, price=3.0), row(3, DAY + 1, "away", 2.9, won=False)])
    log = engine.run(candidates, StrategySpec.from_rule("back:home", stake="flat:2"))
    assert len(log) == 3
    assert log.profit.sum() == pytest.approx(2 * (1.5 - 1 + 2.0))
    figures = metrics.report(log)
    assert figures["roi"] == pytest.approx(5.0 / 6.0)
    assert figures["hit_rate"] == pytest.approx(2 / 3)


def test_a_share_of_the_bankroll_is_taken_from_the_bankroll_of_that_morning():
    candidates = Candidates.from_rows([row(1, DAY, price=2.0), row(2, DAY, price=2.0, won=False),
                                       row(3, DAY + 1, price=2.0)])
    log = engine.run(candidates, StrategySpec.from_rule("back:home", stake="proportional:0.1", bankroll=100))
    # day one: both 10% of 100 (one wins 10, one loses 10); day two: 10% of 100 again
    assert log.stake.tolist() == pytest.approx([10, 10, 10])
    candidates = Candidates.from_rows([row(1, DAY, price=3.0), row(3, DAY + 1, price=2.0)])
    log = engine.run(candidates, StrategySpec.from_rule("back:home", stake="proportional:0.1", bankroll=100))
    assert log.stake.tolist() == pytest.approx([10, 12])  # 100 + 20 won on day one


def test_kelly_stakes_on_the_models_probability_and_skips_bets_without_an_edge():
    candidates = Candidates.from_rows([row(1, DAY, price=2.2, model=0.5), row(2, DAY + 1, price=1.9, model=0.5)])
    log = engine.run(candidates, StrategySpec.from_rule("value", edge=-0.4, stake="kelly:1:0.5", bankroll=120))
    assert len(log) == 1  # 0.5 × 1.9 < 1: Kelly stakes nothing
    assert log.stake[0] == pytest.approx(120 / 12)


def test_commission_is_on_the_markets_net_winnings_not_on_each_winning_bet():
    # home and draw backed in one match: the draw wins 1 × (4 − 1) = 3, the home bet loses 1: net 2
    candidates = Candidates.from_rows([row(1, DAY, "home", 2.0, won=False, model=0.6),
                                       row(1, DAY, "draw", 4.0, won=True, model=0.3)])
    log = engine.run(candidates, StrategySpec.from_rule("value", edge=0.1, commission=0.05))
    assert log.commission.sum() == pytest.approx(0.1)
    assert log.profit.sum() == pytest.approx(1.9)


def test_value_favourite_and_market_move_rules_pick_what_they_say():
    rows = [row(1, DAY, "home", 1.5, model=0.75, favourite_rank=0, opening=1.7),
            row(1, DAY, "draw", 4.2, won=False, model=0.2, favourite_rank=1, opening=4.0),
            row(1, DAY, "away", 7.0, won=False, model=0.1, favourite_rank=2, opening=6.0)]
    candidates = Candidates.from_rows(rows)
    picked = lambda spec: engine.run(candidates, spec).rows.selection.tolist()  # noqa: E731
    assert picked(StrategySpec.from_rule("value", edge=0.05)) == ["home"]  # 0.75 × 1.5 = 1.125
    assert picked(StrategySpec.from_rule("favourite_longshot")) == ["home"]
    assert picked(StrategySpec.from_rule("favourite_longshot", side="longshot")) == ["away"]
    assert picked(StrategySpec.from_rule("market_move", move=0.1)) == ["home"]  # 1.7 -> 1.5 is 11.8% shorter
    assert picked(StrategySpec.from_rule("value", edge=0.05, max_price=1.4)) == []


def test_drawdown_losing_run_and_months_of_a_worked_log():
    profits = [2.0, -1.0, -3.0, 1.0, 5.0]  # bankroll 10 -> 12 -> 11 -> 8 -> 9 -> 14
    equity = 10 + np.concatenate([[0], np.cumsum(profits)])
    found = metrics.drawdown(equity, np.array([DAY, DAY + 1, DAY + 3, DAY + 9, DAY + 20]))
    assert found["max_drawdown"] == pytest.approx(4.0)
    assert found["max_drawdown_share"] == pytest.approx(4 / 12)
    assert found["drawdown_bets"] == 4  # from the peak after bet 1 to the recovery after bet 5
    assert found["drawdown_days"] == 20  # the first bet's day to the fifth's
    assert metrics.longest_losing_run(np.array(profits)) == 2


def test_closing_line_value_is_price_over_close_less_one():
    candidates = Candidates.from_rows([row(1, DAY, price=2.2, closing=2.0), row(2, DAY, price=1.9, closing=2.0)])
    figures = metrics.report(engine.run(candidates, StrategySpec.from_rule("back:home")))
    assert figures["clv"] == pytest.approx((0.1 - 0.05) / 2)
    assert figures["beat_close"] == 0.5


def test_monte_carlo_of_sure_bets_is_certain_and_of_hopeless_ones_ruins():
    sure = Candidates.from_rows([row(i, DAY + i, price=1.5, model=1.0) for i in range(50)])
    spec = StrategySpec.from_rule("back:home", stake="flat:1", bankroll=10)
    risk = montecarlo.simulate(engine.run(sure, spec), spec, paths=500)
    assert risk["final"]["5"] == pytest.approx(35.0) and risk["final"]["95"] == pytest.approx(35.0)
    assert risk["ruin_probability"] == 0.0
    hopeless = Candidates.from_rows([row(i, DAY + i, price=1.5, model=0.01, won=False) for i in range(50)])
    risk = montecarlo.simulate(engine.run(hopeless, spec), spec, paths=500)
    assert risk["ruin_probability"] > 0.99
    assert risk["band"]["p5"][-1] <= risk["band"]["p50"][-1] <= risk["band"]["p95"][-1]


def test_monte_carlo_is_reproducible_and_its_bootstrap_resamples_the_realised_returns():
    candidates = Candidates.from_rows([row(i, DAY + i, price=2.0 + i % 3, won=i % 2 == 0, model=0.45)
                                       for i in range(60)])
    spec = StrategySpec.from_rule("back:home", stake="proportional:0.05")
    log = engine.run(candidates, spec)
    first = montecarlo.simulate(log, spec, paths=300, seed=3)
    assert first == montecarlo.simulate(log, spec, paths=300, seed=3)
    boot = montecarlo.simulate(log, spec, paths=300, method="bootstrap")
    assert boot["final"]["5"] < boot["final"]["95"]
    with pytest.raises(ValueError):
        montecarlo.simulate(log, spec, method="guess")


def test_walk_forward_picks_on_the_training_season_and_bets_the_next_with_it():
    rows = []
    for season, first_day in ((1, DAY), (2, DAY + 400)):
        for i in range(40):
            # short prices win, long prices lose, in both seasons: the 1.01-2.5 range is the fit
            rows.append(row(1000 * season + i, first_day + i, price=1.8, won=True, model=0.6, season_id=season))
            rows.append(row(1000 * season + i, first_day + i, "away", 5.0, won=False, model=0.3, season_id=season))
    candidates = Candidates.from_rows(rows)
    spec = StrategySpec.from_rule("value", edge=0.0)
    result = walk_forward(candidates, spec, {"max_price": [10.0, 2.5]}, min_bets=30)
    assert [window.setting for window in result.windows] == [{"max_price": 2.5}]
    assert result.windows[0].out_of_sample["bets"] == 40
    assert result.out_of_sample.profit.sum() == pytest.approx(40 * 0.8)
    with pytest.raises(StrategyError, match="more than 1 season"):
        walk_forward(candidates.take(np.flatnonzero(candidates.season_id == 1)), spec, {"edge": [0.1]})
    with pytest.raises(StrategyError, match="grid.colour"):
        walk_forward(candidates, spec, {"colour": [1]})


@pytest.mark.parametrize("data, field", [
    ({"rule": "guess"}, "rule"),
    ({"rule": "back", "selection": "corners"}, "selection"),
    ({"rule": "value", "edge": "abc"}, "edge"),
    ({"rule": "value", "markets": "1x2,darts"}, "markets"),
    ({"rule": "value", "model": "elo", "markets": "over_under"}, "model"),
    ({"rule": "favourite_longshot", "stake": "kelly:0.5"}, "stake"),
    ({"rule": "market_move", "price": "opening"}, "price"),
    ({"rule": "value", "price": "yesterday"}, "price"),
    ({"rule": "value", "min_price": 3, "max_price": 2}, "min_price"),
    ({"rule": "value", "commission": 1.5}, "commission"),
    ({"rule": "value", "colour": "red"}, "colour"),
])
def test_a_strategy_names_the_field_it_cannot_accept(data, field):
    with pytest.raises(StrategyError) as caught:
        StrategySpec.from_dict(data)
    assert caught.value.field == field


def test_walk_forward_can_choose_between_models_on_the_same_rows():
    rows = []
    for season, first_day in ((1, DAY), (2, DAY + 400)):
        for i in range(40):
            rows.append(row(1000 * season + i, first_day + i, price=2.0, won=i % 2 == 0, model=0.7, season_id=season))
            rows.append(row(1000 * season + i, first_day + i, "away", 4.0, won=i % 5 == 1, model=0.1,
                            season_id=season))
    candidates = Candidates.from_rows(rows)
    # "elo" thinks the away sides are the value (0.3 × 4.0 = 1.2): they win a fifth of the time at 4.0
    elo = np.where(candidates.selection == "away", 0.3, 0.4)
    spec = StrategySpec.from_rule("value", edge=0.1)
    result = walk_forward(candidates, spec, {"model": ["elo", "dixon_coles"]}, model_columns={"elo": elo})
    assert result.windows[0].setting == {"model": "dixon_coles"}  # home at 2.0 winning half breaks even
    assert result.windows[0].in_sample["profit"] == pytest.approx(0.0)
    assert set(result.out_of_sample.rows.selection.tolist()) == {"home"}
    with pytest.raises(StrategyError, match="grid.model"):
        walk_forward(candidates, spec, {"model": ["elo"]})


def test_walk_forward_stays_out_of_a_window_nothing_was_fitted_on():
    rows = [row(1000 * season + i, first_day + i, price=1.8, won=True, model=model, season_id=season)
            for season, first_day, model in ((1, DAY, np.nan), (2, DAY + 400, 0.6), (3, DAY + 800, 0.6))
            for i in range(40)]
    result = walk_forward(Candidates.from_rows(rows), StrategySpec.from_rule("value", edge=0.0),
                          {"max_price": [2.0, 3.0]})
    first, second = result.windows
    assert first.setting is None and first.out_of_sample["bets"] == 0  # season 1 has no predictions
    assert second.setting == {"max_price": 2.0} and second.out_of_sample["bets"] == 40
    assert len(result.out_of_sample) == 40


def test_monte_carlo_charges_commission_per_market_as_the_backtest_does():
    # two bets on one market (home and draw of match 1) and one on another: every path's commission is
    # what engine.commissions charges for that path's profits
    candidates = Candidates.from_rows([row(1, DAY, "home", 2.0, model=0.6), row(1, DAY, "draw", 4.0, won=False,
                                                                                    model=0.3),
                                       row(2, DAY + 1, "home", 3.0, model=0.4)])
    spec = StrategySpec.from_rule("value", edge=0.1, commission=0.05)
    log = engine.run(candidates, spec)
    profits = np.array([[1.0, -1.0, 2.0], [-1.0, 3.0, -1.0], [1.0, 3.0, 2.0]])
    expected = np.vstack([engine.commissions(p, engine.market_groups(log.rows), 0.05) for p in profits])
    assert montecarlo._commissions(profits, engine.market_groups(log.rows), 0.05) == pytest.approx(expected)
    risk = montecarlo.simulate(log, spec, paths=200)
    assert risk["final"]["95"] < 100 + (1 + 3 + 2) * 0.95 + 1e-9  # no path keeps more than its net after 5%
