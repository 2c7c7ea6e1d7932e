"""The signed-in user's own stream, ``/ws/me/?after=<last alert id>``: his alerts, nothing public.

Requires the session (quantfoot/routing.py wraps only this route with AuthMiddlewareStack);
anyone else is closed with 4401. The socket joins its user's group (``accounts.alerts.user_group``)
and forwards what is sent there. Alerts are stored, so it also catches up from the database:
on connect (``after``), and every ``catch_up_seconds`` for what the layer could not bring
(a writer in another process on the embedded in-memory layer, a Redis hiccup).
"""

from __future__ import annotations

import asyncio
import contextlib
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from channels.layers import InMemoryChannelLayer
from django.conf import settings

from accounts import portfolios
from accounts.alerts import render_stored, user_group
from accounts.models import Alert

CLOSE_UNAUTHENTICATED = 4401
CATCH_UP_LIMIT = 20  # a browser back after a long absence gets the latest few, not a flood


class UserStreamConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        self.group = None
        self.catching_up = None
        if user is None or not user.is_authenticated:
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.user_id = user.pk
        # What the page already shows, read before joining the group: an alert stored after this read
        # comes by the layer or the catch-up (forward() sends it once), none falls between the two.
        after = self.after_id()
        self.sent_id = await database_sync_to_async(self.latest_id)() if after is None else after
        # the page drew the portfolios as they were: only later changes are sent
        self.portfolio_versions = (await database_sync_to_async(portfolios.changed_since)(self.user_id, {}))[1]
        # Joined before the socket opens: a client that sees the socket open gets everything after.
        self.group = user_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.catch_up()
        self.catching_up = asyncio.ensure_future(self.keep_catching_up())

    async def disconnect(self, code):
        if self.catching_up is not None:
            self.catching_up.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.catching_up
        if self.group is not None:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    def after_id(self) -> int | None:
        values = parse_qs(self.scope.get("query_string", b"").decode()).get("after")
        try:
            return max(int(values[0]), 0) if values else None
        except ValueError:
            return None

    def latest_id(self) -> int:
        return Alert.objects.filter(user_id=self.user_id).order_by("-id").values_list("id", flat=True).first() or 0

    def stored_after(self, after: int) -> list[tuple[int, str]]:
        alerts = list(Alert.objects.filter(user_id=self.user_id, id__gt=after).order_by("-id")[:CATCH_UP_LIMIT])
        return render_stored(alerts[::-1])

    def catch_up_seconds(self) -> float:
        # The in-memory layer cannot carry another process's alerts: look often. Redis carries them: look
        # seldom, only for what a hiccup lost.
        if isinstance(self.channel_layer, InMemoryChannelLayer):
            return settings.ALERTS_CATCH_UP_SECONDS
        return settings.ALERTS_CATCH_UP_SECONDS * 15

    async def keep_catching_up(self):
        while True:
            await asyncio.sleep(self.catch_up_seconds())
            await self.catch_up()

    async def catch_up(self):
        for alert_id, html in await database_sync_to_async(self.stored_after)(self.sent_id):
            await self.forward(alert_id, html)
        if self.portfolio_versions:
            fragments, self.portfolio_versions = await database_sync_to_async(portfolios.changed_since)(
                self.user_id, self.portfolio_versions)
            for html in fragments:
                await self.send(text_data=html)

    async def forward(self, alert_id: int, html: str):
        if alert_id > self.sent_id:  # the layer and the catch-up may both bring it: send it once
            self.sent_id = alert_id
            await self.send(text_data=html)

    async def alert_message(self, message):
        await self.forward(message["id"], message["html"])

    async def portfolio_message(self, message):
        """A paper portfolio's live block, whole: sending it twice shows the same thing."""
        await self.send(text_data=message["html"])
