"""Every page at a phone's 390x844 and a laptop's 1366x900 in Chromium: the document is never wider than
the viewport (wide tables scroll inside their own wrapper), and the match page's tabs work by click, by
arrow key and by the address's hash. Screenshots land in /tmp/layout-<page>-<viewport>.png to look at."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import CHROMIUM
from markets import valuation
from markets.models import Bookmaker, OddsQuote
from matches.aggregates import recompute_team_seasons
from matches.models import Match, Source
from matches.tests.builders import build_match
from players.aggregates import recompute_player_seasons
from players.tests.builders import League, card, goal, player, shot, substitution, team
from trading.services import create_backtest, run_backtest
from trading.strategy import StrategySpec

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]

VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}
# Long names as real ones are: they are what pushes a row past a phone's edge.
CLUBS = ("Wolverhampton Wanderers", "Brighton & Hove Albion", "Borussia Mönchengladbach", "Nottingham Forest",
         "Paris Saint-Germain", "Sheffield United")

# What sticks out past the right edge outside a scrolling wrapper: named in the failure.
WIDE = """() => [...document.querySelectorAll('body *')]
  .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1 && !el.closest('.table-scroll'))
  .slice(0, 5).map(el => `${el.tagName.toLowerCase()}.${el.className} #${el.id} ${Math.round(el.getBoundingClientRect().right)}px`)"""


# What a fan reads first on each page must be on screen without scrolling any table sideways.
IN_VIEW = {
    "home": [".match-list tbody tr:first-child td:nth-child(3)", ".match-list tbody tr:first-child .score",
             ".match-list tbody tr:first-child td:nth-child(5)"],
    "competition": [".standings tbody tr:first-child .standings__team", ".standings tbody tr:first-child .standings__pts",
                    "table.fixtures tbody tr:first-child td:nth-child(2)",
                    "table.fixtures tbody tr:first-child td:nth-child(4)"],
    "team": ['.team-table tbody tr:first-child [data-col="opponent"]',
             '.team-table tbody tr:first-child [data-col="score"]'],
}
ON_SCREEN = """selector => {
  const box = document.querySelector(selector)?.getBoundingClientRect();
  return Boolean(box && box.width > 0 && box.left >= 0 && box.right <= window.innerWidth + 1);
}"""


@pytest.fixture
def site():
    """A season of six clubs (standings, results, player lines, values), its odds, and a live match."""
    league = League("Premier League", "2023/24")
    clubs = [team(name) for name in CLUBS]
    squads = {club: [player(f"{first} {club.name.split()[0]}-Abdulrahman", position=position)
                     for first, position in (("Jean-Philippe", "FW"), ("Alexander", "MF"), ("Emiliano", "GK"))]
              for club in clubs}
    finished = None
    for day, (home, away) in enumerate(((a, b) for a in clubs for b in clubs if a is not b), start=1):
        scorer, midfielder, keeper = squads[home]
        finished = league.play(
            home, away, (day % 3, day % 2), day=day,
            lineups={side: [(who, 90, True) for who in squads[side]] for side in (home, away)},
            events=[shot(home, scorer, 5, xg=0.08), *[goal(home, scorer, 10 + 20 * n, assist=midfielder, xg=0.35)
                                                       for n in range(day % 3)],
                    card(away, squads[away][1], 40), substitution(away, squads[away][0], squads[away][1], 70),
                    *[goal(away, squads[away][0], 55 + n, xg=0.2) for n in range(day % 2)]])
    recompute_team_seasons([league.season])
    recompute_player_seasons([league.season])
    valuation.recompute_all(dt.date(2024, 5, 20))

    books = [Bookmaker.objects.create(code=code, name=name) for code, name in (
        ("B365", "Bet365"), ("PS", "Pinnacle"), ("WH", "William Hill"), ("BW", "bwin"))]
    for n, book in enumerate(books):
        for phase, shift in (("pre_match", 0.0), ("closing", 0.1)):
            OddsQuote.objects.create(match=finished, bookmaker=book, market="1x2", phase=phase, source=Source.MANUAL,
                                     home=2.1 + n / 20 - shift, draw=3.4 + shift, away=3.6 + n / 10 + shift)
            OddsQuote.objects.create(match=finished, bookmaker=book, market="over_under", phase=phase,
                                     line=Decimal("2.5"), source=Source.MANUAL, over=1.9 + shift, under=1.95 - shift)
            OddsQuote.objects.create(match=finished, bookmaker=book, market="asian_handicap", phase=phase,
                                     line=Decimal("-0.75"), source=Source.MANUAL, home=1.95, away=1.93)
    live = build_match(name="Premier League 2 Division One").match
    return {"league": league, "finished": finished, "live": live, "club": clubs[1],
            "player": squads[clubs[1]][0]}


def practice_slate():
    """A small DraftKings slate (three teams, long names) and a finished run of five lineups on it."""
    from fantasy.models import Slate, SlatePlayer
    from fantasy.optimizing import create_dk_lineups, run_optimization

    slate = Slate.objects.create(name="Saturday main: Wolverhampton Wanderers v Brighton & Hove Albion and more")
    shape = ("GK", "D", "D", "D", "M", "M", "M/F", "F", "F")
    for t, (club, opponent) in enumerate((("WOL", "BHA"), ("BHA", "WOL"), ("NFO", "WOL"))):
        for k, positions in enumerate(shape):
            SlatePlayer.objects.create(slate=slate, external_id=f"{t}{k:02d}", name=f"Bartholomew Featherstonehaugh {t}{k}",
                                       positions=positions, salary=4000 + 400 * k, team_abbrev=club,
                                       game_info=f"{opponent}@{club} 08/12/2023 10:00AM ET", average_points=3 + k)
    return slate, run_optimization(create_dk_lineups(None, slate, "average", {"lineups": 5}))


def open_page(browser, viewport: str):
    phone = viewport == "phone"
    return browser.new_page(viewport=VIEWPORTS[viewport], is_mobile=phone, has_touch=phone)


def assert_fits(page, what: str) -> None:
    width, viewport = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= viewport, f"{what} is {width} px wide in a {viewport} px window: {page.evaluate(WIDE)}"


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_page_is_wider_than_the_window(live_server, browser, site, viewport):
    backtest = run_backtest(create_backtest(StrategySpec.from_rule("back:home"), [site["league"].competition],
                                            [site["league"].season]), paths=200)
    slate, lineups = practice_slate()
    pages = {
        "home": "/",
        "live-match": site["live"].get_absolute_url(),
        "finished-match": site["finished"].get_absolute_url(),
        "competition": site["league"].competition.get_absolute_url(),
        "team": site["club"].get_absolute_url(),
        "player": site["player"].get_absolute_url(),
        "odds": f"/markets/matches/{site['finished'].pk}/odds/",
        "values": "/markets/values/",
        "value-bets": "/markets/value-bets/",
        "search": "/search?q=Wolverhampton",
        "sign-up": "/accounts/signup/",
        "sign-in": "/accounts/login/",
        "api-docs": "/api/v1/docs",
        "backtests": "/trading/",
        "backtest": backtest.get_absolute_url(),
        "portfolios": "/trading/portfolios/",
        "exchange": "/markets/exchange/",
        "fantasy": "/fantasy/",
        "gameweek": f"/fantasy/fpl/{site['league'].season.pk}/gw/1/",
        "slates": "/fantasy/slates/",
        "slate": f"/fantasy/slates/{slate.pk}/",
        "lineups": lineups.get_absolute_url(),
    }
    page = open_page(browser, viewport)
    for name, path in pages.items():
        response = page.goto(live_server.url + path, wait_until="load")
        assert response.status == 200, f"{path} answered {response.status}"
        assert_fits(page, path)
        for selector in IN_VIEW.get(name, ()):
            assert page.evaluate(ON_SCREEN, selector), f"{path}: {selector} is not on screen"
        page.screenshot(path=f"/tmp/layout-{name}-{viewport}.png", full_page=True)
    # Each tab of the match page shows other content: every one must fit too.
    page.goto(live_server.url + site["finished"].get_absolute_url())
    for tab in page.locator("nav a[data-tab]:visible").all():
        tab.click()
        assert_fits(page, f"the finished match's {tab.inner_text()} tab")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_a_signed_in_readers_pages_fit_too(live_server, browser, site, viewport):
    """The account menu, the home page's "Following", the profile and the API keys, and a key just made."""
    from django.contrib.auth import get_user_model
    from accounts.models import Follow

    user = get_user_model().objects.create_user("ada.lovelace.of.nottingham", "ada@example.org", "a long passphrase 42")
    Follow.objects.create(user=user, team=site["club"])
    page = open_page(browser, viewport)
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("a long passphrase 42")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + "/")
    assert page.locator("#following").count() == 1, "the home page starts with what the reader follows"
    for path in ("/", "/accounts/profile/", "/accounts/keys/", site["club"].get_absolute_url()):
        page.goto(live_server.url + path)
        assert_fits(page, path)
        assert page.evaluate(ON_SCREEN, ".account-menu summary"), f"{path}: the account menu is off screen"
        page.screenshot(path=f"/tmp/layout-signed-in{path.replace('/', '-')}{viewport}.png", full_page=True)
    page.goto(live_server.url + "/accounts/keys/")
    page.get_by_label("Name").fill("my fantasy spreadsheet on the phone")
    page.get_by_role("button", name="Create key").click()
    page.wait_for_url(lambda url: url.endswith("/created/"))
    assert_fits(page, "the page that shows a new key once")
    page.screenshot(path=f"/tmp/layout-signed-in-key-created-{viewport}.png", full_page=True)


