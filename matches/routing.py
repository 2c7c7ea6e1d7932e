from django.urls import path

from matches import consumers

websocket_urlpatterns = [
    path("ws/matches/<int:match_id>/", consumers.MatchConsumer.as_asgi()),
    path("ws/seasons/<int:season_id>/", consumers.SeasonTableConsumer.as_asgi()),
]
