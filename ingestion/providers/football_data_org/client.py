"""football-data.org v4 (https://docs.football-data.org/general/v4/).

Authenticated by the ``X-Auth-Token`` header. The free plan allows 10 requests a minute
and no daily cap; every answer reports ``X-Requests-Available-Minute`` and
``X-RequestCounter-Reset`` (seconds until the minute's counter resets). Refusals are
HTTP 4xx with ``{"message": ..., "errorCode": ...}``.
"""

from __future__ import annotations

from ingestion.providers.http import DAY, QUARTER_HOUR, Fetched, ProviderClient
from matches.models import Source


class FootballDataOrgClient(ProviderClient):
    source = Source.FOOTBALL_DATA_ORG
    base_url_setting = "FOOTBALL_DATA_BASE_URL"
    requests_per_minute = 10
    requests_per_day = None
    credential_setting = "FOOTBALL_DATA_TOKEN"
    auth_header = "X-Auth-Token"
    minute_remaining_header = "X-Requests-Available-Minute"
    minute_reset_header = "X-RequestCounter-Reset"

    def matches(self, date_from: str, date_to: str, status: str | None = None) -> Fetched:
        """Matches across the plan's competitions between two dates (YYYY-MM-DD); the live poll."""
        return self.get("/matches", {"dateFrom": date_from, "dateTo": date_to, "status": status},
                        fresh_for=self.live_window())

    def competition_matches(self, code: str, season: int | None = None, status: str | None = None) -> Fetched:
        """A competition's matches ("PL", "BL1" …); season is the year it starts."""
        return self.get(f"/competitions/{code}/matches", {"season": season, "status": status},
                        fresh_for=QUARTER_HOUR)

    def standings(self, code: str, season: int | None = None) -> Fetched:
        return self.get(f"/competitions/{code}/standings", {"season": season}, fresh_for=QUARTER_HOUR)

    def match(self, match_id: int) -> Fetched:
        return self.get(f"/matches/{match_id}", fresh_for=self.live_window())

    def team(self, team_id: int) -> Fetched:
        return self.get(f"/teams/{team_id}", fresh_for=DAY)
