"""Fantasy Premier League jobs against a local FPL: the daily squad and fixtures, live points, failures.

The answers are small versions of the real ones: bootstrap-static in today's keys
(``game_settings``, ``element_types``, ``elements``, ``events``, ``teams``; the element keys of
``../shared/data/fpl/2018-19/raw.json`` plus today's expected-goals ones), ``/fixtures/``, and
``event/<gw>/live`` with the gameweek files' columns under ``elements[].stats``.
"""

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from fantasy.models import FplPlayerFixture
from ingestion import jobs
from ingestion.models import IngestionRun
from ingestion.providers.fpl.client import UPDATING_PAUSE, FplClient
from ingestion.tests.fake_provider import Reply
from ingestion.tests.test_jobs import FIXTURE, LEAGUE, envelope, fixture_item
from matches import services
from matches.models import Match, MatchExternalId
from players.models import Player, PlayerAvailability, PlayerMatchStats

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
ARSENAL, MAN_UTD = 1, 14  # this season's FPL team ids
PLAYED = 101  # fixture id of yesterday's match (gameweek 1)
PLAYING = 102  # fixture id of the match played now (gameweek 2)


def element(element_id, code, first, second, web, kind, team, now_cost, status="a", news="", chance=None):
    """One bootstrap-static element, with the fields the real answer carries."""
    return {
        "id": element_id, "code": code, "first_name": first, "second_name": second, "web_name": web,
        "element_type": kind, "team": team, "team_code": {ARSENAL: 3, MAN_UTD: 1}[team], "now_cost": now_cost,
        "status": status, "news": news, "news_added": (NOW - dt.timedelta(days=2)).isoformat() if news else None,
        "chance_of_playing_next_round": chance, "chance_of_playing_this_round": chance,
        "cost_change_start": 0, "cost_change_event": 0, "selected_by_percent": "12.5", "form": "3.0",
        "points_per_game": "4.1", "total_points": 41, "minutes": 900, "goals_scored": 2, "assists": 1,
        "clean_sheets": 3, "goals_conceded": 9, "own_goals": 0, "penalties_saved": 0, "penalties_missed": 0,
        "yellow_cards": 1, "red_cards": 0, "saves": 0, "bonus": 4, "bps": 180, "influence": "200.0",
        "creativity": "150.0", "threat": "120.0", "ict_index": "47.0", "expected_goals": "1.80",
        "expected_assists": "0.90", "expected_goals_conceded": "8.10", "starts": 10, "ep_this": "4.0",
        "ep_next": "4.5", "transfers_in": 1000, "transfers_out": 500, "photo": f"{code}.jpg", "special": False,
        "squad_number": None, "in_dreamteam": False, "dreamteam_count": 0, "value_form": "0.6",
        "value_season": "6.8",
    }


ELEMENTS = [
    element(1, 223340, "Bukayo", "Saka", "Saka", 3, ARSENAL, 90),
    element(2, 226597, "Gabriel", "dos Santos Magalhães", "Gabriel", 2, ARSENAL, 50,
            status="d", news="Knock - 75% chance of playing", chance=75),
    element(3, 141746, "Bruno", "Borges Fernandes", "B.Fernandes", 3, MAN_UTD, 85),
    element(4, 195735, "Luke", "Shaw", "Shaw", 2, MAN_UTD, 55, status="i", news="Hamstring injury - Unknown return date",
            chance=0),
]


def bootstrap(elements=ELEMENTS):
    return {
        "events": [{"id": week, "name": f"Gameweek {week}", "deadline_time": (NOW - dt.timedelta(days=8 - 7 * week)
                                                                               ).isoformat(),
                    "finished": week == 1, "is_current": week == 2, "is_next": False} for week in (1, 2)],
        "game_settings": {"squad_squadsize": 15, "squad_total_spend": 1000, "timezone": "UTC"},
        "phases": [{"id": 1, "name": "Overall", "start_event": 1, "stop_event": 38}],
        "teams": [{"id": ARSENAL, "code": 3, "name": "Arsenal", "short_name": "ARS", "strength": 5},
                  {"id": MAN_UTD, "code": 1, "name": "Man Utd", "short_name": "MUN", "strength": 4}],
        "total_players": 10_000_000,
        "element_stats": [{"label": "Minutes played", "name": "minutes"}],
        "element_types": [{"id": 1, "singular_name_short": "GKP", "plural_name": "Goalkeepers"},
                          {"id": 2, "singular_name_short": "DEF", "plural_name": "Defenders"},
                          {"id": 3, "singular_name_short": "MID", "plural_name": "Midfielders"},
                          {"id": 4, "singular_name_short": "FWD", "plural_name": "Forwards"}],
        "elements": elements,
    }


