"""OpenLigaDB getmatchdata mapping: the official sample stubs (legacy PascalCase), their
current camelCase twin, and small payloads built here."""

import copy
import datetime as dt
import json

import pytest

from ingestion.providers.openligadb.mapping import LIVE_WINDOW, parse_match_data
from matches.models import Match, MatchEvent
from matches.records import RecordError, goals_from_events

UTC = dt.UTC
KICKOFF = dt.datetime(2017, 3, 25, 13, 0, tzinfo=UTC)
AFTERWARDS = dt.datetime(2017, 3, 26, tzinfo=UTC)


def stub(shared_data, name="validStubResponse.json"):
    path = shared_data("providers", "openligadb", name)
    return json.loads(path.read_text()), str(path)


def camel_case(value):
    """The legacy payload in today's spelling: "MatchID" -> "matchID", "Team1" -> "team1"."""
    if isinstance(value, dict):
        return {key[:1].lower() + key[1:]: camel_case(item) for key, item in value.items()}
    if isinstance(value, list):
        return [camel_case(item) for item in value]
    return value


def goal(goal_id, team1, team2, minute, name="Scorer", **flags):
    return {"goalID": goal_id, "scoreTeam1": team1, "scoreTeam2": team2, "matchMinute": minute,
            "goalGetterID": goal_id * 10, "goalGetterName": name, "isPenalty": flags.get("penalty", False),
            "isOwnGoal": flags.get("own_goal", False), "isOvertime": flags.get("overtime", False), "comment": None}


def result(type_id, team1, team2):
    name = {1: "Halbzeit", 2: "Endergebnis"}[type_id]
    return {"resultID": type_id, "resultName": name, "pointsTeam1": team1, "pointsTeam2": team2,
            "resultOrderID": type_id, "resultTypeID": type_id, "resultDescription": name}


def current_match(**fields):
    """One match as api.openligadb.de returns it today (camelCase); ``fields`` override."""
    match = {
        "matchID": 66_000, "matchDateTime": "2023-08-18T20:30:00", "timeZoneID": "W. Europe Standard Time",
        "leagueId": 4608, "leagueName": "1. Fußball-Bundesliga 2023/2024", "leagueSeason": 2023,
        "leagueShortcut": "bl1", "matchDateTimeUTC": "2023-08-18T18:30:00Z",
        "group": {"groupName": "1. Spieltag", "groupOrderID": 1, "groupID": 40_000},
        "team1": {"teamId": 134, "teamName": "SV Werder Bremen", "shortName": "Bremen", "teamIconUrl": "x.png",
                  "teamGroupName": None},
        "team2": {"teamId": 40, "teamName": "FC Bayern München", "shortName": "Bayern", "teamIconUrl": "y.png",
                  "teamGroupName": None},
        "lastUpdateDateTime": "2023-08-18T22:30:00", "matchIsFinished": True,
        "matchResults": [result(1, 0, 1), result(2, 0, 4)],
        "goals": [goal(1, 0, 1, 4, "Sané"), goal(2, 0, 2, 64, "Kane"), goal(3, 0, 3, 74, "Kane"),
                  goal(4, 0, 4, 90, "Tel")],
        "location": {"locationID": 11, "locationCity": "Bremen", "locationStadium": "Weserstadion "},
        "numberOfViewers": 42_100,
    }
    match.update(fields)
    return match


def parse(*matches, now=AFTERWARDS, **options):
    return parse_match_data(list(matches), "getmatchdata.json", now=now, **options)


# The official stubs


@pytest.mark.realdata
def test_chemnitz_2_duisburg_3(shared_data):
    payload, label = stub(shared_data)
    [record] = parse_match_data(payload, label, league="bl3", season=2016, now=AFTERWARDS)
    assert (record.source, record.external_id) == ("openligadb", "40493")
    assert (record.home.name, record.home.external_id, record.away.name, record.away.external_id) == (
        "Chemnitzer FC", "202", "MSV Duisburg", "107")
    assert record.kickoff == KICKOFF  # 14:00 in Chemnitz
    assert (record.status, record.home_score, record.away_score) == ("finished", 2, 3)
    assert (record.home_ht_score, record.away_ht_score) == (1, 1)
    competition = record.competition
    assert (competition.external_id, competition.name, record.season_name) == ("bl3", "3. Liga", "2016/17")
    assert (record.round, record.matchday) == ("29. Spieltag", 29)
    assert (record.attendance, record.venue) == (None, None)  # the stub leaves both null
    assert record.origin.record == "[0]" and not record.warnings


