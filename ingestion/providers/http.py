"""The one HTTP layer every football data provider goes through.

``ProviderClient`` owns httpx, timeouts, retries with backoff, the shared rate limit and
daily quota, the raw payload store and the run record. A subclass per provider only
declares where the provider lives, how it authenticates, which headers carry its quota
and how it reports errors inside a successful response; its helper methods name the
provider's endpoints.

Every successful body is stored as a ``RawPayload`` before it is decoded (ELT), so fetch
outside the transaction that writes what the payload maps to: a mapping failure must
not roll back the payload it failed on.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, ClassVar, NamedTuple

import httpx
from django.conf import settings
from prometheus_client import Counter, Gauge
from django.core.cache import cache
from django.utils import timezone

from ingestion.models import IngestionRun, RawPayload
from matches.models import Source

logger = logging.getLogger(__name__)

# Prometheus (README "Monitoring"): every request a provider answered (status = its HTTP code) or
# that got no answer ("error"), and what the provider last said is left of its quota.
PROVIDER_REQUESTS = Counter("quantfoot_provider_requests", "Requests sent to football data providers.",
                            ["provider", "status"])
PROVIDER_QUOTA_REMAINING = Gauge("quantfoot_provider_quota_remaining",
                                 "Requests left in the provider's window, as its last answer said.",
                                 ["provider", "window"], multiprocess_mode="mostrecent")

USER_AGENT = "QuantFoot/1.0 (football data site; httpx)"

# Full-jitter exponential backoff: retry n waits a random 0..min(CAP, BASE * 2**(n-1)) seconds,
# so workers that failed together do not retry together.
BACKOFF_BASE = 0.5
BACKOFF_CAP = 30.0
# Per-minute limits are what all three providers meter; when one says "no more this minute"
# without saying until when, wait the whole minute.
MINUTE = 60.0

# How long the clients' helpers reuse a stored response (fresh_for) for slow-changing data.
QUARTER_HOUR = 15 * 60
HOUR = 60 * 60
DAY = 24 * 60 * 60


class ProviderError(Exception):
    """A provider call failed after its retries; the message names provider, URL and cause."""

    def __init__(self, message: str, *, status_code: int | None = None):
        super().__init__(message)
        self.status_code = status_code  # the provider's HTTP status, when it answered


class QuotaExhausted(ProviderError):
    """The provider's daily quota is used up: raised before calling, no request made."""


class PayloadError(ProviderError):
    """The body is not the JSON we expect; the RawPayload is kept with parse_error set."""

    def __init__(self, message: str, payload: RawPayload):
        super().__init__(message, status_code=payload.status_code)
        self.payload = payload


@dataclass
class Fetched:
    data: Any  # decoded JSON
    payload: RawPayload  # the stored raw response (from this call, or the fresh one reused)
    from_cache: bool


class ReportedError(NamedTuple):
    """An error a provider reported inside an HTTP 200 body (API-Football does this)."""

    message: str
    rate_limited: bool = False  # too many this minute: retry later
    quota_exhausted: bool = False  # the day's quota is gone: stop until tomorrow


class _Retry(Exception):
    """One attempt failed in a way worth trying again (timeout, 5xx, 429, rate limit)."""

    def __init__(self, cause: str, *, wait: float = 0.0, status_code: int | None = None):
        super().__init__(cause)
        self.wait = wait  # at least this long before the next attempt, as the provider asked
        self.status_code = status_code


def canonical_params(params: dict | None) -> dict[str, str]:
    """Query parameters as both the request and the payload store use them: sorted,
    as text, without the unset ones, so the same question always finds the same answer."""
    def as_text(value) -> str:
        return ("true" if value else "false") if isinstance(value, bool) else str(value)

    return {key: as_text(value) for key, value in sorted((params or {}).items()) if value is not None}


