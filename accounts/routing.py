from channels.auth import AuthMiddlewareStack
from django.urls import path

from accounts import consumers

# Only the per-user stream reads the session (AuthMiddlewareStack: cookies, session, user): the
# public match streams stay without it, so a viewer costs them no session lookup.
websocket_urlpatterns = [
    path("ws/me/", AuthMiddlewareStack(consumers.UserStreamConsumer.as_asgi())),
]
