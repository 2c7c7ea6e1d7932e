"""What only a browser proves on the live match page: the chart is drawn, a lost socket
falls back to polling, polled regions are swapped in, and a stale frame cannot win."""


import pytest

from matches.models import Match
from matches.tests.builders import build_match

from conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]



def test_live_page_draws_the_chart_and_polls_while_the_socket_is_down(live_server, browser_page):
    # The live server speaks HTTP only: the socket fails, as it would with the channel layer down.
    match = build_match().match
    page = browser_page

    page.goto(f"{live_server.url}/matches/{match.pk}/")

    page.click('a[data-tab="shots"]')  # the xG race is on the Shots tab
    page.wait_for_selector("#xg-race canvas")
    # Functions, not bare expressions: Playwright polls those with eval, which the page's CSP forbids.
    page.wait_for_function("() => document.getElementById('connection').textContent.includes('Connection lost')")
    Match.objects.filter(pk=match.pk).update(away_score=3, clock_minute=71, last_seq=13)
    page.wait_for_function(
        "() => document.querySelector('#score .score').textContent === '1\u20133'", timeout=12_000
    )
    assert page.text_content("#clock").strip() == "71'"
    assert page.get_attribute("#score", "data-seq") == "13"
    assert page.locator("#xg-race canvas").count() == 1  # redrawn after the swap, the old chart destroyed

    def push_score(seq, score):
        page.evaluate(f"""htmx.swap(document.body,
            '<div id="score" data-seq="{seq}" hx-swap-oob="true"><span class="score">{score}</span></div>',
            {{swapStyle: 'none'}})""")
        return page.text_content("#score .score")

    assert push_score(12, "9-9") == "1\u20133"  # older than what the page shows: ignored
    assert push_score(14, "2-3") == "2-3"
