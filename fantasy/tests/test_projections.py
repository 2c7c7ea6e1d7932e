"""Gameweek projections: stored as versions, bounded queries, never looking past the cut-off; real 2023/24."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.management import call_command

from fantasy import projections
from fantasy.models import FplPlayerFixture, Projection, ProjectionSet
from markets.models import Prediction, RatingModel
from matches.models import Competition, Match, Season, Team
from players.models import Player, PlayerAvailability, PlayerMatchStats

pytestmark = pytest.mark.django_db

START = dt.datetime(2030, 8, 10, 14, tzinfo=dt.UTC)
SQUAD = ["GK", "DF", "DF", "DF", "DF", "MF", "MF", "MF", "MF", "FW", "FW", "FW"]  # the last forward is a sub


def build_world(gameweeks=4):
    """Four clubs, two matches a gameweek a week apart, twelve players each, lines for every gameweek."""
    competition = Competition.objects.create(name="Test League")
    season = Season.objects.create(competition=competition, name="2030/31")
    teams = [Team.objects.create(name=f"Club {letter}") for letter in "ABCD"]
    squads = {team.pk: [Player.objects.create(name=f"{team.name} {i}", position=position)
                        for i, position in enumerate(SQUAD)] for team in teams}
    model = RatingModel.objects.create(competition=competition, kind=RatingModel.Kind.DIXON_COLES, version=1,
                                       parameters={"rho": -0.05, "teams": {}})
    pairings = [((0, 1), (2, 3)), ((0, 2), (1, 3)), ((0, 3), (1, 2)), ((1, 0), (3, 2))]
    for gameweek in range(1, gameweeks + 1):
        for slot, (home, away) in enumerate(pairings[(gameweek - 1) % 4]):
            kickoff = START + dt.timedelta(days=7 * (gameweek - 1), hours=3 * slot)
            match = Match.objects.create(competition=competition, season=season, kickoff=kickoff,
                                         home_team=teams[home], away_team=teams[away], status="finished",
                                         home_score=1, away_score=0)
            Prediction.objects.create(match=match, model=model, home=0.45, draw=0.27, away=0.28,
                                      expected_home_goals=1.5, expected_away_goals=1.1)
            for side, team in ((home, teams[home]), (away, teams[away])):
                for i, player in enumerate(squads[team.pk]):
                    sub = i == len(SQUAD) - 1
                    FplPlayerFixture.objects.create(player=player, match=match, season=season, gameweek=gameweek,
                                                    price=Decimal("5.0") + i % 4, total_points=2, bonus=0,
                                                    expected_points=2.0)
                    PlayerMatchStats.objects.create(
                        player=player, match=match, team=team, source="fpl", minutes=20 if sub else 90,
                        started=not sub, goals=int(i == 9 and side == home),
                        xg=0.4 if player.position == "FW" else 0.05,
                        xa=0.1, saves=3 if player.position == "GK" else None, clean_sheet=side == home,
                        goals_conceded=0 if side == home else 1)
    return season, teams, squads


def test_project_gameweek_stores_a_new_version_with_its_inputs(django_assert_max_num_queries):
    season, _, _ = build_world()
    with django_assert_max_num_queries(16):
        first = projections.project_gameweek(season, 3, simulations=300)
    second = projections.project_gameweek(season, 3, simulations=300)
    assert (first.version, second.version) == (1, 2)
    assert first.projections.count() == FplPlayerFixture.objects.filter(gameweek=3).count() == 48
    assert first.inputs["cutoff"] == (START + dt.timedelta(days=14)).isoformat()
    assert first.inputs["matches"] == 2 and first.inputs["rho"] == -0.05 and first.inputs["simulations"] == 300
    regular = first.projections.get(player__name="Club A 9")
    assert 0.75 < regular.play_probability <= 1 and regular.points > 2 and regular.p10 <= regular.median <= regular.p90
    sub = first.projections.get(player__name="Club A 11")
    assert sub.play_probability < regular.play_probability and sub.minutes < 40


def test_the_query_count_does_not_grow_with_the_history():
    season, _, _ = build_world(gameweeks=3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    with CaptureQueriesContext(connection) as few:
        projections.match_inputs(season, 2)
    with CaptureQueriesContext(connection) as more:
        projections.match_inputs(season, 3)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_a_player_ruled_out_before_the_gameweek_has_no_chance_and_no_points():
    season, teams, squads = build_world()
    striker = squads[teams[0].pk][9]
    PlayerAvailability.objects.create(player=striker, source="fpl", status="injured", reason="Hamstring",
                                      valid_from=START + dt.timedelta(days=10), observed_at=START)
    projection_set = projections.project_gameweek(season, 3, simulations=300)
    out = projection_set.projections.get(player=striker)
    assert out.play_probability == 0 and out.points == 0 and out.goals == 0


def test_doubtful_takes_fpls_chance():
    season, teams, squads = build_world()
    striker = squads[teams[0].pk][9]
    PlayerAvailability.objects.create(player=striker, source="fpl", status="doubtful", chance_of_playing=50,
                                      valid_from=START + dt.timedelta(days=10), observed_at=START)
    out = projections.project_gameweek(season, 3, simulations=2000).projections.get(player=striker)
    assert 0.35 < out.play_probability < 0.6


def test_a_projection_never_changes_when_its_gameweeks_and_later_rows_change():
    season, teams, squads = build_world(gameweeks=4)
    before = {(row.player_id, row.match_id): row for row in
              projections.project_gameweek(season, 3, simulations=400).projections.all()}
    cutoff = START + dt.timedelta(days=14)
    # Everything that happened from the cut-off on: rows, points, minutes, xP, statements after it.
    FplPlayerFixture.objects.filter(gameweek__gte=3).update(total_points=15, bonus=3, expected_points=9.0,
                                                            selected=1_000_000)
    PlayerMatchStats.objects.filter(match__kickoff__gte=cutoff).update(minutes=5, started=False, goals=3, xg=2.5,
                                                                       xa=1.5, yellow_cards=1, saves=9)
    for player in squads[teams[1].pk]:
        PlayerAvailability.objects.create(player=player, source="fpl", status="injured",
                                          valid_from=cutoff + dt.timedelta(minutes=1), observed_at=cutoff)
    after = {(row.player_id, row.match_id): row for row in
             projections.project_gameweek(season, 3, simulations=400).projections.all()}
    assert before.keys() == after.keys()
    for key, row in before.items():
        assert (row.points, row.play_probability, row.goals, row.bonus) == (
            after[key].points, after[key].play_probability, after[key].goals, after[key].bonus)


def test_project_gameweek_command_and_a_bad_gameweek():
    season, _, _ = build_world(gameweeks=3)
    out = io.StringIO()
    call_command("project_gameweek", "--season", season.name, "--gameweek", "3", "--simulations", "200", stdout=out)
    assert "GW3 Simulation v1: 48 projections" in out.getvalue()
    assert ProjectionSet.objects.count() == 1 and Projection.objects.count() == 48
    from django.core.management import CommandError
    with pytest.raises(CommandError, match="no FPL lines for gameweek 9"):
        call_command("project_gameweek", "--season", season.name, "--gameweek", "9", stdout=io.StringIO())


def test_evaluate_projections_prints_the_contract_line():
    season, _, _ = build_world(gameweeks=4)
    out = io.StringIO()
    call_command("evaluate_projections", "--game", "fpl", "--season", season.name, "--from-gw", "2",
                 "--simulations", "200", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert re.fullmatch(r"projections mae=\d+\.\d{4} corr=\S+ xp_mae=\d+\.\d{4} xp_corr=\S+ rows=144", lines[-1])
    assert any(line.strip().startswith("FW: mae=") for line in lines)


@pytest.mark.realdata
def test_real_2023_24_gameweeks_5_and_6_from_what_was_known(shared_data):
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    for name in ("2021.csv", "2122.csv", "2223.csv", "2324.csv"):
        call_command("import_football_data", str(shared_data("football-data", "E0", name)), **quiet)
    call_command("import_fpl", str(shared_data("fpl", "2023-24")), **quiet)
    call_command("predict_history", "--competition", "Premier League", **quiet)
    season = Season.objects.get(competition__name="Premier League", name="2023/24")
    result = projections.evaluate(season, 5, 6, simulations=500)
    assert result.gameweeks == [5, 6] and result.overall.rows > 500
    assert 1.0 < result.overall.mae < 2.5 and result.overall.corr > 0.25
    # Every gameweek had its matches' predictions: nothing fell back to the league's typical score.
    inputs = projections.match_inputs(season, 5)
    assert inputs.record["matches_without_prediction"] == [] and inputs.record["matches"] == 10