def fixture(fixture_id, code, week, kickoff, home, away, score=(None, None), finished=False):
    return {"id": fixture_id, "code": code, "event": week, "kickoff_time": kickoff.isoformat().replace("+00:00", "Z"),
            "team_h": home, "team_a": away, "team_h_score": score[0], "team_a_score": score[1],
            "finished": finished, "finished_provisional": finished, "started": kickoff <= NOW,
            "minutes": 90 if finished else 0, "provisional_start_time": False, "stats": [],
            "team_h_difficulty": 3, "team_a_difficulty": 4, "pulse_id": 90000 + fixture_id}


def fixtures(playing_kickoff=NOW + dt.timedelta(days=3)):
    return [fixture(PLAYED, 2444001, 1, NOW - dt.timedelta(hours=20), ARSENAL, MAN_UTD, (2, 1), finished=True),
            fixture(PLAYING, 2444002, 2, playing_kickoff, MAN_UTD, ARSENAL)]


def live_line(element_id, fixture_id, minutes, goals=0, assists=0, points=0, bonus=0):
    """An event/<gw>/live element: the gameweek file's figures under stats, the points by fixture in explain."""
    stats = {"minutes": minutes, "goals_scored": goals, "assists": assists, "clean_sheets": 0, "goals_conceded": 1,
             "own_goals": 0, "penalties_saved": 0, "penalties_missed": 0, "yellow_cards": 0, "red_cards": 0,
             "saves": 0, "bonus": bonus, "bps": 10 + 10 * goals, "influence": "10.0", "creativity": "5.0",
             "threat": "8.0", "ict_index": "2.3", "starts": int(minutes > 0), "expected_goals": "0.35",
             "expected_assists": "0.10", "expected_goal_involvements": "0.45", "expected_goals_conceded": "1.20",
             "total_points": points, "in_dreamteam": False}
    return {"id": element_id, "stats": stats,
            "explain": [{"fixture": fixture_id, "stats": [{"identifier": "minutes", "points": 2, "value": minutes}]}]}


YESTERDAY = {"elements": [live_line(1, PLAYED, 90, goals=1, points=8, bonus=3), live_line(2, PLAYED, 90, points=2),
                          live_line(3, PLAYED, 90, assists=1, points=5, bonus=1), live_line(4, PLAYED, 0)]}


@pytest.fixture
def fpl(settings, fake_provider):
    settings.FPL_BASE_URL = fake_provider.url
    settings.SYNC_COMPETITIONS = ["Premier League"]
    settings.LIVE_POLL_SECONDS = 0  # polls follow each other at once: no reuse of the last answer
    fake_provider.route("/bootstrap-static/", Reply(json=bootstrap()))
    fake_provider.route("/fixtures/", Reply(json=fixtures()))
    fake_provider.route("/event/1/live/", Reply(json=YESTERDAY))
    return fake_provider


def daily(**options) -> list[IngestionRun]:
    return [jobs.run_job("fpl", job, **options) for job in ("squad", "fixtures")]


def stored_rows():
    return (list(PlayerMatchStats.objects.values_list("player__name", "minutes", "goals", "assists", "xg")),
            list(FplPlayerFixture.objects.values_list("player__name", "gameweek", "price", "total_points", "bonus")),
            list(PlayerAvailability.objects.values_list("player__name", "status", "reason", "chance_of_playing",
                                                        "valid_until")),
            list(Match.objects.values_list("status", "home_score", "away_score")))


