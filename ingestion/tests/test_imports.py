"""import_matches: identity across sources, idempotence, derived scores, all-or-nothing on bad input."""

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from ingestion.imports import ImportFailed, import_matches
from ingestion.models import IngestionRun
from markets.models import OddsQuote
from matches.models import Match, MatchEvent, Team, TeamAlias, TeamMatchStats, TeamSeasonStats
from matches.records import (
    CompetitionRef, EventRecord, LineupEntryRecord, LineupRecord, MatchRecord, OddsRecord, Origin, PlayerRef,
    TeamRef, TeamStatsRecord,
)
from players.models import Player

pytestmark = pytest.mark.django_db
UTC = dt.UTC


def fd_record(home="Man City", away="Burnley", *, hour=19, line=2, **overrides) -> MatchRecord:
    """A football-data.co.uk-like record: names only, no ids, odds and stats."""
    values = dict(
        origin=Origin("E0.csv", line=line), source="football_data_uk",
        external_id=f"E0:2023-08-11:{home}:{away}",
        competition=CompetitionRef("football_data_uk", "E0"), season_name="2023/24",
        kickoff=dt.datetime(2023, 8, 11, hour, 0, tzinfo=UTC),
        home=TeamRef("football_data_uk", home), away=TeamRef("football_data_uk", away),
        status="finished", home_score=3, away_score=0, home_ht_score=2, away_ht_score=0,
        home_stats=TeamStatsRecord(shots=17, shots_on_target=8), away_stats=TeamStatsRecord(shots=6, shots_on_target=1),
        odds=[
            OddsRecord("B365", "1x2", "home", "pre_match", 1.33),
            OddsRecord("B365", "1x2", "draw", "pre_match", 5.5),
            OddsRecord("B365", "1x2", "away", "pre_match", 8.0),
            OddsRecord("B365", "over_under", "over", "closing", 1.67, line=Decimal("2.5")),
            OddsRecord("B365", "over_under", "under", "closing", 2.2, line=Decimal("2.5")),
        ],
    )
    values.update(overrides)
    return MatchRecord(**values)


def test_second_import_changes_nothing():
    first = import_matches([fd_record()], source="football_data_uk", job="test", bookmakers={"B365": ("Bet365", False)})
    second = import_matches([fd_record()], source="football_data_uk", job="test", bookmakers={"B365": ("Bet365", False)})
    assert (first.created, second.created, second.updated, second.unchanged) == (1, 0, 0, 1)
    match = Match.objects.get()
    assert (match.home_score, match.away_score, match.home_ht_score) == (3, 0, 2)
    book = OddsQuote.objects.get(market="1x2")
    assert (book.home, book.draw, book.away) == (1.33, 5.5, 8.0)
    assert OddsQuote.objects.get(market="over_under").line == Decimal("2.50")
    city = Team.objects.get(aliases__normalized="man city")
    assert match.team_stats.get(team=city).shots == 17


def test_an_import_recomputes_the_team_season_statistics_of_the_seasons_it_touched():
    import_matches([fd_record()], source="football_data_uk", job="test")
    city = Team.objects.get(aliases__normalized="man city")
    row = TeamSeasonStats.objects.get(team=city)
    assert (row.played, row.won, row.goals_for, row.goals_against, row.clean_sheets) == (1, 1, 3, 0, 1)
    assert (row.shots, row.shots_against, row.shots_on_target, row.shots_matches) == (17, 6, 8, 1)
    assert (row.possession, row.xg_for, row.xg_matches) == (None, None, 0)  # football-data gives neither

    import_matches([fd_record(home_score=3, away_score=1)], source="football_data_uk", job="test")
    row.refresh_from_db()
    assert (row.goals_against, row.clean_sheets, TeamSeasonStats.objects.count()) == (1, 0, 2)


def test_same_match_from_another_source_is_one_row_with_one_team_each():
    import_matches([fd_record()], source="football_data_uk", job="test")
    other = MatchRecord(
        origin=Origin("en.1.json", record="matches[0]"), source="openfootball", external_id="en.1:x",
        competition=CompetitionRef("openfootball", "en.1"), season_name="2023/24",
        kickoff=dt.datetime(2023, 8, 11, 19, 30, tzinfo=UTC),  # the sources disagree on the time
        home=TeamRef("openfootball", "Man City"), away=TeamRef("openfootball", "Burnley"),
        status="finished", home_score=3, away_score=0, round="Matchday 1", matchday=1,
    )
    summary = import_matches([other], source="openfootball", job="test")
    assert summary.updated == 1
    match = Match.objects.get()
    assert match.round == "Matchday 1"  # a blank filled in
    assert match.kickoff.hour == 19 and match.kickoff.minute == 0  # the first source's kick-off kept
    assert Team.objects.count() == 2
    assert match.external_ids.count() == 2
    assert match.competition.name == "Premier League"


