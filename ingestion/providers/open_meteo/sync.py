"""Open-Meteo as the jobs use it (ingestion/jobs.py ``weather``): which requests, then fetch,
map and write each as its own unit of work.

One request per ground (venue), kind and date range, never one per match: a ground's
matches of the coming week are one forecast request, a past season's 19 home matches one
archive request. Each request is written in one transaction (``matches.weather.save_weather``);
a request that fails (refused, garbled, the provider down) leaves its ground's matches as
they were and does not stop the other grounds; the run then fails naming each one.

Observed weather (once a match is over): from the archive (ERA5 reanalysis) when the match
is older than ``ARCHIVE_LAG`` (the archive runs about five days behind); for the most
recent days from the forecast service's past days (the models' analysis of those hours),
so a match has its observed weather the morning after rather than a week later. Both are
stored as observed; the first one written is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.http import ProviderError, QuotaExhausted
from ingestion.providers.open_meteo import mapping
from ingestion.providers.open_meteo.client import OpenMeteoClient
from matches import catalog, weather
from matches.models import Match, MatchWeather
from matches.records import Origin, RecordError

logger = logging.getLogger(__name__)

CLIENT = OpenMeteoClient
# Weather answers hold no matches: reparse_payloads has nothing to map (the next run asks again).
PAYLOAD_PARSERS: dict = {}
ARCHIVE_LAG = dt.timedelta(days=5)
# The longest range one request asks for (a season at one ground fits).
MAX_SPAN = dt.timedelta(days=366)


@dataclass(frozen=True)
class WeatherRequest:
    """One request: a ground, what is asked (forecast or observed, and of which service), its matches."""

    kind: str  # MatchWeather.Kind
    service: str  # "forecast" or "archive"
    matches: tuple[Match, ...]  # at one venue, in kick-off order

    @property
    def venue(self):
        return self.matches[0].venue

    @property
    def start(self) -> dt.date:
        return weather.kickoff_hour(self.matches[0].kickoff).date()

    @property
    def end(self) -> dt.date:
        return weather.kickoff_hour(self.matches[-1].kickoff).date()

    def __str__(self):
        count = len(self.matches)
        return (f"{self.kind} at {self.venue} ({self.service} {self.start}..{self.end}, "
                f"{count} match{'es' if count != 1 else ''})")


def weather_requests(now: dt.datetime, *, competitions: list[str] | None = None,
                     season: int | None = None) -> list[WeatherRequest]:
    """The requests the weather job makes: forecasts for the coming week's matches, observed
    weather for the last week's finished matches without it; with ``season`` (the year it
    starts) every finished match of that season without observed weather (a backfill)."""
    matches = Match.objects.select_related("venue", "home_team", "away_team").order_by("kickoff", "pk")
    if competitions:
        names = [known.name if (known := catalog.find_competition(wanted)) else wanted for wanted in competitions]
        matches = matches.filter(competition__name__in=names)
    if season is not None:
        matches = matches.filter(season__name__startswith=str(season))
    forecasts = list(weather.wanting_forecast(now, matches))
    observed = list(weather.wanting_observed(None if season is not None else now, matches))
    requests = _grouped(MatchWeather.Kind.FORECAST, "forecast", forecasts)
    recent = [match for match in observed if match.kickoff > now - ARCHIVE_LAG]
    older = [match for match in observed if match.kickoff <= now - ARCHIVE_LAG]
    requests += _grouped(MatchWeather.Kind.OBSERVED, "forecast", recent)
    requests += _grouped(MatchWeather.Kind.OBSERVED, "archive", older)
    return requests


def _grouped(kind: str, service: str, matches: list[Match]) -> list[WeatherRequest]:
    """One request per venue and span of at most MAX_SPAN (matches are in kick-off order)."""
    by_venue: dict[int, list[list[Match]]] = {}
    for match in matches:
        spans = by_venue.setdefault(match.venue_id, [[]])
        if spans[-1] and match.kickoff - spans[-1][0].kickoff > MAX_SPAN:
            spans.append([])
        spans[-1].append(match)
    return [WeatherRequest(kind, service, tuple(span)) for spans in by_venue.values() for span in spans]


def match_weather(client: OpenMeteoClient, requests: list[WeatherRequest], run: IngestionRun) -> None:
    """Fetch, map and write each request on its own; raise ProviderError naming the failed ones."""
    failures = []
    for number, request in enumerate(requests):
        fetched = None
        try:
            venue = request.venue
            ask = client.archive if request.service == "archive" else client.forecast
            fetched = ask(venue.latitude, venue.longitude, request.start, request.end)
            readings = _kickoff_readings(request, mapping.parse_hourly(fetched.data, fetched.payload.url),
                                         fetched.payload.url)
            saved = weather.save_weather(readings, kind=request.kind, fetched_at=fetched.payload.fetched_at)
        except QuotaExhausted as exc:
            failures.append(f"{request}: {exc}; {len(requests) - number - 1} more requests not made")
            break
        except (ProviderError, RecordError) as exc:
            if isinstance(exc, RecordError) and fetched is not None:
                RawPayload.objects.filter(pk=fetched.payload.pk).update(parse_error=str(exc))
            failures.append(f"{request}: {exc}")
            logger.warning("Open-Meteo weather: %s: %s", request, exc)
            continue
        run.created += saved.created
        run.updated += saved.updated
        run.unchanged += saved.unchanged
    if failures:
        raise ProviderError(f"{len(failures)} of {len(requests)} weather requests failed: " + "; ".join(failures))


def _kickoff_readings(request: WeatherRequest, hours: dict, url: str) -> dict[int, weather.Reading]:
    readings = {}
    for match in request.matches:
        hour = weather.kickoff_hour(match.kickoff)
        if hour not in hours:
            raise RecordError(Origin(url, record="hourly.time"),
                              f"has no {hour:%Y-%m-%dT%H:%M} (the kick-off hour of {match})")
        readings[match.pk] = hours[hour]
    return readings
