"""The backtest pages in Chromium: the progress polls until the report swaps in, the seasons follow the
competition, the form shows the chosen rule's parameters, and nothing scrolls sideways at 390 px.
Screenshots land in /tmp/shots/."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CHROMIUM
from matches.models import Competition, Match, Season
from tests.test_layout_browser import VIEWPORTS, assert_fits, open_page
from trading.models import Backtest
from trading.services import create_backtest, run_backtest
from trading.strategy import StrategySpec
from trading.tests.test_pages import KICKOFF, World

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]

SHOTS = Path("/tmp/shots")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_pages_fit_and_draw_the_report(live_server, browser, viewport):
    world = World()
    backtest = run_backtest(create_backtest(StrategySpec.from_rule("back:home"), [world.competition], world.seasons),
                            paths=500)
    SHOTS.mkdir(exist_ok=True)
    page = open_page(browser, viewport)
    page.goto(live_server.url + backtest.get_absolute_url())
    assert_fits(page, "the backtest page")
    chart = page.locator("[data-equity-chart]").bounding_box()
    assert chart["width"] > 250 and chart["height"] > 150, "the equity chart is drawn at the card's width"
    assert page.locator("[data-bet]").count() == backtest.report["bets"]
    page.screenshot(path=str(SHOTS / f"backtest-{viewport}.png"), full_page=True)
    page.emulate_media(color_scheme="dark")
    page.reload()
    page.locator("[data-equity-chart]").screenshot(path=str(SHOTS / f"backtest-chart-dark-{viewport}.png"))
    page.goto(live_server.url + "/trading/")
    assert_fits(page, "the backtests page")
    page.screenshot(path=str(SHOTS / f"backtests-{viewport}.png"), full_page=True)


def test_the_progress_polls_until_the_report_replaces_it(live_server, browser):
    world = World()
    backtest = create_backtest(StrategySpec.from_rule("back:away"), [world.competition], world.seasons)
    Backtest.objects.filter(pk=backtest.pk).update(status="running", progress=40, message="Monte Carlo")
    page = open_page(browser, "phone")
    page.goto(live_server.url + backtest.get_absolute_url())
    assert page.locator('#backtest-body[data-state="running"] progress').is_visible()
    page.screenshot(path=str(SHOTS / "backtest-running-phone.png"), full_page=True)
    run_backtest(backtest, paths=200)  # what the worker does meanwhile
    page.wait_for_selector('#backtest-body[data-state="done"]', timeout=10_000)
    assert page.locator("[data-bet]").count() == backtest.bets.count()
    assert page.locator("#backtest-body[hx-trigger]").count() == 0, "no trigger is left: the polling stopped"
    assert_fits(page, "the swapped-in report")


def test_the_seasons_follow_the_competition_and_the_fields_the_rule(live_server, browser):
    world = World()
    other = Competition.objects.create(name="Southern League")
    season = Season.objects.create(competition=other, name="2019/20")
    match = Match.objects.create(competition=other, season=season, kickoff=KICKOFF.replace(year=2020),
                                 home_team=world.teams[0], away_team=world.teams[1], status=Match.Status.FINISHED,
                                 home_score=1, away_score=0)
    world.quote(match, world.pinnacle, "1x2", "closing", home=2.0, draw=3.0, away=4.0)
    page = open_page(browser, "phone")
    page.goto(live_server.url + "/trading/")
    seasons = page.locator("#season-field label")
    assert seasons.count() == 2  # Northern League comes first
    page.select_option("#id_competition", label="Southern League")
    page.wait_for_function("() => document.querySelector('#season-field').textContent.includes('2019/20')")
    assert seasons.count() == 1
    page.select_option("#id_rule", "back:home")
    assert not page.locator("#id_edge").is_visible(), "back:home reads no edge"
    page.select_option("#id_rule", "value")
    assert page.locator("#id_edge").is_visible() and page.locator("#id_model").is_visible()
    assert not page.locator("#id_move").is_visible()
    assert_fits(page, "the form")
    page.locator("#new-backtest").screenshot(path=str(SHOTS / "backtest-form-phone.png"))
