"""/metrics: who may read it, and what an operator reads there about requests, sockets,
frames, repairs, the channel layer, providers and tasks."""

from __future__ import annotations

import contextlib
import time
import urllib.request
from pathlib import Path

import httpx
import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import AsyncClient, Client
from django.utils import timezone
from django_q.conf import Conf
from django_q.tasks import async_task
from prometheus_client.parser import text_string_to_metric_families

from ingestion.providers.api_football.client import ApiFootballClient
from ingestion.providers.football_data_org.client import FootballDataOrgClient
from ingestion.providers.http import ProviderError
from matches import fanout, live, services
from matches.models import Match
from matches.tests.live_match import event, make_match
from quantfoot import metrics
from quantfoot.asgi import application

pytestmark = pytest.mark.django_db  # the consumers' tests below need transaction=True, and say so
ORIGIN = (b"origin", b"http://localhost")


def read(text: str) -> dict[tuple[str, frozenset], float]:
    """The samples of a scrape: (name, labels) -> value."""
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape() -> dict[tuple[str, frozenset], float]:
    response = Client().get("/metrics")
    assert response.status_code == 200, response.content
    return read(response.content.decode())


async def ascrape() -> dict[tuple[str, frozenset], float]:
    response = await AsyncClient().get("/metrics")
    assert response.status_code == 200, response.content
    return read(response.content.decode())


def sample(samples, name: str, **labels) -> float | None:
    return samples.get((name, frozenset(labels.items())))


# Access


def test_loopback_reads_metrics_without_a_token():
    response = Client().get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert b"# TYPE quantfoot_http_request_duration_seconds histogram" in response.content


def test_a_client_outside_the_allowed_networks_is_refused():
    response = Client(REMOTE_ADDR="203.0.113.9").get("/metrics")
    assert response.status_code == 403
    assert b"METRICS_ALLOWED_NETWORKS" in response.content and b"quantfoot_" not in response.content


def test_the_allowed_networks_come_from_the_setting(monkeypatch):
    monkeypatch.setattr(metrics, "ALLOWED_NETWORKS", metrics.allowed_networks(["10.0.0.0/8", "2001:db8::/32"]))
    assert Client(REMOTE_ADDR="10.20.30.40").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="2001:db8::7").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="127.0.0.1").get("/metrics").status_code == 403  # loopback no longer listed
    assert Client(REMOTE_ADDR="11.0.0.1").get("/metrics").status_code == 403


def test_a_typo_in_the_allowed_networks_is_a_start_up_error():
    with pytest.raises(ImproperlyConfigured, match="METRICS_ALLOWED_NETWORKS: '10.0.0.0/33'"):
        metrics.allowed_networks(["10.0.0.0/33"])


def test_with_a_token_only_the_bearer_of_it_reads_metrics(settings):
    settings.METRICS_TOKEN = "scrape-me-7f3a"
    assert Client().get("/metrics").status_code == 403  # not even loopback without it
    assert Client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert Client().get("/metrics", headers={"Authorization": "Basic scrape-me-7f3a"}).status_code == 403
    refused = Client().get("/metrics")
    assert b"Authorization: Bearer" in refused.content and b"scrape-me-7f3a" not in refused.content
    allowed = Client(REMOTE_ADDR="203.0.113.9").get("/metrics", headers={"Authorization": "Bearer scrape-me-7f3a"})
    assert allowed.status_code == 200 and b"quantfoot_live_sockets" in allowed.content


def test_prometheus_scrapes_plain_http_under_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    page = Client().get("/search")
    assert page.status_code == 301 and page["Location"].startswith("https://")  # pages go to https
    response = Client().get("/metrics")
    assert response.status_code == 200 and b"quantfoot_live_sockets" in response.content


# Requests


def test_a_request_shows_up_in_the_latency_histogram_by_view_name():
    before = scrape()
    assert Client().get("/favicon.ico").status_code == 301
    Client().get("/no/such/page/at/all")
    after = scrape()
    count = "quantfoot_http_request_duration_seconds_count"
    favicon = {"view": "favicon", "method": "GET", "status": "3xx"}
    assert sample(after, count, **favicon) == (sample(before, count, **favicon) or 0) + 1
    assert sample(after, "quantfoot_http_request_duration_seconds_sum", **favicon) > 0
    # An unknown path is one label whatever was asked, so scanners cannot grow the series.
    unmatched = {"view": "<unmatched>", "method": "GET", "status": "4xx"}
    assert sample(after, count, **unmatched) == (sample(before, count, **unmatched) or 0) + 1
    assert not any(("no/such" in value) for _, labels in after for _, value in labels)


