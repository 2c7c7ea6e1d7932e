"""Redis stops in the middle of a match: writes still commit, and the watching page loses nothing.

Runs a private redis-server on a spare port (the machine's own stays untouched), points the
channel layer at it, stops it mid-match and starts it again.
"""

import asyncio
import re
import shutil
import socket
import subprocess
import time

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from matches import live, services
from matches.tests.live_match import HOME, event, make_match
from quantfoot.asgi import application

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server is not installed"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self):
        self.port = free_port()
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("private redis-server did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(5)
            self.process = None


@pytest.fixture
def private_redis(settings):
    redis = PrivateRedis()
    redis.start()
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels_redis.core.RedisChannelLayer",
                                           "CONFIG": {"hosts": [f"redis://127.0.0.1:{redis.port}/0"]}}}
    channel_layers.backends.clear()  # build the layer again from these settings
    yield redis
    redis.stop()
    channel_layers.backends.clear()


def goals_in(html: str) -> str:
    return re.search(r'id="score".*?(\d+)\s*(?:&ndash;|–|-)\s*(\d+)', html, re.S).groups()


async def latest_frame(socket, seconds):
    """Read frames for a while; the last one is what the page shows.

    receive_nothing() waits without a timeout error (a timed-out receive_from would stop
    the application under test).
    """
    last, deadline = None, time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not await socket.receive_nothing(timeout=0.2):
            last = await socket.receive_from()
    return last


async def test_no_event_is_lost_when_redis_stops_mid_match(private_redis):
    match = await database_sync_to_async(make_match)()
    record = database_sync_to_async(services.record_event)
    page = WebsocketCommunicator(application, f"/ws/matches/{match.pk}/", headers=[(b"origin", b"http://localhost")])
    await page.connect()
    await page.receive_from(timeout=3)

    await record(match, event("og", "own_goal", 53, team=HOME, player="Merih Demiral", period=2))
    assert goals_in(await page.receive_from(timeout=3)) == ("0", "1")

    failed_before = live.counters["failed"]
    await asyncio.to_thread(private_redis.stop)
    stored = await record(match, event("g1", "goal", 66, period=2))  # Redis is down: the write still commits
    assert stored is not None and stored.seq == 2
    assert live.counters["failed"] > failed_before  # the match frame (and the scorer's line) counted

    await asyncio.to_thread(private_redis.start)
    await record(match, event("g2", "goal", 79, period=2, player="Lorenzo Insigne"))
    shown = await latest_frame(page, 5)
    assert shown is not None and goals_in(shown) == ("0", "3")
    assert "Immobile" in shown and "Insigne" in shown and "Demiral" in shown
    await page.disconnect()
