"""The match simulator on small built matches: who scores, who is out, and clean sheets as Poisson says."""

import math

import numpy as np
import pytest

from fantasy.simulation import MatchInput, Shares, TeamSheet, simulate_match, simulate_matches, simulate_side


def sheet(positions, *, start=None, bench=None, xg=None, xa=None, full=None, first_id=1):
    count = len(positions)
    ones = np.ones(count)
    return TeamSheet(
        player_ids=np.arange(first_id, first_id + count), positions=np.array(positions),
        start=ones if start is None else np.array(start, dtype=float), sixty=ones,
        bench=np.zeros(count) if bench is None else np.array(bench, dtype=float),
        xg90=np.full(count, 0.1) if xg is None else np.array(xg, dtype=float),
        xa90=np.full(count, 0.1) if xa is None else np.array(xa, dtype=float),
        yellow90=np.zeros(count), red90=np.zeros(count),
        saves_per_xg=np.array([2.0 if position == "GK" else 0.0 for position in positions]),
        full=np.ones(count) if full is None else np.array(full, dtype=float))


ELEVEN = ["GK", "DF", "DF", "DF", "DF", "MF", "MF", "MF", "MF", "FW", "FW"]


def by_player(outcomes):
    return {outcome.player_id: outcome for outcome in outcomes}


def test_a_striker_with_all_the_teams_xg_scores_all_its_goals():
    home = sheet(ELEVEN, xg=[0] * 10 + [0.9])
    away = sheet(ELEVEN, first_id=100)
    match = MatchInput(home_rate=1.8, away_rate=1.0, home=home, away=away, match_id=7)
    outcomes = by_player(simulate_match(match, simulations=4000, rng=np.random.default_rng(3),
                                        shares=Shares(own_goal_share=0.0)))
    striker = outcomes[11]
    assert striker.goals == pytest.approx(1.8, abs=0.08)  # the team's expected goals, all his
    assert all(outcomes[i].goals == 0 for i in range(1, 11))
    assert striker.play_probability == 1 and striker.sixty_probability == 1 and striker.minutes == 90
    assert striker.match_id == 7
    # Simulation by simulation, every one of the team's goals is his.
    goals = np.random.default_rng(8).poisson(1.8, size=1000)
    lines = simulate_side(home, goals, np.zeros(1000, dtype=int), 1.0, Shares(own_goal_share=0.0),
                          np.random.default_rng(9))
    assert (lines["goals"][:, 10] == goals).all() and lines["goals"][:, :10].sum() == 0


def test_a_player_ruled_out_neither_plays_nor_scores():
    home = sheet(ELEVEN + ["FW"], start=[1] * 11 + [0], bench=[0] * 12, xg=[0.1] * 11 + [0.8])
    away = sheet(ELEVEN, first_id=100)
    outcomes = by_player(simulate_match(MatchInput(1.5, 1.2, home, away), simulations=2000,
                                        rng=np.random.default_rng(1), keep_samples=True))
    out = outcomes[12]
    assert out.play_probability == 0 and out.sixty_probability == 0 and out.minutes == 0
    assert out.points == 0 and out.goals == 0 and out.p90 == 0
    assert (out.samples == 0).all()


def test_clean_sheet_probability_is_the_poisson_zero_of_the_opponents_rate():
    home = sheet(ELEVEN)
    away = sheet(ELEVEN, first_id=100)
    simulations = 20_000
    outcomes = by_player(simulate_match(MatchInput(1.4, 1.1, home, away, rho=0.0), simulations=simulations,
                                        rng=np.random.default_rng(11)))
    expected = math.exp(-1.1)  # the away side's goals ~ Poisson(1.1); he plays the 90
    tolerance = 4 * math.sqrt(expected * (1 - expected) / simulations)
    for player in range(1, 12):
        assert outcomes[player].clean_sheet == pytest.approx(expected, abs=tolerance)
    assert outcomes[100].clean_sheet == pytest.approx(math.exp(-1.4), abs=tolerance)


def test_a_substitute_concedes_only_while_he_is_on():
    home = sheet(ELEVEN + ["DF"], start=[1] * 11 + [0], bench=[0] * 11 + [1])
    away = sheet(ELEVEN, first_id=100)
    outcomes = by_player(simulate_match(MatchInput(1.0, 2.0, home, away), simulations=3000,
                                        rng=np.random.default_rng(5)))
    substitute = outcomes[12]
    assert substitute.play_probability == 1 and substitute.sixty_probability == 0
    assert 0 < substitute.minutes <= 30
    assert substitute.clean_sheet == 0  # never 60 minutes


def test_goalkeepers_save_more_against_a_stronger_attack_and_points_are_scored_by_fpl_rules():
    home = sheet(ELEVEN)
    away = sheet(ELEVEN, first_id=100)
    outcomes = by_player(simulate_match(MatchInput(2.5, 0.6, home, away), simulations=3000,
                                        rng=np.random.default_rng(2)))
    keeper, their_keeper = outcomes[1], outcomes[100]
    assert keeper.p10 <= keeper.median <= keeper.p90
    # The away keeper faces 2.5 expected goals: more saves, fewer clean sheets, fewer points.
    assert their_keeper.clean_sheet < keeper.clean_sheet
    assert their_keeper.points < keeper.points


def test_many_matches_from_one_seed_repeat_exactly():
    matches = [MatchInput(1.2 + i / 10, 1.0, sheet(ELEVEN, first_id=10 * i), sheet(ELEVEN, first_id=500 + 10 * i),
                          match_id=i) for i in range(3)]
    first = simulate_matches(matches, simulations=500, seed=42)
    second = simulate_matches(matches, simulations=500, seed=42)
    assert [outcome.points for outcome in first] == [outcome.points for outcome in second]
    assert len(first) == 66


def test_draftkings_scoring_through_the_simulator():
    home, away = sheet(ELEVEN), sheet(ELEVEN, first_id=100)
    outcomes = by_player(simulate_match(MatchInput(1.5, 1.0, home, away), simulations=2000,
                                        rng=np.random.default_rng(4), game="dk_classic"))
    # A DraftKings goal is worth 10 whatever the position; an outfield player's floor is 0 without cards.
    assert outcomes[11].points > 0 and outcomes[11].p10 >= 0
