"""The StatsBomb open-data parser: real matches from ../shared/data and small folders built here."""

import datetime as dt
import json
from pathlib import Path

import pytest

from ingestion import statsbomb
from ingestion.statsbomb import StatsBombFolder, football_minute, formation_name, parse_match, season_name
from matches.records import RecordError
from matches.records import goals_from_events

TURKEY_ITALY = 3788741
BUNDESLIGA_RESULTS = {  # match id -> (home, home goals, away goals, away), as the season's matches file says
    3895052: ("Bayer Leverkusen", 3, 2, "RB Leipzig"),
    3895074: ("Bayern Munich", 2, 2, "Bayer Leverkusen"),
    3895158: ("Bayer Leverkusen", 1, 1, "Borussia Dortmund"),
    3895309: ("Borussia Dortmund", 1, 1, "Bayer Leverkusen"),
    3895320: ("Bayer Leverkusen", 2, 2, "VfB Stuttgart"),
    3895348: ("Bayer Leverkusen", 2, 1, "Augsburg"),
}


@pytest.fixture
def open_data(shared_data):
    return shared_data("statsbomb")


@pytest.fixture
def turkey_italy(open_data):
    return parse_match(open_data, TURKEY_ITALY, kickoff=dt.datetime(2021, 6, 11, 19, 0, tzinfo=dt.UTC))


# A small open-data folder, built in the test


def team(team_id):
    return {"id": team_id, "name": {1: "Home FC", 2: "Away FC"}[team_id]}


def player(player_id):
    return {"id": player_id, "name": f"Player {player_id}"}


def event(index, type_name, period, minute, second=0, team_id=1, **fields):
    return {"id": f"ev-{index}", "index": index, "period": period, "timestamp": "00:00:00.000", "minute": minute,
            "second": second, "type": {"id": 0, "name": type_name}, "possession": 1,
            "possession_team": team(1), "play_pattern": {"id": 1, "name": "Regular Play"}, "team": team(team_id),
            **fields}


def starting_xi(index, team_id, formation, player_id):
    return event(index, "Starting XI", 1, 0, team_id=team_id, tactics={
        "formation": formation,
        "lineup": [{"player": player(player_id), "position": {"id": 1, "name": "Goalkeeper"}, "jersey_number": 1}],
    })


def tiny_events():
    return [
        starting_xi(1, 1, 4231, 11),
        starting_xi(2, 2, 442, 21),
        event(3, "Half Start", 1, 0, team_id=2),
        event(4, "Half Start", 1, 0, team_id=1),
        event(5, "Pass", 1, 44, 50, player=player(11), location=[60.0, 40.0],
              **{"pass": {"recipient": player(11), "length": 30.0, "angle": 0.1, "end_location": [90.0, 20.0],
                          "height": {"id": 1, "name": "Ground Pass"}, "shot_assist": True,
                          "assisted_shot_id": "ev-6"}}),
        event(6, "Shot", 1, 46, 10, player=player(11), location=[108.0, 40.0],
              shot={"statsbomb_xg": 0.25, "end_location": [120.0, 38.0, 1.2], "key_pass_id": "ev-5",
                    "type": {"id": 87, "name": "Open Play"}, "outcome": {"id": 97, "name": "Goal"},
                    "body_part": {"id": 40, "name": "Right Foot"}, "technique": {"id": 93, "name": "Normal"},
                    "freeze_frame": [{"location": [118.0, 40.0], "player": player(21),
                                      "position": {"id": 1, "name": "Goalkeeper"}, "teammate": False}]}),
        event(7, "Half End", 1, 47, 0, team_id=2),
        event(8, "Half End", 1, 47, 0, team_id=1),
        event(9, "Half Start", 2, 45, team_id=1),
        event(10, "Half Start", 2, 45, team_id=2),
        event(11, "Substitution", 2, 59, 30, team_id=2, player=player(21),
              substitution={"outcome": {"id": 103, "name": "Tactical"}, "replacement": player(22)}),
        event(12, "Foul Committed", 2, 70, 5, team_id=2, player=player(22), location=[50.0, 10.0],
              foul_committed={"card": {"id": 6, "name": "Second Yellow"}}),
        event(13, "Bad Behaviour", 2, 71, team_id=1, player=player(11),
              bad_behaviour={"card": {"id": 5, "name": "Red Card"}}),
        event(14, "Own Goal Against", 2, 80, team_id=1, player=player(11), location=[2.0, 40.0]),
        event(15, "Own Goal For", 2, 80, team_id=2, location=[118.0, 40.0]),
        event(16, "Shot", 2, 92, 0, team_id=2, player=player(22), location=[108.0, 40.0],
              shot={"statsbomb_xg": 0.78, "end_location": [120.0, 44.0], "type": {"id": 88, "name": "Penalty"},
                    "outcome": {"id": 98, "name": "Off T"}, "body_part": {"id": 40, "name": "Right Foot"}}),
        event(17, "Half End", 2, 93, 0, team_id=1),
        event(18, "Half End", 2, 93, 0, team_id=2),
    ]


