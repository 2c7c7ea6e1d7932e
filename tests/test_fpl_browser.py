"""FPL 2023/24 in a real browser on a phone: Haaland's FPL price chart drawn beside the page's tables,
nothing wider than the screen, and the competition page's top scorers led by him.
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

SCREENSHOT = Path("/tmp/fpl-player-page.png")
WAIT_SECONDS = 120


def test_haalands_fpl_card_draws_on_a_phone(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    data = Path(settings.QUANTFOOT_DATA)
    if not (data / "fpl" / "2023-24" / "players_raw.csv").exists():
        pytest.skip(f"real data not found at {data} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + WAIT_SECONDS
    site = Site(tmp_path)
    try:
        site.manage("migrate", "--noinput", timeout=90)
        site.manage("import_football_data", str(data / "football-data" / "E0" / "2324.csv"), timeout=60)
        site.manage("import_fpl", str(data / "fpl" / "2023-24"), timeout=90)
        with sqlite3.connect(site.database) as connection:
            (haaland,) = connection.execute("SELECT id FROM players_player WHERE known_as = 'Haaland'").fetchone()
            (competition,) = connection.execute(
                "SELECT id FROM matches_competition WHERE name = 'Premier League'").fetchone()
        site.start_web()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 390, "height": 844})
                requests = []
                page.on("request", lambda request: requests.append(request.url))
                page.goto(f"{site.url}/players/{haaland}/", wait_until="load")
                page.wait_for_selector("#fpl-chart canvas", timeout=max(1000, (deadline - time.monotonic()) * 1000))
                drawn = page.evaluate(PAINTED_PIXELS, "#fpl-chart canvas")
                assert drawn["painted"] > 300, f"the FPL chart's canvas is blank: {drawn}"
                assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
                assert "217" in page.inner_text("#fpl")
                assert all(request.startswith(site.url) for request in requests), "something came from elsewhere"
                page.screenshot(path=str(SCREENSHOT), full_page=True)

                page.goto(f"{site.url}/competitions/{competition}/", wait_until="load")
                first = page.inner_text("#scorers-title + .table-scroll tbody tr:first-child")
                assert "Haaland" in first and "27" in first
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
            finally:
                browser.close()
    finally:
        site.stop_all()
