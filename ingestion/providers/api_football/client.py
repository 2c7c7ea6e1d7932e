"""API-Football v3 (https://www.api-football.com/documentation-v3).

Authenticated by the ``x-apisports-key`` header. The free plan allows 100 requests a day
and 10 a minute; every answer reports what is left in ``x-ratelimit-requests-remaining``
(the day) and ``X-RateLimit-Remaining`` (the minute). Problems come back as HTTP 200 with
a non-empty ``errors`` field (a dict, or ``[]`` when there are none).
"""

from __future__ import annotations

from typing import Any

from ingestion.providers.http import DAY, HOUR, QUARTER_HOUR, Fetched, ProviderClient, ReportedError
from matches.models import Source


class ApiFootballClient(ProviderClient):
    source = Source.API_FOOTBALL
    base_url_setting = "API_FOOTBALL_BASE_URL"
    requests_per_minute = 10
    requests_per_day = 100
    credential_setting = "API_FOOTBALL_KEY"
    auth_header = "x-apisports-key"
    daily_remaining_header = "x-ratelimit-requests-remaining"
    minute_remaining_header = "X-RateLimit-Remaining"

    def reported_error(self, data: Any) -> ReportedError | None:
        errors = data.get("errors") if isinstance(data, dict) else None
        if not errors:
            return None
        if isinstance(errors, dict):
            message = "; ".join(f"{key}: {value}" for key, value in errors.items())
            # "rateLimit": too many this minute; "requests": the day's quota is gone.
            return ReportedError(message, rate_limited="rateLimit" in errors, quota_exhausted="requests" in errors)
        return ReportedError(str(errors))

    def fixtures(self, **params) -> Fetched:
        """/fixtures by date, league + season, live="all", id or ids ("1-2-3")."""
        live = {"live", "id", "ids"} & params.keys()
        return self.get("/fixtures", params, fresh_for=self.live_window() if live else QUARTER_HOUR)

    def fixture_events(self, fixture_id: int) -> Fetched:
        return self.get("/fixtures/events", {"fixture": fixture_id}, fresh_for=self.live_window())

    def fixture_lineups(self, fixture_id: int) -> Fetched:
        return self.get("/fixtures/lineups", {"fixture": fixture_id}, fresh_for=self.live_window())

    def fixture_statistics(self, fixture_id: int) -> Fetched:
        return self.get("/fixtures/statistics", {"fixture": fixture_id}, fresh_for=self.live_window())

    def fixture_players(self, fixture_id: int) -> Fetched:
        return self.get("/fixtures/players", {"fixture": fixture_id}, fresh_for=self.live_window())

    def standings(self, league: int, season: int) -> Fetched:
        return self.get("/standings", {"league": league, "season": season}, fresh_for=QUARTER_HOUR)

    def team_statistics(self, league: int, season: int, team: int) -> Fetched:
        return self.get("/teams/statistics", {"league": league, "season": season, "team": team}, fresh_for=HOUR)

    def players(self, league: int, season: int, page: int = 1) -> Fetched:
        """One page of a league's players with their season statistics (``paging.total`` pages)."""
        return self.get("/players", {"league": league, "season": season, "page": page}, fresh_for=DAY)

    def injuries(self, fixture: int | str) -> Fetched:
        """Who is missing or doubtful for one fixture; API-Football refreshes it every few hours."""
        return self.get("/injuries", {"fixture": fixture}, fresh_for=HOUR)

    def odds(self, fixture: int | None = None, date: str | None = None, page: int = 1) -> Fetched:
        """Pre-match odds; API-Football refreshes them every few hours."""
        return self.get("/odds", {"fixture": fixture, "date": date, "page": page}, fresh_for=HOUR)
