"""Writers of priced data. Callers hold the transaction (one match is one unit of work)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from markets.models import Bookmaker, OddsQuote
from quantfoot.bulk import insert_rows
from matches.records import OddsRecord, RecordError

PRICE_FIELDS = ("home", "draw", "away", "over", "under")


def ensure_bookmakers(names: dict[str, tuple[str, bool]]) -> dict[str, Bookmaker]:
    """Bookmakers by code, creating the missing ones; ``names`` maps code -> (name, is_aggregate)."""
    existing = {bookmaker.code: bookmaker for bookmaker in Bookmaker.objects.filter(code__in=names)}
    missing = [Bookmaker(code=code, name=name, is_aggregate=aggregate)
               for code, (name, aggregate) in names.items() if code not in existing]
    for bookmaker in Bookmaker.objects.bulk_create(missing):
        existing[bookmaker.code] = bookmaker
    return existing


def stored_quotes(match_ids) -> dict[int, dict[tuple, tuple]]:
    """For a batch import: each match's stored quotes, key -> (pk, prices), in one query."""
    by_match: dict[int, dict[tuple, tuple]] = defaultdict(dict)
    rows = OddsQuote.objects.filter(match_id__in=list(match_ids)).values_list(
        "pk", "match_id", "bookmaker__code", "market", "line", "phase", "taken_at", *PRICE_FIELDS)
    for pk, match_id, code, market, line, phase, taken_at, *prices in rows:
        by_match[match_id][(code, market, line, phase, taken_at)] = (pk, dict(zip(PRICE_FIELDS, prices)))
    return by_match


def save_odds(match, records: list[OddsRecord], *, source: str, bookmakers: dict[str, Bookmaker],
              stored: dict[tuple, tuple] | None = None) -> int:
    """Store a match's quotes, one row per bookmaker, market, line and moment; returns rows changed.

    Prices of the same book (home/draw/away…) arrive as separate records and are gathered
    into one row. A quote already stored with the same prices is left alone. ``stored``
    is the match's entry from ``stored_quotes`` when the caller prefetched a batch.
    """
    books: dict[tuple, dict[str, float]] = defaultdict(dict)
    for record in records:
        if record.selection not in PRICE_FIELDS:
            raise RecordError(f"odds of {match}", f"unknown selection {record.selection!r}")
        if record.bookmaker_code not in bookmakers:
            raise RecordError(f"odds of {match}", f"unknown bookmaker {record.bookmaker_code!r}")
        # Decimal("2.5") and the stored Decimal("2.50") are equal and hash alike: no quantize needed.
        key = (record.bookmaker_code, record.market, Decimal(record.line), record.phase, record.taken_at)
        books[key][record.selection] = record.price
    if not books:
        return 0
    if stored is None:
        stored = stored_quotes([match.pk]).get(match.pk, {})

    new_rows, changed = [], []
    for key, prices in books.items():
        code, market, line, phase, taken_at = key
        if key not in stored:
            new_rows.append((match.pk, bookmakers[code].pk, market, line, phase, taken_at, source,
                             *(prices.get(name) for name in PRICE_FIELDS)))
            continue
        pk, stored_prices = stored[key]
        if any(stored_prices[name] != price for name, price in prices.items()):
            changed.append(OddsQuote(pk=pk, **{**stored_prices, **prices}))
    insert_rows(OddsQuote, ["match", "bookmaker", "market", "line", "phase", "taken_at", "source", *PRICE_FIELDS],
                new_rows)
    if changed:
        OddsQuote.objects.bulk_update(changed, PRICE_FIELDS)
    return len(new_rows) + len(changed)
