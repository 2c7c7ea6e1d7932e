"""The provider HTTP layer against a real local server: retries, rate limits, quotas,
the raw payload store and its admin, and the fake provider itself."""

import gzip
import hashlib
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.api_football.client import ApiFootballClient
from ingestion.providers.football_data_org.client import FootballDataOrgClient
from ingestion.providers.http import PayloadError, ProviderError, QuotaExhausted
from ingestion.providers.openligadb.client import OpenLigaDbClient
from ingestion.tests.fake_provider import FakeProvider, Reply
from matches.models import Source

pytestmark = pytest.mark.django_db

FIXTURES = {"get": "fixtures", "parameters": {"date": "2024-02-21"}, "errors": [], "results": 1,
            "paging": {"current": 1, "total": 1},
            "response": [{"fixture": {"id": 1149522}, "goals": {"home": 1, "away": 0}}]}
DATE = {"date": "2024-02-21"}


class Waits(list):
    """Stands in for time.sleep: records how long the client would have waited."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits():
    return Waits()


@pytest.fixture
def provider(settings, fake_provider):
    """The fake server standing in for all three providers, with credentials set."""
    settings.API_FOOTBALL_BASE_URL = fake_provider.url
    settings.FOOTBALL_DATA_BASE_URL = fake_provider.url + "/v4"
    settings.OPENLIGADB_BASE_URL = fake_provider.url
    settings.API_FOOTBALL_KEY = "af-key"
    settings.FOOTBALL_DATA_TOKEN = "fd-token"
    return fake_provider


def test_a_response_is_stored_compressed_before_it_is_read(provider, waits):
    provider.route("/fixtures", Reply(json=FIXTURES, headers={"x-ratelimit-requests-remaining": "97",
                                                              "X-RateLimit-Remaining": "9"}))
    run = IngestionRun.objects.create(source=Source.API_FOOTBALL, job="fixtures")
    client = ApiFootballClient(run=run, sleep=waits)

    fetched = client.fixtures(date="2024-02-21")

    assert fetched.data == FIXTURES and not fetched.from_cache
    payload = RawPayload.objects.get()
    assert fetched.payload == payload
    raw = json.dumps(FIXTURES).encode()
    assert bytes(payload.body) != raw and gzip.decompress(payload.body) == raw
    assert (payload.size, payload.sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    assert payload.json() == FIXTURES
    assert (payload.provider, payload.endpoint, payload.params) == ("api_football", "/fixtures", DATE)
    assert (payload.url, payload.status_code) == (f"{provider.url}/fixtures?date=2024-02-21", 200)
    assert payload.run == run and payload.parse_error == ""
    assert (client.requests_made, client.quota_remaining) == (1, 97)
    run.refresh_from_db()
    assert (run.requests_made, run.quota_remaining) == (1, 97)
    assert waits == []


@pytest.mark.parametrize("retry_after", ["1", "http-date"])
def test_429_waits_at_least_as_long_as_the_provider_asks(provider, waits, retry_after):
    if retry_after == "http-date":
        retry_after = format_datetime(datetime.now(UTC) + timedelta(seconds=3), usegmt=True)
    provider.route("/fixtures", Reply(429, json={"message": "Too many requests"}, headers={"Retry-After": retry_after}),
                   Reply(json=FIXTURES))

    fetched = ApiFootballClient(sleep=waits).get("/fixtures", DATE)

    assert fetched.data == FIXTURES
    assert len(provider.requests) == 2
    assert len(waits) == 1 and waits[0] >= 1


def test_football_data_429_waits_for_its_counter_reset(provider, waits):
    provider.route("/v4/matches", Reply(429, json={"message": "You reached your request limit. Wait 42 seconds.",
                                                   "errorCode": 429},
                                        headers={"X-Requests-Available-Minute": "0", "X-RequestCounter-Reset": "42"}),
                   Reply(json={"matches": []}))

    FootballDataOrgClient(sleep=waits).matches("2024-02-21", "2024-02-22")

    assert len(waits) == 1 and 41 <= waits[0] <= 43


def test_server_errors_are_retried_with_backoff(provider, waits):
    provider.route("/fixtures", Reply(500), Reply(502), Reply(503), Reply(json=FIXTURES))
    client = ApiFootballClient(sleep=waits)

    fetched = client.get("/fixtures", DATE)

    assert fetched.data == FIXTURES
    assert len(provider.requests) == 4 and client.requests_made == 4
    assert len(waits) == 3 and all(0 <= wait <= 30 for wait in waits)


def test_server_errors_give_up_after_max_attempts(provider, waits):
    provider.route("/fixtures", Reply(500))

    with pytest.raises(ProviderError, match=r"API-Football: GET .*/fixtures\?date=2024-02-21 failed after 3 "
                                            r"attempts: HTTP 500") as failure:
        ApiFootballClient(sleep=waits, max_attempts=3).get("/fixtures", DATE)

    assert failure.value.status_code == 500
    assert len(provider.requests) == 3
    assert not RawPayload.objects.exists()


def test_a_read_timeout_is_retried_then_names_the_url(provider, waits):
    provider.route("/getcurrentgroup/bl1", Reply(json={"groupOrderID": 5}, delay=1.0))
    client = OpenLigaDbClient(sleep=waits, max_attempts=2, timeout=httpx.Timeout(0.2))

    with pytest.raises(ProviderError) as failure:
        client.current_group("bl1")

    message = str(failure.value)
    assert f"{provider.url}/getcurrentgroup/bl1" in message and "ReadTimeout" in message
    assert len(provider.requests) == 2 and len(waits) == 1


def test_a_refusal_is_not_retried_and_says_why(provider, waits):
    provider.route("/v4/competitions/XYZ/matches",
                   Reply(403, json={"message": "The resource you are looking for is restricted.", "errorCode": 403}))

    with pytest.raises(ProviderError, match="HTTP 403 Forbidden: The resource you are looking for is restricted"):
        FootballDataOrgClient(sleep=waits).competition_matches("XYZ")

    assert len(provider.requests) == 1 and waits == []


@pytest.mark.parametrize("body, problem", [
    (json.dumps(FIXTURES).encode()[:40], "not valid JSON"),
    (b'\xff\xfe{"response": \x00', "not valid JSON"),
    (b'"maintenance"', "a JSON str, not an object or array"),
])
def test_a_body_that_is_not_usable_json_is_kept_with_the_reason(provider, waits, body, problem):
    provider.route("/fixtures", Reply(body=body))

    with pytest.raises(PayloadError, match=problem) as failure:
        ApiFootballClient(sleep=waits).get("/fixtures", DATE)

    payload = RawPayload.objects.get()
    assert failure.value.payload == payload
    assert problem in payload.parse_error and payload.raw() == body
    assert len(provider.requests) == 1, "a body the provider sent is not fetched again"


def test_an_api_football_error_envelope_is_an_error(provider, waits):
    message = "Error/Missing application key. Go to https://www.api-football.com/documentation-v3"
    provider.route("/status", Reply(json={"get": "status", "parameters": [], "errors": {"token": message},
                                          "results": 0, "response": []}))

    with pytest.raises(PayloadError, match="token: Error/Missing application key"):
        ApiFootballClient(sleep=waits).get("/status")

    assert "token: Error/Missing application key" in RawPayload.objects.get().parse_error


def test_an_api_football_rate_limit_envelope_is_retried_after_a_minute(provider, waits):
    too_many = {"errors": {"rateLimit": "Too many requests. Your rate limit is 10 requests per minute."},
                "results": 0, "response": []}
    provider.route("/fixtures", Reply(json=too_many), Reply(json=FIXTURES))

    fetched = ApiFootballClient(sleep=waits).get("/fixtures", DATE)

    assert fetched.data == FIXTURES
    assert len(waits) == 1 and waits[0] >= 59
    refused, used = RawPayload.objects.order_by("pk")
    assert "rateLimit" in refused.parse_error and used == fetched.payload and used.parse_error == ""


def test_an_api_football_daily_limit_envelope_stops_calls_until_tomorrow(provider, waits):
    provider.route("/fixtures", Reply(json={"errors": {"requests": "You have reached the request limit for the day, "
                                                                   "Go to https://dashboard.api-football.com"},
                                            "results": 0, "response": []}))
    client = ApiFootballClient(sleep=waits)

    with pytest.raises(QuotaExhausted, match="request limit for the day"):
        client.get("/fixtures", DATE)
    with pytest.raises(QuotaExhausted, match="daily quota is used up"):
        client.get("/fixtures", DATE)

    assert len(provider.requests) == 1 and client.quota_remaining == 0


def test_fresh_for_reuses_a_recent_answer_without_asking(provider, waits):
    provider.route("/fixtures", Reply(json=FIXTURES))
    client = ApiFootballClient(sleep=waits)

    first = client.fixtures(date="2024-02-21")
    second = client.fixtures(date="2024-02-21")

    assert second.from_cache and second.data == FIXTURES and second.payload == first.payload
    assert len(provider.requests) == 1 and client.requests_made == 1

    RawPayload.objects.update(fetched_at=timezone.now() - timedelta(minutes=16))
    assert not client.fixtures(date="2024-02-21").from_cache
    assert not client.fixtures(date="2024-02-22").from_cache, "other parameters are another question"
    assert len(provider.requests) == 3


def test_a_stored_etag_is_sent_and_a_304_reuses_the_stored_body(provider, waits):
    provider.route("/fixtures", Reply(json=FIXTURES, headers={"ETag": '"v1"',
                                                              "Last-Modified": "Wed, 21 Feb 2024 20:00:00 GMT"}),
                   Reply(304, headers={"ETag": '"v1"'}))
    client = ApiFootballClient(sleep=waits)

    first = client.get("/fixtures", DATE)
    second = client.get("/fixtures", DATE)

    assert "if-none-match" not in provider.requests[0].headers
    assert provider.requests[1].headers["if-none-match"] == '"v1"'
    assert provider.requests[1].headers["if-modified-since"] == "Wed, 21 Feb 2024 20:00:00 GMT"
    assert second.data == FIXTURES and not second.from_cache
    assert second.payload.status_code == 304 and second.payload.sha256 == first.payload.sha256
    assert client.requests_made == 2


def test_a_daily_quota_of_zero_stops_calls_before_they_are_made(provider, waits):
    provider.route("/fixtures", Reply(json=FIXTURES, headers={"x-ratelimit-requests-remaining": "0"}))
    assert ApiFootballClient(sleep=waits).get("/fixtures", DATE).data == FIXTURES

    another_worker = ApiFootballClient(sleep=waits)
    with pytest.raises(QuotaExhausted, match=r"daily quota is used up until \d{4}-\d\d-\d\d 00:00 UTC"):
        another_worker.get("/fixtures", {"date": "2024-02-22"})

    assert len(provider.requests) == 1
    assert another_worker.quota_remaining == 0 and another_worker.requests_made == 0


def test_nothing_left_this_minute_makes_the_next_call_wait_for_the_reset(provider, waits):
    provider.route("/v4/matches/1", Reply(json={"id": 1}, headers={"X-Requests-Available-Minute": "0",
                                                                   "X-RequestCounter-Reset": "20"}))
    client = FootballDataOrgClient(sleep=waits)

    client.get("/matches/1")
    assert client.quota_remaining == 0 and waits == []
    client.get("/matches/1")

    assert len(waits) == 1 and 19 <= waits[0] <= 21


def test_nothing_left_this_minute_without_a_reset_waits_a_minute(provider, waits):
    provider.route("/fixtures", Reply(json=FIXTURES, headers={"X-RateLimit-Remaining": "0"}))
    client = ApiFootballClient(sleep=waits)

    client.get("/fixtures", DATE)
    client.get("/fixtures", DATE)

    assert len(waits) == 1 and 59 <= waits[0] <= 61


def test_workers_share_one_rate_limit(provider, waits):
    class TwoAMinute(OpenLigaDbClient):
        requests_per_minute = 2

    provider.route("/getmatchdata/bl1/2023/5", Reply(json=[]))
    first_worker, second_worker = TwoAMinute(sleep=waits), TwoAMinute(sleep=waits)

    first_worker.get("/getmatchdata/bl1/2023/5")
    second_worker.get("/getmatchdata/bl1/2023/5")
    assert waits == []
    first_worker.get("/getmatchdata/bl1/2023/5")

    assert len(waits) == 1 and 59 <= waits[0] <= 60


def test_purge_expired_deletes_only_payloads_past_retention(settings):
    settings.RAW_PAYLOAD_RETENTION_DAYS = 30
    now = timezone.now()
    for age_days in (31, 29):
        payload = RawPayload.store(provider=Source.OPENLIGADB, endpoint="/getmatchdata/1", params={},
                                   url="https://api.openligadb.de/getmatchdata/1", status_code=200, body=b"[]")
        RawPayload.objects.filter(pk=payload.pk).update(fetched_at=now - timedelta(days=age_days))

    assert RawPayload.purge_expired(now=now) == 1
    assert RawPayload.objects.get().fetched_at == now - timedelta(days=29)
    assert RawPayload.purge_expired(now=now + timedelta(days=2)) == 1


@pytest.mark.parametrize("client_class, call, path, credential", [
    (ApiFootballClient, lambda client: client.standings(39, 2023), "/standings", ("x-apisports-key", "af-key")),
    (FootballDataOrgClient, lambda client: client.standings("PL", 2023), "/v4/competitions/PL/standings",
     ("x-auth-token", "fd-token")),
    (OpenLigaDbClient, lambda client: client.standings("bl1", 2023), "/getbltable/bl1/2023", None),
])
def test_each_provider_is_sent_its_credentials(provider, waits, client_class, call, path, credential):
    provider.route(path, Reply(json=[]))

    call(client_class(sleep=waits))

    headers = provider.requests[0].headers
    assert headers["accept"] == "application/json"
    if credential:
        assert headers[credential[0]] == credential[1]
    else:
        assert "x-apisports-key" not in headers and "x-auth-token" not in headers


@pytest.mark.parametrize("call, path, query", [
    (lambda af, fd, ol: af.fixtures(live="all"), "/fixtures", {"live": "all"}),
    (lambda af, fd, ol: af.fixture_events(1149522), "/fixtures/events", {"fixture": "1149522"}),
    (lambda af, fd, ol: af.fixture_lineups(1149522), "/fixtures/lineups", {"fixture": "1149522"}),
    (lambda af, fd, ol: af.fixture_statistics(1149522), "/fixtures/statistics", {"fixture": "1149522"}),
    (lambda af, fd, ol: af.fixture_players(1149522), "/fixtures/players", {"fixture": "1149522"}),
    (lambda af, fd, ol: af.team_statistics(39, 2023, 33), "/teams/statistics",
     {"league": "39", "season": "2023", "team": "33"}),
    (lambda af, fd, ol: af.players(39, 2023, page=2), "/players", {"league": "39", "season": "2023", "page": "2"}),
    (lambda af, fd, ol: af.odds(fixture=1149522), "/odds", {"fixture": "1149522", "page": "1"}),
    (lambda af, fd, ol: fd.matches("2024-02-21", "2024-02-22", status="IN_PLAY"), "/v4/matches",
     {"dateFrom": "2024-02-21", "dateTo": "2024-02-22", "status": "IN_PLAY"}),
    (lambda af, fd, ol: fd.competition_matches("PL", season=2023), "/v4/competitions/PL/matches",
     {"season": "2023"}),
    (lambda af, fd, ol: fd.match(436000), "/v4/matches/436000", {}),
    (lambda af, fd, ol: fd.team(65), "/v4/teams/65", {}),
    (lambda af, fd, ol: ol.match_data("bl1", 2023), "/getmatchdata/bl1/2023", {}),
    (lambda af, fd, ol: ol.match_data("bl1", 2023, 5), "/getmatchdata/bl1/2023/5", {}),
    (lambda af, fd, ol: ol.current_group("bl1"), "/getcurrentgroup/bl1", {}),
    (lambda af, fd, ol: ol.match(66440), "/getmatchdata/66440", {}),
])
def test_helpers_ask_for_the_providers_paths(provider, waits, call, path, query):
    provider.route(path, Reply(json={"response": []}))

    call(ApiFootballClient(sleep=waits), FootballDataOrgClient(sleep=waits), OpenLigaDbClient(sleep=waits))

    assert [(request.path, request.query) for request in provider.requests] == [(path, query)]


def test_a_provider_without_credentials_is_not_called(provider, settings, waits):
    settings.API_FOOTBALL_KEY = ""

    assert not ApiFootballClient.configured() and OpenLigaDbClient.configured()
    with pytest.raises(ProviderError, match="API_FOOTBALL_KEY is not set"):
        ApiFootballClient(sleep=waits).fixtures(live="all")
    assert provider.requests == []


def test_the_admin_shows_payloads_read_only_with_the_body_pretty_printed(admin_client):
    run = IngestionRun.objects.create(source=Source.API_FOOTBALL, job="fixtures")
    payload = RawPayload.store(provider=Source.API_FOOTBALL, endpoint="/fixtures", params=DATE,
                               url="https://v3.football.api-sports.io/fixtures?date=2024-02-21", status_code=200,
                               body=json.dumps(FIXTURES).encode(), run=run)

    changelist = admin_client.get("/admin/ingestion/rawpayload/")
    detail = admin_client.get(f"/admin/ingestion/rawpayload/{payload.pk}/change/")
    runs = admin_client.get("/admin/ingestion/ingestionrun/")
    runs_payloads = admin_client.get(f"/admin/ingestion/rawpayload/?run__id__exact={run.pk}")

    assert changelist.status_code == detail.status_code == runs.status_code == runs_payloads.status_code == 200
    assert "/fixtures" in changelist.text
    assert '&quot;goals&quot;: {\n' in detail.text, "one key a line, indented"
    assert 'name="_save"' not in detail.text
    assert f"?run__id__exact={run.pk}" in runs.text
    assert admin_client.get("/admin/ingestion/rawpayload/add/").status_code == 403


def test_the_fake_provider_routes_by_query_and_follows_its_routes_file(tmp_path):
    (tmp_path / "live.json").write_text('{"response": ["live"]}')
    routes = tmp_path / "routes.json"
    routes.write_text(json.dumps({"/fixtures": [{"json": {"response": []}}],
                                  "/fixtures?live=all": [{"file": "live.json", "headers": {"ETag": "x"}}]}))

    with FakeProvider(routes_file=routes) as server:
        assert httpx.get(f"{server.url}/fixtures?live=all&timezone=UTC").json() == {"response": ["live"]}
        assert httpx.get(f"{server.url}/fixtures?date=2024-02-21").json() == {"response": []}
        routes.write_text(json.dumps({"/fixtures": {"status": 503, "body": '{"message": "down'}}))
        assert httpx.get(f"{server.url}/fixtures").status_code == 503
        assert httpx.get(f"{server.url}/elsewhere").status_code == 404
        asked = httpx.get(f"{server.url}/_fake/requests").json()

    assert [(request["path"], request["query"]) for request in asked] == [
        ("/fixtures", {"live": "all", "timezone": "UTC"}), ("/fixtures", {"date": "2024-02-21"}),
        ("/fixtures", {}), ("/elsewhere", {})]


def test_the_fake_provider_runs_as_its_own_process(tmp_path):
    routes = tmp_path / "routes.json"
    routes.write_text(json.dumps({"/getcurrentgroup/bl1": [{"json": {"groupOrderID": 5}}]}))
    server = subprocess.Popen([sys.executable, "-m", "ingestion.tests.fake_provider", "--routes", str(routes)],
                              cwd=django_settings.BASE_DIR, stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().split()[-1]
        assert httpx.get(f"{url}/getcurrentgroup/bl1").json() == {"groupOrderID": 5}
    finally:
        server.terminate()
        server.wait(timeout=5)
