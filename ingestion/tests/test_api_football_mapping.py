"""API-Football v3 payloads -> records: recorded responses, live resends, odds, and bad payloads."""

import copy
import datetime as dt
import json
from decimal import Decimal

import pytest

from ingestion.providers.api_football.mapping import (
    bookmakers_from_odds,
    live_state,
    live_updates,
    parse_events,
    parse_fixtures,
    parse_lineups,
    parse_odds,
    parse_player_season_stats,
    parse_standings,
    parse_statistics,
    parse_team_season_stats,
    season_name,
)
from matches.records import RecordError, TeamRef, goals_from_events

UTC = dt.UTC
OTELUL = TeamRef("api_football", "Oţelul", "6886")
UTA_ARAD = TeamRef("api_football", "Uta Arad", "2589")


@pytest.fixture
def recorded(shared_data):
    """Callable: recorded("teo2823_live-fut", "fixtures_live_all_2024-02-21.json") -> decoded JSON."""
    def load(folder: str, name: str):
        return json.loads(shared_data("providers", "api-football-v3", folder, name).read_text(encoding="utf-8"))
    return load


def stefan(recorded, name):
    return recorded("stefan-dudu_football-statistics", name)


def teo(recorded, name):
    return recorded("teo2823_live-fut", name)


def by_id(records, external_id):
    return next(record for record in records if record.external_id == external_id)


def event(elapsed, team, kind="Goal", detail="Normal Goal", player=(None, None), assist=(None, None),
          extra=None, comments=None):
    """One event as /fixtures/events sends it."""
    return {
        "time": {"elapsed": elapsed, "extra": extra},
        "team": {"id": int(team.external_id), "name": team.name, "logo": "https://media.api-sports.io/x.png"},
        "player": {"id": player[0], "name": player[1]}, "assist": {"id": assist[0], "name": assist[1]},
        "type": kind, "detail": detail, "comments": comments,
    }


def fixture_item(**changes):
    """A /fixtures item of the documented shape; ``changes`` replace top-level parts."""
    item = {
        "fixture": {"id": 4242, "referee": None, "timezone": "UTC", "date": "2024-03-02T15:00:00+00:00",
                    "timestamp": 1709391600, "venue": {"id": None, "name": None, "city": None},
                    "status": {"long": "Match Finished", "short": "FT", "elapsed": 90}},
        "league": {"id": 39, "name": "Premier League", "country": "England", "season": 2023,
                   "round": "Regular Season - 27"},
        "teams": {"home": {"id": 40, "name": "Liverpool"}, "away": {"id": 1359, "name": "Luton"}},
        "goals": {"home": 4, "away": 1},
        "score": {"halftime": {"home": 1, "away": 1}, "fulltime": {"home": 4, "away": 1},
                  "extratime": {"home": None, "away": None}, "penalty": {"home": None, "away": None}},
    }
    item.update(changes)
    return item


def envelope(*items, get="fixtures", **parameters):
    return {"get": get, "parameters": parameters, "errors": [], "results": len(items),
            "paging": {"current": 1, "total": 1}, "response": list(items)}


# /fixtures: recorded responses


@pytest.mark.realdata
def test_last_round_of_liga_i_is_ten_finished_matches(recorded):
    records = parse_fixtures(stefan(recorded, "fixtures_league283_season2023_last10.json"), "last10.json")

    assert len(records) == 10
    assert {record.status for record in records} == {"finished"}
    assert {record.season_name for record in records} == {"2023/24"}
    assert {(r.competition.source, r.competition.external_id, r.competition.name, r.competition.country)
            for r in records} == {("api_football", "283", "Liga I", "Romania")}
    otelul_fcsb = by_id(records, "1049783")
    assert (otelul_fcsb.home.name, otelul_fcsb.away.name) == ("Oţelul", "FCSB")
    assert (otelul_fcsb.home.external_id, otelul_fcsb.away.external_id) == ("6886", "559")
    assert (otelul_fcsb.home_score, otelul_fcsb.away_score) == (0, 2)
    assert (otelul_fcsb.home_ht_score, otelul_fcsb.away_ht_score) == (0, 1)
    assert otelul_fcsb.kickoff == dt.datetime(2023, 7, 29, 18, 30, tzinfo=UTC)
    assert otelul_fcsb.referee == "Iulian Dima"  # "Iulian Dima, Romania" in the file
    assert (otelul_fcsb.venue.name, otelul_fcsb.venue.city, otelul_fcsb.venue.external_id) == (
        "Stadionul Oţelul", "Galaţi", "5026")
    assert (otelul_fcsb.round, otelul_fcsb.matchday) == ("Regular Season - 3", 3)


