"""In-play win probability: the pre-match Poisson model run forward from the score, minute and red cards."""

import pytest

from markets import inplay
from markets.models import Prediction, RatingModel
from markets.ratings import forecast_from_matrix, score_matrix
from matches.models import Match
from matches.tests.builders import build_match


@pytest.mark.parametrize("home_goals, away_goals", [(1.45, 1.15), (2.1, 0.7), (0.9, 1.6)])
def test_kick_off_equals_the_pre_match_poisson_probabilities(home_goals, away_goals):
    pre = forecast_from_matrix(score_matrix(home_goals, away_goals, rho=0.0, max_goals=15))

    assert inplay.win_probability(home_goals, away_goals, 0, 0, 0) == pytest.approx(
        (pre.home, pre.draw, pre.away), abs=1e-9)


def test_a_one_goal_lead_late_on_is_very_likely_kept():
    home, draw, away = inplay.win_probability(1.45, 1.15, 85, 1, 0)

    assert home > 0.85
    assert draw > away


@pytest.mark.parametrize("state", [
    (0, 0, 0, 0, 0), (30, 1, 0, 0, 0), (60, 0, 2, 1, 0), (89, 2, 2, 0, 2), (45, 3, 1, 2, 1), (95, 0, 0, 0, 0),
])
def test_probabilities_sum_to_one(state):
    minute, home_score, away_score, home_reds, away_reds = state
    probabilities = inplay.win_probability(1.6, 1.1, minute, home_score, away_score, home_reds, away_reds)

    assert sum(probabilities) == pytest.approx(1.0, abs=1e-9)
    assert all(0.0 <= value <= 1.0 for value in probabilities)


def test_a_red_card_lowers_that_sides_chance_and_raises_the_others():
    level = inplay.win_probability(1.45, 1.15, 30, 0, 0)
    home_down = inplay.win_probability(1.45, 1.15, 30, 0, 0, home_reds=1)
    away_down = inplay.win_probability(1.45, 1.15, 30, 0, 0, away_reds=1)

    assert home_down[0] < level[0] and home_down[2] > level[2]
    assert away_down[2] < level[2] and away_down[0] > level[0]
    assert inplay.win_probability(1.45, 1.15, 30, 0, 0, home_reds=2)[0] < home_down[0]


@pytest.mark.parametrize("score, expected", [((2, 1), (1.0, 0.0, 0.0)), ((1, 1), (0.0, 1.0, 0.0)),
                                             ((0, 3), (0.0, 0.0, 1.0))])
def test_at_full_time_the_result_is_certain(score, expected):
    assert inplay.win_probability(1.45, 1.15, 90, *score) == expected
    assert inplay.win_probability(1.45, 1.15, 90 + 6, *score, home_reds=1) == expected  # added time: clamped


def test_a_live_match_in_added_time_is_not_yet_decided():
    home, draw, away = inplay.win_probability(1.45, 1.15, 90, 1, 1, live=True)

    assert 0.9 < draw < 1.0 and home > 0 and away > 0


# The pre-match expectation (one query whichever source it comes from)


def _finished(built, home_score, away_score, days):
    import datetime as dt
    return Match.objects.create(
        competition=built.match.competition, season=built.match.season, home_team=built.match.home_team,
        away_team=built.match.away_team, kickoff=built.match.kickoff - dt.timedelta(days=days),
        status=Match.Status.FINISHED, home_score=home_score, away_score=away_score)


@pytest.mark.django_db
def test_expectation_falls_back_to_the_defaults(django_assert_num_queries):
    match = build_match().match

    with django_assert_num_queries(1):
        expectation = inplay.pre_match_expectation(match)

    assert (expectation.home_goals, expectation.away_goals, expectation.source) == (1.45, 1.15, "default")


@pytest.mark.django_db
def test_expectation_uses_the_competitions_finished_matches(django_assert_num_queries):
    built = build_match()
    _finished(built, 3, 0, 7)
    _finished(built, 1, 2, 14)

    with django_assert_num_queries(1):
        expectation = inplay.pre_match_expectation(built.match)

    assert (expectation.home_goals, expectation.away_goals, expectation.source) == (2.0, 1.0, "competition")


