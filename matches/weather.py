"""The weather at a match's ground at kick-off: the one writer of ``MatchWeather``, which
matches want it, and what the pages show.

Two kinds per match (``MatchWeather.Kind``): the forecast, replaced by each newer one
until kick-off, and the observed weather once the match is over, which the pages show
from then on. The figures are those of the kick-off hour (UTC, the hour the kick-off falls
in) at the venue's coordinates. Ingestion (``ingestion/providers/open_meteo``) fetches and
maps them; ``save_weather`` writes a request's matches in one transaction.

Weather codes are the WMO interpretation codes Open-Meteo uses (``condition``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from matches.models import Match, MatchWeather, Source

# Forecasts are fetched for matches this close; Open-Meteo's reach 16 days, but a week-old
# forecast of a Saturday three weeks away would only mislead.
FORECAST_AHEAD = dt.timedelta(days=7)
# Finished matches this recent without an observed row are asked for every run.
OBSERVED_LOOKBACK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Reading:
    """The figures for one match's kick-off hour (None where the provider has none)."""

    valid_at: dt.datetime  # aware, UTC, on the hour
    temperature_c: float | None
    precipitation_mm: float | None
    wind_speed_kmh: float | None
    weather_code: int | None

    @property
    def empty(self) -> bool:
        return all(value is None for value in (self.temperature_c, self.precipitation_mm, self.wind_speed_kmh,
                                                self.weather_code))


def kickoff_hour(kickoff: dt.datetime) -> dt.datetime:
    """The UTC hour the figures are for: the one the kick-off falls in (19:45 -> 19:00)."""
    return kickoff.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0)


# --- writing -------------------------------------------------------------------------------

@dataclass
class WeatherSaved:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


FIGURES = ("valid_at", "temperature_c", "precipitation_mm", "wind_speed_kmh", "weather_code")


@transaction.atomic
def save_weather(readings: dict[int, Reading], *, kind: str, fetched_at: dt.datetime,
                 source: str = Source.OPEN_METEO) -> WeatherSaved:
    """Store one request's readings (match id -> reading), all or nothing.

    A forecast replaces the stored forecast when it was fetched later (a retry of the same
    answer changes nothing; an older answer never overwrites a newer one). The observed row
    is written once and then kept. Empty readings (the archive has no data yet) are skipped.
    """
    saved = WeatherSaved()
    stored = {row.match_id: row for row in MatchWeather.objects.select_for_update().filter(
        match_id__in=list(readings), kind=kind)}
    for match_id, reading in readings.items():
        if reading.empty:
            continue
        values = {name: getattr(reading, name) for name in FIGURES}
        row = stored.get(match_id)
        if row is None:
            MatchWeather.objects.create(match_id=match_id, kind=kind, source=source, fetched_at=fetched_at, **values)
            saved.created += 1
        elif kind == MatchWeather.Kind.OBSERVED or fetched_at <= row.fetched_at:
            saved.unchanged += 1
        else:
            for name, value in values.items():
                setattr(row, name, value)
            row.source, row.fetched_at = source, fetched_at
            row.save()
            saved.updated += 1
    return saved


# --- which matches want weather --------------------------------------------------------------

def _located(matches):
    return matches.filter(venue__latitude__isnull=False, venue__longitude__isnull=False)


def wanting_forecast(now: dt.datetime, matches=None):
    """Scheduled matches kicking off within FORECAST_AHEAD at a located ground."""
    matches = Match.objects.all() if matches is None else matches
    return _located(matches).filter(status=Match.Status.SCHEDULED, kickoff__gte=now,
                                    kickoff__lte=now + FORECAST_AHEAD)


def wanting_observed(now: dt.datetime | None = None, matches=None):
    """Finished matches at a located ground without an observed row: those of the last
    OBSERVED_LOOKBACK when ``now`` is given, else all of ``matches`` (a season's backfill)."""
    matches = Match.objects.all() if matches is None else matches
    observed = MatchWeather.objects.filter(match=OuterRef("pk"), kind=MatchWeather.Kind.OBSERVED)
    matches = _located(matches).filter(status=Match.Status.FINISHED).filter(~Exists(observed))
    if now is not None:
        matches = matches.filter(kickoff__gte=now - OBSERVED_LOOKBACK, kickoff__lte=now)
    return matches


# --- showing it ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Condition:
    icon: str  # one of the icons in matches/partials/_weather_icon.html
    label: str


# WMO weather interpretation codes as Open-Meteo documents them.
WMO_LABELS = {
    0: "Clear sky", 1: "Mainly clear", 2: "Partly cloudy", 3: "Overcast",
    45: "Fog", 48: "Depositing rime fog",
    51: "Light drizzle", 53: "Moderate drizzle", 55: "Dense drizzle",
    56: "Light freezing drizzle", 57: "Dense freezing drizzle",
    61: "Slight rain", 63: "Moderate rain", 65: "Heavy rain", 66: "Light freezing rain", 67: "Heavy freezing rain",
    71: "Slight snowfall", 73: "Moderate snowfall", 75: "Heavy snowfall", 77: "Snow grains",
    80: "Slight rain showers", 81: "Moderate rain showers", 82: "Violent rain showers",
    85: "Slight snow showers", 86: "Heavy snow showers",
    95: "Thunderstorm", 96: "Thunderstorm with slight hail", 99: "Thunderstorm with heavy hail",
}
ICON_RANGES = (  # (first code, last code, icon)
    (0, 0, "clear"), (1, 2, "partly-cloudy"), (3, 3, "overcast"), (45, 48, "fog"), (51, 57, "drizzle"),
    (61, 67, "rain"), (71, 77, "snow"), (80, 82, "showers"), (85, 86, "snow-showers"), (95, 99, "thunderstorm"),
)


def condition(code: int | None) -> Condition | None:
    """The icon and words for a WMO code; None when there is no code."""
    if code is None:
        return None
    icon = next((icon for first, last, icon in ICON_RANGES if first <= code <= last), "unknown")
    return Condition(icon, WMO_LABELS.get(code, f"Weather code {code}"))


def match_card(match: Match) -> dict | None:
    """The match page's weather card (one query): observed when there is, else the forecast.

    Weather is only fetched for a located ground, so a match without one costs no query.
    """
    if match.venue is None or match.venue.latitude is None:
        return None
    rows = {row.kind: row for row in MatchWeather.objects.filter(match=match)}
    row = rows.get(MatchWeather.Kind.OBSERVED) or rows.get(MatchWeather.Kind.FORECAST)
    if row is None:
        return None
    return {"weather": row, "condition": condition(row.weather_code), "venue": match.venue,
            "observed": row.kind == MatchWeather.Kind.OBSERVED}


def forecasts_for(matches, now: dt.datetime | None = None) -> dict[int, dict]:
    """Match id -> {"weather", "condition"} for the upcoming ones with a forecast, in one query
    (none when nothing listed is upcoming). ``matches``: Match rows or the pages' value rows."""
    now = now or timezone.now()
    upcoming = [_field(m, "id") for m in matches
                if _field(m, "status") == Match.Status.SCHEDULED and _field(m, "kickoff") >= now]
    if not upcoming:
        return {}
    rows = MatchWeather.objects.filter(match_id__in=upcoming, kind=MatchWeather.Kind.FORECAST)
    return {row.match_id: {"weather": row, "condition": condition(row.weather_code)} for row in rows}


def _field(match, name: str):
    return match[name] if isinstance(match, dict) else getattr(match, "pk" if name == "id" else name)
