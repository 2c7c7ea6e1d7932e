"""The team page (/teams/<id>/) and its results and squad CSVs."""

import csv
import datetime as dt
import json
import re
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from matches import services
from matches.aggregates import SideFigures, recompute_team_seasons, side_figures
from matches.merge import merge_into
from matches.models import (
    Competition, Lineup, LineupEntry, Match, MatchEvent, Season, Source, Team, TeamMatchStats, TeamSeasonStats,
)
from players.models import Player
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db

# The team, its seasons, the season (matches, adjustments, teams), the match reports, the shot and
# pass counts, the lineup entries, the goals and cards, the stored season totals: whatever the size
# of the season; and the availability card's current statements (players.availability.team_card).
PAGE_QUERIES = 11
CSV_QUERIES = 7
START = dt.datetime(2024, 3, 2, 15, 0, tzinfo=dt.UTC)  # 15:00 in London


class SmallSeason:
    """Alpha's league season: four results, one fixture, and a cup match and an older season beside it.

    Alpha 3-1 Bravo   events with passes and rated shots (the report's figures are ignored)
    Charlie 0-0 Alpha a report with xG and possession, no events
    Alpha 1-3 Delta   a report without xG, one goal event without xG: xG unknown
    Bravo 1-1 Alpha   no report, no lineups: Guest scores, in no lineup all season
    Delta v Alpha     to be played
    Table: Delta 6, Alpha 5, Charlie 4, Bravo 1.
    The season totals are stored (TeamSeasonStats) as the jobs and imports store them.
    """

    def __init__(self):
        self.league = Competition.objects.create(name="Small League")
        self.season = Season.objects.create(competition=self.league, name="2023/24")
        self.older = Season.objects.create(competition=self.league, name="2022/23")
        self.cup = Competition.objects.create(name="Small Cup", kind=Competition.Kind.CUP)
        self.cup_season = Season.objects.create(competition=self.cup, name="2023/24")
        names = ("Alpha", "Bravo", "Charlie", "Delta", "Echo")
        self.teams = {name: Team.objects.create(name=name) for name in names}
        self.alpha = self.teams["Alpha"]
        self.players = {name: Player.objects.create(name=f"{name} Player", known_as=name) for name in (
            "Keeper", "Striker", "Winger", "Sub", "Unused", "Guest", "Defender", "Nine")}
        self.m1 = self.match(0, "Alpha", 3, 1, "Bravo")
        self.m2 = self.match(1, "Charlie", 0, 0, "Alpha")
        self.m3 = self.match(2, "Alpha", 1, 3, "Delta")
        self.m4 = self.match(3, "Bravo", 1, 1, "Alpha")
        self.fixture = self.match(6, "Delta", None, None, "Alpha")
        self.match(1, "Delta", 3, 0, "Bravo")
        self.match(2, "Charlie", 2, 0, "Bravo")
        self.match(-300, "Alpha", 2, 0, "Bravo", season=self.older)
        self.cup_match = self.match(-10, "Alpha", 1, 1, "Echo", season=self.cup_season)

        p = self.players
        self.lineup(self.m1, ("Keeper", True, 90, None), ("Striker", True, 80, None), ("Winger", True, 90, None),
                    ("Sub", False, 10, 80), ("Unused", False, 0, None))
        self.lineup(self.m2, ("Keeper", True, 90, None), ("Striker", True, 90, None), ("Winger", True, 60, None),
                    ("Sub", False, 30, 60))
        self.lineup(self.m3, ("Keeper", True, 90, None), ("Striker", True, 90, None), ("Winger", True, 90, None))
        alpha, bravo = self.alpha, self.teams["Bravo"]
        self.events(self.m1, [
            ("pass", alpha, {"player": p["Keeper"]}), ("pass", alpha, {"player": p["Winger"]}),
            ("pass", alpha, {"player": p["Striker"]}), ("pass", bravo, {"player": p["Nine"]}),
            ("goal", alpha, {"player": p["Striker"], "related_player": p["Winger"], "xg": 0.4, "outcome": "Goal"}),
            ("penalty_scored", alpha, {"player": p["Striker"], "xg": 0.79, "outcome": "Goal"}),
            ("shot", alpha, {"player": p["Winger"], "model_xg": 0.1, "outcome": "Off T"}),
            ("own_goal", alpha, {"player": p["Defender"]}),  # Bravo's defender: not Alpha's goal
            ("goal", bravo, {"player": p["Nine"], "xg": 0.3, "outcome": "Goal"}),
            ("shot", bravo, {"player": p["Nine"], "xg": 0.05, "outcome": "Blocked"}),
            ("yellow_card", alpha, {"player": p["Winger"]}),
        ])
        TeamMatchStats.objects.create(match=self.m1, team=alpha, shots=99, shots_on_target=9, xg=9.9)
        TeamMatchStats.objects.create(match=self.m2, team=alpha, shots=5, shots_on_target=2, possession=40, xg=0.9)
        TeamMatchStats.objects.create(match=self.m2, team=self.teams["Charlie"], shots=8, shots_on_target=3,
                                      possession=60, xg=1.3)
        self.events(self.m3, [
            ("goal", alpha, {"player": p["Winger"], "related_player": p["Sub"], "outcome": "Goal"}),
            ("second_yellow", alpha, {"player": p["Striker"]}),
        ])
        TeamMatchStats.objects.create(match=self.m3, team=alpha, shots=10, shots_on_target=4)
        TeamMatchStats.objects.create(match=self.m3, team=self.teams["Delta"], shots=12, shots_on_target=6)
        self.events(self.m4, [("goal", alpha, {"player": p["Guest"], "related_player": p["Striker"]})])
        self.events(self.cup_match, [
            ("goal", alpha, {"player": p["Winger"]}),
            ("penalty_scored", alpha, {"player": p["Striker"], "period": 5}),  # the shoot-out scores no goal
        ])
        recompute_team_seasons([self.season, self.older, self.cup_season])

    def match(self, day, home, home_score, away_score, away, *, season=None):
        season = season or self.season
        finished = home_score is not None
        return Match.objects.create(
            competition=season.competition, season=season, kickoff=START + dt.timedelta(days=day),
            matchday=day + 1 if season == self.season else None,
            round=f"Matchday {day + 1}" if season == self.season else "",
            status=Match.Status.FINISHED if finished else Match.Status.SCHEDULED,
            home_team=self.teams[home], away_team=self.teams[away], home_score=home_score, away_score=away_score,
        )

    def lineup(self, match, *entries):
        lineup = Lineup.objects.create(match=match, team=self.alpha)
        for name, starter, minutes, on in entries:
            LineupEntry.objects.create(lineup=lineup, player=self.players[name], is_starter=starter,
                                       minutes_played=minutes, subbed_on_minute=on)

    def events(self, match, events):
        MatchEvent.objects.bulk_create(
            MatchEvent(match=match, seq=seq, source=Source.MANUAL, external_id=f"{match.pk}-{seq}", kind=kind,
                       team=team, raw_type=kind, minute=seq, **{"period": 1, **fields})
            for seq, (kind, team, fields) in enumerate(events, start=1)
        )

    def url(self, name="matches:team", **params):
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return reverse(name, args=[self.alpha.pk]) + (f"?{query}" if query else "")


