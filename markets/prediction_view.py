"""The match page's prediction card: our model beside the market.

One query: the match's latest prediction of each kind of model (Dixon-Coles, and Elo beside
it when present). The market's side comes from the odds summary the page has already built
(``markets.match_odds.odds_summary``), so the card adds no query for the odds.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from markets import value_bets
from markets.models import Prediction, RatingModel
from markets.walk_forward import day_start
from matches.models import Match

Kind = RatingModel.Kind


@dataclass
class PredictionCard:
    match: Match
    lead: Prediction  # Dixon-Coles, else Elo: the model the outcomes are priced by
    elo: Prediction | None  # shown beside Dixon-Coles (None when it leads or is missing)
    outcomes: list[value_bets.Outcome]
    elo_probabilities: dict[str, float] = field(default_factory=dict)
    has_market: bool = False
    method_label: str = ""
    odds_url: str = ""
    value_bets_url: str = ""

    @property
    def model(self) -> RatingModel:
        return self.lead.model

    @property
    def played(self) -> bool:
        """The match is over: the card shows what we said before it beside what happened."""
        match = self.match
        return match.status == Match.Status.FINISHED and match.home_score is not None and match.away_score is not None

    @property
    def outcome_key(self) -> str | None:
        """What happened: "home", "draw" or "away" (None before the end)."""
        if not self.played:
            return None
        home, away = self.match.home_score, self.match.away_score
        return "home" if home > away else "away" if away > home else "draw"

    @property
    def outcome_probability(self) -> float | None:
        """Our probability of what happened."""
        key = self.outcome_key
        return next((outcome.probability for outcome in self.result if outcome.key == key), None)

    @property
    def walk(self) -> dict | None:
        """For a prediction of the past walked forward (``predictions.predict_history``): how it was made."""
        return (self.model.metrics or {}).get("walk_forward")

    @property
    def known_until(self) -> dt.date:
        """The last day whose results the prediction could know: the day before kick-off (UTC), for a walked
        prediction; for one made by the daily refit, the day of the latest result its model saw."""
        if self.walk or self.model.trained_through is None:
            return day_start(self.match.kickoff).date() - dt.timedelta(days=1)
        return self.model.trained_through.date()

    @property
    def result(self) -> list[value_bets.Outcome]:
        return [outcome for outcome in self.outcomes if outcome.key in value_bets.RESULT_KEYS]

    @property
    def rows(self) -> list[tuple[value_bets.Outcome, float | None]]:
        """Each outcome with Elo's probability of it (None for over/under, which Elo does not price)."""
        return [(outcome, self.elo_probabilities.get(outcome.key)) for outcome in self.outcomes]

    @property
    def expected_goals(self) -> tuple[float, float] | None:
        home, away = self.lead.expected_home_goals, self.lead.expected_away_goals
        return None if home is None or away is None else (home, away)

    @property
    def likely_scores(self) -> list[tuple[int, int, float]]:
        return [(int(home), int(away), probability) for home, away, probability in self.lead.likely_scores[:5]]


def latest_predictions(match: Match) -> dict[str, Prediction]:
    """The match's prediction by the latest version of each kind of model, with the model (one query)."""
    found = value_bets.latest_per_kind(Prediction.objects.filter(match_id=match.pk)).select_related("model")
    return {prediction.model.kind: prediction for prediction in found}


def prediction_summary(match: Match, odds_summary: dict | None = None) -> PredictionCard | None:
    """What the match page shows of our prediction, beside the odds summary's market (one query).

    None when no model has predicted the match.
    """
    latest = latest_predictions(match)
    lead = latest.get(Kind.DIXON_COLES) or latest.get(Kind.ELO)
    if lead is None:
        return None
    elo = latest.get(Kind.ELO) if lead.model.kind != Kind.ELO else None
    boards = odds_summary["boards"] if odds_summary else []
    result, totals = value_bets.market_boards(boards)
    card = PredictionCard(
        match=match, lead=lead, elo=elo, outcomes=value_bets.outcomes(match, lead, result, totals),
        has_market=bool(boards), method_label=odds_summary["method_label"] if odds_summary else "",
        odds_url=reverse("markets:match-odds", args=[match.pk]), value_bets_url=reverse("markets:value-bets"),
    )
    if card.played:  # the value-bet list of the match's day, as it stood that morning
        card.value_bets_url += f"?as_of={timezone.localtime(match.kickoff).date().isoformat()}"
    if elo is not None:
        card.elo_probabilities = {"home": elo.home, "draw": elo.draw, "away": elo.away}
    return card
