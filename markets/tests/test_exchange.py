"""markets.exchange: a market's book as of a moment, its last open book and its price history."""

import datetime as dt

import pytest

from markets import exchange
from markets.models import ExchangeMarket, ExchangeRunner, ExchangeSnapshot
from matches.models import Competition, Match, Season, Team

pytestmark = pytest.mark.django_db

OFF = dt.datetime(2024, 5, 4, 14, 0, tzinfo=dt.UTC)
MINUTE = dt.timedelta(minutes=1)


def arsenal_chelsea():
    competition = Competition.objects.create(name="Premier League")
    season = Season.objects.create(competition=competition, name="2023/24")
    return Match.objects.create(competition=competition, season=season, kickoff=OFF,
                                home_team=Team.objects.create(name="Arsenal"),
                                away_team=Team.objects.create(name="Chelsea"))


def exchange_world(match=None):
    """Arsenal v Chelsea on the exchange: three runners, books before the off, in play and at the close.

    Arsenal  -30 min back 2.10 (500) lay 2.12 (400), ltp 2.10, tv 1000
             -5  min back 2.20 (250) lay 2.22 (80),  ltp 2.22, tv 1800
             off       back 2.20 (250) lay 2.22 (80)  in play
             +45 min   back 1.50 (600) lay 1.52 (300), ltp 1.50, tv 5000
             +90 min   SUSPENDED, back 1.05 lay 1.06, ltp 1.05
             +95 min   CLOSED, ladders empty, tv 0
    Chelsea and the draw: one book before the off each.
    """
    market = ExchangeMarket.objects.create(
        market_id="1.230000001", event_name="Arsenal v Chelsea", event_type_id="1", market_name="Match Odds",
        market_type="MATCH_ODDS", market_time=OFF, status="CLOSED", in_play=True, market_base_rate=2, match=match,
        settled_at=OFF + 95 * MINUTE)
    arsenal, chelsea, draw = (ExchangeRunner.objects.create(
        market=market, selection_id=selection_id, name=name, sort_priority=priority, status=status, selection=side)
        for selection_id, name, priority, status, side in ((1096, "Arsenal", 1, "WINNER", "home"),
                                                            (25422, "Chelsea", 2, "LOSER", "away"),
                                                            (58805, "The Draw", 3, "LOSER", "draw")))

    def book(runner, minutes, back, lay, ltp, tv, status="OPEN", in_play=False):
        ExchangeSnapshot.objects.create(runner=runner, taken_at=OFF + minutes * MINUTE, status=status, in_play=in_play,
                                        back=back, lay=lay, best_back=back[0][0] if back else None,
                                        best_lay=lay[0][0] if lay else None, last_traded_price=ltp, traded_volume=tv)

    book(arsenal, -30, [[2.1, 500], [2.08, 300]], [[2.12, 400]], 2.1, 1000)
    book(arsenal, -5, [[2.2, 250]], [[2.22, 80]], 2.22, 1800)
    book(arsenal, 0, [[2.2, 250]], [[2.22, 80]], 2.22, 1800, in_play=True)
    book(arsenal, 45, [[1.5, 600]], [[1.52, 300]], 1.5, 5000, in_play=True)
    book(arsenal, 90, [[1.05, 900]], [[1.06, 700]], 1.05, 9000, status="SUSPENDED", in_play=True)
    book(arsenal, 95, [], [], 1.05, 0, status="CLOSED", in_play=True)
    book(chelsea, -20, [[3.6, 200]], [[3.7, 150]], 3.65, 400)
    book(draw, -25, [[3.5, 100]], [[3.6, 90]], None, None)
    return market


def by_name(books):
    return {book.runner.name: book for book in books}


def test_book_at_is_the_latest_snapshot_at_or_before_the_moment(django_assert_num_queries):
    market = exchange_world()
    with django_assert_num_queries(1):
        books = exchange.book_at(market, OFF - 10 * MINUTE)
    assert [book.runner.name for book in books] == ["Arsenal", "Chelsea", "The Draw"]
    arsenal = by_name(books)["Arsenal"]
    assert (arsenal.best_back, arsenal.best_back_size, arsenal.best_lay, arsenal.best_lay_size) == (2.1, 500, 2.12, 400)
    assert (arsenal.last_traded_price, arsenal.traded_volume, arsenal.in_play) == (2.1, 1000, False)
    assert arsenal.taken_at == OFF - 30 * MINUTE and arsenal.takeable
    exactly = by_name(exchange.book_at(market.pk, OFF - 5 * MINUTE))["Arsenal"]
    assert exactly.best_back == 2.2  # a snapshot at the moment itself counts
    assert by_name(exchange.book_at(market, OFF))["Arsenal"].in_play


def test_before_any_snapshot_a_runner_has_an_empty_book():
    market = exchange_world()
    books = by_name(exchange.book_at(market, OFF - 26 * MINUTE))
    assert books["Chelsea"].taken_at is None and books["Chelsea"].best_back is None and not books["Chelsea"].back
    assert books["The Draw"].taken_at is None
    assert by_name(exchange.book_at(market, OFF - 24 * MINUTE))["The Draw"].best_lay == 3.6


def test_a_suspended_book_is_not_takeable_and_the_close_keeps_the_last_open_book():
    market = exchange_world()
    suspended = by_name(exchange.book_at(market, OFF + 91 * MINUTE))["Arsenal"]
    assert suspended.status == "SUSPENDED" and not suspended.takeable
    assert by_name(exchange.latest_book(market))["Arsenal"].back == []
    last_open = by_name(exchange.last_open_book(market))["Arsenal"]
    assert (last_open.taken_at, last_open.best_back, last_open.best_lay) == (OFF + 45 * MINUTE, 1.5, 1.52)


def test_price_history_and_its_chart(django_assert_num_queries):
    market = exchange_world()
    with django_assert_num_queries(2):
        history = exchange.price_history(market)
    arsenal = history.runners[0]
    assert arsenal.label == "Arsenal"
    # Unchanged prices are not repeated (2.22 is stored twice); the suspended and closed books are left out.
    assert [price for _, price in arsenal.points] == [2.1, 2.22, 1.5]
    assert (history.start, history.end) == (OFF - 30 * MINUTE, OFF + 45 * MINUTE)
    assert history.in_play_at == OFF
    assert history.runners[2].points == []  # the draw never traded
    chart = exchange.history_chart(history)
    assert [line["label"] for line in chart["lines"]] == ["Arsenal", "Chelsea"]
    # Before the off on the left half, in play on the right: the off sits in the middle.
    assert chart["off_x"] == pytest.approx(chart["left"] + (chart["right"] - chart["left"]) / 2, abs=0.2)
    xs = [float(point.split(",")[0]) for point in chart["lines"][0]["points"].split()]
    assert xs == sorted(xs) and chart["left"] <= xs[0] and xs[-1] <= chart["right"]
    assert exchange.history_chart(exchange.PriceHistory([], None)) is None


def test_the_match_odds_market_of_a_match():
    match = arsenal_chelsea()
    assert exchange.match_odds_market(match) is None
    market = exchange_world(match)
    assert exchange.match_odds_market(match) == market
    books = exchange.match_book_at(match, OFF - 10 * MINUTE)
    assert {side: book.best_back for side, book in books.items()} == {"home": 2.1, "away": 3.6, "draw": 3.5}
    assert books["home"].runner.market.market_base_rate == 2
