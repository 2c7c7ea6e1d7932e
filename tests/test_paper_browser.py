"""Paper trading in a real browser, against real processes: a replayed match bets and settles on the portfolio page.

A reader signs up, creates a paper portfolio and switches on the site's "back the away side at the
close" strategy. Turkey v Italy (Euro 2020) is replayed in its own process: at kick-off the strategy
backs Italy at the closing price stored for the match, and at full time (0-3) the bet is settled; the
portfolio page shows both without a reload (embedded mode: the replay's writes reach daphne's
/ws/me/ socket through its database catch-up, accounts.portfolios).
"""

from __future__ import annotations

import time

import pytest

from accounts.tests.test_alerts_browser import sign_up, wait_for
from conftest import CHROMIUM
from tests.test_live_browser import CHROMIUM_ARGS, STATSBOMB_ID, Site, needs_turkey_italy

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

SPEED = 240  # 95 minutes in about 25 s
WAIT_SECONDS = 180  # a bound on the waits on a loaded machine, not a speed test

# The match's prices (invented for the test, like a bookmaker's close) and the site's strategy.
SETUP = f"""
from markets.models import Bookmaker, OddsQuote
from matches.models import MatchExternalId, Source
from trading.models import Strategy, StrategyVersion
match = MatchExternalId.objects.get(source="statsbomb", external_id="{STATSBOMB_ID}").match
pinnacle = Bookmaker.objects.create(code="PS", name="Pinnacle")
OddsQuote.objects.create(match=match, bookmaker=pinnacle, market="1x2", phase="pre_match", home=4.8, draw=3.7,
                         away=1.85, source=Source.MANUAL)
OddsQuote.objects.create(match=match, bookmaker=pinnacle, market="1x2", phase="closing", home=4.6, draw=3.6,
                         away=1.9, source=Source.MANUAL)
strategy = Strategy.objects.create(name="Away sides at the close")
StrategyVersion.objects.create(strategy=strategy, version=1, definition={{"rule": "back", "selection": "away",
                               "price": "closing", "bookmaker": "PS", "stake": "flat:2"}})
"""

WATCH = """() => { window.e2e = {loadedAt: performance.timeOrigin}; }"""
OPEN_ROW = "document.querySelector('[data-open-bets] [data-bet]')?.textContent || ''"
SETTLED_ROW = "document.querySelector('[data-settled-bets] [data-bet]')?.textContent || ''"


def test_a_replayed_match_bets_at_kick_off_and_settles_at_full_time_on_the_portfolio_page(tmp_path):
    statsbomb = needs_turkey_italy()
    from playwright.sync_api import sync_playwright

    site = Site(tmp_path)
    try:
        site.load_turkey_italy(statsbomb)
        site.manage("shell", "-c", SETUP, timeout=60)
        deadline = time.monotonic() + WAIT_SECONDS
        site.start_web()
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
                sign_up(page, site.url, "ada")
                page.goto(f"{site.url}/trading/portfolios/")
                page.get_by_label("Name").fill("Match day")
                page.get_by_label("Starting bankroll (units)").fill("50")
                page.get_by_role("button", name="Create portfolio").click()
                page.wait_for_selector("h1:has-text('Match day')")
                page.get_by_label("Strategy").select_option(label="Away sides at the close")
                page.get_by_role("button", name="Switch on").click()
                page.wait_for_selector("[data-paper-strategy]")
                assert "No open bets" in page.inner_text("[data-live-portfolio]")
                page.evaluate(WATCH)
                loaded_at = page.evaluate("window.e2e.loadedAt")

                site.start("replay", "manage.py", "replay_match", f"statsbomb:{STATSBOMB_ID}", "--speed", str(SPEED),
                           "--start-delay", "2")
                wait_for(page, f"({OPEN_ROW}).includes('Italy')", deadline, "the bet placed at kick-off")
                row = page.evaluate(OPEN_ROW)
                assert "1.90" in row and "2.00" in row, row  # Italy at the close, 2 units
                assert "48.00" in page.inner_text("[data-balance]")
                wait_for(page, f"({SETTLED_ROW}).includes('won')", deadline, "the bet settled at full time (0-3)")
                settled = page.evaluate(SETTLED_ROW)
                assert "1.80" in settled and "0–3" in settled, settled  # 2 × (1.90 − 1) won
                assert "51.80" in page.inner_text("[data-balance]")
                assert "No open bets" in page.inner_text("[data-live-portfolio]")
                assert page.evaluate("window.e2e.loadedAt") == loaded_at  # never reloaded
                assert page.evaluate("document.documentElement.scrollWidth") <= 390
                page.screenshot(path="/tmp/paper-portfolio.png", full_page=True)
            finally:
                browser.close()
    finally:
        site.stop_all()
