"""football-data.org v4 mapping: the recorded real responses, and small payloads built here."""

import copy
import datetime as dt
import json
from collections import Counter

import pytest

from ingestion.football_data import parse_csv
from ingestion.providers.football_data_org.mapping import STATUSES, live_state, parse_matches, parse_standings
from matches.identity import Resolver, catalog_team_names
from matches.models import Match, MatchEvent, normalize_name
from matches.records import RecordError, TeamRef, goals_from_events

UTC = dt.UTC
PROVIDER = ("providers", "football-data-org-v4")


def load(shared_data, folder, name):
    path = shared_data(*PROVIDER, folder, name)
    return json.loads(path.read_text()), str(path)


@pytest.fixture
def man_city_season(shared_data):
    payload, label = load(shared_data, "CRLLNKhoa_nextjs14_classroom", "teams_65_matches_PL-CL_2023-24.json")
    return payload, parse_matches(payload, label)


def team(team_id, name, short=None):
    return {"id": team_id, "name": name, "shortName": short or name, "tla": name[:3].upper(), "crest": "x.svg"}


HOME = team(65, "Manchester City FC", "Man City")
AWAY = team(402, "Brentford FC", "Brentford")


def match_item(**fields):
    """One v4 match as /v4/matches lists it; ``fields`` override."""
    item = {
        "area": {"id": 2072, "name": "England", "code": "ENG"},
        "competition": {"id": 2021, "name": "Premier League", "code": "PL", "type": "LEAGUE"},
        "season": {"id": 1564, "startDate": "2023-08-11", "endDate": "2024-05-19", "currentMatchday": 22},
        "id": 436161, "utcDate": "2024-02-20T19:30:00Z", "status": "FINISHED", "matchday": 18,
        "stage": "REGULAR_SEASON", "group": None, "lastUpdated": "2024-02-21T00:20:00Z",
        "homeTeam": HOME, "awayTeam": AWAY,
        "score": {"winner": "HOME_TEAM", "duration": "REGULAR",
                  "fullTime": {"home": 3, "away": 1}, "halfTime": {"home": 1, "away": 1}},
        "odds": {"msg": "Activate Odds-Package in User-Panel to retrieve odds."},
        "referees": [{"id": 11580, "name": "Anthony Taylor", "type": "REFEREE", "nationality": "England"}],
    }
    item.update(fields)
    return item


def listing(*items):
    return {"filters": {}, "resultSet": {"count": len(items)}, "matches": list(items)}


def person(person_id, name):
    return {"id": person_id, "name": name}


def single_match_with_events():
    """/v4/matches/{id} on a paid plan: goals, bookings and substitutions unfolded."""
    city, brentford = {"id": 65, "name": "Manchester City FC"}, {"id": 402, "name": "Brentford FC"}
    return match_item(
        venue="Etihad Stadium", attendance=53_000, minute=None, injuryTime=None,
        goals=[
            {"minute": 21, "injuryTime": None, "type": "REGULAR", "team": brentford,
             "scorer": person(1, "Neal Maupay"), "assist": None, "score": {"home": 0, "away": 1}},
            {"minute": 45, "injuryTime": 2, "type": "OWN", "team": city,  # credited to City by the score
             "scorer": person(2, "Ethan Pinnock"), "assist": None, "score": {"home": 1, "away": 1}},
            {"minute": 71, "injuryTime": None, "type": "PENALTY", "team": city,
             "scorer": person(3, "Erling Haaland"), "assist": None, "score": {"home": 2, "away": 1}},
            {"minute": 90, "injuryTime": 4, "type": "REGULAR", "team": city,
             "scorer": person(4, "Phil Foden"), "assist": person(5, "Kevin De Bruyne"),
             "score": {"home": 3, "away": 1}},
        ],
        bookings=[
            {"minute": 30, "team": brentford, "player": person(6, "Christian Nørgaard"), "card": "YELLOW"},
            {"minute": 30, "team": brentford, "player": person(7, "Vitaly Janelt"), "card": "YELLOW"},
            {"minute": 80, "team": brentford, "player": person(6, "Christian Nørgaard"), "card": "YELLOW_RED"},
        ],
        substitutions=[
            {"minute": 62, "team": city, "playerOut": person(8, "Julián Álvarez"), "playerIn": person(4, "Phil Foden")},
        ],
    )


# The recorded responses


