"""Ratings on a real match: StatsBomb's Euro 2020 Turkey 0-3 Italy (match 3788741)."""

import io
import statistics
import time

import pytest
from django.core.management import call_command

from matches.fragments import MatchState, load_match
from matches.models import Match
from players import ratings
from players.models import PlayerMatchRating
from players.ratings import BOTTOM, TOP, appearances_of, current_grid, rate_events

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


@pytest.fixture
def turkey_italy(shared_data):
    ratings.forget_grid()
    call_command("import_statsbomb", str(shared_data("statsbomb")), "--match", "3788741", "--competition", "55",
                 "--season", "43", "--date", "2021-06-11T21:00", stdout=io.StringIO(), stderr=io.StringIO())
    yield Match.objects.get(home_team__name="Turkey", away_team__name="Italy")
    ratings.forget_grid()


def check_credible(match):
    state = MatchState(load_match(match.pk))
    rated = ratings.match_ratings(state)
    turkey = [r.rating for r in rated.values() if r.side == "home"]
    italy = [r.rating for r in rated.values() if r.side == "away"]
    assert len(turkey) >= 11 and len(italy) >= 11
    assert statistics.fmean(italy) > statistics.fmean(turkey) + 0.5  # Italy won 3-0
    assert all(BOTTOM <= r.rating <= TOP and r.minutes >= 10 for r in rated.values())
    best = ratings.player_of_the_match(rated.values())
    assert best.side == "away" and best.player_of_the_match
    by_name = {r.name: r for r in rated.values()}
    assert by_name["Ciro Immobile"].goals == 1 and by_name["Lorenzo Insigne"].goals == 1
    assert by_name["Ciro Immobile"].rating >= 7.5 and by_name["Lorenzo Insigne"].rating >= 7.5
    assert by_name["Merih Demiral"].rating < statistics.fmean(turkey) + 0.3  # his own goal
    return state, rated


def test_italy_rated_above_turkey_with_the_fallback_grid(turkey_italy):
    state, _ = check_credible(turkey_italy)
    assert not ratings.ratings_grid(state).fitted
    # The import stored them for the match log.
    assert PlayerMatchRating.objects.filter(match=turkey_italy).count() >= 22


def test_italy_rated_above_turkey_with_a_grid_fitted_on_the_match_and_fast(turkey_italy):
    call_command("fit_threat", stdout=io.StringIO())
    state, rated = check_credible(turkey_italy)
    assert ratings.ratings_grid(state).fitted
    events, (entries, _) = state.events, appearances_of(turkey_italy)
    assert len(events) == 3803
    grid = current_grid()
    rate_events(events, entries, grid)
    started = time.perf_counter()
    for _ in range(5):
        rate_events(events, entries, grid)
    assert (time.perf_counter() - started) / 5 < 0.020


def test_evaluate_ratings_reports_the_correlation_over_the_statsbomb_matches(turkey_italy):
    out = io.StringIO()
    call_command("evaluate_ratings", stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    figures = dict(item.split("=") for item in last.split()[1:])
    assert last.startswith("ratings corr=") and figures["matches"] == "1" and int(figures["player_matches"]) >= 22
    assert float(figures["corr"]) > 0.3  # ratings follow goals, assists, xG and xA
    assert 6.0 < float(figures["mean"]) < 7.5