def test_the_daily_run_lands_players_prices_and_availability_and_a_second_changes_nothing(fpl):
    runs = daily()
    assert [(run.job, run.status) for run in runs] == [("squad", "succeeded"), ("fixtures", "succeeded")], \
        [run.error for run in runs]
    assert Player.objects.filter(position__in=["DF", "MF"]).count() == 4
    gabriel = PlayerAvailability.objects.get(player__known_as="Gabriel", valid_until__isnull=True)
    assert (gabriel.status, gabriel.chance_of_playing) == ("doubtful", 75) and "Knock" in gabriel.reason
    shaw = PlayerAvailability.objects.get(player__known_as="Shaw", valid_until__isnull=True)
    assert (shaw.status, shaw.chance_of_playing) == ("injured", 0)

    played = Match.objects.get(external_ids__source="fpl", external_ids__external_id="2444001")
    assert (played.home_team.name, played.away_team.name, played.score_display) == ("Arsenal", "Manchester United",
                                                                                   "2-1")
    saka = FplPlayerFixture.objects.get(player__known_as="Saka", match=played)
    assert (saka.price, saka.total_points, saka.bonus, saka.gameweek) == (9, 8, 3, 1)  # £9.0m: now_cost 90
    line = PlayerMatchStats.objects.get(player__known_as="Saka", match=played)
    assert (line.minutes, line.goals, line.xg, line.source) == (90, 1, 0.35, "fpl")
    assert not PlayerMatchStats.objects.filter(player__known_as="Shaw").exists()  # 0 minutes: no appearance
    # Tomorrow's gameweek has no figures yet: nothing stored for it.
    assert not FplPlayerFixture.objects.filter(gameweek=2).exists()
    requests = [request.path for request in fpl.requests]
    assert requests == ["/bootstrap-static/", "/fixtures/", "/event/1/live/"]  # bootstrap reused by fixtures
    assert "QuantFoot" in fpl.requests[0].headers["user-agent"]

    before = stored_rows()
    again = daily()
    assert all(run.status == "succeeded" and run.created == run.updated == 0 for run in again), \
        [(run.created, run.updated, run.error) for run in again]
    assert stored_rows() == before


def test_game_being_updated_503_is_waited_out_then_the_run_succeeds(fpl):
    waits = []
    fpl.route("/bootstrap-static/", Reply(503, body=b"The game is being updated.", headers={"Content-Type": "text/html"}),
              Reply(json=bootstrap()))
    run = jobs.run_job("fpl", "squad", client=FplClient(sleep=waits.append))
    assert run.status == "succeeded", run.error
    assert waits and waits[0] >= UPDATING_PAUSE - 1  # slowed down, not hammered
    assert run.requests_made == 2 and Player.objects.count() == 4


def test_429_then_500s_are_waited_for_and_retried(fpl):
    waits = []
    fpl.route("/bootstrap-static/", Reply(429, json={"detail": "slow down"}, headers={"Retry-After": "7"}),
              Reply(500), Reply(502), Reply(json=bootstrap()))
    run = jobs.run_job("fpl", "squad", client=FplClient(sleep=waits.append))
    assert run.status == "succeeded" and run.requests_made == 4
    assert waits[0] >= 7 and len(waits) == 3


def test_a_game_that_stays_busy_fails_the_run_naming_the_answer(fpl):
    fpl.route("/bootstrap-static/", Reply(503, body=b"The game is being updated."))
    run = jobs.run_job("fpl", "squad", client=FplClient(sleep=lambda seconds: None, max_attempts=2))
    assert run.status == "failed" and "The game is being updated" in run.error and "/bootstrap-static/" in run.error
    assert not Player.objects.exists()


def test_a_timeout_is_a_failed_run_with_nothing_written(fpl):
    fpl.route("/fixtures/", Reply(json=fixtures(), delay=1.0))
    client = FplClient(sleep=lambda seconds: None, timeout=httpx.Timeout(0.2), max_attempts=2)
    run = jobs.run_job("fpl", "fixtures", client=client)
    assert run.status == "failed" and "Timeout" in run.error and "/fixtures/" in run.error
    assert not Player.objects.exists() and not Match.objects.exists()  # the bootstrap it had is not half-written


@pytest.mark.parametrize("reply, says", [
    (Reply(body=b'{"events": [], "teams": [{"id": 1, "code": 3, "name": "Arsen'), "not valid JSON"),
    (Reply(json={**bootstrap(), "elements": [*ELEMENTS[:2], {"id": 9, "web_name": "Nobody"}]}),
     "$.elements[2]"),
])
def test_garbage_is_a_failed_run_with_nothing_half_written(fpl, reply, says):
    fpl.route("/bootstrap-static/", reply)
    runs = daily()
    assert all(run.status == "failed" and says in run.error for run in runs), [run.error for run in runs]
    assert not Player.objects.exists() and not Match.objects.exists() and not PlayerAvailability.objects.exists()
    assert runs[0].payloads.get().parse_error  # kept for inspection, never reused as an answer