@pytest.mark.django_db
def test_expectation_prefers_the_latest_prediction(django_assert_num_queries):
    built = build_match()
    _finished(built, 3, 0, 7)
    competition = built.match.competition
    for version, goals in ((1, (1.2, 1.3)), (2, (1.9, 0.8))):
        model = RatingModel.objects.create(competition=competition, kind=RatingModel.Kind.DIXON_COLES,
                                           version=version, parameters={})
        Prediction.objects.create(match=built.match, model=model, home=0.5, draw=0.3, away=0.2,
                                  expected_home_goals=goals[0], expected_away_goals=goals[1])
    elo = RatingModel.objects.create(competition=competition, kind=RatingModel.Kind.ELO, version=1, parameters={})
    Prediction.objects.create(match=built.match, model=elo, home=0.4, draw=0.3, away=0.3)  # no goals: skipped

    with django_assert_num_queries(1):
        expectation = inplay.pre_match_expectation(built.match)

    assert (expectation.home_goals, expectation.away_goals, expectation.source) == (1.9, 0.8, "prediction")


# Across the match


def _event(kind, side, period, minute, added=None, second=0):
    return {"kind": kind, "side": side, "period": period, "minute": minute, "added_minute": added, "second": second}


class _Team:
    def __init__(self, name):
        self.display_name = name


class _Match:
    home_team = _Team("Home")
    away_team = _Team("Away")

    def __init__(self, status, home_score, away_score, period="", clock_minute=None, clock_added=None):
        self.status, self.period = status, period
        self.home_score, self.away_score = home_score, away_score
        self.clock_minute, self.clock_added = clock_minute, clock_added


EXPECTATION = inplay.Expectation(1.45, 1.15, "default")


def test_series_of_a_finished_match_shows_its_course_and_ends_certain():
    events = [_event("goal", "home", 1, 20), _event("red_card", "away", 2, 60),
              _event("own_goal", "home", 2, 80), _event("goal", "home", 2, 90, added=3)]
    result = inplay.probability_series(_Match("finished", 2, 1), events, EXPECTATION)
    series = result["series"]

    assert result["current"] == {"home": 100.0, "draw": 0.0, "away": 0.0}
    assert result["has_series"] and series["end"] == 90
    assert series["t"] == sorted(series["t"]) and len(series["t"]) == len(series["home"]) == len(series["away"])
    assert series["t"][0] == 0 and series["home"][0] == pytest.approx(
        inplay.win_probability(1.45, 1.15, 0, 0, 0)[0], abs=1e-4)
    assert len(series["goals"]["home"]) == 2 and len(series["goals"]["away"]) == 1  # the own goal counts for away
    after_first = series["goals"]["home"][0]
    assert series["home"][after_first] > series["home"][after_first - 1]
    assert all(abs(h + d + a - 1) < 1e-3 for h, d, a in zip(series["home"], series["draw"], series["away"]))


def test_series_of_a_live_match_runs_to_the_clock_with_the_stored_score():
    events = [_event("goal", "away", 1, 10)]
    result = inplay.probability_series(
        _Match("live", 0, 1, period="second_half", clock_minute=67), events, EXPECTATION)

    assert result["series"]["t"][-1] == 67
    expected = inplay.win_probability(1.45, 1.15, 67, 0, 1, live=True)
    assert result["current"]["away"] == pytest.approx(100 * expected[2], abs=0.05)
    assert result["series"]["away"][-1] == pytest.approx(expected[2], abs=1e-4)


def test_a_score_without_its_goal_events_has_no_series():
    result = inplay.probability_series(_Match("finished", 2, 0), [], EXPECTATION)

    assert not result["complete"] and not result["has_series"]
    assert result["current"] == {"home": 100.0, "draw": 0.0, "away": 0.0}
