"""The writers of match state. Callers hold the transaction: one match is one unit of work.

``save_match`` stores what a file or provider knows about a whole match (imports);
the live pipeline's one-event-at-a-time writers live here too as they arrive.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from django.db.models import F, Model

from matches.identity import Resolver
from matches.models import Lineup, LineupEntry, Match, MatchEvent, MatchExternalId, Team, TeamMatchStats
from matches.records import (
    EventRecord, LineupRecord, MatchRecord, RecordError, TeamRef, TeamStatsRecord, goals_from_events,
)
from players.identity import player_key, resolve_players
from quantfoot.bulk import insert_rows


class Outcome:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class SaveResult:
    match: Match
    outcome: str
    # What another source said that disagreed with the stored match (kept, not applied).
    conflicts: list[str] = field(default_factory=list)


# Fields a source is authoritative for once it has stored the match itself; a second
# source only fills them while they are blank (and reports where it disagrees).
DESCRIPTIVE_FIELDS = ("round", "matchday", "venue", "referee", "attendance", "home_ht_score", "away_ht_score")
RESULT_FIELDS = ("status", "home_score", "away_score")


def save_match(record: MatchRecord, resolver: Resolver) -> SaveResult:
    """Create or update one match and what comes with it: events, lineups, team statistics.

    Idempotent: saving the same record twice reports ``unchanged`` the second time.
    """
    record.validate()
    if record.score_from_events:
        home_goals, away_goals = goals_from_events(record.events, record.home, record.away)
        ht_home, ht_away = goals_from_events(record.events, record.home, record.away, up_to_period=1)
        record = dataclasses.replace(record, home_score=home_goals, away_score=away_goals,
                                     home_ht_score=ht_home, away_ht_score=ht_away)

    competition = resolver.competition(record.competition)
    season = resolver.season(competition, record.season_name)
    home = resolver.team(record.home, record.origin)
    away = resolver.team(record.away, record.origin)
    if home.pk == away.pk:
        raise RecordError(record.origin, f"{record.home.name} and {record.away.name} are the same team")
    values = {
        "competition": competition, "season": season, "kickoff": record.kickoff,
        "home_team": home, "away_team": away,
        "round": record.round, "matchday": record.matchday, "venue": resolver.venue(record.venue),
        "referee": record.referee, "attendance": record.attendance,
        "home_ht_score": record.home_ht_score, "away_ht_score": record.away_ht_score,
        "status": record.status, "home_score": record.home_score, "away_score": record.away_score,
    }

    match, same_source = resolver.existing_match(record, home, away)
    conflicts: list[str] = []
    is_new = match is None
    if is_new:
        match = Match.objects.create(**values)
        outcome = Outcome.CREATED
    else:
        changed = _apply(match, values, same_source, conflicts)
        if changed:
            match.save(update_fields=[*changed, "updated_at"])
        outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
    if not same_source:
        insert_rows(MatchExternalId, ["source", "external_id", "match"], [(record.source, record.external_id, match.pk)])
        resolver.remember_match(record, match)
        if outcome == Outcome.UNCHANGED:
            outcome = Outcome.UPDATED

    teams_by_ref = {_team_key(record.home): home, _team_key(record.away): away}
    changed_parts = [
        store_events(match, record.events, teams_by_ref, is_new=is_new),
        _save_lineups(match, record.lineups, teams_by_ref),
        _save_stats(match, {home: record.home_stats, away: record.away_stats}, is_new=is_new),
    ]
    if any(changed_parts) and outcome == Outcome.UNCHANGED:
        outcome = Outcome.UPDATED
    return SaveResult(match, outcome, conflicts)


def _apply(match: Match, values: dict, same_source: bool, conflicts: list[str]) -> list[str]:
    """Set values on a stored match; return the changed field names."""
    changed = []
    for name, value in values.items():
        if isinstance(value, Model):  # compare foreign keys by id: no query per field
            current, incoming = getattr(match, f"{name}_id"), value.pk
        else:
            current, incoming = getattr(match, name), value
        if value is None or value == "" or current == incoming:
            continue
        blank = current is None or current == ""
        if same_source or blank or (name in RESULT_FIELDS and match.status != Match.Status.FINISHED):
            setattr(match, name, value)
            changed.append(name)
        elif name in RESULT_FIELDS or name in DESCRIPTIVE_FIELDS:
            conflicts.append(f"{match}: {name} is {current!r} here, {value!r} in this source (kept {current!r})")
    return changed


def _team_key(ref: TeamRef | None):
    return None if ref is None else (ref.source, ref.external_id, ref.name)


def store_events(match: Match, events: list[EventRecord], teams_by_ref: dict, *, is_new: bool = False) -> int:
    """Append the events not stored yet, in the source's order, numbering them after ``last_seq``.

    Bulk path for whole matches from files; returns how many were added.
    """
    if not events:
        return 0
    source = events[0].source
    stored = set() if is_new else set(
        MatchEvent.objects.filter(match=match, source=source).values_list("external_id", flat=True)
    )
    new = [event for event in events if event.external_id not in stored]
    if not new:
        return 0
    players = resolve_players(
        [ref for event in new for ref in (event.player, event.related_player) if ref is not None]
    )
    # The row lock serialises numbering with any live writer of the same match.
    seq = 0 if is_new else Match.objects.select_for_update().values_list("last_seq", flat=True).get(pk=match.pk)
    rows = []
    for event in sorted(new, key=lambda e: (e.source_index is None, e.source_index or 0)):
        seq += 1
        team = teams_by_ref.get(_team_key(event.team)) if event.team else None
        if event.team is not None and team is None:
            raise RecordError(f"event {event.external_id}", f"team {event.team.name!r} is not in this match")
        rows.append(MatchEvent(
            match=match, seq=seq, source=event.source, external_id=event.external_id, kind=event.kind,
            period=event.period, minute=event.minute, second=event.second, added_minute=event.added_minute,
            source_index=event.source_index, team=team,
            player=players[player_key(event.player)] if event.player else None,
            related_player=players[player_key(event.related_player)] if event.related_player else None,
            x=event.x, y=event.y, end_x=event.end_x, end_y=event.end_y, xg=event.xg,
            outcome=event.outcome, body_part=event.body_part, situation=event.situation,
            raw_type=event.raw_type, details=event.details,
        ))
    MatchEvent.objects.bulk_create(rows, batch_size=1000)
    Match.objects.filter(pk=match.pk).update(last_seq=F("last_seq") + len(rows))
    match.last_seq = seq
    return len(rows)


def _save_lineups(match: Match, lineups: list[LineupRecord], teams_by_ref: dict) -> int:
    """Create or update each team's lineup and entries; returns how many rows changed."""
    changed = 0
    if not lineups:
        return 0
    players = resolve_players([entry.player for lineup in lineups for entry in lineup.entries])
    for record in lineups:
        team = teams_by_ref.get(_team_key(record.team))
        if team is None:
            raise RecordError(f"lineup of {record.team.name}", "team is not in this match")
        lineup, created = Lineup.objects.get_or_create(match=match, team=team, defaults={"formation": record.formation})
        if not created and record.formation and lineup.formation != record.formation:
            lineup.formation = record.formation
            lineup.save(update_fields=["formation"])
            changed += 1
        changed += created
        existing = {entry.player_id: entry for entry in lineup.entries.all()}
        to_create, to_update = [], []
        fields = ("shirt_number", "position", "is_starter", "minutes_played", "subbed_on_minute", "subbed_off_minute")
        for entry in record.entries:
            player = players[player_key(entry.player)]
            values = {name: getattr(entry, name) for name in fields}
            row = existing.get(player.pk)
            if row is None:
                to_create.append(LineupEntry(lineup=lineup, player=player, **values))
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                to_update.append(row)
        LineupEntry.objects.bulk_create(to_create)
        if to_update:
            LineupEntry.objects.bulk_update(to_update, fields)
        changed += len(to_create) + len(to_update)
    return changed


def _save_stats(match: Match, records: dict[Team, TeamStatsRecord | None], *, is_new: bool) -> int:
    """Create or update both teams' statistics; returns how many rows changed."""
    records = {team: record for team, record in records.items() if record is not None}
    if not records:
        return 0
    stored = {} if is_new else {stats.team_id: stats for stats in match.team_stats.all()}
    to_create, changed_rows = [], 0
    for team, record in records.items():
        values = dataclasses.asdict(record)
        stats = stored.get(team.pk)
        if stats is None:
            to_create.append((match.pk, team.pk, *values.values()))
            continue
        changed = [name for name, value in values.items() if value is not None and getattr(stats, name) != value]
        for name in changed:
            setattr(stats, name, values[name])
        if changed:
            stats.save(update_fields=changed)
            changed_rows += 1
    stat_fields = [f.name for f in dataclasses.fields(TeamStatsRecord)]
    insert_rows(TeamMatchStats, ["match", "team", *stat_fields], to_create)
    return changed_rows + len(to_create)
