"""The live fan-out on real servers: daphne's framed-once write path and the standard ASGI send.

quantfoot.websockets writes a frame straight to each socket when the server is daphne (autobahn
frames it once, Twisted's socket takes it without a loop pass) and sends the standard
``websocket.send`` message on any other server. Both are run here as a fan sees them: several
sockets on one match, a change made by another process, every socket getting it in order;
/healthz says which path carried the frames. A reader too slow for the crowd (daphne, Redis)
gets every frame in order once it reads again: the fast path queues behind Twisted's buffer.
"""

from __future__ import annotations

import contextlib
import re
import socket
import time

import pytest

from tests.test_live_browser import Site, redis_answers, until

REDIS_URL = "redis://127.0.0.1:6379/13"  # these tests' own (11: the live browser test, 12: API quotas)
WAIT_SECONDS = 60  # a bound on the waits on a loaded machine, not a speed test (bench/live.py measures speed)
SOCKETS = 4

# A live match in the site's own database; prints its id and version (matches.live.version_of).
MAKE_MATCH = """
import datetime as dt
from matches.live import version_of
from matches.models import Competition, Match, Season, Team
competition = Competition.objects.create(name="Fan-out League")
season = Season.objects.create(competition=competition, name="2026/27")
match = Match.objects.create(
    competition=competition, season=season, home_team=Team.objects.create(name="Harbour Town"),
    away_team=Team.objects.create(name="Hill Rovers"), status=Match.Status.LIVE, clock_minute=12,
    home_score=0, away_score=0, kickoff=dt.datetime(2026, 12, 4, 15, tzinfo=dt.UTC))
print(match.pk, version_of(match))
"""


def seqs(html: str) -> list[int]:
    return [int(seq) for seq in re.findall(r'data-seq="(\d+)"', html)]


def socket_writes(site: Site) -> dict:
    return site.health()["socket_writes"]


def start(tmp_path, server: str, redis_url: str | None = None) -> tuple[Site, int, str]:
    site = Site(tmp_path, redis_url=redis_url)
    site.manage("migrate", "--noinput", timeout=90)
    match_id, version = site.manage("shell", "--verbosity", "0", "-c", MAKE_MATCH, timeout=60).split()
    site.start_web(server)
    return site, int(match_id), version


@pytest.mark.parametrize("server", ["daphne", "uvicorn"])
def test_every_socket_gets_a_change_made_elsewhere_whichever_server_sends_it(tmp_path, server):
    from websockets.sync.client import connect

    site, match_id, _ = start(tmp_path, server)
    try:
        uri = f"ws://127.0.0.1:{site.port}/ws/matches/{match_id}/?after=0"
        with contextlib.ExitStack() as stack:
            sockets = [stack.enter_context(connect(uri, origin=site.url, open_timeout=WAIT_SECONDS))
                       for _ in range(SOCKETS)]
            states = [ws.recv(timeout=WAIT_SECONDS) for ws in sockets]
            assert all('id="score"' in state and "0&ndash;0" in state for state in states)

            # Another process scores (embedded mode: no channel layer between processes); the feed's
            # repair loop sees the new version and sends the whole state to every socket once.
            site.manage("shell", "-c", f"from matches.models import Match; Match.objects.filter(pk={match_id})"
                                       ".update(home_score=1, last_seq=5)", timeout=60)
            changes = [ws.recv(timeout=WAIT_SECONDS) for ws in sockets]
        assert all("1&ndash;0" in change and max(seqs(change)) == 5 for change in changes)

        writes = socket_writes(site)
        if server == "daphne":  # framed once, written straight to each socket, none through ASGI
            assert writes.get("daphne_direct", 0) >= 2 * SOCKETS and "asgi" not in writes, writes
        else:  # uvicorn: the standard ASGI message, never daphne's path
            assert writes.get("asgi", 0) >= 2 * SOCKETS and not any(key.startswith("daphne") for key in writes), writes
    finally:
        site.stop_all()


FRAMES, FRAME_BYTES = 120, 40_000  # 4.8 MB: more than the kernel holds for a reader that stopped


def test_a_reader_that_stops_reading_gets_every_frame_in_order_when_it_reads_again(tmp_path):
    """Frames for a socket whose buffer is full wait in Twisted's queue, behind what is already there."""
    if not redis_answers():
        pytest.skip("no Redis answering on 127.0.0.1:6379 (the frames are published through it)")
    from asgiref.sync import async_to_sync
    from channels_redis.core import RedisChannelLayer
    from websockets.client import ClientProtocol
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Response
    from websockets.typing import Origin
    from websockets.uri import parse_uri
    from websockets.sync.client import connect

    from matches.live import group_name

    site, match_id, version = start(tmp_path, "daphne", redis_url=REDIS_URL)
    stack = contextlib.ExitStack()
    try:
        uri = f"ws://127.0.0.1:{site.port}/ws/matches/{match_id}/?after=0"
        reader = stack.enter_context(connect(uri, origin=site.url, open_timeout=WAIT_SECONDS))  # reads as frames come
        reader.recv(timeout=WAIT_SECONDS)

        # The slow one: a small receive window, the state read, then nothing read while frames come.
        slow = stack.enter_context(socket.socket())
        slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        slow.connect(("127.0.0.1", site.port))
        slow.settimeout(WAIT_SECONDS)
        protocol = ClientProtocol(parse_uri(uri), origin=Origin(site.url))
        protocol.send_request(protocol.connect())
        slow.sendall(b"".join(protocol.data_to_send()))
        texts: list[bytes] = []

        def read_some() -> None:
            protocol.receive_data(slow.recv(65536))
            for event in protocol.events_received():
                if isinstance(event, Response):
                    assert event.status_code == 101, event
                elif isinstance(event, Frame) and event.opcode is Opcode.TEXT:
                    texts.append(event.data)

        while not texts:  # the handshake and the whole state
            read_some()
        assert b'id="score"' in texts[0]

        # Published as matches.live.publish does, with the stored version (the repair loop keeps quiet).
        layer = RedisChannelLayer(hosts=[REDIS_URL], capacity=1000)  # the sender's capacity counts: the site's
        pad = "x" * FRAME_BYTES

        async def publish() -> None:
            for seq in range(1, FRAMES + 1):
                html = f'<div id="clock" data-seq="{seq}" hx-swap-oob="true">{seq}\'<span>{pad}</span></div>'
                await layer.group_send(group_name(match_id), {"type": "live.frame", "match": match_id,
                                                               "kind": "clock", "seq": seq, "version": version,
                                                               "html": html})
            await layer.close_pools()

        async_to_sync(publish)()
        got = [max(seqs(reader.recv(timeout=WAIT_SECONDS))) for _ in range(FRAMES)]
        assert got == list(range(1, FRAMES + 1))  # the reading socket: all, in order
        until(lambda: socket_writes(site).get("daphne_queued", 0) > 0, time.monotonic() + WAIT_SECONDS,
              "daphne to queue frames for the socket that stopped reading", site)

        deadline = time.monotonic() + WAIT_SECONDS
        while len(texts) < FRAMES + 1 and time.monotonic() < deadline:
            read_some()
        slow_seqs = [max(seqs(text.decode())) for text in texts[1:]]
        assert slow_seqs == list(range(1, FRAMES + 1)), f"{len(slow_seqs)} frames, first gaps at " \
            f"{[s for a, s in zip(range(1, FRAMES + 1), slow_seqs) if a != s][:3]}"
        assert all(len(text) > FRAME_BYTES for text in texts[1:])
    finally:
        stack.close()
        site.stop_all()

