"""Alerts: a goal, a red card, kick-off or full time of what a user follows, on his own stream.

``matches.live`` tells its change listeners of every published change once, after commit
(``on_change``, registered in ``AccountsConfig.ready()``). Per change this costs a fixed number
of queries whatever the number of followers: the change (one query), its followers (one), the
alerts stored (one bulk insert); then one channel-layer message per follower's group
``user-<id>``, which only that user's sockets (accounts/consumers.py) have joined. The toast
is rendered once; only its id differs per user.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Alert, Follow
from matches.models import Match, MatchEvent

logger = logging.getLogger(__name__)

TOAST_TEMPLATE = "accounts/partials/_alert.html"
GOAL_KINDS = MatchEvent.SCORING_KINDS
RED_CARD_KINDS = frozenset({MatchEvent.Kind.RED_CARD, MatchEvent.Kind.SECOND_YELLOW})


def user_group(user_id: int) -> str:
    """The channel-layer group of one user's sockets (every tab he has open, on every server process)."""
    return f"user-{user_id}"


def on_change(kind: str, match_id: int, event: MatchEvent | None) -> None:
    """matches.live change listener: alert the followers of a goal, red card, kick-off or full time."""
    if event is not None:
        if event.kind in GOAL_KINDS:
            alert_kind = Alert.Kind.GOAL
        elif event.kind in RED_CARD_KINDS:
            alert_kind = Alert.Kind.RED_CARD
        else:
            return  # a shot, a substitution, a yellow card: not worth interrupting anyone
        event = (MatchEvent.objects.select_related("match__home_team", "match__away_team", "player", "team")
                 .get(pk=event.pk))
        match = event.match
    else:
        match = Match.objects.select_related("home_team", "away_team").get(pk=match_id)
        if match.status == Match.Status.LIVE and match.period == Match.Period.FIRST_HALF:
            alert_kind = Alert.Kind.KICK_OFF
        elif match.status == Match.Status.FINISHED:
            alert_kind = Alert.Kind.FULL_TIME
        else:
            return  # half-time, the second half starting …
    followers = followers_of(match, event)
    if followers:
        send_alerts(followers, match, alert_kind, *wording(alert_kind, match, event))


def followers_of(match: Match, event: MatchEvent | None) -> list[int]:
    """The users who follow the match, one of its teams, its competition, or the event's player (one query)."""
    followed = (Q(match_id=match.pk) | Q(team_id__in=[match.home_team_id, match.away_team_id])
                | Q(competition_id=match.competition_id))
    players = [player for player in (event.player_id, event.related_player_id) if player] if event else []
    if players:
        followed |= Q(player_id__in=players)
    return list(Follow.objects.filter(followed).order_by("user_id").values_list("user_id", flat=True).distinct())


def wording(kind: str, match: Match, event: MatchEvent | None) -> tuple[str, str]:
    """(title, body) of the alert: what happened, and the detail a glance needs."""
    home, away = match.home_team.display_name, match.away_team.display_name
    score = f"{home} {match.home_score if match.home_score is not None else 0}-" \
            f"{match.away_score if match.away_score is not None else 0} {away}"
    if kind == Alert.Kind.KICK_OFF:
        return f"Kick-off: {home} v {away}", ""
    if kind == Alert.Kind.FULL_TIME:
        return f"Full time: {score}", ""
    minute = f"{event.minute}'" if event.minute is not None else ""
    who = event.player.display_name if event.player_id else (event.team.display_name if event.team_id else "")
    if kind == Alert.Kind.GOAL:
        detail = {MatchEvent.Kind.OWN_GOAL: " (own goal)", MatchEvent.Kind.PENALTY_SCORED: " (penalty)"}
        return f"Goal: {score}", f"{minute} {who}{detail.get(event.kind, '')}".strip()
    team = f" ({event.team.display_name})" if event.team_id and event.player_id else ""
    return f"Red card: {home} v {away}", f"{minute} {who}{team}".strip()


def send_alerts(user_ids: list[int], match: Match, kind: str, title: str, body: str) -> list[Alert]:
    """Store one alert per user (one insert) and push each to its user's group; a layer failure is logged."""
    alerts = Alert.objects.bulk_create([Alert(user_id=user_id, match=match, kind=kind, title=title, body=body)
                                        for user_id in user_ids])
    # Rendered once; the per-user id goes in by replacement (ids are integers: nothing to escape).
    html = render_to_string(TOAST_TEMPLATE, {"alert": Alert(match=match, kind=kind, title=title, body=body),
                                             "alert_id": "ALERT_ID", "match_url": match.get_absolute_url()})
    layer = get_channel_layer()
    for alert in alerts:
        message = {"type": "alert.message", "id": alert.pk, "html": html.replace("ALERT_ID", str(alert.pk))}
        try:
            async_to_sync(layer.group_send)(user_group(alert.user_id), message)
        except Exception:  # the alert is stored: the user's stream catches up from the database
            logger.warning("alert %s for user %s not delivered", alert.pk, alert.user_id, exc_info=True)
    return alerts


def render_stored(alerts: list[Alert]) -> list[tuple[int, str]]:
    """(id, html) of stored alerts: what a stream catching up sends."""
    return [(alert.pk, render_to_string(TOAST_TEMPLATE, {"alert": alert, "alert_id": alert.pk,
                                                         "match_url": reverse("matches:match", args=[alert.match_id])}))
            for alert in alerts]

