"""The competition season page (/competitions/<id>/) and its standings CSV."""

import csv
import datetime as dt
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from matches.models import Competition, Match, MatchEvent, PointsAdjustment, Season, Source, Team
from matches.tests.test_standings import DEDUCTIONS_2023_24, PREMIER_LEAGUE, THREE_WAY_TIE, add_deductions
from players.aggregates import recompute_player_seasons
from players.models import Player
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db

# The competition, its seasons (with their last kick-off), the season's matches, its
# adjustments, its teams, its top scorers: whatever the size of the season.
PAGE_QUERIES = 6
CSV_QUERIES = 5
START = dt.datetime(2024, 3, 2, 15, 0, tzinfo=dt.UTC)
UPCOMING = dt.datetime(2024, 5, 25, 14, 0, tzinfo=dt.UTC)  # 15:00 in London


class SmallLeague:
    """Four clubs, twelve results (THREE_WAY_TIE, two a matchday), one fixture to come, Delta docked a point."""

    def __init__(self):
        self.competition = Competition.objects.create(name="Small League", short_name="SL")
        self.season = Season.objects.create(competition=self.competition, name="2023/24")
        self.older = Season.objects.create(competition=self.competition, name="2022/23")
        self.empty = Season.objects.create(competition=self.competition, name="2024/25")  # nothing played yet
        self.teams = {number: Team.objects.create(name=name) for number, name in
                      {1: "Alpha", 2: "Bravo", 3: "Charlie", 4: "Delta"}.items()}
        self.results = [
            Match.objects.create(
                competition=self.competition, season=self.season, kickoff=START + dt.timedelta(days=index),
                matchday=index // 2 + 1, round=f"Matchday {index // 2 + 1}", status=Match.Status.FINISHED,
                home_team=self.teams[result.home_id], away_team=self.teams[result.away_id],
                home_score=result.home_goals, away_score=result.away_goals,
            )
            for index, result in enumerate(THREE_WAY_TIE)
        ]
        self.fixture = Match.objects.create(
            competition=self.competition, season=self.season, kickoff=UPCOMING, matchday=7, round="Matchday 7",
            home_team=self.teams[4], away_team=self.teams[1],
        )
        Match.objects.create(competition=self.competition, season=self.older, kickoff=START - dt.timedelta(days=300),
                             status=Match.Status.FINISHED, home_team=self.teams[2], away_team=self.teams[3],
                             home_score=2, away_score=0)
        PointsAdjustment.objects.create(season=self.season, team=self.teams[4], points=-1,
                                        reason="Fielded an ineligible player")

    def url(self, **params):
        query = "&".join(f"{name}={value}" for name, value in params.items())
        return reverse("matches:competition", args=[self.competition.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def league():
    return SmallLeague()


def standings(html: str) -> tuple[list[str], list[list[str]]]:
    """The standings table as the page shows it: column titles, then the cells of each row."""
    table = re.search(r'<table class="standings".*?</table>', html, re.S).group(0)
    # A deduction's marker beside the team links the note below the table; it is not part of the name.
    table = re.sub(r'\s*<a class="standings__adjustment"[^>]*>.*?</a>', "", table)
    titles = re.findall(r'<abbr title="([^"]+)"', table.split("<tbody>")[0])
    rows = [
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)
    ]
    return [unescape(title) for title in titles], rows


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def as_in_csv(title: str, cell: str) -> str:
    """A page cell as the spreadsheet holds it: a plain minus, no plus sign, 0 for no adjustment."""
    cell = cell.replace("\N{MINUS SIGN}", "-").removeprefix("+")
    return cell or ("0" if title == "Points adjustment" else cell)


def test_page_shows_the_table_with_form_and_the_adjustment_footnote(client, league):
    html = get(client, league.url())
    titles, rows = standings(html)

    assert titles == ["Position", "Team", "Played", "Won", "Drawn", "Lost", "Goals for", "Goals against",
                      "Goal difference", "Points", "Points adjustment", "Form"]
    assert [row[:2] + row[8:11] for row in rows] == [
        ["1", "Alpha", "+8", "8", ""], ["2", "Bravo", "+2", "8", ""], ["3", "Charlie", "\N{MINUS SIGN}4", "8", ""],
        ["4", "Delta", "\N{MINUS SIGN}6", "6", "\N{MINUS SIGN}1"],
    ]
    assert "Delta: \N{MINUS SIGN}1 point (Fielded an ineligible player)" in text(html)
    delta = league.teams[4].pk
    assert (f'<a class="standings__adjustment" href="#adjustment-{delta}" '
            'title="\N{MINUS SIGN}1: Fielded an ineligible player"') in html
    assert f'<li id="adjustment-{delta}" data-adjustment>' in html
    # Form: Alpha's last five, newest last, each linked to its match.
    alpha_form = re.search(r'<td class="form">(.*?)</td>', html).group(1)
    alpha = league.teams[1].pk
    alpha_matches = [match for match in league.results if alpha in (match.home_team_id, match.away_team_id)]
    assert re.findall(r'href="/matches/(\d+)/"', alpha_form) == [str(match.pk) for match in alpha_matches[-5:]]
    assert text(alpha_form) == rows[0][-1] == "DLLWW"
    assert 'title="W 5-0 v Delta (A), 9 Mar 2024"' in alpha_form


def test_the_latest_season_played_is_the_default_and_any_other_can_be_chosen(client, league):
    html = get(client, league.url())
    assert f'<option value="{league.season.pk}" selected>2023/24</option>' in html
    assert f'<option value="{league.empty.pk}">2024/25</option>' in html  # listed, not the default: nothing played

    _, rows = standings(get(client, league.url(season=league.older.pk)))
    assert [row[1:3] for row in rows] == [["Bravo", "1"], ["Charlie", "1"]]

    other = Season.objects.create(competition=Competition.objects.create(name="Other League"), name="2023/24")
    assert client.get(league.url(season=other.pk)).status_code == 404
    assert client.get(league.url(season="x")).status_code == 400  # not an id at all: a bad link (params.py)


def test_home_and_away_tabs_are_links_and_show_those_matches_alone(client, league):
    html = get(client, league.url())
    assert f'<a href="?season={league.season.pk}" aria-current="page">Overall</a>' in html
    assert f'<a href="?season={league.season.pk}&amp;view=home">Home</a>' in html

    titles, rows = standings(get(client, league.url(view="home")))

    assert "Points adjustment" not in titles  # deductions belong to the league table
    assert {row[1]: (row[2], row[9]) for row in rows} == {
        "Alpha": ("3", "4"), "Bravo": ("3", "5"), "Charlie": ("3", "4"), "Delta": ("3", "4"),
    }
    _, away = standings(get(client, league.url(view="away")))
    assert [row[2] for row in away] == ["3", "3", "3", "3"]


def test_columns_sort_by_links_both_ways(client, league):
    html = get(client, league.url())
    assert 'aria-sort="ascending"' in html  # by position
    assert f'href="?season={league.season.pk}&amp;sort=goals_for&amp;dir=desc"' in html

    _, by_goals = standings(get(client, league.url(sort="goals_for", dir="desc")))
    # Level on a column, teams keep their league order.
    assert [(row[1], row[6]) for row in by_goals] == [("Alpha", "10"), ("Delta", "6"), ("Bravo", "2"), ("Charlie", "2")]
    page = get(client, league.url(sort="goals_for", dir="asc"))
    assert [row[1] for row in standings(page)[1]] == ["Bravo", "Charlie", "Delta", "Alpha"]
    assert 'aria-sort="ascending"' in page and "sort=goals_for&amp;dir=desc" in page  # clicking again flips it
    assert client.get(league.url(sort="nonsense")).status_code == 400  # named on the 400 page (params.py)


def test_fixtures_and_results_by_round_open_on_the_next_match(client, league):
    html = get(client, league.url())
    fixtures = re.search(r'<table class="fixtures".*?</table>', html, re.S).group(0)
    assert 'aria-label="Matchday 7"' in fixtures
    assert f'href="/matches/{league.fixture.pk}/"' in fixtures and re.search(r'data-local="time">15:00 (GMT|BST)</time>', fixtures)  # site's zone, named
    assert "Delta" in fixtures and "Alpha" in fixtures
    assert 'rel="prev"' in html and 'rel="next"' not in html

    first = get(client, league.url(round=1))
    fixtures = re.search(r'<table class="fixtures".*?</table>', first, re.S).group(0)
    opener = league.results[0]
    assert f'<a class="score" href="/matches/{opener.pk}/">0–0</a>' in fixtures
    assert fixtures.count('class="score"') == 2
    assert 'rel="prev"' not in first and f'href="?season={league.season.pk}&amp;round=2" rel="next"' in first


def test_results_without_rounds_are_grouped_by_week(client, league):
    Match.objects.filter(season=league.season).update(matchday=None, round="")
    html = get(client, league.url(round=1))
    # 2-4 March 2024 (Saturday to Monday) is one week; the match on Tuesday 5 March starts the next.
    assert 'aria-label="2–4 Mar 2024"' in html
    assert re.search(r'<table class="fixtures".*?</table>', html, re.S).group(0).count('class="score"') == 3


def test_top_scorers_count_goals_and_penalties_but_not_own_goals_or_shootouts(client, league):
    striker = Player.objects.create(name="Sam Striker", known_as="Striker")
    winger = Player.objects.create(name="Wendy Winger")
    defender = Player.objects.create(name="Dan Defender")
    match = league.results[6]  # Alpha 5-0 Delta
    kinds = [("goal", striker, 1), ("goal", striker, 1), ("penalty_scored", striker, 2), ("goal", winger, 2),
             ("own_goal", defender, 2), ("penalty_scored", defender, 5)]
    MatchEvent.objects.bulk_create(
        MatchEvent(match=match, seq=seq, source=Source.MANUAL, external_id=f"t-{seq}", kind=kind, player=player,
                   team=league.teams[1], period=period, minute=10 * seq, raw_type=kind)
        for seq, (kind, player, period) in enumerate(kinds, start=1)
    )
    recompute_player_seasons([league.season])  # as every importer and the final whistle do: the card reads them

    html = get(client, league.url())
    table = re.search(r'<h2 id="scorers-title">.*?</table>', html, re.S).group(0)
    rows = [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]

    assert rows == [["1", "Striker", "Alpha", "3", "1"], ["2", "Wendy Winger", "Alpha", "1", "0"]]
    assert f'href="/players/{striker.pk}/"' in table


def test_top_assisters_are_the_related_players_of_goals_and_penalties_not_own_goals_or_shootouts(client, league):
    striker = Player.objects.create(name="Sam Striker", known_as="Striker")
    winger = Player.objects.create(name="Wendy Winger")
    back = Player.objects.create(name="Bob Back")
    delta = league.teams[4]
    kinds = [("goal", striker, winger, 1, league.teams[1]), ("penalty_scored", striker, winger, 2, league.teams[1]),
             ("goal", winger, striker, 2, league.teams[1]), ("goal", striker, None, 2, league.teams[1]),
             ("own_goal", back, striker, 2, delta),  # an own goal is nobody's assist
             ("penalty_scored", back, winger, 5, delta),  # nor a shoot-out penalty
             ("pass", winger, back, 1, league.teams[1])]  # a pass's recipient is no assister
    MatchEvent.objects.bulk_create(
        MatchEvent(match=league.results[6], seq=seq, source=Source.MANUAL, external_id=f"a-{seq}", kind=kind,
                   player=player, related_player=related, team=team, period=period, minute=10 * seq, raw_type=kind)
        for seq, (kind, player, related, period, team) in enumerate(kinds, start=1)
    )
    recompute_player_seasons([league.season])  # as every importer and the final whistle do: the card reads them

    html = get(client, league.url())
    assert leaders(html, "assisters-title") == [["1", "Wendy Winger", "Alpha", "2"], ["2", "Striker", "Alpha", "1"]]
    assert f'href="/players/{winger.pk}/"' in re.search(r'<h2 id="assisters-title">.*?</table>', html, re.S).group(0)
    # The scorers come from the same query: own goals and shoot-outs still count for nobody.
    assert leaders(html, "scorers-title") == [["1", "Striker", "Alpha", "3", "1"], ["2", "Wendy Winger", "Alpha", "1", "0"]]


def leaders(html: str, title: str) -> list[list[str]]:
    table = re.search(rf'<h2 id="{title}">.*?</table>', html, re.S).group(0)
    return [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]


def test_no_goal_events_no_top_scorers(client, league):
    html = get(client, league.url())
    assert "Top scorers" not in html and "Top assisters" not in html


def test_csv_has_the_rows_and_columns_the_page_shows(client, league):
    for params in ({}, {"view": "home"}, {"view": "away", "sort": "goals_against", "dir": "asc"}):
        titles, rows = standings(get(client, league.url(**params)))
        html = get(client, league.url(**params))
        csv_url = unescape(re.search(r'href="([^"]+)" download>Download CSV', html).group(1))

        sheet = csv_rows(client, csv_url)

        assert sheet[0] == titles
        assert sheet[1:] == [[as_in_csv(title, cell) for title, cell in zip(titles, row)] for row in rows], params


def test_csv_names_the_season_and_view(client, league):
    response = client.get(reverse("matches:competition-standings-csv", args=[league.competition.pk]) + "?view=home")
    assert response["Content-Disposition"] == 'attachment; filename="small-league-2023-24-home.csv"'
    assert response.content.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8


def test_the_table_on_a_date(client, league):
    html = get(client, league.url(date="2024-03-03"))  # after matchday 1: two goalless draws
    assert "Standings <span class=\"muted\">on 3 Mar 2024</span>" in html
    _, rows = standings(html)
    assert sum(int(row[2]) for row in rows) == 4


def test_a_competition_with_no_seasons(client):
    competition = Competition.objects.create(name="Future Cup", kind=Competition.Kind.CUP)
    html = get(client, competition.get_absolute_url())
    assert "No seasons imported yet." in html
    assert client.get(reverse("matches:competition-standings-csv", args=[competition.pk])).status_code == 404


def test_queries_are_bounded(client, league, django_assert_max_num_queries):
    with django_assert_max_num_queries(PAGE_QUERIES):
        get(client, league.url())
    with django_assert_max_num_queries(CSV_QUERIES):
        csv_rows(client, reverse("matches:competition-standings-csv", args=[league.competition.pk]))


@pytest.mark.realdata
def test_premier_league_2023_24_page_and_csv_with_the_deductions_in_the_same_queries(
        client, shared_data, django_assert_max_num_queries):
    call_command("import_football_data", str(shared_data("football-data", "E0", "2324.csv")),
                 stdout=StringIO(), stderr=StringIO())
    season = Season.objects.get(competition__name="Premier League", name="2023/24")
    add_deductions(season, DEDUCTIONS_2023_24)
    url = season.competition.get_absolute_url()

    with django_assert_max_num_queries(PAGE_QUERIES):
        html = get(client, url)
    with django_assert_max_num_queries(CSV_QUERIES):
        sheet = csv_rows(client, reverse("matches:competition-standings-csv", args=[season.competition.pk]))

    titles, rows = standings(html)
    assert [(row[1], row[9]) for row in rows] == [(team, str(points)) for team, points in PREMIER_LEAGUE["2023/24"]]
    assert rows[14][1:] == ["Everton", "38", "13", "9", "16", "40", "51", "\N{MINUS SIGN}11", "40",
                            "\N{MINUS SIGN}8", "WWDWL"]
    assert "Everton: \N{MINUS SIGN}8 points \N{MINUS SIGN}6: Breach" in " ".join(text(html).split())
    assert "Nottingham Forest: \N{MINUS SIGN}4 points (Breach" in text(html)
    assert len(sheet) == 21 and sheet[15][:2] == ["15", "Everton"] and sheet[15][-2:] == ["-8", "WWDWL"]
    # No round in football-data.co.uk files: the last week of the season, ten results and the two before it.
    assert 'aria-label="14–19 May 2024"' in html


@pytest.mark.realdata
def test_bundesliga_page_from_two_sources_has_one_season_of_eighteen(client, shared_data):
    call_command("import_football_data", str(shared_data("football-datasets", "bundesliga", "season-2223.csv")),
                 stdout=StringIO(), stderr=StringIO())
    call_command("import_openfootball", str(shared_data("openfootball", "2022-23", "de.1.json")),
                 stdout=StringIO(), stderr=StringIO())
    html = get(client, Competition.objects.get(name="Bundesliga").get_absolute_url())

    assert html.count("<option value=") == 1 + 34  # one season; 34 matchdays in the round selector
    _, rows = standings(html)
    assert len(rows) == 18 and rows[0][1] == "Bayern Munich" and rows[-1][1] == "Hertha BSC"
    assert 'aria-label="Matchday 34"' in html


def test_the_table_follows_live_matches_only_in_its_default_view(client):
    from matches.tests.live_match import make_match

    match = make_match(status=Match.Status.LIVE, home_score=1, away_score=0)
    page = client.get(f"/competitions/{match.competition_id}/").content.decode()
    assert f'ws-connect="/ws/seasons/{match.season_id}/"' in page
    assert 'id="standings-table"' in page
    assert "ws-connect" not in client.get(f"/competitions/{match.competition_id}/?view=home").content.decode()
    Match.objects.filter(pk=match.pk).update(status=Match.Status.FINISHED)
    assert "ws-connect" not in client.get(f"/competitions/{match.competition_id}/").content.decode()
