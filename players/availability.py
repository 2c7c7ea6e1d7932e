"""Who can play: the one writer of ``PlayerAvailability`` and the readers of its history.

A source (FPL's ``status``/``news``, API-Football's ``/injuries``, a curator) makes
*statements*: this player is injured, doubtful, suspended, unavailable or available, for
this reason, with this chance of playing, since then; in general or for one match.
``record_availability`` keeps each source's statements as intervals, one current
statement per player, source and scope (in general, or one match):

- the same statement again (status, reason and chance equal) changes nothing but
  ``observed_at``;
- a different one closes the current (``valid_until`` = when the new one began: its
  ``since``, else ``observed_at``) and opens a new one from that moment, so a player's
  intervals from one source never overlap;
- ``scope_team_ids`` / ``scope_match_ids`` say "this is the source's complete list for
  these teams (general statements) / these matches (match statements)": a current
  statement of that source in that scope whose player is not listed is closed at
  ``observed_at`` (he is no longer reported missing). Without a scope nothing unlisted is
  touched (a curator's single correction, a partial answer);
- an observation older than the one we hold for a player changes nothing (replaying an
  old answer cannot rewrite newer history).

Validation, before anything is written: the source and every status must be choices of
the model, the chance a whole number 0-100, times aware. A reason longer than the column
(200) is shortened at a word boundary with "…" rather than refused: FPL's news is free
text and one long line must not stop 800 players' statuses. ``since`` later than
``observed_at`` is taken as ``observed_at`` (we cannot know it before we read it).

Reading (``on``): what held for a player at a moment, per source, and the merged word.
The rule, in order: a statement about *the match asked for* beats a general one (the
source spoke of this very match); then the statement that began most recently (newer
news); then the one read most recently; then the source's name, for a stable answer.
Without a match, a match statement counts, like a general one, while its match is still to
come (API-Football's "Missing Fixture" for Saturday says he is out now). A curator corrects a provider by adding
a newer statement (source "manual") in the admin: being newer, it wins until the provider
says something new.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from matches.models import Match, Source, Team
from players.models import Player, PlayerAvailability

Status = PlayerAvailability.Status
REASON_LENGTH = PlayerAvailability._meta.get_field("reason").max_length
# Ids per IN (...) list: inside SQLite's and PostgreSQL's parameter limits with room to spare.
CHUNK = 500
HISTORY_ROWS = 30  # the player page's table: the latest statements


class AvailabilityError(ValueError):
    """A statement the writer refuses; the message names it (its index and player)."""


@dataclass(frozen=True)
class Statement:
    player_id: int
    status: str  # PlayerAvailability.Status value
    reason: str = ""
    chance_of_playing: int | None = None
    since: dt.datetime | None = None  # when the source says it began (FPL news_added); None: observed_at
    team_id: int | None = None
    match_id: int | None = None


@dataclass
class AvailabilityChanges:
    opened: int = 0
    closed: int = 0
    unchanged: int = 0

    def __str__(self):
        return f"{self.opened} opened, {self.closed} closed, {self.unchanged} unchanged"


def shorten_reason(reason: str) -> str:
    """The reason as stored: spaces folded, at most REASON_LENGTH characters, cut at a word."""
    reason = " ".join((reason or "").split())
    if len(reason) <= REASON_LENGTH:
        return reason
    cut = reason[:REASON_LENGTH - 1]
    if " " in cut[REASON_LENGTH // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;:-") + "…"


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def _validated(statements: list[Statement], source: str, observed_at: dt.datetime) -> list[Statement]:
    if source not in Source.values:
        raise AvailabilityError(f"unknown source {source!r}: one of {', '.join(Source.values)}")
    if timezone.is_naive(observed_at):
        raise AvailabilityError(f"observed_at {observed_at} has no time zone")
    clean, seen = [], {}
    for index, statement in enumerate(statements):
        where = f"statement {index} (player {statement.player_id})"
        if statement.status not in Status.values:
            raise AvailabilityError(f"{where}: status {statement.status!r} is not one of {', '.join(Status.values)}")
        chance = statement.chance_of_playing
        if chance is not None and (isinstance(chance, bool) or not isinstance(chance, int) or not 0 <= chance <= 100):
            raise AvailabilityError(f"{where}: chance of playing {chance!r} is not a whole number from 0 to 100")
        since = statement.since
        if since is not None and timezone.is_naive(since):
            raise AvailabilityError(f"{where}: since {since} has no time zone")
        key = (statement.player_id, statement.match_id)
        if key in seen:
            raise AvailabilityError(f"{where}: the same player{' and match' if statement.match_id else ''} as "
                                    f"statement {seen[key]}; a source says one thing at a time")
        seen[key] = index
        clean.append(Statement(
            player_id=statement.player_id, status=statement.status, reason=shorten_reason(statement.reason),
            chance_of_playing=chance, since=min(since, observed_at) if since else None,
            team_id=statement.team_id, match_id=statement.match_id))
    _check_exist(Player, "player", {s.player_id for s in clean})
    _check_exist(Team, "team", {s.team_id for s in clean if s.team_id is not None})
    _check_exist(Match, "match", {s.match_id for s in clean if s.match_id is not None})
    return clean


def _check_exist(model, label: str, ids: set[int]) -> None:
    found = set()
    for chunk in _chunks(ids):
        found.update(model.objects.filter(pk__in=chunk).values_list("pk", flat=True))
    if unknown := sorted(ids - found):
        raise AvailabilityError(f"no {label} with id {', '.join(map(str, unknown[:10]))}"
                                + (f" (and {len(unknown) - 10} more)" if len(unknown) > 10 else ""))


@transaction.atomic
def record_availability(statements: Iterable[Statement], *, source: str, observed_at: dt.datetime,
                        scope_team_ids: Iterable[int] | None = None,
                        scope_match_ids: Iterable[int] | None = None) -> AvailabilityChanges:
    """Record what ``source`` said at ``observed_at`` (see the module docstring); one transaction,
    a fixed handful of queries per 500 players."""
    statements = _validated(list(statements), source, observed_at)
    scope_team_ids = set(scope_team_ids or ())
    scope_match_ids = set(scope_match_ids or ())
    current_rows = (PlayerAvailability.objects.select_for_update().filter(source=source, valid_until__isnull=True)
                    .order_by())  # no join for the default ordering: lock these rows only
    current: dict[tuple[int, int | None], PlayerAvailability] = {}
    for chunk in _chunks(s.player_id for s in statements):
        current.update(((row.player_id, row.match_id), row) for row in current_rows.filter(player_id__in=chunk))
    in_scope = Q(pk__in=[])
    if scope_team_ids:
        in_scope |= Q(match__isnull=True, team_id__in=scope_team_ids)
    if scope_match_ids:
        in_scope |= Q(match_id__in=scope_match_ids)
    scoped = list(current_rows.filter(in_scope)) if scope_team_ids or scope_match_ids else []

    changes = AvailabilityChanges()
    touched, closing, opening = [], [], []
    for statement in statements:
        row = current.get((statement.player_id, statement.match_id))
        if row is not None and row.observed_at > observed_at:
            changes.unchanged += 1  # we already hold a newer word
            continue
        if row is not None and (row.status, row.reason, row.chance_of_playing) == (
                statement.status, statement.reason, statement.chance_of_playing):
            touched.append(row.pk)
            changes.unchanged += 1
            continue
        began = statement.since or observed_at
        if row is not None:
            began = max(began, row.valid_from)
            row.valid_until = began
            closing.append(row)
        opening.append(PlayerAvailability(
            player_id=statement.player_id, team_id=statement.team_id, match_id=statement.match_id, source=source,
            status=statement.status, reason=statement.reason, chance_of_playing=statement.chance_of_playing,
            valid_from=began, observed_at=observed_at))
    listed = {(s.player_id, s.match_id) for s in statements}
    for row in scoped:
        if (row.player_id, row.match_id) not in listed and row.observed_at <= observed_at:
            row.valid_until = max(observed_at, row.valid_from)  # no longer reported: recovered, or back
            closing.append(row)

    PlayerAvailability.objects.bulk_update(closing, ["valid_until"], batch_size=CHUNK)  # before the new ones open
    PlayerAvailability.objects.bulk_create(opening, batch_size=CHUNK)
    for chunk in _chunks(touched):
        PlayerAvailability.objects.filter(pk__in=chunk).update(observed_at=observed_at)
    changes.opened, changes.closed = len(opening), len(closing)
    return changes


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Availability:
    """What held for one player at one moment: the merged word and each source's."""

    winner: PlayerAvailability
    by_source: dict[str, PlayerAvailability] = field(default_factory=dict)

    @property
    def status(self) -> str:
        return self.winner.status

    @property
    def is_missing(self) -> bool:
        return self.winner.status in PlayerAvailability.MISSING

    @property
    def is_doubtful(self) -> bool:
        return self.winner.status == Status.DOUBTFUL