@pytest.mark.realdata
def test_chemnitz_duisburg_goals_and_who_scored_them(shared_data):
    payload, label = stub(shared_data)
    [record] = parse_match_data(payload, label, league="bl3", now=AFTERWARDS)
    rows = [(event.external_id, event.kind, event.period, event.minute, event.team.name, event.player.name,
             event.player.external_id) for event in record.events]
    assert rows == [
        ("openligadb:58341", "goal", 1, 23, "MSV Duisburg", "Wiegel", "2319"),
        ("openligadb:58342", "goal", 1, 41, "Chemnitzer FC", "Türpitz", "14383"),
        ("openligadb:58352", "goal", 2, 52, "Chemnitzer FC", "Türpitz", "14383"),
        ("openligadb:58353", "goal", 2, 68, "MSV Duisburg", "Brandstetter", "11438"),
        ("openligadb:58354", "goal", 2, 74, "MSV Duisburg", "Onuegbu", "1394"),
    ]
    assert {event.kind for event in record.events} <= set(MatchEvent.Kind.values)
    # The timeline tells the same story as the score: 1-1 at half-time, 2-3 at the end.
    assert goals_from_events(record.events, record.home, record.away) == (2, 3)
    assert goals_from_events(record.events, record.home, record.away, up_to_period=1) == (1, 1)
    assert record.season_name == "2016/17"  # no leagueSeason in the stub: from the kick-off date


@pytest.mark.realdata
def test_the_current_camel_case_format_gives_the_same_records(shared_data):
    payload, label = stub(shared_data)
    legacy = parse_match_data(payload, label, league="bl3", now=AFTERWARDS)
    current = parse_match_data(camel_case(payload), label, league="bl3", now=AFTERWARDS)
    assert "matchID" in camel_case(payload)[0] and "pointsTeam1" in camel_case(payload)[0]["matchResults"][0]
    assert current == legacy
    # One match object (getmatchdata/{id}) rather than a list reads alike.
    [single] = parse_match_data(camel_case(payload)[0], label, league="bl3", now=AFTERWARDS)
    assert (single.external_id, single.events) == (legacy[0].external_id, legacy[0].events)


@pytest.mark.realdata
def test_the_same_match_three_times_has_one_identity(shared_data):
    payload, label = stub(shared_data, "multipleStubResponse.json")
    records = parse_match_data(payload, label, league="bl3", now=AFTERWARDS)
    assert len(records) == 3
    assert {record.external_id for record in records} == {"40493"}
    assert len({tuple(event.external_id for event in record.events) for record in records}) == 1
    assert [record.origin.record for record in records] == ["[0]", "[1]", "[2]"]


@pytest.mark.realdata
def test_the_stub_needs_to_be_told_its_league(shared_data):
    payload, label = stub(shared_data)
    with pytest.raises(RecordError, match="league=") as caught:
        parse_match_data(payload, label, now=AFTERWARDS)
    assert caught.value.origin.record == "[0].leagueShortcut"


# The current format, built here


def test_a_bundesliga_match_in_the_current_format():
    [record] = parse(current_match())
    competition = record.competition
    assert (competition.external_id, competition.name, record.season_name) == ("bl1", "Bundesliga", "2023/24")
    assert (record.home.name, record.away.name, record.home_score, record.away_score) == (
        "SV Werder Bremen", "FC Bayern München", 0, 4)
    assert (record.venue.name, record.venue.city, record.venue.external_id) == ("Weserstadion", "Bremen", "11")
    assert record.attendance == 42_100
    assert [event.team.name for event in record.events] == ["FC Bayern München"] * 4


def test_status_follows_the_clock():
    future = current_match(matchIsFinished=False, matchResults=[], goals=[])
    kickoff = dt.datetime(2023, 8, 18, 18, 30, tzinfo=UTC)
    assert parse(future, now=kickoff - dt.timedelta(minutes=1))[0].status == "scheduled"

    playing = current_match(matchIsFinished=False, matchResults=[], goals=[goal(1, 0, 1, 4)])
    [record] = parse(playing, now=kickoff + dt.timedelta(minutes=20))
    assert (record.status, record.home_score, record.away_score, record.home_ht_score) == ("live", 0, 1, None)
    assert parse(future, now=kickoff + dt.timedelta(minutes=2))[0].home_score == 0  # live, 0-0

    # Long after the whistle: a result means it was played; no result, it stays scheduled and says so.
    unflagged = current_match(matchIsFinished=False)
    assert parse(unflagged, now=kickoff + LIVE_WINDOW)[0].status == "finished"
    [stale] = parse(future, now=kickoff + dt.timedelta(days=3))
    assert stale.status == "scheduled" and "neither finished nor scored" in stale.warnings[0]
    assert {Match.Status.SCHEDULED, Match.Status.LIVE, Match.Status.FINISHED} == {"scheduled", "live", "finished"}