# Live: sockets, frames, repairs, channel-layer failures


def watch(match_id: int) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(application, f"/ws/matches/{match_id}/?after=0", headers=[ORIGIN])
    socket.scope["client"] = ("10.0.0.1", 5000)
    return socket


@pytest.mark.django_db(transaction=True)
async def test_sockets_open_per_match_and_gone_when_they_close():
    match = await database_sync_to_async(make_match)()
    sockets = [watch(match.pk), watch(match.pk)]
    for socket in sockets:
        assert (await socket.connect())[0]
        await socket.receive_from(timeout=2)  # the whole state

    open_now = await ascrape()
    assert sample(open_now, "quantfoot_live_sockets", stream="match", id=str(match.pk)) == 2

    for socket in sockets:
        await socket.disconnect()
    closed = await ascrape()
    assert sample(closed, "quantfoot_live_sockets", stream="match", id=str(match.pk)) is None
    assert not any(name == "quantfoot_live_sockets" for name, _ in closed)  # no match watched: no series


@pytest.mark.django_db(transaction=True)
async def test_a_recorded_event_counts_one_frame_per_socket_it_reached(monkeypatch):
    # No repair tick between the commit and the frame (it would be a second batch, rightly counted).
    monkeypatch.setattr(fanout, "REPAIR_SECONDS", 60)
    match = await database_sync_to_async(make_match)()
    sockets = [watch(match.pk), watch(match.pk)]
    for socket in sockets:
        await socket.connect()
        await socket.receive_from(timeout=2)
    before = await ascrape()

    await database_sync_to_async(services.record_event)(match, event("g1", "goal", 66, period=2))
    for socket in sockets:
        assert "hx-swap-oob" in await socket.receive_from(timeout=2)

    after = await ascrape()
    sent = "quantfoot_live_frames_sent_total"
    assert sample(after, sent, stream="match") == (sample(before, sent, stream="match") or 0) + 2
    published = "quantfoot_live_frames_published_total"
    assert sample(after, published) > sample(before, published)  # rendered once, sent to the layer
    for socket in sockets:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_change_that_was_never_published_is_repaired_and_counted():
    match = await database_sync_to_async(make_match)()
    socket = watch(match.pk)
    await socket.connect()
    await socket.receive_from(timeout=2)
    before = await ascrape()

    # A writer that does not publish (another process on the embedded in-memory layer).
    await database_sync_to_async(Match.objects.filter(pk=match.pk).update)(updated_at=timezone.now())
    assert "hx-swap-oob" in await socket.receive_from(timeout=3)

    after = await ascrape()
    repairs = "quantfoot_live_repairs_total"
    assert sample(after, repairs, stream="match") == (sample(before, repairs, stream="match") or 0) + 1
    await socket.disconnect()


class BrokenLayer:
    async def group_send(self, group, message):
        raise ConnectionError("Redis is down")


def test_a_channel_layer_failure_is_the_count_healthz_shows(monkeypatch):
    before = scrape()
    monkeypatch.setattr(live, "get_channel_layer", BrokenLayer)
    assert live.send("match.1", "match_event", 1, "v", "<div></div>") is False
    after = scrape()
    failures = "quantfoot_live_channel_layer_failures_total"
    assert sample(after, failures, operation="publish") == sample(before, failures, operation="publish") + 1


# Providers


@pytest.fixture
def no_budget():
    cache.clear()  # the providers' rate limits and quotas live in the cache
    yield
    cache.clear()


def test_a_provider_request_is_counted_with_the_quota_it_says_is_left(settings, no_budget):
    settings.API_FOOTBALL_KEY = "af-key"
    settings.API_FOOTBALL_BASE_URL = "https://api-football.test"
    reply = {"get": "fixtures", "errors": [], "results": 0, "response": []}
    transport = httpx.MockTransport(lambda request: httpx.Response(
        200, json=reply, headers={"x-ratelimit-requests-remaining": "97", "X-RateLimit-Remaining": "9"}))
    before = scrape()

    with ApiFootballClient(transport=transport, sleep=lambda seconds: None) as client:
        client.fixtures(date="2024-02-21")

    after = scrape()
    requests = "quantfoot_provider_requests_total"
    ok = {"provider": "api_football", "status": "200"}
    assert sample(after, requests, **ok) == (sample(before, requests, **ok) or 0) + 1
    quota = "quantfoot_provider_quota_remaining"
    assert sample(after, quota, provider="api_football", window="day") == 97
    assert sample(after, quota, provider="api_football", window="minute") == 9


