from django.urls import path

from markets import views

app_name = "markets"

urlpatterns = [
    path("matches/<int:pk>/odds/", views.match_odds_page, name="match-odds"),
    path("matches/<int:pk>/odds.csv", views.match_odds_csv, name="match-odds-csv"),
]
