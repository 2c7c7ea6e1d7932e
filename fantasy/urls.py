from django.urls import path

from fantasy import views

app_name = "fantasy"

urlpatterns = [
    path("", views.fantasy_home, name="home"),
    path("fpl/<int:season_pk>/gw/<int:gameweek>/", views.gameweek_page, name="gameweek"),
    path("fpl/<int:season_pk>/gw/<int:gameweek>/projections.csv", views.gameweek_csv, name="gameweek-csv"),
    path("fpl/<int:season_pk>/gw/<int:gameweek>/optimize/", views.gameweek_optimize, name="gameweek-optimize"),
    path("slates/", views.slates_page, name="slates"),
    path("slates/<int:pk>/", views.slate_page, name="slate"),
    path("optimizations/<int:pk>/", views.optimization_page, name="optimization"),
    path("optimizations/<int:pk>/status/", views.optimization_status, name="optimization-status"),
    path("optimizations/<int:pk>/lineups.csv", views.optimization_csv, name="optimization-csv"),
]
