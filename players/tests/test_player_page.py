"""The player page: profile, season table, match log, shot map, CSV files, query bounds, real data."""

import csv
import datetime as dt
import io
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.test.utils import CaptureQueriesContext

from matches.models import Match, MatchEvent
from players.aggregates import recompute_player_seasons
from players.models import Player, PlayerSeasonStats
from players.tests.builders import League, card, goal, player, shot, team

pytestmark = pytest.mark.django_db
Kind = MatchEvent.Kind


class Tables(HTMLParser):
    """The text of every cell of the page's player tables: {"seasons": [[header...], [row...]], ...}."""

    def __init__(self, html: str):
        super().__init__()
        self.tables, self.current, self.row, self.cell = {}, None, None, None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        classes = dict(attrs).get("class") or ""
        if tag == "table" and "player-table" in classes:
            self.current = self.tables.setdefault(re.search(r"player-table--(\w+)", classes).group(1), [])
        elif self.current is not None and tag == "tr":
            self.row = []
        elif self.row is not None and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self.current = None
        elif tag in ("td", "th") and self.cell is not None:
            self.row.append("".join(self.cell).strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def page_tables(html: str) -> dict[str, list[list[str]]]:
    tables = Tables(html).tables
    for rows in tables.values():  # headers: the abbreviation and its sort arrow
        rows[0] = [header.rstrip(" ▲▼") for header in rows[0]]
    return tables


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


@pytest.fixture
def career():
    """A striker with two seasons for two teams, and a player with a single match."""
    league, cup = League(), League("Test Cup", "2024/25")
    city, rovers, united = team("City FC"), team("Rovers FC"), team("United FC")
    striker = player("Samuel Striker", known_as="Sammy", nationality="Italy", birth_date=dt.date(1990, 2, 20))
    keeper, loner = player("Kees Keeper"), player("One Timer")
    matches = [
        league.play(city, rovers, (3, 1), day=1, lineups={city: [(striker, 90, True)], rovers: [(keeper, 90, True)]},
                    events=[goal(city, striker, 10, xg=0.4, x=92.0, y=52.0), shot(city, striker, 20, xg=0.05),
                            goal(city, striker, 66, kind=Kind.PENALTY_SCORED, xg=0.78, x=89.0, y=50.0),
                            goal(rovers, keeper, 70, kind=Kind.OWN_GOAL), card(city, striker, 80)]),
        league.play(rovers, city, (1, 0), day=8, lineups={city: [(striker, 45, True)], rovers: [(loner, 90, True)]},
                    events=[shot(city, striker, 30, xg=0.2, outcome="Off T", x=None, y=None),
                            goal(rovers, loner, 50, xg=0.3)]),
        league.play(city, united, (1, 1), day=15, lineups={city: [(striker, 20, False)]},
                    events=[goal(city, striker, 88, xg=0.1)]),
        cup.play(united, rovers, (2, 0), day=3, lineups={united: [(striker, 90, True)]},
                 events=[shot(united, striker, 30, xg=None, model_xg=0.12), goal(united, striker, 40, xg=0.5)]),
    ]
    recompute_player_seasons([league.season, cup.season])
    return {"league": league, "cup": cup, "striker": striker, "loner": loner, "matches": matches,
            "city": city, "united": united, "rovers": rovers}


def get(client, who, query=""):
    response = client.get(f"/players/{who.pk}/{query}")
    assert response.status_code == 200
    return unescape(response.content.decode())


def test_profile(client, career):
    html = get(client, career["striker"])
    assert "<h1>Sammy</h1>" in html and "Samuel Striker" in html
    assert "Italy" in html and "20 February 1990" in html and "(age " in html
    assert "Center Forward" in html  # his position from the lineups, none stored
    assert 'href="/teams/%d/"' % career["united"].pk in html  # last played for


def test_season_table_rows_and_per_90(client, career):
    seasons = page_tables(get(client, career["striker"]))["seasons"]
    assert seasons[0][:8] == ["Season", "Comp", "Team", "MP", "Starts", "Min", "Gls", "Ast"]
    header = seasons[0]
    by_team = {row[header.index("Team")]: dict(zip(header, row)) for row in seasons[1:]}
    city, united = by_team["City"], by_team["United"]
    assert (city["Season"], city["MP"], city["Starts"], city["Min"], city["Gls"], city["PK"]) == (
        "2023/24", "3", "2", "155", "3", "1")
    assert (city["Sh"], city["xG"], city["CrdY"], city["Gls/90"], city["xG/90"]) == (
        "5", "1.53", "1", "1.74", "0.89")
    assert united["Season"] == "2024/25" and united["xG"] == "0.62"  # our model's xG where the provider has none
    assert [row[0] for row in seasons[1:]] == ["2024/25", "2023/24"]  # latest first


def test_per_90_blank_under_ninety_minutes(client, career):
    loner = career["loner"]
    seasons = page_tables(get(client, loner))["seasons"]
    row = dict(zip(seasons[0], seasons[1]))
    assert row["Min"] == "90" and row["Gls/90"] == "1.00"
    PlayerSeasonStats.objects.filter(player=loner).update(minutes=89)
    row = dict(zip(*page_tables(get(client, loner))["seasons"]))
    assert row["Gls/90"] == "" and row["xG/90"] == ""


def test_match_log(client, career):
    html = get(client, career["striker"])
    log = page_tables(html)["matches"]
    header = log[0]
    assert header == ["Date", "Opponent", "Result", "Venue", "Start", "Min", "Gls", "Ast", "Sh", "SoT", "xG", "CrdY",
                      "CrdR", "Team", "Comp"]
    rows = [dict(zip(header, row)) for row in log[1:]]
    assert [row["Date"] for row in rows] == ["2023-08-27", "2023-08-20", "2023-08-15", "2023-08-13"]
    first = rows[-1]
    assert (first["Opponent"], first["Result"], first["Venue"], first["Min"], first["Gls"], first["Sh"],
            first["xG"], first["CrdY"]) == ("Rovers", "W 3–1", "Home", "90", "2", "3", "1.23", "1")
    assert rows[2]["Result"] == "W 2–0" and rows[2]["Comp"] == "Test Cup"
    assert rows[1]["Result"] == "L 0–1" and rows[1]["Venue"] == "Away"
    assert rows[0]["Start"] == "No" and rows[0]["Result"] == "D 1–1"
    assert f'<a href="/matches/{career["matches"][0].pk}/">W 3–1</a>' in html


def test_shot_map(client, career):
    html = get(client, career["striker"])
    shotmap = re.search(r'<div id="player-shotmap".*?</svg>', html, re.S).group(0)
    circles = re.findall(r'<circle class="shot shot--player( shot--goal)?" cx="([\d.]+)" cy="([\d.]+)" r="([\d.]+)"',
                         shotmap)
    assert len(circles) == 6  # seven shots, one without a location
    assert sum(1 for goal_class, *_ in circles if goal_class) == 4
    penalty = next(c for c in circles if c[1] == "93.45")  # x 89 of 100 on a 105 m pitch
    assert float(penalty[3]) > max(float(c[3]) for c in circles if c is not penalty)  # the biggest xG
    assert "1 without a location" in html
    assert 'data-shots="7"' in html and "<strong>2.15</strong> xG" in html
    goals = re.findall(r'<li data-minute="([^"]+)">', html)
    assert goals == ["88'", "40'", "10'", "66'"]  # latest match first, as in the match log


def test_csv_files_hold_the_rows_the_page_shows(client, career):
    who = career["striker"]
    for query in ("", "?matches_sort=xg&matches_dir=desc&seasons_sort=minutes", f"?season={career['league'].season.pk}"):
        tables = page_tables(get(client, who, query))
        seasons = csv_rows(client.get(f"/players/{who.pk}/seasons.csv{query}"))
        matches = csv_rows(client.get(f"/players/{who.pk}/matches.csv{query}"))
        assert [row for row in seasons[1:]] == tables["seasons"][1:]
        assert [row for row in matches[1:]] == tables["matches"][1:]
        assert len(seasons[0]) == len(tables["seasons"][0]) and seasons[0][0] == "Season"
        assert matches[0][:4] == ["Date", "Opponent", "Result", "Home or away"]
    assert 'filename="sammy-matches.csv"' in client.get(f"/players/{who.pk}/matches.csv")["Content-Disposition"]


def test_sorting_the_match_log(client, career):
    html = get(client, career["striker"], "?matches_sort=xg&matches_dir=desc")
    header, *rows = page_tables(html)["matches"]
    assert [row[header.index("xG")] for row in rows] == ["1.23", "0.62", "0.20", "0.10"]
    assert 'aria-sort="descending"' in html


def test_a_season_filters_the_match_log_and_shot_map(client, career):
    html = get(client, career["striker"], f"?season={career['cup'].season.pk}")
    assert len(page_tables(html)["matches"]) == 2  # header + the cup match
    assert 'data-shots="2"' in html and "Test Cup 2024/25" in html
    assert len(page_tables(html)["seasons"]) == 3  # the season table is always whole


def test_tables_scroll_sideways_on_a_phone(client, career):
    html = get(client, career["striker"])
    assert html.count('<div class="table-scroll">') == 2
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert "css/player.css" in html


def test_query_count_is_the_same_for_one_match_and_many(client, career, django_assert_num_queries):
    with CaptureQueriesContext(connection) as one:
        get(client, career["loner"])
    with CaptureQueriesContext(connection) as many:
        get(client, career["striker"])
    # 14, +1 the stored match lines (players.aggregates), +1 the FPL card asking for his FPL lines
    # (+1 more, our values for its chart, when he has some: fantasy/tests/test_fpl_card.py).
    assert len(one) == len(many) <= 16
    league, city, rovers = career["league"], career["city"], career["rovers"]
    for day in range(20, 40):
        league.play(city, rovers, (1, 0), day=day, lineups={city: [(career["striker"], 90, True)]},
                    events=[goal(city, career["striker"], 9, xg=0.3)])
    recompute_player_seasons([league.season])
    with django_assert_num_queries(len(many)):
        get(client, career["striker"])


def test_a_player_without_matches(client):
    html = get(client, player("New Signing"))
    assert "No season statistics yet." in html and "No matches played yet." in html and "No shots recorded" in html


def test_unknown_player_is_404(client):
    assert client.get("/players/987654/").status_code == 404
    assert client.get("/players/987654/seasons.csv").status_code == 404
    assert client.get("/players/987654/matches.csv").status_code == 404


# Real data


@pytest.fixture
def turkey_italy(shared_data):
    call_command("import_statsbomb", str(shared_data("statsbomb")), "--match", "3788741", "--competition", "55",
                 "--season", "43", "--date", "2021-06-11", stdout=io.StringIO(), stderr=io.StringIO())
    call_command("recompute_aggregates", stdout=io.StringIO(), stderr=io.StringIO())
    return Match.objects.select_related("home_team", "away_team").get(home_team__name="Turkey", away_team__name="Italy")


def scorer(match, name):
    return Player.objects.get(lineup_entries__lineup__match=match, name=name)


@pytest.mark.realdata
@pytest.mark.parametrize("name, minute", [("Ciro Immobile", "66'"), ("Lorenzo Insigne", "79'")])
def test_turkey_italy_scorer_page(client, turkey_italy, name, minute):
    who = scorer(turkey_italy, name)
    shots = MatchEvent.objects.filter(match=turkey_italy, player=who, kind__in=MatchEvent.SHOT_KINDS)
    xg = shots.aggregate(xg=Sum(Coalesce("xg", "model_xg")))["xg"]
    minutes = who.lineup_entries.get(lineup__match=turkey_italy).minutes_played

    html = get(client, who)
    tables = page_tables(html)
    season = dict(zip(tables["seasons"][0], tables["seasons"][1]))
    log = dict(zip(tables["matches"][0], tables["matches"][1]))
    assert (season["Comp"], season["Team"], season["MP"], season["Gls"], season["Min"]) == (
        "UEFA Euro", "Italy", "1", "1", str(minutes))
    assert (season["Sh"], season["xG"]) == (str(shots.count()), f"{xg:.2f}")
    assert (log["Opponent"], log["Result"], log["Gls"], log["Min"], log["Sh"], log["xG"]) == (
        "Turkey", "W 3–0", "1", str(minutes), str(shots.count()), f"{xg:.2f}")
    assert re.search(rf'<li data-minute="{minute}"><strong>{minute}</strong> v <a href="/matches/{turkey_italy.pk}/">'
                     r"Turkey</a>", html)
    assert f'data-shots="{shots.count()}"' in html
    assert html.count('class="shot shot--player') == shots.exclude(x=None).count()
    # The CSV files hold what the page shows.
    assert csv_rows(client.get(f"/players/{who.pk}/seasons.csv"))[1:] == tables["seasons"][1:]
    assert csv_rows(client.get(f"/players/{who.pk}/matches.csv"))[1:] == tables["matches"][1:]


@pytest.mark.realdata
def test_real_page_queries_are_bounded_and_the_same_for_one_match_and_six(client, turkey_italy, shared_data,
                                                                          django_assert_max_num_queries):
    """Immobile played one match; Leverkusen's Wirtz six (StatsBomb's Bundesliga 2023/24 sample)."""
    call_command("import_statsbomb", str(shared_data("statsbomb")), "--competition", "9", "--season", "281",
                 stdout=io.StringIO(), stderr=io.StringIO())
    call_command("recompute_aggregates", stdout=io.StringIO(), stderr=io.StringIO())
    wirtz = Player.objects.get(name="Florian Wirtz")
    assert wirtz.season_stats.get().appearances >= 5
    immobile = scorer(turkey_italy, "Ciro Immobile")
    with django_assert_max_num_queries(16):  # see test_query_count_is_the_same_for_one_match_and_many
        with CaptureQueriesContext(connection) as one:
            get(client, immobile)
    with CaptureQueriesContext(connection) as many:
        html = get(client, wirtz)
    assert len(many) == len(one)
    assert len(page_tables(html)["matches"]) - 1 == wirtz.season_stats.get().appearances