@pytest.mark.realdata
def test_matches_of_the_day_cover_three_competitions(shared_data):
    payload, label = load(shared_data, "CRLLNKhoa_nextjs14_classroom", "matches_2023-12-29.json")
    records = parse_matches(payload, label)
    assert len(records) == 18
    assert Counter(record.competition.external_id for record in records) == {"ELC": 12, "SA": 4, "PPL": 2}
    assert {record.status for record in records} == {"scheduled"}
    assert {record.season_name for record in records} == {"2023/24"}
    napoli = next(record for record in records if record.external_id == "444432")
    assert (napoli.home.name, napoli.home.external_id, napoli.away.name) == ("SSC Napoli", "113", "AC Monza")
    assert napoli.kickoff == dt.datetime(2023, 12, 29, 17, 30, tzinfo=UTC)
    assert (napoli.home_score, napoli.away_score, napoli.matchday, napoli.round) == (None, None, 18, "Matchday 18")
    assert (napoli.competition.name, napoli.competition.country) == ("Serie A", "Italy")
    assert napoli.origin.record == "matches[0]" and napoli.origin.path == label


@pytest.mark.realdata
def test_man_city_season_statuses(man_city_season):
    payload, records = man_city_season
    assert len(records) == 46
    assert Counter(item["status"] for item in payload["matches"]) == {
        "FINISHED": 24, "SCHEDULED": 11, "TIMED": 10, "POSTPONED": 1}
    assert Counter(record.status for record in records) == {"finished": 24, "scheduled": 21, "postponed": 1}
    assert all(record.home_score is not None for record in records if record.status == "finished")
    assert all(record.home_score is None for record in records if record.status != "finished")
    assert len({record.external_id for record in records}) == 46
    assert Counter(record.competition.external_id for record in records) == {"PL": 38, "CL": 8}


@pytest.mark.realdata
def test_man_city_finished_matches_keep_full_and_half_time(man_city_season):
    _, records = man_city_season
    opener = records[0]
    assert (opener.home.name, opener.away.name) == ("Burnley FC", "Manchester City FC")
    assert opener.kickoff == dt.datetime(2023, 8, 11, 19, 0, tzinfo=UTC)
    assert (opener.home_score, opener.away_score, opener.home_ht_score, opener.away_ht_score) == (0, 3, 0, 2)
    assert (opener.referee, opener.round, opener.matchday) == ("Craig Pawson", "Matchday 1", 1)
    chelsea = next(record for record in records if record.external_id == "436057")
    assert (chelsea.home.name, chelsea.home_score, chelsea.away_score) == ("Chelsea FC", 4, 4)
    assert (chelsea.home_ht_score, chelsea.away_ht_score) == (2, 2)
    postponed = next(record for record in records if record.status == "postponed")
    assert (postponed.external_id, postponed.away.name, postponed.home_score) == ("436118", "Brentford FC", None)


@pytest.mark.realdata
def test_champions_league_rounds_and_season(man_city_season):
    _, records = man_city_season
    europe = [record for record in records if record.competition.external_id == "CL"]
    assert Counter(record.round for record in europe) == {"Group G": 6, "Round of 16": 2}
    assert {record.season_name for record in europe} == {"2023/24"}
    zvezda = next(record for record in europe if record.external_id == "451640")
    assert (zvezda.away.name, zvezda.home_score, zvezda.away_score, zvezda.away_ht_score) == (
        "FK Crvena Zvezda", 3, 1, 1)


@pytest.mark.realdata
def test_2025_scheduled_matches(shared_data):
    payload, label = load(shared_data, "taminororo_premier_league_tables",
                          "competitions_PL_matches_season2025_SCHEDULED.json")
    records = parse_matches(payload, label)
    assert len(records) == 109
    assert {record.status for record in records} == {"scheduled"}
    assert {record.season_name for record in records} == {"2025/26"}
    first = records[0]
    assert (first.home.name, first.away.name, first.kickoff) == (
        "Everton FC", "Manchester United FC", dt.datetime(2026, 2, 23, 20, 0, tzinfo=UTC))