@pytest.mark.realdata
def test_next_fixtures_are_scheduled_without_a_score(recorded):
    records = parse_fixtures(stefan(recorded, "fixtures_league283_season2023_next10.json"), "next10.json")

    assert len(records) == 10
    assert {record.status for record in records} == {"scheduled"}  # NS and TBD
    assert {record.home_score for record in records} == {None}
    to_be_defined = by_id(records, "1049797")
    assert (to_be_defined.home.name, to_be_defined.away.name) == ("AFC Hermannstadt", "FCSB")
    assert to_be_defined.kickoff == dt.datetime(2023, 8, 12, tzinfo=UTC)
    assert to_be_defined.matchday == 5


@pytest.mark.realdata
def test_head_to_head_spans_seasons_and_competitions(recorded):
    records = parse_fixtures(stefan(recorded, "fixtures_headtohead_33-34_last10.json"), "h2h.json")

    newcastle_united = by_id(records, "868233")
    assert (newcastle_united.home.name, newcastle_united.away.name) == ("Newcastle", "Man Utd")
    assert (newcastle_united.home_score, newcastle_united.away_score) == (2, 0)
    assert newcastle_united.season_name == "2022/23"  # API-Football season 2022
    assert newcastle_united.kickoff == dt.datetime(2023, 4, 2, 15, 30, tzinfo=UTC)
    final = by_id(records, "998280")
    assert (final.competition.name, final.round, final.matchday) == ("League Cup", "Final", None)
    assert final.season_name == "2022/23"
    assert by_id(records, "157201").referee == "Kevin Friend"  # "Kevin Friend, England"
    assert by_id(records, "272").season_name == "2018/19"


@pytest.mark.realdata
def test_live_snapshot_gives_score_clock_and_events(recorded):
    payload = teo(recorded, "fixtures_live_all_2024-02-21.json")
    records = parse_fixtures(payload, "live-2024-02-21.json")
    updates = {update.external_id: update for update in live_updates(payload, "live-2024-02-21.json")}

    assert len(records) == 24
    assert {record.status for record in records} == {"live"}
    assert sum(len(record.events) for record in records) == 64
    liverpool_luton = by_id(records, "1035430")
    assert (liverpool_luton.home.name, liverpool_luton.away.name) == ("Liverpool", "Luton")
    assert (liverpool_luton.home_score, liverpool_luton.away_score) == (2, 1)
    assert (liverpool_luton.home_ht_score, liverpool_luton.away_ht_score) == (0, 1)
    assert liverpool_luton.referee == "Andy Madley"
    assert liverpool_luton.venue.name == "Anfield"
    assert updates["1035430"].state.period == "second_half"
    assert (updates["1035430"].state.minute, updates["1035430"].state.added) == (67, None)
    assert (updates["1035430"].home_score, updates["1035430"].away_score) == (2, 1)
    goals = [(e.minute, e.team.name, e.player.name, e.related_player.name if e.related_player else None)
             for e in liverpool_luton.events if e.kind == "goal"]
    assert goals == [(12, "Luton", "C. Ogbene", None), (56, "Liverpool", "V. van Dijk", "A. Mac Allister"),
                     (58, "Liverpool", "C. Gakpo", "A. Mac Allister")]
    assert goals_from_events(liverpool_luton.events, liverpool_luton.home, liverpool_luton.away) == (2, 1)
    assert [e.source_index for e in liverpool_luton.events] == list(range(8))

    porto_arsenal = updates["1149522"]
    assert (porto_arsenal.state.status, porto_arsenal.state.period, porto_arsenal.state.minute) == (
        "live", "half_time", 45)
    assert by_id(records, "1149522").season_name == "2023/24"  # UEFA Champions League 2023
    assert by_id(records, "1151671").season_name == "2024"  # Copa Argentina 2024
    assert by_id(records, "1167870").venue is None  # the Reserve League gives no venue