def _holds(row: PlayerAvailability, when: dt.datetime) -> bool:
    return row.valid_from <= when and (row.valid_until is None or row.valid_until > when)


def _rank(row: PlayerAvailability, match_id: int | None):
    """Sort key, best first when sorted descending (the rule in the module docstring)."""
    about_this_match = match_id is not None and row.match_id == match_id
    return about_this_match, row.valid_from, row.observed_at, row.source


def decide(rows: Iterable[PlayerAvailability], when: dt.datetime, match_id: int | None = None,
           kickoffs: dict[int, dt.datetime] | None = None) -> Availability | None:
    """One player's statements -> what held at ``when`` (pure; ``on`` and the page cards use it).

    ``match_id``: the match asked about (its statements count, other matches' do not);
    without it, a match statement counts while its match (``kickoffs``) is still to come.
    """
    kickoffs = kickoffs or {}
    held = []
    for row in rows:
        if not _holds(row, when):
            continue
        if row.match_id is not None:
            if match_id is not None and row.match_id != match_id:
                continue
            if match_id is None and kickoffs.get(row.match_id, when) < when:
                continue
        held.append(row)
    if not held:
        return None
    held.sort(key=lambda row: _rank(row, match_id), reverse=True)
    by_source = {}
    for row in held:
        by_source.setdefault(row.source, row)
    return Availability(held[0], by_source)


