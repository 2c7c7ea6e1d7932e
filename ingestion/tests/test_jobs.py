"""Provider jobs against a local provider: imports, live polling through the live pipeline, failures.

Each job is what the schedules run (ingestion/tasks.py) and ``sync_provider`` runs by hand.
"""

import datetime as dt

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from ingestion import jobs
from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.api_football.client import ApiFootballClient
from ingestion.tests.fake_provider import Reply
from matches.models import Match, MatchEvent, TeamMatchStats

pytestmark = pytest.mark.django_db

LEAGUE = 39  # the Premier League's API-Football id (matches/catalog.py)
FIXTURE = 900001
SEASON = jobs.season_start_year(timezone.now())  # what the daily job asks for


@pytest.fixture
def api_football(settings, fake_provider):
    settings.API_FOOTBALL_KEY = "test-key"
    settings.API_FOOTBALL_BASE_URL = fake_provider.url
    settings.SYNC_COMPETITIONS = ["Premier League"]
    settings.LIVE_POLL_SECONDS = 0  # polls follow each other at once: no reuse of the last answer
    return fake_provider


def at(offset: dt.timedelta) -> dt.datetime:
    """A kick-off time this far from now, on the minute as providers give it."""
    return (timezone.now() + offset).replace(second=0, microsecond=0)


def fixture_item(kickoff, status="NS", elapsed=None, goals=(None, None), events=(), **extra):
    """One /fixtures item in API-Football's shape (as in ../shared/data/providers/api-football-v3)."""
    return {
        "fixture": {"id": FIXTURE, "referee": "Michael Oliver, England", "timezone": "UTC",
                    "date": kickoff.isoformat(), "venue": {"id": 556, "name": "Old Trafford", "city": "Manchester"},
                    "status": {"long": status, "short": status, "elapsed": elapsed}},
        "league": {"id": LEAGUE, "name": "Premier League", "country": "England", "season": SEASON,
                   "round": "Regular Season - 12"},
        "teams": {"home": {"id": 33, "name": "Manchester United"}, "away": {"id": 40, "name": "Liverpool"}},
        "goals": {"home": goals[0], "away": goals[1]},
        "score": {"halftime": {"home": None, "away": None}, "fulltime": {"home": None, "away": None}},
        "events": list(events),
        **extra,
    }


def goal(minute, team_id, team_name, player):
    return {"time": {"elapsed": minute, "extra": None}, "team": {"id": team_id, "name": team_name},
            "player": {"id": None, "name": player}, "assist": {"id": None, "name": None},
            "type": "Goal", "detail": "Normal Goal", "comments": None}


def envelope(*items):
    return {"get": "fixtures", "parameters": {}, "errors": [], "results": len(items),
            "paging": {"current": 1, "total": 1}, "response": list(items)}


def quota(remaining=95):
    return {"x-ratelimit-requests-limit": "100", "x-ratelimit-requests-remaining": str(remaining),
            "X-RateLimit-Limit": "10", "X-RateLimit-Remaining": "9"}


def import_fixture(server, kickoff):
    server.route("/fixtures", Reply(json=envelope(fixture_item(kickoff)), headers=quota()), query={"league": str(LEAGUE)})
    run = jobs.run_job("api_football", "matches")
    assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    return Match.objects.get(external_ids__source="api_football", external_ids__external_id=str(FIXTURE))


def test_the_daily_job_imports_the_followed_season_and_records_the_run(api_football):
    kickoff = at(+dt.timedelta(days=2))
    match = import_fixture(api_football, kickoff)
    assert (match.home_team.name, match.away_team.name, match.status) == ("Manchester United", "Liverpool", "scheduled")
    assert match.competition.name == "Premier League" and match.season.name == f"{SEASON}/{(SEASON + 1) % 100:02}"
    assert match.referee == "Michael Oliver" and match.kickoff == kickoff
    request = api_football.requests_to("/fixtures")[0]
    assert request.query["league"] == "39" and request.headers["x-apisports-key"] == "test-key"
    run = IngestionRun.objects.get(job="matches")
    assert (run.created, run.requests_made, run.quota_remaining) == (1, 1, 95)
    assert run.payloads.count() == 1 and RawPayload.objects.get().json()["response"][0]["fixture"]["id"] == FIXTURE

    call_command("sync_provider", "api_football", "matches")  # again: the same match, unchanged
    assert Match.objects.count() == 1 and IngestionRun.objects.filter(job="matches").first().unchanged == 1


