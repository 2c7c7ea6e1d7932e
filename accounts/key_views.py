"""The signed-in user's API keys: list, create (the key is shown once), revoke.

A new key's secret is never stored: ``create`` keeps it in the session only until the page after
the redirect shows it (``created`` removes it), so reloading that page or going back never shows
it again, and no form is posted twice. Every query is scoped to ``request.user``: another user's
key is a 404, as if it did not exist.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import api_keys
from accounts.models import ApiKey

_SHOW_ONCE = "api_key_shown_once"  # session: {"id": key pk, "secret": the whole key}


class KeyForm(forms.Form):
    name = forms.CharField(max_length=ApiKey._meta.get_field("name").max_length,
                           help_text="What the key is for: “my spreadsheet”, “home server”.")


def _page(request, form, status=200):
    keys = ApiKey.objects.filter(user=request.user).order_by("revoked_at", "-created_at", "-pk")
    return render(request, "accounts/keys.html", {
        "form": form, "keys": keys,
        "anonymous_per_minute": settings.API_ANONYMOUS_PER_MINUTE,
        "anonymous_per_day": settings.API_ANONYMOUS_PER_DAY,
    }, status=status)


@login_required
def keys(request):
    return _page(request, KeyForm())


@login_required
@require_POST
def create(request):
    form = KeyForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    made = api_keys.create_key(request.user, form.cleaned_data["name"])
    request.session[_SHOW_ONCE] = {"id": made.key.pk, "secret": made.secret}
    return redirect("accounts:key-created", pk=made.key.pk)


@login_required
def created(request, pk):
    key = ApiKey.objects.filter(user=request.user, pk=pk).first()
    if key is None:
        raise Http404("No such API key.")
    shown = request.session.get(_SHOW_ONCE) or {}
    secret = shown.get("secret") if shown.get("id") == key.pk else None
    if secret:
        del request.session[_SHOW_ONCE]
    return render(request, "accounts/key_created.html", {"key": key, "secret": secret})


@login_required
@require_POST
def revoke(request, pk):
    key = api_keys.revoke(request.user, pk)
    if key is None:
        raise Http404("No such API key.")
    messages.success(request, f"Key “{key.name}” ({key.prefix}…) is revoked: calls with it are refused.")
    return redirect("accounts:keys")