def on(player: Player | int, when: dt.datetime, *, match: Match | None = None) -> Availability | None:
    """What held for ``player`` at ``when`` (any past moment), merged across sources; one query."""
    player_id = player.pk if isinstance(player, Player) else player
    rows = list(PlayerAvailability.objects.filter(player_id=player_id, valid_from__lte=when)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=when))
                .annotate(match_kickoff=F("match__kickoff")))
    return decide(rows, when, match.pk if match else None, {row.match_id: row.match_kickoff for row in rows
                                                             if row.match_id is not None})


# --- the page cards (registered in players/apps.py) --------------------------------------------


@dataclass(frozen=True)
class Absence:
    """One line of a card: who, what, why, how likely, since when, said by whom."""

    player: Player
    status: str
    status_label: str
    reason: str
    chance_of_playing: int | None
    since: dt.datetime
    source_label: str

    @property
    def chance_in_reason(self) -> bool:
        """FPL's news often says it already: "Knock - 75% chance of playing"."""
        return self.chance_of_playing is not None and f"{self.chance_of_playing}%" in self.reason


def _absence(verdict: Availability) -> Absence:
    row = verdict.winner
    return Absence(row.player, row.status, row.get_status_display(), row.reason, row.chance_of_playing,
                   row.valid_from, row.get_source_display())


def _by_player(rows: list[PlayerAvailability]) -> dict[int, list[PlayerAvailability]]:
    grouped: dict[int, list[PlayerAvailability]] = {}
    for row in rows:
        grouped.setdefault(row.player_id, []).append(row)
    return grouped


