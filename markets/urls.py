from django.urls import path

from markets import valuation_views, views

app_name = "markets"

urlpatterns = [
    path("matches/<int:pk>/odds/", views.match_odds_page, name="match-odds"),
    path("matches/<int:pk>/odds.csv", views.match_odds_csv, name="match-odds-csv"),
    path("values/", valuation_views.value_board, name="value-board"),
    path("values.csv", valuation_views.value_board_csv, name="value-board-csv"),
    path("players/<int:pk>/values.csv", valuation_views.player_values_csv, name="player-values-csv"),
    path("value-bets/", views.value_bets_page, name="value-bets"),
    path("value-bets.csv", views.value_bets_csv, name="value-bets-csv"),
    path("exchange/", views.exchange_markets_page, name="exchange-markets"),
    path("exchange/<str:market_id>/", views.exchange_market_page, name="exchange-market"),
]
