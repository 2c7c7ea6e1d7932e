"""Weather at the ground: the writer, the icons, the match page's card and the fixture lists."""

import datetime as dt
import re

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from matches import weather
from matches.models import Competition, Match, MatchWeather, Season, Team, Venue
from matches.weather import Reading, condition, save_weather

pytestmark = pytest.mark.django_db

FETCHED = dt.datetime(2026, 12, 1, 6, 0, tzinfo=dt.UTC)


def reading(kickoff, temperature=8.4, precipitation=1.2, wind=23.0, code=63) -> Reading:
    return Reading(weather.kickoff_hour(kickoff), temperature, precipitation, wind, code)


@pytest.fixture
def ground():
    return Venue.objects.create(name="Old Trafford", city="Manchester", latitude=53.4631, longitude=-2.2913)


@pytest.fixture
def league():
    competition = Competition.objects.create(name="Premier League", kind=Competition.Kind.LEAGUE)
    return Season.objects.create(competition=competition, name="2026/27")


def fixture(season, ground, kickoff, home="Manchester United", away="Liverpool", **fields) -> Match:
    home_team, _ = Team.objects.get_or_create(name=home)
    away_team, _ = Team.objects.get_or_create(name=away)
    return Match.objects.create(competition=season.competition, season=season, kickoff=kickoff, venue=ground,
                                home_team=home_team, away_team=away_team, **fields)


def soon(days=2, hour=19, minute=45) -> dt.datetime:
    day = timezone.now() + dt.timedelta(days=days)
    return day.replace(hour=hour, minute=minute, second=0, microsecond=0)


# --- the writer ---------------------------------------------------------------------------

def test_the_figures_are_those_of_the_hour_the_kickoff_falls_in():
    assert weather.kickoff_hour(dt.datetime(2024, 8, 17, 19, 45, tzinfo=dt.UTC)) == dt.datetime(
        2024, 8, 17, 19, tzinfo=dt.UTC)


def test_a_newer_forecast_replaces_the_older_and_the_same_answer_changes_nothing(league, ground):
    match = fixture(league, ground, soon())
    assert vars(save_weather({match.pk: reading(match.kickoff)}, kind="forecast", fetched_at=FETCHED)) == {
        "created": 1, "updated": 0, "unchanged": 0}
    again = save_weather({match.pk: reading(match.kickoff)}, kind="forecast", fetched_at=FETCHED)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)

    newer = FETCHED + dt.timedelta(hours=6)
    save_weather({match.pk: reading(match.kickoff, temperature=5.0, code=71)}, kind="forecast", fetched_at=newer)
    older = save_weather({match.pk: reading(match.kickoff, temperature=20.0)}, kind="forecast", fetched_at=FETCHED)
    row = MatchWeather.objects.get()
    assert (row.temperature_c, row.weather_code, row.fetched_at) == (5.0, 71, newer)
    assert older.unchanged == 1  # an older answer never overwrites a newer one


def test_the_observed_row_is_written_once_beside_the_forecast(league, ground):
    match = fixture(league, ground, soon(-2), status=Match.Status.FINISHED, home_score=1, away_score=1)
    save_weather({match.pk: reading(match.kickoff)}, kind="forecast", fetched_at=FETCHED)
    save_weather({match.pk: reading(match.kickoff, temperature=6.1)}, kind="observed", fetched_at=FETCHED)
    later = save_weather({match.pk: reading(match.kickoff, temperature=9.9)}, kind="observed",
                         fetched_at=FETCHED + dt.timedelta(days=5))
    assert later.unchanged == 1
    assert dict(MatchWeather.objects.values_list("kind", "temperature_c")) == {"forecast": 8.4, "observed": 6.1}


def test_an_hour_without_data_is_not_stored(league, ground):
    match = fixture(league, ground, soon(-1), status=Match.Status.FINISHED, home_score=0, away_score=0)
    empty = Reading(weather.kickoff_hour(match.kickoff), None, None, None, None)
    assert save_weather({match.pk: empty}, kind="observed", fetched_at=FETCHED).created == 0
    assert not MatchWeather.objects.exists()


def test_one_requests_matches_are_written_together_or_not_at_all(league, ground):
    first = fixture(league, ground, soon(2))
    second = fixture(league, ground, soon(5), home="Chelsea", away="Arsenal")
    with pytest.raises(IntegrityError):
        save_weather({first.pk: reading(first.kickoff), second.pk: reading(second.kickoff, temperature=75.0)},
                     kind="forecast", fetched_at=FETCHED)
    assert MatchWeather.objects.count() == 0


# --- icons ------------------------------------------------------------------------------------

@pytest.mark.parametrize("code,icon,label", [
    (0, "clear", "Clear sky"), (1, "partly-cloudy", "Mainly clear"), (2, "partly-cloudy", "Partly cloudy"),
    (3, "overcast", "Overcast"), (45, "fog", "Fog"), (48, "fog", "Depositing rime fog"),
    (51, "drizzle", "Light drizzle"), (57, "drizzle", "Dense freezing drizzle"), (61, "rain", "Slight rain"),
    (67, "rain", "Heavy freezing rain"), (71, "snow", "Slight snowfall"), (77, "snow", "Snow grains"),
    (80, "showers", "Slight rain showers"), (82, "showers", "Violent rain showers"),
    (85, "snow-showers", "Slight snow showers"), (86, "snow-showers", "Heavy snow showers"),
    (95, "thunderstorm", "Thunderstorm"), (99, "thunderstorm", "Thunderstorm with heavy hail"),
    (30, "unknown", "Weather code 30"),
])
def test_wmo_codes_map_to_an_icon_and_words(code, icon, label):
    assert condition(code) == weather.Condition(icon, label)
    assert condition(None) is None


