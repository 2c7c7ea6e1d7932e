"""openfootball football.json parser: real season files and small hand-built ones."""

import datetime as dt
import json

import pytest

from ingestion.openfootball import parse_season_file
from matches.records import RecordError

UTC = dt.UTC


def season_json(*matches, name="English Premier League 2023/24") -> str:
    return json.dumps({"name": name, "matches": list(matches)})


def match(**fields):
    return {"round": "Matchday 1", "date": "2023-08-11", "time": "20:00",
            "team1": "Burnley FC", "team2": "Manchester City FC", **fields}


@pytest.mark.realdata
def test_premier_league_2023_24(shared_data):
    records = parse_season_file(shared_data("openfootball", "2023-24", "en.1.json"))
    assert len(records) == 380
    assert {record.status for record in records} == {"finished"}
    opener = records[0]
    assert (opener.home.name, opener.away.name) == ("Burnley FC", "Manchester City FC")
    assert (opener.home_score, opener.away_score, opener.home_ht_score, opener.away_ht_score) == (0, 3, 0, 2)
    assert opener.kickoff == dt.datetime(2023, 8, 11, 19, 0, tzinfo=UTC)  # 20:00 BST
    assert (opener.round, opener.matchday, opener.season_name) == ("Matchday 1", 1, "2023/24")
    assert opener.competition.external_id == "en.1"
    assert opener.competition.name == "English Premier League"
    assert opener.external_id == "en.1:2023/24:2023-08-11:Burnley FC:Manchester City FC"
    assert opener.origin.record == "matches[0]"
    assert records[-1].matchday == 38
    assert len({record.external_id for record in records}) == 380


@pytest.mark.realdata
@pytest.mark.parametrize("season", ["2022-23", "2023-24"])
def test_bundesliga_has_306_matches(shared_data, season):
    records = parse_season_file(shared_data("openfootball", season, "de.1.json"))
    assert len(records) == 306
    assert {record.season_name for record in records} == {season.replace("-", "/")}
    assert {record.competition.external_id for record in records} == {"de.1"}


@pytest.mark.realdata
def test_bundesliga_kickoffs_are_berlin_time(shared_data):
    opener = parse_season_file(shared_data("openfootball", "2023-24", "de.1.json"))[0]
    assert (opener.home.name, opener.away.name, opener.home_score, opener.away_score) == (
        "SV Werder Bremen", "FC Bayern München", 0, 4)
    assert opener.kickoff == dt.datetime(2023, 8, 18, 18, 30, tzinfo=UTC)  # 20:30 CEST


@pytest.mark.realdata
def test_a_score_without_half_time(shared_data):
    records = parse_season_file(shared_data("openfootball", "2023-24", "en.1.json"))
    no_half_time = [record for record in records if record.home_ht_score is None]
    assert no_half_time and all(record.home_score is not None for record in no_half_time)


def test_a_match_without_score_is_scheduled_and_without_time_kicks_off_at_three():
    text = season_json(match(), match(date="2023-12-30", time=None, team1="Luton Town FC", score=None))
    records = parse_season_file(text, path_label="2023-24/en.1.json")
    later = records[1]
    assert later.status == "scheduled" and later.home_score is None
    assert later.kickoff == dt.datetime(2023, 12, 30, 15, 0, tzinfo=UTC)  # 15:00 GMT


def test_a_time_with_an_offset():
    record = parse_season_file(season_json(match(time="18:00 UTC+3")), path_label="en.1.json")[0]
    assert record.kickoff == dt.datetime(2023, 8, 11, 15, 0, tzinfo=UTC)


def test_older_shape_with_rounds_and_score1_score2():
    document = {
        "name": "Deutsche Bundesliga 2015/16",
        "rounds": [{"name": "1. Spieltag", "matches": [
            {"date": "2015-08-14", "team1": {"key": "bayern", "name": "Bayern München"},
             "team2": {"key": "hsv", "name": "Hamburger SV"}, "score1": 5, "score2": 0, "score1i": 1, "score2i": 0},
        ]}, {"name": "Matchday 2", "matches": [
            {"date": "2015-08-22", "team1": "Hamburger SV", "team2": "VfB Stuttgart", "score1": None, "score2": None},
        ]}],
    }
    first, second = parse_season_file(json.dumps(document), path_label="2015-16/de.1.json")
    assert (first.home.name, first.home_score, first.away_score, first.home_ht_score) == ("Bayern München", 5, 0, 1)
    assert (first.round, first.matchday, first.status, first.season_name) == ("1. Spieltag", 1, "finished", "2015/16")
    assert (second.round, second.matchday, second.status) == ("Matchday 2", 2, "scheduled")
    assert second.origin.record == "rounds[1].matches[0]"


def test_season_from_the_folder_when_the_name_has_none():
    records = parse_season_file(season_json(match(), name="Premier League"), path_label="data/2023-24/en.1.json")
    assert records[0].season_name == "2023/24"
    assert records[0].competition.name == "Premier League"


def test_the_competition_comes_from_the_name_inside_the_file_never_the_file_name():
    text = season_json(match())
    for label in ("x/en.1.json", "upload", "2023-24/Martian League 2023-24.json", "2023-24/de.1.json"):
        assert parse_season_file(text, path_label=label)[0].competition.external_id == "en.1", label
    bundesliga = season_json(match(), name="Deutsche Bundesliga 2023/24")
    assert parse_season_file(bundesliga, path_label="2023-24/en.1.json")[0].competition.external_id == "de.1"
    martian = season_json(match(), name="Martian League 2023/24")
    with pytest.raises(RecordError, match=r"'Martian League 2023/24' is not a competition we know \(English Premier "
                                          r"League \(en\.1\), .*pass its code \(--competition\)"):
        parse_season_file(martian, path_label="2023-24/en.1.json")
    explicit = parse_season_file(martian, path_label="upload", competition_code="mars.1")[0]
    assert (explicit.competition.external_id, explicit.competition.name) == ("mars.1", "Martian League")


def test_malformed_json_names_the_file():
    with pytest.raises(RecordError) as error:
        parse_season_file('{"name": "English Premier League 2023/24",\n "matches": [', path_label="2023-24/en.1.json")
    assert "2023-24/en.1.json" in str(error.value)
    assert error.value.origin.line == 2


@pytest.mark.parametrize("fields,message", [
    ({"score": {"ft": [1]}}, "score.ft"),
    ({"score": {"ft": [-1, 0]}}, "negative"),
    ({"score": {"ft": ["1", "0"]}}, "score.ft"),
    ({"date": "11/08/2023"}, "date"),
    ({"time": "evening"}, "time"),
    ({"team2": ""}, "team2"),
])
def test_a_bad_match_names_its_record(fields, message):
    text = season_json(match(), match(team1="Arsenal FC", **fields))
    with pytest.raises(RecordError) as error:
        parse_season_file(text, path_label="en.1.json")
    assert error.value.origin.record == "matches[1]"
    assert message in str(error.value)


def test_a_file_without_matches_is_refused():
    with pytest.raises(RecordError, match="matches"):
        parse_season_file(json.dumps({"name": "English Premier League 2023/24"}), path_label="en.1.json")
