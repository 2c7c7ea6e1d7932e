"""API key pages, included by accounts/urls.py at /accounts/keys/ (names in the ``accounts`` namespace)."""

from django.urls import path

from accounts import key_views

urlpatterns = [
    path("", key_views.keys, name="keys"),
    path("new/", key_views.create, name="key-create"),
    path("<int:pk>/created/", key_views.created, name="key-created"),
    path("<int:pk>/revoke/", key_views.revoke, name="key-revoke"),
]
