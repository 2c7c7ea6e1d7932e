"""Writers of priced data. Callers hold the transaction (one match is one unit of work)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from markets.models import Bookmaker, OddsQuote
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


def save_odds(match, records: list[OddsRecord], *, source: str, bookmakers: dict[str, Bookmaker]) -> int:
    """Store a match's quotes, one row per bookmaker, market, line and moment; returns rows changed.

    Prices of the same book (home/draw/away…) arrive as separate records and are gathered
    into one row. A quote already stored with the same prices is left alone.
    """
    books: dict[tuple, dict[str, float]] = defaultdict(dict)
    for record in records:
        if record.selection not in PRICE_FIELDS:
            raise RecordError(f"odds of {match}", f"unknown selection {record.selection!r}")
        if record.bookmaker_code not in bookmakers:
            raise RecordError(f"odds of {match}", f"unknown bookmaker {record.bookmaker_code!r}")
        key = (record.bookmaker_code, record.market, Decimal(record.line).quantize(Decimal("0.01")),
               record.phase, record.taken_at)
        books[key][record.selection] = record.price
    if not books:
        return 0

    stored = {
        (quote.bookmaker.code, quote.market, quote.line, quote.phase, quote.taken_at): quote
        for quote in OddsQuote.objects.filter(match=match).select_related("bookmaker")
    }
    to_create, to_update = [], []
    for key, prices in books.items():
        code, market, line, phase, taken_at = key
        quote = stored.get(key)
        if quote is None:
            to_create.append(OddsQuote(
                match=match, bookmaker=bookmakers[code], market=market, line=line, phase=phase,
                taken_at=taken_at, source=source, **prices,
            ))
        elif any(getattr(quote, name) != price for name, price in prices.items()):
            for name, price in prices.items():
                setattr(quote, name, price)
            to_update.append(quote)
    OddsQuote.objects.bulk_create(to_create)
    if to_update:
        OddsQuote.objects.bulk_update(to_update, PRICE_FIELDS)
    return len(to_create) + len(to_update)
