"""The exchange pages on a phone (390 px) in Chromium: nothing wider than the window, the chart drawn.
Screenshots land in /tmp/exchange-<page>.png to look at."""

import pytest

from conftest import CHROMIUM
from markets.models import ExchangeRunner
from markets.tests.test_exchange import OFF, exchange_world
from matches.models import Competition, Match, Season, Team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]


def test_the_exchange_pages_fit_a_phone(live_server, browser):
    competition = Competition.objects.create(name="Premier League")
    season = Season.objects.create(competition=competition, name="2023/24")
    match = Match.objects.create(competition=competition, season=season, kickoff=OFF,
                                 home_team=Team.objects.create(name="Wolverhampton Wanderers"),
                                 away_team=Team.objects.create(name="Brighton & Hove Albion"))
    market = exchange_world(match)
    market.event_name = "Wolverhampton Wanderers v Brighton & Hove Albion"
    market.save()
    ExchangeRunner.objects.filter(name="Arsenal").update(name="Wolverhampton Wanderers")
    ExchangeRunner.objects.filter(name="Chelsea").update(name="Brighton & Hove Albion")
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    for name, path in (("list", "/markets/exchange/"), ("market", market.get_absolute_url()),
                       ("odds", f"/markets/matches/{match.pk}/odds/")):
        assert page.goto(live_server.url + path, wait_until="load").status == 200
        width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        page.screenshot(path=f"/tmp/exchange-{name}.png", full_page=True)
        assert width <= window == 390, f"{path} is {width} px wide in a {window} px window"
    page.goto(live_server.url + market.get_absolute_url())
    box = page.locator("svg.exchange-chart").bounding_box()
    assert box and 0 < box["width"] <= 390 and box["height"] > 100
    assert page.locator("svg.exchange-chart polyline").count() == 2


@pytest.mark.realdata
def test_the_flumine_recordings_page_fits_a_phone_and_draws_both_runners(live_server, browser, shared_data):
    from ingestion.betfair_import import import_betfair_file

    import_betfair_file(str(shared_data("betfair", "flumine", "1.200806927")))
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    assert page.goto(live_server.url + "/markets/exchange/1.200806927/", wait_until="load").status == 200
    page.screenshot(path="/tmp/exchange-flumine.png", full_page=True)
    width, window = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window == 390
    assert page.locator("svg.exchange-chart polyline").count() == 2
    assert page.locator("[data-winner]").inner_text() == "Selection 228749"