def test_every_icon_is_drawn(client):
    from django.template.loader import render_to_string

    icons = {icon for _, _, icon in weather.ICON_RANGES} | {"unknown"}
    for icon in icons:
        svg = render_to_string("matches/partials/_weather_icon.html", {"condition": weather.Condition(icon, "Label")})
        assert 'role="img" aria-label="Label"' in svg and re.search(r"<(path|circle)", svg), icon


# --- the match page's card ------------------------------------------------------------------------

def card(html: str) -> str:
    found = re.search(r'<section[^>]*id="weather".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_match_page_shows_the_forecast_then_the_observed_weather(client, league, ground,
                                                                      django_assert_max_num_queries):
    match = fixture(league, ground, soon(-1, hour=15, minute=0), status=Match.Status.FINISHED,
                    home_score=2, away_score=0)
    assert card(client.get(match.get_absolute_url()).content.decode()) == ""  # no row: no card

    save_weather({match.pk: reading(match.kickoff, temperature=8.4, precipitation=1.2, wind=23.0, code=63)},
                 kind="forecast", fetched_at=FETCHED)
    shown = card(client.get(match.get_absolute_url()).content.decode())
    assert "Forecast" in shown and "8 °C" in shown and "1.2 mm" in shown and "23 km/h" in shown
    assert 'aria-label="Moderate rain"' in shown and "Moderate rain</span>" in shown
    assert "at Old Trafford" in shown and "fetched" in shown

    save_weather({match.pk: reading(match.kickoff, temperature=6.6, precipitation=0.0, wind=31.0, code=3)},
                 kind="observed", fetched_at=FETCHED + dt.timedelta(days=3))
    with django_assert_max_num_queries(11):  # the page's ten, and the card's one
        shown = card(client.get(match.get_absolute_url()).content.decode())
    assert "Observed" in shown and "Forecast" not in shown
    assert "7 °C" in shown and "0.0 mm" in shown and "31 km/h" in shown and 'aria-label="Overcast"' in shown


def test_a_match_at_an_unlocated_ground_has_no_card_and_no_query_for_it(client, league):
    match = fixture(league, Venue.objects.create(name="Somewhere"), soon())
    MatchWeather.objects.create(match=match, kind="forecast", valid_at=match.kickoff, fetched_at=FETCHED)
    assert card(client.get(match.get_absolute_url()).content.decode()) == ""


# --- fixture lists ---------------------------------------------------------------------------------

@pytest.fixture
def week(league, ground):
    """Five upcoming fixtures at one ground, three with a forecast; one finished match with weather."""
    clubs = ["Chelsea", "Arsenal", "Everton", "Fulham", "Brentford", "Burnley"]
    upcoming = [fixture(league, ground, soon(day), home="Manchester United", away=clubs[day]) for day in range(1, 6)]
    done = fixture(league, ground, soon(-3), home="Manchester United", away="Liverpool",
                   status=Match.Status.FINISHED, home_score=1, away_score=0)
    save_weather({m.pk: reading(m.kickoff, temperature=4.0 + i, code=(71, 61, 0)[i])
                  for i, m in enumerate(upcoming[:3])},
                 kind="forecast", fetched_at=FETCHED)
    save_weather({done.pk: reading(done.kickoff, code=95)}, kind="forecast", fetched_at=FETCHED)
    return upcoming, done


def badges(html: str) -> list[str]:
    return re.findall(r'<span class="wx-badge".*?aria-label="([^"]+)".*?(\d+)°</span></span>', html, re.S)


def test_the_home_page_shows_the_forecast_beside_upcoming_fixtures(client, week, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # the lists, the competitions, and one for every forecast
        html = client.get("/").content.decode()
    shown = [(label, temperature) for label, temperature in badges(html)]
    assert shown[-3:] == [("Slight snowfall", "4"), ("Slight rain", "5"), ("Clear sky", "6")]
    assert "Thunderstorm" not in html  # a finished match's forecast is not shown in the lists


def test_the_team_page_shows_the_forecast_beside_its_fixtures(client, week, django_assert_max_num_queries):
    upcoming, _ = week
    team = upcoming[0].home_team
    with django_assert_max_num_queries(13):
        html = client.get(team.get_absolute_url()).content.decode()
    assert [label for label, _ in badges(html)] == ["Slight snowfall", "Slight rain", "Clear sky"]
    response = client.get(reverse("matches:team-results-csv", args=[team.pk]))
    results_csv = response.content.decode()
    assert response.status_code == 200 and "Burnley" in results_csv
    assert "°" not in results_csv and "snow" not in results_csv  # the page's decoration, not the data


def test_the_competition_page_shows_the_forecast_in_the_round(client, league, ground, django_assert_max_num_queries):
    clubs = ["Chelsea", "Arsenal", "Everton", "Fulham"]
    matches = [fixture(league, ground, soon(2), home=clubs[i], away=clubs[i + 1], matchday=1, round="Matchday 1")
               for i in (0, 2)]
    save_weather({m.pk: reading(m.kickoff, temperature=12.0, code=2) for m in matches}, kind="forecast",
                 fetched_at=FETCHED)
    url = league.competition.get_absolute_url() + f"?season={league.pk}"
    with django_assert_max_num_queries(8):
        html = client.get(url).content.decode()
    assert badges(html) == [("Partly cloudy", "12"), ("Partly cloudy", "12")]


def test_lists_without_upcoming_fixtures_ask_nothing_about_weather(client, league, ground):
    done = fixture(league, ground, soon(-3), status=Match.Status.FINISHED, home_score=1, away_score=0)
    with CaptureQueriesContext(connection) as queries:
        client.get("/")
        client.get(done.home_team.get_absolute_url())
    assert not [q for q in queries.captured_queries if "matchweather" in q["sql"]]