def test_own_goal_and_penalty():
    match = current_match(
        matchResults=[result(1, 1, 0), result(2, 2, 1)],
        goals=[goal(1, 1, 0, 12, "Upamecano", own_goal=True),  # 1-0 to Bremen, from a Bayern boot
               goal(2, 1, 1, 55, "Kane", penalty=True),
               goal(3, 2, 1, 80, "Ducksch")],
    )
    [record] = parse(match)
    assert [(event.kind, event.team.name) for event in record.events] == [
        ("own_goal", "FC Bayern München"),  # credited to Bremen (1-0), so conceded by Bayern
        ("penalty_scored", "FC Bayern München"),
        ("goal", "SV Werder Bremen"),
    ]
    assert goals_from_events(record.events, record.home, record.away) == (2, 1)


def test_added_and_extra_time_minutes():
    match = current_match(
        leagueShortcut="dfb", leagueName="DFB-Pokal 2023/2024",
        matchResults=[result(1, 1, 0), result(2, 2, 2)],
        goals=[goal(1, 1, 0, 47), goal(2, 1, 1, 50), goal(3, 1, 2, 93), goal(4, 2, 2, 112, overtime=True)],
    )
    [record] = parse(match)
    assert [(event.period, event.minute, event.added_minute) for event in record.events] == [
        (1, 45, 2), (2, 50, None), (2, 90, 3), (4, 112, None)]
    assert (record.competition.name, record.competition.external_id) == ("DFB-Pokal", "dfb")


def test_goals_are_ordered_by_the_running_score_and_a_gap_is_left_out_with_a_warning():
    match = current_match(matchResults=[result(2, 0, 4)],
                          goals=[goal(4, 0, 4, 90), goal(1, 0, 1, 4), goal(3, 0, 3, 74)])  # 0-2 missing
    [record] = parse(match)
    assert [event.external_id for event in record.events] == ["openligadb:1", "openligadb:4"]
    assert "goal 3 (0-3) does not follow from 0-1" in record.warnings[0]
    assert (record.home_score, record.away_score) == (0, 4)  # the result stands


def test_a_tournament_season_is_its_year():
    match = current_match(leagueShortcut="em", leagueName="Europameisterschaft 2024", leagueSeason=2024,
                          matchDateTimeUTC="2024-06-14T19:00:00Z")
    assert parse(match, now=dt.datetime(2024, 7, 1, tzinfo=UTC))[0].season_name == "2024"


def test_unknown_fields_are_ignored():
    match = current_match(somethingNew={"a": [1]}, group={"groupName": "1. Spieltag", "groupOrderID": 1, "x": None})
    match["goals"][0]["newField"] = "ignored"
    assert parse(match)[0].external_id == "66000"


# Bad input


@pytest.mark.parametrize("change, path, message", [
    (lambda m: m.pop("matchDateTimeUTC"), "[1].matchDateTimeUTC", "UTC date"),
    (lambda m: m.update(matchID="abc"), "[1].matchID", "whole number"),
    (lambda m: m.update(team1=None), "[1].team1", "must be an object"),
    (lambda m: m["team2"].update(teamName="", shortName=""), "[1].team2.teamName", "missing"),
    (lambda m: m["matchResults"][1].update(pointsTeam1="2"), "[1].matchResults[1].pointsTeam1", "whole number"),
    (lambda m: m["goals"][0].update(scoreTeam2="1"), "[1].goals[0].scoreTeam2", "whole number"),
    (lambda m: m["goals"][0].pop("goalID"), "[1].goals[0].goalID", "whole number"),
    (lambda m: m.update(matchIsFinished="yes"), "[1].matchIsFinished", "true or false"),
    (lambda m: m.update(leagueSeason="2023/24"), "[1].leagueSeason", "whole number"),
])
def test_bad_input_names_the_file_and_the_path(change, path, message):
    bad = copy.deepcopy(current_match(matchID=66_001))
    change(bad)
    with pytest.raises(RecordError, match=message) as caught:
        parse(current_match(), bad)
    assert caught.value.origin.record == path
    assert str(caught.value).startswith(f"getmatchdata.json, {path}: ")


def test_bad_input_in_the_legacy_spelling_is_named_in_the_current_one():
    legacy = {"MatchID": 1, "MatchDateTimeUTC": "not a date", "Team1": {}, "Team2": {}}
    with pytest.raises(RecordError) as caught:
        parse_match_data(legacy, "old.json", league="bl1", now=AFTERWARDS)
    assert caught.value.origin.record == "matchDateTimeUTC"


def test_a_payload_that_is_no_match_data():
    with pytest.raises(RecordError, match="expected a list"):
        parse_match_data("Not found", "error.json", now=AFTERWARDS)
    with pytest.raises(RecordError, match="must be an object") as caught:
        parse_match_data([current_match(), 7], "odd.json", now=AFTERWARDS)
    assert caught.value.origin.record == "[1]"
