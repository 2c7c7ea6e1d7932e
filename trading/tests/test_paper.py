"""Paper trading: bets at the prices known then, once, with the balance; settled at full time."""

import datetime as dt

import pytest

from markets.models import Bookmaker, OddsQuote, Prediction, RatingModel
from matches.models import Competition, Match, Season, Source, Team
from matches.services import set_match_status, set_score
from trading import paper
from trading.models import PaperBet, PaperPortfolio, PaperStrategy, Strategy, StrategyVersion

pytestmark = pytest.mark.django_db
KICKOFF = dt.datetime(2024, 5, 4, 14, 0, tzinfo=dt.UTC)


@pytest.fixture
def world():
    competition = Competition.objects.create(name="Paper League")
    season = Season.objects.create(competition=competition, name="2023/24")
    home, away = Team.objects.create(name="Northside"), Team.objects.create(name="Southside")
    match = Match.objects.create(competition=competition, season=season, kickoff=KICKOFF, home_team=home,
                                 away_team=away)
    bookmaker = Bookmaker.objects.create(code="B365", name="Bet365")
    model = RatingModel.objects.create(competition=competition, kind=RatingModel.Kind.DIXON_COLES, version=1,
                                       parameters={"rho": 0.0})
    Prediction.objects.create(match=match, model=model, home=0.5, draw=0.27, away=0.23, over_2_5=0.5,
                              expected_home_goals=1.5, expected_away_goals=1.1)
    quote = dict(match=match, bookmaker=bookmaker, market=OddsQuote.Market.MATCH_ODDS, source=Source.MANUAL)
    OddsQuote.objects.create(**quote, phase=OddsQuote.Phase.PRE_MATCH, home=1.9, draw=3.5, away=4.0)
    OddsQuote.objects.create(**quote, phase=OddsQuote.Phase.SNAPSHOT, taken_at=KICKOFF - dt.timedelta(hours=2),
                             home=2.3, draw=3.4, away=3.6)
    OddsQuote.objects.create(**quote, phase=OddsQuote.Phase.CLOSING, home=2.2, draw=3.4, away=3.7)
    portfolio = PaperPortfolio.objects.create(name="Mine", bankroll=100)
    return match, portfolio


def switch_on(portfolio, definition, delay=0):
    strategy = Strategy.objects.create(name=f"s{Strategy.objects.count()}")
    version = StrategyVersion.objects.create(strategy=strategy, version=1, definition=definition)
    return PaperStrategy.objects.create(portfolio=portfolio, strategy_version=version, delay_seconds=delay)


def test_a_value_strategy_bets_on_the_snapshot_that_made_it_value_once(world):
    match, portfolio = world
    switch_on(portfolio, {"rule": "value", "edge": 0.1, "price": "snapshot:60", "bookmaker": "B365"})
    # three hours before: only the opening 1.90 is known (0.5 × 1.9 < 1.1): no bet
    assert paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(hours=3)) == []
    # after the 2.30 snapshot (0.5 × 2.3 = 1.15): home at 2.30
    placed = paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(minutes=90))
    assert [(bet.selection, bet.price, bet.stake) for bet in placed] == [("home", 2.3, 1.0)]
    assert paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(minutes=80)) == []  # once
    assert PaperBet.objects.count() == 1


def test_a_delayed_order_is_filled_only_if_the_price_is_still_there(world):
    match, portfolio = world
    switch_on(portfolio, {"rule": "value", "edge": 0.1, "price": "snapshot:0", "bookmaker": "B365"}, delay=3600)
    # the signal must be an hour old: at 1h30 before, the prices known an hour earlier were the opening
    assert paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(minutes=90)) == []
    placed = paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(minutes=30))
    assert [(bet.selection, bet.price) for bet in placed] == [("home", 2.3)]