def squad_player(player_id, jersey, positions, nickname=None):
    return {"player_id": player_id, "player_name": f"Player {player_id}", "player_nickname": nickname,
            "jersey_number": jersey, "country": {"id": 1, "name": "Nowhere"}, "cards": [], "positions": positions}


def tiny_lineups():
    return [
        {"team_id": 2, "team_name": "Away FC", "lineup": [
            squad_player(21, 1, [{"position_id": 1, "position": "Goalkeeper", "from": "00:00", "to": "59:30",
                                  "from_period": 1, "to_period": 2, "start_reason": "Starting XI",
                                  "end_reason": "Substitution - Off (Tactical)"}]),
            squad_player(22, 12, [{"position_id": 1, "position": "Goalkeeper", "from": "59:30", "to": "70:05",
                                   "from_period": 2, "to_period": 2, "start_reason": "Substitution - On (Tactical)",
                                   "end_reason": "Sent Off"}]),
            squad_player(23, 30, []),
        ]},
        {"team_id": 1, "team_name": "Home FC", "lineup": [
            squad_player(11, 1, [{"position_id": 1, "position": "Goalkeeper", "from": "00:00", "to": None,
                                  "from_period": 1, "to_period": None, "start_reason": "Starting XI",
                                  "end_reason": "Final Whistle"}], nickname="Elf"),
        ]},
    ]


def write_root(root: Path, match_id=1, events=None, lineups=None, entry=None) -> Path:
    for folder in ("events", "lineups"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "events" / f"{match_id}.json").write_text(json.dumps(tiny_events() if events is None else events))
    (root / "lineups" / f"{match_id}.json").write_text(json.dumps(tiny_lineups() if lineups is None else lineups))
    if entry is not None:
        (root / "matches" / "9").mkdir(parents=True, exist_ok=True)
        (root / "matches" / "9" / "281.json").write_text(json.dumps([entry]))
    return root


def entry_for(match_id=1, home_id=2, away_id=1):
    return {
        "match_id": match_id, "match_date": "2023-08-19", "kick_off": "15:30:00.000",
        "competition": {"competition_id": 9, "country_name": "Germany", "competition_name": "1. Bundesliga"},
        "season": {"season_id": 281, "season_name": "2023/2024"},
        "home_team": {"home_team_id": home_id, "home_team_name": team(home_id)["name"],
                      "country": {"id": 85, "name": "Germany"}},
        "away_team": {"away_team_id": away_id, "away_team_name": team(away_id)["name"],
                      "country": {"id": 85, "name": "Germany"}},
        "home_score": 1, "away_score": 2, "match_week": 3,
        "competition_stage": {"id": 1, "name": "Regular Season"},
        "stadium": {"id": 5, "name": "Somewhere Arena", "country": {"id": 85, "name": "Germany"}},
        "referee": {"id": 7, "name": "A. Referee"},
    }


def by_index(record, index):
    return next(event for event in record.events if event.source_index == index)


# Small fixtures: mapping rules


@pytest.mark.parametrize(("period", "sb_minute", "expected"), [
    (1, 0, (1, None)), (1, 44, (45, None)), (1, 45, (45, 1)), (1, 46, (45, 2)),
    (2, 45, (46, None)), (2, 89, (90, None)), (2, 92, (90, 3)),
    (3, 90, (91, None)), (3, 105, (105, 1)), (4, 119, (120, None)), (4, 121, (120, 2)), (5, 124, (120, None)),
])
def test_football_minute(period, sb_minute, expected):
    assert football_minute(period, sb_minute) == expected


def test_names():
    assert season_name("2023/2024") == "2023/24"
    assert season_name("1999/2000") == "1999/00"
    assert season_name("2020") == "2020"
    assert formation_name(4141) == "4-1-4-1"
    assert formation_name(41212) == "4-1-2-1-2"
    assert formation_name(None) == ""


