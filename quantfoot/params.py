"""Reading query parameters strictly: one reader per kind of value, one exception for a bad one.

Every view reads ``request.GET`` through these. A bad value raises ``BadRequestParameter``, which
``quantfoot.middleware`` turns into the 400 page (a JSON ``{"error": ...}`` under /api/) naming the
parameter, what it got and what it accepts::

    date: '2099-99-99' is not a date (YYYY-MM-DD) from 1850-01-01 to 2100-12-31

The rules, the same on every page:

- Absent and empty are the same: the reader returns its default (a form submitted with an empty
  select, or ``?season=``, means "not chosen").
- Numbers are ASCII digits only (``str.isdigit()`` accepts "²" and "١٢", which ``int()`` then
  rejects or reads as another number), and bounded, so no value overflows a database integer.
- Dates are ISO ``YYYY-MM-DD`` between EARLIEST and LATEST, so adding days or a week never overflows.
- An id that is well formed but names no row (or a season of another competition) is a 404 with the
  view's message, like an unknown id in the path: the link is stale, not malformed.
- Parameters no reader asks for (utm_*, a page's old options) are ignored.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import BadRequest
from django.http import Http404

EARLIEST = dt.date(1850, 1, 1)
LATEST = dt.date(2100, 12, 31)
# The largest id or count any reader accepts: well inside a signed 64-bit database integer.
MAX_INT = 2**62
MAX_TEXT = 100  # characters of free text (the search box's maxlength)
SHOWN = 60  # characters of a bad value repeated in the message

_INTEGER = re.compile(r"-?[0-9]{1,19}", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TRUE, _FALSE = frozenset({"1", "true", "yes", "on"}), frozenset({"0", "false", "no", "off"})


class BadRequestParameter(BadRequest):
    """A query parameter the page cannot read: ``name`` got ``value``; ``expected`` says what it accepts."""

    def __init__(self, name: str, value: str, expected: str):
        self.name, self.value, self.expected = name, value, expected
        super().__init__(self.message)

    @property
    def message(self) -> str:
        shown = self.value if len(self.value) <= SHOWN else self.value[:SHOWN] + "…"
        return f"{self.name}: {shown!r} is not {self.expected}"

    def as_json(self) -> dict:
        return {"error": self.message, "parameter": self.name, "value": self.value, "expected": self.expected}


def raw(params: Mapping[str, str], name: str) -> str | None:
    """The parameter's text, or None when it is absent or empty."""
    value = params.get(name)
    return value if value else None


def integer(params: Mapping[str, str], name: str, default: int | None = None, *, min_value: int = 0,
            max_value: int = MAX_INT, what: str = "a whole number") -> int | None:
    value = raw(params, name)
    if value is None:
        return default
    if not _INTEGER.fullmatch(value) or not min_value <= int(value) <= max_value:
        raise BadRequestParameter(name, value, f"{what} from {min_value} to {max_value}")
    return int(value)


def date(params: Mapping[str, str], name: str, default: dt.date | None = None, *, earliest: dt.date = EARLIEST,
         latest: dt.date = LATEST) -> dt.date | None:
    value = raw(params, name)
    if value is None:
        return default
    return parse_date(name, value, earliest=earliest, latest=latest)


def parse_date(name: str, value: str, *, earliest: dt.date = EARLIEST, latest: dt.date = LATEST) -> dt.date:
    """``value`` as a day; also used by forms that read a date themselves."""
    expected = f"a date (YYYY-MM-DD) from {earliest.isoformat()} to {latest.isoformat()}"
    if not _DATE.fullmatch(value):  # fromisoformat alone takes 20230101 and 2023-W01 too
        raise BadRequestParameter(name, value, expected)
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:  # 2023-02-30
        raise BadRequestParameter(name, value, expected) from None
    if not earliest <= day <= latest:
        raise BadRequestParameter(name, value, expected)
    return day


def choice(params: Mapping[str, str], name: str, choices: Iterable[str], default: str | None = None) -> str | None:
    value = raw(params, name)
    if value is None:
        return default
    choices = list(choices)
    if value not in choices:
        raise BadRequestParameter(name, value, "one of: " + ", ".join(choices))
    return value


def boolean(params: Mapping[str, str], name: str, default: bool = False) -> bool:
    value = raw(params, name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise BadRequestParameter(name, value, "yes or no (1, true, yes, on / 0, false, no, off)")


def text(params: Mapping[str, str], name: str, default: str = "", *, max_length: int = MAX_TEXT) -> str:
    """Free text, stripped: at most ``max_length`` characters, no NUL (PostgreSQL cannot compare it)."""
    value = raw(params, name)
    if value is None:
        return default
    if len(value) > max_length or "\x00" in value:
        raise BadRequestParameter(name, value, f"text of at most {max_length} characters without NUL")
    return value.strip()


def sort(params: Mapping[str, str], columns: Mapping[str, bool], default: str, *, name: str = "sort",
         direction: str = "dir") -> tuple[str, bool]:
    """(key, descending) from ``?sort=<key>&dir=asc|desc`` or ``?sort=-<key>``.

    ``columns`` maps each sortable key to whether it sorts descending first (most goals first,
    names upwards); that is the direction when ``dir`` is absent. ``default`` is a key of ``columns``.
    """
    key = raw(params, name) or default
    way = choice(params, direction, ("asc", "desc"))
    if key.removeprefix("-") not in columns:
        raise BadRequestParameter(name, key, "one of: " + ", ".join(columns) + " (a leading - sorts descending)")
    if key.startswith("-"):
        return key[1:], way != "asc"
    return key, way == "desc" if way else columns[key]


def pick(params: Mapping[str, str], name: str, rows: Sequence, not_found: str, *, key=lambda row: row.pk):
    """The row of ``rows`` whose id ``?name=`` gives (None when absent); a well-formed id of no row is a 404."""
    wanted = integer(params, name, what="an id")
    if wanted is None:
        return None
    found = next((row for row in rows if key(row) == wanted), None)
    if found is None:
        raise Http404(not_found)
    return found


def existing(params: Mapping[str, str], name: str, queryset, not_found: str):
    """The row of ``queryset`` with the id ``?name=`` gives (None when absent); an unknown id is a 404."""
    wanted = integer(params, name, what="an id")
    if wanted is None:
        return None
    found = queryset.filter(pk=wanted).first()
    if found is None:
        raise Http404(not_found)
    return found
