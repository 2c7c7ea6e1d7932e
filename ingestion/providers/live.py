"""What a provider's live poll says about one match, in our terms, whatever the provider."""

from __future__ import annotations

from dataclasses import dataclass, field

from matches.records import EventRecord


@dataclass(frozen=True)
class LiveState:
    status: str  # a Match.Status value
    period: str = ""  # a Match.Period value while live
    minute: int | None = None
    added: int | None = None  # 45+2: 2


@dataclass
class LiveUpdate:
    source: str
    external_id: str  # the provider's match id
    state: LiveState
    home_score: int | None = None
    away_score: int | None = None
    events: list[EventRecord] = field(default_factory=list)
    # False for providers that report the score but not who scored (football-data.org's free tier).
    sends_events: bool = True
