"""ASGI entry point: HTTP through Django, WebSockets through Channels (same origin only)."""

import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quantfoot.settings")
# Django must be set up before the routing imports consumers and models.
django_asgi_app = get_asgi_application()

from channels.layers import get_channel_layer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: E402
from django.urls import re_path  # noqa: E402

from quantfoot.proxies import TrustedProxyMiddleware  # noqa: E402
from quantfoot.routing import websocket_urlpatterns  # noqa: E402
from quantfoot.websockets import (  # noqa: E402
    SameOriginValidator,
    UnknownStreamConsumer,
    defer_autobahn_debug_formatting,
)

# daphne serves no static files. With SERVE_STATIC (the embedded default) /static/ is served
# from the staticfiles finders, as runserver does, so no collectstatic or proxy is needed;
# behind a proxy that serves STATIC_ROOT (after collectstatic) set SERVE_STATIC=0.
http_application = ASGIStaticFilesHandler(django_asgi_app) if settings.SERVE_STATIC else django_asgi_app

# TrustedProxyMiddleware first: everything after it sees the real client address and scheme.
# The last WebSocket route closes a path no app serves with 4404 (URLRouter would raise: a 500).
application = TrustedProxyMiddleware(ProtocolTypeRouter(
    {
        "http": http_application,
        "websocket": SameOriginValidator(URLRouter(
            [*websocket_urlpatterns, re_path(r"^", UnknownStreamConsumer.as_asgi())])),
    }
))

defer_autobahn_debug_formatting()
# The channel layer is built now, not when the first socket of the day connects (importing
# channels-redis inside the first handshake held up everyone behind it at kick-off).
get_channel_layer()

# Thousands of open sockets are thousands of long-lived objects: with the default thresholds
# the collector walks them all every few hundred allocations. Objects loaded at start-up are
# moved out of its sight (gc.freeze) and the youngest generation is collected less often.
gc.freeze()
gc.set_threshold(50_000, 50, 100)