@pytest.mark.realdata
@pytest.mark.parametrize("folder, name, season, leader, points, bottom", [
    ("CRLLNKhoa_nextjs14_classroom", "competitions_PL_standings_season2023_md19.json", "2023/24",
     "Liverpool FC", 42, "Sheffield United FC"),
    ("taminororo_premier_league_tables", "competitions_PL_standings_season2025.json", "2025/26",
     "Arsenal FC", 61, "Wolverhampton Wanderers FC"),
])
def test_premier_league_standings(shared_data, folder, name, season, leader, points, bottom):
    payload, label = load(shared_data, folder, name)
    rows = parse_standings(payload, label)
    assert len(rows) == 20
    assert [row.position for row in rows] == list(range(1, 21))
    assert {(row.season_name, row.table_type, row.competition.external_id) for row in rows} == {(season, "TOTAL", "PL")}
    assert (rows[0].team.name, rows[0].points) == (leader, points)
    assert rows[-1].team.name == bottom
    for row in rows:
        assert row.won + row.draw + row.lost == row.played
        assert row.goals_for - row.goals_against == row.goal_difference
    # The API's points are the table's, deductions included: Everton were docked 10 in November 2023.
    earned = {row.team.name: 3 * row.won + row.draw for row in rows}
    docked = {row.team.name: earned[row.team.name] - row.points for row in rows if row.points != earned[row.team.name]}
    assert docked == ({"Everton FC": 10} if season == "2023/24" else {})


@pytest.mark.realdata
def test_premier_league_names_land_on_the_football_data_co_uk_teams(shared_data):
    """football-data.org's "Manchester City FC" and football-data.co.uk's "Man City" are one team."""
    payload, label = load(shared_data, "CRLLNKhoa_nextjs14_classroom", "competitions_PL_standings_season2023_md19.json")
    org_names = {row.team.name for row in parse_standings(payload, label)}
    uk_names = {record.home.name for record in parse_csv(shared_data("football-data", "E0", "2324.csv"))}
    catalog = catalog_team_names()
    assert all(normalize_name(name) in catalog for name in org_names | uk_names)
    assert {catalog[normalize_name(name)] for name in org_names} == {catalog[normalize_name(name)] for name in uk_names}

    later, label = load(shared_data, "taminororo_premier_league_tables", "competitions_PL_standings_season2025.json")
    assert all(normalize_name(row.team.name) in catalog for row in parse_standings(later, label))


@pytest.mark.django_db
def test_resolver_puts_both_football_data_spellings_on_one_team():
    resolver = Resolver(strict=True)
    from_org = resolver.team(TeamRef("football_data_org", "Manchester City FC", external_id="65"))
    from_uk = resolver.team(TeamRef("football_data_uk", "Man City"))
    assert from_org.pk == from_uk.pk and from_org.name == "Manchester City"


# Status, clock and season


def test_every_status_maps_to_one_of_ours():
    assert set(STATUSES.values()) <= set(Match.Status.values)
    assert {raw: STATUSES[raw] for raw in ("TIMED", "IN_PLAY", "PAUSED", "AWARDED", "SUSPENDED", "CANCELLED")} == {
        "TIMED": "scheduled", "IN_PLAY": "live", "PAUSED": "live", "AWARDED": "finished",
        "SUSPENDED": "postponed", "CANCELLED": "cancelled"}


@pytest.mark.parametrize("fields, expected", [
    ({"status": "TIMED"}, ("scheduled", "", None, None)),
    ({"status": "FINISHED"}, ("finished", "", None, None)),
    ({"status": "IN_PLAY", "minute": 23, "injuryTime": None}, ("live", "first_half", 23, None)),
    ({"status": "IN_PLAY", "minute": 45, "injuryTime": 2}, ("live", "first_half", 45, 2)),
    ({"status": "PAUSED", "minute": 45, "injuryTime": 3}, ("live", "half_time", 45, 3)),
    ({"status": "IN_PLAY", "minute": "67"}, ("live", "second_half", 67, None)),
    ({"status": "IN_PLAY", "minute": "90+4"}, ("live", "second_half", 90, 4)),
    ({"status": "IN_PLAY", "minute": 93}, ("live", "second_half", 90, 3)),
    ({"status": "EXTRA_TIME", "minute": 101}, ("live", "extra_time", 101, None)),
    ({"status": "PENALTY_SHOOTOUT", "minute": 120}, ("live", "penalties", 120, None)),
    ({"status": "POSTPONED"}, ("postponed", "", None, None)),
])
def test_live_state(fields, expected):
    state = live_state(match_item(**fields))
    assert (state.status, state.period, state.minute, state.added) == expected
    assert state.period in Match.Period.values