def test_a_live_poll_that_gets_the_same_events_three_times_stores_them_once(api_football):
    kickoff = at(-dt.timedelta(minutes=30))
    match = import_fixture(api_football, kickoff)
    scorers = [goal(12, 33, "Manchester United", "B. Fernandes"), goal(27, 40, "Liverpool", "M. Salah")]
    live = envelope(fixture_item(kickoff, "1H", 31, goals=(1, 1), events=scorers))
    api_football.route("/fixtures", Reply(json=live, headers=quota()), query={"ids": str(FIXTURE)})

    for _ in range(3):
        run = jobs.run_job("api_football", "live", lead=dt.timedelta(0))
        assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    match.refresh_from_db()
    assert (match.status, match.period, match.home_score, match.away_score) == ("live", "first_half", 1, 1)
    assert match.clock_minute == 31
    goals = MatchEvent.objects.filter(match=match, kind="goal").order_by("seq")
    assert [(e.minute, e.player.known_as or e.player.name) for e in goals] == [(12, "B. Fernandes"), (27, "M. Salah")]
    assert len(api_football.requests_to("/fixtures")) == 1 + 3 and match.last_seq == 3  # kick-off + two goals

    # Full time: the match is finished, and the next poll has nothing to ask.
    final = envelope(fixture_item(kickoff, "FT", 90, goals=(1, 1), events=scorers))
    api_football.route("/fixtures", Reply(json=final, headers=quota()), query={"ids": str(FIXTURE)})
    jobs.run_job("api_football", "live", lead=dt.timedelta(0))
    match.refresh_from_db()
    assert match.status == "finished" and match.score_display == "1-1"
    assert jobs.run_job("api_football", "live", lead=dt.timedelta(0)) is None
    assert len(api_football.requests_to("/fixtures")) == 1 + 4


def test_a_goal_the_provider_takes_back_is_corrected_on_the_page(api_football):
    kickoff = at(-dt.timedelta(minutes=20))
    match = import_fixture(api_football, kickoff)
    scored = goal(15, 33, "Manchester United", "R. Hojlund")
    api_football.route("/fixtures", Reply(json=envelope(fixture_item(kickoff, "1H", 16, (1, 0), [scored]))),
                       Reply(json=envelope(fixture_item(kickoff, "1H", 18, (0, 0), []))), query={"ids": str(FIXTURE)})
    jobs.run_job("api_football", "live", lead=dt.timedelta(0))
    jobs.run_job("api_football", "live", lead=dt.timedelta(0))
    match.refresh_from_db()
    assert match.score_display == "0-0"
    correction = MatchEvent.objects.get(match=match, raw_type="Score corrected")
    assert correction.details["from"] == "1-0" and correction.seq == match.last_seq


def test_details_of_finished_matches_bring_lineups_and_team_statistics(api_football, shared_data):
    folder = shared_data("providers", "api-football-v3", "stefan-dudu_football-statistics")
    import json

    lineups = json.loads((folder / "fixtures_lineups_1049765.json").read_text())["response"]
    statistics = json.loads((folder / "fixtures_statistics_1049765.json").read_text())["response"]
    kickoff = at(-dt.timedelta(days=1))
    item = fixture_item(kickoff)
    home, away = lineups[0]["team"], lineups[1]["team"]
    item["teams"] = {"home": {"id": home["id"], "name": home["name"]}, "away": {"id": away["id"], "name": away["name"]}}
    api_football.route("/fixtures", Reply(json=envelope(item)), query={"league": str(LEAGUE)})
    jobs.run_job("api_football", "matches")
    finished = fixture_item(kickoff, "FT", 90, goals=(2, 1), lineups=lineups, statistics=statistics)
    finished["teams"] = item["teams"]
    api_football.route("/fixtures", Reply(json=envelope(finished)), query={"ids": str(FIXTURE)})
    Match.objects.update(status="finished", home_score=2, away_score=1)

    run = jobs.run_job("api_football", "team_stats")
    assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    match = Match.objects.get()
    assert TeamMatchStats.objects.filter(match=match).count() == 2
    assert match.lineups.count() == 2 and sum(lineup.entries.filter(is_starter=True).count()
                                              for lineup in match.lineups.all()) == 22
    assert jobs.run_job("api_football", "team_stats") is None  # nothing missing any more: no request


def test_a_provider_answering_429_then_500s_is_waited_for_and_retried(api_football):
    waits = []
    client = ApiFootballClient(sleep=waits.append)
    api_football.route("/fixtures", Reply(429, json={"message": "slow down"}, headers={"Retry-After": "2"}),
                       Reply(500), Reply(502), Reply(json=envelope(fixture_item(at(dt.timedelta(0))))),
                       query={"league": str(LEAGUE)})
    run = jobs.run_job("api_football", "matches", client=client)
    assert run.status == IngestionRun.Status.SUCCEEDED and run.created == 1
    assert waits[0] >= 2 and len(waits) == 3 and run.requests_made == 4


