from django.contrib import admin
from django.urls import include, path

from quantfoot import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("search", views.search, name="search"),
    path("admin/", admin.site.urls),
    path("api/", include("matches.api_urls")),
    path("markets/", include("markets.urls")),
    path("", include("players.urls")),
    path("", include("matches.urls")),
]

# Branded error pages; JSON {"error": ...} under /api/ (quantfoot/errors.py).
handler400 = "quantfoot.errors.bad_request"
handler404 = "quantfoot.errors.page_not_found"
handler500 = "quantfoot.errors.server_error"
