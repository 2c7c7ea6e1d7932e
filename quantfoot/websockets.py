"""The WebSocket edge: who may open a socket (same origin, port included) and what an unknown path gets."""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.generic.websocket import AsyncWebsocketConsumer
from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

CLOSE_NO_SUCH_STREAM = 4404  # the application range (4000-4999), as matches/consumers.py's CLOSE_UNKNOWN
DEFAULT_PORTS = {"http": 80, "https": 443}


def header(scope: dict, name: bytes) -> str | None:
    for key, value in scope.get("headers") or []:
        if key.lower() == name:
            return value.decode("latin-1")
    return None


def origin_allowed(scope: dict) -> bool:
    """The browser's Origin names an allowed host and the very host AND port the socket was opened on.

    channels' AllowedHostsOriginValidator compares the host only, so a page on another port of the
    same machine (another app, a dev server) could open our sockets with the visitor's cookies.
    A browser always sends Host; without one (a test harness, HTTP/1.0) only the host is checked.
    """
    origin = header(scope, b"origin")
    if not origin:
        return False
    try:
        parts = urlsplit(origin)
        origin_port = parts.port or DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # a port that is not a number
        return False
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return False
    allowed_hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not allowed_hosts:
        allowed_hosts = ["localhost", "127.0.0.1", "[::1]"]
    origin_host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if not validate_host(origin_host, allowed_hosts):
        return False
    host_header = header(scope, b"host")
    if host_header is None:
        return True
    host, port = split_domain_port(host_header.lower())
    host = host.strip("[]")
    request_port = int(port) if port.isdigit() else DEFAULT_PORTS[parts.scheme]
    return host == parts.hostname.lower() and request_port == origin_port


class SameOriginValidator:
    """ASGI middleware for the websocket protocol: refuse (403 on the handshake) unless origin_allowed."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.app(scope, receive, send)


class UnknownStreamConsumer(AsyncWebsocketConsumer):
    """The last route: a path no app serves is accepted and closed with 4404, not a 500 and a traceback."""

    async def connect(self):
        await self.accept()
        await self.close(code=CLOSE_NO_SUCH_STREAM)
