"""The in-play win probability's pre-match prior: closing odds, else our prediction, else averages with a real home advantage."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from markets import inplay, odds
from markets.match_regions import winprob_context
from markets.models import Bookmaker, OddsQuote
from matches.fragments import MatchState, load_match, render_regions
from matches.models import Competition, Match, Season, Team, Venue
from matches.tests.builders import build_match

CLOSING_1X2 = (4.60, 3.60, 1.85)  # the home side the outsider
CLOSING_OVER_UNDER = (2.20, 1.70)


def _quote(match, bookmaker, market, prices, line="0"):
    fields = dict(zip(OddsQuote.SELECTIONS[market], prices))
    return OddsQuote.objects.create(match=match, bookmaker=bookmaker, market=market, line=line,
                                    phase=OddsQuote.Phase.CLOSING, source="manual", **fields)


def _minute_zero(match):
    series = winprob_context(MatchState(match))["winprob"]
    return series, (series["series"]["home"][0], series["series"]["draw"][0], series["series"]["away"][0])


@pytest.mark.django_db
@pytest.mark.parametrize("with_totals", [True, False])
def test_kick_off_probabilities_are_the_closing_odds_fair_ones(with_totals, django_assert_max_num_queries):
    match = build_match(status=Match.Status.FINISHED).match
    pinnacle = Bookmaker.objects.create(code="PS", name="Pinnacle")
    _quote(match, pinnacle, OddsQuote.Market.MATCH_ODDS, CLOSING_1X2)
    if with_totals:
        _quote(match, pinnacle, OddsQuote.Market.OVER_UNDER, CLOSING_OVER_UNDER, line="2.5")
    fair = odds.fair_probabilities(list(CLOSING_1X2))

    match = load_match(match.pk)

    # the odds and the key events (and, without an over/under price, the averages for a typical total)
    with django_assert_max_num_queries(2 if with_totals else 3):
        series, kick_off = _minute_zero(match)

    assert kick_off == pytest.approx(fair, abs=0.01)
    assert series["source"] == "odds" and series["prior"].startswith("closing odds, Pinnacle, margin removed")
    assert series["series"]["home"][-1] == 0.0 and series["series"]["away"][-1] == 1.0  # 1-2 at full time


def test_the_over_under_price_leans_the_total_its_way():
    home, draw, away = odds.fair_probabilities(list(CLOSING_1X2))
    alone = sum(inplay.expectation_from_odds(home, draw, away))

    assert sum(inplay.expectation_from_odds(home, draw, away, over=0.60)) > alone
    assert sum(inplay.expectation_from_odds(home, draw, away, over=0.30)) < alone


@pytest.mark.django_db
def test_the_page_names_the_prior_and_why_it_moves_with_the_clock():
    match = build_match(status=Match.Status.FINISHED).match
    bookmakers = [Bookmaker.objects.create(code=code, name=code) for code in ("B365", "WH")]
    for bookmaker, prices in zip(bookmakers, (CLOSING_1X2, (4.4, 3.5, 1.9))):
        _quote(match, bookmaker, OddsQuote.Market.MATCH_ODDS, prices)

    html = render_regions(load_match(match.pk), ["winprob"], seq=0)

    assert "Pre-match: closing odds, market average of 2 bookmakers, margin removed" in html
    assert "as time runs out for the side behind" in html


def _international(venue_city, venue_country):
    competition = Competition.objects.create(name="Test Euro", kind=Competition.Kind.INTERNATIONAL)
    season = Season.objects.create(competition=competition, name="2020")
    venue = Venue.objects.create(name=f"Ground in {venue_city}", city=venue_city, country=venue_country)
    turkey = Team.objects.create(name="Test Turkey", short_name="Turkey", kind=Team.Kind.NATIONAL, country="Turkey")
    italy = Team.objects.create(name="Test Italy", short_name="Italy", kind=Team.Kind.NATIONAL, country="Italy")
    return Match.objects.create(competition=competition, season=season, kickoff=dt.datetime(2021, 6, 11, 19, tzinfo=dt.UTC),
                                venue=venue, home_team=turkey, away_team=italy)


@pytest.mark.django_db
def test_the_side_in_its_own_country_has_the_home_advantage_even_listed_away(django_assert_num_queries):
    match = load_match(_international("Rome", "Italy").pk)

    with django_assert_num_queries(1):
        expectation = inplay.pre_match_expectation(match)

    assert expectation.away_goals > expectation.home_goals
    assert expectation.note == "league-typical goals, Italy at home in Rome"
    home, _, away = inplay.win_probability(expectation.home_goals, expectation.away_goals, 0, 0, 0)
    assert away > home


@pytest.mark.django_db
def test_a_tournament_match_at_a_third_countrys_ground_has_no_home_advantage():
    match = load_match(_international("Baku", "Azerbaijan").pk)

    expectation = inplay.pre_match_expectation(match)

    assert expectation.home_goals == pytest.approx(expectation.away_goals)
    assert "no home advantage" in expectation.note


@pytest.mark.django_db
def test_a_league_match_keeps_the_listed_home_sides_advantage():
    built = build_match()
    built.home.venue = built.match.venue
    built.home.save()

    expectation = inplay.pre_match_expectation(load_match(built.match.pk))

    assert (expectation.home_goals, expectation.away_goals) == (inplay.DEFAULT_HOME_GOALS, inplay.DEFAULT_AWAY_GOALS)
    assert expectation.note == "league-typical goals, Northside at home"


def test_a_fair_probability_outside_0_1_is_named():
    with pytest.raises(ValueError, match="fair probability draw"):
        inplay.expectation_from_odds(0.5, 1.2, 0.3)


# Turkey 0-3 Italy, Euro 2020's opener in Rome (StatsBomb lists Turkey at home; no odds stored)


@pytest.mark.realdata
@pytest.mark.django_db(transaction=True)
def test_turkey_italy_starts_with_italy_favoured_and_ends_with_italy_certain(shared_data):
    call_command("import_statsbomb", str(shared_data("statsbomb")), "--match", "3788741", "--competition", "55",
                 "--season", "43", "--date", "2021-06-11T21:00", stdout=StringIO(), stderr=StringIO())
    match = load_match(Match.objects.get(home_team__name="Turkey", away_team__name="Italy").pk)
    assert match.venue is not None and match.venue.country == "Italy"  # the Euro 2020 fixture list's ground

    winprob = winprob_context(MatchState(match))["winprob"]
    series = winprob["series"]

    assert series["away"][0] > series["home"][0]
    assert winprob["prior"] == "league-typical goals, Italy at home in Rome"
    assert (series["home"][-1], series["draw"][-1], series["away"][-1]) == (0.0, 0.0, 1.0)
    assert winprob["current"]["away"] == 100.0
