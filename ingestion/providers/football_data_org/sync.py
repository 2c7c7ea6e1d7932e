"""football-data.org as the jobs use it (ingestion/jobs.py): fetch with the client, map, return records."""

from __future__ import annotations

from ingestion.providers.football_data_org import mapping
from ingestion.providers.football_data_org.client import FootballDataOrgClient
from ingestion.providers.live import LiveUpdate
from matches.records import MatchRecord

CLIENT = FootballDataOrgClient


# Stored payloads that hold matches, by endpoint: reparse_payloads maps them again.
PAYLOAD_PARSERS = {r"/matches|/matches/\d+|/competitions/[^/]+/matches|/teams/\d+/matches":
                   lambda data, url, path: mapping.parse_matches(data, url)}


def season_matches(client: FootballDataOrgClient, code: str, season: int) -> list[MatchRecord]:
    fetched = client.competition_matches(code, season=season)
    return mapping.parse_matches(fetched.data, fetched.payload.url)


def live_updates(client: FootballDataOrgClient, external_ids: list[str]) -> list[LiveUpdate]:
    """One /matches?ids= request for all followed matches; the free tier gives scores, not scorers."""
    fetched = client.get("/matches", {"ids": ",".join(external_ids)}, fresh_for=client.live_window())
    items = fetched.data.get("matches", []) if isinstance(fetched.data, dict) else []
    records = mapping.parse_matches(fetched.data, fetched.payload.url)
    return [
        LiveUpdate(mapping.SOURCE, record.external_id, mapping.live_state(item), record.home_score,
                   record.away_score, record.events, sends_events=bool(record.events))
        for item, record in zip(items, records) if str(item.get("id")) == record.external_id
    ]
