"""The player page's market value in a real browser: the history chart drawn by the vendored uPlot
(through static/js/charts.js), the explanation term by term, nothing loaded from elsewhere.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.test_live_browser import CHROMIUM, CHROMIUM_ARGS, Site
from tests.test_team_page_browser import PAINTED_PIXELS

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

SCREENSHOT = Path("/tmp/player-page.png")
WAIT_SECONDS = 90


def test_the_player_page_charts_and_explains_his_market_value(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    statsbomb = Path(settings.QUANTFOOT_DATA, "statsbomb")
    if not (statsbomb / "matches" / "9" / "281.json").exists():
        pytest.skip(f"real data not found at {statsbomb} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + WAIT_SECONDS
    site = Site(tmp_path)
    try:
        site.manage("migrate", "--noinput", timeout=90)
        site.manage("import_statsbomb", str(statsbomb), timeout=60)
        for monday in ("2024-05-13", "2024-05-20"):  # two Mondays: a history to chart
            site.manage("recompute_market_values", "--date", monday, timeout=60)
        with sqlite3.connect(site.database) as connection:
            (boniface,) = connection.execute(
                "SELECT id FROM players_player WHERE name LIKE '%Boniface%'").fetchone()
        site.start_web()
        url = f"{site.url}/players/{boniface}/"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                requests = []
                page.on("request", lambda request: requests.append(request.url))
                page.goto(url, wait_until="load")
                page.wait_for_selector("#value-chart canvas", timeout=max(1000, (deadline - time.monotonic()) * 1000))
                drawn = page.evaluate(PAINTED_PIXELS, "#value-chart canvas")
                assert drawn["painted"] > 300, f"the value chart's canvas is blank: {drawn}"
                terms = page.inner_text(".player-value__terms")
                for label in ("Base value for a forward", "Age", "Minutes", "Output per 90", "Team strength",
                              "League strength", "Red cards"):
                    assert label in terms
                assert "Bayer Leverkusen" in terms and "Bundesliga: 0.75" in terms
                assert page.inner_text(".player-value__figure").startswith("€")
                assert all(request.startswith(site.url) for request in requests), "something came from elsewhere"
                page.screenshot(path=str(SCREENSHOT), full_page=True)
            finally:
                browser.close()
    finally:
        site.stop_all()
