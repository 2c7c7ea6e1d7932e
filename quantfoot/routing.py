"""WebSocket routes, gathered from the apps that own them."""

from accounts.routing import websocket_urlpatterns as account_routes
from matches.routing import websocket_urlpatterns as match_routes
from players.routing import websocket_urlpatterns as player_routes

websocket_urlpatterns: list = [*match_routes, *player_routes, *account_routes]