def test_first_half_running_score_is_not_a_half_time_score():
    live = match_item(status="IN_PLAY", minute=30,
                      score={"duration": "REGULAR", "fullTime": {"home": 1, "away": 0},
                             "halfTime": {"home": 1, "away": 0}})
    record = parse_matches(listing(live), "live.json")[0]
    assert (record.status, record.home_score, record.away_score, record.home_ht_score) == ("live", 1, 0, None)


def test_a_tournament_in_one_year_is_named_by_its_year():
    world_cup = match_item(competition={"id": 2000, "name": "FIFA World Cup", "code": "WC", "type": "CUP"},
                           season={"id": 1382, "startDate": "2022-11-20", "endDate": "2022-12-18"},
                           stage="QUARTER_FINALS", matchday=None)
    record = parse_matches(listing(world_cup), "wc.json")[0]
    assert (record.season_name, record.round, record.matchday) == ("2022", "Quarter-finals", None)


def test_a_shoot_out_is_not_part_of_the_score():
    """The 2022 World Cup final: 3-3 after extra time, 4-2 on penalties; the API's fullTime says 7-5."""
    score = {"winner": "HOME_TEAM", "duration": "PENALTY_SHOOTOUT", "fullTime": {"home": 7, "away": 5},
             "halfTime": {"home": 2, "away": 0}, "regularTime": {"home": 2, "away": 2},
             "extraTime": {"home": 1, "away": 1}, "penalties": {"home": 4, "away": 2}}
    final = parse_matches(listing(match_item(score=score)), "final.json")[0]
    assert (final.home_score, final.away_score, final.home_ht_score) == (3, 3, 2)

    only_penalties = {key: value for key, value in score.items() if key not in ("regularTime", "extraTime")}
    final = parse_matches(listing(match_item(score=only_penalties)), "final.json")[0]
    assert (final.home_score, final.away_score) == (3, 3)

    neither = {key: value for key, value in only_penalties.items() if key != "penalties"}
    with pytest.raises(RecordError, match="shoot-out") as caught:
        parse_matches(listing(match_item(score=neither)), "final.json")
    assert caught.value.origin.record == "matches[0].score.fullTime"


def test_a_fixture_without_its_teams_yet_is_left_out():
    undrawn = match_item(id=1, status="TIMED", homeTeam={"id": None, "name": None}, awayTeam={"id": None, "name": None},
                         score={"duration": "REGULAR", "fullTime": {"home": None, "away": None}})
    records = parse_matches(listing(undrawn, match_item()), "cl.json")
    assert [record.external_id for record in records] == ["436161"]


def test_a_single_match_object_and_unknown_fields():
    item = match_item(somethingNew={"nested": [1, 2]}, venue="Etihad Stadium", attendance=53_000)
    record = parse_matches(item, "match_436161.json")[0]
    assert (record.external_id, record.venue.name, record.attendance, record.referee) == (
        "436161", "Etihad Stadium", 53_000, "Anthony Taylor")
    assert record.origin.record == "match 436161"


# Events of a single match


def test_goals_bookings_and_substitutions_become_events():
    record = parse_matches(single_match_with_events(), "match.json")[0]
    rows = [(event.kind, event.period, event.minute, event.added_minute, event.team.name,
             event.player.name if event.player else None) for event in record.events]
    assert rows == [
        ("goal", 1, 21, None, "Brentford FC", "Neal Maupay"),
        ("yellow_card", 1, 30, None, "Brentford FC", "Christian Nørgaard"),
        ("yellow_card", 1, 30, None, "Brentford FC", "Vitaly Janelt"),
        ("own_goal", 1, 45, 2, "Brentford FC", "Ethan Pinnock"),  # conceded by Brentford, counts for City
        ("substitution", 2, 62, None, "Manchester City FC", "Julián Álvarez"),
        ("penalty_scored", 2, 71, None, "Manchester City FC", "Erling Haaland"),
        ("second_yellow", 2, 80, None, "Brentford FC", "Christian Nørgaard"),
        ("goal", 2, 90, 4, "Manchester City FC", "Phil Foden"),
    ]
    assert {event.kind for event in record.events} <= set(MatchEvent.Kind.values)
    assert [event.source_index for event in record.events] == list(range(8))
    # The timeline agrees with the score the match shows.
    assert goals_from_events(record.events, record.home, record.away) == (3, 1)
    assert goals_from_events(record.events, record.home, record.away, up_to_period=1) == (1, 1)
    foden = record.events[-1]
    assert (foden.player.external_id, foden.related_player.name) == ("4", "Kevin De Bruyne")
    substitution = record.events[4]
    assert substitution.related_player.name == "Phil Foden"  # the player coming on


