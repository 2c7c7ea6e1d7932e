"""Cards other apps add to the pages ``matches/`` draws, without ``matches/`` importing them.

Dependencies point one way (DESIGN.md §2): ``players/``, ``markets/`` and ``fantasy/`` build on
``matches/``, so a card about availability or an FPL price cannot be imported by the match,
team or player page. Instead each app registers its cards in its ``AppConfig.ready()``, as
Django's admin registers models, and the page asks ``cards_for(page, obj)``:

    # players/apps.py
    regions.register_card("match", regions.Card("availability", "players/partials/_availability.html",
                                                 availability.match_card, order=40))

A card's ``context`` takes the page's object (a Match; the team page's ``TeamRequest``, with
``team`` and ``season``; a Player; the competition page's ``StandingsRequest``) and returns the
template's context, or None when it has nothing to show (the card is then left out, not
drawn as a placeholder). Each card costs the queries its context makes: keep them bounded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PAGES = ("match", "team", "player", "competition")


@dataclass(frozen=True)
class Card:
    name: str  # stable element id on the page: "availability"
    template: str
    context: Callable[[Any], dict | None]
    order: int = 100  # smaller first


_CARDS: dict[str, dict[str, Card]] = {page: {} for page in PAGES}


def register_card(page: str, card: Card) -> None:
    """Add (or replace, by name: ready() may run twice in tests) a card on ``page``."""
    if page not in _CARDS:
        raise ValueError(f"unknown page {page!r}: one of {', '.join(PAGES)}")
    _CARDS[page][card.name] = card


def cards_for(page: str, obj: Any) -> list[dict]:
    """The page's cards that have something to show: ``[{"name", "template", "context"}]``, in order."""
    shown = []
    for card in sorted(_CARDS[page].values(), key=lambda card: (card.order, card.name)):
        context = card.context(obj)
        if context is not None:
            shown.append({"name": card.name, "template": card.template, "context": context})
    return shown
