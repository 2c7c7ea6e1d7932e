"""DraftKings salary files: every bad line named by line and field, nothing saved from a bad file, imports idempotent."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from fantasy.models import Slate, SlatePlayer
from fantasy.salaries import SalaryFileError, parse_game_info, parse_salary_file
from matches.models import Competition, Match, Season, Team
from players.models import Player, PlayerSeasonStats

HEADER = "Position,Name + ID,Name,ID,Roster Position,Salary,Game Info,TeamAbbrev,AvgPointsPerGame"
GOOD = [
    "F,Erling Haaland (101),Erling Haaland,101,F/UTIL,11000,MCI@CHE 08/12/2023 12:30PM ET,MCI,14.2",
    "M/F,Cole Palmer (102),Cole Palmer,102,M/F/UTIL,8600,MCI@CHE 08/12/2023 12:30PM ET,CHE,10.1",
    "GK,Robert Sanchez (103),Robert Sanchez,103,GK,4500,MCI@CHE 08/12/2023 12:30PM ET,CHE,6.0",
    "D,Nobody Known (104),Nobody Known,104,D/UTIL,3000,MCI@CHE 08/12/2023 12:30PM ET,MCI,",
]


def write(tmp_path, lines, name="salaries.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def world(db):
    league = Competition.objects.create(name="Premier League")
    season = Season.objects.create(competition=league, name="2023/24")
    city, chelsea = Team.objects.create(name="Manchester City"), Team.objects.create(name="Chelsea")
    match = Match.objects.create(competition=league, season=season, home_team=chelsea, away_team=city,
                                 kickoff=dt.datetime(2023, 8, 12, 16, 30, tzinfo=dt.UTC))
    players = {}
    for name, team in (("Erling Haaland", city), ("Cole Palmer", chelsea), ("Robert Sánchez", chelsea)):
        players[name] = Player.objects.create(name=name)
        PlayerSeasonStats.objects.create(player=players[name], season=season, team=team)
    return {"season": season, "match": match, "city": city, "chelsea": chelsea, "players": players}


def test_game_info_is_away_at_home_in_eastern_time():
    away, home, kickoff = parse_game_info("ARS@CHE 08/12/2023 12:30PM ET")
    assert (away, home, kickoff) == ("ARS", "CHE", dt.datetime(2023, 8, 12, 16, 30, tzinfo=dt.UTC))


def test_a_good_file_parses_with_m_f_and_an_instructions_preamble(tmp_path):
    path = write(tmp_path, ["Instructions,,,", "1. Locate the player you want,,", HEADER, *GOOD])
    lines = parse_salary_file(path)
    assert [line.line for line in lines] == [4, 5, 6, 7]
    assert lines[1].positions == ("M", "F") and lines[1].opponent == "MCI"
    assert lines[3].average_points is None and lines[0].salary == 11000


@pytest.mark.parametrize("line, message", [
    ("F,X (201),X,201,F/UTIL,lots,MCI@CHE 08/12/2023 12:30PM ET,MCI,1.0", "line 6, Salary: 'lots' is not a whole number"),
    ("F,X (101),X,101,F/UTIL,5000,MCI@CHE 08/12/2023 12:30PM ET,MCI,1.0", "line 6, ID: 101 is also on line 2"),
    ("QB,X (201),X,201,F/UTIL,5000,MCI@CHE 08/12/2023 12:30PM ET,MCI,1.0", "line 6, Position: unknown position 'QB'"),
    ("F,X (201),X,201,F/UTIL,5000,MCI@CHE 08/12/2023 12:30PM ET,MCI,many", "line 6, AvgPointsPerGame: 'many' is not"),
    ("F,X (201),X,201,F/UTIL,5000,MCI v CHE,MCI,1.0", "line 6, Game Info: 'MCI v CHE' is not AWAY@HOME"),
    ("F,X (201),X,201,F/UTIL,5000,MCI@CHE 08/12/2023 12:30PM ET,ARS,1.0", "line 6, TeamAbbrev: ARS does not play"),
    ("F,X (201),,201,F/UTIL,5000,MCI@CHE 08/12/2023 12:30PM ET,MCI,1.0", "line 6, Name: is empty"),
])
def test_each_bad_line_is_named_by_line_and_field_and_saves_nothing(tmp_path, world, line, message):
    path = write(tmp_path, [HEADER, *GOOD, line])
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_salaries", str(path), "--slate", "Main")
    assert not Slate.objects.exists() and not SlatePlayer.objects.exists()


def test_a_missing_column_is_named(tmp_path, db):
    path = write(tmp_path, [HEADER.replace(",Salary", ""), "F,X (1),X,1,F/UTIL,MCI@CHE 08/12/2023 12:30PM ET,MCI,1"])
    with pytest.raises(SalaryFileError, match="line 1: missing column Salary"):
        parse_salary_file(path)


def test_every_bad_line_is_listed_not_only_the_first(tmp_path):
    bad = [GOOD[0].replace("11000", "x"), GOOD[1].replace("M/F,", "M/Q,", 1)]
    with pytest.raises(SalaryFileError) as caught:
        parse_salary_file(write(tmp_path, [HEADER, *bad]))
    assert [problem.split(":")[0] for problem in caught.value.problems] == ["line 2, Salary", "line 3, Position"]


def test_import_matches_teams_players_and_the_match_and_is_idempotent(tmp_path, world, capsys):
    path = write(tmp_path, [HEADER, *GOOD])
    call_command("import_salaries", str(path), "--slate", "Main", "--season", "2023/24")
    slate = Slate.objects.get(name="Main")
    assert slate.season == world["season"] and slate.salary_cap == 50_000
    assert slate.starts_at == dt.datetime(2023, 8, 12, 16, 30, tzinfo=dt.UTC)
    assert list(slate.matches.all()) == [world["match"]]
    rows = {row.external_id: row for row in slate.players.all()}
    assert rows["101"].team == world["city"] and rows["101"].player == world["players"]["Erling Haaland"]
    assert rows["102"].positions == "M/F" and rows["102"].match == world["match"]
    assert rows["103"].player == world["players"]["Robert Sánchez"]  # accents folded
    assert rows["104"].player is None and rows["104"].team == world["city"]  # known team, unknown man: no new player
    assert Player.objects.count() == 3 and Team.objects.count() == 2
    first = capsys.readouterr().out
    assert "4 created" in first and "3 matched to our players" in first

    before = list(SlatePlayer.objects.order_by("pk").values())
    call_command("import_salaries", str(path), "--slate", "Main", "--season", "2023/24")
    assert "0 created, 0 updated, 4 unchanged, 0 removed" in capsys.readouterr().out
    assert list(SlatePlayer.objects.order_by("pk").values()) == before and Slate.objects.count() == 1


def test_a_corrected_file_updates_the_slate(tmp_path, world, capsys):
    call_command("import_salaries", str(write(tmp_path, [HEADER, *GOOD])), "--slate", "Main")
    corrected = [GOOD[0].replace("11000", "10800"), *GOOD[1:3]]
    call_command("import_salaries", str(write(tmp_path, [HEADER, *corrected], "v2.csv")), "--slate", "Main")
    assert "0 created, 1 updated, 2 unchanged, 1 removed" in capsys.readouterr().out.splitlines()[-1]
    assert SlatePlayer.objects.get(external_id="101").salary == 10800
    assert not SlatePlayer.objects.filter(external_id="104").exists()


def test_an_unknown_season_is_an_error(tmp_path, world):
    with pytest.raises(CommandError, match="--season 1999/00: no season of that name"):
        call_command("import_salaries", str(write(tmp_path, [HEADER, *GOOD])), "--slate", "Main",
                     "--season", "1999/00")
    assert not Slate.objects.exists()