def test_tiny_match_without_matches_file(tmp_path):
    root = write_root(tmp_path)
    record = parse_match(root, 1, kickoff=dt.date(2024, 3, 2))

    assert (record.home.name, record.away.name) == ("Home FC", "Away FC")  # first Starting XI is home
    assert record.competition.external_id == "" and record.competition.name == ""
    assert record.season_name == "2023/24"
    assert record.kickoff == dt.datetime(2024, 3, 2, 15, 0, tzinfo=dt.UTC)
    assert record.score_from_events and record.home_score is None
    assert [event.source_index for event in record.events] == list(range(1, 19))

    goal = by_index(record, 6)
    assert (goal.kind, goal.period, goal.minute, goal.added_minute, goal.second) == ("goal", 1, 45, 2, 10)
    assert goal.related_player.external_id == "11"  # the key pass's passer
    assert goal.xg == 0.25 and goal.outcome == "Goal" and goal.body_part == "Right Foot"
    assert goal.situation == "Open Play"
    assert (goal.x, goal.y, goal.end_x, goal.end_y) == (90.0, 50.0, 100.0, 47.5)
    assert goal.details["key_pass_id"] == "ev-5" and goal.details["end_z"] == 1.2
    assert goal.details["freeze_frame"] == [{"x": 98.33, "y": 50.0, "teammate": False, "keeper": True, "player": 21}]

    passing = by_index(record, 5)
    assert (passing.kind, passing.outcome, passing.minute, passing.added_minute) == ("pass", "", 45, None)
    assert passing.details["height"] == "Ground Pass" and passing.details["shot_assist"] is True
    assert passing.situation == "Regular Play"

    substitution = by_index(record, 11)
    assert substitution.kind == "substitution" and (substitution.minute, substitution.added_minute) == (60, None)
    assert substitution.player.external_id == "21" and substitution.related_player.external_id == "22"
    assert substitution.team == record.away

    assert by_index(record, 12).kind == "second_yellow"
    assert by_index(record, 13).kind == "red_card"
    assert by_index(record, 14).kind == "own_goal" and by_index(record, 14).team == record.home
    assert by_index(record, 15).kind == "other" and by_index(record, 15).raw_type == "Own Goal For"
    penalty = by_index(record, 16)
    assert (penalty.kind, penalty.minute, penalty.added_minute) == ("penalty_missed", 90, 3)
    assert [by_index(record, i).kind for i in (3, 4, 7, 8, 9, 10)] == [
        "period_start", "other", "period_end", "other", "period_start", "other"]

    assert goals_from_events(record.events, record.home, record.away) == (1, 1)
    assert (record.home_ht_score, record.away_ht_score) == (1, 0)


def test_tiny_lineups(tmp_path):
    record = parse_match(write_root(tmp_path), 1, kickoff=dt.date(2024, 3, 2))
    home, away = record.lineups
    assert (home.team, home.formation) == (record.home, "4-2-3-1")
    assert (away.team, away.formation) == (record.away, "4-4-2")
    keeper = home.entries[0]
    assert (keeper.is_starter, keeper.minutes_played, keeper.player.known_as) == (True, 90, "Elf")
    off, on, unused = away.entries
    assert (off.is_starter, off.minutes_played, off.subbed_off_minute) == (True, 59, 60)
    assert (on.is_starter, on.minutes_played, on.subbed_on_minute, on.subbed_off_minute) == (False, 11, 60, None)
    assert (unused.is_starter, unused.minutes_played, unused.position) == (False, 0, "")


def test_matches_file_decides_teams_score_and_kickoff(tmp_path):
    root = write_root(tmp_path, entry=entry_for(home_id=2, away_id=1))
    record = parse_match(root, 1)
    assert (record.home.name, record.away.name) == ("Away FC", "Home FC")
    assert (record.home_score, record.away_score, record.score_from_events) == (1, 2, False)
    assert record.kickoff == dt.datetime(2023, 8, 19, 13, 30, tzinfo=dt.UTC)  # 15:30 in Berlin
    competition = record.competition
    assert (competition.external_id, competition.name, record.season_name) == ("9", "1. Bundesliga", "2023/24")
    assert (record.round, record.matchday, record.referee) == ("Matchday 3", 3, "A. Referee")
    assert record.venue.name == "Somewhere Arena"
    assert [lineup.team for lineup in record.lineups] == [record.home, record.away]
    assert StatsBombFolder(root).match_ids(9, 281) == [1]


