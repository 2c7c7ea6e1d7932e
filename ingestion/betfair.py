"""Betfair Exchange Stream API files: one ``{"op": "mcm", ...}`` message a line, read as a stream.

Betfair's historical data (``.bz2`` downloads) and flumine's recordings are the market
stream written line by line: a ``marketDefinition`` (status, in-play, runners, commission),
then price deltas per runner. The file is never held whole in memory: ``StreamReader``
keeps each market's current state and yields the sampled snapshots as it goes.

What each field does to the state (the stream's own semantics):

- ``atb`` / ``atl`` (available to back / lay): ``[[price, size]]`` deltas of the full
  ladder; size 0 removes that price.
- ``batb`` / ``batl`` (best available, level-indexed) and ``bdatb`` / ``bdatl`` (best
  display, virtual bets included): ``[[level, price, size]]`` deltas; size 0 removes
  the level. A snapshot's ladder is the full one when the stream sends it, else the
  level one, else the display one.
- ``trd`` ``[[price, cumulative size]]`` is checked but not kept (``tv`` is its total);
  ``ltp`` last traded price (0, sent before the first trade, means none); ``tv`` the
  runner's traded volume.
- ``marketDefinition`` replaces the market's status, in-play flag and fields, and each
  listed runner's status, name and order. ``img: true`` replaces the market's cached
  prices: every ladder is cleared before the message's own prices apply.
- A runner change for a runner no definition listed is accepted, the runner created
  from its id (Betfair sends some markets' prices before their definition, e.g.
  betfairlightweight's SUB_IMAGE_no_market_def and RESUB_DELTA files).
- ``op`` ``connection``, ``status`` and ``ocm`` (orders), and heartbeats (``ct:
  HEARTBEAT``) are skipped; BSP fields (``spn``, ``spf``, ``spb``, ``spl``), ``con``,
  ``clk`` and other keys the stream adds are ignored. Anything else malformed (not
  JSON, an unknown op, a price at or below 1 or above 1000, a negative size, a ladder
  that is not a list of number pairs, NaN) is a ``RecordError`` naming file, line and field.

Sampling (which books become ``ExchangeSnapshot`` rows), per runner:

1. A runner's book is its best three back and lay levels with their sizes, its last
   traded price and its traded volume. Only a change of these counts as a change.
2. Of the books a runner shows within one window of the clock, only the last one is
   kept, with its own time: windows are ``pre_off_seconds`` long (60 s unless asked)
   while the market is not in play, ``in_play_seconds`` (5 s) in play, aligned to
   whole multiples of that length since the Unix epoch. A book equal to the last one
   kept is not kept again. So at most one row per runner per window, and every row is
   the exact book at its time; a book that then stood still is kept too.
3. Whenever the market's status or in-play flag changes (its first definition
   included), every runner's last book before that moment is kept (the last book
   before a suspension or the close) and so is every runner's book at that moment,
   changed or not.
4. At the end of the file every runner's last book is kept.
Two books of one runner at the same millisecond keep the later one.
"""

from __future__ import annotations

import bz2
import datetime as dt
import gzip
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from matches.records import Origin, RecordError

PRE_OFF_SECONDS = 60.0
IN_PLAY_SECONDS = 5.0
LADDER_DEPTH = 3
MAX_PRICE = 1000.0  # Betfair's ladder runs from 1.01 to 1000
PROGRESS_LINES = 10_000

SKIPPED_OPS = frozenset({"connection", "status", "ocm"})
KNOWN_CHANGE_TYPES = frozenset({None, "SUB_IMAGE", "RESUB_DELTA", "HEARTBEAT"})
MARKET_STATUSES = frozenset({"INACTIVE", "OPEN", "SUSPENDED", "CLOSED"})
RUNNER_STATUSES = frozenset({"ACTIVE", "WINNER", "LOSER", "PLACED", "REMOVED", "REMOVED_VACANT", "HIDDEN"})
MARKET_ID = re.compile(r"^\d+\.\d+$")
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Sampling:
    """How often a runner's changing book is kept (see the module docstring)."""

    pre_off_seconds: float = PRE_OFF_SECONDS
    in_play_seconds: float = IN_PLAY_SECONDS

    def window(self, published_ms: int, in_play: bool) -> tuple[bool, int]:
        length_ms = int(round(1000 * (self.in_play_seconds if in_play else self.pre_off_seconds)))
        return in_play, published_ms // length_ms if length_ms > 0 else published_ms


