"""WebSocket consumers: check, catch up, then forward what the hub delivers. Nothing else.

Protocol (DESIGN.md §4): ``/ws/matches/<id>/?after=<seq>`` (and ``/ws/players/<id>/``).
On connect the client gets the whole current state (every region, as hx-swap-oob
fragments carrying ``data-seq``), which includes every change after ``after``; then each
live frame as it is published, never one older than what it already has.
"""

from __future__ import annotations

from collections.abc import Awaitable
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.consumer import get_handler_name
from django.conf import settings

from matches.fanout import FeedSource, MatchSource, SeasonSource, hub
from matches.models import Match, Season
from quantfoot.websockets import TextFrame, frame_writer

# Close codes (4000-4999 are the application's).
CLOSE_BAD_REQUEST = 4400
CLOSE_UNKNOWN = 4404
CLOSE_TOO_MANY = 4429
CLOSE_UNKNOWN_MATCH = CLOSE_UNKNOWN


class LiveConsumer(AsyncWebsocketConsumer):
    """Follows one feed source; subclasses say which (``source``) and whether it exists."""

    # No channel-layer channel per socket: the hub holds one subscription per feed for the
    # whole process (matches/fanout.py), so a socket costs no layer traffic at all.
    channel_layer_alias = "no-layer-per-socket"

    def source(self) -> FeedSource:
        """The source the URL names (no database read)."""
        raise NotImplementedError

    def exists(self) -> bool:
        """Whether that source is stored (sync, in a thread); asked only by the first socket of a feed."""
        raise NotImplementedError

    async def dispatch(self, message):
        # channels' dispatch first closes stale database connections in a thread, for every message
        # (connect, disconnect): a thread hop per socket at kick-off. These handlers touch the
        # database only through database_sync_to_async, which closes them around each call itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        # The real client behind TRUSTED_PROXIES: quantfoot.proxies.TrustedProxyMiddleware rewrote the scope.
        self.client = (self.scope.get("client") or ("unknown", 0))[0]
        self.watching = False
        self.caught_up = False
        self.sent_seq = -1
        self.pending: list[tuple[int, TextFrame]] = []
        self.writer = frame_writer(self.base_send)
        await self.accept()
        if self.after_seq() is None:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        if hub.per_client[self.client] >= settings.LIVE_MAX_SOCKETS_PER_CLIENT:
            await self.close(code=CLOSE_TOO_MANY)
            return
        feed_source = self.source()
        if not await hub.exists(feed_source.group, self.exists):  # one database read for a crowd
            await self.close(code=CLOSE_UNKNOWN)
            return
        # Watch first, then read the state: a frame published in between is held back and
        # sent after the state unless the state already includes it.
        self.feed_source = feed_source
        hub.per_client[self.client] += 1
        self.watching = True
        hub.watch(self.feed_source, self)
        seq, state = await hub.state(self.feed_source.group)
        await self.write(state)
        self.sent_seq = seq
        self.caught_up = True
        for pending_seq, pending in self.pending:
            if pending_seq >= seq:
                await self.write(pending)
        self.pending.clear()

    async def write(self, frame: TextFrame) -> None:
        if (sending := self.writer.write(frame)) is not None:
            await sending

    def after_seq(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("after", ["0"])
        try:
            after = int(values[0])
        except ValueError:
            return None
        return after if after >= 0 else None

    def deliver(self, seq: int, frame: TextFrame) -> Awaitable | None:
        """Called by the hub for every frame of this feed: written now, or what to await (the ASGI send)."""
        if not self.caught_up:
            self.pending.append((seq, frame))
        elif seq >= self.sent_seq:  # never regress to a frame older than what the client has
            self.sent_seq = seq
            return self.writer.write(frame)
        return None

    async def receive(self, text_data=None, bytes_data=None):
        pass  # the page only listens

    async def disconnect(self, code):
        if getattr(self, "watching", False):
            hub.unwatch(self.feed_source.group, self)
            hub.per_client[self.client] -= 1
            if hub.per_client[self.client] <= 0:
                del hub.per_client[self.client]


class MatchConsumer(LiveConsumer):
    def source(self) -> FeedSource:
        self.match_id = int(self.scope["url_route"]["kwargs"]["match_id"])
        return MatchSource(self.match_id)

    def exists(self) -> bool:
        return Match.objects.filter(pk=self.match_id).exists()


class SeasonTableConsumer(LiveConsumer):
    """``/ws/seasons/<id>/``: the competition page's table while the season's matches are played."""

    def source(self) -> FeedSource:
        self.season_id = int(self.scope["url_route"]["kwargs"]["season_id"])
        return SeasonSource(self.season_id)

    def exists(self) -> bool:
        return Season.objects.filter(pk=self.season_id).exists()
