"""The value-bet list (/markets/value-bets/) and its CSV."""

import csv
import datetime as dt
import re
from html import unescape
from decimal import Decimal
from io import StringIO

import pytest
from django.urls import reverse
from django.utils import timezone

from markets import value_bets
from markets.models import Bookmaker, OddsQuote, Prediction, RatingModel
from matches.models import Competition, Match, Season, Source, Team
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db

# The competitions to filter by, the upcoming matches' latest predictions (with match, teams and
# model), and their 1X2 and over/under 2.5 quotes (with bookmakers): whatever the number of matches.
PAGE_QUERIES = CSV_QUERIES = 3
URL = reverse("markets:value-bets")
CSV_URL = reverse("markets:value-bets-csv")


def quote(match, bookmaker, market, phase, line="0", taken_at=None, **prices):
    return OddsQuote.objects.create(match=match, bookmaker=bookmaker, market=market, phase=phase, line=Decimal(line),
                                    taken_at=taken_at, source=Source.MANUAL, **prices)


class League:
    """Two competitions' upcoming matches, their predictions and prices.

    North League, in three and four days:
      Ashby v Burton   ours 52% / 26% / 22%, over 2.5 55% (v2; v1 said 70% home)
                       Alpha's newest snapshot 2.05 3.40 3.80 (its pre-match 2.10 is older), Bravo 2.00 3.50 3.50,
                       the market maximum 2.50 3.60 4.00; over/under 2.5 at Alpha 2.00 / 1.85
                       -> home 0.52 x 2.05 = 1.066, over 0.55 x 2.00 = 1.10
      Corby v Derby    ours 30% / 28% / 42%; Bravo 3.40 3.30 2.30 -> home 0.30 x 3.40 = 1.02
    South League, in five days:
      Epsom v Frome    ours 60% / 25% / 15%; Alpha 1.95 3.60 6.00 -> home 0.60 x 1.95 = 1.17
    And a finished North League match whose old prediction meets generous prices: never listed.
    """

    def __init__(self):
        self.north = Competition.objects.create(name="North League")
        self.south = Competition.objects.create(name="South League")
        seasons = {competition: Season.objects.create(competition=competition, name="2024/25")
                   for competition in (self.north, self.south)}
        teams = {name: Team.objects.create(name=name) for name in
                 ("Ashby", "Burton", "Corby", "Derby", "Epsom", "Frome", "Gosport", "Hythe")}
        self.now = timezone.now()
        self.models = {}
        for competition in (self.north, self.south):
            for kind in RatingModel.Kind.values:
                for version in (1, 2):
                    self.models[competition.pk, kind, version] = RatingModel.objects.create(
                        competition=competition, kind=kind, version=version, parameters={})
        self.books = {code: Bookmaker.objects.create(code=code, name=name, is_aggregate=aggregate)
                      for code, name, aggregate in (("AL", "Alpha", False), ("BR", "Bravo", False),
                                                    ("Max", "Market maximum", True))}

        def match(competition, home, away, days, **fields):
            return Match.objects.create(competition=competition, season=seasons[competition],
                                        kickoff=self.now + dt.timedelta(days=days),
                                        home_team=teams[home], away_team=teams[away], **fields)

        self.first = match(self.north, "Ashby", "Burton", 3)
        self.predict(self.first, (0.70, 0.20, 0.10), 0.40, version=1)
        self.predict(self.first, (0.52, 0.26, 0.22), 0.55)
        self.predict(self.first, (0.45, 0.30, 0.25), None, kind=RatingModel.Kind.ELO)  # Elo: never listed
        quote(self.first, self.books["AL"], "1x2", "pre_match", home=2.10, draw=3.30, away=3.60)
        quote(self.first, self.books["AL"], "1x2", "snapshot", taken_at=self.now - dt.timedelta(hours=2),
              home=2.08, draw=3.30, away=3.70)
        quote(self.first, self.books["AL"], "1x2", "snapshot", taken_at=self.now - dt.timedelta(hours=1),
              home=2.05, draw=3.40, away=3.80)
        quote(self.first, self.books["BR"], "1x2", "pre_match", home=2.00, draw=3.50, away=3.50)
        quote(self.first, self.books["Max"], "1x2", "pre_match", home=2.50, draw=3.60, away=4.00)
        quote(self.first, self.books["AL"], "over_under", "pre_match", "2.5", over=2.00, under=1.85)
        quote(self.first, self.books["BR"], "over_under", "pre_match", "3.5", over=3.50, under=1.25)  # another line

        self.second = match(self.north, "Corby", "Derby", 4)
        self.predict(self.second, (0.30, 0.28, 0.42), 0.48)
        quote(self.second, self.books["BR"], "1x2", "pre_match", home=3.40, draw=3.30, away=2.30)

        self.third = match(self.south, "Epsom", "Frome", 5)
        self.predict(self.third, (0.60, 0.25, 0.15), 0.50)
        quote(self.third, self.books["AL"], "1x2", "snapshot", taken_at=self.now, home=1.95, draw=3.60, away=6.00)

        played = match(self.north, "Gosport", "Hythe", -3, status=Match.Status.FINISHED, home_score=1, away_score=0)
        self.predict(played, (0.60, 0.25, 0.15), 0.50)
        quote(played, self.books["AL"], "1x2", "closing", home=3.00, draw=3.60, away=6.00)

    def predict(self, match, result, over, *, kind=RatingModel.Kind.DIXON_COLES, version=2):
        home, draw, away = result
        return Prediction.objects.create(match=match, model=self.models[match.competition_id, kind, version],
                                         home=home, draw=draw, away=away, over_2_5=over,
                                         expected_home_goals=1.5 if over else None,
                                         expected_away_goals=1.1 if over else None)


