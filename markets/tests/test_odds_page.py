"""The odds page (/markets/matches/<id>/odds/), its CSV, and the odds summary on the match page."""

import csv
import datetime as dt
import json
import re
from decimal import Decimal
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from markets import odds
from markets.models import Bookmaker, OddsQuote
from matches.models import Competition, Match, Season, Source, Team
from matches.tests.test_views import PAGE_QUERIES as MATCH_PAGE_QUERIES  # the odds summary's included

pytestmark = pytest.mark.django_db

KICKOFF = dt.datetime(2024, 5, 4, 14, 0, tzinfo=dt.UTC)
# The match with its teams and competition, then every quote with its bookmaker.
PAGE_QUERIES = 2
CSV_QUERIES = 2


def quote(match, bookmaker, market, phase, line="0", taken_at=None, **prices):
    return OddsQuote.objects.create(match=match, bookmaker=bookmaker, market=market, phase=phase, line=Decimal(line),
                                    taken_at=taken_at, source=Source.MANUAL, **prices)


class Fixture:
    """Northside v Southside with three bookmakers and the market aggregates.

    1X2, opening -> closing:
      Alpha   3.00 3.40 2.40  ->  2.80 3.50 2.60   (home shortened, away drifted)
      Bravo   3.10 3.30 2.35  ->  2.90 3.40 2.55
      Pinnacle 3.05 3.45 2.45 ->  2.95 3.45 2.62   (best closing home and away)
      Market maximum 3.10 3.45 2.45 -> 2.95 3.50 2.62; Market average 3.05 3.38 2.40 -> 2.88 3.45 2.59
    Over/under 2.5 at Alpha and Pinnacle; Asian handicap at Alpha, opening on −0.25 and closing on 0.
    """

    def __init__(self):
        competition = Competition.objects.create(name="Odds League")
        season = Season.objects.create(competition=competition, name="2023/24")
        self.home = Team.objects.create(name="Northside FC", short_name="Northside")
        self.away = Team.objects.create(name="Southside United", short_name="Southside")
        self.match = Match.objects.create(competition=competition, season=season, kickoff=KICKOFF,
                                          home_team=self.home, away_team=self.away, status=Match.Status.FINISHED,
                                          home_score=1, away_score=2)
        self.books = {
            code: Bookmaker.objects.create(code=code, name=name, is_aggregate=aggregate)
            for code, name, aggregate in (("AL", "Alpha", False), ("BR", "Bravo", False), ("PS", "Pinnacle", False),
                                          ("Max", "Market maximum", True), ("Avg", "Market average", True))
        }
        for code, opening, closing in (
            ("AL", (3.00, 3.40, 2.40), (2.80, 3.50, 2.60)),
            ("BR", (3.10, 3.30, 2.35), (2.90, 3.40, 2.55)),
            ("PS", (3.05, 3.45, 2.45), (2.95, 3.45, 2.62)),
            ("Max", (3.10, 3.45, 2.45), (2.95, 3.50, 2.62)),
            ("Avg", (3.05, 3.38, 2.40), (2.88, 3.45, 2.59)),
        ):
            for phase, (home, draw, away) in (("pre_match", opening), ("closing", closing)):
                quote(self.match, self.books[code], "1x2", phase, home=home, draw=draw, away=away)
        quote(self.match, self.books["AL"], "over_under", "pre_match", "2.5", over=1.90, under=1.95)
        quote(self.match, self.books["AL"], "over_under", "closing", "2.5", over=1.85, under=2.00)
        quote(self.match, self.books["PS"], "over_under", "closing", "2.5", over=1.88, under=2.02)
        quote(self.match, self.books["AL"], "asian_handicap", "pre_match", "-0.25", home=2.05, away=1.85)
        quote(self.match, self.books["AL"], "asian_handicap", "closing", "0", home=1.80, away=2.10)

    def url(self, name="markets:match-odds", **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return reverse(name, args=[self.match.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def fixture():
    return Fixture()


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def text(fragment: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def board(html: str, market: str, line: str = "0") -> str:
    return re.search(rf'<table class="odds" data-market="{market}" data-line="{re.escape(line)}".*?</table>', html,
                     re.S).group(0)


def row(table: str, code: str) -> str:
    return re.search(rf'<tr data-bookmaker="{re.escape(code)}">.*?</tr>', table, re.S).group(0)


def cells(table_row: str) -> list[str]:
    """The cells as a sighted reader sees them (without the screen-reader-only "(best)")."""
    table_row = re.sub(r'<span class="visually-hidden">.*?</span>', "", table_row)
    return [text(cell) for cell in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", table_row, re.S)]


def best_cells(table: str) -> list[tuple[str, str]]:
    """(bookmaker code, price) of every highlighted cell."""
    found = []
    for code, body in re.findall(r'<tr data-bookmaker="([^"]+)">(.*?)</tr>', table, re.S):
        found += [(code, text(cell).replace("(best)", "").strip())
                  for cell in re.findall(r'<td class="num best"[^>]*>.*?</td>', body, re.S)]
    return found


def test_every_bookmaker_with_opening_closing_and_movement(client, fixture):
    html = get(client, fixture.url())
    table = board(html, "1x2")

    alpha = cells(row(table, "AL"))
    # Bookmaker | home open, close, move | draw ... | away ... | overround open, close | fair home, draw, away, total
    assert alpha[:10] == ["Alpha", "3.00", "2.80", "▼ −0.20", "3.40", "3.50", "▲ +0.10", "2.40", "2.60", "▲ +0.20"]
    book = [2.80, 3.50, 2.60]
    assert alpha[10:12] == [f"{100 * odds.overround([3.00, 3.40, 2.40]):.2f}%", f"{100 * odds.overround(book):.2f}%"]
    assert alpha[12:15] == [f"{100 * p:.1f}%" for p in odds.shin(book)]
    assert alpha[15] == "100.0%"
    assert "move--shortened" in row(table, "AL") and "move--drifted" in row(table, "AL")
    # Real bookmakers first, then the aggregates in their own body.
    assert table.index('data-bookmaker="AL"') < table.index('data-bookmaker="BR"') < table.index('data-bookmaker="PS"')
    assert table.index('<tbody class="odds__aggregates">') < table.index('data-bookmaker="Max"')
    assert "Northside FC v Southside United" in text(html)


def test_best_price_per_outcome_is_highlighted_among_real_bookmakers(client, fixture):
    table = board(get(client, fixture.url()), "1x2")

    best = best_cells(table)

    # Opening: home 3.10 Bravo, draw 3.45 Pinnacle, away 2.45 Pinnacle; closing: home 2.95 Pinnacle,
    # draw 3.50 Alpha, away 2.62 Pinnacle. The market maximum (same prices) is never highlighted.
    assert sorted(best) == sorted([("BR", "3.10"), ("PS", "3.45"), ("PS", "2.45"),
                                   ("PS", "2.95"), ("AL", "3.50"), ("PS", "2.62")])
    assert "(best)" in row(table, "PS")


def test_consensus_is_the_mean_of_the_bookmakers_fair_probabilities(client, fixture):
    table = board(get(client, fixture.url(method="multiplicative")), "1x2")

    closing = [[2.80, 3.50, 2.60], [2.90, 3.40, 2.55], [2.95, 3.45, 2.62]]
    fair = [odds.multiplicative(book) for book in closing]
    consensus = [sum(column) / 3 for column in zip(*fair)]
    footer = text(re.search(r"<tfoot>.*?</tfoot>", table, re.S).group(0))
    assert footer == ("Market consensus (mean of 3 books) "
                      + " ".join(f"{100 * p:.1f}%" for p in consensus) + " 100.0%")


@pytest.mark.parametrize("method", list(odds.METHODS))
def test_the_method_the_user_picks_removes_the_margin(client, fixture, method):
    html = get(client, fixture.url(method=method))

    alpha = cells(row(board(html, "1x2"), "AL"))
    assert alpha[12:15] == [f"{100 * p:.1f}%" for p in odds.fair_probabilities([2.80, 3.50, 2.60], method)]
    assert re.search(rf'<a href="\?method={method}[^"]*" aria-current="page">', html)
    assert f"Fair probability ({odds.METHOD_LABELS[method]})" in html


def test_shin_is_the_default_and_an_unknown_method_is_a_bad_request(client, fixture):
    default = get(client, fixture.url())
    assert "Fair probability (Shin)" in default
    assert board(get(client, fixture.url(method="")), "1x2") == board(default, "1x2")  # empty: the default
    response = client.get(fixture.url(method="nonsense"))
    assert response.status_code == 400 and "method: &#x27;nonsense&#x27; is not one of: " in response.content.decode()


def test_over_under_and_asian_handicap_boards(client, fixture):
    html = get(client, fixture.url())

    totals = board(html, "over_under", "2.5")
    assert "Over/under 2.5 goals" in html
    assert cells(row(totals, "AL"))[:7] == ["Alpha", "1.90", "1.85", "▼ −0.05", "1.95", "2.00", "▲ +0.05"]
    assert cells(row(totals, "PS"))[:4] == ["Pinnacle", "—", "1.88", ""]  # no opening quote: no movement
    # Two outcomes: Shin equals additive.
    assert cells(row(totals, "AL"))[9:11] == [f"{100 * p:.1f}%" for p in odds.additive([1.85, 2.00])]
    # The handicap moved from −0.25 to 0: two boards, not a price movement.
    assert "Asian handicap: Northside \u22120.25" in text(html) and "Asian handicap: Northside 0" in text(html)
    opening_line = cells(row(board(html, "asian_handicap", "-0.25"), "AL"))
    assert opening_line[:7] == ["Alpha", "2.05", "—", "", "1.85", "—", ""]
    assert "Southside +0.25" in board(html, "asian_handicap", "-0.25")
    # Boards in market order.
    assert html.index('data-market="1x2"') < html.index('data-market="over_under"') < html.index(
        'data-market="asian_handicap"')


def test_without_snapshots_the_chart_joins_opening_and_closing_of_pinnacle_first(client, fixture):
    html = get(client, fixture.url())

    chart = json.loads(re.search(r'<script id="odds-chart-data" type="application/json">(.*?)</script>', html,
                                 re.S).group(1))
    assert (chart["mode"], chart["bookmaker"], chart["ticks"]) == ("phase", "Pinnacle", ["Opening", "Closing"])
    assert chart["series"] == [[3.05, 2.95], [3.45, 3.45], [2.45, 2.62]]
    assert chart["labels"] == ["Northside", "Draw", "Southside"]
    assert "uPlot.iife.min.js" in html and "js/odds.js" in html

    chart = json.loads(re.search(r'id="odds-chart-data" type="application/json">(.*?)</script>',
                                 get(client, fixture.url(book="BR")), re.S).group(1))
    assert chart["bookmaker"] == "Bravo" and chart["series"][0] == [3.10, 2.90]


def test_with_snapshots_the_chart_follows_them_over_time_to_the_close_at_kickoff(client, fixture):
    alpha = fixture.books["AL"]
    for hours, prices in ((48, (3.00, 3.40, 2.40)), (24, (2.90, 3.45, 2.50)), (2, (2.85, 3.50, 2.55))):
        home, draw, away = prices
        quote(fixture.match, alpha, "1x2", "snapshot", taken_at=KICKOFF - dt.timedelta(hours=hours),
              home=home, draw=draw, away=away)

    html = get(client, fixture.url(book="AL"))

    chart = json.loads(re.search(r'id="odds-chart-data" type="application/json">(.*?)</script>', html, re.S).group(1))
    assert chart["mode"] == "time"
    assert chart["x"] == [(KICKOFF - dt.timedelta(hours=hours)).timestamp() for hours in (48, 24, 2)] + [
        KICKOFF.timestamp()]
    assert chart["series"][0] == [3.00, 2.90, 2.85, 2.80]  # the closing 2.80 at kick-off
    assert "Every snapshot of the prices" in html


def test_snapshots_stand_in_for_missing_opening_and_closing_quotes(client, fixture):
    other = Bookmaker.objects.create(code="SN", name="Snapper")
    for hours, home in ((30, 3.2), (10, 3.0), (1, 2.9)):
        quote(fixture.match, other, "1x2", "snapshot", taken_at=KICKOFF - dt.timedelta(hours=hours),
              home=home, draw=3.4, away=2.4)

    snapper = cells(row(board(get(client, fixture.url()), "1x2"), "SN"))

    assert snapper[:4] == ["Snapper", "3.20", "2.90", "▼ −0.30"]  # earliest and latest snapshots


def test_an_incomplete_book_shows_its_prices_but_no_fair_probabilities(client, fixture):
    lonely = Bookmaker.objects.create(code="LO", name="Lonely")
    quote(fixture.match, lonely, "1x2", "closing", home=3.0, draw=3.3)  # no away price

    lonely_row = cells(row(board(get(client, fixture.url()), "1x2"), "LO"))

    assert lonely_row[2] == "3.00" and lonely_row[12] == "—" and len(lonely_row) == 13


def test_csv_has_the_tables_one_line_per_bookmaker_and_selection(client, fixture):
    response = client.get(fixture.url("markets:match-odds-csv", method="power"))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="northside-fc-southside-united-2024-05-04-odds.csv"' in response["Content-Disposition"]
    lines = list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))
    header, rows = lines[0], lines[1:]
    assert header[:8] == ["Market", "Line", "Bookmaker", "Aggregate", "Selection", "Opening", "Closing", "Change"]
    # 1X2: 5 books x 3; over/under: 2 x 2; handicap: two lines x 2.
    assert len(rows) == 15 + 4 + 4
    by_key = {(line[0], line[1], line[2], line[4]): dict(zip(header, line)) for line in rows}
    alpha_home = by_key[("Match result (1X2)", "0", "Alpha", "Northside")]
    fair = odds.power([2.80, 3.50, 2.60])
    assert (alpha_home["Opening"], alpha_home["Closing"], alpha_home["Change"]) == ("3.00", "2.80", "-0.20")
    assert float(alpha_home["Fair probability"]) == pytest.approx(fair[0], abs=1e-6)
    assert float(alpha_home["Closing overround"]) == pytest.approx(odds.overround([2.80, 3.50, 2.60]), abs=1e-6)
    assert alpha_home["Method"] == "power" and alpha_home["Fair from"] == "closing"
    assert by_key[("Match result (1X2)", "0", "Pinnacle", "Southside")]["Best closing"] == "yes"
    assert by_key[("Match result (1X2)", "0", "Market maximum", "Southside")]["Aggregate"] == "yes"
    # The CSV and the page agree on every fair probability the page shows.
    page_fair = cells(row(board(get(client, fixture.url(method="power")), "1x2"), "AL"))[12:15]
    assert page_fair == [f"{100 * float(by_key[('Match result (1X2)', '0', 'Alpha', label)]['Fair probability']):.1f}%"
                         for label in ("Northside", "Draw", "Southside")]


def test_queries_are_bounded_whatever_the_number_of_bookmakers_and_snapshots(
        client, fixture, django_assert_max_num_queries):
    with django_assert_max_num_queries(PAGE_QUERIES):
        get(client, fixture.url())
    with django_assert_max_num_queries(CSV_QUERIES):
        client.get(fixture.url("markets:match-odds-csv"))

    for number in range(20):
        book = Bookmaker.objects.create(code=f"X{number}", name=f"Extra {number}")
        for hours in range(10):
            quote(fixture.match, book, "1x2", "snapshot", taken_at=KICKOFF - dt.timedelta(hours=hours + 1),
                  home=3.0 + hours / 100, draw=3.4, away=2.4)
    with django_assert_max_num_queries(PAGE_QUERIES):
        get(client, fixture.url())
    with django_assert_max_num_queries(CSV_QUERIES):
        client.get(fixture.url("markets:match-odds-csv"))
    with django_assert_max_num_queries(MATCH_PAGE_QUERIES):
        get(client, fixture.match.get_absolute_url())


def test_a_match_without_odds_says_so_and_unknown_matches_are_404(client, fixture):
    OddsQuote.objects.all().delete()

    assert "No bookmaker has quoted this match yet." in get(client, fixture.url())
    assert 'id="tab-odds"' not in get(client, fixture.match.get_absolute_url())
    assert client.get(reverse("markets:match-odds", args=[999999])).status_code == 404
    assert client.get(reverse("markets:match-odds-csv", args=[999999])).status_code == 404


def test_match_page_summarises_consensus_and_best_prices_and_links_to_the_odds(client, fixture):
    html = get(client, fixture.match.get_absolute_url())

    summary = re.search(r'<section class="card match-section odds-summary" id="tab-odds".*?</section>', html,
                        re.S).group(0)
    closing = [[2.80, 3.50, 2.60], [2.90, 3.40, 2.55], [2.95, 3.45, 2.62]]
    consensus = [sum(column) / 3 for column in zip(*(odds.shin(book) for book in closing))]
    assert re.findall(r'<dd data-consensus="\d">(.*?)</dd>', summary) == [f"{100 * p:.1f}%" for p in consensus]
    assert "Shin" in summary and "mean of 3 books" in summary
    best = [text(line) for line in re.findall(r"<tr><th scope=\"row\">.*?</tr>", summary, re.S)]
    assert best == ["Northside 2.95 Pinnacle", "Draw 3.50 Alpha", "Southside 2.62 Pinnacle",
                    "Over 2.5 1.88 Pinnacle", "Under 2.5 2.02 Pinnacle"]
    assert f'href="{fixture.url()}"' in summary


@pytest.mark.realdata
def test_burnley_v_man_city_2023_with_pinnacles_closing_prices(client, shared_data, django_assert_max_num_queries):
    call_command("import_football_data", str(shared_data("football-data", "E0", "2324.csv")),
                 stdout=StringIO(), stderr=StringIO())
    match = Match.objects.get(home_team__name="Burnley", away_team__name="Manchester City",
                              kickoff__date=dt.date(2023, 8, 11))

    with django_assert_max_num_queries(PAGE_QUERIES):
        html = get(client, reverse("markets:match-odds", args=[match.pk]))

    pinnacle = cells(row(board(html, "1x2"), "PS"))
    assert pinnacle[0] == "Pinnacle"
    assert [pinnacle[2], pinnacle[5], pinnacle[8]] == ["9.62", "5.81", "1.33"]  # closing home, draw, away
    assert [pinnacle[1], pinnacle[4], pinnacle[7]] == ["8.58", "5.51", "1.37"]  # opening
    assert pinnacle[11] == "2.79%"  # closing overround: 1/9.62 + 1/5.81 + 1/1.33 = 1.0279
    assert pinnacle[15] == "100.0%"
    fair = [float(value.rstrip("%")) for value in pinnacle[12:15]]
    assert sum(fair) == pytest.approx(100.0, abs=0.15)  # rounded to one place each
    assert fair[2] > fair[1] > fair[0]  # Manchester City the favourite
    assert "Over/under 2.5 goals" in html and "Asian handicap: Burnley +1.5" in html

    for method in odds.METHODS:
        pinnacle = cells(row(board(get(client, reverse("markets:match-odds", args=[match.pk]) + f"?method={method}"),
                                   "1x2"), "PS"))
        assert pinnacle[15] == "100.0%"

    summary = get(client, match.get_absolute_url())
    best = [text(line) for line in re.findall(r"<tr><th scope=\"row\">.*?</tr>", summary, re.S)]
    home, away = match.home_team.display_name, match.away_team.display_name
    # Closing prices: VC Bet's 10.50 on Burnley, Pinnacle's 5.81 on the draw, Interwetten's 1.35 on City.
    assert best[:3] == [f"{home} 10.50 VC Bet", "Draw 5.81 Pinnacle", f"{away} 1.35 Interwetten"]