@pytest.fixture
def small():
    return SmallSeason()


def table(html: str, labelled_by: str) -> tuple[list[str], list[list[str]]]:
    """A team table as the page shows it: column titles, then the cells of each row."""
    found = re.search(rf'<table class="team-table" aria-labelledby="{labelled_by}">.*?</table>', html, re.S).group(0)
    head, body = found.split("<tbody>")
    titles = [unescape(title) for title in re.findall(r'<abbr title="([^"]+)"', head)]
    rows = [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]
    return titles, rows


def record(html: str) -> dict[str, str]:
    found = re.search(r'<dl class="team-record">(.*?)</dl>', html, re.S).group(1)
    return {text(term): " ".join(text(value).split())
            for term, value in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", found, re.S)}


def csv_rows(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def chart(html: str) -> dict:
    return json.loads(re.search(r'<script id="team-chart-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))


def test_the_season_record_with_position_home_away_and_form(client, small):
    html = get(client, small.url())

    assert record(html) == {"Position": "2nd of 4", "Points": "5", "Played": "4", "W D L": "1 2 1",
                            "Goals": "5–5 0", "Clean sheets": "1", "Form": "WDLD"}
    split = re.search(r'<table class="team-split".*?</table>', html, re.S).group(0)
    rows = [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", split.split("<tbody>")[1], re.S)]
    assert rows == [["Overall", "4", "1", "2", "1", "5", "5", "0", "5"],
                    ["Home", "2", "1", "0", "1", "4", "4", "0", "3"],
                    ["Away", "2", "0", "2", "0", "1", "1", "0", "2"]]
    assert f'href="/matches/{small.m1.pk}/" title="W 3-1 v Bravo (H), 2 Mar 2024"' in html


def test_results_and_fixtures_in_kickoff_order_with_the_figures_of_each_match(client, small):
    titles, rows = table(get(client, small.url()), "results-title")

    assert titles == ["Date", "Kick-off", "Round", "Home or away", "Opponent", "Result", "Score (for–against)",
                      "Shots", "Shots on target", "Possession %", "xG for", "xG against"]
    assert rows == [
        # Events with a feed: shots and passes counted, xG per shot (the provider's, else ours).
        ["2024-03-02", "15:00", "Matchday 1", "H", "Bravo", "W", "3–1", "3", "2", "75", "1.29", "0.35"],
        # No events: the report.
        ["2024-03-03", "15:00", "Matchday 2", "A", "Charlie", "D", "0–0", "5", "2", "40", "0.90", "1.30"],
        # A goal event without xG and a report without it: xG unknown.
        ["2024-03-04", "15:00", "Matchday 3", "H", "Delta", "L", "1–3", "10", "4", "", "", ""],
        ["2024-03-05", "15:00", "Matchday 4", "A", "Bravo", "D", "1–1", "", "", "", "", ""],
        ["2024-03-08", "15:00", "Matchday 7", "A", "Delta", "", "v", "", "", "", "", ""],
    ]


def test_results_link_to_the_matches_and_the_opponents(client, small):
    html = get(client, small.url())
    assert f'<a href="/matches/{small.m1.pk}/" class="score">3–1</a>' in html
    assert f'<a href="/matches/{small.fixture.pk}/">v</a>' in html
    assert f'<a href="/teams/{small.teams["Charlie"].pk}/">Charlie</a>' in html
    assert '<span class="form-l">L</span>' in html


def test_the_squad_counts_lineups_goals_assists_and_cards(client, small):
    titles, rows = table(get(client, small.url()), "squad")

    assert titles == ["Player", "Appearances", "Starts", "Minutes", "Goals", "Assists", "Yellow cards", "Red cards"]
    assert rows == [
        ["Keeper", "3", "3", "270", "0", "0", "0", "0"],
        ["Striker", "3", "3", "260", "2", "1", "0", "1"],  # a goal and a penalty; a second yellow is a red
        ["Winger", "3", "3", "240", "1", "1", "1", "0"],
        ["Sub", "2", "0", "40", "0", "1", "0", "0"],
        ["Guest", "1", "0", "", "1", "0", "0", "0"],  # in no lineup: the match he scored in
    ]  # Unused never came on; Bravo's defender's own goal is nobody's goal here


def test_the_squad_links_to_the_players_and_sorts_by_its_columns(client, small):
    html = get(client, small.url())
    assert f'<a href="/players/{small.players["Striker"].pk}/">Striker</a>' in html
    assert f'href="?season={small.season.pk}&amp;sort=goals&amp;dir=desc#squad"' in html

    _, by_goals = table(get(client, small.url(sort="goals", dir="desc")), "squad")
    assert [row[0] for row in by_goals] == ["Striker", "Winger", "Guest", "Keeper", "Sub"]
    _, by_name = table(get(client, small.url(sort="player", dir="asc")), "squad")
    assert [row[0] for row in by_name] == ["Guest", "Keeper", "Striker", "Sub", "Winger"]


def test_team_statistics_total_the_matches_that_give_each_figure(client, small):
    rows = statistics(get(client, small.url()))

    assert rows == {
        "Goals": ["5", "5", "1.25", "1.25", "4"],
        "Shots": ["18", "22", "6.00", "7.33", "3"],
        "Shots on target": ["8", "10", "2.67", "3.33", "3"],
        "Expected goals (xG)": ["2.19", "1.65", "1.10", "0.83", "2"],
        "Possession (average)": ["57.5%", "42.5%", "", "", "2"],
    }


def statistics(html: str) -> dict[str, list[str]]:
    found = re.search(r'<table class="team-statistics".*?</table>', html, re.S).group(0)
    return {cells[0]: cells[1:] for cells in (
        [text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", found.split("<tbody>")[1], re.S))}


def test_the_season_totals_are_the_stored_row(client, small):
    """The statistics and clean sheets come from TeamSeasonStats, not from the events; the results table does not."""
    TeamSeasonStats.objects.filter(team=small.alpha, season=small.season).update(
        shots=40, shots_against=30, shots_matches=4, xg_for=4.5, xg_against=2.25, xg_matches=3,
        possession=61.25, possession_matches=3, clean_sheets=2)
    html = get(client, small.url())

    rows = statistics(html)
    assert rows["Shots"] == ["40", "30", "10.00", "7.50", "4"]
    assert rows["Expected goals (xG)"] == ["4.50", "2.25", "1.50", "0.75", "3"]
    assert rows["Possession (average)"] == ["61.3%", "38.8%", "", "", "3"]
    assert record(html)["Clean sheets"] == "2"
    assert table(html, "results-title")[1][0][7:] == ["3", "2", "75", "1.29", "0.35"]  # per match: the figures

    TeamSeasonStats.objects.filter(team=small.alpha).delete()  # not computed yet: no totals shown, no error
    html = get(client, small.url())
    assert 'class="team-statistics"' not in html and "Clean sheets" not in record(html)


def test_recompute_is_idempotent_and_drops_rows_without_matches(small):
    stored = lambda: sorted(TeamSeasonStats.objects.values_list(  # noqa: E731
        "team__name", "season_id", "played", "won", "drawn", "lost", "goals_for", "goals_against", "clean_sheets",
        "shots", "shots_against", "shots_matches", "shots_on_target", "shots_on_target_against",
        "shots_on_target_matches", "possession", "possession_matches", "xg_for", "xg_against", "xg_matches"))
    before = stored()
    alpha = next(row for row in before if row[:2] == ("Alpha", small.season.pk))
    assert alpha[2:] == (4, 1, 2, 1, 5, 5, 1, 18, 22, 3, 8, 10, 3, 57.5, 2, 2.19, 1.65, 2)

    assert recompute_team_seasons([small.season, small.older, small.cup_season]) == {
        small.season.pk: 4, small.older.pk: 2, small.cup_season.pk: 2}
    assert stored() == before

    Match.objects.filter(season=small.older).update(status=Match.Status.POSTPONED)
    assert recompute_team_seasons(Match.objects.filter(season=small.older)) == {small.older.pk: 0}
    assert not TeamSeasonStats.objects.filter(season=small.older).exists()


def test_merging_duplicate_teams_with_season_rows(small):
    """A curator merges a duplicate of Alpha that has its own row for the season: the copy is dropped."""
    copy = Team.objects.create(name="Alpha (copy)")
    small.teams["Alpha (copy)"] = copy
    small.match(4, "Alpha (copy)", 2, 0, "Charlie")
    recompute_team_seasons([small.season])
    merge_into(small.alpha, copy)
    recompute_team_seasons([small.season])
    row = TeamSeasonStats.objects.get(team=small.alpha, season=small.season)
    assert (row.played, row.won, row.goals_for, row.clean_sheets) == (5, 2, 7, 2)


def test_a_match_finishing_updates_the_stored_totals_and_the_page(client, small, django_capture_on_commit_callbacks):
    """Delta v Alpha, the fixture, is played: the after-finish hook recomputes the season."""
    Match.objects.filter(pk=small.fixture.pk).update(status=Match.Status.LIVE, home_score=0, away_score=2)
    TeamMatchStats.objects.create(match=small.fixture, team=small.alpha, shots=12, shots_on_target=5, possession=48,
                                  xg=1.75)
    TeamMatchStats.objects.create(match=small.fixture, team=small.teams["Delta"], shots=7, shots_on_target=1,
                                  possession=52, xg=0.5)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_match_status(small.fixture, Match.Status.FINISHED)

    row = TeamSeasonStats.objects.get(team=small.alpha, season=small.season)
    assert (row.played, row.won, row.goals_for, row.goals_against, row.clean_sheets) == (5, 2, 7, 5, 2)
    assert (row.shots, row.shots_against, row.shots_matches, row.xg_matches) == (30, 29, 4, 3)
    html = get(client, small.url())
    assert statistics(html)["Expected goals (xG)"] == ["3.94", "2.15", "1.31", "0.72", "3"]
    assert record(html)["Clean sheets"] == "2"


def test_the_chart_data_is_cumulative_points_and_xg_with_gaps_where_xg_is_unknown(client, small):
    data = chart(get(client, small.url()))

    assert data["match"] == [0, 1, 2, 3, 4]
    assert data["points"] == [0, 3, 4, 4, 5]
    assert data["xg_for"] == [0, 1.29, 2.19, None, None]
    assert data["xg_against"] == [0, 0.35, 1.65, None, None]
    assert data["labels"][1] == "1. 2 Mar: W 3–1 v Bravo (H)"
    assert (data["xg_matches"], data["matches"]) == (2, 4)


def test_the_page_loads_the_vendored_chart_library(client, small):
    html = get(client, small.url())
    assert '<div id="team-chart"' in html
    assert 'src="/static/vendor/uplot/uPlot.iife.min.js"' in html and 'src="/static/js/team.js"' in html
    assert "cdn" not in html.lower()


def test_the_latest_season_is_the_default_and_any_other_of_any_competition_can_be_chosen(client, small):
    html = get(client, small.url())
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', html)
    assert options == [(str(small.season.pk), " selected", "2023/24 · Small League"),
                       (str(small.cup_season.pk), "", "2023/24 · Small Cup"),
                       (str(small.older.pk), "", "2022/23 · Small League")]

    cup = get(client, small.url(season=small.cup_season.pk))
    assert "Position" not in record(cup)  # a cup's merged table ranks nobody
    assert table(cup, "squad")[1] == [["Winger", "1", "0", "", "1", "0", "0", "0"]]  # no shoot-out goal
    assert table(get(client, small.url(season=small.older.pk)), "results-title")[1][0][3:6] == ["Bravo", "W", "2–0"]

    elsewhere = Season.objects.create(competition=Competition.objects.create(name="Other"), name="2023/24")
    assert client.get(small.url(season=elsewhere.pk)).status_code == 404
    assert client.get(small.url(season="x")).status_code == 400  # not an id at all: a bad link (params.py)


def test_a_team_without_matches(client):
    team = Team.objects.create(name="Newcomers")
    assert "No matches imported for this team yet." in get(client, team.get_absolute_url())
    assert client.get(reverse("matches:team-results-csv", args=[team.pk])).status_code == 404
    assert client.get(reverse("matches:team-squad-csv", args=[team.pk])).status_code == 404
    assert client.get("/teams/999999/").status_code == 404


def test_csvs_have_the_rows_and_columns_the_page_shows(client, small):
    for params in ({}, {"sort": "assists", "dir": "desc"}, {"season": small.cup_season.pk}):
        html = get(client, small.url(**params))
        for labelled_by, name in (("results-title", "results"), ("squad", "squad")):
            titles, rows = table(html, labelled_by)
            url = unescape(re.search(rf'href="(/teams/\d+/{name}\.csv[^"]*)" download', html).group(1))
            assert csv_rows(client, url) == [titles, *rows], (params, name)


def test_csvs_are_named_after_team_and_season(client, small):
    response = client.get(small.url("matches:team-results-csv"))
    assert response["Content-Disposition"] == 'attachment; filename="alpha-small-league-2023-24-results.csv"'
    assert response.content.startswith("\ufeff".encode())  # spreadsheets read it as UTF-8
    response = client.get(small.url("matches:team-squad-csv", season=small.cup_season.pk))
    assert response["Content-Disposition"] == 'attachment; filename="alpha-small-cup-2023-24-squad.csv"'


def test_queries_are_fixed(client, small, django_assert_num_queries):
    with django_assert_num_queries(PAGE_QUERIES):
        get(client, small.url())
    with django_assert_num_queries(CSV_QUERIES):
        csv_rows(client, small.url("matches:team-results-csv"))
    with django_assert_num_queries(CSV_QUERIES):
        csv_rows(client, small.url("matches:team-squad-csv"))


def test_side_figures_prefer_the_feed_then_the_report():
    report = {1: {"shots": 9, "shots_on_target": 3, "possession": 55.0, "xg": 1.4},
              2: {"shots": 4, "shots_on_target": 1, "possession": 45.0, "xg": 0.6}}
    feed = {1: {"feed": 30, "rated": 2, "passes": 30, "shots": 2, "on_target": 1, "xg": 0.5},
            2: {"feed": 10, "rated": 0, "passes": 10, "shots": 0, "on_target": 0, "xg": None}}

    assert side_figures((1, 2), report, feed) == {1: SideFigures(2, 1, 75.0, 0.5), 2: SideFigures(0, 0, 25.0, 0.0)}
    assert side_figures((1, 2), report, {}) == {1: SideFigures(9, 3, 55.0, 1.4), 2: SideFigures(4, 1, 45.0, 0.6)}
    # Key events only (a goal without xG): the report still gives the figures.
    key_only = {1: {"feed": 0, "rated": 0, "passes": 0, "shots": 1, "on_target": 1, "xg": None}}
    assert side_figures((1, 2), {}, key_only) == {1: SideFigures(), 2: SideFigures()}


@pytest.mark.realdata
def test_arsenal_2023_24_from_football_data_in_the_same_queries(client, shared_data, django_assert_num_queries):
    call_command("import_football_data", str(shared_data("football-data", "E0", "2324.csv")),
                 stdout=StringIO(), stderr=StringIO())
    arsenal = Team.objects.get(name="Arsenal")

    with django_assert_num_queries(PAGE_QUERIES):
        html = get(client, arsenal.get_absolute_url())

    assert record(html)["Position"] == "2nd of 20"
    assert record(html)["Points"] == "89"
    assert record(html)["W D L"] == "28 5 5"
    assert record(html)["Goals"] == "91–29 +62"
    assert record(html)["Form"] == "WWWWW"
    titles, rows = table(html, "results-title")
    assert len(rows) == 38 and rows[0][:6] == ["2023-08-12", "12:30", "H", "Nottingham Forest", "W", "2–1"]
    assert titles[-2:] == ["Shots", "Shots on target"]  # football-data.co.uk gives no possession or xG
    assert chart(html)["points"][-1] == 89 and chart(html)["xg_for"] is None
    assert "No lineups or scorers" in html

    with django_assert_num_queries(CSV_QUERIES):
        sheet = csv_rows(client, reverse("matches:team-results-csv", args=[arsenal.pk]))
    assert sheet == [titles, *rows]
    with django_assert_num_queries(CSV_QUERIES):
        assert csv_rows(client, reverse("matches:team-squad-csv", args=[arsenal.pk])) == [
            ["Player", "Appearances", "Starts", "Minutes", "Goals", "Assists", "Yellow cards", "Red cards"]]
