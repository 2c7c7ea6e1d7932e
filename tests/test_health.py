"""/healthz tells the truth: each part (database, channel layer, task worker) on its own, 503 when one is down.

Real processes on a temporary SQLite site (tests/test_live_browser.Site): daphne, a qcluster,
and for the channel layer a private redis-server that is stopped and started again.
"""

import shutil
import time

import pytest

from matches.tests.test_redis_outage import PrivateRedis
from tests.test_live_browser import Site, until

needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed")


def wait_for_health(site: Site, wanted, what: str, seconds: float = 20) -> dict:
    """Poll /healthz until ``wanted(answer)``; return that answer."""
    seen = {}

    def check():
        seen["answer"] = site.health()
        return wanted(seen["answer"])

    until(check, time.monotonic() + seconds, f"/healthz to say {what} (last: {seen.get('answer')})", site)
    return seen["answer"]


@pytest.fixture
def site(tmp_path):
    sites = []

    def make(redis_url=None):
        made = Site(tmp_path, redis_url)
        made.manage("migrate", "--noinput", timeout=120)
        sites.append(made)
        return made

    yield make
    for made in sites:
        made.stop_all()


def test_a_stopped_task_worker_turns_healthz_503_and_a_running_one_200(site):
    web = site()
    web.start_web()
    answer = wait_for_health(web, lambda a: a is not None, "anything")
    assert answer["code"] == 503 and answer["task_worker"].startswith("error: no task worker")
    assert (answer["database"], answer["channel_layer"]) == ("ok", "ok")
    web.start("qcluster", "manage.py", "qcluster")
    answer = wait_for_health(web, lambda a: a["code"] == 200, "200 with the worker up", seconds=30)
    assert answer["status"] == "ok" and answer["task_worker"] == "ok" and answer["task_clusters"] == 1
    web.processes["qcluster"].terminate()
    stopped = time.monotonic()
    answer = wait_for_health(web, lambda a: a["code"] == 503, "503 once the worker stops")
    assert answer["task_worker"].startswith("error") and answer["database"] == "ok"
    assert time.monotonic() - stopped < 15  # within a few seconds, not minutes


@needs_redis_server
def test_redis_stopping_turns_healthz_503_and_returning_200(site):
    """Production shape: the channel layer and the task broker on a (private) Redis."""
    redis = PrivateRedis()
    redis.start()
    try:
        web = site(f"redis://127.0.0.1:{redis.port}/0")
        web.start_web()
        web.start("qcluster", "manage.py", "qcluster")
        answer = wait_for_health(web, lambda a: a is not None and a["code"] == 200, "200", seconds=30)
        assert answer["channel_layer"] == "ok" and answer["task_worker"] == "ok"
        redis.stop()
        stopped = time.monotonic()
        answer = wait_for_health(web, lambda a: a["code"] == 503, "503 with Redis down")
        assert answer["channel_layer"].startswith("error") and answer["database"] == "ok"
        assert time.monotonic() - stopped < 10
        redis.start()
        answer = wait_for_health(web, lambda a: a["code"] == 200, "200 with Redis back", seconds=30)
        assert answer["channel_layer"] == "ok" and answer["task_worker"] == "ok"
    finally:
        redis.stop()
