"""The writers of match state. Callers hold the transaction: one match is one unit of work.

``save_match`` stores what a file or provider knows about a whole match (imports);
the live pipeline's one-event-at-a-time writers live here too as they arrive.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Model
from django.utils import timezone

from matches import live

from matches.identity import Resolver
from matches.models import (
    Lineup, LineupEntry, Match, MatchEvent, MatchExternalId, Team, TeamAlias, TeamExternalId, TeamMatchStats,
    normalize_name,
)
from matches.records import (
    EventRecord, LineupRecord, MatchRecord, RecordError, TeamRef, TeamStatsRecord, goals_from_events,
)
from players.identity import player_key, resolve_players
from quantfoot.bulk import insert_returning_pk, insert_rows


logger = logging.getLogger(__name__)


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
    if match is not None and match.status == Match.Status.LIVE:
        # A live match changes only through the live pipeline, which announces each change; a bulk
        # import (a provider's season, FPL's fixtures, a file) would call it "scheduled" again.
        return SaveResult(match, Outcome.UNCHANGED, [])
    conflicts: list[str] = []
    is_new = match is None
    if is_new:
        # The import hot path: one INSERT … RETURNING instead of Model.save() (bench/imports.py).
        values["updated_at"] = timezone.now()
        match = Match(**values, pk=insert_returning_pk(Match, values))
        outcome = Outcome.CREATED
    else:
        # A source corrects what it stored, but a finished match that several sources describe
        # follows the one that stored it first: otherwise two sources that disagree (a kick-off
        # half an hour apart) would take turns rewriting it on every re-import.
        may_correct = same_source and (match.status != Match.Status.FINISHED
                                       or resolver.first_source(match) in (None, record.source))
        changed = _apply(match, values, may_correct, conflicts)
        if changed:
            match.save(update_fields=[*changed, "updated_at"])
        outcome = Outcome.UPDATED if changed else Outcome.UNCHANGED
    row_saved = outcome != Outcome.UNCHANGED  # created, or saved with a new updated_at
    if not same_source:
        insert_rows(MatchExternalId, ["source", "external_id", "match"], [(record.source, record.external_id, match.pk)])
        resolver.remember_match(record, match, created=is_new)
        if outcome == Outcome.UNCHANGED:
            outcome = Outcome.UPDATED

    teams_by_ref = {_team_key(record.home): home, _team_key(record.away): away}
    events = store_events(match, record.events, teams_by_ref, is_new=is_new)  # moves last_seq itself
    lineups_or_stats = (_save_lineups(match, record.lineups, teams_by_ref)
                        + _save_stats(match, {home: record.home_stats, away: record.away_stats}, is_new=is_new))
    if lineups_or_stats and not row_saved:
        Match.touch([match.pk])
    if (events or lineups_or_stats) and outcome == Outcome.UNCHANGED:
        outcome = Outcome.UPDATED
    return SaveResult(match, outcome, conflicts)


def _apply(match: Match, values: dict, may_correct: bool, conflicts: list[str]) -> list[str]:
    """Set values on a stored match; return the changed field names. ``may_correct``: the
    source's values replace stored ones; otherwise they only fill blanks (and live results)."""
    changed = []
    for name, value in values.items():
        if isinstance(value, Model):  # compare foreign keys by id: no query per field
            current, incoming = getattr(match, f"{name}_id"), value.pk
        else:
            current, incoming = getattr(match, name), value
        if value is None or value == "" or current == incoming:
            continue
        blank = current is None or current == ""
        if may_correct or blank or (name in RESULT_FIELDS and match.status != Match.Status.FINISHED):
            setattr(match, name, value)
            changed.append(name)
        elif name in RESULT_FIELDS or name in DESCRIPTIVE_FIELDS:
            conflicts.append(f"{match}: {name} is {current!r} here, {value!r} in this source (kept {current!r})")
    return changed


def _team_key(ref: TeamRef | None):
    return None if ref is None else (ref.source, ref.external_id, ref.name)


EVENT_COLUMNS = [
    "match", "seq", "source", "external_id", "kind", "period", "minute", "second", "added_minute", "source_index",
    "team", "player", "related_player", "x", "y", "end_x", "end_y", "xg", "outcome", "body_part", "situation",
    "raw_type", "details", "recorded_at",
]


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
    recorded_at = timezone.now()
    for event in sorted(new, key=lambda e: (e.source_index is None, e.source_index or 0)):
        seq += 1
        team = teams_by_ref.get(_team_key(event.team)) if event.team else None
        if event.team is not None and team is None:
            raise RecordError(f"event {event.external_id}", f"team {event.team.name!r} is not in this match")
        rows.append((
            match.pk, seq, event.source, event.external_id, event.kind, event.period, event.minute, event.second,
            event.added_minute, event.source_index, team.pk if team else None,
            players[player_key(event.player)].pk if event.player else None,
            players[player_key(event.related_player)].pk if event.related_player else None,
            event.x, event.y, event.end_x, event.end_y, event.xg, event.outcome, event.body_part, event.situation,
            event.raw_type, event.details, recorded_at,
        ))
    insert_rows(MatchEvent, EVENT_COLUMNS, rows)
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


