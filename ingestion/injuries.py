"""API-Football's /injuries as availability statements: who misses, or may miss, the next matches.

The ``injuries`` job (ingestion/jobs.py, run daily after the matches, ingestion/tasks.py)
asks ``/injuries?fixture=<id>`` for each tracked match kicking off in the next three days,
nearest first. Each answer is that fixture's complete list, so the statements are
match-scoped with the fixture as their scope: a player no longer on it is closed (he
recovered, or served his ban). A fixture is one unit of work: its answer is validated whole,
then its players resolved and its statements written in one transaction
(``players.availability.record_availability``). A fixture whose answer is unusable (not
JSON, a field missing, a team that does not play in it) is left as it was and named; the
run then fails, the other fixtures are written. A provider failure (500s, timeouts, the
quota) stops the run: the next fixtures would fail the same way.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from ingestion.imports import ImportFailed
from ingestion.models import RawPayload
from ingestion.providers.api_football.mapping import InjuryRecord
from ingestion.providers.http import PayloadError
from matches.models import Match, Source, Team, TeamExternalId, normalize_name
from matches.records import Origin, RecordError
from players.availability import AvailabilityChanges, Statement, record_availability
from players.identity import player_key, resolve_team_players

LOOKAHEAD = dt.timedelta(days=3)
# One request per fixture: the nearest 20 at most, a fifth of API-Football's free daily quota.
MAX_FIXTURES = 20


def upcoming_matches(source: str, now: dt.datetime) -> list[Match]:
    """Scheduled matches this provider tracks, kicking off within LOOKAHEAD, nearest first."""
    return list(Match.objects.filter(status=Match.Status.SCHEDULED, kickoff__gte=now, kickoff__lte=now + LOOKAHEAD,
                                     external_ids__source=source)
                .distinct().select_related("home_team", "away_team").order_by("kickoff", "pk")[:MAX_FIXTURES])


def sync_injuries(adapter, client, run, matches: dict[str, Match]) -> None:
    """Ask and record each fixture's injuries (``matches``: external id -> match); see the module docstring."""
    unusable = []
    for external_id, match in matches.items():
        try:
            records, payload = adapter.fixture_injuries(client, external_id)
            changes = record_fixture_injuries(match, records, external_id=external_id, origin=payload.url,
                                              observed_at=payload.fetched_at)
        except PayloadError as exc:  # kept with its parse_error by the client
            unusable.append(str(exc))
        except RecordError as exc:
            RawPayload.objects.filter(run=run, url=str(exc.origin.path if isinstance(exc.origin, Origin)
                                                       else exc.origin)).update(parse_error=str(exc))
            unusable.append(str(exc))
        else:
            run.created += changes.opened
            run.updated += changes.closed
            run.unchanged += changes.unchanged
    if unusable:
        raise ImportFailed(f"{len(unusable)} of {len(matches)} fixtures not recorded: " + "; ".join(unusable))


def record_fixture_injuries(match: Match, records: list[InjuryRecord], *, external_id: str, origin: str,
                            observed_at: dt.datetime | None = None) -> AvailabilityChanges:
    """One fixture's answer -> its availability statements, in one transaction (nothing written on bad input)."""
    observed_at = observed_at or timezone.now()
    sides = _sides(match)
    chosen: dict[tuple, tuple[InjuryRecord, int]] = {}
    for index, record in enumerate(records):
        if record.fixture_id != external_id:
            raise RecordError(Origin(origin, record=f"response[{index}].fixture.id"),
                              f"fixture {record.fixture_id} is not the one asked for ({external_id})")
        team_id = sides.get(("id", record.team.external_id)) or sides.get(("name", normalize_name(record.team.name)))
        if team_id is None:
            raise RecordError(Origin(origin, record=f"response[{index}].team"),
                              f"{record.team.name} ({record.team.external_id}) does not play in {match}")
        key = player_key(record.player)
        # Listed twice (it happens): "Missing Fixture" says more than "Questionable".
        if key not in chosen or (chosen[key][0].status == "doubtful" and record.status != "doubtful"):
            chosen[key] = (record, team_id)
    with transaction.atomic():
        players = resolve_team_players([(record.player, team_id) for record, team_id in chosen.values()])
        statements = [Statement(player_id=players[key].pk, status=record.status, reason=record.reason,
                                team_id=team_id, match_id=match.pk)
                      for key, (record, team_id) in chosen.items()]
        return record_availability(statements, source=Source.API_FOOTBALL, observed_at=observed_at,
                                   scope_match_ids=[match.pk])


def _sides(match: Match) -> dict[tuple[str, str], int]:
    """How /injuries may name the match's two teams: API-Football's id, or the folded name."""
    teams = (match.home_team, match.away_team)
    sides = {("name", normalize_name(name)): team.pk for team in teams for name in (team.name, team.short_name) if name}
    for external_id, team_id in TeamExternalId.objects.filter(source=Source.API_FOOTBALL,
                                                               team__in=teams).values_list("external_id", "team_id"):
        sides[("id", external_id)] = team_id
    for alias, team_id in Team.objects.filter(pk__in=[t.pk for t in teams]).values_list("aliases__normalized", "pk"):
        if alias:
            sides[("name", alias)] = team_id
    return sides
