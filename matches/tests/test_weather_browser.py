"""What only a browser proves about the weather: the card and the fixture icons are drawn and fit a
390 px phone without sideways scrolling."""

import datetime as dt

import pytest
from django.utils import timezone

from matches.models import Competition, Match, Season, Team, Venue
from matches.weather import Reading, kickoff_hour, save_weather

from conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]



def test_the_weather_card_and_the_fixture_icons_fit_a_phone(live_server, browser_page):
    competition = Competition.objects.create(name="Premier League", kind=Competition.Kind.LEAGUE)
    season = Season.objects.create(competition=competition, name="2026/27")
    ground = Venue.objects.create(name="Tottenham Hotspur Stadium", city="London", latitude=51.6043, longitude=-0.0664)
    home = Team.objects.create(name="Tottenham Hotspur", venue=ground)
    kickoff = (timezone.now() + dt.timedelta(days=2)).replace(hour=20, minute=0, second=0, microsecond=0)
    fixtures = [Match.objects.create(competition=competition, season=season, kickoff=kickoff + dt.timedelta(days=i),
                                     venue=ground, home_team=home, away_team=Team.objects.create(name=f"Visitors {i}"),
                                     matchday=1, round="Matchday 1")
                for i in range(3)]
    save_weather({m.pk: Reading(kickoff_hour(m.kickoff), 3.4, 2.6, 41.0, (95, 73, 45)[i])
                  for i, m in enumerate(fixtures)},
                 kind="forecast", fetched_at=timezone.now())
    page = browser_page
    overflow = "document.documentElement.scrollWidth - document.documentElement.clientWidth"

    page.goto(f"{live_server.url}/matches/{fixtures[0].pk}/")
    card = page.locator("#weather")
    assert "Thunderstorm" in card.inner_text() and "41 km/h" in card.inner_text()
    box = card.bounding_box()
    assert box["width"] <= 390 and page.locator("#weather svg[role=img]").bounding_box()["width"] > 20
    assert page.evaluate(overflow) <= 0

    for url in ("/", home.get_absolute_url(), competition.get_absolute_url() + f"?season={season.pk}"):
        page.goto(live_server.url + url)
        icons = page.locator(".wx-badge svg[aria-label]")
        assert icons.count() >= 1, url
        icon = icons.first.bounding_box()
        assert icon["width"] > 8 and icon["x"] + icon["width"] <= 390, url  # in view, not scrolled to
        assert page.evaluate(overflow) <= 0, url
