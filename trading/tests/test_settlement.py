"""Settlement, staking and commission against worked examples written out by hand."""

import pytest

from trading.settlement import Settlement, SettlementError, commission_on, settle, split_line
from trading.staking import StakeError, StakePlan, kelly_fraction


@pytest.mark.parametrize("market, selection, line, score, expected, profit_on_10_at_1_90", [
    ("1x2", "home", 0, (2, 1), "won", 9.0),
    ("1x2", "draw", 0, (2, 1), "lost", -10.0),
    ("1x2", "draw", 0, (1, 1), "won", 9.0),
    # home -0.75 = half on -0.5, half on -1
    ("asian_handicap", "home", -0.75, (1, 0), "half won", 4.5),   # -0.5 wins, -1 pushes
    ("asian_handicap", "home", -0.75, (2, 0), "won", 9.0),
    ("asian_handicap", "home", -0.75, (1, 1), "lost", -10.0),
    ("asian_handicap", "away", -0.75, (1, 0), "half lost", -5.0),  # away +0.75: +0.5 loses, +1 pushes
    ("asian_handicap", "home", -0.25, (0, 0), "half lost", -5.0),  # 0 pushes, -0.5 loses
    ("asian_handicap", "home", 0.25, (0, 0), "half won", 4.5),
    ("asian_handicap", "away", 0.25, (0, 0), "half lost", -5.0),
    ("asian_handicap", "home", -1, (1, 0), "void", 0.0),
    ("asian_handicap", "home", -1.5, (3, 1), "won", 9.0),
    ("asian_handicap", "away", 1.5, (3, 1), "lost", -10.0),  # home +1.5 is away -1.5: the away side lost 3-1
    ("over_under", "over", 2.5, (2, 1), "won", 9.0),
    ("over_under", "under", 2.5, (2, 1), "lost", -10.0),
    ("over_under", "over", 2.25, (1, 1), "half lost", -5.0),   # 2 pushes, 2.5 loses
    ("over_under", "over", 2.75, (2, 1), "half won", 4.5),     # 2.5 wins, 3 pushes
    ("over_under", "under", 2.75, (2, 1), "half lost", -5.0),
    ("over_under", "under", 3, (2, 1), "void", 0.0),
])
def test_each_bet_settles_as_an_asian_book_settles_it(market, selection, line, score, expected, profit_on_10_at_1_90):
    settled = settle(market, selection, line, *score)
    assert settled.label == expected
    assert settled.win + settled.void + settled.lose == pytest.approx(1)
    assert settled.profit(10, 1.9) == pytest.approx(profit_on_10_at_1_90)


def test_lines_that_are_not_quarters_and_unknown_selections_are_refused():
    assert split_line(-0.75) == (-1.0, -0.5)
    assert split_line(2.5) == (2.5,)
    with pytest.raises(SettlementError, match="multiple of 0.25"):
        split_line(2.1)
    with pytest.raises(SettlementError, match="selection"):
        settle("1x2", "over", 0, 1, 0)
    with pytest.raises(SettlementError, match="market"):
        settle("corners", "over", 9.5, 1, 0)


def test_commission_is_charged_on_a_markets_net_winnings_only():
    assert commission_on(10.0, 0.05) == pytest.approx(0.5)
    assert commission_on(-10.0, 0.05) == 0.0
    assert Settlement(0.5, 0.5, 0).profit(20, 2.0) == pytest.approx(10.0)


def test_kelly_is_the_edge_over_the_odds_and_nothing_without_an_edge():
    # p = 0.5 at 2.2: (0.5 × 2.2 − 1) / 1.2 = 1/12 of the bankroll
    assert kelly_fraction(2.2, 0.5) == pytest.approx(1 / 12)
    assert kelly_fraction(1.9, 0.5) == 0.0
    quarter = StakePlan.parse("kelly:0.25")
    assert quarter.fractions([2.2], [0.5])[0] == pytest.approx(1 / 48)
    capped = StakePlan.parse("kelly:1:0.05")
    assert capped.fractions([3.0], [0.6])[0] == pytest.approx(0.05)  # full Kelly 0.4, capped at 5%


@pytest.mark.parametrize("text, message", [
    ("flat:0", "positive"), ("flat:x", "not a number"), ("proportional", "share"), ("proportional:2", "share"),
    ("kelly:0", "fraction"), ("kelly:0.5:2", "cap"), ("martingale", "use flat"),
])
def test_a_stake_plan_that_makes_no_sense_is_refused_with_what_to_write(text, message):
    with pytest.raises(StakeError, match=message):
        StakePlan.parse(text)


def test_stake_plans_read_and_print_the_same_way():
    assert str(StakePlan.parse("kelly:0.5:0.05")) == "kelly:0.5:0.05"
    assert StakePlan.parse("flat").amount == 1.0
    assert StakePlan.parse("proportional:0.02").label == "2.0% of the bankroll"
