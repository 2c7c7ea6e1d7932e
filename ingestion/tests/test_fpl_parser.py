"""FPL season folders and API answers -> season records (pure; no database)."""

import datetime as dt
import json
from decimal import Decimal

import pytest

from ingestion import fpl
from ingestion.tests.fpl_folder import GW1, GW_HEADER, gw_row, write_csv, write_season
from matches.records import RecordError

NOW = dt.datetime(2023, 8, 21, 8, 0, tzinfo=dt.UTC)


def test_a_season_folder_reads_teams_players_fixtures_and_lines(tmp_path):
    season = fpl.parse_season_folder(write_season(tmp_path))

    assert season.season_name == "2023/24"
    assert {team.name: team.code for team in season.teams.values()} == {
        "Man Utd": 1, "Spurs": 6, "Wolves": 39, "Luton": 102}
    bruno = season.players[10]
    assert (bruno.code, bruno.name, bruno.web_name, bruno.position) == (5001, "Bruno Borges Fernandes",
                                                                         "B.Fernandes", "MF")
    assert season.players[11].position == "GK" and season.players[21].position == "FW"
    assert season.fixtures[1].kickoff == dt.datetime(2023, 8, 14, 19, 0, tzinfo=dt.UTC)  # FPL's times are UTC
    assert season.fixtures[4].kickoff is None and season.fixtures[4].gameweek is None
    assert len(season.lines) == 9  # the assistant manager's row is not a player's
    first = next(line for line in season.lines if line.element == 10 and line.fixture_id == 1)
    assert (first.minutes, first.started, first.goals, first.xg, first.clean_sheet, first.goals_conceded) == (
        90, True, 1, 0.55, True, 0)
    assert (first.total_points, first.bonus, first.price, first.expected_points, first.gameweek) == (
        8, 3, Decimal("8.5"), 2.5, 1)
    # The last finished kick-off is when the players' statuses were read.
    assert season.observed_at == dt.datetime(2023, 8, 19, 16, 30, tzinfo=dt.UTC)


def test_assistant_managers_are_skipped_and_counted(tmp_path):
    season = fpl.parse_season_folder(write_season(tmp_path))
    assert 99 not in season.players
    assert season.skipped_managers == 2  # his element and his gameweek row


def test_statuses_map_to_availability_statements(tmp_path):
    season = fpl.parse_season_folder(write_season(tmp_path))
    onana, richarlison, neto = season.players[11], season.players[21], season.players[30]
    assert fpl.availability_statement(onana) == {
        "status": "doubtful", "reason": "Knock - 75% chance of playing", "chance_of_playing": 75,
        "since": dt.datetime(2023, 8, 17, 10, 0, tzinfo=dt.UTC)}
    assert fpl.availability_statement(richarlison)["status"] == "injured"
    assert fpl.availability_statement(neto)["status"] == "suspended"
    assert fpl.availability_statement(season.players[10]) == {
        "status": "available", "reason": "", "chance_of_playing": None, "since": None}
    for code, status in (("u", "unavailable"), ("n", "unavailable"), ("a", "available"), ("d", "doubtful")):
        assert fpl.STATUSES[code] == status


def test_a_gameweek_that_did_not_track_expected_goals_or_starts_leaves_them_empty(tmp_path):
    # 2022/23 before gameweek 16: the columns are there, filled with zeros for everyone.
    untracked = [gw_row(10, 1, True, xg="0.00", xa="0.00", xgc="0.00", starts=0),
                 gw_row(11, 1, True, xg="0.00", xa="0.00", xgc="0.00", starts=0, position="GK")]
    season = fpl.parse_season_folder(write_season(tmp_path, gw1=untracked))
    early = [line for line in season.lines if line.gameweek == 1]
    assert [(line.xg, line.xa, line.xg_conceded, line.started) for line in early] == [(None, None, None, None)] * 2
    later = [line for line in season.lines if line.gameweek == 2]
    assert all(line.xg is not None and line.started for line in later)


def test_a_tracked_zero_stays_zero(tmp_path):
    season = fpl.parse_season_folder(write_season(tmp_path))
    neto = next(line for line in season.lines if line.element == 30)  # 0 minutes in a tracked gameweek
    assert (neto.xg, neto.started, neto.minutes) == (0.0, False, 0)


def test_a_truncated_gameweek_file_is_refused_with_its_file_and_line(tmp_path):
    folder = write_season(tmp_path)
    path = folder / "gws" / "gw1.csv"
    text = path.read_text()
    path.write_text(text[: text.rindex(",True,") + 3])  # the last line cut off mid-row
    with pytest.raises(RecordError) as error:
        fpl.parse_season_folder(folder)
    assert str(path) in str(error.value) and f"line {len(GW1) + 1}" in str(error.value)
    assert "truncated or garbled" in str(error.value)


