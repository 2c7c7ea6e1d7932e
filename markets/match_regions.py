"""markets' regions (matches/regions.py): the match page's win probability, market values, odds and prediction,
and the player page's market value.

``matches/`` draws the page without importing us; ``MarketsConfig.ready`` registers these.
"""

from __future__ import annotations

from markets import inplay, valuation_live
from markets.match_odds import odds_summary
from markets.prediction_view import prediction_summary
from markets.valuation_pages import player_value_card
from matches import regions
from matches.models import Match


def _odds(state) -> dict | None:
    """The odds board's summary, shared with the prediction (one query)."""
    return state.memo("odds_summary", lambda: odds_summary(state.match))


def winprob_context(state) -> dict:
    """Two queries at most: the odds (shared with the odds tab) and the prediction or averages; the key events are
    the page's."""
    match = state.match
    expectation = inplay.pre_match_expectation(match, _odds(state))
    # The curve walks every minute: once per version of the match and prior.
    return {"winprob": state.cached(("winprob", expectation),
                                    lambda: inplay.probability_series(match, state.listed, expectation))}


def values_context(state) -> dict | None:
    """Two queries once there is play (line-ups and stored values); None until a value has moved."""
    if state.match.status == Match.Status.SCHEDULED:
        return None
    moves = valuation_live.live_values(state.match, events=state.listed)
    return {"value_moves": moves} if moves else None


def odds_context(state) -> dict | None:
    summary = _odds(state)
    return {"odds_summary": summary} if summary else None


def prediction_context(state) -> dict | None:
    prediction = prediction_summary(state.match, _odds(state))
    return {"prediction": prediction} if prediction else None


def register() -> None:
    for region in (
        regions.Region("winprob", "markets/partials/_winprob.html", winprob_context, order=30, title="Win probability",
                       refresh=frozenset({"score_update", "match_event", "match_status", "clock"})),
        regions.Region("values", "markets/partials/_values.html", values_context, order=10, tab="values",
                       title="Market values", refresh=frozenset({"score_update", "match_event", "match_status"})),
        regions.Region("odds", "markets/partials/_odds_summary.html", odds_context, order=10, tab="odds"),
        regions.Region("prediction", "markets/partials/_prediction.html", prediction_context, order=20, tab="odds"),
    ):
        regions.register_region("match", region)
    regions.register_region("player", regions.Region("value", "markets/partials/_player_value.html", player_value_card,
                                                     order=10))
