"""The backtest pages (/trading/): the list and its form, one backtest (polled while it runs), its CSV."""

from __future__ import annotations

import csv
import datetime as dt
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.urls import reverse

from markets.models import Bookmaker, OddsQuote
from matches.models import Competition, Match, Season, Source, Team
from quantfoot.tests.pages import get, text
from trading import pages, tasks
from trading.models import Backtest, BacktestBet, Strategy, StrategyVersion
from trading.services import create_backtest, run_backtest, save_strategy
from trading.strategy import StrategySpec

pytestmark = pytest.mark.django_db

LIST_URL = reverse("trading:backtests")
KICKOFF = dt.datetime(2023, 8, 12, 14, 0, tzinfo=dt.UTC)
# Home goals, away goals and Pinnacle's closing home price of each match; Bet365 closes 0.05 lower on the
# home side, so "best" is Pinnacle's. Two seasons of six matches.
RESULTS = [(2, 0, 2.10), (1, 1, 2.40), (0, 1, 1.80), (3, 1, 2.00), (1, 2, 3.10), (2, 2, 2.60),
           (1, 0, 1.90), (0, 0, 2.20), (2, 1, 2.50), (0, 3, 1.70), (4, 0, 1.60), (1, 1, 2.90)]


class World:
    """A competition with two seasons of finished, priced matches (1X2, over/under 2.5, Asian handicap)."""

    def __init__(self):
        self.competition = Competition.objects.create(name="Northern League")
        self.seasons = [Season.objects.create(competition=self.competition, name=name) for name in ("2022/23", "2023/24")]
        self.teams = [Team.objects.create(name=name) for name in
                      ("Ashby Town", "Burton Albion", "Corby United", "Derby Rovers")]
        self.pinnacle = Bookmaker.objects.create(code="PS", name="Pinnacle")
        self.bet365 = Bookmaker.objects.create(code="B365", name="Bet365")
        Bookmaker.objects.create(code="Max", name="Market maximum", is_aggregate=True)
        self.matches = []
        for n, (home_goals, away_goals, home_price) in enumerate(RESULTS):
            home, away = self.teams[n % 4], self.teams[(n + 1 + n // 4) % 4]
            match = Match.objects.create(
                competition=self.competition, season=self.seasons[n // 6], kickoff=KICKOFF + dt.timedelta(days=7 * n),
                home_team=home, away_team=away, status=Match.Status.FINISHED, home_score=home_goals,
                away_score=away_goals)
            self.matches.append(match)
            for book, shift in ((self.pinnacle, 0.0), (self.bet365, -0.05)):
                for phase, drift in (("pre_match", 0.1), ("closing", 0.0)):
                    self.quote(match, book, "1x2", phase, home=home_price + shift + drift, draw=3.3, away=3.5)
                    self.quote(match, book, "over_under", phase, line="2.5", over=1.95 + shift, under=1.9)
                    self.quote(match, book, "asian_handicap", phase, line="-0.75", home=1.96 + shift, away=1.92)

    @staticmethod
    def quote(match, book, market, phase, line="0", **prices):
        OddsQuote.objects.create(match=match, bookmaker=book, market=market, phase=phase, line=Decimal(line),
                                 source=Source.MANUAL, **prices)

    def backtest(self, rule="back:home", owner=None, **fields) -> Backtest:
        spec = StrategySpec.from_rule(rule, **fields)
        return run_backtest(create_backtest(spec, [self.competition], self.seasons, owner=owner), paths=200)


@pytest.fixture
def world():
    return World()


@pytest.fixture
def done(world):
    return world.backtest()


def form_data(world, **changes) -> dict:
    data = {"competition": world.competition.pk, "seasons": [s.pk for s in world.seasons], "rule": "back:home",
            "edge": "0.05", "markets": ["1x2"], "model": "dixon_coles", "side": "favourite", "move": "0.05",
            "min_price": "1.01", "max_price": "1000", "stake": "flat", "stake_amount": "1", "kelly_cap": "0.1",
            "price": "closing", "snapshot_minutes": "60", "bookmaker": "best", "commission": "0", "bankroll": "100"}
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(html: str, name: str) -> str:
    found = re.search(rf'<ul class="form-errors" id="[^"]*" data-error-for="{name}">(.*?)</ul>', html, re.S)
    return text(found.group(1)) if found else ""


# ------------------------------------------------------------------------------------------- the report
def test_the_page_shows_the_stored_reports_figures(client, done):
    report = done.report
    # Every home side at Pinnacle's closing price (the best), one unit each: won at 2.10, 2.00, 1.90, 2.50, 1.60.
    assert report["bets"] == 12
    assert report["profit"] == pytest.approx((1.10 + 1.00 + 0.90 + 1.50 + 0.60) - 7)
    html = get(client, done.get_absolute_url())
    figure = {name: text(value) for name, value in re.findall(r'data-figure="([^"]+)">(.*?)</dd>', html)}
    assert figure["bets"] == "12"
    assert figure["profit"] == pages.signed(report["profit"]) == "−1.90"
    assert figure["roi"] == pages.percent(report["roi"], 2) == "−15.83%"
    assert 'data-equity-chart' in html and "<polyline" in html and "bt-chart__band" in html, "equity and its band"
    assert 'data-method="probability"' in html and 'data-method="bootstrap"' in html
    assert "hx-trigger" not in html, "a finished backtest does not poll"
    assert html.count("data-bet>") == 12
    assert "Ashby Town v Burton Albion" in html and ">Ashby Town</td>" in html, "the backed side by its name"
    assert f'href="/matches/{done.bets.first().match_id}/"' in html


def test_selections_read_as_a_bettor_says_them(world):
    ah = world.backtest("back:ah_home")
    over = world.backtest("back:over2.5")
    draw = world.backtest("back:draw")
    bet = ah.bets.select_related("match__home_team", "match__away_team").first()
    assert pages.selection_label(bet) == f"{bet.match.home_team.name} −0.75"
    assert pages.selection_label(over.bets.first()) == "Over 2.5"
    assert pages.selection_label(draw.bets.first()) == "Draw"


def test_the_csv_has_a_header_and_one_row_per_bet(client, done):
    response = client.get(reverse("trading:backtest-csv", args=[done.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(StringIO(response.content.decode().lstrip("\ufeff"))))
    assert rows[0] == list(pages.CSV_HEADER)
    assert len(rows) - 1 == done.report["bets"] == BacktestBet.objects.filter(backtest=done).count()
    assert sum(float(row[rows[0].index("profit")]) for row in rows[1:]) == pytest.approx(done.report["profit"])
    assert rows[1][rows[0].index("backed")] == rows[1][rows[0].index("home")]


def test_the_bet_log_pages_by_fifty_in_one_query(client, world, django_assert_max_num_queries):
    backtest = world.backtest()
    match = world.matches[0]
    BacktestBet.objects.bulk_create([BacktestBet(backtest=backtest, match=match, market="1x2", selection="home",
                                                 bookmaker="PS", price=2.0, stake=1, result="won", profit=1,
                                                 bankroll_after=100 + n) for n in range(60)])
    Backtest.objects.filter(pk=backtest.pk).update(report={**backtest.report, "bets": 72})
    backtest.refresh_from_db()
    with django_assert_max_num_queries(1):
        page = pages.bet_page(backtest, 2)
    assert page["number"] == 2 and page["pages"] == 2 and len(page["rows"]) == 22 and page["rows"][0]["number"] == 51
    with django_assert_max_num_queries(2):  # the backtest, one page of bets
        html = get(client, backtest.get_absolute_url() + "?page=2")
    assert html.count("data-bet>") == 22 and "Page 2 of 2" in html


def test_bad_parameters_are_named_and_unknown_ids_not_found(client, done):
    url = done.get_absolute_url()
    for value in ("2", "abc", "0"):
        response = client.get(url, {"page": value})
        assert response.status_code == 400 and "page: " in response.content.decode()
    assert client.get(LIST_URL, {"competition": "²"}).status_code == 400
    assert client.get(LIST_URL, {"strategy": "999"}).status_code == 404
    assert client.get(reverse("trading:season-choices"), {"competition": "999"}).status_code == 404
    assert client.get(LIST_URL, {"competition": "", "strategy": ""}).status_code == 200


def test_the_pages_queries_are_bounded(client, world, django_assert_max_num_queries, django_user_model):
    for rule in ("back:home", "back:away", "back:draw"):
        world.backtest(rule)
    save_strategy(None, "Home sides", StrategySpec.from_rule("back:home"))
    with django_assert_max_num_queries(10):
        html = get(client, LIST_URL)
    assert html.count("data-backtest=") == 3
    backtest = Backtest.objects.first()
    with django_assert_max_num_queries(2):
        get(client, backtest.get_absolute_url())
    user = django_user_model.objects.create_user("ada", password="x")
    mine = world.backtest(owner=user)
    save_strategy(user, "Mine", StrategySpec.from_rule("back:away"))
    client.force_login(user)
    with django_assert_max_num_queries(12):  # and the session, the user, his profile
        assert get(client, LIST_URL).count("data-backtest=") == 4
    with django_assert_max_num_queries(5):
        get(client, mine.get_absolute_url())


def test_a_walk_forward_shows_its_windows(client, world):
    backtest = run_backtest(create_backtest(StrategySpec.from_rule("back:home"), [world.competition], world.seasons,
                                            walk_forward_grid={"max_price": [2.2, 10.0]}), paths=200)
    html = get(client, backtest.get_absolute_url())
    assert "data-walk-forward" in html and "2022/23 → 2023/24" in text(html)
    # a small world: no setting bets 30 times in its training season, so the window is not bet
    assert "not bet: no setting bet often enough in training" in text(html)
    assert "out of sample 0 bets" in text(html)


# ------------------------------------------------------------------------------------------- who sees what
def test_another_users_backtest_is_not_found(client, world, django_user_model):
    ada = django_user_model.objects.create_user("ada", password="x")
    bob = django_user_model.objects.create_user("bob", password="x")
    hers = world.backtest(owner=ada)
    site = world.backtest()
    client.force_login(bob)
    for name in ("trading:backtest", "trading:backtest-status", "trading:backtest-csv"):
        assert client.get(reverse(name, args=[hers.pk])).status_code == 404
    assert client.get(site.get_absolute_url()).status_code == 200
    assert f'data-backtest="{hers.pk}"' not in get(client, LIST_URL)
    client.force_login(ada)
    assert client.get(hers.get_absolute_url()).status_code == 200
    assert f'data-backtest="{hers.pk}"' in get(client, LIST_URL)
    client.logout()
    assert client.get(hers.get_absolute_url()).status_code == 404


# ------------------------------------------------------------------------------------------- polling
def test_a_running_backtest_polls_and_a_done_one_does_not(client, world):
    backtest = create_backtest(StrategySpec.from_rule("back:home"), [world.competition], world.seasons)
    Backtest.objects.filter(pk=backtest.pk).update(status="running", progress=30, message="backtesting 36 priced selections")
    html = get(client, backtest.get_absolute_url())
    status_url = reverse("trading:backtest-status", args=[backtest.pk])
    assert f'hx-get="{status_url}"' in html and 'hx-trigger="every 2s"' in html
    assert 'value="30"' in html and "backtesting 36 priced selections" in html
    run_backtest(backtest, paths=200)
    fragment = get(client, status_url)
    assert "hx-trigger" not in fragment and 'id="backtest-body"' in fragment and "data-figures" in fragment
    assert "<html" not in fragment, "a fragment, not the page"


# ------------------------------------------------------------------------------------------- the form
def test_the_form_offers_priced_competitions_and_their_seasons(client, world):
    Competition.objects.create(name="Unpriced Cup")
    html = get(client, LIST_URL)
    assert "Northern League" in html and "Unpriced Cup" not in html
    assert "2022/23" in html and "2023/24" in html
    assert f'hx-get="{reverse("trading:season-choices")}"' in html
    other = Competition.objects.create(name="Southern League")
    season = Season.objects.create(competition=other, name="2019/20")
    match = Match.objects.create(competition=other, season=season, kickoff=KICKOFF - dt.timedelta(days=900), home_team=world.teams[0],
                                 away_team=world.teams[1], status=Match.Status.FINISHED, home_score=1, away_score=0)
    world.quote(match, world.pinnacle, "1x2", "closing", home=2.0, draw=3.0, away=4.0)
    fragment = get(client, reverse("trading:season-choices") + f"?competition={other.pk}")
    assert 'id="season-field"' in fragment and "2019/20" in fragment and "2022/23" not in fragment
    fragment = get(client, reverse("trading:season-choices") + f"?competition={world.competition.pk}")
    assert fragment.count('name="seasons"') == 2


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"rule": "value", "edge": "abc"}, "edge", "'abc' is not a number"),
    ({"rule": "favourite_longshot", "stake": "kelly", "stake_amount": "0.25"}, "stake", "Kelly needs a probability"),
    ({"stake": "proportional", "stake_amount": "2"}, "stake", "proportional takes a share"),
    ({"min_price": "3", "max_price": "2"}, "min_price", "must have 1 < min_price <= max_price"),
    ({"commission": "1.5"}, "commission", "outside [0, 1)"),
    ({"rule": "market_move", "price": "opening"}, "price", "take a later one"),
    ({"walk_forward": "on", "seasons": None}, "seasons", "This field is required"),
])
def test_a_bad_field_is_named_and_nothing_is_created(client, world, monkeypatch, changes, field, message):
    queued = []
    monkeypatch.setattr(tasks, "queue_backtest", queued.append)
    response = client.post(LIST_URL, form_data(world, **changes))
    assert response.status_code == 400
    assert message in field_errors(response.content.decode(), field), response.content.decode()[-3000:]
    assert not Backtest.objects.exists() and not queued


def test_a_walk_forward_needs_two_seasons(client, world):
    response = client.post(LIST_URL, form_data(world, walk_forward="on", seasons=[world.seasons[0].pk]))
    assert "two seasons or more" in field_errors(response.content.decode(), "walk_forward")
    assert not Backtest.objects.exists()


def test_a_parameter_the_rule_does_not_read_is_ignored(client, world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks, "queue_backtest", lambda backtest: None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, form_data(world, edge="abc", move="x"))  # back:home reads neither
    assert response.status_code == 302


def test_a_valid_form_queues_a_backtest_and_opens_its_page(client, world, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    queued = []
    monkeypatch.setattr(tasks, "queue_backtest", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, form_data(world, rule="value", edge="0.08", markets=["1x2", "over_under"],
                                                   stake="kelly", stake_amount="0.25", kelly_cap="0.05",
                                                   price="snapshot", snapshot_minutes="90", bookmaker="PS",
                                                   commission="0.02", walk_forward="on"))
    backtest = Backtest.objects.get()
    assert response.status_code == 302 and response["Location"] == backtest.get_absolute_url()
    assert queued == [backtest] and backtest.status == Backtest.Status.QUEUED and backtest.owner is None
    spec = StrategySpec.from_dict(backtest.definition)
    assert (spec.rule, spec.edge, spec.markets, spec.stake, spec.price, spec.bookmaker, spec.commission) == (
        "value", 0.08, ("1x2", "over_under"), "kelly:0.25:0.05", "snapshot:90", "PS", 0.02)
    assert backtest.walk_forward and backtest.grid
    assert list(backtest.seasons.order_by("name")) == world.seasons
    html = get(client, response["Location"])
    assert 'hx-trigger="every 2s"' in html


def test_visitors_share_a_few_slots(client, world, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks, "queue_backtest", lambda backtest: None)
    for _ in range(pages.ANONYMOUS_ACTIVE_LIMIT):
        create_backtest(StrategySpec.from_rule("back:home"), [world.competition], world.seasons)
    response = client.post(LIST_URL, form_data(world))
    assert response.status_code == 429 and "slots" in text(response.content.decode())
    assert Backtest.objects.count() == pages.ANONYMOUS_ACTIVE_LIMIT


def test_a_signed_in_user_saves_a_strategy_and_a_changed_one_is_a_new_version(
        client, world, monkeypatch, django_user_model, django_capture_on_commit_callbacks):
    monkeypatch.setattr(tasks, "queue_backtest", lambda backtest: None)
    ada = django_user_model.objects.create_user("ada", password="x")
    client.force_login(ada)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(LIST_URL, form_data(world, save_as="Home sides"))
        client.post(LIST_URL, form_data(world, save_as="Home sides"))  # the same definition: the same version
        client.post(LIST_URL, form_data(world, save_as="Home sides", max_price="3"))
    strategy = Strategy.objects.get(owner=ada, name="Home sides")
    assert list(strategy.versions.order_by("version").values_list("version", flat=True)) == [1, 2]
    assert Backtest.objects.filter(owner=ada).count() == 3
    assert Backtest.objects.filter(strategy_version__version=2).count() == 1
    html = get(client, LIST_URL)
    assert "Home sides" in html and f"?strategy={strategy.pk}" in html
    prefilled = get(client, LIST_URL + f"?strategy={strategy.pk}")
    assert 'name="max_price" value="3"' in prefilled


def test_save_strategy_versions_only_changes(world):
    spec = StrategySpec.from_rule("value", edge=0.05)
    first = save_strategy(None, "Value", spec)
    assert save_strategy(None, "Value", spec) == first
    second = save_strategy(None, "Value", spec.replace(edge=0.1))
    assert (first.version, second.version) == (1, 2) and StrategyVersion.objects.count() == 2


def test_a_queued_backtest_runs_on_the_task(client, world, monkeypatch, django_capture_on_commit_callbacks):
    """The form's definition is one the engine runs: here through the worker's task itself."""
    monkeypatch.setattr(tasks, "queue_backtest", lambda backtest: tasks.run_backtest(backtest.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LIST_URL, form_data(world, rule="closing_line", edge="0.02", stake="kelly",
                                                   stake_amount="0.5", price="opening", commission="0.05"))
    backtest = Backtest.objects.get()
    assert backtest.status == Backtest.Status.DONE and backtest.report["bets"] > 0
    assert backtest.monte_carlo["probability"]["paths"] == 10_000
    html = get(client, response["Location"])
    assert html.count("data-bet>") == backtest.report["bets"] and "hx-trigger" not in html


def test_a_rule_without_bets_says_so(client, world):
    backtest = world.backtest("back:home", min_price=900)
    html = get(client, backtest.get_absolute_url())
    assert backtest.report["bets"] == 0
    assert "data-no-bets" in html and "data-equity-chart" not in html and "data-monte-carlo" not in html
