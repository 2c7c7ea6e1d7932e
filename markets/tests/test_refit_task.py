"""The daily refit (markets.tasks.refit_ratings): a new version only when there is something new."""

import pytest

from markets import tasks
from markets.models import Prediction, RatingModel
from markets.tests.test_ratings import simulated_league, store_league
from matches.models import Match

pytestmark = pytest.mark.django_db


def test_a_quiet_day_adds_no_version_and_a_new_fixture_does():
    competition = store_league(simulated_league(1), upcoming=1, odds=False)
    assert tasks.refit_ratings().startswith("refitted 1 competition: Synthetic League (1 match)")
    versions = RatingModel.objects.count()

    assert "up to date (no new result or fixture): Synthetic League" in tasks.refit_ratings()
    assert RatingModel.objects.count() == versions

    played = Match.objects.filter(competition=competition, status=Match.Status.FINISHED).latest("kickoff")
    Match.objects.create(competition=competition, season=played.season, home_team=played.away_team,
                         away_team=played.home_team, kickoff=played.kickoff.replace(year=played.kickoff.year + 1))
    assert tasks.refit_ratings().startswith("refitted 1 competition")
    assert RatingModel.objects.count() == versions + 2  # Dixon-Coles and Elo
    assert Prediction.objects.filter(match__status=Match.Status.SCHEDULED, model__version=2).count() == 4