def _missing_from_the_squad(verdict: Availability) -> bool:
    """Whether a card lists him as missing. A general "unavailable" (FPL's ``u``/``n``: left the
    club, out on loan, ineligible) means he is not in the squad at all, not that the squad is
    without him: dozens of such players per club would bury the injured and the suspended.
    An "unavailable" about this very match (API-Football: coach's decision, personal reasons) is
    an absence and is listed; every statement stays in the player's own history."""
    winner = verdict.winner
    return verdict.is_missing and not (winner.status == Status.UNAVAILABLE and winner.match_id is None)


def _split(verdicts: list[Availability]) -> tuple[list[Absence], list[Absence]]:
    """(missing, doubtful), each by name."""
    verdicts = sorted(verdicts, key=lambda verdict: verdict.winner.player.display_name)
    return ([_absence(v) for v in verdicts if _missing_from_the_squad(v)],
            [_absence(v) for v in verdicts if v.is_doubtful])


def match_card(match: Match) -> dict | None:
    """Missing and doubtful per side: as things stand before kick-off, as they stood at kick-off after it.

    One query: the statements about this match and the general ones of both teams that held then.
    """
    now = timezone.now()
    when = min(now, match.kickoff)
    sides = (match.home_team_id, match.away_team_id)
    rows = list(PlayerAvailability.objects.filter(Q(match=match) | Q(match__isnull=True, team_id__in=sides),
                                                  valid_from__lte=when)
                .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=when)).select_related("player"))
    if not rows:
        return None
    team_of: dict[int, int] = {}
    for row in sorted(rows, key=lambda row: _rank(row, match.pk)):  # the best row's team last, so it wins
        if row.team_id in sides:
            team_of[row.player_id] = row.team_id
    verdicts = {side: [] for side in sides}
    for player_id, player_rows in _by_player(rows).items():
        verdict = decide(player_rows, when, match.pk)
        if verdict is not None and player_id in team_of and (_missing_from_the_squad(verdict) or verdict.is_doubtful):
            verdicts[team_of[player_id]].append(verdict)
    if not any(verdicts.values()):
        return None
    teams = []
    for team, side in ((match.home_team, "home"), (match.away_team, "away")):
        missing, doubtful = _split(verdicts[team.pk])
        teams.append({"team": team, "side": side, "missing": missing, "doubtful": doubtful})
    return {"sides": teams, "before_kickoff": now < match.kickoff, "kickoff": match.kickoff}


def team_card(asked) -> dict | None:
    """The team's current absentees and doubts (the team page's ``TeamRequest``); one query.

    Only on its latest season: an older season's page is history, and today's injuries are not.
    """
    if asked.season is None or (asked.seasons and asked.season != asked.seasons[0]):
        return None
    now = timezone.now()
    rows = list(PlayerAvailability.objects.filter(team_id=asked.team.pk, valid_until__isnull=True, valid_from__lte=now)
                .filter(Q(match__isnull=True) | Q(match__kickoff__gte=now))
                .annotate(match_kickoff=F("match__kickoff"))  # "available" too: a newer one overrides
                .select_related("player"))
    kickoffs = {row.match_id: row.match_kickoff for row in rows if row.match_id is not None}
    verdicts = [verdict for player_rows in _by_player(rows).values()
                if (verdict := decide(player_rows, now, None, kickoffs)) is not None]
    missing, doubtful = _split(verdicts)
    if not missing and not doubtful:
        return None
    return {"team": asked.team, "missing": missing, "doubtful": doubtful}


def player_card(player: Player) -> dict | None:
    """His availability history, latest first (every source's statements); one query."""
    rows = list(PlayerAvailability.objects.filter(player=player)
                .select_related("match__home_team", "match__away_team")
                .order_by("-valid_from", "-observed_at", "source")[:HISTORY_ROWS + 1])
    if not rows:
        return None
    return {"player": player, "history": rows[:HISTORY_ROWS], "more": len(rows) > HISTORY_ROWS}
