"""Per-process fan-out: one channel-layer subscription per watched feed, delivered to local sockets.

DESIGN.md §8: one channel-layer group member per socket tops out near 2,000 messages a
second and drops messages when a member's channel fills. Here each server process joins a
match's (or player's) group once, however many of its sockets watch it, and hands every
frame (already rendered by the publisher) to those sockets itself.

The hub also repairs: every ``REPAIR_SECONDS`` each feed that heard no frame since the last
round compares the source's version in the database (all feeds in one visit) with the last
one delivered and, if they differ (a frame was lost, Redis was down, or the writer is
another process on the in-memory layer of the embedded mode), renders the whole state once
and delivers that.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Protocol

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from prometheus_client import Counter as MetricCounter

from matches import live
from quantfoot.websockets import TextFrame

logger = logging.getLogger(__name__)

REPAIR_SECONDS = 0.5

# Prometheus (quantfoot/metrics.py serves them; the open sockets are read from the hub at scrape
# time). Labelled by stream kind (the group's prefix: match, season, player), never by socket.
FRAMES_SENT = MetricCounter("quantfoot_live_frames_sent", "Frames the fan-out handed to this process's sockets.",
                            ["stream"])
REPAIRS = MetricCounter("quantfoot_live_repairs", "Whole states re-sent because the database had moved on "
                        "past the last frame delivered (a frame lost, the layer down, another writer).", ["stream"])


def stream_kind(group: str) -> str:
    """``match.12`` -> ``match``: what kind of page a feed serves."""
    return group.partition(".")[0]


class Viewer(Protocol):
    def deliver(self, seq: int, frame: TextFrame) -> Awaitable | None: ...  # written now, or what to await


class FeedSource(Protocol):
    """What a feed follows: its channel-layer group, and the database's view of it (sync)."""

    group: str

    def version(self) -> str | None: ...  # None: gone

    def state(self) -> tuple[int, str, str]: ...  # (seq, version, html) of everything shown


class MatchSource:
    def __init__(self, match_id: int):
        self.match_id = match_id
        self.group = live.group_name(match_id)

    def version(self) -> str | None:
        return live.match_version(self.match_id)

    def state(self) -> tuple[int, str, str]:
        return live.state_frame(self.match_id)


class SeasonSource:
    """A season's live table. Nothing publishes to its group: the feed's repair check (a cheap
    aggregate every REPAIR_SECONDS per process, not per socket) sees a result change and
    pushes the re-rendered table, so every writer of a score (live services, imports) counts."""

    def __init__(self, season_id: int):
        self.season_id = season_id
        self.group = f"season.{season_id}"

    def version(self) -> str | None:
        from matches.competition_page import season_version

        return season_version(self.season_id)

    def state(self) -> tuple[int, str, str]:
        from matches.competition_page import live_table

        return live_table(self.season_id)


class Feed:
    """The sockets of this process watching one source, and the task that feeds them."""

    def __init__(self, source: FeedSource):
        self.source = source
        self.viewers: set[Viewer] = set()
        self.version: str | None = None  # of the last frame delivered
        self.task: asyncio.Task | None = None
        self.joined = False
        self.heard = False  # a frame came since the hub's last repair round
        # Set once the first subscription attempt is over: from then on every frame reaches
        # self.version, so a cached state whose version matches is current.
        self.subscribed = asyncio.Event()
        # The whole state as last rendered, (seq, version, frame): a crowd connecting at
        # kick-off costs one render and one encoding, not one per socket.
        self.state: tuple[int, str, TextFrame] | None = None
        self.state_lock = asyncio.Lock()
        # Bound once: each frame then costs one add for the whole batch of sockets.
        self.frames_sent = FRAMES_SENT.labels(stream_kind(source.group))
        self.repairs = REPAIRS.labels(stream_kind(source.group))

    async def run(self) -> None:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        group = self.source.group
        self.joined = False
        try:
            while self.viewers:
                if not self.joined:
                    try:
                        await layer.group_add(group, channel)
                        self.joined = True
                    except Exception:  # layer down: the hub's repair rounds keep viewers current
                        live.counters["subscribe_failed"] += 1
                    self.subscribed.set()
                    if not self.joined:
                        await asyncio.sleep(REPAIR_SECONDS)
                        continue
                # Never cancelled while the feed lives (a timeout would): channels-redis can lose a
                # frame it has already taken from Redis when its receive is cancelled.
                try:
                    message = await layer.receive(channel)
                except Exception:
                    self.joined = False  # e.g. Redis restarted: join again, repaired meanwhile
                    live.counters["receive_failed"] += 1
                    await asyncio.sleep(REPAIR_SECONDS)
                    continue
                self.heard = True
                self.version = message.get("version", self.version)
                await self.broadcast(message["seq"], TextFrame(message["html"]))
        finally:
            self.subscribed.set()
            if self.joined:
                self.joined = False
                try:
                    await layer.group_discard(group, channel)
                except Exception:
                    pass

    async def repair(self) -> None:
        """The database has moved on past the last frame delivered: render the whole state and send it."""
        seq, version, html = await database_sync_to_async(self.source.state)()
        frame = TextFrame(html)
        self.state = seq, version, frame
        live.counters["repaired"] += 1
        self.repairs.inc()
        self.version = version
        await self.broadcast(seq, frame)

    async def current_state(self) -> tuple[int, str, TextFrame]:
        """The whole state for a socket that just connected, rendered at most once per version.

        While the subscription is live and nothing arrived since the last render, the cached
        state is current without asking the database; otherwise one cheap version query
        decides. Concurrent connects wait for the subscription (a crowd arriving with the feed
        would each ask the database) and then for a single query and render.
        """
        if not self.subscribed.is_set():
            try:
                await asyncio.wait_for(self.subscribed.wait(), REPAIR_SECONDS)
            except TimeoutError:  # the layer hangs: the database decides, below
                pass
        if (cached := self.current_cached_state()) is not None:
            return cached
        async with self.state_lock:
            if (cached := self.current_cached_state()) is not None:
                return cached
            version = await database_sync_to_async(self.source.version)()
            if self.state is None or self.state[1] != version:
                seq, version, html = await database_sync_to_async(self.source.state)()
                self.state = seq, version, TextFrame(html)
                live.counters["state_rendered"] += 1
            if self.version is None:  # a new feed need not repair up to what its viewer got
                self.version = self.state[1]
            return self.state

    def current_cached_state(self) -> tuple[int, str, TextFrame] | None:
        cached = self.state
        return cached if cached is not None and self.joined and cached[1] == self.version else None

    async def broadcast(self, seq: int, frame: TextFrame) -> None:
        # One frame object for every socket: on daphne it is encoded and framed once and written
        # without awaiting (quantfoot.websockets); only the standard ASGI send is awaited.
        for viewer in list(self.viewers):
            try:
                if (sending := viewer.deliver(seq, frame)) is not None:
                    await sending
            except Exception:  # a socket closing under us: its disconnect removes it
                self.viewers.discard(viewer)
        live.counters["delivered"] += len(self.viewers)
        self.frames_sent.inc(len(self.viewers))


