"""Two server processes share one quota through Redis (README "Public API"): the scale-out of DESIGN §3.

Two daphne processes on one SQLite file and Redis database 12 (``REDIS_URL`` switches Django's cache
to Redis); anonymous calls alternate between them and the address's quota counts them together.
Skipped unless Redis answers at 127.0.0.1:6379.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/12"
PER_MINUTE = 5


def _redis():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    return client


def _flush_quota_counters(client) -> None:
    for key in client.scan_iter(match="*api-quota:*"):
        client.delete(key)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers)


def _wait_healthy(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, f"daphne exited:\n{log.read_text()[-3000:]}"
        try:
            if _get(f"{url}/healthz")[0] in (200, 503):  # daphne answers (no task worker runs here)
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"daphne did not answer /healthz:\n{log.read_text()[-3000:]}")


@pytest.fixture
def two_servers(tmp_path):
    client = _redis()
    _flush_quota_counters(client)
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=f"sqlite:///{tmp_path / 'quota.sqlite3'}", REDIS_URL=REDIS_URL, PYTHONUNBUFFERED="1",
               SECRET_KEY="quota-test-only-throwaway-key-not-secret-0123456789abcdef",
               API_ANONYMOUS_PER_MINUTE=str(PER_MINUTE), API_ANONYMOUS_PER_DAY="1000")
    migrate = subprocess.run([sys.executable, "manage.py", "migrate", "--no-input"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr
    processes, urls = [], []
    try:
        for n in range(2):
            port, log = _free_port(), tmp_path / f"daphne-{n}.log"
            with open(log, "w") as out:
                process = subprocess.Popen([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port),
                                            "quantfoot.asgi:application"], cwd=ROOT, env=env, stdout=out,
                                           stderr=subprocess.STDOUT, start_new_session=True)
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}")
            _wait_healthy(urls[-1], process, log)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        _flush_quota_counters(client)


def _seconds_into_minute() -> float:
    return time.time() % 60


def test_two_processes_count_one_quota(two_servers):
    if _seconds_into_minute() > 50:  # the whole exchange must fall in one minute window
        time.sleep(61 - _seconds_into_minute())
    first, second = two_servers
    answers = [_get(f"{(first, second)[n % 2]}/api/v1/competitions") for n in range(PER_MINUTE + 1)]
    statuses = [status for status, _ in answers]
    assert statuses == [200] * PER_MINUTE + [429], json.dumps(answers, default=str)[:2000]
    left = [int(headers["X-Requests-Available-Minute"]) for _, headers in answers]
    assert left == [4, 3, 2, 1, 0, 0]  # each process saw the other's calls
    assert 1 <= int(answers[-1][1]["Retry-After"]) <= 60