def test_conflicting_result_from_another_source_is_kept_and_reported():
    import_matches([fd_record()], source="football_data_uk", job="test")
    other = fd_record(source="openfootball", external_id="en.1:y", home_score=2, away_score=0)
    summary = import_matches([other], source="openfootball", job="test")
    assert Match.objects.get().home_score == 3
    assert any("home_score" in conflict for conflict in summary.conflicts)


def test_two_sources_that_disagree_on_a_finished_match_do_not_take_turns_on_reimport():
    """The demo imports football-data.co.uk, then openfootball with a kick-off half an hour later:
    each re-import of both must change nothing, the first source's kick-off staying."""
    first_source = fd_record()
    later_source = fd_record(source="openfootball", external_id="en.1:z", hour=19,
                             kickoff=dt.datetime(2023, 8, 11, 19, 30, tzinfo=UTC), referee="C Pawson")
    import_matches([first_source], source="football_data_uk", job="test")
    import_matches([later_source], source="openfootball", job="test")

    again = [import_matches([first_source], source="football_data_uk", job="test"),
             import_matches([later_source], source="openfootball", job="test")]

    assert [(summary.updated, summary.unchanged) for summary in again] == [(0, 1), (0, 1)]
    match = Match.objects.get()
    assert match.kickoff == dt.datetime(2023, 8, 11, 19, 0, tzinfo=UTC)
    assert match.referee == "C Pawson"  # a blank is filled from the other source


def test_a_source_still_corrects_a_match_it_stored_first_or_one_still_to_be_played():
    import_matches([fd_record()], source="football_data_uk", job="test")
    import_matches([fd_record(referee="A Taylor")], source="football_data_uk", job="test")
    assert Match.objects.get().referee == "A Taylor"

    upcoming = dict(status="scheduled", home_score=None, away_score=None, home_ht_score=None, away_ht_score=None)
    import_matches([fd_record(home="Arsenal", away="Fulham", **upcoming)], source="football_data_uk", job="test")
    rescheduled = fd_record(home="Arsenal", away="Fulham", source="openfootball", external_id="en.1:a", **upcoming)
    import_matches([rescheduled], source="openfootball", job="test")
    moved = dataclasses.replace(rescheduled, kickoff=rescheduled.kickoff + dt.timedelta(hours=2))
    import_matches([moved], source="openfootball", job="test")
    assert Match.objects.get(home_team__name="Arsenal").kickoff == moved.kickoff


def test_a_live_match_is_left_to_the_live_pipeline_by_any_import():
    import_matches([fd_record()], source="football_data_uk", job="test")
    Match.objects.update(status="live", home_score=1, away_score=0, home_ht_score=None, away_ht_score=None)
    scheduled = fd_record(source="openfootball", external_id="en.1:live", status="scheduled",
                          home_score=None, away_score=None, home_ht_score=None, away_ht_score=None)

    summaries = [import_matches([fd_record()], source="football_data_uk", job="test"),
                 import_matches([scheduled], source="openfootball", job="test")]

    assert [summary.unchanged for summary in summaries] == [1, 1]
    assert Match.objects.values_list("status", "home_score", "away_score").get() == ("live", 1, 0)


def test_negative_score_refused_before_anything_is_written():
    good, bad = fd_record(), fd_record("Arsenal", "Everton", line=3, home_score=-1)
    with pytest.raises(ImportFailed, match=r"E0.csv, line 3: home_score is negative"):
        import_matches([good, bad], source="football_data_uk", job="test")
    assert Match.objects.count() == 0 and Team.objects.count() == 0
    run = IngestionRun.objects.get()
    assert run.status == IngestionRun.Status.FAILED and "line 3" in run.error


def test_strict_mode_refuses_an_unknown_team_and_writes_nothing():
    with pytest.raises(ImportFailed, match=r"line 2: unknown team 'Atletico Nowhere'"):
        import_matches([fd_record(home="Atletico Nowhere")], source="football_data_uk", job="test", strict=True)
    assert Match.objects.count() == 0 and TeamAlias.objects.count() == 0


def test_database_constraint_failure_rolls_back_that_match_only(monkeypatch):
    # The value checks would refuse 150% possession before writing; without them (a value that only
    # the database's check constraint catches), the write fails at that match and rolls it back alone.
    monkeypatch.setattr(MatchRecord, "_check_values", lambda record: None)
    records = [fd_record(), fd_record("Arsenal", "Everton", line=3, hour=12)]
    records[1].home_stats = TeamStatsRecord(shots=2, possession=150.0)
    with pytest.raises(ImportFailed, match=r"E0.csv, line 3: cannot store this match"):
        import_matches(records, source="football_data_uk", job="test")
    assert Match.objects.get().home_team == Team.objects.get(aliases__normalized="man city")
    assert not Match.objects.filter(home_team__aliases__normalized="arsenal").exists()
    assert TeamMatchStats.objects.count() == 2  # the first match's, none of the refused one's


