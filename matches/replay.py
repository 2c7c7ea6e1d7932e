"""Play a stored match again through the live writers, as if it were happening now.

``replay(match)`` reads the match's events into records, empties the match
(``services.reset_for_replay``), kicks off and feeds the events one at a time to
``services.record_event`` at match speed, so every viewer, consumer and counter sees
exactly what a live match would make them see. The stored period markers (kinds
``period_start``/``period_end``) are not replayed as events: the status changes
(``services.set_match_status``), which write markers of their own, take their place.
They follow the events' periods: half-time once the first half's last event (or marker:
a provider's "Half End" is the true end of the half) has been played, the next period at
its first, full time after the last. Markers a replay wrote carry no added time, so
they could not say when an added-time half ended: the events do.

Match time runs at ``speed`` x real time inside a period (an event's place in its period
is its football minute and second); the breaks between periods take ``BREAK_SECONDS``
/ ``speed``. Sleeping is scheduled against a clock rather than added up, so the time
spent writing does not make a long replay drift behind. Tests pass their own ``sleep``
(and ``clock``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

from matches import live, services
from matches.models import Match, MatchEvent
from matches.records import EventRecord, PlayerRef, TeamRef
from players.models import PlayerExternalId

# A period break (half-time, before extra time, before the shoot-out) at speed 1.
BREAK_SECONDS = 5.0

# Elapsed minutes at which each period starts and ends (football minute 46 is elapsed 45:00-45:59).
PERIOD_START_MINUTE = {1: 0, 2: 45, 3: 90, 4: 105, 5: 120}
PERIOD_END_MINUTE = {1: 45, 2: 90, 3: 105, 4: 120, 5: 120}
MARKER_KINDS = frozenset({MatchEvent.Kind.PERIOD_START, MatchEvent.Kind.PERIOD_END})


class NothingToReplay(ValueError):
    pass


@dataclass(frozen=True)
class Progress:
    """Where a replay is: reported at every new football minute, goal and status change."""

    minute: str  # "67'", "45+2'", "HT", "FT"
    home_score: int
    away_score: int
    events: int  # recorded so far
    total: int  # events to record in all


@dataclass(frozen=True)
class ReplayResult:
    match: Match
    recorded: int
    skipped: int  # records the writer refused as already stored (none in a clean replay)
    total: int
    seconds: float  # wall-clock time the replay took
    stopped_at: Progress | None = None  # interrupted here; the rest was then stored at once


@dataclass(frozen=True)
class Step:
    """One stored event, as the live writers take it, and its place on the match clock."""

    record: EventRecord
    period: int
    offset: float  # seconds since its period started

    @property
    def is_marker(self) -> bool:
        return self.record.kind in MARKER_KINDS


def seconds_into_period(period: int, minute: int, added: int | None, second: int) -> float:
    """An event's place in its period: 45+2' 10" is 46:10 elapsed, 1 min 10 s into the added time."""
    elapsed_minute = minute - 1 + (added or 0)
    return max(0.0, (elapsed_minute - PERIOD_START_MINUTE.get(period, 0)) * 60.0 + second)