def test_a_closing_price_strategy_bets_at_kick_off_and_settles_at_full_time(world, django_capture_on_commit_callbacks):
    match, portfolio = world
    switch_on(portfolio, {"rule": "back", "selection": "home", "price": "closing", "bookmaker": "B365",
                          "stake": "proportional:0.1"})
    told = []
    paper.portfolio_listeners.append(told.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            set_match_status(match, Match.Status.LIVE, Match.Period.FIRST_HALF)
        bet = PaperBet.objects.get()
        assert (bet.price, bet.stake, bet.status) == (2.2, 10.0, PaperBet.Status.OPEN)
        assert paper.balance(portfolio) == pytest.approx(90.0)
        with django_capture_on_commit_callbacks(execute=True):
            set_score(match, 2, 1, source=Source.MANUAL)
            set_match_status(match, Match.Status.FINISHED)
    finally:
        paper.portfolio_listeners.remove(told.append)
    bet.refresh_from_db()
    assert (bet.status, bet.result, bet.profit) == (PaperBet.Status.SETTLED, "won", pytest.approx(12.0))
    assert paper.balance(portfolio) == pytest.approx(112.0)
    assert told == [[portfolio.pk], [portfolio.pk]]


def test_no_bet_once_the_match_is_under_way_and_exchange_commission_on_net_winnings(world,
                                                                                     django_capture_on_commit_callbacks):
    match, portfolio = world
    match.status, match.period, match.clock_minute = Match.Status.LIVE, Match.Period.FIRST_HALF, 20
    match.save()
    switch_on(portfolio, {"rule": "back", "selection": "away", "price": "closing", "bookmaker": "B365",
                          "commission": 0.05})
    assert paper.place_bets([match.pk], now=KICKOFF + dt.timedelta(minutes=20)) == []
    match.status, match.clock_minute = Match.Status.SCHEDULED, None
    match.save()
    bet = paper.place_bets([match.pk], now=KICKOFF)[0]
    match.status, match.home_score, match.away_score = Match.Status.FINISHED, 0, 1
    match.save()
    paper.settle_bets([match.pk])
    bet.refresh_from_db()
    assert bet.profit == pytest.approx(2.7 * 0.95)  # 1 unit at 3.70 wins 2.70, less 5% commission


def test_the_portfolio_summary_counts_open_and_settled_bets_in_few_queries(world, django_assert_max_num_queries):
    match, portfolio = world
    switch_on(portfolio, {"rule": "back", "selection": "draw", "price": "opening", "bookmaker": "B365"})
    paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(days=1))
    with django_assert_max_num_queries(2):
        summary = paper.portfolio_summary(portfolio)
    assert [bet.label for bet in summary["open"]] == ["Draw"]
    assert summary["exposure"] == 1.0 and summary["balance"] == 99.0


def test_an_exchange_strategy_takes_the_best_back_price_up_to_the_size_on_offer(world):
    from markets.models import ExchangeMarket, ExchangeRunner, ExchangeSnapshot

    match, portfolio = world
    market = ExchangeMarket.objects.create(market_id="1.234", market_type="MATCH_ODDS", status="OPEN", match=match,
                                           market_base_rate=5, market_time=KICKOFF)
    ladders = {"home": [[2.4, 3.5], [2.38, 100]], "draw": [[3.5, 50]], "away": [[3.9, 40]]}
    for number, (selection, back) in enumerate(ladders.items(), start=1):
        runner = ExchangeRunner.objects.create(market=market, selection_id=number, selection=selection,
                                               sort_priority=number)
        ExchangeSnapshot.objects.create(runner=runner, taken_at=KICKOFF - dt.timedelta(minutes=30), status="OPEN",
                                        back=back, best_back=back[0][0], lay=[[back[0][0] + 0.02, 10]])
    switch_on(portfolio, {"rule": "value", "edge": 0.1, "price": "snapshot:10", "bookmaker": "exchange",
                          "stake": "flat:10"})
    assert paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(hours=1)) == []  # no book yet
    bet = paper.place_bets([match.pk], now=KICKOFF - dt.timedelta(minutes=20))[0]
    # 0.5 × 2.40 = 1.2: home, but only the 3.50 on offer at 2.40 is matched
    assert (bet.selection, bet.price, bet.stake, bet.requested_stake) == ("home", 2.4, 3.5, 10.0)
    match.status, match.home_score, match.away_score = Match.Status.FINISHED, 1, 0
    match.save()
    paper.settle_bets([match.pk])
    bet.refresh_from_db()
    assert bet.profit == pytest.approx(3.5 * 1.4 * 0.95)  # the market's 5% on the net winnings


def test_a_past_match_is_replayed_at_its_kick_off_prices_once(world):
    match, portfolio = world
    match.status, match.home_score, match.away_score = Match.Status.FINISHED, 0, 0
    match.save()
    switch_on(portfolio, {"rule": "back", "selection": "draw", "price": "closing", "bookmaker": "B365"})
    assert paper.replay_past(portfolio, [match.pk]) == (1, 1)
    bet = PaperBet.objects.get()
    assert (bet.price, bet.result, bet.placed_at) == (3.4, "won", KICKOFF)
    assert bet.profit == pytest.approx(2.4)
    assert paper.replay_past(portfolio, [match.pk]) == (0, 0)


def test_the_paper_trade_command_switches_a_site_strategy_on_and_replays_a_past_week_once(world):
    import io

    from django.core.management import CommandError, call_command

    match, _ = world
    match.status, match.home_score, match.away_score = Match.Status.FINISHED, 2, 0
    match.save()
    strategy = Strategy.objects.create(name="Homes at the close")
    StrategyVersion.objects.create(strategy=strategy, version=1, definition={
        "rule": "back", "selection": "home", "price": "closing", "bookmaker": "B365"})
    arguments = ["--portfolio", "Site week", "--strategy", "Homes at the close", "--competition", "Paper League",
                 "--from", "2024-05-01", "--to", "2024-05-07"]
    out = io.StringIO()
    call_command("paper_trade", *arguments, stdout=out)
    assert "1 matches replayed: 1 bets placed, 1 settled; profit +1.20, balance 101.20" in out.getvalue()
    out = io.StringIO()
    call_command("paper_trade", *arguments, stdout=out)
    assert "0 bets placed" in out.getvalue() and PaperBet.objects.count() == 1
    with pytest.raises(CommandError, match="no site strategy"):
        call_command("paper_trade", "--portfolio", "x", "--strategy", "Nope", stdout=io.StringIO())
