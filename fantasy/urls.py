from django.urls import path

from fantasy import views

app_name = "fantasy"

urlpatterns = [
    path("", views.fantasy_home, name="home"),
    path("fpl/<int:season_pk>/gw/<int:gameweek>/", views.gameweek_page, name="gameweek"),
    path("fpl/<int:season_pk>/gw/<int:gameweek>/projections.csv", views.gameweek_csv, name="gameweek-csv"),
]
