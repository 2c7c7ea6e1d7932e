"""Sign-up, the profile, following. Logging in and out and passwords are Django's own views (accounts/urls.py)."""

import zoneinfo

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import follows
from accounts.forms import ProfileForm, SignupForm
from accounts.models import Follow, Profile


# The zones to suggest: the canonical Area/City names (not the legacy aliases "Turkey", "US/Eastern" …).
TIME_ZONE_CHOICES = sorted(zone for zone in zoneinfo.available_timezones()
                           if "/" in zone and not zone.startswith(("Etc/", "SystemV/", "US/", "posix", "right/"))) + ["UTC"]


def signup(request):
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = form.save()
            Profile.objects.create(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome, {user.username}. Follow a team, a player or a competition from its page.")
        return redirect(_next_url(request) or reverse("matches:home"))
    return render(request, "accounts/signup.html", {"form": form, "next": _next_url(request)})


@login_required
def profile(request):
    profile = request.profile or Profile.objects.get_or_create(user=request.user)[0]
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    followed = [follows.button_context(request, follow_kind(follow), follow.target, following=True)
                | {"target_url": follow.target.get_absolute_url()} for follow in follows.follows_of(request.user)]
    return render(request, "accounts/profile.html", {"form": form, "followed": followed,
                                                     "time_zones": TIME_ZONE_CHOICES})


@login_required
@require_POST
def theme(request):
    """The header's theme button, for a signed-in reader: keeps his choice on his profile (theme.js posts here)."""
    choice = request.POST.get("theme", "")
    if choice not in Profile.Theme.values:
        return HttpResponseBadRequest(f"theme must be one of {', '.join(Profile.Theme.values)}")
    Profile.objects.update_or_create(user=request.user, defaults={"theme": choice})
    return HttpResponse(status=204)


def follow_kind(follow: Follow) -> str:
    return next(kind for kind in Follow.TARGETS if getattr(follow, f"{kind}_id") is not None)


def _target_or_404(kind: str, pk: int):
    if kind not in follows.TARGET_MODELS:
        raise Http404("Nothing of that kind can be followed.")
    queryset = follows.target_model(kind).objects.all()
    if kind == "match":
        queryset = queryset.select_related("home_team", "away_team")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_POST
def follow(request, kind: str, pk: int):
    target = _target_or_404(kind, pk)
    try:
        with transaction.atomic():
            Follow.objects.create(user=request.user, **{kind: target})
    except IntegrityError:
        pass  # followed already (a double click, a second tab): the button says so either way
    return _button_response(request, kind, target, following=True)


@login_required
@require_POST
def unfollow(request, kind: str, pk: int):
    target = _target_or_404(kind, pk)
    Follow.objects.filter(user=request.user, **{kind: target}).delete()
    return _button_response(request, kind, target, following=False)


def _button_response(request, kind: str, target, following: bool):
    """htmx swaps the button in place; without JavaScript, back to the page the form was on."""
    if request.htmx:
        context = follows.button_context(request, kind, target, following=following)
        return render(request, follows.BUTTON_TEMPLATE, {"card": context})
    return redirect(_next_url(request) or target.get_absolute_url())


def _next_url(request) -> str:
    """The ``next`` the form or link carried, when it is a page of this site (never an open redirect)."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return ""
