"""OpenLigaDB as the jobs use it (ingestion/jobs.py): fetch with the client, map, return records."""

from __future__ import annotations

from ingestion.providers.live import LiveState, LiveUpdate
from ingestion.providers.openligadb import mapping
from ingestion.providers.openligadb.client import OpenLigaDbClient
from matches.records import MatchRecord

CLIENT = OpenLigaDbClient


# Stored payloads that hold matches, by endpoint: reparse_payloads maps them again.
PAYLOAD_PARSERS = {
    r"/getmatchdata/(?P<league>[a-z][^/]*)/(?P<season>\d{4})(/\d+)?":
        lambda data, url, path: mapping.parse_match_data(data, url, league=path["league"], season=int(path["season"])),
    r"/getmatchdata/\d+": lambda data, url, path: mapping.parse_match_data(data, url),
}


def season_matches(client: OpenLigaDbClient, code: str, season: int) -> list[MatchRecord]:
    fetched = client.match_data(code, season)
    return mapping.parse_match_data(fetched.data, fetched.payload.url, league=code, season=season)


def live_updates(client: OpenLigaDbClient, external_ids: list[str]) -> list[LiveUpdate]:
    """One request per followed match: OpenLigaDB has no multi-match query. Goals carry ids;
    there is no clock or period, so the page's clock follows the goals."""
    updates = []
    for external_id in external_ids:
        fetched = client.match(int(external_id))
        for record in mapping.parse_match_data(fetched.data, fetched.payload.url):
            state = LiveState(record.status, "first_half" if record.status == "live" else "")
            updates.append(LiveUpdate(mapping.SOURCE, record.external_id, state, record.home_score,
                                      record.away_score, record.events))
    return updates