@pytest.fixture
def league():
    return League()


def table_rows(html: str) -> list[list[str]]:
    return [[" ".join(text(cell).split()) for cell in re.findall(r"<td[^>]*>.*?</td>", row, re.S)]
            for row in re.findall(r"<tr data-value-bet>(.*?)</tr>", html, re.S)]


def csv_lines(response) -> list[list[str]]:
    assert response.status_code == 200
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def picked(rows) -> list[tuple[str, str]]:
    """(match, selection) of each row, in order."""
    return [(row[1], row[3]) for row in rows]


def test_lists_bets_whose_value_beats_the_default_five_percent_best_first(client, league):
    rows = table_rows(get(client, URL))

    assert picked(rows) == [("Epsom v Frome", "Epsom"), ("Ashby v Burton", "Over 2.5"), ("Ashby v Burton", "Ashby")]
    epsom = rows[0]
    local = timezone.localtime(league.third.kickoff)
    assert epsom[0] == f"{local:%Y-%m-%d %H:%M}" and epsom[2] == "South League"
    # Ours, market (one book: its fair price), best price, bookmaker, EV, Kelly, quarter Kelly.
    assert epsom[4] == "60.0%" and epsom[6:] == ["1.95", "Alpha", "17.0%", "17.9%", "4.5%"]  # 0.17 / 0.95
    ashby = rows[2]
    # Alpha's newest snapshot (2.05), not its pre-match 2.10, nor the market maximum's 2.50.
    assert ashby[4] == "52.0%" and ashby[6:9] == ["2.05", "Alpha", "6.6%"]
    assert rows[1][6:9] == ["2.00", "Alpha", "10.0%"]


def test_a_bet_below_the_edge_is_not_listed_and_raising_the_edge_removes_rows(client, league):
    # Corby at 3.40: 0.30 x 3.40 - 1 = 2%, below 5%, listed only once the edge is lower.
    assert ("Corby v Derby", "Corby") not in picked(table_rows(get(client, URL)))
    assert ("Corby v Derby", "Corby") in picked(table_rows(get(client, URL + "?edge=0.01")))

    assert picked(table_rows(get(client, URL + "?edge=0.08"))) == [
        ("Epsom v Frome", "Epsom"), ("Ashby v Burton", "Over 2.5")]
    html = get(client, URL + "?edge=0.2")
    assert table_rows(html) == []
    assert "No upcoming outcome beats the best price on offer by more than 20.0%" in html


def test_old_versions_elo_finished_matches_and_aggregates_never_make_a_bet(client, league):
    rows = table_rows(get(client, URL + "?edge=0"))

    assert all(row[1] != "Gosport v Hythe" for row in rows)  # played: 0.60 x 3.00 would be value
    assert "70.0%" not in [row[4] for row in rows]  # Ashby's v1 prediction
    assert "Market maximum" not in [row[7] for row in rows]
    assert all(float(row[8].rstrip("%")) > 0 for row in rows)


def test_filter_by_competition(client, league):
    html = get(client, URL + f"?competition={league.north.pk}")

    assert picked(table_rows(html)) == [("Ashby v Burton", "Over 2.5"), ("Ashby v Burton", "Ashby")]
    assert f'<option value="{league.north.pk}" selected>North League</option>' in html
    assert "in 2 upcoming predicted matches of North League" in text(html)


