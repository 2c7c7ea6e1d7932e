"""The team page in a real browser, served by daphne from a file database: what only a browser
proves (STYLE.md, Tests): the vendored uPlot draws the season's chart (and a match's odds
movement), and on a phone the page does not scroll sideways (its tables scroll inside their
wrappers).
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_live_browser import CHROMIUM, CHROMIUM_ARGS, Site

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

SCREENSHOT = Path("/tmp/team-page.png")
PHONE_SCREENSHOT = Path("/tmp/team-page-phone.png")
WAIT_SECONDS = 90

# Pixels uPlot painted: the canvas starts fully transparent.
PAINTED_PIXELS = """(selector) => {
  const canvas = document.querySelector(selector || '#team-chart canvas');
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) painted++;
  return {painted, width: canvas.width, height: canvas.height, dataUrl: canvas.toDataURL().length};
}"""


def test_the_team_page_draws_its_chart_with_the_vendored_uplot(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    season_file = Path(settings.QUANTFOOT_DATA, "football-data", "E0", "2324.csv")
    if not season_file.exists():
        pytest.skip(f"real data not found at {season_file} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + WAIT_SECONDS
    site = Site(tmp_path)
    try:
        site.manage("migrate", "--noinput", timeout=90)
        site.manage("import_football_data", str(season_file), timeout=60)
        with sqlite3.connect(site.database) as connection:
            (arsenal,) = connection.execute("SELECT id FROM matches_team WHERE name = 'Arsenal'").fetchone()
            (a_match,) = connection.execute("SELECT id FROM matches_match WHERE home_team_id = ?", [arsenal]).fetchone()
        site.start_web()
        url = f"{site.url}/teams/{arsenal}/"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requests = []
                page.on("request", lambda request: requests.append(request.url))
                page.goto(url, wait_until="load")
                page.wait_for_selector("#team-chart canvas", timeout=max(1000, (deadline - time.monotonic()) * 1000))
                drawn = page.evaluate(PAINTED_PIXELS)
                assert drawn["width"] > 0 and drawn["height"] > 0, drawn
                assert drawn["painted"] > 500, f"the chart's canvas is blank: {drawn}"
                blank = page.evaluate("""() => {
                  const canvas = document.querySelector('#team-chart canvas');
                  const empty = document.createElement('canvas');
                  empty.width = canvas.width; empty.height = canvas.height;
                  return empty.toDataURL().length;
                }""")
                assert drawn["dataUrl"] > blank
                assert "Points" in page.inner_text("#team-chart")  # uPlot's legend names the series
                assert page.inner_text(".team-record").count("2nd") == 1
                assert all(request.startswith(site.url) for request in requests), "something came from elsewhere"
                page.screenshot(path=str(SCREENSHOT), full_page=True)

                phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                         is_mobile=True, has_touch=True)
                phone.goto(url, wait_until="load")
                phone.wait_for_selector("#team-chart canvas")
                assert phone.evaluate(PAINTED_PIXELS)["painted"] > 500
                # Wide tables scroll inside their wrappers; the page itself stays as wide as the phone.
                assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
                assert phone.evaluate("""() => [...document.querySelectorAll('.table-scroll')]
                  .some(wrapper => wrapper.scrollWidth > wrapper.clientWidth)""")
                phone.screenshot(path=str(PHONE_SCREENSHOT), full_page=True)

                # The odds page's line chart goes through the same chart helper (static/js/charts.js).
                odds = browser.new_page(viewport={"width": 1280, "height": 900})
                odds.goto(f"{site.url}/markets/matches/{a_match}/odds/", wait_until="load")
                odds.wait_for_selector("[data-odds-chart] canvas")
                assert odds.evaluate(PAINTED_PIXELS, "[data-odds-chart] canvas")["painted"] > 300
            finally:
                browser.close()
    finally:
        site.stop_all()