def visible_panel(page) -> str:
    return page.evaluate("[...document.querySelectorAll('[data-panel]')].find(p => p.offsetParent !== null)?.id")


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_match_tabs_follow_clicks_arrow_keys_and_the_address(live_server, browser, site, viewport):
    page = open_page(browser, viewport)
    url = live_server.url + site["live"].get_absolute_url()
    page.goto(url)
    assert visible_panel(page) == "panel-summary"
    assert page.locator("#score").is_visible(), "the score stays above the tabs"

    page.click('a[data-tab="lineups"]')
    assert visible_panel(page) == "panel-lineups"
    assert page.evaluate("location.hash") == "#lineups"
    assert page.get_attribute('a[data-tab="lineups"]', "aria-selected") == "true"
    assert page.locator("#lineups .lu-pitch").first.is_visible(), "the line-ups are drawn on a pitch"

    page.keyboard.press("ArrowRight")  # the focused tab's neighbour, as a tab list does
    assert visible_panel(page) == "panel-shots"
    page.wait_for_selector("#xg-race canvas")

    page.goto(url + "#stats")  # a shared link opens on its tab
    page.reload()
    assert visible_panel(page) == "panel-stats"
    page.go_back()


def test_a_finished_match_from_a_results_file_shows_only_what_it_has(live_server, browser, site):
    """No placeholder cards: a match with odds but no events offers no Shots tab and no empty pitch."""
    match = Match.objects.create(competition=site["league"].competition, season=site["league"].season,
                                 kickoff=dt.datetime(2024, 5, 19, 15, tzinfo=dt.UTC), home_team=site["club"],
                                 away_team=site["finished"].home_team, status=Match.Status.FINISHED,
                                 home_score=2, away_score=2)
    page = open_page(browser, "phone")
    page.goto(live_server.url + match.get_absolute_url())
    tabs = [text.strip() for text in page.locator("nav a[data-tab]:visible").all_inner_texts()]
    assert tabs[0] == "Summary" and "Shots" not in tabs, tabs
    assert "have not been announced" not in page.inner_text("main")
    assert_fits(page, "a results-only match")


def test_the_phones_score_bar_sticks_once_the_header_scrolls_away_and_follows_the_score(live_server, browser, site):
    page = open_page(browser, "phone")
    page.goto(live_server.url + site["live"].get_absolute_url())
    bar = page.locator("[data-match-bar]")
    assert bar.bounding_box()["y"] + bar.bounding_box()["height"] <= 0, "out of sight while the header is in view"

    page.mouse.wheel(0, 1500)
    # Functions, not bare expressions: Playwright polls those with eval, which the page's CSP forbids.
    page.wait_for_function("() => document.querySelector('[data-match-bar]').getBoundingClientRect().top === 0")
    assert bar.is_visible() and bar.bounding_box()["width"] <= 390
    assert bar.locator("[data-bar-score]").inner_text() == "1\u20132"
    assert bar.locator("[data-bar-clock]").inner_text() == "67'"

    page.evaluate("""htmx.swap(document.body, '<div id="score" data-seq="99" hx-swap-oob="true"><span class="score">2\u20132</span></div>', {swapStyle: 'none'})""")
    assert bar.locator("[data-bar-score]").inner_text() == "2\u20132", "the bar mirrors a pushed goal"
    bar.click()
    page.wait_for_function("() => window.scrollY === 0")
