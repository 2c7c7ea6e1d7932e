"""Standings: the rules on small hand-built seasons, then the real final tables from imported results."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from matches.models import Competition, PointsAdjustment, Season, Team
from matches.standings import (
    AWAY, HEAD_TO_HEAD, HOME, Adjustment, Result, Rules, compute_table, load_season,
)

START = dt.datetime(2023, 8, 12, 14, 0, tzinfo=dt.UTC)
NAMES = {1: "Alpha", 2: "Bravo", 3: "Charlie", 4: "Delta"}
ALPHA, BRAVO, CHARLIE, DELTA = 1, 2, 3, 4
LA_LIGA = Rules(tiebreak=HEAD_TO_HEAD)


def season(*scores) -> list[Result]:
    """Results from (home, home goals, away goals, away), one a week, match ids 1, 2, 3 …"""
    return [
        Result(number, START + dt.timedelta(weeks=number), home, away, home_goals, away_goals)
        for number, (home, home_goals, away_goals, away) in enumerate(scores, start=1)
    ]


def order(table) -> list[str]:
    return [row.team_name for row in table]


# Alpha, Bravo and Charlie finish level on 8 points (Delta 7). Alpha has the best goal
# difference (+8, Bravo +2, Charlie -4); among the three, Charlie took most points from the
# others (8, Bravo 4, Alpha 2).
THREE_WAY_TIE = season(
    (ALPHA, 0, 0, BRAVO), (BRAVO, 0, 0, ALPHA),
    (BRAVO, 0, 0, CHARLIE), (CHARLIE, 0, 0, BRAVO),
    (CHARLIE, 1, 0, ALPHA), (ALPHA, 0, 1, CHARLIE),
    (ALPHA, 5, 0, DELTA), (DELTA, 0, 5, ALPHA),
    (BRAVO, 2, 0, DELTA), (DELTA, 0, 0, BRAVO),
    (CHARLIE, 0, 3, DELTA), (DELTA, 3, 0, CHARLIE),
)


def test_a_three_way_tie_goes_to_goal_difference_in_the_premier_league_and_to_head_to_head_in_la_liga():
    premier_league = compute_table(THREE_WAY_TIE, NAMES)
    la_liga = compute_table(THREE_WAY_TIE, NAMES, LA_LIGA)

    assert [(row.team_name, row.points, row.goal_difference) for row in premier_league] == [
        ("Alpha", 8, 8), ("Bravo", 8, 2), ("Charlie", 8, -4), ("Delta", 7, -6),
    ]
    assert order(la_liga) == ["Charlie", "Bravo", "Alpha", "Delta"]
    assert [row.position for row in la_liga] == [1, 2, 3, 4]


def test_head_to_head_counts_only_once_both_meetings_are_played():
    first_leg = [
        (ALPHA, 1, 0, BRAVO),     # Alpha wins the first meeting …
        (CHARLIE, 1, 0, ALPHA),
        (BRAVO, 4, 0, CHARLIE),   # … but Bravo has the better goal difference
    ]
    # All three on 3 points; Alpha and Bravo have met once: goal difference decides.
    assert order(compute_table(season(*first_leg), NAMES, LA_LIGA))[:2] == ["Bravo", "Alpha"]

    table = compute_table(season(*first_leg, (BRAVO, 0, 0, ALPHA)), NAMES, LA_LIGA)
    assert [(row.team_name, row.points, row.goal_difference) for row in table][:2] == [("Alpha", 4, 0), ("Bravo", 4, 3)]


def test_premier_league_level_on_points_goal_difference_and_goals_goes_to_head_to_head_points():
    wolves, arsenal, chelsea = 1, 2, 3
    names = {wolves: "Wolves", arsenal: "Arsenal", chelsea: "Chelsea"}
    results = season((wolves, 1, 0, arsenal), (wolves, 1, 2, chelsea), (arsenal, 2, 1, chelsea))

    table = compute_table(results, names)

    # Wolves and Arsenal: 3 points, 2-2 each; Wolves beat Arsenal. Chelsea scored 3.
    assert [(row.team_name, row.points, row.goals_for, row.goals_against) for row in table] == [
        ("Chelsea", 3, 3, 3), ("Wolves", 3, 2, 2), ("Arsenal", 3, 2, 2),
    ]


def test_premier_league_level_on_head_to_head_points_goes_to_away_goals_between_them_then_name():
    wolves, arsenal = 1, 2
    names = {wolves: "Wolves", arsenal: "Arsenal"}
    # 2-1 and 1-0 to the home side: the same points, goals and head-to-head points; Wolves scored away.
    assert order(compute_table(season((arsenal, 2, 1, wolves), (wolves, 1, 0, arsenal)), names)) == [
        "Wolves", "Arsenal"]
    # Nothing separates them: alphabetical, as published tables print them.
    assert order(compute_table(season((arsenal, 1, 1, wolves), (wolves, 1, 1, arsenal)), names)) == [
        "Arsenal", "Wolves"]


def test_an_adjustment_moves_a_team_and_shows_with_its_points():
    results = season((ALPHA, 2, 0, BRAVO), (CHARLIE, 1, 0, DELTA), (BRAVO, 1, 0, CHARLIE))
    assert order(compute_table(results, NAMES)) == ["Alpha", "Charlie", "Bravo", "Delta"]  # 3 points each but Delta

    deductions = [Adjustment(ALPHA, -6, "Breach of financial rules"), Adjustment(ALPHA, 2, "Appeal: 2 back")]
    table = compute_table(results, NAMES, adjustments=deductions)

    assert order(table) == ["Charlie", "Bravo", "Delta", "Alpha"]
    alpha = table[-1]
    assert (alpha.earned, alpha.adjustment, alpha.points, alpha.position) == (3, -4, -1, 4)
    # The home-only and away-only tables are of results alone.
    assert compute_table(results, NAMES, adjustments=deductions, view=HOME)[0].team_name == "Alpha"


def test_home_and_away_views_count_only_those_matches():
    results = season((ALPHA, 3, 0, BRAVO), (BRAVO, 2, 1, ALPHA), (CHARLIE, 0, 0, ALPHA))

    home = {row.team_name: row for row in compute_table(results, NAMES, view=HOME)}
    away = {row.team_name: row for row in compute_table(results, NAMES, view=AWAY)}

    assert (home["Alpha"].played, home["Alpha"].won, home["Alpha"].goals_for, home["Alpha"].points) == (1, 1, 3, 3)
    assert (away["Alpha"].played, away["Alpha"].drawn, away["Alpha"].lost, away["Alpha"].points) == (2, 1, 1, 1)
    assert (home["Bravo"].played, home["Bravo"].points, away["Bravo"].played, away["Bravo"].points) == (1, 3, 1, 0)
    assert [row.team_name for row in compute_table(results, NAMES, view=AWAY)][:1] == ["Alpha"]
    assert home["Delta"].played == 0 and home["Delta"].form == []


def test_form_is_the_last_five_newest_last_with_the_match_each_came_from():
    results = season(
        (ALPHA, 1, 0, BRAVO), (CHARLIE, 2, 0, ALPHA), (ALPHA, 1, 1, DELTA), (BRAVO, 0, 3, ALPHA),
        (ALPHA, 0, 1, CHARLIE), (DELTA, 2, 2, ALPHA), (ALPHA, 4, 0, BRAVO),
    )
    alpha = next(row for row in compute_table(reversed(results), NAMES) if row.team_id == ALPHA)  # any input order

    assert alpha.form_letters == "DWLDW"  # matches 3 to 7
    assert [result.match_id for result in alpha.form] == [3, 4, 5, 6, 7]
    newest = alpha.form[-1]
    assert (newest.opponent_name, newest.at_home, newest.goals_for, newest.goals_against) == ("Bravo", True, 4, 0)
    assert newest.summary == "W 4-0 v Bravo (H)"
    assert alpha.form[1].summary == "W 3-0 v Bravo (A)"


def test_points_per_win_and_draw_come_from_the_competition():
    results = season((ALPHA, 1, 0, BRAVO), (CHARLIE, 0, 0, DELTA), (CHARLIE, 0, 0, BRAVO))
    two_points = {row.team_name: row.points for row in compute_table(results, NAMES, Rules(points_for_win=2))}
    assert two_points == {"Alpha": 2, "Bravo": 1, "Charlie": 2, "Delta": 1}


def test_the_table_as_it_stood_on_a_date_or_after_a_matchday():
    results = [
        Result(1, START, ALPHA, BRAVO, 0, 1, matchday=1),
        Result(2, START + dt.timedelta(days=7), ALPHA, CHARLIE, 5, 0, matchday=2),
    ]
    assert order(compute_table(results, NAMES, as_of=START + dt.timedelta(days=1)))[0] == "Bravo"
    assert order(compute_table(results, NAMES, matchday=1))[0] == "Bravo"
    assert order(compute_table(results, NAMES))[0] == "Alpha"


# Real seasons: the final tables as the Premier League and the Bundesliga published them
# (position = order here; names as our catalog spells them).

PREMIER_LEAGUE = {
    "2020/21": [
        ("Manchester City", 86), ("Manchester United", 74), ("Liverpool", 69), ("Chelsea", 67),
        ("Leicester City", 66), ("West Ham United", 65), ("Tottenham Hotspur", 62), ("Arsenal", 61),
        ("Leeds United", 59), ("Everton", 59), ("Aston Villa", 55), ("Newcastle United", 45),
        ("Wolverhampton Wanderers", 45), ("Crystal Palace", 44), ("Southampton", 43),
        ("Brighton & Hove Albion", 41), ("Burnley", 39), ("Fulham", 28), ("West Bromwich Albion", 26),
        ("Sheffield United", 23),
    ],
    "2021/22": [
        ("Manchester City", 93), ("Liverpool", 92), ("Chelsea", 74), ("Tottenham Hotspur", 71), ("Arsenal", 69),
        ("Manchester United", 58), ("West Ham United", 56), ("Leicester City", 52), ("Brighton & Hove Albion", 51),
        ("Wolverhampton Wanderers", 51), ("Newcastle United", 49), ("Crystal Palace", 48), ("Brentford", 46),
        ("Aston Villa", 45), ("Southampton", 40), ("Everton", 39), ("Leeds United", 38), ("Burnley", 35),
        ("Watford", 23), ("Norwich City", 22),
    ],
    "2022/23": [
        ("Manchester City", 89), ("Arsenal", 84), ("Manchester United", 75), ("Newcastle United", 71),
        ("Liverpool", 67), ("Brighton & Hove Albion", 62), ("Aston Villa", 61), ("Tottenham Hotspur", 60),
        ("Brentford", 59), ("Fulham", 52), ("Crystal Palace", 45), ("Chelsea", 44), ("Wolverhampton Wanderers", 41),
        ("West Ham United", 40), ("Bournemouth", 39), ("Nottingham Forest", 38), ("Everton", 36),
        ("Leicester City", 34), ("Leeds United", 31), ("Southampton", 25),
    ],
    "2023/24": [
        ("Manchester City", 91), ("Arsenal", 89), ("Liverpool", 82), ("Aston Villa", 68), ("Tottenham Hotspur", 66),
        ("Chelsea", 63), ("Newcastle United", 60), ("Manchester United", 60), ("West Ham United", 52),
        ("Crystal Palace", 49), ("Brighton & Hove Albion", 48), ("Bournemouth", 48), ("Fulham", 47),
        ("Wolverhampton Wanderers", 46), ("Everton", 40), ("Brentford", 39), ("Nottingham Forest", 32),
        ("Luton Town", 26), ("Burnley", 24), ("Sheffield United", 16),
    ],
}
PREMIER_LEAGUE_FILES = {"2020/21": "2021.csv", "2021/22": "2122.csv", "2022/23": "2223.csv", "2023/24": "2324.csv"}
# 2023/24: Everton's 10-point deduction (November 2023) was cut to 6 on appeal, then 2 more
# came in April 2024; Nottingham Forest lost 4 in March 2024.
DEDUCTIONS_2023_24 = [
    ("Everton", -6, "Breach of profit and sustainability rules, 2021/22 (10 points, reduced to 6 on appeal)"),
    ("Everton", -2, "Breach of profit and sustainability rules, 2022/23"),
    ("Nottingham Forest", -4, "Breach of profit and sustainability rules, 2022/23"),
]
BUNDESLIGA_2022_23 = [
    ("Bayern Munich", 71), ("Borussia Dortmund", 71), ("RB Leipzig", 66), ("Union Berlin", 62), ("SC Freiburg", 59),
    ("Bayer Leverkusen", 50), ("Eintracht Frankfurt", 50), ("VfL Wolfsburg", 49), ("Mainz 05", 46),
    ("Borussia Mönchengladbach", 43), ("FC Köln", 42), ("TSG Hoffenheim", 36), ("Werder Bremen", 36),
    ("VfL Bochum", 35), ("FC Augsburg", 34), ("VfB Stuttgart", 33), ("Schalke 04", 31), ("Hertha BSC", 29),
]


def add_deductions(season_row: Season, deductions) -> None:
    for team_name, points, reason in deductions:
        PointsAdjustment.objects.create(season=season_row, team=Team.objects.get(name=team_name), points=points,
                                        reason=reason)


def test_the_expected_tables_add_up():
    """Each expected table has 20 clubs and as many points as 380 results can give (3 a win, 2 a draw)."""
    draws = {"2020/21": 83, "2021/22": 88, "2022/23": 87, "2023/24": 82}  # counted in the files
    for name, table in PREMIER_LEAGUE.items():
        deducted = -sum(points for _, points, _ in DEDUCTIONS_2023_24) if name == "2023/24" else 0
        assert len({team for team, _ in table}) == 20
        assert sum(points for _, points in table) == 3 * 380 - draws[name] - deducted, name
        assert [points for _, points in table] == sorted((points for _, points in table), reverse=True)


@pytest.mark.realdata
@pytest.mark.django_db
@pytest.mark.parametrize("season_name", list(PREMIER_LEAGUE))
def test_premier_league_final_tables_equal_the_real_ones(shared_data, season_name):
    call_command("import_football_data", str(shared_data("football-data", "E0", PREMIER_LEAGUE_FILES[season_name])),
                 stdout=StringIO(), stderr=StringIO())
    season_row = Season.objects.select_related("competition").get(competition__name="Premier League",
                                                                   name=season_name)
    if season_name == "2023/24":
        add_deductions(season_row, DEDUCTIONS_2023_24)

    table = load_season(season_row).table()

    assert [(row.position, row.team_name, row.points) for row in table] == [
        (position, team, points) for position, (team, points) in enumerate(PREMIER_LEAGUE[season_name], start=1)
    ]
    assert all(row.played == 38 for row in table)
    assert sum(row.goals_for for row in table) == sum(row.goals_against for row in table)
    if season_name == "2023/24":
        everton = next(row for row in table if row.team_name == "Everton")
        assert (everton.earned, everton.adjustment, everton.points, everton.position) == (48, -8, 40, 15)


@pytest.mark.realdata
@pytest.mark.django_db
def test_bundesliga_from_two_sources_is_one_table_of_eighteen(shared_data):
    call_command("import_football_data", str(shared_data("football-datasets", "bundesliga", "season-2223.csv")),
                 stdout=StringIO(), stderr=StringIO())
    call_command("import_openfootball", str(shared_data("openfootball", "2022-23", "de.1.json")),
                 stdout=StringIO(), stderr=StringIO())
    season_row = Season.objects.select_related("competition").get(competition__name="Bundesliga")  # one, not two

    table = load_season(season_row).table()

    assert [(row.team_name, row.points) for row in table] == BUNDESLIGA_2022_23
    assert all(row.played == 34 for row in table)
    # Bayern's eleventh title in a row: level with Dortmund on 71, ahead on goal difference.
    assert (table[0].goal_difference, table[1].goal_difference) == (54, 39)
    assert Competition.objects.get(name="Bundesliga").points_for_win == 3