def test_event_ids_are_stable_across_resends_and_spellings():
    first = parse_matches(single_match_with_events(), "poll-1.json")[0]
    resent = single_match_with_events()
    resent["goals"][0]["scorer"]["name"] = "N. Maupay"
    resent["bookings"].append({"minute": 88, "team": {"id": 65}, "player": person(9, "Rodri"), "card": "YELLOW"})
    second = parse_matches(resent, "poll-2.json")[0]
    first_ids = [event.external_id for event in first.events]
    second_ids = {event.external_id for event in second.events}
    assert set(first_ids) < second_ids and len(second_ids) == 9
    assert len(set(first_ids)) == len(first_ids)  # two yellows in the same minute stay two
    assert first_ids[0] == "football_data_org:436161:goal:21+0:402:1"
    assert {first_ids[1], first_ids[2]} == {"football_data_org:436161:booking:30+0:402:1",
                                            "football_data_org:436161:booking:30+0:402:2"}


# Bad input


@pytest.mark.parametrize("change, path, message", [
    (lambda item: item.pop("utcDate"), "matches[1].utcDate", "UTC date"),
    (lambda item: item.update(utcDate="29/12/2023"), "matches[1].utcDate", "UTC date"),
    (lambda item: item["score"]["fullTime"].update(home="3"), "matches[1].score.fullTime.home", "whole number"),
    (lambda item: item["score"]["fullTime"].update(away=None), "matches[1].score.fullTime", "one side"),
    (lambda item: item.update(status="HALFTIME"), "matches[1].status", "unknown match status"),
    (lambda item: item.pop("homeTeam"), "matches[1].homeTeam", "must be an object"),
    (lambda item: item.update(season={"startDate": "2023-08-11"}), "matches[1].season.endDate", "date"),
    (lambda item: item.update(competition=None), "matches[1].competition", "must be an object"),
])
def test_bad_input_names_the_file_and_the_path(change, path, message):
    bad = match_item(id=2)
    change(bad)
    with pytest.raises(RecordError, match=message) as caught:
        parse_matches(listing(match_item(), bad), "matches.json")
    assert caught.value.origin.record == path
    assert str(caught.value).startswith(f"matches.json, {path}: ")


def test_an_event_of_a_team_not_in_the_match_is_bad_input():
    item = single_match_with_events()
    item["bookings"][0]["team"] = {"id": 999, "name": "Someone Else"}
    with pytest.raises(RecordError, match="team 999") as caught:
        parse_matches(item, "match.json")
    assert caught.value.origin.record == "bookings[0].team.id"


def test_a_payload_that_is_not_matches():
    with pytest.raises(RecordError, match="neither"):
        parse_matches({"errorCode": 403, "message": "restricted"}, "forbidden.json")
    with pytest.raises(RecordError, match="must be a list"):
        parse_matches({"matches": {"id": 1}}, "odd.json")
    with pytest.raises(RecordError, match="standings"):
        parse_standings({"competition": {"code": "PL", "name": "Premier League"},
                         "season": {"startDate": "2023-08-11", "endDate": "2024-05-19"}}, "table.json")


def test_standings_form_and_home_away_tables():
    line = {"position": 1, "team": team(65, "Manchester City FC"), "playedGames": 5, "form": "W,W,D,L,W",
            "won": 3, "draw": 1, "lost": 1, "points": 10, "goalsFor": 9, "goalsAgainst": 4, "goalDifference": 5}
    payload = {"competition": {"code": "PL", "name": "Premier League", "type": "LEAGUE"},
               "season": {"startDate": "2023-08-11", "endDate": "2024-05-19"},
               "standings": [{"stage": "REGULAR_SEASON", "type": kind, "group": None, "table": [copy.deepcopy(line)]}
                             for kind in ("TOTAL", "HOME", "AWAY")]}
    rows = parse_standings(payload, "table.json")
    assert [row.table_type for row in rows] == ["TOTAL", "HOME", "AWAY"]
    assert (rows[0].form, rows[0].team.external_id, rows[0].goal_difference) == ("WWDLW", "65", 5)

    payload["standings"][1]["table"][0]["won"] = -1
    with pytest.raises(RecordError, match="negative") as caught:
        parse_standings(payload, "table.json")
    assert caught.value.origin.record == "standings[1].table[0].won"