def test_a_garbled_cell_names_file_line_and_column(tmp_path):
    rows = [list(row) for row in GW1]
    rows[2][GW_HEADER.index("minutes")] = "ninety"
    folder = write_season(tmp_path, gw1=rows)
    with pytest.raises(RecordError, match=r"gw1\.csv, line 4: minutes: expected a whole number, got 'ninety'"):
        fpl.parse_season_folder(folder)


def test_a_row_of_an_unknown_player_is_refused(tmp_path):
    folder = write_season(tmp_path, gw1=[gw_row(777, 1, True)])
    with pytest.raises(RecordError, match=r"gw1\.csv, line 2: element 777 is not in players_raw\.csv"):
        fpl.parse_season_folder(folder)


def test_the_fixture_stats_literal_is_read_safely_never_evaluated(tmp_path):
    folder = write_season(tmp_path)
    path = folder / "fixtures.csv"
    sentinel = tmp_path / "evaluated"
    path.write_text(path.read_text().replace(",[]\n", f",\"open('{sentinel}', 'w')\"\n", 1))
    with pytest.raises(RecordError, match=r"fixtures\.csv, line 3: stats: not a Python literal"):
        fpl.parse_season_folder(folder)
    assert not sentinel.exists()


def test_a_missing_column_is_named(tmp_path):
    folder = write_season(tmp_path)
    write_csv(folder / "teams.csv", ["id", "name"], [(1, "Man Utd")])
    with pytest.raises(RecordError, match=r"teams\.csv, line 1: missing column\(s\) code"):
        fpl.parse_season_folder(folder)


def test_an_unknown_element_type_is_refused(tmp_path):
    folder = write_season(tmp_path)
    path = folder / "players_raw.csv"
    path.write_text(path.read_text().replace("Neto,3,3", "Neto,7,3"))
    with pytest.raises(RecordError, match=r"players_raw\.csv, line 6: element_type: expected 1-5, got '7'"):
        fpl.parse_season_folder(folder)


# The API's JSON answers


def bootstrap() -> dict:
    return {
        "events": [{"id": 1, "deadline_time": "2023-08-11T17:30:00Z"}],
        "element_types": [{"id": 1, "singular_name_short": "GKP"}],
        "teams": [{"id": 1, "code": 1, "name": "Man Utd", "short_name": "MUN"},
                  {"id": 2, "code": 6, "name": "Spurs", "short_name": "TOT"}],
        "elements": [
            {"id": 10, "code": 5001, "first_name": "Bruno", "second_name": "Borges Fernandes",
             "web_name": "B.Fernandes", "element_type": 3, "team": 1, "status": "d", "news": "Knock",
             "news_added": "2023-08-20T10:00:00Z", "chance_of_playing_next_round": 50, "now_cost": 85,
             "birth_date": "1994-09-08"},
            {"id": 20, "code": 5003, "first_name": "Son", "second_name": "Heung-min", "web_name": "Son",
             "element_type": 3, "team": 2, "status": "a", "news": "", "news_added": None,
             "chance_of_playing_next_round": None, "now_cost": 90},
            {"id": 99, "code": 9001, "first_name": "A", "second_name": "Manager", "web_name": "Manager",
             "element_type": 5, "team": 2, "status": "a", "now_cost": 10},
        ],
    }


FIXTURES = [{"id": 3, "code": 2367003, "event": 2, "kickoff_time": "2023-08-19T16:30:00Z", "team_h": 2,
             "team_a": 1, "team_h_score": 2, "team_a_score": 0, "finished": True, "stats": []}]
SUMMARY = {"fixtures": [], "history_past": [], "history": [
    {"element": 20, "fixture": 3, "opponent_team": 1, "total_points": 9, "was_home": True, "round": 2,
     "minutes": 90, "goals_scored": 1, "assists": 1, "clean_sheets": 1, "goals_conceded": 0, "own_goals": 0,
     "penalties_saved": 0, "penalties_missed": 0, "yellow_cards": 0, "red_cards": 0, "saves": 0, "bonus": 3,
     "bps": 40, "starts": 1, "expected_goals": "0.80", "expected_assists": "0.30",
     "expected_goals_conceded": "0.50", "value": 91, "selected": 1000, "transfers_in": 10, "transfers_out": 5}]}
