"""Request quotas of the public API: per key (or per client address), per minute and per UTC day.

Fixed windows counted in Django's cache: one counter per caller and window start, created with
``add`` and raised with ``incr`` (both atomic in Redis and in local memory), expiring with its
window. With ``REDIS_URL`` every server process shares the counters, so a quota holds across
processes; the embedded default counts per process (local memory), which is one process anyway.

A request past the minute quota is refused without touching the day's count. Every answer says
what is left (``X-Requests-Available-Minute``, ``X-Requests-Available-Day``) and in how many
seconds the minute window starts again (``X-RequestCounter-Reset``), as football-data.org does.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.core.cache import cache

MINUTE, DAY = 60, 86400


class QuotaExceeded(Exception):
    """The caller used his quota; ``usage.retry_after`` says when he may call again (429)."""

    def __init__(self, usage: Usage, window: str):
        self.usage, self.window = usage, window
        super().__init__(f"quota exceeded: {usage.per_minute if window == 'minute' else usage.per_day} "
                         f"requests a {window}; retry in {usage.retry_after} s")


@dataclass(frozen=True)
class Usage:
    per_minute: int
    per_day: int
    used_minute: int
    used_day: int
    minute_reset: int  # seconds until the minute window starts again
    day_reset: int

    @property
    def available_minute(self) -> int:
        return max(self.per_minute - self.used_minute, 0)

    @property
    def available_day(self) -> int:
        return max(self.per_day - self.used_day, 0)

    @property
    def retry_after(self) -> int:
        if self.used_minute > self.per_minute:
            return self.minute_reset
        return self.day_reset if self.used_day > self.per_day else 0

    def headers(self) -> dict[str, str]:
        found = {
            "X-Requests-Available-Minute": str(self.available_minute),
            "X-Requests-Available-Day": str(self.available_day),
            "X-RequestCounter-Reset": str(self.minute_reset),
        }
        if self.retry_after:
            found["Retry-After"] = str(self.retry_after)
        return found


def _window(name: str, window: int, now: float) -> tuple[str, int]:
    """The cache key of the caller's current window, and the seconds it has left."""
    start = int(now // window) * window
    return f"api-quota:{name}:{window}:{start}", max(math.ceil(start + window - now), 1)


def _count(name: str, window: int, now: float) -> tuple[int, int]:
    """This request's number in the caller's current window, and the seconds the window has left."""
    key, left = _window(name, window, now)
    cache.add(key, 0, timeout=left + 5)  # a little longer than the window: never expires under an incr
    try:
        return cache.incr(key), left
    except ValueError:  # expired between add and incr (a window's last instant): the next window's first
        cache.add(key, 1, timeout=left + 5)
        return 1, left


def charge(caller: str, per_minute: int, per_day: int, *, now: float | None = None) -> Usage:
    """Count one request of ``caller`` ("key:12", "addr:203.0.113.9"); raise QuotaExceeded past a quota."""
    now = time.time() if now is None else now
    used_minute, minute_reset = _count(caller, MINUTE, now)
    if used_minute > per_minute:  # refused without touching the day's count
        day_key, day_reset = _window(caller, DAY, now)
        usage = Usage(per_minute, per_day, used_minute, cache.get(day_key, 0), minute_reset, day_reset)
        raise QuotaExceeded(usage, "minute")
    used_day, day_reset = _count(caller, DAY, now)
    usage = Usage(per_minute, per_day, used_minute, used_day, minute_reset, day_reset)
    if used_day > per_day:
        raise QuotaExceeded(usage, "day")
    return usage