@pytest.mark.realdata
def test_two_live_snapshots_a_week_apart(recorded):
    first = parse_fixtures(teo(recorded, "fixtures_live_all_2024-02-21.json"), "live-2024-02-21.json")
    second = parse_fixtures(teo(recorded, "fixtures_live_all_2024-02-28.json"), "live-2024-02-28.json")

    assert len(second) == 14
    assert not {r.external_id for r in first} & {r.external_id for r in second}
    event_ids = [e.external_id for record in first + second for e in record.events]
    assert len(event_ids) == len(set(event_ids)) == 64 + 34
    # The Argentine Reserve League plays a round a week: one competition and season, matchdays 2 then 3.
    reserves = [(r.competition, r.season_name, r.matchday)
                for r in first + second if r.competition.external_id == "906"]
    assert {(competition, season) for competition, season, _ in reserves} == {(reserves[0][0], "2024")}
    assert sorted({matchday for *_, matchday in reserves}) == [2, 3]
    assert by_id(second, "1150289").season_name == "2023/24"  # Liga MX Clausura 2024 is season 2023
    assert by_id(second, "1149593").season_name == "2024"  # CONMEBOL Libertadores


@pytest.mark.realdata
def test_live_statistics_items_belong_to_the_live_match(recorded):
    bragantino = by_id(parse_fixtures(teo(recorded, "fixtures_live_all_2024-02-28.json"), "live.json"), "1149591")
    home = parse_statistics(teo(recorded, "fixtures_statistics_item_home.json"), "home.json")
    away = parse_statistics(teo(recorded, "fixtures_statistics_item_away.json"), "away.json")

    assert list(home) == [bragantino.home.external_id] == ["794"]
    assert list(away) == [bragantino.away.external_id] == ["1144"]
    assert (home["794"].possession, away["1144"].possession) == (71.0, 29.0)
    assert (home["794"].shots, home["794"].shots_on_target, home["794"].offsides) == (4, 1, 1)
    assert (home["794"].xg, home["794"].red_cards) == (None, None)


# /fixtures/events, /fixtures/lineups, /fixtures/statistics of one match


@pytest.mark.realdata
def test_events_of_otelul_uta_arad(recorded):
    events = parse_events(stefan(recorded, "fixtures_events_1049765.json"), "events.json", home=OTELUL, away=UTA_ARAD)

    assert len(events) == 16
    assert [e.kind for e in events].count("substitution") == 10
    first_goal = events[0]
    assert (first_goal.kind, first_goal.period, first_goal.minute, first_goal.added_minute) == ("goal", 1, 45, 5)
    assert (first_goal.team, first_goal.player.name, first_goal.player.external_id) == (UTA_ARAD, "R. Pop", "366080")
    var = events[5]
    assert (var.kind, var.minute, var.team, var.player.name) == ("var", 57, UTA_ARAD, "Cristian Mihai")
    assert var.outcome == "Goal cancelled"
    assert var.details == {"detail": "Goal cancelled", "comments": "Foul"}
    red = events[10]
    assert (red.kind, red.minute, red.team, red.player.name, red.details["comments"]) == (
        "red_card", 75, UTA_ARAD, "Damian Isac", "Handball")
    assert [(e.minute, e.team.name) for e in events if e.kind == "yellow_card"] == [(69, "Oţelul"), (84, "Oţelul")]
    last = events[-1]
    assert (last.kind, last.period, last.minute, last.added_minute) == ("substitution", 2, 90, 3)
    assert goals_from_events(events, OTELUL, UTA_ARAD) == (1, 1)  # the VAR decision scores nothing
    assert all(e.external_id.startswith("1049765:") for e in events)
    assert len({e.external_id for e in events}) == 16