def track_a_live_match(fpl, kickoff):
    """Yesterday's match and a match kicking off now, known to FPL and to API-Football; the latter live."""
    fpl.route("/fixtures/", Reply(json=fixtures(playing_kickoff=kickoff)))
    daily()
    match = Match.objects.get(external_ids__source="fpl", external_ids__external_id="2444002")
    MatchExternalId.objects.create(match=match, source="api_football", external_id=str(FIXTURE))
    return services.set_match_status(match, Match.Status.LIVE, Match.Period.FIRST_HALF, minute=0)


def test_live_points_update_the_live_match_through_the_writer_and_leave_its_status_alone(fpl):
    kickoff = NOW - dt.timedelta(minutes=30)
    match = track_a_live_match(fpl, kickoff)
    fpl.route("/event/2/live/", Reply(json={"elements": [live_line(3, PLAYING, 30, points=2), live_line(1, PLAYING, 30)]}),
              Reply(json={"elements": [live_line(3, PLAYING, 34, goals=1, points=7), live_line(1, PLAYING, 34)]}))

    first = jobs.run_job("fpl", "live", lead=dt.timedelta(0))
    assert first.status == "succeeded", first.error
    bruno = PlayerMatchStats.objects.get(match=match, player__known_as="B.Fernandes")
    assert (bruno.minutes, bruno.goals) == (30, 0)
    second = jobs.run_job("fpl", "live", lead=dt.timedelta(0))
    assert second.status == "succeeded" and second.updated >= 2
    bruno.refresh_from_db()
    assert (bruno.minutes, bruno.goals) == (34, 1)
    assert FplPlayerFixture.objects.get(match=match, player__known_as="B.Fernandes").total_points == 7
    match.refresh_from_db()
    assert match.status == "live"  # FPL's "not finished" fixture never turned it back into a scheduled one
    assert len(fpl.requests_to("/event/2/live/")) == 2


def test_no_fpl_request_while_no_match_it_knows_is_live(fpl):
    fpl.route("/fixtures/", Reply(json=fixtures(playing_kickoff=NOW + dt.timedelta(minutes=3))))
    daily()
    asked = len(fpl.requests)
    assert jobs.run_job("fpl", "live", lead=dt.timedelta(minutes=5)) is None  # about to start is not live
    assert jobs.sync_all("live", lead=dt.timedelta(0)) == []
    assert len(fpl.requests) == asked and not IngestionRun.objects.filter(job="live").exists()


def test_fpl_failing_never_stops_the_match_providers_live_poll(settings, fpl):
    settings.API_FOOTBALL_KEY = "test-key"
    settings.API_FOOTBALL_BASE_URL = fpl.url
    kickoff = NOW - dt.timedelta(minutes=30)
    match = track_a_live_match(fpl, kickoff)
    live = envelope(fixture_item(kickoff, "1H", 31, goals=(1, 0)))
    live["response"][0]["teams"] = {"home": {"id": 33, "name": "Manchester United"}, "away": {"id": 42, "name": "Arsenal"}}
    live["response"][0]["league"]["id"] = LEAGUE
    fpl.route("/fixtures", Reply(json=live), query={"ids": str(FIXTURE)})
    fpl.route("/event/2/live/", Reply(500))

    runs = jobs.sync_all("live", lead=dt.timedelta(0), sleep=lambda seconds: None)
    by_source = {run.source: run for run in runs}
    assert by_source["fpl"].status == "failed" and "HTTP 500" in by_source["fpl"].error
    assert by_source["api_football"].status == "succeeded", by_source["api_football"].error
    match.refresh_from_db()
    assert match.clock_minute == 31 and match.status == "live"


def test_sync_provider_runs_any_fpl_job_now(fpl):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("sync_provider", "fpl", "squad", stdout=out)
    assert out.getvalue().startswith("fpl squad: succeeded, 1 requests") and Player.objects.count() == 4
    out = StringIO()
    call_command("sync_provider", "fpl", "live", stdout=out)
    assert out.getvalue().strip() == "fpl live: nothing to do"  # no match is live
