"""The exchange pages (/markets/exchange/ and /markets/exchange/<market id>/) and the exchange book on a
match's odds page."""

import datetime as dt

import pytest
from django.urls import reverse

from markets.models import ExchangeMarket
from markets.tests.test_exchange import OFF, arsenal_chelsea, exchange_world

pytestmark = pytest.mark.django_db

# The list: the count for the pager, the page of markets with their matches.
LIST_QUERIES = 2
# The market with its match, the runners with their books, the runners and the snapshots for the chart.
MARKET_QUERIES = 4
# The match with its exchange market's id, the quotes, the exchange book.
ODDS_PAGE_QUERIES = 3


def test_the_list_shows_each_market_and_its_match(client, django_assert_max_num_queries):
    match = arsenal_chelsea()
    exchange_world(match)
    ExchangeMarket.objects.create(market_id="1.200806927", event_type_id="4", market_type="MATCH_ODDS",
                                  market_time=OFF - dt.timedelta(days=600), status="CLOSED")
    with django_assert_max_num_queries(LIST_QUERIES):
        response = client.get(reverse("markets:exchange-markets"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arsenal v Chelsea" in html and "1.200806927" in html and "Match Odds" in html
    assert reverse("markets:exchange-market", args=["1.230000001"]) in html
    assert match.get_absolute_url() in html
    assert 'class="table-scroll"' in html


def test_an_empty_list_says_so(client):
    html = client.get(reverse("markets:exchange-markets")).content.decode()
    assert "No exchange market has been imported yet" in html


def test_the_market_page_shows_prices_sizes_winner_and_chart(client, django_assert_max_num_queries):
    match = arsenal_chelsea()
    exchange_world(match)
    with django_assert_max_num_queries(MARKET_QUERIES):
        response = client.get(reverse("markets:exchange-market", args=["1.230000001"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Arsenal v Chelsea" in html and "Last book while the market was open" in html
    # Closed: the last open book (45 minutes in), not the emptied ladders of the close.
    assert '<td class="num exchange-back" data-best-back>1.50<small>600</small></td>' in html
    assert '<td class="num exchange-lay" data-best-lay>1.52<small>300</small></td>' in html
    assert '<dd data-winner>Arsenal</dd>' in html
    assert "2% of net winnings" in html
    assert html.count('class="exchange-chart__line exchange-chart__line--') == 2
    assert 'class="exchange-chart__off"' in html
    assert reverse("markets:match-odds", args=[match.pk]) in html


def test_an_unknown_market_is_404(client):
    assert client.get(reverse("markets:exchange-market", args=["1.999"])).status_code == 404


def test_the_odds_page_shows_the_exchange_book_beside_the_bookmakers(client, django_assert_max_num_queries):
    match = arsenal_chelsea()
    exchange_world(match)
    with django_assert_max_num_queries(ODDS_PAGE_QUERIES):
        response = client.get(reverse("markets:match-odds", args=[match.pk]))
    html = response.content.decode()
    assert 'id="board-exchange"' in html and "Exchange: Betfair Exchange" in html
    assert "1.50<small>600</small>" in html and "3.60<small>200</small>" in html and "The Draw" in html
    assert reverse("markets:exchange-market", args=["1.230000001"]) in html


def test_the_odds_page_without_an_exchange_market_asks_nothing_more(client, django_assert_max_num_queries):
    match = arsenal_chelsea()
    with django_assert_max_num_queries(ODDS_PAGE_QUERIES - 1):
        response = client.get(reverse("markets:match-odds", args=[match.pk]))
    assert 'id="board-exchange"' not in response.content.decode()


def test_the_admin_lists_markets_runners_and_snapshots(admin_client):
    market = exchange_world()
    for name in ("exchangemarket", "exchangerunner", "exchangesnapshot"):
        response = admin_client.get(reverse(f"admin:markets_{name}_changelist"), {"q": "1.230000001"})
        assert response.status_code == 200, name
    assert admin_client.get(reverse("admin:markets_exchangemarket_change", args=[market.pk])).status_code == 200
    assert "Arsenal" in admin_client.get(reverse("admin:markets_exchangemarket_change", args=[market.pk])).content.decode()