@pytest.mark.realdata
def test_substitutions_agree_with_the_lineups(recorded):
    """Our player goes off, related_player comes on: starters only ever go off."""
    lineups = parse_lineups(stefan(recorded, "fixtures_lineups_1049765.json"), "lineups.json")
    events = parse_events(stefan(recorded, "fixtures_events_1049765.json"), "events.json", home=OTELUL, away=UTA_ARAD)
    starters = {entry.player.external_id for lineup in lineups for entry in lineup.entries if entry.is_starter}
    bench = {entry.player.external_id for lineup in lineups for entry in lineup.entries if not entry.is_starter}

    substitutions = [e for e in events if e.kind == "substitution"]
    assert all(e.player.external_id in starters | bench for e in substitutions)
    assert all(e.related_player.external_id in bench for e in substitutions)
    mihai_off = next(e for e in substitutions if e.minute == 60)
    assert (mihai_off.player.name, mihai_off.related_player.name) == ("C. Mihai", "D. Isac")  # Isac then sees red
    assert mihai_off.details["substitution"] == 3


@pytest.mark.realdata
def test_live_feed_with_player_and_assist_swapped_is_read_the_right_way_round(recorded):
    """Live feeds name the player coming on first; the match's own events give it away."""
    records = parse_fixtures(teo(recorded, "fixtures_live_all_2024-02-21.json"), "live.json")
    mohammedia = by_id(records, "1174927")
    substitutions = {(e.minute, e.related_player.name): e.player.name
                     for e in mohammedia.events if e.kind == "substitution"}

    assert substitutions[(77, "M. Dabdouby")] == "I. Mihrab"  # Mihrab scored at 32': he went off
    assert substitutions[(37, "S. Morsli")] == "B. Haba"  # Morsli is booked at 55': he came on
    assert substitutions[(69, "A. Ballouchy")] == "I. Benktib"  # Ballouchy is booked at 79'


@pytest.mark.realdata
def test_lineups_have_formation_starters_and_substitutes(recorded):
    lineups = parse_lineups(stefan(recorded, "fixtures_lineups_1049765.json"), "lineups.json")

    assert [(lineup.team.name, lineup.team.external_id, lineup.formation) for lineup in lineups] == [
        ("Oţelul", "6886", "4-3-3"), ("Uta Arad", "2589", "4-2-3-1")]
    for lineup in lineups:
        assert sum(entry.is_starter for entry in lineup.entries) == 11
        assert sum(not entry.is_starter for entry in lineup.entries) == 9
    keeper = lineups[0].entries[0]
    assert (keeper.player.name, keeper.player.external_id, keeper.shirt_number, keeper.position, keeper.is_starter) == (
        "R. Stoian", "43125", 12, "GK", True)
    assert {entry.position for entry in lineups[0].entries} == {"GK", "DF", "MF", "FW"}


@pytest.mark.realdata
def test_match_statistics_with_possession_and_expected_goals(recorded):
    stats = parse_statistics(stefan(recorded, "fixtures_statistics_1049765.json"), "statistics.json")
    porto = parse_statistics(teo(recorded, "fixtures_statistics_1149522_team212.json"), "porto.json")

    otelul, uta = stats["6886"], stats["2589"]
    assert (otelul.shots, otelul.shots_on_target, otelul.corners, otelul.fouls) == (12, 5, 3, 19)
    assert (otelul.possession, uta.possession) == (44.0, 56.0)
    assert (otelul.xg, uta.xg) == (1.64, 0.57)
    assert (otelul.yellow_cards, uta.yellow_cards) == (2, 5)
    assert (otelul.offsides, uta.red_cards) == (None, None)  # null in the file
    assert list(porto) == ["212"]
    assert (porto["212"].possession, porto["212"].xg, porto["212"].shots) == (35.0, 1.17, 8)


# Live resends


