"""What the site's sortable tables share: columns (the page's header and the CSV's, so the two
never disagree), query strings that change one parameter, and URLs reversed once."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Column:
    """A table column: the page's short header, its full title (also the CSV's header), how it sorts."""

    key: str
    label: str
    title: str
    numeric: bool = True
    sortable: bool = True
    descending_first: bool = True  # most wins or goals first; positions, names and dates read upwards


def query(params, **changes) -> str:
    """The page's query string with some parameters changed (None drops one)."""
    query = params.copy()
    for name, value in changes.items():
        if value is None:
            query.pop(name, None)
        else:
            query[name] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def url_pattern(name: str) -> str:
    """A URL with one id as a format string ("/matches/{}/"): reversed once, filled in many times."""
    placeholder = str(2**31 - 1)
    return reverse(name, args=[placeholder]).replace(placeholder, "{}")
