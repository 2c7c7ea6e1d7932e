from django.urls import path

from trading import portfolio_views, views

app_name = "trading"

urlpatterns = [
    path("", views.backtests_page, name="backtests"),
    path("seasons/", views.season_choices, name="season-choices"),
    path("backtests/<int:pk>/", views.backtest_page, name="backtest"),
    path("backtests/<int:pk>/status/", views.backtest_status, name="backtest-status"),
    path("backtests/<int:pk>/bets.csv", views.backtest_csv, name="backtest-csv"),
    path("portfolios/", portfolio_views.portfolios_page, name="portfolios"),
    path("portfolios/<int:pk>/", portfolio_views.portfolio_page, name="portfolio"),
    path("portfolios/<int:pk>/strategies/<int:strategy_pk>/toggle/", portfolio_views.toggle_strategy,
         name="portfolio-toggle"),
]
