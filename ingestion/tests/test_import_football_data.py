"""manage.py import_football_data / import_openfootball: real seasons, idempotence, refusals."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ingestion.models import IngestionRun
from markets.models import Bookmaker, OddsQuote
from matches.models import Match, Team, TeamMatchStats

pytestmark = [pytest.mark.django_db(transaction=True)]

HEADER = "Div,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR,HTHG,HTAG,HTR,HS,AS,B365H,B365D,B365A"
GOOD_ROW = "E0,11/08/2023,20:00,Burnley,Man City,0,3,A,0,2,A,6,17,8,5.5,1.33"


def run(command, *args):
    out, err = StringIO(), StringIO()
    call_command(command, *args, stdout=out, stderr=err)
    return out.getvalue()


def database_rows():
    return (Match.objects.count(), Team.objects.count(), OddsQuote.objects.count(), TeamMatchStats.objects.count())


@pytest.mark.realdata
def test_premier_league_2023_24_imports_380_results_with_odds_then_changes_nothing(shared_data):
    path = str(shared_data("football-data", "E0", "2324.csv"))
    first = run("import_football_data", path)
    assert "380 created" in first

    assert Match.objects.filter(status=Match.Status.FINISHED).count() == 380
    assert Team.objects.count() == 20
    opener = Match.objects.select_related("home_team", "away_team").order_by("kickoff").first()
    assert (opener.home_team.name, opener.away_team.name, opener.score_display) == ("Burnley", "Manchester City", "0-3")
    assert (opener.home_ht_score, opener.away_ht_score, opener.referee) == (0, 2, "C Pawson")
    assert opener.kickoff == dt.datetime(2023, 8, 11, 19, 0, tzinfo=dt.UTC)  # 20:00 BST
    pinnacle_close = OddsQuote.objects.get(match=opener, bookmaker__code="PS", market="1x2", phase="closing")
    assert (pinnacle_close.home, pinnacle_close.draw, pinnacle_close.away) == (9.62, 5.81, 1.33)
    assert opener.odds.filter(market="asian_handicap").exists() and opener.odds.filter(market="over_under").exists()
    assert Bookmaker.objects.filter(code="Avg", is_aggregate=True).exists()
    city = opener.team_stats.get(team=opener.away_team)
    assert (city.shots, city.shots_on_target) == (17, 8)
    # Real season totals: 1,246 goals in 2023/24.
    assert sum(m.home_score + m.away_score for m in Match.objects.all()) == 1246

    before = database_rows()
    second = run("import_football_data", path)
    assert "0 created, 0 updated, 380 unchanged" in second
    assert database_rows() == before


@pytest.mark.realdata
def test_openfootball_twin_lands_on_the_same_teams_and_matches(shared_data):
    run("import_football_data", str(shared_data("football-data", "E0", "2324.csv")))
    output = run("import_openfootball", str(shared_data("openfootball", "2023-24", "en.1.json")))
    assert "0 created" in output
    assert (Match.objects.count(), Team.objects.count()) == (380, 20)
    opener = Match.objects.order_by("kickoff").first()
    assert opener.round == "Matchday 1" and opener.matchday == 1  # openfootball filled what football-data lacks
    assert opener.external_ids.count() == 2


@pytest.mark.realdata
def test_bundesliga_from_frictionless_and_openfootball_is_one_season(shared_data):
    run("import_football_data", str(shared_data("football-datasets", "bundesliga", "season-2223.csv")))
    run("import_openfootball", str(shared_data("openfootball", "2022-23", "de.1.json")))
    assert (Match.objects.count(), Team.objects.count()) == (306, 18)
    assert Match.objects.values("season").distinct().count() == 1


@pytest.mark.parametrize(
    "text, message",
    [
        (HEADER + "\n" + GOOD_ROW + "\nE0,12/08/2023,12:30,Arsenal,Nott'm Forest,2", r"bad\.csv, line 3"),  # truncated
        ("\x00\x01garbage,\x02\n\x03", r"bad\.csv"),  # garbled
        (HEADER.replace("FTHG", "Goals") + "\n" + GOOD_ROW, r"bad\.csv.*FTHG"),  # wrong header
        (HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW.replace("Burnley,Man City,0", "Arsenal,Everton,-1"),
         r"bad\.csv, line 3.*negative"),
    ],
    ids=["truncated", "garbled", "wrong-header", "negative-score"],
)
def test_bad_file_is_refused_with_its_line_and_writes_nothing(tmp_path, text, message):
    bad = tmp_path / "bad.csv"
    bad.write_text(text)
    with pytest.raises(CommandError, match=message):
        run("import_football_data", str(bad))
    assert database_rows() == (0, 0, 0, 0)
    assert IngestionRun.objects.filter(status=IngestionRun.Status.SUCCEEDED).count() == 0


def test_strict_mode_refuses_a_team_nobody_knows(tmp_path):
    path = tmp_path / "E0.csv"
    path.write_text(HEADER + "\n" + GOOD_ROW + "\n" + GOOD_ROW.replace("Burnley", "Sporting Nowhere"))
    with pytest.raises(CommandError, match=r"E0\.csv, line 3: unknown team 'Sporting Nowhere'"):
        run("import_football_data", "--strict", str(path))
    assert database_rows() == (0, 0, 0, 0)


def test_missing_file_names_it():
    with pytest.raises(CommandError, match="nowhere.csv: no such file"):
        run("import_football_data", "/tmp/nowhere.csv")


def test_openfootball_garbled_json_names_file_and_line(tmp_path):
    path = tmp_path / "en.1.json"
    path.write_text('{"name": "English Premier League 2023/24",\n "matches": [ {"round": ')
    with pytest.raises(CommandError, match=r"en\.1\.json, line 2"):
        run("import_openfootball", str(path))
    assert Match.objects.count() == 0


@pytest.mark.realdata
def test_all_four_premier_league_seasons_import_and_a_self_contradicting_row_is_reported(shared_data):
    output = run("import_football_data", str(shared_data("football-data", "E0")))
    assert "total: 1520 matches: 1520 created" in output
    # 2021/22 line 10: the file gives West Ham 9 shots on target of 8 shots.
    assert "2122.csv, line 10: West Ham has 9 shots on target of 8 shots; on-target left empty" in output
    west_ham = TeamMatchStats.objects.get(team__name="West Ham United", match__home_team__name="Newcastle United",
                                          match__kickoff__date=dt.date(2021, 8, 15))
    assert (west_ham.shots, west_ham.shots_on_target) == (8, None)
    assert Match.objects.values("season").distinct().count() == 4
