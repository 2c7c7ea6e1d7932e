"""Writing a read Betfair stream file: markets, runners and snapshots, one transaction per file.

The file is read and checked whole first (``ingestion.betfair``), so a bad line anywhere
writes nothing; the writing itself runs in one atomic block, so a refused row rolls the
whole file back. Rows are compared with what is stored: a second run of the same file
creates and updates nothing. Snapshots the file does not give are left alone (another
file may cover other hours of the same market).

A market is linked to one of our matches when the stream names its event ("Arsenal v
Chelsea") and both teams resolve (our aliases, then the catalog's, as ``matches.identity``
resolves them, without creating any) to a match kicking off within a day of the market's
scheduled start; a Match Odds market also needs its runners named after those two teams,
and its runners then say home, draw ("The Draw") or away.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, transaction
from django.utils import timezone

from ingestion.betfair import MarketRecord, Sampling, SnapshotRecord, StreamFile, read_stream_file
from ingestion.models import IngestionRun
from markets.models import ExchangeMarket, ExchangeRunner, ExchangeSnapshot
from matches.identity import stored_team_id
from matches.models import Match, normalize_name
from matches.records import Origin, RecordError
from trading import paper

JOB = "import_betfair"
# IngestionRun.source: matches.Source has no Betfair member yet (adding one migrates four apps).
SOURCE = "betfair"
LINK_WINDOW = dt.timedelta(days=1)
DRAW_NAMES = frozenset({"the draw", "draw"})
BATCH_SIZE = 1000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)

    def __str__(self):
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class BetfairSummary:
    markets: Counts = field(default_factory=Counts)
    runners: Counts = field(default_factory=Counts)
    snapshots: Counts = field(default_factory=Counts)
    lines: int = 0
    seconds: float = 0.0
    linked: list[str] = field(default_factory=list)  # "1.23 -> match 42"
    linked_matches: list[int] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(counts.created or counts.updated for counts in (self.markets, self.runners, self.snapshots))

    def __str__(self):
        verdict = "" if self.changed else " — unchanged"
        return (f"{self.lines} lines; markets {self.markets}; runners {self.runners}; "
                f"snapshots {self.snapshots} ({self.seconds:.2f} s){verdict}")


def import_betfair_file(path: str, *, sampling: Sampling = Sampling(),
                        progress: Callable[[str], None] | None = None) -> BetfairSummary:
    """Read, check and store one stream file; RecordError (nothing written, run failed) on bad input."""
    started = time.perf_counter()
    run = IngestionRun.objects.create(source=SOURCE, job=JOB, target=str(path)[:300])
    summary = BetfairSummary()
    try:
        stream = read_stream_file(path, sampling, (lambda lines: progress(f"{path}: {lines} lines read"))
                                  if progress else None)
        summary.lines = stream.lines
        if progress and stream.lines >= 10_000:
            progress(f"{path}: writing {len(stream.markets)} markets, {len(stream.snapshots)} snapshots")
        try:
            with transaction.atomic():
                _write(stream, summary)
        except DatabaseError as exc:
            raise RecordError(Origin(str(path)), f"cannot store this file: {exc}") from exc
    except RecordError as exc:
        _finish(run, summary, error=str(exc))
        raise
    summary.seconds = time.perf_counter() - started
    _finish(run, summary)
    if summary.changed:
        paper.prices_arrived(summary.linked_matches)  # paper strategies on the exchange bet on the new book
    return summary


def _finish(run: IngestionRun, summary: BetfairSummary, error: str = "") -> None:
    for name in ("created", "updated", "unchanged"):
        setattr(run, name, sum(getattr(counts, name) for counts in (summary.markets, summary.runners,
                                                                     summary.snapshots)))
    run.status = IngestionRun.Status.FAILED if error else IngestionRun.Status.SUCCEEDED
    run.error = error
    run.finished_at = timezone.now()
    run.save()


MARKET_FIELDS = ("event_id", "event_name", "event_type_id", "market_name", "market_type", "market_time", "status",
                 "in_play", "settled_at", "market_base_rate")
RUNNER_FIELDS = ("name", "sort_priority", "status", "selection")
SNAPSHOT_FIELDS = ("status", "in_play", "back", "lay", "best_back", "best_lay", "last_traded_price", "traded_volume")


def _write(stream: StreamFile, summary: BetfairSummary) -> None:
    stored = {market.market_id: market for market in
              ExchangeMarket.objects.filter(market_id__in=[record.market_id for record in stream.markets])}
    markets: dict[str, ExchangeMarket] = {}
    selections: dict[str, dict[tuple[int, float], str]] = {}
    for record in stream.markets:
        match, sides = find_match(record)
        fields = {name: getattr(record, name) for name in MARKET_FIELDS}
        market = stored.get(record.market_id)
        if market is not None and not record.defined:
            fields = {}  # prices only: the stored definition stands
        if match is not None:
            fields["match"] = match
            summary.linked.append(f"{record.market_id} -> match {match.pk}")
            summary.linked_matches.append(match.pk)
        markets[record.market_id] = _save(ExchangeMarket, market, {"market_id": record.market_id, **fields},
                                          summary.markets)
        selections[record.market_id] = sides

    stored_runners = {(runner.market_id, runner.selection_id, runner.handicap): runner for runner in
                      ExchangeRunner.objects.filter(market__in=markets.values())}
    runners: dict[tuple[str, int, float], ExchangeRunner] = {}
    for record in stream.markets:
        market = markets[record.market_id]
        for key, runner in record.runners.items():
            existing = stored_runners.get((market.pk, *key))
            fields = {"status": runner.status}
            if runner.name or existing is None:
                fields["name"] = runner.name
            if runner.sort_priority is not None or existing is None:
                fields["sort_priority"] = runner.sort_priority
            if selections[record.market_id]:
                fields["selection"] = selections[record.market_id].get(key, "")
            runners[(record.market_id, *key)] = _save(
                ExchangeRunner, existing,
                {"market": market, "selection_id": key[0], "handicap": key[1], **fields}, summary.runners)

    latest: dict[tuple[int, dt.datetime], SnapshotRecord] = {}
    for snapshot in stream.snapshots:  # two books at the same millisecond: the later one
        latest[(runners[(snapshot.market_id, snapshot.selection_id, snapshot.handicap)].pk, snapshot.taken_at)] = \
            snapshot
    stored_snapshots = {(row.runner_id, row.taken_at): row for row in
                        ExchangeSnapshot.objects.filter(runner__in=runners.values()).only("pk", "runner_id",
                                                                                         "taken_at", *SNAPSHOT_FIELDS)}
    new, changed = [], []
    for (runner_id, taken_at), snapshot in latest.items():
        values = snapshot_fields(snapshot)
        row = stored_snapshots.get((runner_id, taken_at))
        if row is None:
            new.append(ExchangeSnapshot(runner_id=runner_id, taken_at=taken_at, **values))
            summary.snapshots.created += 1
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            changed.append(row)
            summary.snapshots.updated += 1
        else:
            summary.snapshots.unchanged += 1
    ExchangeSnapshot.objects.bulk_create(new, batch_size=BATCH_SIZE)
    ExchangeSnapshot.objects.bulk_update(changed, SNAPSHOT_FIELDS, batch_size=BATCH_SIZE)


def snapshot_fields(snapshot: SnapshotRecord) -> dict:
    """A snapshot record as the row's fields (ladders as JSON lists)."""
    back = [list(level) for level in snapshot.back]
    lay = [list(level) for level in snapshot.lay]
    return {
        "status": snapshot.status, "in_play": snapshot.in_play, "back": back, "lay": lay,
        "best_back": back[0][0] if back else None, "best_lay": lay[0][0] if lay else None,
        "last_traded_price": snapshot.last_traded_price, "traded_volume": snapshot.traded_volume,
    }


