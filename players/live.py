"""A player's live line (minutes, goals, assists, shots, xG, cards in his current match).

Rendered once per change that involves the player and published to ``player.<id>``; the
player page, the push and the WebSocket catch-up all use ``templates/players/partials/
_live_line.html``. The current match is the player's live one, else his latest.
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string

from collections.abc import Callable

from matches import live as match_live
from matches.models import LineupEntry, Match, MatchEvent

Kind = MatchEvent.Kind

# What apps above players/ add to the line, registered in their AppConfig.ready (markets: his live market
# value), so that players/ never imports them: each takes (match, player id) and returns context entries.
line_additions: list[Callable[[Match, int], dict]] = []


def group_name(player_id: int) -> str:
    return f"player.{player_id}"


def current_match(player_id: int) -> Match | None:
    """The live match the player is in, else the latest one he played or has events in."""
    played = Match.objects.filter(Q(lineups__entries__player_id=player_id) | Q(events__player_id=player_id))
    return (played.filter(status=Match.Status.LIVE).select_related("home_team", "away_team").order_by("-kickoff").first()
            or played.select_related("home_team", "away_team").order_by("-kickoff").first())


def line_context(player_id: int) -> dict:
    match = current_match(player_id)
    if match is None:
        return {"player_id": player_id, "match": None, "seq": 0}
    events = MatchEvent.objects.filter(match=match)
    mine = events.filter(player_id=player_id).aggregate(
        goals=Count("pk", filter=Q(kind__in=[Kind.GOAL, Kind.PENALTY_SCORED], period__lt=5)),
        own_goals=Count("pk", filter=Q(kind=Kind.OWN_GOAL)),
        shots=Count("pk", filter=Q(kind__in=MatchEvent.SHOT_KINDS, period__lt=5)),
        xg=Sum("xg", filter=Q(kind__in=MatchEvent.SHOT_KINDS, period__lt=5)),
        yellow=Count("pk", filter=Q(kind=Kind.YELLOW_CARD)),
        red=Count("pk", filter=Q(kind__in=[Kind.RED_CARD, Kind.SECOND_YELLOW])),
    )
    assists = events.filter(related_player_id=player_id, kind__in=[Kind.GOAL, Kind.PENALTY_SCORED]).count()
    entry = LineupEntry.objects.filter(lineup__match=match, player_id=player_id).first()
    context = {"player_id": player_id, "match": match, "seq": match.last_seq, "assists": assists,
               "minutes": minutes_played(match, entry, events, player_id), "value": None, **mine}
    for addition in line_additions:
        context.update(addition(match, player_id))
    return context


def minutes_played(match: Match, entry: LineupEntry | None, events, player_id: int) -> int | None:
    """Minutes on the pitch: the lineup's figure once finished; while live, from kick-off or
    coming on until going off, being sent off, or now."""
    if match.status == Match.Status.FINISHED and entry and entry.minutes_played is not None:
        return entry.minutes_played
    if match.status != Match.Status.LIVE:
        return None
    came_on = events.filter(kind=Kind.SUBSTITUTION, related_player_id=player_id).values_list("minute", flat=True).first()
    if came_on is None and not (entry and entry.is_starter):
        return 0
    left = events.filter(Q(kind=Kind.SUBSTITUTION) | Q(kind__in=[Kind.RED_CARD, Kind.SECOND_YELLOW]),
                         player_id=player_id).values_list("minute", flat=True).first()
    start = came_on or 0
    end = left if left is not None else (match.clock_minute or 0)
    return max(0, end - start)


def line_frame(player_id: int, *, oob: bool = True) -> tuple[int, str, str]:
    """(seq, version, html) of the player's line as it is now."""
    context = line_context(player_id)
    html = render_to_string("players/partials/_live_line.html", {"line": context, "oob": oob})
    match = context["match"]
    return context["seq"], match_live.version_of(match) if match else "none", html


def line_version(player_id: int) -> str | None:
    match = current_match(player_id)
    return match_live.version_of(match) if match else "none"


def publish(player_id: int) -> bool:
    """Render the player's line once and send it to everyone watching him."""
    seq, version, html = line_frame(player_id)
    return match_live.send(group_name(player_id), "player_update", seq, version, html)


def announce_event(event: MatchEvent) -> None:
    """matches.live calls this for each published key event or shot (registered in apps.py)."""
    for player_id in {event.player_id, event.related_player_id} - {None}:
        publish(player_id)