def test_a_resend_keeps_event_ids_while_details_fill_in():
    home, away = TeamRef("api_football", "Liverpool", "40"), TeamRef("api_football", "Luton", "1359")
    first = [
        event(12, away, player=(None, "C. Ogbene")),
        event(18, away, "Card", "Yellow Card", player=(19829, "A. Doughty")),
        event(45, home, player=(290, "V. van Dijk")),
        event(46, away, "subst", "Substitution 1", player=(19767, "P. Mpanzu"), assist=(1427, "A. S. Lokonga")),
    ]
    resend = copy.deepcopy(first)
    resend[0]["player"] = {"id": 19365, "name": "Chiedozie Ogbene"}  # name and id filled in later
    resend[2]["assist"] = {"id": 6716, "name": "A. Mac Allister"}  # assist added later
    resend[2]["time"]["extra"] = 2  # and the added minute
    resend[2]["detail"] = "Penalty"  # and re-classified
    resend.append(event(58, home, player=(247, "C. Gakpo")))

    before = parse_events(first, "poll 1", home=home, away=away, fixture_id=1035430)
    after = parse_events(resend, "poll 2", home=home, away=away, fixture_id=1035430)

    assert [e.external_id for e in after[:4]] == [e.external_id for e in before]
    assert after[4].external_id not in {e.external_id for e in before}
    assert (after[2].minute, after[2].added_minute, after[2].kind) == (45, 2, "penalty_scored")
    assert after[2].related_player.name == "A. Mac Allister"


def test_two_goals_in_the_same_minute_by_the_same_team_are_two_events():
    home = TeamRef("api_football", "Manchester City U18", "15381")
    away = TeamRef("api_football", "Newcastle United U18", "15384")
    events = parse_events([event(42, home, player=(None, "L. Fletcher")), event(42, home, player=(None, "A. Muir"))],
                          "poll", home=home, away=away, fixture_id=1107495)

    assert len({e.external_id for e in events}) == 2
    assert goals_from_events(events, home, away) == (2, 0)


def test_own_goal_counts_for_the_side_api_football_credits():
    """API-Football files an own goal under the team it counts for; ours is the defender's side."""
    home, away = TeamRef("api_football", "Barcelona", "529"), TeamRef("api_football", "Getafe", "546")
    events = parse_events([event(12, away, detail="Own Goal", player=(133, "C. Lenglet"))], "poll",
                          home=home, away=away, fixture_id=1)

    assert (events[0].kind, events[0].team, events[0].player.name) == ("own_goal", home, "C. Lenglet")
    assert events[0].details["credited_team"] == "546"
    assert goals_from_events(events, home, away) == (0, 1)


def test_shootout_kicks_are_period_five_and_never_score():
    home, away = TeamRef("api_football", "Italy", "768"), TeamRef("api_football", "England", "10")
    kicks = [
        event(67, away, player=(1, "L. Shaw")),
        event(73, home, player=(2, "L. Bonucci")),
        event(120, home, detail="Penalty", extra=1, comments="Penalty Shootout", player=(3, "D. Berardi")),
        event(120, away, detail="Penalty", extra=2, comments="Penalty Shootout", player=(4, "H. Kane")),
        event(120, home, detail="Missed Penalty", extra=3, player=(5, "A. Belotti")),  # the comment came later
    ]
    events = parse_events(envelope(*kicks, get="fixtures/events", fixture="339079"), "events", home=home, away=away,
                          shootout=True)

    assert [(e.kind, e.period, e.minute, e.added_minute) for e in events[2:]] == [
        ("penalty_scored", 5, 120, None), ("penalty_scored", 5, 120, None), ("penalty_missed", 5, 120, None)]
    assert events[2].details["shootout_kick"] == 1
    assert goals_from_events(events, home, away) == (1, 1)


def test_unknown_event_type_is_kept_as_other():
    events = parse_events([event(30, OTELUL, "Injury", "Stretcher")], "poll", home=OTELUL, away=UTA_ARAD, fixture_id=7)

    assert (events[0].kind, events[0].raw_type, events[0].details["detail"]) == ("other", "Injury", "Stretcher")


# Clock and seasons


@pytest.mark.parametrize(("status", "expected"), [
    ({"short": "1H", "elapsed": 47}, ("live", "first_half", 45, 2)),
    ({"short": "HT", "elapsed": 45}, ("live", "half_time", 45, None)),
    ({"short": "2H", "elapsed": 90, "extra": 4}, ("live", "second_half", 90, 4)),
    ({"short": "ET", "elapsed": 101}, ("live", "extra_time", 101, None)),
    ({"short": "P", "elapsed": 120}, ("live", "penalties", 120, None)),
    ({"short": "SUSP", "elapsed": 71}, ("live", "second_half", 71, None)),
    ({"short": "FT", "elapsed": 90}, ("finished", "", None, None)),
    ({"short": "PST", "elapsed": None}, ("postponed", "", None, None)),
    ({"short": "CANC", "elapsed": None}, ("cancelled", "", None, None)),
])
def test_live_state(status, expected):
    state = live_state({"fixture": {"id": 1, "status": {"long": "", **status}}})

    assert (state.status, state.period, state.minute, state.added) == expected


