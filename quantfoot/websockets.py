"""The WebSocket edge: who may open a socket (same origin, port included), what an unknown path gets,
and how one frame reaches many sockets (``TextFrame``, ``frame_writer``)."""

from __future__ import annotations

import functools
import pprint
from collections import Counter
from collections.abc import Awaitable
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


# Fan-out: one frame to thousands of sockets. The ASGI way (``send({"type": "websocket.send"})``)
# costs, per socket on daphne, a coroutine through daphne's reply handling, autobahn encoding and
# framing the text again, and Twisted buffering the bytes until the event loop reports the socket
# writable (a writer registered and removed: two epoll_ctl calls and a loop pass). On daphne a frame
# is therefore encoded and framed once (autobahn's PreparedMessage) and written straight to each
# socket whose Twisted buffer is empty, which is what Twisted itself would do one loop pass later.
# A socket with bytes still queued gets the frame queued behind them, and TLS or compression goes
# through autobahn (still framed once), so order and back-pressure stay Twisted's; any other server,
# or a daphne whose objects are not what this expects, gets the standard ASGI message.

# How frames left this process, by path; /healthz shows them with the other live counters.
writes: Counter = Counter()


class TextFrame:
    """One text message for many sockets: encoded to UTF-8 and framed at most once."""

    __slots__ = ("text", "_prepared")

    def __init__(self, text: str):
        self.text = text
        self._prepared = None

    def prepared(self):
        if self._prepared is None:
            from autobahn.websocket.protocol import PreparedMessage

            # A server's frames are never masked; compression (when negotiated) happens per socket.
            self._prepared = PreparedMessage(self.text.encode("utf-8"), isBinary=False, applyMask=False,
                                             doNotCompress=False)
        return self._prepared


class AsgiFrameWriter:
    """Any ASGI server: the frame as a standard ``websocket.send`` message."""

    __slots__ = ("send",)

    def __init__(self, send):
        self.send = send

    def write(self, frame: TextFrame) -> Awaitable | None:
        writes["asgi"] += 1
        return self.send({"type": "websocket.send", "text": frame.text})


class DaphneFrameWriter:
    """daphne: the prepared frame written to the socket now, without a coroutine or a loop pass."""

    __slots__ = ("protocol", "standard", "plain_tcp")

    def __init__(self, protocol, send):
        self.protocol = protocol
        self.standard = AsgiFrameWriter(send)
        # The transport is the connection's from its first byte: decided once, not per frame.
        self.plain_tcp = _is_plain_tcp(protocol.transport)

    def write(self, frame: TextFrame) -> Awaitable | None:
        protocol = self.protocol
        if protocol.state != protocol.STATE_OPEN:
            if protocol.state == protocol.STATE_CONNECTING:  # not accepted yet: daphne refuses it, loudly
                return self.standard.write(frame)
            return None  # closing or closed: daphne drops a send then too; its disconnect follows
        transport = protocol.transport
        if not self.plain_tcp or protocol._perMessageCompress is not None or protocol.send_queue:
            # Compressed per socket, behind autobahn's own queue, or TLS: autobahn writes it, framed once.
            protocol.sendPreparedMessage(frame.prepared())
            writes["daphne_prepared"] += 1
            return None
        data = frame.prepared().payloadHybi
        if not transport.connected or transport._writeDisconnected:
            return None
        if getattr(transport, "_tempDataLen", 1) or transport.offset < len(transport.dataBuffer):
            transport.write(data)  # bytes still queued: behind them, in order
            writes["daphne_queued"] += 1
            return None
        sent = transport.writeSomeData(data)  # Twisted's own send: 0 when the socket is full
        if not isinstance(sent, int):  # connection lost: Twisted's write path notices and closes
            sent = 0
        if sent < len(data):
            transport.write(data[sent:])
            writes["daphne_queued"] += 1
        else:
            writes["daphne_direct"] += 1
        return None


@functools.cache
def _plain_tcp_transport():
    try:
        from twisted.internet.tcp import Server
    except ImportError:
        return None
    # What the fast path reads of Twisted's buffer: a Twisted that renamed any of it gets the standard path.
    if not all(hasattr(Server, name) for name in ("connected", "_writeDisconnected", "dataBuffer", "offset",
                                                  "writeSomeData", "write")):
        return None
    return Server


def _is_plain_tcp(transport) -> bool:
    # Exactly Twisted's TCP server transport: a TLS wrapper (daphne -e ssl:...) has no socket to write to.
    return type(transport) is _plain_tcp_transport()


def frame_writer(send) -> DaphneFrameWriter | AsgiFrameWriter:
    """The writer for a consumer's ASGI ``send``: daphne's fast path when ``send`` is what daphne gives
    (``functools.partial(Server.handle_reply, protocol)``), else the standard message."""
    protocol = _daphne_protocol(send)
    return DaphneFrameWriter(protocol, send) if protocol is not None else AsgiFrameWriter(send)


def _daphne_protocol(send):
    if not isinstance(send, functools.partial) or len(send.args) != 1 or send.keywords:
        return None
    try:
        from daphne.server import Server
        from daphne.ws_protocol import WebSocketProtocol
    except ImportError:
        return None
    protocol = send.args[0]
    if not isinstance(getattr(send.func, "__self__", None), Server) or not isinstance(protocol, WebSocketProtocol):
        return None
    if getattr(send.func, "__func__", None) is not Server.handle_reply:
        return None
    # The attributes the fast path reads: a daphne or autobahn that moved them gets the standard path.
    expected = ("state", "STATE_OPEN", "STATE_CONNECTING", "_perMessageCompress", "send_queue", "sendPreparedMessage",
                "transport")
    if not all(hasattr(protocol, name) for name in expected):
        return None
    return protocol


class _FormattedWhenLogged:
    """pprint.pformat deferred until a log line is really written (str() by the logger)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def __str__(self) -> str:
        return pprint.pformat(self.value)

    __repr__ = __str__


def defer_autobahn_debug_formatting() -> None:
    """autobahn pretty-prints its ~40 protocol options for a debug line on every new connection, logged
    or not: a third of daphne's CPU per WebSocket handshake when a crowd connects (py-spy). The text
    is now built only if that debug line is emitted."""
    try:
        from autobahn.websocket import protocol
    except ImportError:
        return
    if getattr(protocol, "pformat", None) is pprint.pformat:
        protocol.pformat = _FormattedWhenLogged