def test_a_timeout_is_retried_then_recorded_as_a_failed_run(api_football):
    waits = []
    client = ApiFootballClient(sleep=waits.append, timeout=httpx.Timeout(0.2), max_attempts=2)
    api_football.route("/fixtures", Reply(json=envelope(), delay=1.0), query={"league": str(LEAGUE)})
    run = jobs.run_job("api_football", "matches", client=client)
    assert run.status == IngestionRun.Status.FAILED and "Timeout" in run.error and "/fixtures" in run.error
    assert len(waits) == 1 and run.finished_at is not None
    assert not Match.objects.exists()


def test_malformed_json_is_a_failed_run_with_its_payload_kept_and_nothing_written(api_football):
    body = b'{"get": "fixtures", "errors": [], "response": [{"fixture": {"id": 1, "date": "2025-'
    api_football.route("/fixtures", Reply(body=body), query={"league": str(LEAGUE)})
    run = jobs.run_job("api_football", "matches")
    assert run.status == IngestionRun.Status.FAILED and run.error
    payload = run.payloads.get()
    assert payload.parse_error and payload.raw() == body
    assert not Match.objects.exists()


def test_missing_fields_fail_the_run_naming_the_record_and_write_nothing(api_football):
    good, bad = fixture_item(at(dt.timedelta(0))), fixture_item(at(dt.timedelta(0)))
    bad["fixture"]["id"] = FIXTURE + 1
    del bad["teams"]
    api_football.route("/fixtures", Reply(json=envelope(good, bad)), query={"league": str(LEAGUE)})
    run = jobs.run_job("api_football", "matches")
    assert run.status == IngestionRun.Status.FAILED and "response[1]" in run.error and "teams" in run.error
    assert not Match.objects.exists()  # the whole response is validated before anything is written


def test_one_provider_failing_does_not_stop_another(settings, api_football, fake_provider, shared_data):
    settings.OPENLIGADB_BASE_URL = fake_provider.url
    settings.SYNC_COMPETITIONS = ["Premier League", "3. Liga"]
    api_football.route("/fixtures", Reply(500), query={"league": str(LEAGUE)})
    stub = shared_data("providers", "openligadb", "validStubResponse.json")
    fake_provider.route_file(f"/getmatchdata/bl3/{SEASON}", stub)
    runs = jobs.sync_all("matches", sleep=lambda seconds: None)
    by_source = {run.source: run for run in runs}
    assert by_source["api_football"].status == IngestionRun.Status.FAILED
    assert by_source["openligadb"].status == IngestionRun.Status.SUCCEEDED and by_source["openligadb"].created == 1
    match = Match.objects.get()
    assert (match.home_team.name, match.score_display) == ("Chemnitzer FC", "2-3")


def test_sync_provider_without_credentials_says_which_setting(settings):
    from django.core.management.base import CommandError

    settings.API_FOOTBALL_KEY = ""
    with pytest.raises(CommandError, match="API_FOOTBALL_KEY"):
        call_command("sync_provider", "api_football", "matches")


def test_stored_payloads_are_mapped_again_without_calling_the_provider(api_football, monkeypatch):
    good, bad = fixture_item(at(dt.timedelta(days=1))), fixture_item(at(dt.timedelta(days=1)))
    bad["fixture"]["id"] = FIXTURE + 1
    bad["teams"]["away"]["id"] = "forty"  # a parser that wants a number refuses the whole answer
    api_football.route("/fixtures", Reply(json=envelope(good, bad)), query={"league": str(LEAGUE)})
    run = jobs.run_job("api_football", "matches")
    assert run.status == IngestionRun.Status.FAILED and not Match.objects.exists()
    assert "response[1].teams.away.id" in run.payloads.get().parse_error

    # The parser is fixed (here: told to skip what it cannot read); the stored answer is used again.
    from ingestion.providers.api_football import mapping, sync

    def tolerant(data, url, path):
        data = {**data, "response": [item for item in data["response"] if isinstance(item["teams"]["away"]["id"], int)]}
        return mapping.parse_fixtures(data, url)

    monkeypatch.setitem(sync.PAYLOAD_PARSERS, "/fixtures", tolerant)
    requests_before = len(api_football.requests)
    call_command("reparse_payloads", "api_football", "--failed")
    assert len(api_football.requests) == requests_before  # nothing asked of the provider
    assert Match.objects.get().external_ids.get(source="api_football").external_id == str(FIXTURE)
    assert RawPayload.objects.get().parse_error == ""
    call_command("reparse_payloads", "api_football")  # idempotent
    assert Match.objects.count() == 1
