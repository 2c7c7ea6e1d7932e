"""Live delivery: group names, one render per change, publish after commit, never fail a write.

A change is rendered here once (the regions it touched, as hx-swap-oob fragments) and
published to the match's group on the channel layer; each server process holds one
subscription per watched match (matches/fanout.py) and hands the frame to its local
sockets. If the layer is down the write has already committed: the failure is logged
and counted, and clients catch up from the database (by seq) when delivery returns.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django import db

from matches import fragments, regions
from matches.models import Match, MatchEvent

logger = logging.getLogger(__name__)

# Per-process delivery counters, shown by /healthz.
counters: Counter = Counter()

# Events that change nothing on the page but the statistics (passes, carries …) push the
# stats region at most this often per match (a replay at 60x is ~40 events a second); what
# is held back goes out when the interval is over, even if no other event comes.
STATS_PUSH_SECONDS = 2.0
_last_stats_push: dict[int, float] = {}
_flush_timers: dict[int, threading.Timer] = {}
_flush_lock = threading.Lock()
_clock = time.monotonic  # replaced in tests

# Other apps' announcements of a published key event or shot (players registers its live
# line in PlayersConfig.ready), so matches does not import the apps built on it.
event_announcers: list[Callable[[MatchEvent], None]] = []

# Apps told of each change once it is published (accounts' alerts to followers), in their
# AppConfig.ready(): listener(kind, match_id, event), event None for a status change. Once per
# change, after the public frame went out, so they never delay the match's own viewers.
change_listeners: list[Callable[[str, int, MatchEvent | None], None]] = []


def tell_listeners(kind: str, match_id: int, event: MatchEvent | None = None) -> None:
    for listener in change_listeners:
        try:
            listener(kind, match_id, event)
        except Exception:  # a listener's failure never fails the write or the public delivery
            counters["listener_failed"] += 1
            logger.exception("change listener %r failed for match %s (%s)", listener, match_id, kind)


# Message kinds (DESIGN.md §4): each region says which of them redraw it (matches/regions.py).
# "match_status" (kick-off, half-time, full-time) and "state" redraw every live region, so that
# what the stats coalescing held back is current at half-time and at the final whistle.


def group_name(match_id: int) -> str:
    return f"match.{match_id}"


def kind_of(event: MatchEvent) -> str:
    if event.kind in MatchEvent.SCORING_KINDS:
        return "score_update"
    if event.kind in MatchEvent.KEY_KINDS:
        return "match_event"
    if event.kind in MatchEvent.SHOT_KINDS:
        return "shot"
    return "stats_update"


def announce_event(event_id: int) -> None:
    event = MatchEvent.objects.only("match_id", "kind", "player_id", "related_player_id").get(pk=event_id)
    kind = kind_of(event)
    if kind == "stats_update":
        wait = STATS_PUSH_SECONDS - (_clock() - _last_stats_push.get(event.match_id, float("-inf")))
        if wait > 0:
            counters["coalesced"] += 1
            schedule_stats_flush(event.match_id, wait)
            return
    publish(event.match_id, kind)
    if kind != "stats_update":  # goals, cards, subs and shots concern the players involved
        for announce in event_announcers:
            announce(event)
        tell_listeners(kind, event.match_id, event)


def schedule_stats_flush(match_id: int, delay: float) -> None:
    """Push the held-back statistics after ``delay`` unless a frame with stats goes first."""
    with _flush_lock:
        if match_id in _flush_timers:
            return
        timer = _flush_timers[match_id] = threading.Timer(delay, _flush_stats, args=(match_id,))
        timer.daemon = True
        timer.start()


def _flush_stats(match_id: int) -> None:
    with _flush_lock:
        if _flush_timers.pop(match_id, None) is None:
            return  # a frame with stats went out meanwhile
    try:
        publish(match_id, "stats_update")
    finally:
        db.connection.close()  # this thread's own connection


def announce_status(match_id: int) -> None:
    publish(match_id, "match_status")
    tell_listeners("match_status", match_id)


def announce_clock(match_id: int) -> None:
    publish(match_id, "clock")


def announce_all(match_id: int) -> None:
    publish(match_id, "state")


def state_frame(match_id: int) -> tuple[int, str, str]:
    """(seq, version, html) of every region as it is now: catch-up, repair and polling all use it."""
    return render_frame(match_id, "state")


def render_frame(match_id: int, kind: str) -> tuple[int, str, str]:
    match = fragments.load_match(match_id)
    html = fragments.render_regions(match, regions.refreshed_by(kind), seq=match.last_seq)
    return match.last_seq, version_of(match), html


def match_version(match_id: int) -> str | None:
    """The version of a stored match (None if it is gone), without loading the row."""
    row = Match.objects.filter(pk=match_id).values("last_seq", "updated_at").first()
    return None if row is None else _version(row["last_seq"], row["updated_at"])


def version_of(match: Match) -> str:
    """Changes whenever the match row does (score, clock, seq): what the repair loop compares."""
    return _version(match.last_seq, match.updated_at)


def _version(last_seq, updated_at) -> str:
    return f"{last_seq}:{updated_at.isoformat()}"


def publish(match_id: int, kind: str) -> bool:
    """Render the change once and send it to the match's group; False (logged, counted) on failure."""
    try:
        seq, version, html = render_frame(match_id, kind)
    except Match.DoesNotExist:
        return False
    if "stats" in regions.refreshed_by(kind):  # the statistics are current as of this frame
        _last_stats_push[match_id] = _clock()
        with _flush_lock:
            timer = _flush_timers.pop(match_id, None)
        if timer is not None:
            timer.cancel()
    return send(group_name(match_id), kind, seq, version, html)


def send(group: str, kind: str, seq: int, version: str, html: str) -> bool:
    """Send one rendered frame to a group; False (logged, counted) when the layer fails."""
    message = {"type": "live.frame", "kind": kind, "seq": seq, "version": version, "html": html}
    try:
        async_to_sync(get_channel_layer().group_send)(group, message)
    except Exception:  # Redis down, layer full …: the write stands, clients catch up by seq
        counters["failed"] += 1
        logger.warning("live delivery failed for %s (%s, seq %s)", group, kind, seq, exc_info=True)
        return False
    counters["published"] += 1
    return True
