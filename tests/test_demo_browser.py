"""The demo as a new user meets it, in a real browser, served by daphne from a file database loaded by
`manage.py load_demo` (the part of the demo data these pages need: Premier League 2022/23 and
2023/24 from football-data.co.uk, FPL 2023/24, the rulings): from the home page and the nav only,
the corrected 2023/24 table with its deduction note, a finished match with what we predicted before
it, a Premier League player with a market value, and a non-empty value-bet list; on a phone
nothing scrolls sideways.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_live_browser import CHROMIUM, CHROMIUM_ARGS, Site

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

SCREENSHOTS = Path("/tmp")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 900}}


def demo_folder(tmp_path: Path) -> Path:
    """The demo data these pages need, as links into ../shared/data (never copies)."""
    shared = Path(settings.QUANTFOOT_DATA)
    needed = [shared / "football-data" / "E0" / name for name in ("2223.csv", "2324.csv")] + [shared / "fpl" / "2023-24"]
    missing = [path for path in needed if not path.exists()]
    if missing:
        pytest.skip(f"real data not found at {missing[0]} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    folder = tmp_path / "data"
    (folder / "football-data" / "E0").mkdir(parents=True)
    (folder / "fpl").mkdir()
    for path in needed[:2]:
        (folder / "football-data" / "E0" / path.name).symlink_to(path)
    (folder / "fpl" / "2023-24").symlink_to(needed[2])
    return folder


# What sticks out to the right of the phone's screen (outside any scrolling wrapper): the culprits to name.
WIDE_ELEMENTS = """() => [...document.querySelectorAll('body *')]
  .filter(element => element.getBoundingClientRect().right > 391 && !element.closest('.table-scroll'))
  .slice(0, 5).map(element => `${element.tagName.toLowerCase()}.${element.className} ${element.id}`
                   + ` ${Math.round(element.getBoundingClientRect().right)}px`)"""


def fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, (f"{page.url} scrolls sideways on a 390 px phone ({width} px wide): "
                          f"{page.evaluate(WIDE_ELEMENTS)}")


def test_the_demo_shows_every_feature_from_the_home_page_and_the_nav(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    folder = demo_folder(tmp_path)
    from playwright.sync_api import sync_playwright

    site = Site(tmp_path)
    try:
        site.manage("migrate", "--noinput", timeout=90)
        site.manage("load_demo", str(folder), timeout=120)
        site.start_web()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                for name, viewport in VIEWPORTS.items():
                    phone = name == "phone"
                    page = browser.new_page(viewport=viewport, device_scale_factor=2 if phone else 1,
                                            is_mobile=phone, has_touch=phone)
                    page.goto(site.url + "/", wait_until="load")

                    # The competition page, from the home page's list of competitions: the real final table.
                    page.click("text=Premier League >> nth=-1")
                    page.wait_for_selector("#standings-table")
                    everton = page.locator("#standings-table tr", has=page.locator("th >> text=Everton"))
                    cells = everton.locator("td").all_inner_texts()
                    assert cells[8] == "40", cells  # points, after the deduction
                    marker = everton.locator("a.standings__adjustment")
                    assert marker.inner_text() == "\N{MINUS SIGN}8"
                    assert "17 Nov 2023" in marker.get_attribute("title")
                    forest = page.locator("#standings-table tr", has=page.locator("th >> text=Nottingham Forest"))
                    assert forest.locator("td").all_inner_texts()[8] == "32"
                    marker.click()  # the note under the table, where a phone can read it
                    note = page.locator("li:target")
                    assert note.inner_text().startswith("Everton: \N{MINUS SIGN}8 points")
                    assert "Appeal Board reduced the 2021/22 deduction from 10 points to 6" in note.inner_text()
                    if phone:
                        fits_the_phone(page)
                    page.screenshot(path=str(SCREENSHOTS / f"demo-table-{name}.png"), full_page=True)

                    # A finished match from the results: what we predicted before it, beside the result.
                    page.locator("table.fixtures a.score").first.click()
                    page.click('a[data-tab="odds"]')  # the prediction sits beside the odds
                    card = page.wait_for_selector("#tab-prediction")
                    text = card.inner_text()
                    assert "Our prediction before kick-off" in text
                    assert re.search(r"Result: .+ \d–\d .+we gave it \d+\.\d%", text), text
                    if phone:
                        fits_the_phone(page)
                    page.screenshot(path=str(SCREENSHOTS / f"demo-match-{name}.png"), full_page=True)

                    # Market values, from the nav: Premier League players (FPL's minutes) are on the board.
                    page.click("nav.site-nav >> text=Market values")
                    board = page.wait_for_selector("table.value-board")
                    rows = board.query_selector_all("tbody tr")
                    assert any("Premier League" in row.inner_text() for row in rows), "no Premier League player valued"
                    first = next(row for row in rows if "Premier League" in row.inner_text())
                    first.query_selector("a").click()
                    page.wait_for_load_state("load")
                    assert re.search(r"€\s?[\d.,]+\s?[mk]", page.inner_text("main")), "the player page shows no value"
                    if phone:
                        fits_the_phone(page)

                    # Value bets, from the nav: nothing is upcoming in the data, so the list offers a past week.
                    page.click("nav.site-nav >> text=Value bets")
                    page.click("[data-suggested] a")
                    page.wait_for_selector("tr[data-value-bet]")
                    bets = page.locator("tr[data-value-bet]")
                    assert bets.count() > 0
                    assert re.search(r"(won|lost)", bets.first.inner_text())
                    assert "as of" in page.inner_text("h1")
                    if phone:
                        fits_the_phone(page)
                    page.screenshot(path=str(SCREENSHOTS / f"demo-value-bets-{name}.png"), full_page=True)
                    page.close()
            finally:
                browser.close()
    finally:
        site.stop_all()