def test_sorting_by_kick_off(client, league):
    rows = table_rows(get(client, URL + "?sort=kickoff"))

    assert picked(rows)[-1] == ("Epsom v Frome", "Epsom")
    assert [row[0] for row in rows] == sorted(row[0] for row in rows)


@pytest.mark.parametrize("params", ["", "?edge=0.01", "?edge=0.02&sort=kelly&dir=asc", "?competition={north}"])
def test_csv_rows_equal_the_page_rows(client, league, params):
    params = params.format(north=league.north.pk)

    lines = csv_lines(client.get(CSV_URL + params))

    assert lines[0] == ["Kick-off", "Match", "Competition", "Selection", "Our probability", "Fair market probability",
                        "Best price", "Bookmaker", "Expected value", "Kelly fraction", "Quarter Kelly"]
    assert lines[1:] == table_rows(get(client, URL + params))
    assert len(lines) > 1


def test_csv_download_is_linked_with_the_same_query(client, league):
    response = client.get(CSV_URL + "?edge=0.08")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.search(r'filename="value-bets-edge-8pc-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"])
    assert 'href="/markets/value-bets.csv?edge=0.08"' in get(client, URL + "?edge=0.08")


@pytest.mark.parametrize("edge, message", [
    ("abc", "The edge must be a number: a fraction of the stake, 0.05 for 5%."),
    ("-0.1", "The edge cannot be negative"),
    ("5", "The edge is a fraction of the stake (0.05 is 5%), at most 1."),
    ("nan", "The edge must be a number"),
])
def test_a_bad_edge_gets_a_clear_message_and_no_list(client, league, edge, message):
    response = client.get(URL, {"edge": edge})

    assert response.status_code == 400
    html = response.content.decode()
    assert message in text(html) and 'role="alert"' in html and "<tr data-value-bet>" not in html
    csv_response = client.get(CSV_URL, {"edge": edge})
    assert csv_response.status_code == 400 and message in csv_response.content.decode()


def test_an_unknown_competition_gets_a_clear_message(client, league):
    response = client.get(URL, {"competition": "999999"})

    assert response.status_code == 400
    assert "No upcoming match of that competition has a prediction." in response.content.decode()


def test_queries_are_bounded_whatever_the_number_of_matches(client, league, django_assert_max_num_queries):
    with django_assert_max_num_queries(PAGE_QUERIES):
        before = table_rows(get(client, URL))
    for number in range(15):
        home = Team.objects.create(name=f"Home {number}")
        away = Team.objects.create(name=f"Away {number}")
        extra = Match.objects.create(competition=league.north, season=league.first.season, home_team=home,
                                     away_team=away, kickoff=league.now + dt.timedelta(days=6, hours=number))
        league.predict(extra, (0.55, 0.25, 0.20), 0.52)
        for code in ("AL", "BR"):
            quote(extra, league.books[code], "1x2", "pre_match", home=2.10, draw=3.40, away=4.00)
            quote(extra, league.books[code], "over_under", "pre_match", "2.5", over=1.90, under=1.95)

    with django_assert_max_num_queries(PAGE_QUERIES):
        after = table_rows(get(client, URL))
    with django_assert_max_num_queries(CSV_QUERIES):
        client.get(CSV_URL)

    assert len(after) == len(before) + 15  # each: home 0.55 x 2.10 = 1.155


def test_nothing_predicted_says_so(client):
    html = get(client, URL)

    assert "0 bets with an expected value above 5.0% in 0 upcoming predicted matches" in text(html)
    assert "No upcoming outcome beats the best price on offer by more than 5.0%." in html


def test_the_site_nav_links_the_list(client, league):
    assert f'<a href="{URL}">Value bets</a>' in get(client, "/")


def test_kelly_and_expected_value_are_the_textbook_ones():
    outcome = value_bets.Outcome("home", "Home", probability=0.5, best_price=2.5)

    assert outcome.expected_value == pytest.approx(0.25)  # 0.5 x 2.5 - 1
    assert outcome.kelly == pytest.approx(0.25 / 1.5)  # (bp - q) / b with b = 1.5: (0.75 - 0.5) / 1.5
    assert outcome.quarter_kelly == pytest.approx(0.25 / 6)
    assert outcome.fair_odds == pytest.approx(2.0)
    assert value_bets.Outcome("away", "Away", probability=0.2, best_price=3.0).kelly == 0.0


# --------------------------------------------------------------------------- as of a past day


class PastWeek:
    """Two played North League matches, ten and twenty days ago, predicted before them.

    Ten days ago, Ashby 2-1 Burton: ours 60% / 25% / 15%, over 2.5 50%; Alpha opened at 2.00 3.40 5.00 and
    over/under 2.20 / 1.70, and closed at 1.50 3.80 7.00 (closing: not known the morning before).
    -> home 0.60 x 2.00 = 1.20 (won: +1.00), over 0.50 x 2.20 = 1.10 (3 goals, won: +1.20).
    Twenty days ago, Corby 0-0 Derby with generous prices: outside the week listed.
    """

    def __init__(self, league):
        self.league = league
        self.played = self.match(-10, "Ashby", "Burton", 2, 1)
        league.predict(self.played, (0.60, 0.25, 0.15), 0.50)
        quote(self.played, league.books["AL"], "1x2", "pre_match", home=2.00, draw=3.40, away=5.00)
        quote(self.played, league.books["AL"], "1x2", "closing", home=1.50, draw=3.80, away=7.00)
        quote(self.played, league.books["AL"], "over_under", "pre_match", "2.5", over=2.20, under=1.70)
        earlier = self.match(-20, "Corby", "Derby", 0, 0)
        league.predict(earlier, (0.60, 0.25, 0.15), 0.50)
        quote(earlier, league.books["AL"], "1x2", "pre_match", home=3.00, draw=4.00, away=8.00)
        self.as_of = timezone.localtime(self.played.kickoff).date() - dt.timedelta(days=1)

    def match(self, days, home, away, home_score, away_score):
        league = self.league
        return Match.objects.create(competition=league.north, season=league.first.season,
                                    kickoff=league.now + dt.timedelta(days=days),
                                    home_team=Team.objects.get(name=home), away_team=Team.objects.get(name=away),
                                    status=Match.Status.FINISHED, home_score=home_score, away_score=away_score)


def test_the_list_as_of_a_past_day_has_that_weeks_bets_at_the_opening_prices_with_results(client, league):
    past = PastWeek(league)
    url = URL + f"?as_of={past.as_of:%Y-%m-%d}"

    html = get(client, url)
    rows = table_rows(html)

    assert [(row[1], row[3], row[6], row[-2], row[-1]) for row in rows] == [
        ("Ashby v Burton", "Ashby", "2.00", "2–1, won", "+1.00"),  # EV 20%, the opening price, not 1.50
        ("Ashby v Burton", "Over 2.5", "2.20", "2–1, won", "+1.20"),
    ]
    words = " ".join(text(html).split())
    assert f"Value bets as of {past.as_of.day} {past.as_of:%b %Y}" in words
    assert "2 bets with an expected value above 5.0% in 1 predicted match of that week" in words
    assert "one unit on each of the 2 played: +2.20 units (110.0% of the stakes)" in words

    lines = csv_lines(client.get(CSV_URL + f"?as_of={past.as_of:%Y-%m-%d}"))
    assert lines[0][-2:] == ["Result", "Profit per unit staked"]
    assert lines[1:] == rows


def test_a_lost_bet_costs_its_stake(client, league):
    past = PastWeek(league)
    past.played.home_score, past.played.away_score = 0, 1
    past.played.save()

    rows = table_rows(get(client, URL + f"?as_of={past.as_of:%Y-%m-%d}&sort=kickoff"))

    assert [(row[3], row[-2], row[-1]) for row in rows] == [
        ("Ashby", "0–1, lost", "\N{MINUS SIGN}1.00"), ("Over 2.5", "0–1, lost", "\N{MINUS SIGN}1.00")]


def test_a_bad_day_gets_a_clear_message(client, league):
    response = client.get(URL, {"as_of": "2024-13-01"})

    assert response.status_code == 400
    assert "The date must be a day as YYYY-MM-DD, such as 2024-04-20." in response.content.decode()


def test_with_nothing_upcoming_the_list_offers_the_latest_past_week_with_bets(client):
    league = League()
    Match.objects.filter(status=Match.Status.SCHEDULED).delete()
    past = PastWeek(league)

    html = get(client, URL)

    assert "0 bets with an expected value above 5.0% in 0 upcoming predicted matches" in text(html)
    link = re.search(r'<p class="card" data-suggested>.*?<a href="([^"]+)">', html, re.S).group(1)
    assert unescape(link) == URL + f"?as_of={past.played.kickoff.date() - dt.timedelta(days=6):%Y-%m-%d}"
    assert picked(table_rows(get(client, unescape(link)))) == [("Ashby v Burton", "Ashby"),
                                                              ("Ashby v Burton", "Over 2.5")]
