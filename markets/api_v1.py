"""markets/' part of the public API (/api/v1/, quantfoot/api.py): a match's odds history and
predictions, a player's market-value history, value bets.

Value bets are ``markets.value_bets.value_bets`` (the same list as /markets/value-bets/); values are
the stored ``PlayerValue`` history (markets.valuation writes it).
"""

import datetime as dt
from typing import List

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from markets import value_bets as bets
from markets.models import OddsQuote, PlayerValue, Prediction
from matches.api_v1 import Ref, TeamRef
from matches.models import Competition, Match
from players.models import Player
from quantfoot.api_support import OptionalText, Pagination, day_bounds
from quantfoot.params import MAX_INT

router = Router()


def _match_id(match_id: int) -> int:
    if not Match.objects.filter(pk=match_id).exists():
        raise Http404(f"no match with id {match_id}")
    return match_id


class BookmakerOut(Schema):
    code: str
    name: str
    is_aggregate: bool


class PricesOut(Schema):
    home: float | None
    draw: float | None
    away: float | None
    over: float | None
    under: float | None


class OddsOut(Schema):
    bookmaker: BookmakerOut
    market: str
    line: float
    phase: str
    taken_at: dt.datetime | None
    prices: PricesOut
    source: str

    @staticmethod
    def resolve_line(obj) -> float:
        return float(obj.line)

    @staticmethod
    def resolve_prices(obj):
        return {"home": obj.home, "draw": obj.draw, "away": obj.away, "over": obj.over, "under": obj.under}


class ModelOut(Schema):
    id: int
    kind: str
    version: int
    fitted_at: dt.datetime
    trained_through: dt.datetime | None


class LikelyScore(Schema):
    home: int
    away: int
    probability: float


class PredictionOut(Schema):
    model: ModelOut
    home: float
    draw: float
    away: float
    over_2_5: float | None
    expected_home_goals: float | None
    expected_away_goals: float | None
    likely_scores: List[LikelyScore]
    created_at: dt.datetime

    @staticmethod
    def resolve_likely_scores(obj):
        return [{"home": home, "away": away, "probability": probability}
                for home, away, probability in obj.likely_scores or []]


class PlayerValueOut(Schema):
    as_of: dt.date
    value_eur: int
    kind: str
    match: int | None
    model_version: int
    team: Ref | None
    competition: Ref | None
    position: OptionalText
    age: int | None
    is_current: bool

    @staticmethod
    def resolve_match(obj):
        return obj.match_id

    @staticmethod
    def resolve_model_version(obj):
        return obj.model.version


class BetMatchOut(Schema):
    id: int
    kickoff: dt.datetime
    status: str
    competition: Ref
    home_team: TeamRef
    away_team: TeamRef
    home_score: int | None
    away_score: int | None


class ValueBetOut(Schema):
    match: BetMatchOut
    model: ModelOut
    outcome: str
    label: str
    probability: float | None
    market_probability: float | None
    best_price: float | None
    bookmakers: List[str]
    expected_value: float | None
    kelly: float | None
    quarter_kelly: float | None
    won: bool | None
    profit: float | None


@router.get("/matches/{match_id}/odds", response=List[OddsOut], tags=["matches"])
@paginate(Pagination)
def match_odds(request, match_id: int):
    """Every stored quote of the match: each bookmaker's pre-match, closing and timed snapshot prices."""
    return (OddsQuote.objects.filter(match_id=_match_id(match_id)).select_related("bookmaker")
            .order_by("market", "line", "bookmaker__code", "phase", "taken_at", "pk"))


@router.get("/matches/{match_id}/predictions", response=List[PredictionOut], tags=["matches"])
def match_predictions(request, match_id: int):
    """Every model's forecast for the match, newest version of each kind first."""
    return list(Prediction.objects.filter(match_id=_match_id(match_id)).select_related("model")
                .order_by("model__kind", "-model__version"))


@router.get("/players/{player_id}/values", response=List[PlayerValueOut], tags=["players"])
@paginate(Pagination)
def player_values(request, player_id: int):
    """His market-value history, newest first (weekly values and those after each match he played)."""
    if not Player.objects.filter(pk=player_id).exists():
        raise Http404(f"no player with id {player_id}")
    return (PlayerValue.objects.filter(player_id=player_id).select_related("model", "team", "competition")
            .order_by("-as_of", "-pk"))


@router.get("/value-bets", response=List[ValueBetOut], tags=["markets"])
@paginate(Pagination)
def value_bets(request,
               date: dt.date | None = Query(None, description="The list as it stood that morning, for the week "
                                            "from it, with results; absent: upcoming matches."),
               competition: int | None = Query(None, ge=1, le=MAX_INT, description="A competition id."),
               edge: float = Query(bets.DEFAULT_EDGE, ge=0, le=1, allow_inf_nan=False,
                                   description="Expected value a bet must beat, a fraction of the stake.")):
    """Outcomes whose probability by our latest Dixon-Coles model times the best price beats 1 + edge."""
    day = day_bounds("date", date)
    chosen = None
    if competition is not None:
        chosen = Competition.objects.filter(pk=competition).first()
        if chosen is None:
            raise Http404(f"competition: no competition with id {competition}")
    found = bets.value_bets(edge, chosen, as_of=day)
    return [
        {"match": bet.match, "model": bet.model, "outcome": bet.outcome.key, "label": bet.outcome.label,
         "probability": bet.outcome.probability, "market_probability": bet.outcome.market,
         "best_price": bet.outcome.best_price, "bookmakers": list(bet.outcome.bookmakers),
         "expected_value": bet.outcome.expected_value, "kelly": bet.outcome.kelly,
         "quarter_kelly": bet.outcome.quarter_kelly, "won": bet.won, "profit": bet.profit}
        for bet in found.bets
    ]