class Hub:
    """This process's feeds by group, and the open sockets by client address (for the cap)."""

    def __init__(self):
        self.feeds: dict[str, Feed] = {}
        self.per_client: Counter = Counter()
        self.existence_checks: dict[str, asyncio.Future] = {}
        self.repairing: asyncio.Task | None = None

    def watch(self, source: FeedSource, viewer: Viewer) -> None:
        feed = self.feeds.get(source.group)
        if feed is None:
            feed = self.feeds[source.group] = Feed(source)
        feed.viewers.add(viewer)
        loop = asyncio.get_running_loop()
        # A task of another (finished) event loop, as between tests, is as good as none.
        if feed.task is None or feed.task.done() or feed.task.get_loop() is not loop:
            feed.task = loop.create_task(feed.run())
        if self.repairing is None or self.repairing.done() or self.repairing.get_loop() is not loop:
            self.repairing = loop.create_task(self.repair_rounds())

    async def repair_rounds(self) -> None:
        """Every REPAIR_SECONDS, the feeds that heard nothing since the last round compare their
        version with the database's, all in one visit (one thread hop, however many feeds), and
        those behind are re-sent their whole state. A thread hop per feed every half second was a
        fifth of a server's time with 20 matches watched (py-spy), competing with the fan-out."""
        failing = False
        while self.feeds:
            await asyncio.sleep(REPAIR_SECONDS)
            quiet = [feed for feed in self.feeds.values() if not feed.heard]
            for feed in self.feeds.values():
                feed.heard = False
            if not quiet:
                continue
            try:
                versions = await database_sync_to_async(lambda: [feed.source.version() for feed in quiet])()
            except Exception:  # the database is down: the next round tries again
                live.counters["repair_failed"] += 1
                if not failing:  # logged once per outage, not twice a second
                    logger.exception("live repair round: reading %d feeds' versions failed", len(quiet))
                failing = True
                continue
            failing = False
            for feed, version in zip(quiet, versions):
                if version is None or version == feed.version or not feed.viewers:
                    continue
                try:
                    await feed.repair()
                except Exception:
                    live.counters["repair_failed"] += 1
                    logger.exception("live repair of %s failed", feed.source.group)

    async def state(self, group: str) -> tuple[int, TextFrame]:
        """(seq, frame) of the whole state of a watched feed, for a viewer catching up."""
        seq, _, frame = await self.feeds[group].current_state()
        return seq, frame

    async def exists(self, group: str, check: Callable[[], bool]) -> bool:
        """Whether a source is stored, asking the database (``check``, sync) once for a crowd.

        A feed this process follows was checked when its first socket connected; sockets that
        arrive while that check runs wait for its answer instead of asking again.
        """
        if group in self.feeds:
            return True
        checking = self.existence_checks.get(group)
        if checking is None or checking.get_loop() is not asyncio.get_running_loop():
            checking = self.existence_checks[group] = asyncio.ensure_future(database_sync_to_async(check)())
            checking.add_done_callback(lambda done: self.existence_checks.pop(group, None)
                                       if self.existence_checks.get(group) is done else None)
        return await asyncio.shield(checking)  # one socket giving up does not cancel the others' answer

    def unwatch(self, group: str, viewer: Viewer) -> None:
        feed = self.feeds.get(group)
        if feed is None:
            return
        feed.viewers.discard(viewer)
        if not feed.viewers:
            del self.feeds[group]
            if feed.task is not None:
                feed.task.cancel()

    def viewers(self, group: str) -> int:
        feed = self.feeds.get(group)
        return len(feed.viewers) if feed else 0


hub = Hub()