LIVE = {"elements": [
    {"id": 10, "stats": {"minutes": 90, "goals_scored": 0, "assists": 0, "clean_sheets": 0, "goals_conceded": 2,
                         "own_goals": 0, "penalties_saved": 0, "penalties_missed": 0, "yellow_cards": 1,
                         "red_cards": 0, "saves": 0, "bonus": 0, "bps": 5, "starts": 1, "expected_goals": "0.10",
                         "expected_assists": "0.00", "expected_goals_conceded": "1.90", "total_points": 1},
     "explain": [{"fixture": 3, "stats": []}]},
    {"id": 20, "stats": {"minutes": 90, "goals_scored": 1, "assists": 1, "total_points": 9},
     "explain": [{"fixture": 3, "stats": []}]},  # element-summary said it already
]}


def answers(**changed) -> list[tuple[str, bytes]]:
    documents = {"bootstrap-static.json": bootstrap(), "fixtures.json": FIXTURES,
                 "element-summary-20.json": SUMMARY, "live-2.json": LIVE, **changed}
    return [(name, json.dumps(doc).encode()) for name, doc in documents.items()]


def test_api_answers_read_players_with_birth_dates_fixtures_and_lines():
    season = fpl.parse_api_answers(answers(), observed_at=NOW)
    assert season.season_name == "2023/24" and season.observed_at == NOW
    assert season.players[10].birth_date == dt.date(1994, 9, 8)
    assert season.skipped_managers == 1
    son = next(line for line in season.lines if line.element == 20)
    assert (son.goals, son.assists, son.xg, son.price, son.gameweek, son.started) == (
        1, 1, 0.8, Decimal("9.1"), 2, True)
    bruno = next(line for line in season.lines if line.element == 10)  # from the live answer
    assert (bruno.minutes, bruno.yellow_cards, bruno.price, bruno.was_home) == (90, 1, None, False)
    assert len(season.lines) == 2  # Son's live stats did not add a second line


def test_a_bad_api_value_names_its_json_path():
    broken = bootstrap()
    broken["elements"][1]["now_cost"] = "lots"
    with pytest.raises(RecordError, match=r"bootstrap-static\.json, \$\.elements\[1\]: now_cost: expected a whole"):
        fpl.parse_api_answers(answers(**{"bootstrap-static.json": broken}), observed_at=NOW)
    live = json.loads(json.dumps(LIVE))
    live["elements"][0]["explain"][0]["fixture"] = 42
    with pytest.raises(RecordError, match=r"live-2\.json, \$\.elements\[0\]\.explain\[0\]\.fixture: fixture 42"):
        fpl.parse_api_answers(answers(**{"live-2.json": live}), observed_at=NOW)


def test_truncated_json_is_refused_with_its_line():
    documents = answers()
    documents[1] = ("fixtures.json", documents[1][1][:-20])
    with pytest.raises(RecordError, match=r"fixtures\.json, line 1: not JSON"):
        fpl.parse_api_answers(documents, observed_at=NOW)


def test_the_api_answers_need_one_bootstrap():
    with pytest.raises(RecordError, match="exactly one bootstrap-static"):
        fpl.parse_api_answers([("fixtures.json", json.dumps(FIXTURES).encode())], observed_at=NOW)


@pytest.mark.realdata
def test_the_2018_19_bootstrap_is_refused_knowingly(shared_data):
    path = shared_data("fpl", "2018-19", "raw.json")
    with pytest.raises(RecordError, match=r"raw\.json, \$\.game-settings: an older bootstrap-static \(2018/19"):
        fpl.parse_api_answers([(str(path), path.read_bytes())], observed_at=NOW)


@pytest.mark.realdata
def test_real_2022_23_early_gameweeks_have_no_expected_goals_but_later_ones_do(shared_data):
    season = fpl.parse_season_folder(shared_data("fpl", "2022-23"))
    assert season.season_name == "2022/23" and len(season.fixtures) == 380
    played = [line for line in season.lines if line.minutes > 0]
    assert all(line.xg is None and line.started is None for line in played if line.gameweek <= 15)
    assert all(line.xg is not None and line.started is not None for line in played if line.gameweek >= 16)


@pytest.mark.parametrize(("column", "value", "message"), [
    ("bonus", 4, "bonus: 4 is more than 3"),
    ("red_cards", 2, "red_cards: 2 is more than 1"),
    ("value", 7, r"value: 7 is not a price in tenths of £m"),
])
def test_figures_no_match_can_have_are_refused_with_their_line(tmp_path, column, value, message):
    rows = [list(row) for row in GW1]
    rows[1][GW_HEADER.index(column)] = value
    with pytest.raises(RecordError, match=rf"gw1\.csv, line 3: {message}"):
        fpl.parse_season_folder(write_season(tmp_path, gw1=rows))
