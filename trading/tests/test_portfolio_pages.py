"""The paper portfolio pages: who sees which portfolio, creating one, switching strategies on and off."""

import pytest
from django.contrib.auth import get_user_model

from trading.models import PaperBet, PaperPortfolio, PaperStrategy, Strategy, StrategyVersion
from trading.tests.test_paper import KICKOFF, world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada():
    return get_user_model().objects.create_user("ada", password="a long enough passphrase 42")


def site_strategy(name="Draws at the open", definition=None):
    strategy = Strategy.objects.create(name=name)
    StrategyVersion.objects.create(strategy=strategy, version=1, definition=definition or {
        "rule": "back", "selection": "draw", "price": "opening", "bookmaker": "B365"})
    return strategy


def test_a_reader_creates_a_portfolio_switches_a_strategy_on_and_off(client, ada):
    strategy = site_strategy()
    client.force_login(ada)
    response = client.post("/trading/portfolios/", {"name": "Saturday", "bankroll": "50"})
    portfolio = PaperPortfolio.objects.get(owner=ada)
    assert response.status_code == 302 and response["Location"] == portfolio.get_absolute_url()
    response = client.post(portfolio.get_absolute_url(), {"strategy": strategy.pk, "delay_seconds": "30"})
    switched = PaperStrategy.objects.get(portfolio=portfolio)
    assert (switched.active, switched.delay_seconds, switched.strategy_version.version) == (True, 30, 1)
    page = client.get(portfolio.get_absolute_url()).content.decode()
    assert "Draws at the open v1" in page and "orders 30 s after the signal" in page and "Switch off" in page
    client.post(f"/trading/portfolios/{portfolio.pk}/strategies/{switched.pk}/toggle/")
    switched.refresh_from_db()
    assert switched.active is False


def test_bad_input_is_refused_on_its_field_and_nothing_is_made(client, ada):
    client.force_login(ada)
    response = client.post("/trading/portfolios/", {"name": "", "bankroll": "0"})
    assert response.status_code == 400
    assert b"Between 1 and 1,000,000 units." in response.content and b"This field is required." in response.content
    assert not PaperPortfolio.objects.exists()


def test_another_readers_portfolio_is_not_found_and_visitors_see_the_sites_only(client, ada):
    mine = PaperPortfolio.objects.create(owner=ada, name="Mine")
    site = PaperPortfolio.objects.create(name="Site portfolio")
    other = get_user_model().objects.create_user("bob", password="a long enough passphrase 42")
    client.force_login(other)
    assert client.get(mine.get_absolute_url()).status_code == 404
    assert client.post(f"/trading/portfolios/{mine.pk}/strategies/1/toggle/").status_code == 404
    client.logout()
    listing = client.get("/trading/portfolios/").content.decode()
    assert "Site portfolio" in listing and "Mine" not in listing and "Sign in" in listing
    page = client.get(site.get_absolute_url())
    assert page.status_code == 200 and b"Switch on" not in page.content
    assert client.post("/trading/portfolios/", {"name": "x", "bankroll": "5"}).status_code == 302  # to sign in
    assert PaperPortfolio.objects.count() == 2


def test_the_portfolio_page_shows_its_bets_in_few_queries(client, ada, world, django_assert_max_num_queries):  # noqa: F811
    from trading import paper

    match, _ = world
    portfolio = PaperPortfolio.objects.create(owner=ada, name="Mine", bankroll=20)
    version = site_strategy().latest_version()
    PaperStrategy.objects.create(portfolio=portfolio, strategy_version=version)
    paper.place_bets([match.pk], now=KICKOFF)
    client.force_login(ada)
    with django_assert_max_num_queries(12):
        page = client.get(portfolio.get_absolute_url()).content.decode()
    assert PaperBet.objects.count() == 1
    assert "Northside v Southside" in page and "<strong>Draw</strong> @ 3.50" in page and "19.00" in page
