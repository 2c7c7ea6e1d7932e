"""Alerts in a real browser, against real processes: sign up, follow Italy, and the goal shows on the home page.

Embedded mode (SQLite file, in-memory channel layer), as a user of the demo runs it: the replay
is its own process, so its alerts reach daphne's /ws/me/ sockets through the database catch-up
(accounts/consumers.py), not the channel layer. A second reader who follows nothing sees none.
"""

from __future__ import annotations

import sqlite3
import time

import pytest

from conftest import CHROMIUM
from tests.test_live_browser import CHROMIUM_ARGS, STATSBOMB_ID, Site, needs_turkey_italy

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

SPEED = 180  # the first goal (53', Demiral's own goal) about 20 s after kick-off
WAIT_SECONDS = 180  # a bound on the waits on a loaded machine, not a speed test
PASSWORD = "a long enough passphrase 42"

# Every alert toast the page ever showed (they go after 12 s), and the page's load time: a reload would wipe it.
WATCH_ALERTS = """() => {
  window.e2e = {loadedAt: performance.timeOrigin, alerts: []};
  new MutationObserver(records => records.forEach(record => record.addedNodes.forEach(node => {
    if (node.classList && node.classList.contains('alert-toast')) window.e2e.alerts.push(node.textContent.trim());
  }))).observe(document.getElementById('alerts'), {childList: true});
}"""


def wait_for(page, expression: str, deadline: float, what: str) -> None:
    """Poll an expression from outside the page (page.wait_for_function evaluates strings, which the CSP forbids)."""
    while time.monotonic() < deadline:
        if page.evaluate(expression):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}; page saw {page.evaluate('window.e2e || null')}")


def sign_up(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/signup/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.org")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{base_url}/")
    assert username in page.inner_text(".account-menu summary")


def team_id(site: Site, name: str) -> int:
    with sqlite3.connect(site.database) as connection:
        return connection.execute("SELECT id FROM matches_team WHERE name = ?", (name,)).fetchone()[0]


def test_a_follower_gets_the_goal_alert_on_the_home_page_and_a_reader_following_nothing_does_not(tmp_path):
    statsbomb = needs_turkey_italy()
    from playwright.sync_api import sync_playwright

    site = Site(tmp_path)
    try:
        site.load_turkey_italy(statsbomb)
        deadline = time.monotonic() + WAIT_SECONDS
        site.start_web()
        italy = team_id(site, "Italy")

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                fan = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                sign_up(fan, site.url, "ada")
                fan.goto(f"{site.url}/teams/{italy}/")
                fan.get_by_role("button", name="Follow Italy").click()  # htmx swaps the button in place
                fan.wait_for_selector(f"#follow-team-{italy} button[aria-pressed='true']")

                bystander = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                sign_up(bystander, site.url, "bob")

                for page in (fan, bystander):
                    page.goto(f"{site.url}/")
                    page.evaluate(WATCH_ALERTS)
                assert fan.locator("#following").count() == 1
                loaded_at = fan.evaluate("window.e2e.loadedAt")

                site.start("replay", "manage.py", "replay_match", f"statsbomb:{STATSBOMB_ID}", "--speed", str(SPEED),
                           "--start-delay", "2")
                wait_for(fan, "window.e2e.alerts.some(text => text.includes('Goal: Turkey 0-1 Italy'))", deadline,
                         "the goal alert (53', Demiral own goal)")
                toast = fan.locator("#alerts .alert-toast--goal").first
                assert "Demiral" in toast.inner_text()
                box = toast.bounding_box()
                assert box["x"] >= 0 and box["x"] + box["width"] <= 390, "the toast is wider than the phone"
                assert fan.evaluate("window.e2e.loadedAt") == loaded_at
                assert fan.evaluate("performance.getEntriesByType('navigation').length") == 1

                toast.get_by_role("button", name="Dismiss").click()
                assert fan.locator("#alerts .alert-toast--goal").count() == 0

                bystander.wait_for_timeout(3000)  # more than one database catch-up round (2 s)
                assert bystander.evaluate("window.e2e.alerts") == []
            finally:
                browser.close()
    finally:
        site.stop_all()


