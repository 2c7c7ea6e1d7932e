"""``/metrics``: this process's numbers in Prometheus' text format, for Prometheus only.

Each server process (daphne) holds its own sockets and counts its own frames, so each one is
a scrape target of its own; Prometheus' ``instance`` label (host:port) tells them apart and
no process label is added here (a pid would be a new series at every restart).

What is counted where, each at the place the work happens and at most once per batch:

- request latency by view: ``RequestMetricsMiddleware`` below (one observation per request);
- open sockets per stream (match, season, player) and id: read from the fan-out hub at scrape
  time (``LiveCollector``), so a connect or disconnect costs nothing and an id with no socket
  left simply is not there;
- frames sent and state repairs: ``matches/fanout.py`` (one add per fan-out batch);
- channel-layer failures and frames published: the counters ``/healthz`` already shows
  (``matches.live.counters``), read here rather than counted twice;
- provider requests and quota left: ``ingestion/providers/http.py``;
- task durations and failures: ``ingestion/task_metrics.py``.

Provider requests and tasks happen in the qcluster's forked workers, which serve no HTTP: run
the cluster with ``PROMETHEUS_MULTIPROC_DIR`` and ``manage.py serve_worker_metrics`` beside it
(``worker_metrics_app`` below adds up what each of its processes wrote).

Access: with ``METRICS_TOKEN`` set, only ``Authorization: Bearer <token>``; without it, only
clients in ``METRICS_ALLOWED_NETWORKS`` (loopback by default). Anything else gets 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import time

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Histogram, disable_created_metrics,
                               generate_latest)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from matches import live
from matches.fanout import hub, stream_kind

Network = ipaddress.IPv4Network | ipaddress.IPv6Network

# The *_created series (when each counter started) double a scrape for nothing Prometheus uses.
disable_created_metrics()

REQUEST_LATENCY = Histogram(
    "quantfoot_http_request_duration_seconds",
    "Time from the first middleware to the response, by view (URL name), method and status class.",
    ["view", "method", "status"],
)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "<unmatched>"  # a path no URL pattern resolves: one label, whatever was asked


def observe_request(request, response, started: float) -> None:
    match = getattr(request, "resolver_match", None)
    view = match.view_name if match is not None else UNMATCHED
    method = request.method if request.method in METHODS else "other"
    REQUEST_LATENCY.labels(view, method, f"{response.status_code // 100}xx").observe(time.perf_counter() - started)


class RequestMetricsMiddleware:
    """First in MIDDLEWARE, so the time includes every other middleware. Sync or async, as
    the stack is: under daphne it stays on the event loop and adds no thread hop."""

    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.async_mode:
            return self.__acall__(request)
        started = time.perf_counter()
        response = self.get_response(request)
        observe_request(request, response, started)
        return response

    async def __acall__(self, request):
        started = time.perf_counter()
        response = await self.get_response(request)
        observe_request(request, response, started)
        return response


class LiveCollector(Collector):
    """The live pipeline's numbers, read when Prometheus asks instead of kept up to date."""

    def describe(self):
        return [
            GaugeMetricFamily("quantfoot_live_sockets", "", labels=["stream", "id"]),
            CounterMetricFamily("quantfoot_live_channel_layer_failures", "", labels=["operation"]),
            CounterMetricFamily("quantfoot_live_frames_published", ""),
        ]

    def collect(self):
        sockets = GaugeMetricFamily(
            "quantfoot_live_sockets", "WebSockets open on this process, by stream kind and id "
            "(only ids with sockets open).", labels=["stream", "id"])
        for group, feed in list(hub.feeds.items()):  # a copy: the event loop may change the hub
            if viewers := len(feed.viewers):
                sockets.add_metric([stream_kind(group), group.partition(".")[2]], viewers)
        yield sockets
        failures = CounterMetricFamily(
            "quantfoot_live_channel_layer_failures", "Channel-layer errors: publishing a frame (the write "
            "stands), joining a group, receiving from it (the feed repairs from the database).",
            labels=["operation"])
        for operation, key in (("publish", "failed"), ("subscribe", "subscribe_failed"),
                               ("receive", "receive_failed")):
            failures.add_metric([operation], live.counters[key])
        yield failures
        yield CounterMetricFamily("quantfoot_live_frames_published",
                                  "Frames this process rendered and sent to the channel layer.",
                                  value=live.counters["published"])


REGISTRY.register(LiveCollector())


def allowed_networks(entries: list[str]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"METRICS_ALLOWED_NETWORKS: {entry!r} is not an IP address or CIDR network")
    return tuple(networks)


# Read once at start-up: a typo stops the server instead of opening /metrics or closing it silently.
ALLOWED_NETWORKS = allowed_networks(settings.METRICS_ALLOWED_NETWORKS)


def refusal(request) -> str | None:
    """Why this request may not read /metrics, or None when it may."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return None
        return "/metrics needs the header Authorization: Bearer <METRICS_TOKEN>"
    # REMOTE_ADDR is the real client behind TRUSTED_PROXIES (quantfoot/proxies.py), never the proxy's.
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        address = None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address is not None and any(address in network for network in ALLOWED_NETWORKS):
        return None
    return "/metrics is served to METRICS_ALLOWED_NETWORKS only (or set METRICS_TOKEN)"


async def metrics(request):
    """This process's metrics. Async, so the hub is read on the event loop that changes it."""
    if reason := refusal(request):
        return HttpResponse(reason + "\n", status=403, content_type="text/plain; charset=utf-8")
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)


def worker_metrics_app(directory: str):
    """A WSGI app serving what every process of a qcluster wrote to ``directory``, added up.

    django-q2 forks its workers, so a task's duration or a provider's request is counted in a
    process nobody can ask; with PROMETHEUS_MULTIPROC_DIR set for the cluster, prometheus_client
    keeps each process's samples in files there and this reads them all (``serve_worker_metrics``).
    Same access rule as /metrics.
    """
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=directory)

    def app(environ, start_response):
        if environ.get("PATH_INFO") != "/metrics":
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"metrics are at /metrics\n"]
        if reason := refusal(WSGIRequest(environ)):
            start_response("403 Forbidden", [("Content-Type", "text/plain; charset=utf-8")])
            return [(reason + "\n").encode()]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [generate_latest(registry)]

    return app