def test_no_date_anywhere_is_an_error(tmp_path):
    root = write_root(tmp_path)
    with pytest.raises(RecordError, match="carry no date") as error:
        parse_match(root, 1)
    assert str(root / "events" / "1.json") in str(error.value)


@pytest.mark.parametrize("content", [b'[{"id": "a", "index": 1, "period"', b"\x89PNG\r\n\x1a\n\x00\xff garbage"])
def test_truncated_or_garbled_file(tmp_path, content):
    root = write_root(tmp_path)
    (root / "events" / "1.json").write_bytes(content)
    with pytest.raises(RecordError) as error:
        parse_match(root, 1, kickoff=dt.date(2024, 3, 2))
    assert str(root / "events" / "1.json") in str(error.value)


def test_missing_events_file(tmp_path):
    root = write_root(tmp_path)
    with pytest.raises(RecordError, match="no such file") as error:
        parse_match(root, 2, kickoff=dt.date(2024, 3, 2))
    assert str(root / "events" / "2.json") in str(error.value)


@pytest.mark.parametrize("missing", ["type", "period", "minute", "id"])
def test_event_without_required_field(tmp_path, missing):
    events = tiny_events()
    del events[4][missing]
    root = write_root(tmp_path, events=events)
    with pytest.raises(RecordError, match=f"no {missing}") as error:
        parse_match(root, 1, kickoff=dt.date(2024, 3, 2))
    assert str(root / "events" / "1.json") in str(error.value)
    assert "event 5" in str(error.value)


def test_lineups_without_positions_use_events(tmp_path):
    lineups = tiny_lineups()
    for squad in lineups:
        for entry in squad["lineup"]:
            del entry["positions"]
    record = parse_match(write_root(tmp_path, lineups=lineups), 1, kickoff=dt.date(2024, 3, 2))
    off, on, unused = record.lineups[1].entries
    assert (off.is_starter, off.minutes_played, off.subbed_off_minute) == (True, 59, 60)
    assert (on.is_starter, on.subbed_on_minute, on.minutes_played) == (False, 60, 31)
    assert unused.minutes_played == 0


def test_read_json_builds_urls():
    assert statsbomb.location_of(statsbomb.OPEN_DATA_URL + "/", "events/1.json") == (
        "https://raw.githubusercontent.com/statsbomb/open-data/master/data/events/1.json")


# Real data


@pytest.mark.realdata
def test_turkey_italy_every_event_in_order(turkey_italy):
    events = turkey_italy.events
    assert len(events) == 3803
    assert [event.source_index for event in events] == list(range(1, 3804))
    assert len({event.external_id for event in events}) == 3803
    assert all(event.source == "statsbomb" for event in events)
    located = [value for event in events for value in (event.x, event.y, event.end_x, event.end_y) if value is not None]
    assert located and all(0 <= value <= 100 for value in located)


@pytest.mark.realdata
def test_turkey_italy_goals(turkey_italy):
    record = turkey_italy
    assert (record.home.name, record.away.name) == ("Turkey", "Italy")
    assert record.home.is_national and record.away.is_national
    own_goals = [event for event in record.events if event.kind == "own_goal"]
    assert [(e.team.name, e.player.name, e.period, e.minute) for e in own_goals] == [("Turkey", "Merih Demiral", 2, 53)]
    goals = [(e.player.name, e.minute, e.team.name) for e in record.events if e.kind in ("goal", "penalty_scored")]
    assert goals == [("Ciro Immobile", 66, "Italy"), ("Lorenzo Insigne", 79, "Italy")]
    insigne = next(e for e in record.events if e.kind == "goal" and e.minute == 79)
    assert insigne.related_player.name == "Ciro Immobile"
    assert record.score_from_events and (record.home_score, record.away_score) == (None, None)
    assert goals_from_events(record.events, record.home, record.away) == (0, 3)
    assert (record.home_ht_score, record.away_ht_score) == (0, 0)
    assert sum(1 for e in record.events if e.kind in ("yellow_card", "second_yellow", "red_card")) == 2
    assert sum(1 for e in record.events if e.kind == "substitution") == 9