@pytest.mark.parametrize(("league", "expected"), [
    ({"id": 39, "name": "Premier League", "country": "England", "season": 2023}, "2023/24"),
    ({"id": 262, "name": "Liga MX", "country": "Mexico", "season": 2023}, "2023/24"),
    ({"id": 71, "name": "Serie A", "country": "Brazil", "season": 2024}, "2024"),
    ({"id": 2, "name": "UEFA Champions League", "country": "World", "season": 2023}, "2023/24"),
    ({"id": 3, "name": "UEFA Europa League", "country": "World", "season": 2023}, "2023/24"),
    ({"id": 13, "name": "CONMEBOL Libertadores", "country": "World", "season": 2024}, "2024"),
    ({"id": 1, "name": "World Cup", "country": "World", "season": 2022}, "2022"),
])
def test_season_name(league, expected):
    assert season_name(league) == expected


def test_fixture_by_id_brings_events_lineups_and_statistics():
    """/fixtures?id= embeds the match's events, lineups and statistics: one record carries them all."""
    liverpool, luton = TeamRef("api_football", "Liverpool", "40"), TeamRef("api_football", "Luton", "1359")

    def lineup(team, starters, substitutes):
        return {"team": {"id": int(team.external_id), "name": team.name}, "formation": "4-3-3",
                "startXI": [{"player": {"id": pid, "name": name, "number": pid % 99, "pos": "M", "grid": "3:1"}}
                            for pid, name in starters],
                "substitutes": [{"player": {"id": pid, "name": name, "number": pid % 99, "pos": "F", "grid": None}}
                                for pid, name in substitutes]}

    def statistics(team, possession, xg):
        return {"team": {"id": int(team.external_id), "name": team.name}, "statistics": [
            {"type": "Total Shots", "value": 20}, {"type": "Ball Possession", "value": possession},
            {"type": "expected_goals", "value": xg}]}

    item = fixture_item(
        events=[event(63, luton, "subst", "Substitution 3", player=(906, "T. Chong"), assist=(20189, "J. Clark"))],
        lineups=[lineup(liverpool, [(290, "V. van Dijk")], []),
                 lineup(luton, [(906, "T. Chong")], [(20189, "J. Clark")])],
        statistics=[statistics(liverpool, "70%", "3.54"), statistics(luton, "30%", "0.63")],
    )

    record = parse_fixtures(envelope(item, id="4242"), "fixtures?id=4242")[0]

    assert (record.home_stats.possession, record.home_stats.xg, record.away_stats.possession) == (70.0, 3.54, 30.0)
    assert [(lineup.team, lineup.formation) for lineup in record.lineups] == [(liverpool, "4-3-3"), (luton, "4-3-3")]
    chong, clark = record.lineups[1].entries
    assert (chong.player.name, chong.is_starter, chong.subbed_off_minute) == ("T. Chong", True, 63)
    assert (clark.player.name, clark.is_starter, clark.subbed_on_minute, clark.position) == (
        "J. Clark", False, 63, "FW")
    assert (record.events[0].player.name, record.events[0].related_player.name) == ("T. Chong", "J. Clark")


def test_awarded_match_without_a_score_is_not_a_result():
    item = fixture_item(goals={"home": None, "away": None})
    item["fixture"]["status"] = {"long": "Technical Loss", "short": "AWD", "elapsed": None}

    record = parse_fixtures(envelope(item), "awd")[0]

    assert record.status == "abandoned"
    assert "AWD" in record.warnings[0]


# /odds (no recorded response: the documented shape)


