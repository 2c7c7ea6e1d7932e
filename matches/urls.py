from django.urls import path

from matches import views

app_name = "matches"

urlpatterns = [
    path("", views.home, name="home"),
    path("competitions/<int:pk>/", views.competition_detail, name="competition"),
    path("competitions/<int:pk>/standings.csv", views.competition_standings_csv, name="competition-standings-csv"),
    path("matches/<int:pk>/", views.match_detail, name="match"),
    path("matches/<int:pk>/state", views.match_state, name="match-state"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/results.csv", views.team_results_csv, name="team-results-csv"),
    path("teams/<int:pk>/squad.csv", views.team_squad_csv, name="team-squad-csv"),
]
