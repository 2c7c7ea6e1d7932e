"""The peer QuantFoot's live fan-out is measured against: a minimal Starlette + Redis pub/sub hub.

Run by bench/live.py as ``uvicorn bench.peer:app`` (one or more processes). Same shape as
matches/fanout.py without Django or Channels: each process holds ONE Redis subscription
per watched match channel and broadcasts what arrives to its local sockets; a frame is
decoded once and the same str is sent to every socket. No state on connect, no catch-up.
"""

import asyncio
import os

import redis.asyncio as redis
from starlette.applications import Starlette
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

REDIS_URL = os.environ.get("PEER_REDIS_URL", "redis://127.0.0.1:6379/9")
CHANNEL = "quantfoot-bench.peer.match.{}"  # pub/sub channels ignore the db index: keep them distinctive

viewers: dict[int, set[WebSocket]] = {}  # this process's sockets by match
feeds: dict[int, asyncio.Task] = {}  # this process's subscription by match


async def feed(match_id: int) -> None:
    """One subscription for the match, however many local sockets watch it."""
    client = redis.from_url(REDIS_URL)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    await pubsub.subscribe(CHANNEL.format(match_id))
    try:
        async for message in pubsub.listen():
            text = message["data"].decode()  # once per frame, not per socket
            for socket in list(viewers.get(match_id, ())):
                try:
                    await socket.send_text(text)
                except Exception:  # closing under us: its handler removes it
                    viewers[match_id].discard(socket)
    finally:
        await pubsub.aclose()
        await client.aclose()


async def live(socket: WebSocket) -> None:
    match_id = int(socket.path_params["match_id"])
    await socket.accept()
    viewers.setdefault(match_id, set()).add(socket)
    if match_id not in feeds or feeds[match_id].done():
        feeds[match_id] = asyncio.create_task(feed(match_id))
    try:
        while True:
            await socket.receive_text()  # the page only listens; this returns when it goes
    except WebSocketDisconnect:
        pass
    finally:
        watching = viewers.get(match_id, set())
        watching.discard(socket)
        if not watching and match_id in feeds:
            feeds.pop(match_id).cancel()
            viewers.pop(match_id, None)


app = Starlette(routes=[WebSocketRoute("/ws/matches/{match_id:int}/", live)])
