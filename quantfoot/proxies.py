"""The real client address and scheme behind the proxies listed in settings.TRUSTED_PROXIES.

daphne's own ``--proxy-headers`` believes X-Forwarded-For from any peer and takes its leftmost
address, which the client writes: anyone could pick the address the socket cap and the login
limits count. This ASGI middleware believes the forwarding headers only when the connecting
peer is a trusted proxy, takes the rightmost address that is not one (the first hop a trusted
proxy saw), and strips the headers from every other peer, so nothing downstream (Django, the
consumers, django-axes) can read a forged one. It rewrites ``scope["client"]`` (Django's
REMOTE_ADDR) and ``scope["scheme"]`` (``request.is_secure()``, ws/wss) for HTTP and WebSockets.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FORWARDED_FOR = b"x-forwarded-for"
FORWARDED_PROTO = b"x-forwarded-proto"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """``("10.0.0.0/8", "127.0.0.1")`` -> networks; a typo is a start-up error, not an open door."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"TRUSTED_PROXIES: {entry!r} is not an IP address or CIDR network")
    return tuple(networks)


def parse_address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # "[2001:db8::1]:443"
        text = text[1:text.index("]")]
    elif text.count(":") == 1:  # "203.0.113.7:51234"
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # A dual-stack listener reports an IPv4 peer as ::ffff:10.0.0.2: compare it as 10.0.0.2.
    return getattr(address, "ipv4_mapped", None) or address


def is_trusted(address, networks: tuple[Network, ...]) -> bool:
    return address is not None and any(address in network for network in networks)


def forwarded_client(peer: str, forwarded_for: list[str], networks: tuple[Network, ...]) -> str:
    """The rightmost address of ``peer`` + the X-Forwarded-For chain that is not a trusted proxy.

    Each trusted proxy appends the address it saw, so addresses right of the first untrusted
    one were written by our proxies and those left of it by whoever connected: only the
    rightmost untrusted one cannot be forged. A malformed entry stops the walk there.
    """
    client = peer
    for entry in reversed(forwarded_for):
        address = parse_address(entry)
        if address is None:
            break
        client = str(address)
        if not is_trusted(address, networks):
            break
    return client


class TrustedProxyMiddleware:
    """ASGI middleware: apply settings.TRUSTED_PROXIES to ``scope["client"]`` and ``scope["scheme"]``."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            scope = self.resolve(scope)
        return await self.app(scope, receive, send)

    @staticmethod
    def resolve(scope: dict) -> dict:
        networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
        headers = scope.get("headers") or []
        kept = [(name, value) for name, value in headers if name.lower() not in (FORWARDED_FOR, FORWARDED_PROTO)]
        peer = (scope.get("client") or (None, 0))[0]
        if not networks or not is_trusted(parse_address(peer or ""), networks):
            return {**scope, "headers": kept} if len(kept) != len(headers) else scope
        forwarded_for = [part for name, value in headers if name.lower() == FORWARDED_FOR
                         for part in value.decode("latin-1").split(",") if part.strip()]
        protos = [value.decode("latin-1") for name, value in headers if name.lower() == FORWARDED_PROTO]
        resolved = {**scope, "client": (forwarded_client(peer, forwarded_for, networks), 0)}
        if protos:
            # The first value, as Django reads SECURE_PROXY_SSL_HEADER: the proxy that faced the client.
            secure = protos[0].split(",", 1)[0].strip().lower() == "https"
            if scope["type"] == "websocket":
                resolved["scheme"] = "wss" if secure else "ws"
            else:
                resolved["scheme"] = "https" if secure else "http"
        return resolved


def request_client_address(request) -> str | None:
    """The client address django-axes counts failures against (AXES_CLIENT_IP_CALLABLE).

    REMOTE_ADDR is already the real address (TrustedProxyMiddleware rewrote the scope); naming
    it here keeps axes from ever reading X-Forwarded-For itself (its ipware fallback would).
    """
    return request.META.get("REMOTE_ADDR")