class RequestBudget:
    """A provider's per-minute rate and daily quota, kept in Django's cache.

    The cache (Redis in production) is shared by every worker process, so workers polling
    the same provider stay inside one limit together. Times are wall-clock seconds
    (``time.time()``) because they are compared across processes.
    """

    def __init__(self, source: str, requests_per_minute: int):
        self.source = source
        self.requests_per_minute = requests_per_minute

    def _key(self, name: str) -> str:
        return f"providers:{self.source}:{name}"

    def reserve(self, at_least: float = 0.0) -> float:
        """Book the earliest send time, ``at_least`` seconds from now, that keeps at most
        requests_per_minute in any rolling minute and respects any pause; return the
        seconds to wait for it.

        Booking (rather than checking) lets concurrent callers queue up behind each other.
        """
        with self._lock():
            now = time.time()
            booked = sorted(t for t in cache.get(self._key("sent"), []) if t > now - MINUTE)
            start = max(now + at_least, cache.get(self._key("paused_until"), 0.0))
            if len(booked) >= self.requests_per_minute:
                start = max(start, booked[-self.requests_per_minute] + MINUTE)
            booked.append(start)
            cache.set(self._key("sent"), booked, timeout=int(max(booked) - now + MINUTE) + 1)
        return start - now

    def pause_until(self, until: float) -> None:
        """Send nothing before ``until`` (the provider said wait, or none left this minute)."""
        with self._lock():
            if until > cache.get(self._key("paused_until"), 0.0):
                cache.set(self._key("paused_until"), until, timeout=int(until - time.time()) + 1)

    def exhaust_for_today(self) -> None:
        """The daily quota is gone: refuse calls until the provider's day ends (00:00 UTC)."""
        now = datetime.now(UTC)
        midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=UTC)
        cache.set(self._key("exhausted_until"), midnight.timestamp(),
                  timeout=int((midnight - now).total_seconds()) + 1)

    def exhausted_until(self) -> datetime | None:
        until = cache.get(self._key("exhausted_until"))
        return datetime.fromtimestamp(until, UTC) if until and until > time.time() else None

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """A short cross-process lock: cache.add is atomic in Redis and in LocMem.

        It expires by itself, so a worker that dies holding it delays others by seconds at most.
        """
        key, token = self._key("lock"), uuid.uuid4().hex
        give_up_at = time.monotonic() + 5
        while not cache.add(key, token, timeout=5) and time.monotonic() < give_up_at:
            time.sleep(0.005)
        try:
            yield
        finally:
            if cache.get(key) == token:
                cache.delete(key)


