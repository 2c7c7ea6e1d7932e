"""The Content-Security-Policy in Chromium: the match page (htmx, its socket and polling fallback, tabs, the
xG chart) and the odds page (its bookmaker picker) work under it, and the browser reports no violation.

pytest-django's live_server speaks no WebSocket, so the match page's socket fails to open (a connection
error, which is not a violation: a socket the policy forbade would be reported before any attempt) and
the page falls back to polling, which is what the policy would break if htmx still needed eval.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import CHROMIUM
from markets.models import Bookmaker, OddsQuote
from matches.models import Source
from matches.tests.builders import build_match

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]

# Installed before any script of the page runs: every violation the page reports, as text.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', event => {
  window.cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'} at ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.add_init_script(RECORD_VIOLATIONS)
    page.console_messages_seen = []
    page.on("console", lambda message: page.console_messages_seen.append(message.text))
    return page


def violations(page) -> list[str]:
    reported = page.evaluate("window.cspViolations")
    console = [text for text in page.console_messages_seen if "Content Security Policy" in text or "unsafe-eval" in text]
    return reported + console


def test_the_live_match_page_works_with_no_policy_violation(live_server, page):
    match = build_match().match

    response = page.goto(live_server.url + match.get_absolute_url(), wait_until="load")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("() => window.htmx && document.querySelector('#connection')")  # a function: no eval

    # No socket here: the page says so and polls the same regions every 5 s (no htmx eval needed).
    with page.expect_request(lambda request: request.url.endswith(f"/matches/{match.pk}/state"), timeout=12_000):
        page.wait_for_selector("#connection.connection--closed", timeout=10_000)

    page.click('a[data-tab="shots"]')
    page.wait_for_selector("#xg-race canvas")
    assert page.evaluate("document.querySelector('#panel-shots').offsetParent !== null"), "the Shots tab shows"
    width, height = page.evaluate("[document.querySelector('#xg-race canvas').width,"
                                  " document.querySelector('#xg-race canvas').height]")
    assert width > 100 and height > 50, "the xG race chart is drawn"
    page.click('a[data-tab="lineups"]')
    assert page.locator("#lineups .lu-pitch").first.is_visible()

    assert violations(page) == []


def test_the_odds_page_picker_submits_without_inline_script(live_server, page):
    match = build_match(status="finished").match
    for code, name in (("B365", "Bet365"), ("PS", "Pinnacle")):
        book = Bookmaker.objects.create(code=code, name=name)
        for phase, shift in (("pre_match", 0.0), ("closing", 0.1)):
            OddsQuote.objects.create(match=match, bookmaker=book, market="1x2", phase=phase, source=Source.MANUAL,
                                     line=Decimal("0"), home=2.1 - shift, draw=3.4 + shift, away=3.6 + shift)

    page.goto(live_server.url + f"/markets/matches/{match.pk}/odds/", wait_until="load")
    page.wait_for_selector("[data-odds-chart] canvas")
    picked = page.locator("select[data-submit-on-change]").evaluate(
        "select => [...select.options].find(option => !option.selected).value")
    with page.expect_navigation():
        page.select_option("select[data-submit-on-change]", picked)
    assert f"book={picked}" in page.url
    page.wait_for_selector("[data-odds-chart] canvas")

    assert violations(page) == []
