from django.contrib import admin
from django.urls import include, path

from quantfoot import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("search", views.search, name="search"),
    path("admin/", admin.site.urls),
    path("api/", include("matches.api_urls")),
    path("markets/", include("markets.urls")),
    path("", include("players.urls")),
    path("", include("matches.urls")),
]
