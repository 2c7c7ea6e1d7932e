"""Writing parsed records: each match all-or-nothing, a run record, progress and a summary.

Every importer (command or django-q2 task) comes through ``import_matches`` after its
parser has read and validated the whole input, so bad input is refused before anything
is written. Each match is written inside its own savepoint, and matches are committed in
small batches; a failure while writing rolls back that match only, the matches before it
are committed, and a re-run skips them as unchanged.
"""

from __future__ import annotations

import logging
import time
from contextlib import nullcontext
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from ingestion.models import IngestionRun
from markets.services import ensure_bookmakers, save_odds, stored_quotes
from matches.aggregates import recompute_team_seasons
from matches.identity import Resolver
from matches.models import Season
from matches.records import MatchRecord, RecordError
from matches.services import Outcome, save_match
from matches.venues import assign_venues
from players.aggregates import recompute_player_seasons
from players.rating_store import rate_matches
from quantfoot.bulk import deferred_inserts

logger = logging.getLogger(__name__)


# Matches committed together: fewer commits (half a season's import time on SQLite) while a
# long import never holds SQLite's single write lock for more than a fraction of a second.
BATCH_MATCHES = 50
BATCH_SECONDS = 0.25


class ImportFailed(Exception):
    """An import stopped on bad input; the message names the file and line or record."""


@dataclass
class ImportSummary:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # what the source contradicted and was left out
    season_ids: set[int] = field(default_factory=set)  # of the matches created or updated
    seconds: float = 0.0
    run: IngestionRun | None = None

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    def __str__(self):
        return (f"{self.total} matches: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged ({self.seconds:.2f} s)")


def import_matches(
    records: Sequence[MatchRecord],
    *,
    source: str,
    job: str,
    target: str = "",
    strict: bool = False,
    bookmakers: dict[str, tuple[str, bool]] | None = None,  # code -> (name, is_aggregate), for new ones
    progress: Callable[[int, int], None] | None = None,
    run: IngestionRun | None = None,
) -> ImportSummary:
    """Write each record atomically; raise ImportFailed (run recorded as failed) on bad input.

    A provider job passes its own ``run`` (one run, several requests and imports): the
    counts are added to it and the job finishes it. Otherwise the import is its own run.
    """
    started = time.perf_counter()
    owns_run = run is None
    if owns_run:
        run = IngestionRun.objects.create(source=source, job=job, target=target[:300])
    summary = ImportSummary(run=run)
    resolver = Resolver(strict=strict)
    current: MatchRecord | None = None
    seen_seasons: set[int] = set()  # of every match written or found unchanged
    try:
        for record in records:
            record.validate()
            summary.warnings += record.warnings
        if strict:
            for record in records:
                for team in (record.home, record.away):
                    if not resolver.is_known_team(team):
                        raise RecordError(record.origin, f"unknown team {team.name!r} (strict mode)")
        known_names = bookmakers or {}
        codes = {odds.bookmaker_code for record in records for odds in record.odds}
        stored_matches = resolver.prefetch_matches(records)
        quotes = stored_quotes(match.pk for match in stored_matches) if stored_matches else {}
        bookmaker_rows = ensure_bookmakers({code: known_names.get(code, (code, False)) for code in codes})
        start = 0
        while start < len(records):
            try:
                results, failure = _write_batch(records, start, resolver, quotes, bookmaker_rows, source,
                                                deferred=True)
            except DatabaseError:
                # The batch's queued rows were refused when written together: redo it one
                # match at a time to keep the matches before the bad one and name that one.
                resolver.forget()  # it remembered matches the rollback took away
                resolver.prefetch_matches(records)
                results, failure = _write_batch(records, start, resolver, quotes, bookmaker_rows, source,
                                                deferred=False)
            for record, result, odds_changed in results:
                seen_seasons.add(result.match.season_id)
                outcome = Outcome.UPDATED if odds_changed and result.outcome == Outcome.UNCHANGED \
                    else result.outcome
                setattr(summary, outcome, getattr(summary, outcome) + 1)
                if outcome != Outcome.UNCHANGED:
                    summary.season_ids.add(result.match.season_id)
                summary.conflicts += result.conflicts
            start += len(results)
            if progress:
                progress(start, len(records))
            if failure is not None:
                current = records[start]
                raise failure
    except RecordError as exc:
        resolver.forget()
        _finish(run, summary, error=str(exc), owns_run=owns_run)
        raise ImportFailed(str(exc)) from exc
    except (ValidationError, DatabaseError) as exc:  # constraint violations included
        resolver.forget()
        where = current.origin if current else target
        message = f"{where}: cannot store this match: {exc}"
        _finish(run, summary, error=message, owns_run=owns_run)
        raise ImportFailed(message) from exc
    # Derived figures follow what was stored: the seasons' team and player statistics, once per import.
    if summary.season_ids:
        touched = Season.objects.filter(pk__in=summary.season_ids)
        recompute_team_seasons(touched)
        recompute_player_seasons(touched)
        rate_matches(touched)  # the players' stored match ratings (event-fed matches only)
    # Their grounds: venues located, matches without one at the home team's (the weather needs both).
    if seen_seasons:
        assign_venues(seen_seasons)
    summary.seconds = time.perf_counter() - started
    _finish(run, summary, owns_run=owns_run)
    for conflict in summary.conflicts:
        logger.warning("kept stored value: %s", conflict)
    for warning in summary.warnings:
        logger.warning("left out: %s", warning)
    return summary


def _write_batch(records, start, resolver, quotes, bookmakers, source, *, deferred: bool):
    """Write matches from ``start`` until the batch is full, in one transaction, a savepoint each.

    Returns the committed (record, result, odds_changed) and the error that stopped the
    batch early, if any (the matches before it are committed). With ``deferred`` the bulk
    rows of the whole batch are written together just before the commit; an error there
    rolls back the batch and propagates, and the caller redoes it without deferring.
    """
    results, failure, began = [], None, time.perf_counter()
    with transaction.atomic(), (deferred_inserts() if deferred else nullcontext()) as queue:
        relax_durability()
        for record in records[start:start + BATCH_MATCHES]:
            try:
                with transaction.atomic(), (queue.unit() if deferred else nullcontext()):
                    result = save_match(record, resolver)
                    odds_changed = save_odds(result.match, record.odds, source=source, bookmakers=bookmakers,
                                             stored=quotes.get(result.match.pk, {}))
            except (RecordError, ValidationError, DatabaseError) as exc:
                failure = exc  # leave the block normally: the matches before this one commit
                break
            results.append((record, result, odds_changed))
            if time.perf_counter() - began > BATCH_SECONDS:
                break
    return results, failure


def relax_durability() -> None:
    """On PostgreSQL, commit this import transaction without waiting for the disk flush.

    A crash may lose the last few hundred milliseconds of commits, never half a match;
    imports are idempotent, so running the file again restores them. Halves a season's time.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")


def _finish(run: IngestionRun, summary: ImportSummary, error: str = "", *, owns_run: bool = True) -> None:
    run.created += summary.created
    run.updated += summary.updated
    run.unchanged += summary.unchanged
    if owns_run:
        run.status = IngestionRun.Status.FAILED if error else IngestionRun.Status.SUCCEEDED
        run.error = error
        run.finished_at = timezone.now()
        run.save()
    else:
        run.save(update_fields=["created", "updated", "unchanged"])
