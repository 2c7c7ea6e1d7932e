"""The games' scoring rules: worked examples, and FPL's rules against a whole real season's points."""

import csv
import io

import numpy as np
import pytest
from django.core.management import call_command

from fantasy import scoring
from fantasy.models import FplPlayerFixture
from players.models import PlayerMatchStats


def test_a_forward_who_scores_twice_in_90_minutes():
    # 2 (60+) + 2 x 4 (goals) + 3 (assist) + 3 (bonus) - 1 (yellow) = 15
    assert scoring.fpl_points("FW", minutes=90, goals=2, assists=1, bonus=3, yellow_cards=1) == 15


def test_a_defender_with_a_clean_sheet_and_a_goal():
    # 2 + 6 + 4 = 12; the clean sheet comes from 60+ minutes and nothing conceded
    assert scoring.fpl_points("DF", minutes=60, goals=1, goals_conceded=0) == 12
    # at 59 minutes: 1 point for playing, no clean sheet
    assert scoring.fpl_points("DF", minutes=59, goals_conceded=0) == 1


def test_a_goalkeeper_who_concedes_three_and_saves_seven():
    # 2 (60+) + 7 // 3 = 2 (saves) - 3 // 2 = 1 (conceded) + 5 (penalty saved) = 8
    assert scoring.fpl_points("GK", minutes=90, goals_conceded=3, saves=7, penalties_saved=1) == 8


def test_conceded_goals_do_not_cost_a_midfielder_and_his_clean_sheet_is_one():
    assert scoring.fpl_points("MF", minutes=90, goals_conceded=4) == 2
    assert scoring.fpl_points("MF", minutes=90, goals_conceded=0) == 3


def test_red_card_own_goal_and_missed_penalty():
    # 1 (25 minutes) - 3 - 2 - 2 = -6
    assert scoring.fpl_points("DF", minutes=25, red_cards=1, own_goals=1, penalties_missed=1, goals_conceded=1) == -6


def test_a_booked_unused_substitute_loses_the_point():
    assert scoring.fpl_points("GK", minutes=0, yellow_cards=1) == -1
    assert scoring.fpl_points("GK", minutes=0) == 0


def test_fpl_points_broadcast_over_simulated_lines():
    points = scoring.fpl_points(np.array(["GK", "FW"]), minutes=np.array([90, 30]), goals=np.array([0, 1]),
                                goals_conceded=np.array([0, 2]))
    assert points.tolist() == [6, 5]  # GK: 2 + 4 clean sheet; FW: 1 + 4


def test_draftkings_worked_examples():
    # A forward: goal 10, assist 6, 3 shots 3, 2 on goal 2, 4 crosses 3, booked -1 = 23
    assert scoring.draftkings_points("FW", minutes=90, goals=1, assists=1, shots=3, shots_on_goal=2, crosses=4,
                                     yellow_cards=1) == pytest.approx(23)
    # A goalkeeper who keeps a clean sheet in a win with 4 saves: 8 + 5 + 5 = 18
    assert scoring.draftkings_points("GK", minutes=90, saves=4, goals_conceded=0, win=True) == 18
    # A defender's clean sheet needs 60 minutes; a goalkeeper's interceptions do not count
    assert scoring.draftkings_points("DF", minutes=59, goals_conceded=0) == 0
    assert scoring.draftkings_points("GK", minutes=90, interceptions=2, goals_conceded=1) == -2


@pytest.mark.django_db
@pytest.mark.realdata
def test_fpl_rules_give_total_points_for_every_row_of_2023_24(shared_data):
    folder = shared_data("fpl", "2023-24")
    call_command("import_fpl", str(folder), stdout=io.StringIO(), stderr=io.StringIO())
    stats = {(row[0], row[1]): row[2:] for row in PlayerMatchStats.objects.values_list(
        "player_id", "match_id", "minutes", "goals", "assists", "clean_sheet", "goals_conceded", "saves",
        "penalties_saved", "penalties_missed", "yellow_cards", "red_cards", "own_goals")}
    # A player who did not play has no match line; a card shown on the bench is only in the file.
    bench_cards = {}
    for path in (folder / "gws").glob("gw*.csv"):
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if int(row["minutes"]) == 0 and (int(row["yellow_cards"]) or int(row["red_cards"])):
                    bench_cards[(row["name"], int(row["round"]))] = (int(row["yellow_cards"]), int(row["red_cards"]))
    lines = FplPlayerFixture.objects.values_list("player_id", "match_id", "total_points", "bonus",
                                                 "player__position", "player__name", "gameweek")
    checked = wrong = 0
    for player, match, total, bonus, position, name, gameweek in lines:
        line = stats.get((player, match))
        if line is None:
            yellow, red = bench_cards.get((name, gameweek), (0, 0))
            points = scoring.fpl_points(position, minutes=0, yellow_cards=yellow, red_cards=red)
        else:
            minutes, goals, assists, clean, conceded, saves, saved, missed, yellow, red, own = line
            points = scoring.fpl_points(position, minutes=minutes, goals=goals, assists=assists, clean_sheet=clean,
                                        goals_conceded=conceded or 0, saves=saves or 0, penalties_saved=saved or 0,
                                        penalties_missed=missed or 0, yellow_cards=yellow, red_cards=red,
                                        own_goals=own, bonus=bonus)
        checked += 1
        wrong += points != total
    assert (checked, wrong) == (29_725, 0)