# The live pipeline: one change at a time, each in its own transaction, announced after commit.

LIVE_SOURCE = "live"  # events made here (status changes) rather than by a provider


def _side_of(match: Match, ref: TeamRef | None) -> Team | None:
    """The match's home or away team that a live event's team reference means."""
    if ref is None:
        return None
    sides = (match.home_team_id, match.away_team_id)
    link = None
    if ref.external_id:
        link = TeamExternalId.objects.filter(source=ref.source, external_id=ref.external_id, team_id__in=sides).first()
    if link is None:
        link = TeamAlias.objects.filter(normalized=normalize_name(ref.name), team_id__in=sides).first()
    if link is None:  # a team entered by hand may have no alias of its own name
        link = Team.objects.filter(name=ref.name, pk__in=sides).annotate(team_id=F("pk")).first()
    if link is None:
        raise RecordError(f"event {ref.name}", f"team {ref.name!r} is not playing in {match}")
    return match.home_team if link.team_id == match.home_team_id else match.away_team


@transaction.atomic
def record_event(match: Match, incoming: EventRecord) -> MatchEvent | None:
    """Store one live event once, number it, apply it to the score and clock, announce it after commit.

    A resend (same source and external id, or the same content key) returns None and
    announces nothing. Returns the stored event otherwise.
    """
    if MatchEvent.objects.filter(source=incoming.source, external_id=incoming.external_id).exists():
        return None
    locked = Match.objects.select_for_update().select_related("home_team", "away_team").get(pk=match.pk)
    team = _side_of(locked, incoming.team)
    refs = [ref for ref in (incoming.player, incoming.related_player) if ref is not None]
    players = resolve_players(refs) if refs else {}
    seq = locked.last_seq + 1
    try:
        with transaction.atomic():  # a concurrent writer of the same event loses here, not the caller
            event = MatchEvent.objects.create(
                match=locked, seq=seq, source=incoming.source, external_id=incoming.external_id,
                kind=incoming.kind, period=incoming.period, minute=incoming.minute, second=incoming.second,
                added_minute=incoming.added_minute, source_index=incoming.source_index, team=team,
                player=players.get(player_key(incoming.player)) if incoming.player else None,
                related_player=players.get(player_key(incoming.related_player)) if incoming.related_player else None,
                x=incoming.x, y=incoming.y, end_x=incoming.end_x, end_y=incoming.end_y, xg=incoming.xg,
                outcome=incoming.outcome, body_part=incoming.body_part, situation=incoming.situation,
                raw_type=incoming.raw_type or incoming.kind, details=incoming.details,
            )
    except IntegrityError:
        return None
    changed = ["last_seq"]
    locked.last_seq = seq
    if locked.status == Match.Status.SCHEDULED:  # the first event of a match nobody started
        locked.status, locked.period = Match.Status.LIVE, PERIOD_NAMES.get(incoming.period, Match.Period.FIRST_HALF)
        changed += ["status", "period"]
    if locked.home_score is None:
        locked.home_score = locked.away_score = 0
        changed += ["home_score", "away_score"]
    if incoming.kind in MatchEvent.SCORING_KINDS and incoming.period < 5 and team is not None:
        scored_home = (team.pk == locked.home_team_id) != (incoming.kind == MatchEvent.Kind.OWN_GOAL)
        field = "home_score" if scored_home else "away_score"
        setattr(locked, field, getattr(locked, field) + 1)
        changed.append(field)
        if incoming.period == 1:
            locked.home_ht_score, locked.away_ht_score = locked.home_score, locked.away_score
            changed += ["home_ht_score", "away_ht_score"]
    if _is_later(incoming, locked):
        locked.clock_minute, locked.clock_added = incoming.minute, incoming.added_minute
        changed += ["clock_minute", "clock_added"]
    locked.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    transaction.on_commit(lambda: live.announce_event(event.pk))
    return event


def _is_later(event: EventRecord, match: Match) -> bool:
    current = (match.clock_minute or 0, match.clock_added or 0)
    return (event.minute, event.added_minute or 0) > current


# Live period names by StatsBomb-style period number.
PERIOD_NAMES = {1: Match.Period.FIRST_HALF, 2: Match.Period.SECOND_HALF, 3: Match.Period.EXTRA_TIME,
                4: Match.Period.EXTRA_TIME, 5: Match.Period.PENALTIES}


PERIOD_NUMBERS = {Match.Period.FIRST_HALF: 1, Match.Period.HALF_TIME: 1, Match.Period.SECOND_HALF: 2,
                  Match.Period.EXTRA_TIME: 3, Match.Period.PENALTIES: 5}


