"""What django-q2 runs, and the schedules that run it (created by ``setup_schedules``).

Six schedules (issue 4): matches daily at midnight (then ratings refitted and every upcoming
match predicted, issue 6); live matches every 5 minutes; while a match is live, a poll every
``LIVE_POLL_SECONDS``; team statistics every 6 hours; player statistics every 12; market
values every Monday. Every task runs each configured provider in isolation
(ingestion/jobs.py), so one provider or job failing never stops another.

The weather (Open-Meteo, ``weather`` job) rides on the 6-hourly team statistics task, after
it: forecasts for the coming week and the observed weather of finished matches.

The ratings refit rides on the daily matches task rather than a seventh schedule: it needs
the results and fixtures that task has just imported, and the set stays at six. So do
API-Football's injuries (``injuries`` job: who is missing or doubtful for the matches of the
next three days), after the imports and isolated from them; once a day keeps its one request
per fixture inside the free plan's daily quota.

django-q2's scheduler looks at its schedules every 30 seconds and a schedule repeats at
most once a minute, so the fast live poll is a once-a-minute schedule whose task polls every
``LIVE_POLL_SECONDS`` within its minute. When no match is live it returns at once without
calling any provider; when a provider's quota runs low it polls less often, never failing.

Fantasy Premier League rides on two of them: its squad and fixtures on the daily matches
task, its live points on the live jobs (``sync_all("live")`` runs its own ``live`` job, after
the match providers', only while a match it knows is live; its failure is its own run's).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django_q.models import Schedule
from django_q.tasks import async_task

from ingestion import jobs
from ingestion.models import RawPayload
from markets import tasks as market_tasks
from matches.models import Match

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScheduleSpec:
    name: str
    func: str
    schedule_type: str
    minutes: int | None = None
    first_run: str = "now"  # "now", "midnight", "monday", or "every:<hours>" (the next multiple)


SCHEDULES = (
    ScheduleSpec("Matches (daily at midnight)", "ingestion.tasks.sync_matches", Schedule.DAILY, first_run="midnight"),
    ScheduleSpec("Live matches (every 5 minutes)", "ingestion.tasks.watch_live", Schedule.MINUTES, minutes=5),
    ScheduleSpec("Live poll (every LIVE_POLL_SECONDS while a match is live)", "ingestion.tasks.poll_live",
                 Schedule.MINUTES, minutes=1),
    ScheduleSpec("Team statistics (every 6 hours)", "ingestion.tasks.sync_team_stats", Schedule.MINUTES,
                 minutes=6 * 60, first_run="every:6"),
    ScheduleSpec("Player statistics (every 12 hours)", "ingestion.tasks.sync_player_stats", Schedule.MINUTES,
                 minutes=12 * 60, first_run="every:12"),
    ScheduleSpec("Market values (every Monday)", "markets.tasks.recompute_market_values", Schedule.WEEKLY,
                 first_run="monday"),
)


def first_run(spec: ScheduleSpec, now: dt.datetime) -> dt.datetime:
    """When a new schedule first runs, in the site's time zone: midnight means local midnight."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    if spec.first_run == "midnight":
        return midnight + dt.timedelta(days=1)
    if spec.first_run == "monday":
        return midnight + dt.timedelta(days=7 - local.weekday())
    if spec.first_run.startswith("every:"):
        hours = int(spec.first_run.split(":")[1])
        return midnight + dt.timedelta(hours=(local.hour // hours + 1) * hours)
    return now


def setup_schedules(now: dt.datetime | None = None) -> list[tuple[Schedule, str]]:
    """Create or update the schedules; safe to run twice (one row each, matched by name).

    A schedule whose timing is unchanged keeps its next run; one whose timing changed (or a
    new one) is set to its first run. Returns (schedule, "created" | "updated" | "unchanged").
    """
    now = now or timezone.now()
    results = []
    for spec in SCHEDULES:
        wanted = {"func": spec.func, "schedule_type": spec.schedule_type, "minutes": spec.minutes, "repeats": -1}
        schedule = Schedule.objects.filter(name=spec.name).first()
        if schedule is None:
            schedule = Schedule.objects.create(name=spec.name, next_run=first_run(spec, now), **wanted)
            results.append((schedule, "created"))
            continue
        changed = {field: value for field, value in wanted.items() if getattr(schedule, field) != value}
        if changed:
            for field, value in changed.items():
                setattr(schedule, field, value)
            if {"schedule_type", "minutes"} & changed.keys():
                schedule.next_run = first_run(spec, now)
            schedule.save()
        results.append((schedule, "updated" if changed else "unchanged"))
    return results


# --- the scheduled functions -------------------------------------------------------------

def sync_matches() -> str:
    """Daily: each followed competition's season from each provider, then its odds, then FPL's squad
    and fixtures; old payloads go; then the ratings are refitted on the results and every
    upcoming match predicted.

    The refit (``markets.tasks.refit_ratings``: Elo and Dixon-Coles per competition with
    upcoming matches, new versions with their ``Prediction`` rows) comes after the imports
    and is isolated from them: whatever it raises is logged and named in the summary, and
    what was imported stays imported.
    """
    runs = jobs.sync_all("matches") + jobs.sync_all("odds")
    # Then Fantasy Premier League (each job isolated like the others): players, prices and
    # availability, then its fixtures with the final lines of yesterday's matches.
    runs += jobs.sync_all("squad") + jobs.sync_all("fixtures")
    injuries = _sync_injuries()
    purged = RawPayload.purge_expired()
    return _report(runs) + f"; {injuries}; {purged} expired payloads deleted; " + _refit_ratings()


def _sync_injuries() -> str:
    """API-Football's injuries for the next three days' matches, after the imports that bring those
    matches, and isolated from them: its failure is its own run's, a bug in it is reported, not raised."""
    try:
        return "injuries: " + _report(jobs.sync_all("injuries"))
    except Exception as exc:  # noqa: BLE001 - the matches are imported; report, do not fail the task
        logger.exception("the injuries job failed")
        return f"injuries failed ({type(exc).__name__}: {str(exc)[:200]})"


def _refit_ratings() -> str:
    """Refit and predict after the daily import; a failure is reported, never raised."""
    try:
        return f"ratings: {market_tasks.refit_ratings()}"
    except Exception as exc:  # noqa: BLE001 - the import is done; a refit failure must not fail the task
        logger.exception("ratings refit after the daily matches sync failed")
        return f"ratings refit failed ({type(exc).__name__}: {str(exc)[:200]})"


def watch_live() -> str:
    """Every 5 minutes: matches about to kick off, live, or overdue, asked of their provider once.

    A match it finds live starts the fast poll at once rather than at the next minute's slot.
    """
    runs = jobs.sync_all("live")
    followed = [provider.source for provider in jobs.configured()]
    live = Match.objects.filter(status=Match.Status.LIVE, external_ids__source__in=followed)
    if runs and live.exists() and cache.get(POLL_LOCK) is None:
        async_task("ingestion.tasks.poll_live", task_name="live poll (kick-off)")
    return _report(runs)


def sync_team_stats() -> str:
    """Every 6 hours: missing team statistics, then the weather (forecasts follow the models' runs)."""
    return _report(jobs.sync_all("team_stats")) + "; " + _sync_weather()


def _sync_weather() -> str:
    """Open-Meteo's weather job, after the rest and isolated from it: its failure is its own run's,
    and even a bug in it is reported here, never raised (the team statistics are done)."""
    try:
        return "weather: " + _report(jobs.sync_all("weather"))
    except Exception as exc:  # noqa: BLE001 - the other jobs of this task have run; report, do not fail
        logger.exception("the weather job failed")
        return f"weather failed ({type(exc).__name__}: {str(exc)[:200]})"


def sync_player_stats() -> str:
    return _report(jobs.sync_all("player_stats"))


POLL_LOCK, NEXT_POLL = "ingestion:live-poll", "ingestion:next-live-poll"


def poll_live(slot_seconds: float = 60, sleep=time.sleep) -> str:
    """Poll every live match every ``LIVE_POLL_SECONDS`` until this minute's slot is over.

    Stops at once when nothing is live (no request made). One poller at a time: a slow slot
    that overruns the next one makes the next one return. The time of the next poll is kept
    in the cache (shared by all workers), so a stretched interval also holds across slots.
    """
    if not cache.add(POLL_LOCK, "1", timeout=int(slot_seconds * 2)):
        return "another poll is running"
    try:
        started, polls, runs = time.time(), 0, []
        while True:
            due = cache.get(NEXT_POLL, 0.0)
            if due - time.time() >= slot_seconds - (time.time() - started):
                break  # the quota asks for a longer pause than this slot has left
            if due > time.time():
                sleep(due - time.time())
            polled = jobs.sync_all("live", lead=dt.timedelta(0))
            if not polled:
                break
            runs += polled
            polls += 1
            cache.set(NEXT_POLL, time.time() + poll_interval(polled), timeout=86400)
        return f"{polls} polls; " + _report(runs) if polls else "no live match polled"
    finally:
        cache.delete(POLL_LOCK)


def poll_interval(runs) -> float:
    """``LIVE_POLL_SECONDS``, stretched when a provider's quota is low so it lasts until tomorrow.

    With ``remaining`` calls left and ``seconds`` until the quota resets (midnight UTC), one
    poll every ``seconds / remaining`` spends it evenly; never faster than the setting.
    """
    interval = float(settings.LIVE_POLL_SECONDS)
    now = timezone.now()
    reset = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    for run in runs:
        if run.quota_remaining is not None and run.requests_made:
            polls_left = max(run.quota_remaining // run.requests_made, 1)
            interval = max(interval, (reset - now).total_seconds() / polls_left)
    return interval


def _report(runs) -> str:
    if not runs:
        return "nothing to do"
    return "; ".join(f"{run.get_source_display()} {run.job}: {run.status}"
                     + (f" ({run.error[:200]})" if run.error else "") for run in runs)
