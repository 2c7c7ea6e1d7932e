from django.urls import path

from players import consumers

websocket_urlpatterns = [
    path("ws/players/<int:player_id>/", consumers.PlayerConsumer.as_asgi()),
]
