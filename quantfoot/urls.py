from django.contrib import admin
from django.urls import include, path

from quantfoot import metrics, views
from quantfoot.api import api

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search", views.search, name="search"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("api/v1/", api.urls),  # the public API (quantfoot/api.py); before api/, which is the match page's JSON
    path("api/", include("matches.api_urls")),
    path("markets/", include("markets.urls")),
    path("trading/", include("trading.urls")),
    path("fantasy/", include("fantasy.urls")),
    path("", include("players.urls")),
    path("", include("matches.urls")),
]

# Branded error pages; JSON {"error": ...} under /api/ (quantfoot/errors.py).
handler400 = "quantfoot.errors.bad_request"
handler404 = "quantfoot.errors.page_not_found"
handler500 = "quantfoot.errors.server_error"
