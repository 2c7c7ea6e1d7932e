"""The regions every app adds to the pages ``matches/`` draws, without ``matches/`` importing them.

Dependencies point one way (DESIGN.md §2): ``players/``, ``markets/`` and ``fantasy/`` build on
``matches/``, so the win probability, a rating or an FPL price cannot be imported by the match,
team or player page. Instead each app registers its regions in its ``AppConfig.ready()``, as
Django's admin registers models, and the page asks the registry:

    # markets/apps.py
    regions.register_region("match", regions.Region(
        "winprob", "markets/partials/_winprob.html", winprob_context,
        tab="summary", title="Win probability", refresh=regions.LIVE_KINDS - {"shot", "stats_update"}))

A region's ``context`` takes the page's object and returns the template's context, or None
when it has nothing to show (the region is then left out, not drawn as a placeholder). The
page's object is, per page: the match page's ``fragments.MatchState`` (the match, and the
events every region shares, loaded once per render); the team page's ``TeamRequest``, with
``team`` and ``season``; a Player; the competition page's ``StandingsRequest``; the home page's
request (its regions start the page with what the signed-in reader follows).

A region about the reader rather than the football (accounts' follow button) sets
``with_request``: its context is then called ``context(obj, request)``, with the page's request
(None where a region is drawn without one, as in a push).

The match page is live: ``refresh`` names the kinds of change (DESIGN.md §4 message kinds)
that redraw a region, and the push, the poll and the page all render regions through
``matches.fragments`` from this one registry. A region with an empty ``refresh`` is drawn with
the page only (the odds board, the weather). Each region costs the queries its context makes:
keep them bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGES = ("match", "team", "player", "competition", "home")

# The match page's tabs, in order, with their labels ("header" regions sit in the score bar).
TABS = {
    "summary": "Summary",
    "stats": "Stats",
    "lineups": "Lineups",
    "shots": "Shots",
    "odds": "Odds",
    "values": "Values",
}
HEADER = "header"

# What a live frame can say changed (matches/live.py publishes them); "state" is every live region.
KINDS = ("score_update", "match_event", "shot", "stats_update", "match_status", "clock")
LIVE_KINDS = frozenset(KINDS)


@dataclass(frozen=True)
class Region:
    name: str  # stable element id on the page: "winprob"
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100  # smaller first (within a tab on the match page)
    tab: str = "summary"  # match page: one of TABS, or HEADER
    title: str = ""  # match page: the section's heading
    refresh: frozenset[str] = frozenset()  # match page: kinds of change that redraw it live
    with_request: bool = False  # context(obj, request): per-reader regions (never live: a push has no reader)
    # match page: drawn from the match alone (its row, events, line-ups and report, whose writers all
    # move its version: last_seq, updated_at), so context and HTML are kept per version of the match
    from_match_alone: bool = False
    # ... and with a model besides (the ratings' threat grid): its version, cheap to ask, is kept by too
    model_version: Callable[[], Any] | None = None

    def __post_init__(self):
        if self.tab not in TABS and self.tab != HEADER:
            raise ValueError(f"region {self.name!r}: unknown tab {self.tab!r}: one of {', '.join(TABS)} or {HEADER}")
        unknown = set(self.refresh) - LIVE_KINDS
        if unknown:
            raise ValueError(f"region {self.name!r}: unknown kinds of change {', '.join(sorted(unknown))}")
        if self.with_request and self.refresh:
            raise ValueError(f"region {self.name!r}: a per-reader region cannot be redrawn by a push to every reader")
        if self.with_request and self.from_match_alone:
            raise ValueError(f"region {self.name!r}: a per-reader region cannot be kept for every reader")

    def context_for(self, obj: Any, request: Any = None) -> dict | None:
        return self.context(obj, request) if self.with_request else self.context(obj)


_REGIONS: dict[str, dict[str, Region]] = {page: {} for page in PAGES}


def register_region(page: str, region: Region) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a region on ``page``."""
    if page not in _REGIONS:
        raise ValueError(f"unknown page {page!r}: one of {', '.join(PAGES)}")
    _REGIONS[page][region.name] = region


def regions_of(page: str) -> list[Region]:
    """Every region registered on ``page``, in order."""
    return sorted(_REGIONS[page].values(), key=lambda region: (region.order, region.name))


def region(page: str, name: str) -> Region:
    try:
        return _REGIONS[page][name]
    except KeyError:
        raise ValueError(f"unknown region {name!r} on the {page} page") from None


def refreshed_by(kind: str) -> tuple[str, ...]:
    """The match page's regions a change of ``kind`` redraws ("state": every live region)."""
    return tuple(region.name for region in regions_of("match")
                 if region.refresh and (kind == "state" or kind in region.refresh))


def cards_for(page: str, obj: Any, request: Any = None) -> list[dict]:
    """The page's regions that have something to show: ``[{"name", "template", "context"}]``, in order."""
    shown = []
    for card in regions_of(page):
        context = card.context_for(obj, request)
        if context is not None:
            shown.append({"name": card.name, "template": card.template, "context": context})
    return shown
