"""WebSocket consumers: check, catch up, then forward what the hub delivers. Nothing else.

Protocol (DESIGN.md §4): ``/ws/matches/<id>/?after=<seq>`` (and ``/ws/players/<id>/``).
On connect the client gets the whole current state (every region, as hx-swap-oob
fragments carrying ``data-seq``), which includes every change after ``after``; then each
live frame as it is published, never one older than what it already has.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from matches.fanout import FeedSource, MatchSource, SeasonSource, hub
from matches.models import Match, Season

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
        raise NotImplementedError

    def exists(self) -> bool:
        raise NotImplementedError

    async def connect(self):
        # The real client behind TRUSTED_PROXIES: quantfoot.proxies.TrustedProxyMiddleware rewrote the scope.
        self.client = (self.scope.get("client") or ("unknown", 0))[0]
        self.watching = False
        self.caught_up = False
        self.sent_seq = -1
        self.pending: list[tuple[int, str]] = []
        await self.accept()
        if self.after_seq() is None:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        if hub.per_client[self.client] >= settings.LIVE_MAX_SOCKETS_PER_CLIENT:
            await self.close(code=CLOSE_TOO_MANY)
            return
        if not await database_sync_to_async(self.exists)():
            await self.close(code=CLOSE_UNKNOWN)
            return
        # Watch first, then read the state: a frame published in between is held back and
        # sent after the state unless the state already includes it.
        self.feed_source = self.source()
        hub.per_client[self.client] += 1
        self.watching = True
        hub.watch(self.feed_source, self)
        seq, _, html = await hub.state(self.feed_source.group)
        await self.send(text_data=html)
        self.sent_seq = seq
        self.caught_up = True
        for pending_seq, pending_html in self.pending:
            if pending_seq >= seq:
                await self.send(text_data=pending_html)
        self.pending.clear()

    def after_seq(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("after", ["0"])
        try:
            after = int(values[0])
        except ValueError:
            return None
        return after if after >= 0 else None

    async def deliver(self, seq: int, html: str) -> None:
        """Called by the hub for every frame of this feed."""
        if not self.caught_up:
            self.pending.append((seq, html))
        elif seq >= self.sent_seq:  # never regress to a frame older than what the client has
            self.sent_seq = seq
            await self.send(text_data=html)

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
        return MatchSource(self.match_id)

    def exists(self) -> bool:
        self.match_id = int(self.scope["url_route"]["kwargs"]["match_id"])
        return Match.objects.filter(pk=self.match_id).exists()


class SeasonTableConsumer(LiveConsumer):
    """``/ws/seasons/<id>/``: the competition page's table while the season's matches are played."""

    def source(self) -> FeedSource:
        return SeasonSource(self.season_id)

    def exists(self) -> bool:
        self.season_id = int(self.scope["url_route"]["kwargs"]["season_id"])
        return Season.objects.filter(pk=self.season_id).exists()
