"""The provider worker end to end: django-q2 polls a local provider, the live page follows without a reload.

Issue 4's "Done when": with the worker running against the local server, a match set live
is polled, its new events appear on its page without a reload, and polling stops when it
finishes. Real processes (the fake provider, ``qcluster``, daphne) on a temporary SQLite
file database, as in tests/test_live_browser.py, whose ``Site`` this reuses.

The fake provider's routes.json is rewritten mid-test to script the match: kick-off soon
(the daily import), first half (the 5-minute watch sets it live), a goal, full time (the
fast poll). django-q2's scheduler looks at its schedules only every 30 s, so most of the
run time is waiting for it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import time
import urllib.request
from pathlib import Path

import pytest

from ingestion.tests.test_jobs import FIXTURE, LEAGUE, at, envelope, fixture_item, goal
from tests.test_live_browser import CHROMIUM, CHROMIUM_ARGS, WATCH_PAGE, Site, free_port, until, wait_for

pytestmark = [pytest.mark.browser]

LIVE_POLL_SECONDS = 2
WAIT_SECONDS = 150
SCREENSHOT = Path("/tmp/e2e-provider-worker.png")


class WorkerSite(Site):
    """A Site whose provider settings point at the fake provider, so nothing reaches the internet."""

    def __init__(self, folder: Path, provider_url: str):
        super().__init__(folder)
        self.env.pop("FOOTBALL_DATA_TOKEN", None)
        self.env.update(API_FOOTBALL_KEY="test", API_FOOTBALL_BASE_URL=provider_url,
                        OPENLIGADB_BASE_URL=provider_url, SYNC_COMPETITIONS="Premier League",
                        LIVE_POLL_SECONDS=str(LIVE_POLL_SECONDS))

    def provider_match_id(self, external_id: str) -> int:
        with sqlite3.connect(self.database) as connection:
            row = connection.execute("SELECT match_id FROM matches_matchexternalid WHERE source = 'api_football' "
                                     "AND external_id = ?", (external_id,)).fetchone()
        assert row, f"the daily job stored no fixture {external_id}\n{self.logs()}"
        return row[0]


class Routes:
    """routes.json for the fake provider, rewritten atomically (it reloads it when it changes)."""

    def __init__(self, path: Path):
        self.path = path

    def write(self, **fixtures: dict) -> None:
        routes = {f"/fixtures?{key}": [{"json": body}] for key, body in fixtures.items()}
        # OpenLigaDB follows nothing here (no Premier League); if it asks anyway it gets no matches.
        routes.update({"/getmatchdata": [{"json": []}], "/getcurrentgroup": [{"json": {}}]})
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(routes))
        os.replace(temporary, self.path)


def test_the_worker_polls_a_live_match_into_its_page_and_stops_at_full_time(tmp_path):
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + WAIT_SECONDS
    provider_port = free_port()
    provider_url = f"http://127.0.0.1:{provider_port}"
    routes = Routes(tmp_path / "routes.json")
    site = WorkerSite(tmp_path, provider_url)
    try:
        kickoff = at(dt.timedelta(minutes=2))
        routes.write(**{f"league={LEAGUE}": envelope(fixture_item(kickoff))})
        site.start("fake-provider", "-m", "ingestion.tests.fake_provider", "--port", str(provider_port),
                   "--routes", str(routes.path))
        until(lambda: fake_requests(provider_url) is not None, deadline, "the fake provider to answer", site)

        site.manage("migrate", "--noinput", timeout=90)
        site.manage("sync_provider", "api_football", "matches", timeout=30)
        match_id = site.provider_match_id(str(FIXTURE))

        scorer = goal(9, 40, "Liverpool", "M. Salah")
        ids = f"ids={FIXTURE}"
        routes.write(**{ids: envelope(fixture_item(kickoff, "1H", 3, goals=(0, 0)))})
        site.manage("setup_schedules", timeout=30)
        site.start("qcluster", "manage.py", "qcluster")
        site.start_web()

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(f"{site.url}/matches/{match_id}/", wait_until="load")
                page.evaluate(WATCH_PAGE)
                loaded_at = page.evaluate("window.e2e.loadedAt")

                # The 5-minute watch (its first run about 30 s after the worker starts) sets it live.
                wait_live(page, "document.querySelector('#status .badge--live') !== null", deadline,
                          "the watch to set the match live", site)
                assert page.evaluate("window.e2e.scores").count("0-0") >= 1, page.evaluate("window.e2e")

                # A goal: the fast poll brings it into the page.
                routes.write(**{ids: envelope(fixture_item(kickoff, "1H", 9, goals=(0, 1), events=[scorer]))})
                wait_live(page, "window.e2e.scores.includes('0-1') && "
                                "document.querySelector('#events').textContent.includes('Salah')", deadline,
                          "the poll to bring 0-1 (9', Salah)", site)

                # Full time: the page says so, and the poll stops asking.
                routes.write(**{ids: envelope(fixture_item(kickoff, "FT", 90, goals=(0, 1), events=[scorer]))})
                wait_live(page, "document.querySelector('#status .badge--finished') !== null", deadline,
                          "the poll to bring full time", site)
                page.screenshot(path=str(SCREENSHOT), full_page=True)

                assert page.evaluate("window.e2e.loadedAt") == loaded_at, "the page was reloaded"
                assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
                scores = [s for s in page.evaluate("window.e2e.scores") if s not in ("v", None)]
                assert scores == ["0-0", "0-1"], scores
                assert "Salah" in page.inner_text("#events")
            finally:
                browser.close()

        polls = live_polls(provider_url)
        time.sleep(3 * LIVE_POLL_SECONDS + 1)
        assert live_polls(provider_url) == polls, f"polled after full time\n{site.logs()}"
        assert polls >= 3, f"expected the live poll to ask at least 3 times, it asked {polls}\n{site.logs()}"
    finally:
        site.stop_all()


def wait_live(page, expression: str, deadline: float, what: str, site: Site) -> None:
    try:
        wait_for(page, expression, deadline, what)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\n{site.logs()}") from exc


def fake_requests(provider_url: str) -> list[dict] | None:
    with urllib.request.urlopen(f"{provider_url}/_fake/requests", timeout=2) as response:
        return json.load(response)


def live_polls(provider_url: str) -> int:
    """The /fixtures?ids= requests the provider got: one per live poll of the match."""
    return sum(1 for request in fake_requests(provider_url)
               if request["path"] == "/fixtures" and "ids" in request["query"])
