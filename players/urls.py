from django.urls import path

from players import views

app_name = "players"

urlpatterns = [
    path("players/<int:pk>/", views.player_detail, name="player"),
]