def statsbomb_like_record(events) -> MatchRecord:
    home, away = TeamRef("statsbomb", "Turkey", "909"), TeamRef("statsbomb", "Italy", "914")
    return MatchRecord(
        origin=Origin("events/1.json"), source="statsbomb", external_id="1",
        competition=CompetitionRef("statsbomb", "55", "UEFA Euro"), season_name="2020",
        kickoff=dt.datetime(2021, 6, 11, 19, tzinfo=UTC), home=home, away=away, status="finished",
        score_from_events=True, events=events,
        lineups=[LineupRecord(home, "4-1-4-1", [LineupEntryRecord(PlayerRef("statsbomb", "Merih Demiral", "23558"),
                                                                   shirt_number=3, is_starter=True, minutes_played=90)])],
    )


def test_score_derived_from_goals_counts_own_goals_for_the_other_side_and_skips_shootouts():
    turkey, italy = TeamRef("statsbomb", "Turkey", "909"), TeamRef("statsbomb", "Italy", "914")
    demiral, immobile = PlayerRef("statsbomb", "Merih Demiral", "23558"), PlayerRef("statsbomb", "Ciro Immobile", "7788")
    events = [
        EventRecord("statsbomb", "a", "own_goal", 2, 53, team=turkey, player=demiral, source_index=1),
        EventRecord("statsbomb", "b", "goal", 2, 66, team=italy, player=immobile, source_index=2),
        EventRecord("statsbomb", "c", "pass", 2, 67, team=italy, player=immobile, source_index=3),
        EventRecord("statsbomb", "d", "goal", 5, 121, team=turkey, source_index=4),  # shoot-out kick
    ]
    import_matches([statsbomb_like_record(events)], source="statsbomb", job="test")
    match = Match.objects.get()
    assert (match.home_score, match.away_score, match.home_ht_score, match.away_ht_score) == (0, 2, 0, 0)
    assert list(match.events.values_list("seq", "kind")) == [(1, "own_goal"), (2, "goal"), (3, "pass"), (4, "goal")]
    own_goal = match.events.get(kind=MatchEvent.Kind.OWN_GOAL)
    assert (own_goal.team.name, own_goal.player.name) == ("Turkey", "Merih Demiral")
    # The lineup and the events name one Demiral, not two.
    assert Player.objects.filter(name="Merih Demiral").count() == 1
    assert match.last_seq == 4


def test_reimport_with_new_events_appends_them_after_the_stored_ones():
    italy = TeamRef("statsbomb", "Italy", "914")
    first = [EventRecord("statsbomb", "a", "pass", 1, 1, team=italy, source_index=1)]
    import_matches([statsbomb_like_record(first)], source="statsbomb", job="test")
    more = first + [EventRecord("statsbomb", "b", "goal", 1, 2, team=italy, source_index=2)]
    summary = import_matches([statsbomb_like_record(more)], source="statsbomb", job="test")
    assert summary.updated == 1
    match = Match.objects.get()
    assert list(match.events.values_list("external_id", "seq")) == [("a", 1), ("b", 2)]
    assert match.score_display == "0-1"


SHIRT = '<span class="lu-p__shirt">{}</span>'


def test_a_reimport_that_changes_only_the_lineup_redraws_the_match_page(client):
    """The match page keeps its regions per version of the match: a lineup or statistics change
    (which leaves the match row alone) must move that version, or the page would keep the old one."""
    italy = TeamRef("statsbomb", "Italy", "914")
    events = [EventRecord("statsbomb", "a", "pass", 1, 1, team=italy, source_index=1)]
    import_matches([statsbomb_like_record(events)], source="statsbomb", job="test")
    match = Match.objects.get()
    assert SHIRT.format(3) in client.get(match.get_absolute_url()).text
    before = match.updated_at

    corrected = statsbomb_like_record(events)
    corrected.lineups[0].entries[0] = dataclasses.replace(corrected.lineups[0].entries[0], shirt_number=23)
    summary = import_matches([corrected], source="statsbomb", job="test")

    assert summary.updated == 1
    match.refresh_from_db()
    assert match.updated_at > before and match.last_seq == 1
    page = client.get(match.get_absolute_url()).text
    assert SHIRT.format(23) in page and SHIRT.format(3) not in page
    again = import_matches([corrected], source="statsbomb", job="test")  # unchanged: the version stays
    assert again.unchanged == 1 and Match.objects.get().updated_at == match.updated_at