def _save(model, row, fields: dict, counts: Counts):
    """Create the row, or update the stored one where it differs; count which it was."""
    if row is None:
        row = model.objects.create(**fields)
        counts.add("created")
        return row
    differs = [name for name, value in fields.items() if getattr(row, name) != value]
    if differs:
        for name in differs:
            setattr(row, name, fields[name])
        row.save()
        counts.add("updated")
    else:
        counts.add("unchanged")
    return row


# Linking a market to one of our matches


def find_match(record: MarketRecord) -> tuple[Match | None, dict[tuple[int, float], str]]:
    """The match this market is on, and for a Match Odds market each runner's home/draw/away."""
    if not record.event_name or record.market_time is None or " v " not in record.event_name:
        return None, {}
    home_name, away_name = (part.strip() for part in record.event_name.split(" v ", 1))
    home, away = stored_team_id(home_name), stored_team_id(away_name)
    if home is None or away is None:
        return None, {}
    match = (Match.objects.filter(home_team_id=home, away_team_id=away,
                                  kickoff__range=(record.market_time - LINK_WINDOW, record.market_time + LINK_WINDOW))
             .order_by("kickoff").first())
    if match is None:
        return None, {}
    if record.market_type != "MATCH_ODDS":
        return match, {}
    sides = {}
    for key, runner in record.runners.items():
        if normalize_name(runner.name) in DRAW_NAMES:
            sides[key] = ExchangeRunner.Selection.DRAW
        elif runner.name and stored_team_id(runner.name) == home:
            sides[key] = ExchangeRunner.Selection.HOME
        elif runner.name and stored_team_id(runner.name) == away:
            sides[key] = ExchangeRunner.Selection.AWAY
    if ExchangeRunner.Selection.HOME not in sides.values() or ExchangeRunner.Selection.AWAY not in sides.values():
        return None, {}  # the runners are not these two teams: not this match's Match Odds
    return match, sides
