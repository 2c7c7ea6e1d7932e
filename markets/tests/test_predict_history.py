"""predict_history: every finished match given the prediction we would have made before it."""

import datetime as dt
import itertools
import random
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from markets import predictions
from markets.models import Prediction, RatingModel
from markets.tests.test_prediction_card import card
from matches.models import Competition, Match, Season, Team
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db

Kind = RatingModel.Kind


class League:
    """Six clubs, three seasons of a double round robin (30 matches each, two matchdays a week apart
    on Saturdays at 15:00 and Sundays at 14:00), scores drawn from a fixed seed."""

    def __init__(self):
        self.competition = Competition.objects.create(name="Walk League")
        teams = [Team.objects.create(name=f"Club {letter}") for letter in "ABCDEF"]
        draw = random.Random(11)
        self.seasons = []
        for year in (2021, 2022, 2023):
            season = Season.objects.create(competition=self.competition, name=f"{year}/{(year + 1) % 100:02d}")
            self.seasons.append(season)
            saturday = dt.datetime(year, 8, 7, 15, tzinfo=dt.UTC)
            for number, (home, away) in enumerate(itertools.permutations(teams, 2)):
                kickoff = saturday + dt.timedelta(weeks=number // 3) + (dt.timedelta(hours=23) if number % 3 == 2
                                                                       else dt.timedelta())
                Match.objects.create(competition=self.competition, season=season, kickoff=kickoff,
                                     home_team=home, away_team=away, status=Match.Status.FINISHED,
                                     home_score=draw.choice((0, 1, 1, 2, 3)), away_score=draw.choice((0, 0, 1, 2)))

    def matches(self, season):
        return Match.objects.filter(season=season).order_by("kickoff", "pk")


@pytest.fixture
def league():
    return League()


def stored(match_ids) -> dict[tuple[int, str], tuple[float, float, float]]:
    return {(match_id, kind): (round(home, 9), round(draw, 9), round(away, 9))
            for match_id, kind, home, draw, away in Prediction.objects.filter(
        match_id__in=match_ids).values_list("match_id", "model__kind", "home", "draw", "away")}


def test_every_match_after_the_first_stretch_gets_both_predictions_and_a_second_run_changes_nothing(league):
    report = predictions.predict_history(league.competition, min_history=30)

    assert report.history == ["2021/22"] and report.walked == ["2022/23", "2023/24"]
    assert report.predicted == 60
    walked = list(league.matches(league.seasons[1])) + list(league.matches(league.seasons[2]))
    assert set(stored([m.pk for m in walked])) == {(m.pk, kind) for m in walked for kind in Kind.values}
    assert not Prediction.objects.filter(match__season=league.seasons[0]).exists()  # history only
    dixon_coles = RatingModel.latest(league.competition, Kind.DIXON_COLES)
    assert dixon_coles.metrics["walk_forward"]["seasons"] == ["2022/23", "2023/24"]
    assert Prediction.objects.filter(model=dixon_coles, over_2_5__isnull=False).count() == 60
    assert all(len(scores) == 5 for scores in Prediction.objects.filter(model=dixon_coles)
               .values_list("likely_scores", flat=True))

    again = predictions.predict_history(league.competition, min_history=30)
    assert again.predicted == 0 and again.already == 60 and not again.models
    assert RatingModel.objects.count() == 2 and Prediction.objects.count() == 120


def rescore_and_walk_again(league, matches):
    for match in matches:
        match.home_score, match.away_score = 9, 0
        match.save()
    RatingModel.objects.all().delete()  # and their predictions with them
    predictions.predict_history(league.competition, min_history=30)
    return stored(Match.objects.values_list("pk", flat=True))


def test_a_prediction_never_knows_its_own_day_or_later(league):
    """Change the results of the last day of play: no prediction moves, not even that day's (made before
    it). Change the day before's: the last day's predictions move, and only they."""
    predictions.predict_history(league.competition, min_history=30)
    before = stored(Match.objects.values_list("pk", flat=True))
    last_day, day_before = sorted({match.kickoff.date() for match in league.matches(league.seasons[2])})[-1:-3:-1]
    on = {day: list(Match.objects.filter(kickoff__date=day)) for day in (last_day, day_before)}

    assert rescore_and_walk_again(league, on[last_day]) == before

    after = rescore_and_walk_again(league, on[day_before])
    moved = {match_id for key, triple in after.items() if triple != before[key] for match_id in key[:1]}
    assert moved == {match.pk for match in on[last_day]}


def test_a_prediction_made_before_kick_off_is_kept(league):
    match = league.matches(league.seasons[2]).last()
    earlier = RatingModel.objects.create(competition=league.competition, kind=Kind.DIXON_COLES, version=1,
                                         parameters={})
    Prediction.objects.create(match=match, model=earlier, home=0.5, draw=0.3, away=0.2)

    report = predictions.predict_history(league.competition, min_history=30)

    assert report.predicted == 60  # Elo for all 60; Dixon-Coles for the 59 others
    assert Prediction.objects.get(match=match, model__kind=Kind.DIXON_COLES).home == 0.5
    assert Prediction.objects.filter(model__kind=Kind.DIXON_COLES).count() == 60


def test_the_command_says_what_it_did_and_refuses_an_unknown_competition(league):
    Competition.objects.create(name="Tiny Cup")
    out = StringIO()
    call_command("predict_history", "--competition", "Walk League", "--competition", "Tiny Cup", stdout=out,
                 stderr=StringIO())
    # 90 results in all: fewer than the 200 a first forecast needs, so nothing is walked with the default
    assert "Walk League: nothing to walk" in out.getvalue()
    assert "Tiny Cup: nothing to walk" in out.getvalue()
    with pytest.raises(CommandError, match="no competition 'Nowhere'"):
        call_command("predict_history", "--competition", "Nowhere", stdout=StringIO(), stderr=StringIO())


@pytest.mark.realdata
def test_a_finished_premier_league_match_shows_what_we_predicted_before_it(client, shared_data):
    for name in ("2223.csv", "2324.csv"):
        call_command("import_football_data", str(shared_data("football-data", "E0", name)),
                     stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("predict_history", "--competition", "Premier League", stdout=out, stderr=StringIO())
    assert "predicted 380 finished matches of 2023/24" in out.getvalue()
    assert Prediction.objects.filter(match__season__name="2023/24").count() == 760  # Dixon-Coles and Elo

    match = Match.objects.get(season__name="2023/24", home_team__name="Everton", away_team__name="Sheffield United")
    section = card(get(client, match.get_absolute_url()))
    words = " ".join(text(section).split())
    assert "Our prediction before kick-off" in words
    assert "made from the results up to 10 May 2024, nothing of the match day or later" in words
    assert "Result: Everton 1–0 Sheffield United (Everton won: we gave it" in words
    assert re.search(r'<tr data-outcome="home"[^>]*data-happened>', section)
    assert f'href="/markets/value-bets/?as_of={match.kickoff:%Y-%m-%d}"' in section


def test_fit_ratings_on_a_league_without_odds_stores_its_walk_forward_scores(league):
    """The Bundesliga's football-datasets files carry no odds: the stored metrics say so rather than
    holding NaN, which the database refuses as JSON."""
    out = StringIO()
    call_command("fit_ratings", "--competition", "Walk League", "--xi", "0.0018", stdout=out, stderr=StringIO())

    assert "no closing odds to compare with" in out.getvalue()
    validation = RatingModel.latest(league.competition, Kind.DIXON_COLES).metrics["validation"]
    assert validation["market"] is None and validation["matches"] == 60 and 0 < validation["model"]["rps"] < 1
