"""Per-process fan-out: one channel-layer subscription per watched match, delivered to local sockets.

DESIGN.md §8: one channel-layer group member per socket tops out near 2,000 messages a
second and drops messages when a member's channel fills. Here each server process joins a
match's group once, however many of its sockets watch that match, and hands every frame
(already rendered by the publisher) to those sockets itself.

The subscription also repairs: when no frame has come for ``REPAIR_SECONDS`` it compares
the match's version in the database with the last one delivered and, if they differ (a
frame was lost, Redis was down, or the writer is another process on the in-memory
layer of the embedded mode), renders the whole state once and delivers that.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from matches import live

logger = logging.getLogger(__name__)

REPAIR_SECONDS = 0.5


class Viewer(Protocol):
    async def deliver(self, seq: int, html: str) -> None: ...


class MatchFeed:
    """The sockets of this process watching one match, and the task that feeds them."""

    def __init__(self, match_id: int):
        self.match_id = match_id
        self.viewers: set[Viewer] = set()
        self.version: str | None = None  # of the last frame delivered
        self.task: asyncio.Task | None = None

    async def run(self) -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        group = live.group_name(self.match_id)
        joined = False
        try:
            while self.viewers:
                if not joined:
                    try:
                        await layer.group_add(group, channel)
                        joined = True
                    except Exception:  # layer down: the repair loop below keeps viewers current
                        live.counters["subscribe_failed"] += 1
                try:
                    message = await asyncio.wait_for(layer.receive(channel), REPAIR_SECONDS)
                except TimeoutError:
                    await self.repair()
                    continue
                except Exception:
                    joined = False  # e.g. Redis restarted: join again, repair meanwhile
                    live.counters["receive_failed"] += 1
                    await self.repair()
                    await asyncio.sleep(REPAIR_SECONDS)
                    continue
                self.version = message.get("version", self.version)
                await self.broadcast(message["seq"], message["html"])
        finally:
            if joined:
                try:
                    await layer.group_discard(group, channel)
                except Exception:
                    pass

    async def repair(self) -> None:
        version = await database_sync_to_async(_current_version)(self.match_id)
        if version is None or version == self.version:
            return
        seq, version, html = await database_sync_to_async(live.state_frame)(self.match_id)
        live.counters["repaired"] += 1
        self.version = version
        await self.broadcast(seq, html)

    async def broadcast(self, seq: int, html: str) -> None:
        for viewer in list(self.viewers):
            try:
                await viewer.deliver(seq, html)
            except Exception:  # a socket closing under us: its disconnect removes it
                self.viewers.discard(viewer)
        live.counters["delivered"] += len(self.viewers)


def _current_version(match_id: int) -> str | None:
    from matches.models import Match

    row = Match.objects.filter(pk=match_id).values("last_seq", "updated_at").first()
    return None if row is None else f"{row['last_seq']}:{row['updated_at'].isoformat()}"


class Hub:
    """This process's feeds by match, and the open sockets by client address (for the cap)."""

    def __init__(self):
        self.feeds: dict[int, MatchFeed] = {}
        self.per_client: Counter = Counter()

    def watch(self, match_id: int, viewer: Viewer) -> None:
        feed = self.feeds.get(match_id)
        if feed is None:
            feed = self.feeds[match_id] = MatchFeed(match_id)
        feed.viewers.add(viewer)
        loop = asyncio.get_running_loop()
        # A task of another (finished) event loop, as between tests, is as good as none.
        if feed.task is None or feed.task.done() or feed.task.get_loop() is not loop:
            feed.task = loop.create_task(feed.run())

    def seen(self, match_id: int, version: str) -> None:
        """A viewer was just sent the state at ``version``: a new feed need not repair up to it."""
        feed = self.feeds.get(match_id)
        if feed is not None and feed.version is None:
            feed.version = version

    def unwatch(self, match_id: int, viewer: Viewer) -> None:
        feed = self.feeds.get(match_id)
        if feed is None:
            return
        feed.viewers.discard(viewer)
        if not feed.viewers:
            del self.feeds[match_id]
            if feed.task is not None:
                feed.task.cancel()

    def viewers(self, match_id: int) -> int:
        feed = self.feeds.get(match_id)
        return len(feed.viewers) if feed else 0


hub = Hub()
