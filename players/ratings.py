"""Player ratings 0-10 per match from the events (placeholder interface: being written now).

``match_ratings(state)`` takes the match page's ``matches.fragments.MatchState`` and returns
player id -> PlayerRating for everyone who played; memoised on the state under "ratings".
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlayerRating:
    player_id: int
    side: str | None  # "home" or "away"
    rating: float  # 0-10, one decimal
    player_of_the_match: bool = False


def match_ratings(state) -> dict[int, PlayerRating]:
    return state.memo("ratings", dict)
