"""API-Football as the jobs use it (ingestion/jobs.py): fetch with the client, map, return records."""

from __future__ import annotations

from ingestion.models import RawPayload
from ingestion.providers.api_football import mapping
from ingestion.providers.api_football.client import ApiFootballClient
from ingestion.providers.live import LiveUpdate
from matches.records import MatchRecord, OddsRecord

CLIENT = ApiFootballClient
IDS_PER_REQUEST = 20  # /fixtures?ids= takes up to 20 ids and returns each with events, lineups, statistics


# Stored payloads that hold matches, by endpoint: reparse_payloads maps them again.
PAYLOAD_PARSERS = {r"/fixtures": lambda data, url, path: mapping.parse_fixtures(data, url)}


def season_matches(client: ApiFootballClient, code: str, season: int) -> list[MatchRecord]:
    fetched = client.fixtures(league=code, season=season)
    return mapping.parse_fixtures(fetched.data, fetched.payload.url)


def live_updates(client: ApiFootballClient, external_ids: list[str]) -> list[LiveUpdate]:
    """The followed matches only (not the whole world's live=all)."""
    return _by_ids(client, external_ids, mapping.live_updates)


def match_details(client: ApiFootballClient, external_ids: list[str]) -> list[MatchRecord]:
    """Finished matches with their events, lineups and team statistics embedded."""
    return _by_ids(client, external_ids, mapping.parse_fixtures)


def season_odds(client: ApiFootballClient, code: str, season: int
                ) -> tuple[dict[str, list[OddsRecord]], dict[str, tuple[str, bool]]]:
    """Every page of /odds for a league's season: quotes by fixture id, and the bookmakers named."""
    by_fixture: dict[str, list[OddsRecord]] = {}
    bookmakers: dict[str, tuple[str, bool]] = {}
    page, pages = 1, 1
    while page <= pages:
        fetched = client.get("/odds", {"league": code, "season": season, "page": page}, fresh_for=3600)
        for fixture_id, quotes in mapping.parse_odds(fetched.data, fetched.payload.url).items():
            by_fixture.setdefault(fixture_id, []).extend(quotes)
        bookmakers.update(mapping.bookmakers_from_odds(fetched.data, fetched.payload.url))
        paging = fetched.data.get("paging") or {}
        pages = paging.get("total") if isinstance(paging.get("total"), int) else 1
        page += 1
    return by_fixture, bookmakers


def fixture_injuries(client: ApiFootballClient, external_id: str) -> tuple[list[mapping.InjuryRecord], RawPayload]:
    """/injuries?fixture=: the fixture's missing and doubtful players, and the answer they came from."""
    fetched = client.injuries(external_id)
    return mapping.parse_injuries(fetched.data, fetched.payload.url), fetched.payload


def _by_ids(client: ApiFootballClient, external_ids: list[str], parse) -> list:
    """/fixtures?ids=a-b-c, 20 ids to a request, each answer parsed."""
    parsed = []
    for start in range(0, len(external_ids), IDS_PER_REQUEST):
        fetched = client.fixtures(ids="-".join(external_ids[start:start + IDS_PER_REQUEST]))
        parsed += parse(fetched.data, fetched.payload.url)
    return parsed