def odds_payload(**bookmaker_changes):
    bookmaker = {"id": 8, "name": "Bet365", "bets": [
        {"id": 1, "name": "Match Winner", "values": [
            {"value": "Home", "odd": "1.65"}, {"value": "Draw", "odd": "4.00"}, {"value": "Away", "odd": "5.25"}]},
        {"id": 5, "name": "Goals Over/Under", "values": [
            {"value": "Over 2.5", "odd": "1.80"}, {"value": "Under 2.5", "odd": "2.00"},
            {"value": "Over 3.5", "odd": "2.75"}, {"value": "Under 3.5", "odd": "1.44"}]},
        {"id": 4, "name": "Asian Handicap", "values": [
            {"value": "Home -0.5", "odd": "1.65"}, {"value": "Away +0.5", "odd": "2.25"}]},
        {"id": 8, "name": "Both Teams Score", "values": [{"value": "Yes", "odd": "1.70"}]},
    ]}
    bookmaker.update(bookmaker_changes)
    return envelope({
        "league": {"id": 39, "name": "Premier League", "country": "England", "season": 2023},
        "fixture": {"id": 1035430, "timezone": "UTC", "date": "2024-02-21T19:30:00+00:00", "timestamp": 1708543800},
        "update": "2024-02-21T17:02:11+00:00",
        "bookmakers": [bookmaker, {"id": 11, "name": "1xBet", "bets": [
            {"id": 1, "name": "Match Winner", "values": [
                {"value": "Home", "odd": "1.70"}, {"value": "Draw", "odd": "1.00"},
                {"value": "Away", "odd": "5.40"}]}]}],
    }, get="odds", fixture="1035430")


def test_odds_snapshot_of_three_markets():
    odds = parse_odds(odds_payload(), "odds")

    assert list(odds) == ["1035430"]
    quotes = {(o.bookmaker_code, o.market, o.selection, o.line): o.price for o in odds["1035430"]}
    assert quotes == {
        ("api_football:8", "1x2", "home", Decimal(0)): 1.65,
        ("api_football:8", "1x2", "draw", Decimal(0)): 4.0,
        ("api_football:8", "1x2", "away", Decimal(0)): 5.25,
        ("api_football:8", "over_under", "over", Decimal("2.5")): 1.8,
        ("api_football:8", "over_under", "under", Decimal("2.5")): 2.0,
        ("api_football:8", "over_under", "over", Decimal("3.5")): 2.75,
        ("api_football:8", "over_under", "under", Decimal("3.5")): 1.44,
        # The line is the home side's handicap, on both selections of the book.
        ("api_football:8", "asian_handicap", "home", Decimal("-0.5")): 1.65,
        ("api_football:8", "asian_handicap", "away", Decimal("-0.5")): 2.25,
        ("api_football:11", "1x2", "home", Decimal(0)): 1.7,  # its draw at 1.00 is no price
        ("api_football:11", "1x2", "away", Decimal(0)): 5.4,
    }
    assert {(o.phase, o.taken_at) for o in odds["1035430"]} == {
        ("snapshot", dt.datetime(2024, 2, 21, 17, 2, 11, tzinfo=UTC))}
    assert bookmakers_from_odds(odds_payload()) == {"api_football:8": ("Bet365", False),
                                                    "api_football:11": ("1xBet", False)}


def test_odds_with_a_price_that_is_no_number_name_it():
    payload = odds_payload(bets=[{"id": 1, "name": "Match Winner", "values": [{"value": "Home", "odd": "evens"}]}])

    with pytest.raises(RecordError) as error:
        parse_odds(payload, "odds?fixture=1035430")

    assert error.value.origin.record == "response[0].bookmakers[0].bets[0].values[0].odd"
    assert "odds?fixture=1035430" in str(error.value)


# Standings, players, teams


@pytest.mark.realdata
def test_standings_after_matchday_one(recorded):
    rows = parse_standings(stefan(recorded, "standings_league283_season2023.json"), "standings.json")

    assert len(rows) == 16
    assert [row.rank for row in rows] == list(range(1, 17))
    top = rows[0]
    assert (top.team.name, top.team.external_id, top.points) == ("FCSB", "559", 3)
    assert (top.played, top.won, top.drawn, top.lost, top.goals_for, top.goals_against) == (1, 1, 0, 0, 3, 1)
    assert (top.form, top.description, top.group) == ("W", "Championship Round", "Liga I: Regular Season")
    assert (top.competition.external_id, top.season_name) == ("283", "2023/24")
    assert (rows[-1].team.name, rows[-1].points, rows[-1].description) == ("Politehnica Iasi", 0, "Relegation Round")


