"""OpenLigaDB (https://api.openligadb.de, Swagger documentation at that address).

No key. No published rate limit; its maintainer has named 5,000 requests a day per IP
address, so we stay polite at 60 a minute. Leagues are named by shortcut ("bl1", "bl2"),
seasons by the year they start, matchdays by their group order id.
"""

from __future__ import annotations

from ingestion.providers.http import HOUR, Fetched, ProviderClient
from matches.models import Source


class OpenLigaDbClient(ProviderClient):
    source = Source.OPENLIGADB
    base_url_setting = "OPENLIGADB_BASE_URL"
    requests_per_minute = 60
    requests_per_day = 5000

    def match_data(self, league: str, season: int, matchday: int | None = None) -> Fetched:
        """One matchday's matches (the live poll), or the whole season without ``matchday``."""
        if matchday is None:
            return self.get(f"/getmatchdata/{league}/{season}", fresh_for=HOUR)
        return self.get(f"/getmatchdata/{league}/{season}/{matchday}", fresh_for=self.live_window())

    def current_group(self, league: str) -> Fetched:
        """The current matchday: ``{"groupName", "groupOrderID", "groupID"}``."""
        return self.get(f"/getcurrentgroup/{league}", fresh_for=HOUR)

    def match(self, match_id: int) -> Fetched:
        return self.get(f"/getmatchdata/{match_id}", fresh_for=self.live_window())

    def standings(self, league: str, season: int) -> Fetched:
        """The league table as OpenLigaDB computes it."""
        return self.get(f"/getbltable/{league}/{season}", fresh_for=HOUR)