@pytest.mark.realdata
def test_turkey_italy_lineups(turkey_italy):
    turkey, italy = turkey_italy.lineups
    assert (turkey.team.name, turkey.formation) == ("Turkey", "4-1-4-1")
    assert (italy.team.name, italy.formation) == ("Italy", "4-3-3")
    for lineup in (turkey, italy):
        assert len(lineup.entries) == 23
        assert sum(entry.is_starter for entry in lineup.entries) == 11
        assert lineup.entries[0].position == "Goalkeeper"
    emerson = next(e for e in italy.entries if e.player.known_as == "Emerson")
    assert (emerson.is_starter, emerson.minutes_played, emerson.position) == (False, 0, "")
    yazici = next(e for e in turkey.entries if e.player.name == "Yusuf Yazıcı")
    under = next(e for e in turkey.entries if e.player.name == "Cengiz Ünder")
    assert (yazici.minutes_played, yazici.subbed_off_minute) == (45, 46)
    assert (under.minutes_played, under.subbed_on_minute, under.shirt_number) == (45, 46, 7)


@pytest.mark.realdata
def test_turkey_italy_competition(open_data):
    unknown = parse_match(open_data, TURKEY_ITALY, kickoff=dt.date(2021, 6, 11))
    assert (unknown.competition.external_id, unknown.competition.name, unknown.season_name) == ("", "", "2021")

    euro = parse_match(open_data, TURKEY_ITALY, competition_id=55, season_id=43,
                       kickoff=dt.datetime(2021, 6, 11, 21, 0))
    assert (euro.competition.external_id, euro.competition.name, euro.season_name) == ("55", "UEFA Euro", "2020")
    assert euro.kickoff == dt.datetime(2021, 6, 11, 19, 0, tzinfo=dt.UTC)  # 21:00 in the competition's zone

    with pytest.raises(RecordError, match="3788741.json"):
        parse_match(open_data, TURKEY_ITALY)


@pytest.mark.realdata
def test_bundesliga_scores_agree_with_events(open_data):
    folder = StatsBombFolder(open_data)
    assert folder.match_ids(9, 281) == list(BUNDESLIGA_RESULTS)
    for match_id, (home, home_goals, away_goals, away) in BUNDESLIGA_RESULTS.items():
        record = folder.parse_match(match_id)
        assert (record.home.name, record.home_score, record.away_score, record.away.name) == (
            home, home_goals, away_goals, away)
        assert goals_from_events(record.events, record.home, record.away) == (home_goals, away_goals)
        # StatsBomb writes the home side's Starting XI first: the rule used without a matches file.
        first_xi = next(event for event in record.events if event.raw_type == "Starting XI")
        assert first_xi.team == record.home
        assert [lineup.team for lineup in record.lineups] == [record.home, record.away]
        assert all(sum(entry.is_starter for entry in lineup.entries) == 11 for lineup in record.lineups)
        located = [v for e in record.events for v in (e.x, e.y, e.end_x, e.end_y) if v is not None]
        assert all(0 <= value <= 100 for value in located)


@pytest.mark.realdata
def test_bundesliga_match_details(open_data):
    record = parse_match(open_data, 3895052)
    competition = record.competition
    assert (competition.external_id, competition.name, record.season_name) == ("9", "1. Bundesliga", "2023/24")
    assert record.kickoff == dt.datetime(2023, 8, 19, 14, 30, tzinfo=dt.UTC)  # "16:30" Berlin time, as the file says
    assert (record.round, record.matchday, record.referee) == ("Matchday 1", 1, "Felix Brych")
    assert record.venue.name == "BayArena"
    assert (record.home_ht_score, record.away_ht_score) == (2, 1)
    assert not record.home.is_national
    assert [lineup.formation for lineup in record.lineups] == ["3-4-3", "4-4-2"]


@pytest.mark.realdata
def test_bundesliga_penalty(open_data):
    record = parse_match(open_data, 3895074)
    penalties = [e for e in record.events if e.kind == "penalty_scored"]
    assert [(e.player.name, e.team.name, e.minute, e.added_minute, e.situation) for e in penalties] == [
        ("Exequiel Alejandro Palacios", "Bayer Leverkusen", 90, 4, "Penalty")]
    assert (record.home_ht_score, record.away_ht_score) == (1, 1)


@pytest.mark.realdata
def test_list_match_ids(open_data):
    assert statsbomb.list_match_ids(open_data) == [TURKEY_ITALY, *BUNDESLIGA_RESULTS]