@dataclass
class RunnerRecord:
    selection_id: int
    handicap: float = 0.0
    name: str = ""
    sort_priority: int | None = None
    status: str = "ACTIVE"


@dataclass
class MarketRecord:
    """A market as its stream described it last."""

    market_id: str
    event_id: str = ""
    event_name: str = ""
    event_type_id: str = ""
    market_name: str = ""
    market_type: str = ""
    market_time: dt.datetime | None = None
    status: str = ""
    in_play: bool = False
    settled_at: dt.datetime | None = None
    market_base_rate: float | None = None
    defined: bool = False  # a marketDefinition was seen
    runners: dict[tuple[int, float], RunnerRecord] = field(default_factory=dict)


Ladder = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class SnapshotRecord:
    """One runner's book at one moment: what an ``ExchangeSnapshot`` row holds."""

    market_id: str
    selection_id: int
    handicap: float
    published_ms: int
    status: str
    in_play: bool
    back: Ladder
    lay: Ladder
    last_traded_price: float | None
    traded_volume: float | None

    @property
    def taken_at(self) -> dt.datetime:
        return moment(self.published_ms)

    @property
    def book(self) -> tuple:
        """What counts as a change of the book (rule 1)."""
        return self.back, self.lay, self.last_traded_price, self.traded_volume


def moment(published_ms: int) -> dt.datetime:
    """The stream's ``pt`` (milliseconds since the epoch) as an aware UTC datetime, exactly."""
    return EPOCH + dt.timedelta(milliseconds=published_ms)


@dataclass
class _RunnerBook:
    """A runner's full current state, all levels."""

    atb: dict[float, float] = field(default_factory=dict)
    atl: dict[float, float] = field(default_factory=dict)
    batb: dict[int, tuple[float, float]] = field(default_factory=dict)
    batl: dict[int, tuple[float, float]] = field(default_factory=dict)
    bdatb: dict[int, tuple[float, float]] = field(default_factory=dict)
    bdatl: dict[int, tuple[float, float]] = field(default_factory=dict)
    ltp: float | None = None
    tv: float | None = None

    def back(self) -> Ladder:
        if self.atb:
            return tuple(sorted(self.atb.items(), reverse=True)[:LADDER_DEPTH])
        return _levels(self.batb or self.bdatb)

    def lay(self) -> Ladder:
        if self.atl:
            return tuple(sorted(self.atl.items())[:LADDER_DEPTH])
        return _levels(self.batl or self.bdatl)


def _levels(ladder: dict[int, tuple[float, float]]) -> Ladder:
    return tuple(ladder[level] for level in sorted(ladder)[:LADDER_DEPTH])


@dataclass
class _Sampled:
    """What the sampler remembers of one runner: the last book kept, and the one waiting."""

    kept: tuple | None = None
    pending: SnapshotRecord | None = None
    pending_window: tuple[bool, int] | None = None


@dataclass
class _Market:
    record: MarketRecord
    books: dict[tuple[int, float], _RunnerBook] = field(default_factory=dict)
    sampled: dict[tuple[int, float], _Sampled] = field(default_factory=dict)

    def runner_keys(self) -> list[tuple[int, float]]:
        return list(dict.fromkeys([*self.record.runners, *self.books]))


def open_stream(path: Path):
    """The file as text, decompressing ``.bz2`` and ``.gz`` on the fly."""
    if path.suffix == ".bz2":
        return bz2.open(path, "rt", encoding="utf-8")
    if path.suffix == ".gz":
        return gzip.open(path, "rt", encoding="utf-8")
    return path.open(encoding="utf-8")


def _reject_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


