"""Fantasy Premier League's public API (https://fantasy.premierleague.com/api).

No key and no published rate limit, but FPL blocks clients that hammer it, so we stay
at 20 requests a minute (the daily sync needs two, a live poll one) and say who we are in
the User-Agent. Around gameweek deadlines the game answers 503 "The game is being
updated." for minutes at a time: a slow-down, retried after at least a minute, with every
worker holding off meanwhile. Paths end with a slash, as FPL's do.
"""

from __future__ import annotations

from ingestion.providers.http import HOUR, Fetched, ProviderClient
from matches.models import Source

UPDATING_PAUSE = 60.0  # seconds; the game's update usually takes a few minutes


class FplClient(ProviderClient):
    source = Source.FPL
    base_url_setting = "FPL_BASE_URL"
    requests_per_minute = 20
    busy_statuses = {503: UPDATING_PAUSE}
    user_agent = ("QuantFoot/1.0 (self-hosted football statistics site; one squad sync a day and "
                  "live points while a Premier League match is played; httpx)")

    def bootstrap_static(self) -> Fetched:
        """The season: events (gameweeks), teams, element_types, elements (players with
        price, status, news and chance of playing). Several megabytes; one a day is enough."""
        return self.get("/bootstrap-static/", fresh_for=HOUR)

    def fixtures(self, event: int | None = None) -> Fetched:
        """Every fixture of the season, or one gameweek's."""
        return self.get("/fixtures/", {"event": event}, fresh_for=HOUR)

    def element_summary(self, element: int) -> Fetched:
        """One player's fixtures to come and his match-by-match history this season."""
        return self.get(f"/element-summary/{element}/", fresh_for=HOUR)

    def event_live(self, event: int) -> Fetched:
        """A gameweek's live figures per player (minutes, goals, … total_points), by fixture."""
        return self.get(f"/event/{event}/live/", fresh_for=self.live_window())
