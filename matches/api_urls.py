"""JSON endpoints, mounted at /api/ (DESIGN.md §4): match state and the events a client missed."""

from django.urls import path

from matches import views

urlpatterns = [
    path("matches/<int:pk>/", views.api_match, name="api-match"),
    path("matches/<int:pk>/events", views.api_match_events, name="api-match-events"),
]
