"""The match page's prediction card: our model beside the market (templates/markets/partials/_prediction.html)."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from markets import odds
from markets.models import Bookmaker, OddsQuote, Prediction, RatingModel
from matches.models import Competition, Match, Season, Source, Team
from matches.tests.test_views import PAGE_QUERIES as MATCH_PAGE_QUERIES
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db

SCORES = [[1, 0, 0.112], [1, 1, 0.105], [2, 1, 0.091], [2, 0, 0.088], [0, 0, 0.071]]


def quote(match, bookmaker, market, phase, line="0", taken_at=None, **prices):
    return OddsQuote.objects.create(match=match, bookmaker=bookmaker, market=market, phase=phase, line=Decimal(line),
                                    taken_at=taken_at, source=Source.MANUAL, **prices)


def rating_model(competition, kind, version):
    return RatingModel.objects.create(competition=competition, kind=kind, version=version, parameters={})


class Fixture:
    """Northside v Southside next week, predicted twice by Dixon-Coles (v2 is current) and once by Elo.

    Alpha quotes 1X2 before the match (2.10 3.30 3.60) then a snapshot (2.00 3.40 3.80, its latest);
    Bravo quotes 1.95 3.50 3.70; the market maximum 2.30 3.60 4.00 (an aggregate, never the best price).
    Over/under 2.5 at Alpha: 1.80 / 2.05.
    """

    def __init__(self):
        self.competition = Competition.objects.create(name="Card League")
        season = Season.objects.create(competition=self.competition, name="2024/25")
        home = Team.objects.create(name="Northside FC", short_name="Northside")
        away = Team.objects.create(name="Southside United", short_name="Southside")
        self.kickoff = timezone.now() + dt.timedelta(days=7)
        self.match = Match.objects.create(competition=self.competition, season=season, kickoff=self.kickoff,
                                          home_team=home, away_team=away)
        old = rating_model(self.competition, RatingModel.Kind.DIXON_COLES, 1)
        current = rating_model(self.competition, RatingModel.Kind.DIXON_COLES, 2)
        elo = rating_model(self.competition, RatingModel.Kind.ELO, 1)
        Prediction.objects.create(match=self.match, model=old, home=0.70, draw=0.20, away=0.10, over_2_5=0.40,
                                  expected_home_goals=2.5, expected_away_goals=0.5, likely_scores=[[3, 0, 0.2]])
        Prediction.objects.create(match=self.match, model=current, home=0.52, draw=0.26, away=0.22, over_2_5=0.55,
                                  expected_home_goals=1.62, expected_away_goals=0.98, likely_scores=SCORES)
        Prediction.objects.create(match=self.match, model=elo, home=0.49, draw=0.27, away=0.24)
        books = {code: Bookmaker.objects.create(code=code, name=name, is_aggregate=aggregate)
                 for code, name, aggregate in (("AL", "Alpha", False), ("BR", "Bravo", False),
                                               ("Max", "Market maximum", True))}
        quote(self.match, books["AL"], "1x2", "pre_match", home=2.10, draw=3.30, away=3.60)
        quote(self.match, books["AL"], "1x2", "snapshot", taken_at=timezone.now() - dt.timedelta(hours=1),
              home=2.00, draw=3.40, away=3.80)
        quote(self.match, books["BR"], "1x2", "pre_match", home=1.95, draw=3.50, away=3.70)
        quote(self.match, books["Max"], "1x2", "pre_match", home=2.30, draw=3.60, away=4.00)
        quote(self.match, books["AL"], "over_under", "pre_match", "2.5", over=1.80, under=2.05)


@pytest.fixture
def fixture():
    return Fixture()


def card(html: str) -> str:
    found = re.search(r'<section class="card match-section prediction-card" id="tab-prediction".*?</section>', html,
                      re.S)
    assert found, "no prediction card on the page"
    return found.group(0)


def row(section: str, key: str) -> dict[str, str]:
    """One outcome's cells by their data- name, as a reader sees them."""
    line = re.search(rf'<tr data-outcome="{key}"[^>]*>(.*?)</tr>', section, re.S).group(1)
    cells = {"label": text(re.search(r"<th[^>]*>(.*?)</th>", line, re.S).group(1))}
    for name, body in re.findall(r'<td class="[^"]*" data-([a-z-]+)>(.*?)</td>', line, re.S):
        cells[name] = " ".join(text(body).split())
    return cells


def percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def test_card_shows_our_latest_dixon_coles_prediction_beside_the_market(client, fixture):
    section = card(get(client, fixture.match.get_absolute_url()))

    # The market: each real book's latest prices (Alpha's snapshot, Bravo's pre-match) without the margin.
    consensus = [sum(column) / 2 for column in zip(odds.shin([2.00, 3.40, 3.80]), odds.shin([1.95, 3.50, 3.70]))]
    home = row(section, "home")
    assert home == {"label": "Northside", "model": "52.0%", "elo": "49.0%", "market": percent(consensus[0]),
                    "fair-odds": "1.92", "best-price": "2.00 Alpha", "ev": "4.0%"}  # 0.52 x 2.00 - 1
    assert percent(consensus[0]) == "48.3%"  # the market rates Northside lower than we do
    assert row(section, "draw")["best-price"] == "3.50 Bravo"
    away = row(section, "away")
    assert (away["model"], away["best-price"], away["fair-odds"]) == ("22.0%", "3.80 Alpha", "4.55")
    assert away["ev"] == "\u221216.4%"  # 0.22 x 3.80 - 1: no value
    # Over/under 2.5: Dixon-Coles only (Elo forecasts the result alone).
    totals = odds.shin([1.80, 2.05])
    assert row(section, "over") == {"label": "Over 2.5", "model": "55.0%", "elo": "", "market": percent(totals[0]),
                                    "fair-odds": "1.82", "best-price": "1.80 Alpha", "ev": "\u22121.0%"}
    assert row(section, "under")["model"] == "45.0%"
    assert re.findall(r'<dd data-model="(\w+)">(.*?)</dd>', section) == [
        ("home", "52.0%"), ("draw", "26.0%"), ("away", "22.0%")]
    assert "Dixon-Coles v2" in section and "Elo v1" in section
    # The aggregate's 2.30 is not a price anyone offers; v1's 70% is not the current prediction.
    assert "2.30" not in section and "70.0%" not in section


def test_card_shows_expected_goals_and_the_five_likeliest_scores(client, fixture):
    section = card(get(client, fixture.match.get_absolute_url()))

    assert text(re.search(r"<strong data-expected-goals>.*?</strong>", section).group(0)) == "1.62 – 0.98"
    scores = [" ".join(text(item).split()) for item in re.findall(r"<li data-score=.*?</li>", section, re.S)]
    assert scores == ["1–0 11.2%", "1–1 10.5%", "2–1 9.1%", "2–0 8.8%", "0–0 7.1%"]
    assert 'href="/markets/value-bets/"' in section


def test_card_agrees_with_the_odds_summary(client, fixture):
    html = get(client, fixture.match.get_absolute_url())

    summary_consensus = re.findall(r'<dd data-consensus="\d">(.*?)</dd>', html)
    section = card(html)
    assert [row(section, key)["market"] for key in ("home", "draw", "away")] == summary_consensus
    assert html.index('id="tab-odds"') < html.index('id="tab-prediction"')


def test_without_odds_the_card_shows_the_model_alone(client, fixture):
    OddsQuote.objects.all().delete()

    section = card(get(client, fixture.match.get_absolute_url()))

    assert row(section, "home") == {"label": "Northside", "model": "52.0%", "elo": "49.0%", "market": "—",
                                    "fair-odds": "1.92", "best-price": "—", "ev": "—"}
    assert "No bookmaker has quoted this match yet." in section


def test_an_elo_only_prediction_leads_the_card_without_over_under(client, fixture):
    Prediction.objects.filter(model__kind=RatingModel.Kind.DIXON_COLES).delete()

    section = card(get(client, fixture.match.get_absolute_url()))

    assert row(section, "home")["model"] == "49.0%" and 'data-outcome="over"' not in section
    assert "Our model: Elo v1" in section and "data-expected-goals" not in section


def test_a_match_without_a_prediction_has_no_card(client, fixture):
    Prediction.objects.all().delete()

    assert 'id="tab-prediction"' not in get(client, fixture.match.get_absolute_url())


def test_the_card_adds_one_query_whatever_the_number_of_versions(client, fixture, django_assert_max_num_queries):
    for version in range(3, 13):
        model = rating_model(fixture.competition, RatingModel.Kind.DIXON_COLES, version)
        Prediction.objects.create(match=fixture.match, model=model, home=0.5, draw=0.3, away=0.2, over_2_5=0.5,
                                  likely_scores=SCORES)

    with django_assert_max_num_queries(MATCH_PAGE_QUERIES):
        section = card(get(client, fixture.match.get_absolute_url()))

    assert "Dixon-Coles v12" in section and row(section, "home")["model"] == "50.0%"