def test_a_refused_provider_request_is_counted_by_its_status(settings, no_budget):
    settings.FOOTBALL_DATA_TOKEN = "fd-token"
    settings.FOOTBALL_DATA_BASE_URL = "https://football-data.test/v4"
    transport = httpx.MockTransport(lambda request: httpx.Response(
        403, json={"message": "The resource you are looking for is restricted."},
        headers={"X-Requests-Available-Minute": "6", "X-RequestCounter-Reset": "41"}))
    before = scrape()

    with FootballDataOrgClient(transport=transport, sleep=lambda seconds: None) as client, \
            pytest.raises(ProviderError, match="HTTP 403"):
        client.get("/competitions/CL/matches")

    after = scrape()
    refused = {"provider": "football_data_org", "status": "403"}
    requests = "quantfoot_provider_requests_total"
    assert sample(after, requests, **refused) == (sample(before, requests, **refused) or 0) + 1
    assert sample(after, "quantfoot_provider_quota_remaining", provider="football_data_org", window="minute") == 6


# Tasks


def task_that_takes_a_moment():
    time.sleep(0.02)
    return "done"


def task_that_fails():
    raise RuntimeError("the provider sent nonsense")


def test_a_task_duration_and_a_failure_are_counted(monkeypatch):
    monkeypatch.setattr(Conf, "SYNC", True)  # django-q2 runs the task inline, through its worker code
    ok, failing = f"{__name__}.task_that_takes_a_moment", f"{__name__}.task_that_fails"
    before = scrape()

    async_task(ok)
    with pytest.raises(RuntimeError):
        async_task(failing)

    after = scrape()
    count, total = "quantfoot_task_duration_seconds_count", "quantfoot_task_duration_seconds_sum"
    assert sample(after, count, task=ok) == (sample(before, count, task=ok) or 0) + 1
    assert sample(after, total, task=ok) - (sample(before, total, task=ok) or 0) >= 0.02
    failures = "quantfoot_task_failures_total"
    assert sample(after, failures, task=failing) == (sample(before, failures, task=failing) or 0) + 1
    assert (sample(after, failures, task=ok) or 0) == (sample(before, failures, task=ok) or 0)


# Done when (issue 13): /metrics of a real daphne shows the sockets of a match while a replay runs.


@pytest.mark.realdata
def test_metrics_of_daphne_show_the_sockets_and_frames_of_a_replayed_match(tmp_path, settings):
    from websockets.sync.client import connect

    from tests.test_live_browser import STATSBOMB_ID, Site, until

    statsbomb = Path(settings.QUANTFOOT_DATA, "statsbomb")
    if not (statsbomb / "events" / f"{STATSBOMB_ID}.json").exists():
        pytest.skip(f"real data not found at {statsbomb} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    site = Site(tmp_path)

    def daphne_metrics():
        with urllib.request.urlopen(f"{site.url}/metrics", timeout=5) as response:
            return read(response.read().decode())

    def sockets_of(match_id: int) -> float | None:
        return sample(daphne_metrics(), "quantfoot_live_sockets", stream="match", id=str(match_id))

    def frames_sent() -> float:
        return sample(daphne_metrics(), "quantfoot_live_frames_sent_total", stream="match") or 0

    try:
        site.manage("migrate", "--noinput", timeout=90)
        site.manage("import_statsbomb", str(statsbomb), "--match", STATSBOMB_ID, "--competition", "55",
                    "--season", "43", "--date", "2021-06-11", timeout=60)
        match_id = site.match_id()
        site.start_web()
        replay = site.start("replay", "manage.py", "replay_match", f"statsbomb:{STATSBOMB_ID}", "--speed", "60")
        deadline = time.monotonic() + 60
        with contextlib.ExitStack() as sockets:
            for _ in range(2):
                fan = sockets.enter_context(connect(f"ws://127.0.0.1:{site.port}/ws/matches/{match_id}/?after=0",
                                                    origin=site.url, open_timeout=10))
                assert "hx-swap-oob" in fan.recv(timeout=10)  # the whole state

            until(lambda: sockets_of(match_id) == 2, deadline, "daphne's /metrics to show the match's 2 sockets", site)
            first = frames_sent()
            until(lambda: frames_sent() >= first + 4, deadline, "frames sent to rise while the replay runs", site)
            assert replay.poll() is None, f"the replay ended before its frames were seen\n{site.logs()}"
        until(lambda: sockets_of(match_id) is None, deadline, "the closed sockets to leave /metrics", site)
    finally:
        site.stop_all()
