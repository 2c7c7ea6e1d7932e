"""Open-Meteo (https://open-meteo.com/en/docs, no key).

Two services of one provider: the forecast (``/v1/forecast`` under ``OPEN_METEO_BASE_URL``:
16 days ahead and the last 92 days, the models' own analysis of the past hours) and the
historical archive (``/v1/archive`` under ``OPEN_METEO_ARCHIVE_URL``: ERA5 reanalysis, from
1940 to about five days ago). Both take ``latitude``, ``longitude``, ``hourly`` (a comma
list of variables), ``start_date``/``end_date`` (ISO days, inclusive) and ``timezone``; we
always ask for UTC so that ``hourly.time`` is UTC. The free tier allows 600 calls a minute
and 10,000 a day for non-commercial use; we stay at 60 a minute. A refused request is
HTTP 400 with ``{"error": true, "reason": "..."}``.
"""

from __future__ import annotations

import datetime as dt

from ingestion.providers.http import DAY, HOUR, Fetched, ProviderClient
from matches.models import Source

HOURLY = ("temperature_2m", "precipitation", "wind_speed_10m", "weather_code")
FORECAST, ARCHIVE = "/v1/forecast", "/v1/archive"


class OpenMeteoClient(ProviderClient):
    source = Source.OPEN_METEO
    base_url_setting = "OPEN_METEO_BASE_URL"
    archive_url_setting = "OPEN_METEO_ARCHIVE_URL"
    requests_per_minute = 60
    requests_per_day = 10000

    def forecast(self, latitude: float, longitude: float, start: dt.date, end: dt.date) -> Fetched:
        """Hourly forecast (or, for past days, the models' analysis) from ``start`` to ``end``."""
        return self.get(FORECAST, self._params(latitude, longitude, start, end), fresh_for=HOUR)

    def archive(self, latitude: float, longitude: float, start: dt.date, end: dt.date) -> Fetched:
        """Hourly reanalysis (what the weather was) from ``start`` to ``end``."""
        return self.get(ARCHIVE, self._params(latitude, longitude, start, end), fresh_for=DAY,
                        base_url_setting=self.archive_url_setting)

    @staticmethod
    def _params(latitude: float, longitude: float, start: dt.date, end: dt.date) -> dict:
        return {"latitude": f"{latitude:.4f}", "longitude": f"{longitude:.4f}", "hourly": ",".join(HOURLY),
                "start_date": start.isoformat(), "end_date": end.isoformat(), "timezone": "UTC"}
