from django.urls import path

from players import views

app_name = "players"

urlpatterns = [
    path("players/<int:pk>/", views.player_detail, name="player"),
    path("players/<int:pk>/seasons.csv", views.player_seasons_csv, name="player-seasons-csv"),
    path("players/<int:pk>/matches.csv", views.player_matches_csv, name="player-matches-csv"),
]