@transaction.atomic
def set_match_status(match: Match, status: str, period: str = "", *, minute: int | None = None) -> Match:
    """Move a match along its lifecycle (kick-off, half-time, full-time …) and announce it.

    The change is also a timeline event with its own seq, so a client catching up sees it.
    Setting the status it already has changes nothing.
    """
    locked = Match.objects.select_for_update().get(pk=match.pk)
    if (locked.status, locked.period) == (status, period):
        return locked
    locked.status, locked.period = status, period
    if status == Match.Status.LIVE and locked.home_score is None:
        locked.home_score = locked.away_score = 0
    if period == Match.Period.HALF_TIME:  # the half-time score is the score at the whistle, goals or not
        locked.home_ht_score, locked.away_ht_score = locked.home_score, locked.away_score
    if status != Match.Status.LIVE:
        locked.period = ""
    kind = MatchEvent.Kind.PERIOD_END if status == Match.Status.FINISHED or period == Match.Period.HALF_TIME \
        else MatchEvent.Kind.PERIOD_START
    number = PERIOD_NUMBERS.get(period)
    if number is None:  # full time (or abandoned …): the end of the last period played
        number = max(2, locked.events.aggregate(last=Max("period"))["last"] or 0) \
            if status == Match.Status.FINISHED else 1
    locked.last_seq += 1
    MatchEvent.objects.create(
        match=locked, seq=locked.last_seq, source=LIVE_SOURCE,
        external_id=f"{locked.pk}:status:{locked.last_seq}:{status}:{period}", kind=kind, period=number,
        minute=minute if minute is not None else (locked.clock_minute or 0), raw_type=f"{status} {period}".strip(),
    )
    locked.save()
    transaction.on_commit(lambda: live.announce_status(locked.pk))
    if status == Match.Status.FINISHED:
        transaction.on_commit(lambda: _finished(locked))
    return locked


# Called with [match] after a match's final whistle commits: apps built on matches (players'
# season figures) subscribe in their AppConfig.ready(), so matches never imports them.
after_finish: list[Callable[[list[Match]], object]] = []


def _finished(match: Match) -> None:
    for hook in after_finish:
        try:
            hook([match])
        except Exception:  # derived figures; the result itself is committed and announced
            logger.exception("after-finish hook %r failed for match %s", hook, match.pk)


@transaction.atomic
def set_score(match: Match, home: int, away: int, *, source: str, reason: str = "") -> Match:
    """Bring the score in line with what a provider reports when its events do not explain it.

    A goal recorded and then disallowed by VAR, or a provider that sends scores but no
    events: the correction is a timeline event with its own seq (so a client catching up
    sees it) and is announced as a score update. The score it already has changes nothing.
    """
    locked = Match.objects.select_for_update().get(pk=match.pk)
    if (locked.home_score, locked.away_score) == (home, away):
        return locked
    before = locked.score_display
    locked.home_score, locked.away_score = home, away
    if locked.period in ("", Match.Period.FIRST_HALF) and locked.status == Match.Status.LIVE:
        locked.home_ht_score, locked.away_ht_score = home, away
    locked.last_seq += 1
    MatchEvent.objects.create(
        match=locked, seq=locked.last_seq, source=source,
        external_id=f"{locked.pk}:score:{locked.last_seq}:{home}-{away}", kind=MatchEvent.Kind.VAR,
        period=PERIOD_NUMBERS.get(locked.period, 2), minute=locked.clock_minute or 0,
        added_minute=locked.clock_added, raw_type="Score corrected", outcome=f"score corrected to {home}-{away}",
        details={"from": before, "to": f"{home}-{away}", "reason": reason},
    )
    locked.save()
    transaction.on_commit(lambda: live.publish(locked.pk, "score_update"))
    return locked


def set_clock(match: Match, minute: int, added: int | None = None) -> None:
    """Tick the live clock (no event, no new seq); announced after commit."""
    with transaction.atomic():
        updated = Match.objects.filter(pk=match.pk).exclude(clock_minute=minute, clock_added=added).update(
            clock_minute=minute, clock_added=added, updated_at=timezone.now())
        if updated:
            transaction.on_commit(lambda: live.announce_clock(match.pk))


@transaction.atomic
def reset_for_replay(match: Match) -> Match:
    """Clear a match's events and result so they can be played again; seq keeps counting up.

    Clients that are watching receive the emptied page (every region) after commit.
    """
    locked = Match.objects.select_for_update().get(pk=match.pk)
    locked.events.all().delete()
    locked.status, locked.period = Match.Status.SCHEDULED, ""
    locked.home_score = locked.away_score = locked.home_ht_score = locked.away_ht_score = None
    locked.home_penalty_score = locked.away_penalty_score = None
    locked.clock_minute = locked.clock_added = None
    locked.last_seq += 1  # the reset itself is a change clients must not skip
    locked.save()
    transaction.on_commit(lambda: live.announce_all(locked.pk))
    return locked
