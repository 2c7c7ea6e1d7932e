"""The player page's FPL card: price by gameweek (beside our market value) and points per match."""

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fantasy.cards import price_chart
from fantasy.models import FplPlayerFixture
from players.tests.builders import League, player, team
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db


def fpl_season(weeks: int, name: str = "Bukayo Saka"):
    league = League(f"League of {name}")
    home, away = team(f"North {name}"), team(f"South {name}")
    who = player(name)
    for week in range(1, weeks + 1):
        match = league.play(home, away, (week % 3, 1), day=7 * week)
        FplPlayerFixture.objects.create(player=who, match=match, season=league.season, gameweek=week,
                                        price=Decimal("8.5") + Decimal(week) / 10, total_points=week + 1,
                                        bonus=min(week, 3), expected_points=4.5, selected=1000)
    return who


def test_the_card_shows_the_latest_price_points_and_the_chart(client):
    who = fpl_season(3)
    html = get(client, who.get_absolute_url())
    card = re.search(r'<section class="card player-section" id="fpl".*?</section>', html, re.S).group(0)
    assert "£8.8m" in card and "gameweek 3, 2023/24" in card
    assert "9</strong>" in card  # 2 + 3 + 4 points that season
    rows = [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", card.split("<tbody>")[1], re.S)]
    assert rows[0] == ["3", "North 0–1 South", "4", "3", "4.5", "8.8"]  # latest first
    assert len(rows) == 3
    data = json.loads(re.search(r'<script id="fpl-chart-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["prices"] == [8.6, 8.7, 8.8] and data["values"] == [None, None, None]
    assert "js/fpl_price.js" in html and "vendor/uplot/uPlot.iife.min.js" in html and "js/charts.js" in html


def test_no_fpl_lines_no_card(client):
    who = player("Nobody FPL")
    assert 'id="fpl"' not in get(client, who.get_absolute_url())


def test_the_card_costs_the_same_queries_for_one_week_and_many(client):
    one, many = fpl_season(1), None
    with CaptureQueriesContext(connection) as few:
        get(client, one.get_absolute_url())
    FplPlayerFixture.objects.all().delete()
    many = fpl_season(30, "Martin Odegaard")
    with CaptureQueriesContext(connection) as lots:
        get(client, many.get_absolute_url())
    assert len(few) == len(lots)


def test_price_chart_aligns_prices_and_our_values_on_one_time_axis():
    class Line:
        def __init__(self, day, price):
            self.match = type("M", (), {"kickoff": dt.datetime.combine(day, dt.time(15), tzinfo=dt.UTC)})
            self.price = Decimal(price)

    chart = price_chart([Line(dt.date(2023, 8, 12), "8.5"), Line(dt.date(2023, 8, 19), "8.6")],
                        [(dt.date(2023, 8, 14), 61_000_000), (dt.date(2023, 8, 19), 62_500_000)])
    noon = lambda day: int(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC).timestamp())  # noqa: E731
    assert chart == {"days": [noon(dt.date(2023, 8, 12)), noon(dt.date(2023, 8, 14)), noon(dt.date(2023, 8, 19))],
                     "prices": [8.5, None, 8.6], "values": [None, 61.0, 62.5]}