class StreamReader:
    """Reads one stream file; iterate it for the sampled snapshots, then read ``markets``.

    ``progress(lines_read)`` is called every ``PROGRESS_LINES`` lines.
    """

    def __init__(self, path: str | Path, sampling: Sampling = Sampling(),
                 progress: Callable[[int], None] | None = None):
        self.path = Path(path)
        self.sampling = sampling
        self.progress = progress
        self.lines_read = 0
        self._markets: dict[str, _Market] = {}
        self._line = 0
        self._out: list[SnapshotRecord] = []

    @property
    def markets(self) -> list[MarketRecord]:
        return [market.record for market in self._markets.values()]

    def __iter__(self) -> Iterator[SnapshotRecord]:
        if not self.path.is_file():
            raise RecordError(str(self.path), "no such file")
        try:
            with open_stream(self.path) as lines:
                for self._line, text in enumerate(lines, 1):
                    self.lines_read = self._line
                    if text.strip():
                        self._message(text)
                        yield from self._out
                        self._out.clear()
                    if self.progress and self._line % PROGRESS_LINES == 0:
                        self.progress(self._line)
        except UnicodeDecodeError as exc:
            raise RecordError(Origin(str(self.path), self._line + 1), f"not UTF-8 text ({exc.reason})") from exc
        except (OSError, EOFError) as exc:  # a damaged .bz2 or .gz
            raise RecordError(Origin(str(self.path), self._line + 1), f"cannot read the file: {exc}") from exc
        for market in self._markets.values():  # rule 4
            for key in market.runner_keys():
                sampled = market.sampled.get(key)
                if sampled and sampled.pending:
                    self._out.append(sampled.pending)
                    sampled.pending = None
        self._out.sort(key=lambda snapshot: snapshot.published_ms)
        yield from self._out
        self._out.clear()

    # Errors

    def _error(self, where: str, message: str) -> RecordError:
        return RecordError(Origin(str(self.path), self._line, where), message)

    def _number(self, value, where: str, *, minimum: float | None = None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self._error(where, f"expected a number, got {value!r}")
        if minimum is not None and value < minimum:
            raise self._error(where, f"{value!r} is negative" if minimum == 0 else f"{value!r} is below {minimum}")
        return float(value)

    def _price(self, value, where: str) -> float:
        price = self._number(value, where)
        if not 1 < price <= MAX_PRICE:
            raise self._error(where, f"price {value!r} is outside the exchange's range (above 1, at most 1000)")
        return price

    def _list(self, value, where: str) -> list:
        if not isinstance(value, list):
            raise self._error(where, f"expected a list, got {type(value).__name__}")
        return value

    def _object(self, value, where: str) -> dict:
        if not isinstance(value, dict):
            raise self._error(where, f"expected an object, got {type(value).__name__}")
        return value

    # Messages

    def _message(self, text: str) -> None:
        try:
            message = json.loads(text, parse_constant=_reject_constant)
        except ValueError as exc:
            detail = f"{exc.msg} at column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else str(exc)
            raise self._error("", f"not JSON ({detail})") from exc
        if not isinstance(message, dict):
            raise self._error("", f"not a stream message (a JSON {type(message).__name__}, not an object)")
        op = message.get("op")
        if op in SKIPPED_OPS:
            return
        if op != "mcm":
            raise self._error("op", f"unknown op {op!r}: expected a market change (mcm); "
                                    f"connection, status and ocm messages are skipped")
        change_type = message.get("ct")
        if change_type not in KNOWN_CHANGE_TYPES:
            raise self._error("ct", f"unknown change type {change_type!r}")
        if change_type == "HEARTBEAT":
            return
        published = message.get("pt")
        if isinstance(published, bool) or not isinstance(published, int) or published <= 0:
            raise self._error("pt", f"expected the publish time in milliseconds, got {published!r}")
        for index, change in enumerate(self._list(message.get("mc", []), "mc")):
            self._market_change(self._object(change, f"mc[{index}]"), published, f"mc[{index}]")

    def _market_change(self, change: dict, published: int, where: str) -> None:
        market_id = change.get("id")
        if not isinstance(market_id, str) or not MARKET_ID.match(market_id):
            raise self._error(f"{where}.id", f"expected a market id like \"1.200806927\", got {market_id!r}")
        market = self._markets.get(market_id)
        if market is None:
            market = self._markets[market_id] = _Market(MarketRecord(market_id))
        record = market.record
        before = (record.status, record.in_play)
        if change.get("img") is True:
            market.books.clear()
        if "marketDefinition" in change:
            self._definition(record, self._object(change["marketDefinition"], f"{where}.marketDefinition"),
                             f"{where}.marketDefinition")
        touched = []
        for index, runner_change in enumerate(self._list(change.get("rc", []), f"{where}.rc")):
            touched.append(self._runner_change(market, self._object(runner_change, f"{where}.rc[{index}]"),
                                               f"{where}.rc[{index}]"))
        if record.status and (record.status, record.in_play) != before:
            self._keep_moment(market, published)
        else:
            for key in dict.fromkeys(touched):
                self._keep_change(market, key, published)

    def _definition(self, record: MarketRecord, definition: dict, where: str) -> None:
        status = definition.get("status")
        if status not in MARKET_STATUSES:
            raise self._error(f"{where}.status", f"unknown market status {status!r}")
        in_play = definition.get("inPlay", False)
        if not isinstance(in_play, bool):
            raise self._error(f"{where}.inPlay", f"expected true or false, got {in_play!r}")
        record.status, record.in_play, record.defined = status, in_play, True
        for key, attribute in (("eventId", "event_id"), ("eventName", "event_name"), ("eventTypeId", "event_type_id"),
                               ("name", "market_name"), ("marketType", "market_type")):
            value = definition.get(key)
            if value is not None:
                if not isinstance(value, (str, int)) or isinstance(value, bool):
                    raise self._error(f"{where}.{key}", f"expected text, got {value!r}")
                setattr(record, attribute, str(value))
        for key, attribute in (("marketTime", "market_time"), ("settledTime", "settled_at")):
            if definition.get(key) is not None:
                setattr(record, attribute, self._time(definition[key], f"{where}.{key}"))
        if definition.get("marketBaseRate") is not None:
            rate = self._number(definition["marketBaseRate"], f"{where}.marketBaseRate", minimum=0)
            if rate > 100:
                raise self._error(f"{where}.marketBaseRate", f"commission {rate!r}% is above 100%")
            record.market_base_rate = rate
        for index, runner in enumerate(self._list(definition.get("runners", []), f"{where}.runners")):
            here = f"{where}.runners[{index}]"
            runner = self._object(runner, here)
            key = self._runner_key(runner, here)
            runner_status = runner.get("status", "ACTIVE")
            if runner_status not in RUNNER_STATUSES:
                raise self._error(f"{here}.status", f"unknown runner status {runner_status!r}")
            priority = runner.get("sortPriority")
            if priority is not None and (isinstance(priority, bool) or not isinstance(priority, int) or priority < 0):
                raise self._error(f"{here}.sortPriority", f"expected a whole number, got {priority!r}")
            name = runner.get("name")
            if name is not None and not isinstance(name, str):
                raise self._error(f"{here}.name", f"expected text, got {name!r}")
            known = record.runners.get(key) or RunnerRecord(*key)
            known.status, known.sort_priority = runner_status, priority
            known.name = name or known.name
            record.runners[key] = known

    def _time(self, value, where: str) -> dt.datetime:
        try:
            parsed = dt.datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            parsed = None
        if parsed is None:
            raise self._error(where, f"expected an ISO 8601 time, got {value!r}")
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)

    def _runner_key(self, runner: dict, where: str) -> tuple[int, float]:
        selection_id = runner.get("id")
        if isinstance(selection_id, bool) or not isinstance(selection_id, int) or selection_id <= 0:
            raise self._error(f"{where}.id", f"expected a selection id, got {selection_id!r}")
        handicap = self._number(runner["hc"], f"{where}.hc") if runner.get("hc") is not None else 0.0
        return selection_id, handicap

    def _runner_change(self, market: _Market, change: dict, where: str) -> tuple[int, float]:
        key = self._runner_key(change, where)
        if key not in market.record.runners:  # prices before any definition: known from its id alone
            market.record.runners[key] = RunnerRecord(*key)
        book = market.books.get(key)
        if book is None:
            book = market.books[key] = _RunnerBook()
        for name in ("atb", "atl", "trd"):
            ladder = getattr(book, name, None)
            for index, level in enumerate(self._list(change.get(name, []), f"{where}.{name}")):
                here = f"{where}.{name}[{index}]"
                if not isinstance(level, list) or len(level) != 2:
                    raise self._error(here, f"expected [price, size], got {level!r}")
                price = self._price(level[0], here)
                size = self._number(level[1], here, minimum=0)
                if ladder is None:  # trd: checked, not kept
                    continue
                if size == 0:
                    ladder.pop(price, None)
                else:
                    ladder[price] = size
        for name in ("batb", "batl", "bdatb", "bdatl"):
            ladder = getattr(book, name)
            for index, level in enumerate(self._list(change.get(name, []), f"{where}.{name}")):
                here = f"{where}.{name}[{index}]"
                if not isinstance(level, list) or len(level) != 3:
                    raise self._error(here, f"expected [level, price, size], got {level!r}")
                position = level[0]
                if isinstance(position, bool) or not isinstance(position, int) or position < 0:
                    raise self._error(here, f"expected a level 0, 1, 2 …, got {position!r}")
                size = self._number(level[2], here, minimum=0)
                if size == 0:  # removes the level; Betfair sends its price as 0
                    self._number(level[1], here, minimum=0)
                    ladder.pop(position, None)
                else:
                    ladder[position] = (self._price(level[1], here), size)
        if "ltp" in change:
            ltp = change["ltp"]
            book.ltp = None if ltp == 0 and not isinstance(ltp, bool) else self._price(ltp, f"{where}.ltp")
        if "tv" in change:
            book.tv = self._number(change["tv"], f"{where}.tv", minimum=0)
        return key

    # Sampling

    def _snapshot(self, market: _Market, key: tuple[int, float], published: int) -> SnapshotRecord:
        book = market.books.get(key) or _RunnerBook()
        return SnapshotRecord(
            market_id=market.record.market_id, selection_id=key[0], handicap=key[1], published_ms=published,
            status=market.record.status, in_play=market.record.in_play, back=book.back(), lay=book.lay(),
            last_traded_price=book.ltp, traded_volume=book.tv,
        )

    def _keep_moment(self, market: _Market, published: int) -> None:
        """Rule 3: the status or in-play flag changed."""
        for key in market.runner_keys():
            sampled = market.sampled.setdefault(key, _Sampled())
            if sampled.pending and sampled.pending.published_ms < published:
                self._out.append(sampled.pending)
            snapshot = self._snapshot(market, key, published)
            self._out.append(snapshot)
            sampled.kept, sampled.pending, sampled.pending_window = snapshot.book, None, None

    def _keep_change(self, market: _Market, key: tuple[int, float], published: int) -> None:
        """Rules 1 and 2: a runner's book may have changed."""
        sampled = market.sampled.setdefault(key, _Sampled())
        snapshot = self._snapshot(market, key, published)
        latest = sampled.pending.book if sampled.pending else sampled.kept
        if snapshot.book == latest:
            return
        window = self.sampling.window(published, market.record.in_play)
        if sampled.pending and sampled.pending_window != window:
            self._out.append(sampled.pending)  # the last book of its window
            sampled.kept, sampled.pending = sampled.pending.book, None
        if snapshot.book == sampled.kept:
            sampled.pending, sampled.pending_window = None, None
        else:
            sampled.pending, sampled.pending_window = snapshot, window


@dataclass
class StreamFile:
    """A whole file read: its markets as last described and the sampled snapshots."""

    path: str
    markets: list[MarketRecord]
    snapshots: list[SnapshotRecord]
    lines: int


def read_stream_file(path: str | Path, sampling: Sampling = Sampling(),
                     progress: Callable[[int], None] | None = None) -> StreamFile:
    """Read and check a whole file (keeping only the sampled snapshots); RecordError on bad input."""
    reader = StreamReader(path, sampling, progress)
    snapshots = list(reader)
    return StreamFile(str(path), reader.markets, snapshots, reader.lines_read)
