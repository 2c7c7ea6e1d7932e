"""Fantasy Premier League as the jobs use it (ingestion/jobs.py): fetch with the client, parse
with the FPL importer's parser (``ingestion.fpl.parse_api_answers``), return one season.

The jobs hand what these return to the importer's writer (``ingestion.fpl_import``), so an
FPL answer lands on our rows exactly as ``import_fpl`` lands the same answer from a file.
Everything a job needs is fetched and parsed before anything is written: a garbled answer
fails the run with nothing written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ingestion import fpl
from ingestion.providers.fpl.client import FplClient
from ingestion.providers.http import Fetched

CLIENT = FplClient

# Finished fixtures whose final figures (bonus included) and prices the daily job collects from
# their gameweek's live answer: yesterday's matches, with room for a late-night finish.
FINISHED_LOOKBACK = dt.timedelta(hours=36)

# FPL answers only mean something together (bootstrap-static names the players the others
# refer to), so reparse_payloads has nothing to map one by one.
PAYLOAD_PARSERS: dict = {}


def _answer(fetched: Fetched) -> tuple[str, bytes]:
    return fetched.payload.url, fetched.payload.raw()


def squad(client: FplClient, *, now: dt.datetime) -> fpl.FplSeason:
    """bootstrap-static: teams, players with positions, prices and availability."""
    return fpl.parse_api_answers([_answer(client.bootstrap_static())], observed_at=now)


def fixtures(client: FplClient, *, now: dt.datetime) -> fpl.FplSeason:
    """The season's fixtures, and the final lines of fixtures finished since yesterday (from their
    gameweeks' live answers: minutes, goals, bonus, points; the price is FPL's current one)."""
    answers = [_answer(client.bootstrap_static()), _answer(client.fixtures())]
    schedule = fpl.parse_api_answers(answers, observed_at=now)
    recent = {fixture.fixture_id for fixture in schedule.fixtures.values()
              if fixture.finished and fixture.kickoff and now - FINISHED_LOOKBACK <= fixture.kickoff <= now}
    if not recent:
        return schedule
    weeks = sorted({schedule.fixtures[fixture_id].gameweek for fixture_id in recent} - {None})
    answers += [_answer(client.event_live(week)) for week in weeks]
    return only_lines_of(fpl.parse_api_answers(answers, observed_at=now), recent)


def live_points(client: FplClient, codes: set[str], *, now: dt.datetime) -> fpl.FplSeason | None:
    """The live figures of the fixtures with these codes (our live matches), or None when FPL's
    current season has none of them (a replay of an old match): then no live answer is asked for."""
    answers = [_answer(client.bootstrap_static()), _answer(client.fixtures())]
    schedule = fpl.parse_api_answers(answers, observed_at=now)
    playing = {fixture.fixture_id for fixture in schedule.fixtures.values() if str(fixture.code) in codes}
    weeks = sorted({schedule.fixtures[fixture_id].gameweek for fixture_id in playing} - {None})
    if not weeks:
        return None
    answers += [_answer(client.event_live(week)) for week in weeks]
    return just_these_fixtures(fpl.parse_api_answers(answers, observed_at=now), playing)


def only_lines_of(season: fpl.FplSeason, fixture_ids: set[int]) -> fpl.FplSeason:
    """The season with the lines of these fixtures only: a gameweek's live answer also lists the
    players of fixtures not played yet (0 minutes, no points yet), which must not be stored."""
    return dataclasses.replace(season, lines=[line for line in season.lines if line.fixture_id in fixture_ids])


def just_these_fixtures(season: fpl.FplSeason, fixture_ids: set[int]) -> fpl.FplSeason:
    """Only these fixtures, their lines and their players: a live poll every LIVE_POLL_SECONDS
    writes the few dozen players on the pitch, not the whole league's season again."""
    lines = [line for line in season.lines if line.fixture_id in fixture_ids]
    elements = {line.element for line in lines}
    return dataclasses.replace(
        season, lines=lines, fixtures={key: value for key, value in season.fixtures.items() if key in fixture_ids},
        players={key: value for key, value in season.players.items() if key in elements})