@pytest.mark.realdata
def test_player_season_of_neymar(recorded):
    [season] = parse_player_season_stats(stefan(recorded, "players_id276_season2019.json"), "players.json")

    assert (season.player.name, season.player.known_as, season.player.external_id) == (
        "Neymar da Silva Santos Júnior", "Neymar", "276")
    assert (season.player.nationality, season.player.birth_date) == ("Brazil", dt.date(1992, 2, 5))
    assert (season.team.name, season.competition.name, season.season_name) == (
        "Paris Saint Germain", "Ligue 1", "2019/20")
    assert (season.position, season.appearances, season.starts, season.minutes) == ("FW", 15, 15, 1322)
    assert (season.goals, season.assists, season.shots, season.shots_on_target) == (13, 6, 70, 36)
    assert (season.yellow_cards, season.second_yellows, season.red_cards) == (3, 1, 0)
    assert season.rating == pytest.approx(8.05, abs=0.01)


@pytest.mark.realdata
def test_top_scorers(recorded):
    scorers = parse_player_season_stats(stefan(recorded, "players_topscorers_league283_2023.json"), "top.json")

    assert len(scorers) == 20
    assert (scorers[0].player.known_as, scorers[0].team.name, scorers[0].goals) == ("F. Coman", "FCSB", 2)
    assert scorers[0].player.name == "Florinel Teodor Coman"


@pytest.mark.realdata
def test_team_season_of_fcsb(recorded):
    fcsb = parse_team_season_stats(stefan(recorded, "teams_statistics_team559_league283_2023.json"), "team.json")

    assert (fcsb.team.name, fcsb.competition.name, fcsb.season_name) == ("FCSB", "Liga I", "2023/24")
    assert (fcsb.played.home, fcsb.played.away, fcsb.played.total) == (2, 2, 4)
    assert (fcsb.wins.total, fcsb.draws.total, fcsb.losses.total) == (4, 0, 0)
    assert (fcsb.goals_for.home, fcsb.goals_for.away, fcsb.goals_for.total, fcsb.goals_against.total) == (3, 5, 8, 2)
    assert (fcsb.clean_sheets.total, fcsb.form) == (2, "WWWW")


# Bad payloads


@pytest.mark.parametrize(("change", "path"), [
    (lambda item: item["fixture"].update(date=1709391600), "response[0].fixture.date"),
    (lambda item: item["fixture"].update(date="next Saturday"), "response[0].fixture.date"),
    (lambda item: item.pop("teams"), "response[0].teams"),
    (lambda item: item["teams"]["away"].pop("id"), "response[0].teams.away.id"),
    (lambda item: item.update(goals="4-1"), "response[0].goals"),
    (lambda item: item["goals"].update(home="4"), "response[0].goals.home"),
    (lambda item: item["fixture"]["status"].update(short="XYZ"), "response[0].fixture.status.short"),
    (lambda item: item.update(events=[event(10, TeamRef("api_football", "Arsenal", "42"))]),
     "response[0].events[0].team"),
    (lambda item: item.update(events=[{"time": {"elapsed": "10"}, "type": "Goal"}]),
     "response[0].events[0].time.elapsed"),
])
def test_bad_fixture_names_the_path(change, path):
    item = fixture_item()
    change(item)

    with pytest.raises(RecordError) as error:
        parse_fixtures(envelope(fixture_item(), item), "https://v3.football.api-sports.io/fixtures?date=2024-03-02")

    assert error.value.origin.record == path.replace("response[0]", "response[1]")
    assert str(error.value).startswith("https://v3.football.api-sports.io/fixtures?date=2024-03-02, response[1]")


def test_an_error_answer_is_no_data():
    payload = {"get": "fixtures", "parameters": {"live": "all"}, "errors": {"requests": "You have reached the limit"},
               "results": 0, "paging": {"current": 1, "total": 1}, "response": []}

    with pytest.raises(RecordError, match="reached the limit"):
        parse_fixtures(payload, "live")


def test_events_without_a_fixture_id_are_refused():
    with pytest.raises(RecordError, match="fixture_id"):
        parse_events([event(10, OTELUL)], "events", home=OTELUL, away=UTA_ARAD)