def football_minute(period: int, offset: float) -> tuple[int, int | None]:
    """The minute the clock shows ``offset`` seconds into ``period``: (45, 2) for 45+2'."""
    shown = PERIOD_START_MINUTE.get(period, 0) + int(offset // 60) + 1
    end = PERIOD_END_MINUTE.get(period, shown)
    return (end, shown - end) if shown > end else (shown, None)


def load_script(match: Match) -> list[Step]:
    """The match's stored events as live records, in match order (period, clock, source order)."""
    events = sorted(
        match.events.select_related("team", "player", "related_player"),
        # In Python: databases disagree on where NULL (no added time, no source index) sorts.
        key=lambda e: (e.period, e.minute, e.added_minute or 0, e.second,
                       e.source_index is None, e.source_index or 0, e.seq),
    )
    player_ids = {pk for event in events for pk in (event.player_id, event.related_player_id) if pk}
    # A player's id at the event's source decides who the player is; a name alone is ambiguous.
    ids_by_player: dict[int, dict[str, str]] = {}
    for link in PlayerExternalId.objects.filter(player_id__in=player_ids).order_by("pk"):
        ids_by_player.setdefault(link.player_id, {}).setdefault(link.source, link.external_id)

    def player_ref(player, source: str) -> PlayerRef | None:
        if player is None:
            return None
        ids = ids_by_player.get(player.pk, {})
        if source in ids:
            return PlayerRef(source, player.name, ids[source], known_as=player.known_as)
        if ids:  # known to another source only: its id still names exactly this player
            other_source, external_id = next(iter(ids.items()))
            return PlayerRef(other_source, player.name, external_id, known_as=player.known_as)
        return PlayerRef(source, player.name, known_as=player.known_as)

    steps = []
    for event in events:
        record = EventRecord(
            source=event.source, external_id=event.external_id, kind=event.kind, period=event.period,
            minute=event.minute, second=event.second, added_minute=event.added_minute,
            source_index=event.source_index,
            team=TeamRef(source=event.source, name=event.team.name) if event.team else None,
            player=player_ref(event.player, event.source),
            related_player=player_ref(event.related_player, event.source),
            x=event.x, y=event.y, end_x=event.end_x, end_y=event.end_y, xg=event.xg, outcome=event.outcome,
            body_part=event.body_part, situation=event.situation, raw_type=event.raw_type, details=event.details,
        )
        offset = seconds_into_period(event.period, event.minute, event.added_minute, event.second)
        steps.append(Step(record, event.period, offset))
    return steps


def replay(match: Match, *, speed: float = 1.0, start_delay: float = 0.0,
           sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
           on_progress: Callable[[Progress], None] | None = None) -> ReplayResult:
    """Play ``match`` again from kick-off through the live writers; it ends as it was stored.

    Raises NothingToReplay when the match has no events. Interrupted (Ctrl-C), it stores
    what it had not played yet at once and blows the final whistle, so the match is never
    left half-played (its unplayed events exist nowhere else); ``stopped_at`` says where it was.
    """
    if speed <= 0:
        raise ValueError("speed must be positive")
    script = load_script(match)
    total = sum(not step.is_marker for step in script)
    if not total:
        raise NothingToReplay(f"{match} has no events to replay")
    return _Replay(match, script, total, speed, sleep, clock, on_progress).run(start_delay)


class _Replay:
    """The state of one replay: the match clock, the wall-clock schedule, the running score."""

    def __init__(self, match, script, total, speed, sleep, clock, on_progress):
        self.match, self.script, self.total, self.speed = match, script, total, speed
        self.sleep, self.clock, self.on_progress = sleep, clock, on_progress
        self.fast = False  # finishing an interrupted replay: no waiting, quiet events in bulk
        self.period = 0  # none started yet
        self.offset = 0.0  # seconds into the period
        self.due = 0.0  # wall-clock time the match clock has reached
        self.in_play = False  # False between a period's end and the next one's start
        self.last_minute: int | None = None  # of the latest event, for the half- and full-time markers
        self.recorded = self.skipped = 0
        self.home_score = self.away_score = 0
        self.last_reported: str | None = None

    def run(self, start_delay: float) -> ReplayResult:
        started = self.clock()
        self.match = services.reset_for_replay(self.match)
        stopped_at = None
        try:
            self.due = self.clock()
            self.wait(start_delay)  # shown as "not started" meanwhile: time to open the page
            self.play(self.script)
        except KeyboardInterrupt:
            stopped_at, self.fast = self.progress(self.current_minute()), True
            stored = set(MatchEvent.objects.filter(match=self.match).values_list("source", "external_id"))
            self.play([step for step in self.script
                       if step.is_marker or (step.record.source, step.record.external_id) not in stored])
        self.match.refresh_from_db()
        return ReplayResult(self.match, self.recorded, self.skipped, self.total, self.clock() - started,
                            stopped_at)

    def play(self, steps: list[Step]) -> None:
        if self.period == 0:
            self.start_period(1)
        quiet: list[EventRecord] = []  # fast mode: events that change no score, stored in one go
        for step in steps:
            if step.period > self.period:  # the period before has had its last event: whistle
                self.store_quietly(quiet)
                self.end_period()
                self.start_period(step.period)
            if not self.fast:
                self.run_clock_to(step.offset)
            if step.is_marker:
                # Its time has passed (a provider's "Half End" is the period's true end); the status
                # changes follow the events, since a marker written live carries no added time.
                continue
            self.last_minute = step.record.minute
            if self.fast and step.record.kind not in MatchEvent.SCORING_KINDS:
                quiet.append(step.record)
                continue
            self.store_quietly(quiet)
            self.record(step.record)
        self.store_quietly(quiet)
        self.end_period()
        services.set_match_status(self.match, Match.Status.FINISHED, minute=self.last_minute)
        if self.fast:  # the quiet events changed stats, lineups and shot map: send every region once
            transaction.on_commit(lambda: live.announce_all(self.match.pk))
        self.refresh_score()
        self.report("FT")

    def record(self, record: EventRecord) -> None:
        if services.record_event(self.match, record) is None:
            self.skipped += 1
            return
        self.recorded += 1
        if record.kind in MatchEvent.SCORING_KINDS:
            self.refresh_score()
            self.report(force=True)

    def store_quietly(self, records: list[EventRecord]) -> None:
        """The import's bulk writer, for finishing an interrupted replay in a moment (no broadcast)."""
        if not records:
            return
        teams = {self.match.home_team.name: self.match.home_team, self.match.away_team.name: self.match.away_team}
        for source in dict.fromkeys(record.source for record in records):
            batch = [record for record in records if record.source == source]
            refs = {(r.team.source, r.team.external_id, r.team.name): teams[r.team.name] for r in batch if r.team}
            with transaction.atomic():
                self.recorded += services.store_events(self.match, batch, refs)
        records.clear()

    # Periods

    def start_period(self, period: int) -> None:
        if period > 1 and not self.fast:
            self.wait(BREAK_SECONDS / self.speed)
        self.period, self.offset, self.in_play = period, 0.0, True
        minute, added = football_minute(period, 0)
        live_period = services.PERIOD_NAMES.get(period, Match.Period.SECOND_HALF)
        services.set_match_status(self.match, Match.Status.LIVE, live_period, minute=minute)
        if not self.fast:
            services.set_clock(self.match, minute, added)
            self.report()

    def end_period(self) -> None:
        """The whistle at the end of the current period; only half-time changes the status."""
        if not self.in_play:
            return
        self.in_play = False
        if self.period == 1:
            services.set_match_status(self.match, Match.Status.LIVE, Match.Period.HALF_TIME,
                                      minute=self.last_minute or PERIOD_END_MINUTE[1])
            self.report("HT")

    # Time

    def run_clock_to(self, offset: float) -> None:
        """Let the match clock run to ``offset`` seconds into the period, ticking each new minute."""
        while self.offset < offset:
            next_minute = (self.offset // 60 + 1) * 60
            target = min(offset, next_minute)
            self.wait((target - self.offset) / self.speed)
            self.offset = target
            if target == next_minute and self.in_play:
                minute, added = football_minute(self.period, self.offset)
                services.set_clock(self.match, minute, added)
                self.report()

    def wait(self, seconds: float) -> None:
        """Sleep until the schedule reaches ``seconds`` further on; no sleep when behind it."""
        self.due += seconds
        remaining = self.due - self.clock()
        if remaining > 0:
            self.sleep(remaining)

    # Progress

    def refresh_score(self) -> None:
        self.home_score, self.away_score = Match.objects.values_list("home_score", "away_score").get(
            pk=self.match.pk)

    def report(self, minute: str | None = None, *, force: bool = False) -> None:
        if self.on_progress is None:
            return
        minute = minute or self.current_minute()
        if minute == self.last_reported and not force:
            return
        self.last_reported = minute
        self.on_progress(self.progress(minute))

    def current_minute(self) -> str:
        if self.period == 0:
            return "KO"
        shown, added = football_minute(self.period, self.offset)
        return f"{shown}+{added}'" if added else f"{shown}'"

    def progress(self, minute: str) -> Progress:
        return Progress(minute, self.home_score or 0, self.away_score or 0, self.recorded, self.total)