class ProviderClient:
    """Base of the provider clients; subclasses declare the class attributes below."""

    source: ClassVar[str]  # a matches.models.Source value
    base_url_setting: ClassVar[str]
    requests_per_minute: ClassVar[int]
    requests_per_day: ClassVar[int | None] = None  # the published quota, for planning schedules
    credential_setting: ClassVar[str | None] = None  # the setting holding the key, if one is needed
    auth_header: ClassVar[str | None] = None  # the request header that carries it
    daily_remaining_header: ClassVar[str | None] = None
    minute_remaining_header: ClassVar[str | None] = None
    minute_reset_header: ClassVar[str | None] = None  # seconds until the minute's counter resets
    # Statuses that mean "busy, come back later" (FPL's 503 around deadlines) -> the least wait, in
    # seconds, before this or any worker asks again.
    busy_statuses: ClassVar[dict[int, float]] = {}
    user_agent: ClassVar[str] = USER_AGENT

    def __init__(self, *, run: IngestionRun | None = None, transport: httpx.BaseTransport | None = None,
                 sleep: Callable[[float], None] = time.sleep, max_attempts: int = 4,
                 timeout: httpx.Timeout = httpx.Timeout(10, connect=5)):
        self.run = run
        self.sleep = sleep  # injected so tests can record waits instead of waiting
        self.max_attempts = max_attempts
        self.requests_made = 0
        self.quota_remaining: int | None = None
        self.budget = RequestBudget(self.source, self.requests_per_minute)
        self.http = httpx.Client(transport=transport, timeout=timeout, follow_redirects=True,
                                 headers={"Accept": "application/json", "User-Agent": self.user_agent})

    @classmethod
    def configured(cls) -> bool:
        """Whether the credentials this provider needs are set."""
        return cls.credential_setting is None or bool(getattr(settings, cls.credential_setting, ""))

    @property
    def name(self) -> str:
        return Source(self.source).label

    def close(self) -> None:
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def live_window(self) -> float:
        """fresh_for for live data: half the poll interval, so every poll asks the provider
        while a second worker polling in the same cycle reuses that answer."""
        return settings.LIVE_POLL_SECONDS / 2

    def get(self, path: str, params: dict | None = None, *, fresh_for: float = 0,
            base_url_setting: str | None = None) -> Fetched:
        """GET ``path`` under the provider's base URL and return its decoded JSON.

        A stored answer younger than ``fresh_for`` seconds is returned without a request.
        ``base_url_setting`` names another base URL of the same provider (Open-Meteo's archive).
        Raises QuotaExhausted, PayloadError or ProviderError.
        """
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', not {path!r}")
        params = canonical_params(params)
        base_url = getattr(settings, base_url_setting or self.base_url_setting).rstrip("/")
        url = str(httpx.URL(base_url + path, params=params))
        previous = (RawPayload.objects.filter(provider=self.source, endpoint=path, params=params, parse_error="")
                    .order_by("-fetched_at", "-pk").first())
        if previous and fresh_for > 0 and previous.fetched_at >= timezone.now() - timedelta(seconds=fresh_for):
            logger.debug("%s: GET %s served from the payload fetched at %s", self.name, url, previous.fetched_at)
            return Fetched(previous.json(), previous, from_cache=True)
        if not self.configured():
            raise ProviderError(f"{self.name}: {self.credential_setting} is not set, so {url} cannot be called")
        return self._fetch(path, params, url, previous)

    def reported_error(self, data: Any) -> ReportedError | None:
        """The error a provider reported inside a successful response, if any.

        Most providers use HTTP status codes; a subclass overrides this when it does not.
        """
        return None

    def _fetch(self, path: str, params: dict, url: str, previous: RawPayload | None) -> Fetched:
        retry_delay = 0.0
        for attempt in range(1, self.max_attempts + 1):
            if until := self.budget.exhausted_until():
                self.quota_remaining = 0
                raise QuotaExhausted(f"{self.name}: the daily quota is used up until {until:%Y-%m-%d %H:%M} UTC; "
                                     f"{url} was not called")
            wait = self.budget.reserve(retry_delay)
            if wait > 0:
                self.sleep(wait)
            try:
                return self._attempt(path, params, url, previous)
            except _Retry as retry:
                if attempt == self.max_attempts:
                    raise ProviderError(f"{self.name}: GET {url} failed after {attempt} attempts: {retry}",
                                        status_code=retry.status_code) from retry
                retry_delay = max(random.uniform(0, min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (attempt - 1))), retry.wait)
                logger.warning("%s: GET %s: %s; retrying in %.1f s (attempt %d of %d)",
                               self.name, url, retry, retry_delay, attempt + 1, self.max_attempts)
        raise AssertionError("unreachable: max_attempts must be at least 1")

    def _attempt(self, path: str, params: dict, url: str, previous: RawPayload | None) -> Fetched:
        """One request: a Fetched, a _Retry for the loop, or an error that ends the call."""
        logger.debug("%s: GET %s", self.name, url)
        try:
            response = self.http.get(url, headers=self._request_headers(previous))
        except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError) as exc:
            self._count_request()
            PROVIDER_REQUESTS.labels(self.source, "error").inc()
            raise _Retry(f"{type(exc).__name__}: {exc}") from exc
        except httpx.HTTPError as exc:
            raise ProviderError(f"{self.name}: GET {url} failed: {type(exc).__name__}: {exc}") from exc
        self._read_quota(response.headers)
        self._count_request()
        PROVIDER_REQUESTS.labels(self.source, str(response.status_code)).inc()

        status = response.status_code
        if status == 429 or status >= 500:
            wait = self._requested_wait(response.headers) if status == 429 else _retry_after(response.headers)
            wait = max(wait, self.busy_statuses.get(status, 0.0))
            if wait:
                self.budget.pause_until(time.time() + wait)  # other workers hold off too
            busy = f": {_error_detail(response)}" if status in self.busy_statuses else ""
            raise _Retry(f"HTTP {status} {response.reason_phrase}{busy}", wait=wait, status_code=status)
        if status == 304 and previous is not None:
            payload = RawPayload.store(
                provider=self.source, endpoint=path, params=params, url=url, status_code=status,
                body=previous.raw(), etag=response.headers.get("ETag", previous.etag),
                last_modified=response.headers.get("Last-Modified", previous.last_modified), run=self.run)
            return Fetched(previous.json(), payload, from_cache=False)
        if not 200 <= status < 300:
            raise ProviderError(f"{self.name}: GET {url} answered HTTP {status} {response.reason_phrase}: "
                                f"{_error_detail(response)}", status_code=status)

        payload = RawPayload.store(
            provider=self.source, endpoint=path, params=params, url=url, status_code=status,
            body=response.content, etag=response.headers.get("ETag", ""),
            last_modified=response.headers.get("Last-Modified", ""), run=self.run)
        data = self._decode(payload, response.content, url)
        if reported := self.reported_error(data):
            self._mark_unusable(payload, f"{self.name} reported an error: {reported.message}")
            if reported.rate_limited:
                wait = self._requested_wait(response.headers) or MINUTE
                self.budget.pause_until(time.time() + wait)
                raise _Retry(f"rate limited: {reported.message}", wait=wait, status_code=status)
            if reported.quota_exhausted:
                self.budget.exhaust_for_today()
                self.quota_remaining = 0
                PROVIDER_QUOTA_REMAINING.labels(self.source, "day").set(0)
                raise QuotaExhausted(f"{self.name}: GET {url}: {reported.message}", status_code=status)
            raise PayloadError(f"{self.name}: GET {url} reported an error: {reported.message}", payload)
        return Fetched(data, payload, from_cache=False)

    def _request_headers(self, previous: RawPayload | None) -> dict[str, str]:
        headers = {}
        if self.auth_header:
            headers[self.auth_header] = getattr(settings, self.credential_setting)
        if previous and previous.etag:
            headers["If-None-Match"] = previous.etag
        if previous and previous.last_modified:
            headers["If-Modified-Since"] = previous.last_modified
        return headers

    def _decode(self, payload: RawPayload, body: bytes, url: str) -> Any:
        try:
            data = json.loads(body)
        except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError both
            problem = f"the body is not valid JSON ({exc})"
        else:
            if isinstance(data, dict | list):
                return data
            problem = f"the body is a JSON {type(data).__name__}, not an object or array"
        self._mark_unusable(payload, problem)
        raise PayloadError(f"{self.name}: GET {url}: {problem}; kept as raw payload {payload.pk}", payload)

    @staticmethod
    def _mark_unusable(payload: RawPayload, problem: str) -> None:
        """Keep the payload for inspection but never reuse it as a cached answer."""
        payload.parse_error = problem
        payload.save(update_fields=["parse_error"])

    def _read_quota(self, headers: httpx.Headers) -> None:
        """Remember what the provider says is left, here and in the shared budget."""
        daily = _number(headers.get(self.daily_remaining_header)) if self.daily_remaining_header else None
        minute = _number(headers.get(self.minute_remaining_header)) if self.minute_remaining_header else None
        remaining = daily if daily is not None else minute
        if remaining is not None:
            self.quota_remaining = int(remaining)
        for window, left in (("day", daily), ("minute", minute)):
            if left is not None:
                PROVIDER_QUOTA_REMAINING.labels(self.source, window).set(left)
        if daily is not None and daily <= 0:
            self.budget.exhaust_for_today()
        if minute is not None and minute <= 0:
            reset = _number(headers.get(self.minute_reset_header)) if self.minute_reset_header else None
            self.budget.pause_until(time.time() + (reset if reset is not None else MINUTE))

    def _requested_wait(self, headers: httpx.Headers) -> float:
        """Seconds a rate-limited answer asked us to wait (Retry-After, or the provider's
        counter reset), else 0."""
        reset = _number(headers.get(self.minute_reset_header)) if self.minute_reset_header else None
        return max(_retry_after(headers), reset or 0.0)

    def _count_request(self) -> None:
        self.requests_made += 1
        if self.run is not None:
            self.run.requests_made += 1
            self.run.quota_remaining = self.quota_remaining
            self.run.save(update_fields=["requests_made", "quota_remaining"])


def _number(text: str | None) -> float | None:
    try:
        return float(text) if text is not None else None
    except ValueError:
        return None


def _retry_after(headers: httpx.Headers) -> float:
    """The Retry-After header in seconds (it may be a number or an HTTP date), else 0."""
    value = headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    if (seconds := _number(value)) is not None:
        return max(seconds, 0.0)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        logger.warning("unreadable Retry-After header %r", value)
        return 0.0
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    return max((when - datetime.now(UTC)).total_seconds(), 0.0)


def _error_detail(response: httpx.Response) -> str:
    """The provider's own explanation of a refused request, as short as it can be."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or "(empty body)"
    if isinstance(body, dict):
        for key in ("message", "reason", "error", "errors"):  # Open-Meteo: {"error": true, "reason": ...}
            if body.get(key):
                return str(body[key])[:300]
    return str(body)[:300]
