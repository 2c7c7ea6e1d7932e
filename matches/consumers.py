"""WebSocket consumers: check, catch up, then forward what the hub delivers. Nothing else.

Protocol (DESIGN.md §4): ``/ws/matches/<id>/?after=<seq>``. On connect the client gets the
whole current state (every region, as hx-swap-oob fragments carrying ``data-seq``), which
includes every change after ``after``; then each live frame as it is published.
"""

from __future__ import annotations

from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings

from matches import live
from matches.fanout import hub
from matches.models import Match

# Close codes (4000-4999 are the application's).
CLOSE_UNKNOWN_MATCH = 4404
CLOSE_BAD_REQUEST = 4400
CLOSE_TOO_MANY = 4429


class MatchConsumer(AsyncWebsocketConsumer):
    # No channel-layer channel per socket: the hub holds one subscription per match for the
    # whole process (matches/fanout.py), so a socket costs no layer traffic at all.
    channel_layer_alias = "no-layer-per-socket"

    async def connect(self):
        self.match_id = int(self.scope["url_route"]["kwargs"]["match_id"])
        self.client = (self.scope.get("client") or ("unknown", 0))[0]
        self.watching = False
        self.caught_up = False
        self.sent_seq = -1
        self.pending: list[tuple[int, str]] = []
        await self.accept()
        after = self.after_seq()
        if after is None:
            await self.close(code=CLOSE_BAD_REQUEST)
            return
        if hub.per_client[self.client] >= settings.LIVE_MAX_SOCKETS_PER_CLIENT:
            await self.close(code=CLOSE_TOO_MANY)
            return
        exists = await database_sync_to_async(Match.objects.filter(pk=self.match_id).exists)()
        if not exists:
            await self.close(code=CLOSE_UNKNOWN_MATCH)
            return
        # Watch first, then read the state: a frame published in between is held back and
        # sent after the state unless the state already includes it.
        hub.per_client[self.client] += 1
        self.watching = True
        hub.watch(self.match_id, self)
        seq, version, html = await database_sync_to_async(live.state_frame)(self.match_id)
        hub.seen(self.match_id, version)
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
        """Called by the hub for every frame of this match."""
        if not self.caught_up:
            self.pending.append((seq, html))
        elif seq >= self.sent_seq:  # never regress to a frame older than what the client has
            self.sent_seq = seq
            await self.send(text_data=html)

    async def receive(self, text_data=None, bytes_data=None):
        pass  # the page only listens; what htmx sends (none here) is ignored

    async def disconnect(self, code):
        if getattr(self, "watching", False):
            hub.unwatch(self.match_id, self)
            hub.per_client[self.client] -= 1
            if hub.per_client[self.client] <= 0:
                del hub.per_client[self.client]
