"""Following: what a follow button shows, what a reader follows, the matches of what he follows.

The team, player, competition and match pages belong to ``matches/`` and ``players/``, which never
import this app (DESIGN.md §2): the button arrives as a region of the page registry
(``matches/regions.py``), registered in ``AccountsConfig.ready()``. Each costs at most one query.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import timezone

from accounts.models import Follow
from matches.models import Match

BUTTON_TEMPLATE = "accounts/partials/_follow_button.html"
HOME_TEMPLATE = "accounts/partials/_home_following.html"
HOME_LIST_LENGTH = 5

# The model behind each kind of target, and the words the button uses for it.
TARGET_MODELS = {"team": "matches.Team", "player": "players.Player", "competition": "matches.Competition",
                 "match": "matches.Match"}


def target_model(kind: str):
    return apps.get_model(TARGET_MODELS[kind])


def target_name(target) -> str:
    if isinstance(target, Match):
        return f"{target.home_team.display_name} v {target.away_team.display_name}"
    return getattr(target, "display_name", None) or str(target)


@dataclass(frozen=True)
class Button:
    kind: str
    target_id: int
    name: str
    following: bool


def button_context(request, kind: str, target, following: bool | None = None) -> dict:
    """The follow button's context (the partial is included with ``only``, so it carries its own token)."""
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    if following is None:
        following = signed_in and Follow.objects.filter(user=user, **{kind: target}).exists()
    action = "accounts:unfollow" if following else "accounts:follow"
    # The page the button is on (after an htmx swap, the one the form named).
    here = (request.POST.get("next", "") if request.method == "POST" else request.get_full_path()) if request else ""
    return {
        "button": Button(kind, target.pk, target_name(target), following),
        "signed_in": signed_in,
        "action_url": reverse(action, args=[kind, target.pk]),
        "login_url": f"{reverse('accounts:login')}?{urlencode({'next': here})}",
        "next": here,
        "csrf_token": get_token(request) if signed_in else "",
    }


def _button_region(kind: str, target_of):
    def context(obj, request):
        if request is None:  # drawn without a reader (a push, a test of the page registry)
            return None
        return button_context(request, kind, target_of(obj))

    return context


team_button = _button_region("team", lambda asked: asked.team)
competition_button = _button_region("competition", lambda asked: asked.competition)
player_button = _button_region("player", lambda player: player)
_match_button = _button_region("match", lambda state: state.match)


def match_button(state, request):
    """The match page renders its regions with their context at the top level (matches/fragments.py)."""
    context = _match_button(state, request)
    return None if context is None else {"card": context}


def follows_of(user) -> list[Follow]:
    """Everything ``user`` follows, newest first, with its target (one query)."""
    return list(Follow.objects.filter(user=user).select_related(
        "team", "player", "competition", "match__home_team", "match__away_team").order_by("-created_at"))


def followed_matches(user):
    """The matches of what ``user`` follows: followed matches, and those of followed teams, competitions and
    players (a match a followed player has a line-up entry in). A queryset; the follows are subqueries."""
    follows = Follow.objects.filter(user=user)
    return Match.objects.filter(
        Q(pk__in=follows.filter(match__isnull=False).values("match_id"))
        | Q(home_team_id__in=follows.filter(team__isnull=False).values("team_id"))
        | Q(away_team_id__in=follows.filter(team__isnull=False).values("team_id"))
        | Q(competition_id__in=follows.filter(competition__isnull=False).values("competition_id"))
        | Q(lineups__entries__player_id__in=follows.filter(player__isnull=False).values("player_id"))
    ).distinct()


def home_following(request) -> dict | None:
    """The home page's first card: the reader's followed matches live now, coming up and just played (3 queries)."""
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated):
        return None  # anonymous readers see the home page as it always was
    now = timezone.now()
    matches = followed_matches(user).select_related("competition", "home_team", "away_team")
    live = list(matches.filter(status=Match.Status.LIVE).order_by("kickoff"))
    upcoming = list(matches.filter(status=Match.Status.SCHEDULED, kickoff__gte=now - dt.timedelta(hours=3))
                    .order_by("kickoff")[:HOME_LIST_LENGTH])
    latest = list(matches.filter(status=Match.Status.FINISHED).order_by("-kickoff")[:HOME_LIST_LENGTH])
    sections = [(title, rows) for title, rows in (("Live now", live), ("Coming up", upcoming),
                                                  ("Latest results", latest)) if rows]
    return {"sections": sections, "profile_url": reverse("accounts:profile")}


