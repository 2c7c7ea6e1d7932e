"""The Content-Security-Policy header (django-csp), with the page's own WebSocket origin allowed."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost


class SameHostSocketsCSPMiddleware(CSPMiddleware):
    """settings.CONTENT_SECURITY_POLICY, plus ``connect-src ws://HOST wss://HOST`` for this request's host.

    CSP level 3 lets 'self' cover ws:/wss: of the same host, but browsers that predate it
    (older Safari) do not: naming the host keeps the live match socket open in those too,
    without allowing sockets to any other host.
    """

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        try:
            host = request.get_host()
        except DisallowedHost:  # the 400 page for a bad Host: no socket to allow
            return parts
        update = dict(parts.update or {})
        update["connect-src"] = [*update.get("connect-src", []), f"ws://{host}", f"wss://{host}"]
        parts.update = update
        return parts
