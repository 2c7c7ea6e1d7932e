"""Our predictions against the market: each outcome's probability beside the bookmakers', and the
value-bet list (/markets/value-bets/) with its CSV.

An outcome (home, draw, away; over and under 2.5 goals) is a value bet when our probability
times the best price on offer beats 1 by the edge the user picks: ``p × price > 1 + edge``.

Decisions worth knowing:

- Our probability is the match's prediction by the latest Dixon-Coles version (the highest
  version that predicted it); under 2.5 is ``1 − over 2.5``. Elo forecasts the result only,
  so the value-bet list uses Dixon-Coles alone; the match page shows Elo beside it.
- The best price is the highest latest price among real bookmakers, as on the odds summary
  (``markets.match_odds``): their closing quote, else their newest snapshot, else their
  pre-match quote. Aggregates (the market maximum and average) are never a price one can
  take: the maximum gathers prices from several bookmakers.
- The market's fair probability is the consensus the odds summary shows: the mean of the
  real bookmakers' books with the margin removed (Shin).
- Expected value per unit staked is ``p × price − 1``; the Kelly fraction of the bankroll
  is ``(p × price − 1) / (price − 1)``. Quarter Kelly is shown too: the full fraction
  assumes our probability is exact, which no model's is.

The list takes three queries whatever the number of matches and bookmakers: the competitions
to filter by, the upcoming matches' latest predictions (with their match, teams and model),
and every 1X2 and over/under 2.5 quote of those matches.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django import forms
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone

from markets import odds
from markets.match_odds import SUMMARY_TOTALS_LINE, Board, build_boards
from markets.models import OddsQuote, Prediction, RatingModel
from matches.models import Competition, Match
from matches.tables import Column, query

Market = OddsQuote.Market

DEFAULT_EDGE = 0.05
METHOD = odds.DEFAULT_METHOD

RESULT_KEYS = ("home", "draw", "away")
TOTALS_KEYS = ("over", "under")


# --------------------------------------------------------------------------- model beside market


@dataclass(frozen=True)
class Outcome:
    """One outcome as our model and the market see it."""

    key: str  # "home", "draw", "away", "over" or "under"
    label: str
    probability: float | None  # ours
    market: float | None = None  # the bookmakers' consensus, margin removed
    best_price: float | None = None  # the best latest price among real bookmakers
    bookmakers: tuple[str, ...] = ()  # who offers it

    @property
    def fair_odds(self) -> float | None:
        """The price at which a bet on our probability breaks even: 1 / p."""
        return 1.0 / self.probability if self.probability else None

    @property
    def expected_value(self) -> float | None:
        """Per unit staked at the best price: p × price − 1."""
        if self.probability is None or self.best_price is None:
            return None
        return self.probability * self.best_price - 1.0

    @property
    def kelly(self) -> float | None:
        """The share of the bankroll Kelly stakes: (p × price − 1) / (price − 1); 0 without an edge."""
        value = self.expected_value
        if value is None:
            return None
        return max(value, 0.0) / (self.best_price - 1.0)

    @property
    def quarter_kelly(self) -> float | None:
        kelly = self.kelly
        return None if kelly is None else kelly / 4

    def beats(self, edge: float) -> bool:
        value = self.expected_value
        return value is not None and value > edge


def our_probabilities(prediction: Prediction) -> dict[str, float | None]:
    """The prediction per outcome key (over/under unknown for Elo, which forecasts the result only)."""
    over = prediction.over_2_5
    return {"home": prediction.home, "draw": prediction.draw, "away": prediction.away,
            "over": over, "under": None if over is None else 1.0 - over}


def labels(match: Match) -> dict[str, str]:
    line = f"{SUMMARY_TOTALS_LINE.normalize():f}"
    return {"home": match.home_team.display_name, "draw": "Draw", "away": match.away_team.display_name,
            "over": f"Over {line}", "under": f"Under {line}"}


def market_boards(boards: list[Board]) -> tuple[Board | None, Board | None]:
    """The 1X2 board and the over/under 2.5 board among a match's boards."""
    result = next((board for board in boards if board.market == Market.MATCH_ODDS), None)
    totals = next((board for board in boards if board.market == Market.OVER_UNDER
                   and board.line == SUMMARY_TOTALS_LINE), None)
    return result, totals


def outcomes(match: Match, prediction: Prediction, result: Board | None, totals: Board | None) -> list[Outcome]:
    """Every outcome the prediction prices, with the market's view of it where the bookmakers quote it."""
    ours, names = our_probabilities(prediction), labels(match)
    found = []
    for keys, board in ((RESULT_KEYS, result), (TOTALS_KEYS, totals)):
        best = board.best_latest() if board else None
        for index, key in enumerate(keys):
            if ours[key] is None:
                continue
            market = board.consensus[index] if board and board.consensus else None
            price, bookmakers = (best[index][1], tuple(best[index][2])) if best else (None, ())
            found.append(Outcome(key, names[key], ours[key], market, price, bookmakers))
    return found


def latest_per_kind(predictions: QuerySet) -> QuerySet:
    """Each match's prediction by the highest version of each kind of model that predicted it."""
    newest = (Prediction.objects.filter(match_id=OuterRef("match_id"), model__kind=OuterRef("model__kind"))
              .order_by("-model__version", "-pk").values("pk")[:1])
    return predictions.filter(pk=Subquery(newest))


# --------------------------------------------------------------------------- the value-bet list


class EdgeForm(forms.Form):
    """What the list asks for: the edge a bet must beat, and optionally one competition."""

    edge = forms.FloatField(
        required=False, min_value=0, max_value=1,
        error_messages={
            "invalid": "The edge must be a number: a fraction of the stake, 0.05 for 5%.",
            "min_value": "The edge cannot be negative: 0 lists every bet worth more than it costs.",
            "max_value": "The edge is a fraction of the stake (0.05 is 5%%), at most 1.",  # "%%": Django formats it with the limit
        },
    )
    competition = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None,
        error_messages={"invalid_choice": "No upcoming match of that competition has a prediction."},
    )

    def __init__(self, data, competitions: list[Competition]):
        super().__init__(data)
        self.fields["competition"].choices = [("", "All competitions")] + [
            (str(competition.pk), competition.name) for competition in competitions]

    def clean_edge(self) -> float:
        edge = self.cleaned_data["edge"]
        return DEFAULT_EDGE if edge is None else edge


COLUMNS = (
    Column("kickoff", "Kick-off", "Kick-off", numeric=False, descending_first=False),
    Column("match", "Match", "Match", numeric=False, sortable=False),
    Column("competition", "Competition", "Competition", numeric=False, sortable=False),
    Column("selection", "Selection", "Selection", numeric=False, sortable=False),
    Column("probability", "Ours", "Our probability"),
    Column("market", "Market", "Fair market probability"),
    Column("price", "Best", "Best price"),
    Column("bookmaker", "Bookmaker", "Bookmaker", numeric=False, sortable=False),
    Column("ev", "EV", "Expected value"),
    Column("kelly", "Kelly", "Kelly fraction"),
    Column("quarter_kelly", "¼ Kelly", "Quarter Kelly"),
)
DEFAULT_SORT = "ev"


@dataclass(frozen=True)
class Cell:
    """One cell as both the page and the CSV show it (``text``); the page adds a link."""

    text: str
    url: str = ""
    numeric: bool = False


def _percent(value: float | None) -> str:
    """As the odds_format ``percent`` filter writes it ("4.3%", "−1.2%"), empty when unknown."""
    return "" if value is None else f"{100 * value:.1f}%".replace("-", "\u2212")


def _price(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


@dataclass(frozen=True)
class ValueBet:
    match: Match
    model: RatingModel
    outcome: Outcome
    order: int  # the outcome's place in the match's book: 1, X, 2, over, under

    def sort_value(self, key: str):
        outcome = self.outcome
        return {"kickoff": self.match.kickoff, "probability": outcome.probability, "market": outcome.market,
                "price": outcome.best_price, "ev": outcome.expected_value, "kelly": outcome.kelly,
                "quarter_kelly": outcome.kelly}[key]

    def cells(self) -> list[Cell]:
        match, outcome = self.match, self.outcome
        kickoff = timezone.localtime(match.kickoff)
        return [
            Cell(f"{kickoff:%Y-%m-%d %H:%M}"),
            Cell(f"{match.home_team.display_name} v {match.away_team.display_name}", match.get_absolute_url()),
            Cell(match.competition.name, match.competition.get_absolute_url()),
            Cell(outcome.label, reverse("markets:match-odds", args=[match.pk])),
            Cell(_percent(outcome.probability), numeric=True),
            Cell(_percent(outcome.market), numeric=True),
            Cell(_price(outcome.best_price), numeric=True),
            Cell(", ".join(outcome.bookmakers)),
            Cell(_percent(outcome.expected_value), numeric=True),
            Cell(_percent(outcome.kelly), numeric=True),
            Cell(_percent(outcome.quarter_kelly), numeric=True),
        ]


@dataclass
class ValueBetList:
    edge: float
    competition: Competition | None
    bets: list[ValueBet]
    matches: int  # upcoming matches with a prediction looked at
    sort: str = DEFAULT_SORT
    descending: bool = True

    @property
    def rows(self) -> list[list[Cell]]:
        return [bet.cells() for bet in self.bets]

    def csv_header(self) -> list[str]:
        return [column.title for column in COLUMNS]

    def csv_rows(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.rows]


def competitions_with_predictions() -> list[Competition]:
    """The competitions whose upcoming matches have a Dixon-Coles prediction (one query)."""
    return list(Competition.objects.filter(
        matches__status=Match.Status.SCHEDULED,
        matches__predictions__model__kind=RatingModel.Kind.DIXON_COLES,
    ).distinct().order_by("name"))


def upcoming_predictions(competition: Competition | None = None) -> list[Prediction]:
    """Each upcoming match's latest Dixon-Coles prediction, with the match and its teams (one query)."""
    predictions = Prediction.objects.filter(match__status=Match.Status.SCHEDULED,
                                            model__kind=RatingModel.Kind.DIXON_COLES)
    if competition is not None:
        predictions = predictions.filter(match__competition=competition)
    return list(latest_per_kind(predictions)
                .select_related("model", "match__competition", "match__home_team", "match__away_team")
                .order_by("match__kickoff", "match_id"))


def quotes_by_match(match_ids: list[int]) -> dict[int, list[OddsQuote]]:
    """Every 1X2 and over/under 2.5 quote of the matches, with its bookmaker (one query)."""
    found: dict[int, list[OddsQuote]] = defaultdict(list)
    if not match_ids:
        return found
    quotes = OddsQuote.objects.filter(
        Q(market=Market.MATCH_ODDS) | Q(market=Market.OVER_UNDER, line=SUMMARY_TOTALS_LINE),
        match_id__in=match_ids,
    ).select_related("bookmaker")
    for quote in quotes:
        found[quote.match_id].append(quote)
    return found


def value_bets(edge: float = DEFAULT_EDGE, competition: Competition | None = None, *,
               sort: str = DEFAULT_SORT, descending: bool = True) -> ValueBetList:
    """Every outcome of an upcoming match whose expected value at the best price beats ``edge``."""
    predictions = upcoming_predictions(competition)
    quotes = quotes_by_match([prediction.match_id for prediction in predictions])
    bets = []
    for prediction in predictions:
        match = prediction.match
        if not quotes.get(match.pk):
            continue
        result, totals = market_boards(build_boards(match, quotes[match.pk], METHOD))
        for order, outcome in enumerate(outcomes(match, prediction, result, totals)):
            if outcome.beats(edge):
                bets.append(ValueBet(match, prediction.model, outcome, order))
    # Sorted on the asked column (best value first by default); level bets stay in kick-off, then book, order.
    bets.sort(key=lambda bet: (bet.match.kickoff, bet.match.pk, bet.order))
    if sort not in {column.key for column in COLUMNS if column.sortable}:
        sort = DEFAULT_SORT
    known = [bet for bet in bets if bet.sort_value(sort) is not None]
    unknown = [bet for bet in bets if bet.sort_value(sort) is None]  # last, whichever the direction
    known.sort(key=lambda bet: bet.sort_value(sort), reverse=descending)
    bets = known + unknown
    return ValueBetList(edge, competition, bets, len(predictions), sort, descending)


@dataclass
class ValueBetRequest:
    form: EdgeForm
    competitions: list[Competition]
    sort: str
    descending: bool
    params: QueryDict

    @property
    def errors(self) -> list[str]:
        return [message for messages in self.form.errors.values() for message in messages]


def read_request(params: QueryDict) -> ValueBetRequest:
    """The edge, competition and order a request asks for (one query: the competitions to choose from)."""
    competitions = competitions_with_predictions()
    form = EdgeForm(params, competitions)
    form.is_valid()
    sortable = {column.key: column for column in COLUMNS if column.sortable}
    sort = params.get("sort", DEFAULT_SORT)
    if sort not in sortable:
        sort = DEFAULT_SORT
    direction = params.get("dir")
    descending = direction == "desc" if direction in ("asc", "desc") else sortable[sort].descending_first
    return ValueBetRequest(form, competitions, sort, descending, params.copy())


def listing(asked: ValueBetRequest) -> ValueBetList:
    """The list the (valid) request asks for."""
    chosen = asked.form.cleaned_data.get("competition")
    competition = next((item for item in asked.competitions if item.pk == chosen), None)
    return value_bets(asked.form.cleaned_data["edge"], competition, sort=asked.sort, descending=asked.descending)


def page_context(asked: ValueBetRequest) -> dict:
    """Everything the value-bet page shows."""
    context = {
        "form": asked.form,
        "competitions": asked.competitions,
        "errors": asked.errors,
        "raw_edge": asked.params.get("edge", ""),
        "chosen_competition": asked.params.get("competition", ""),
        "kept_params": [(name, asked.params[name]) for name in ("sort", "dir") if asked.params.get(name)],
        "default_edge": DEFAULT_EDGE,
        "method_label": odds.METHOD_LABELS[METHOD],
    }
    if asked.errors:
        return context
    found = listing(asked)
    headers = []
    for column in COLUMNS:
        current = column.key == found.sort
        descending = not found.descending if current else column.descending_first
        headers.append({
            "column": column,
            "url": query(asked.params, sort=column.key, dir="desc" if descending else "asc") if column.sortable else "",
            "aria_sort": ("descending" if found.descending else "ascending") if current else "",
        })
    context.update(
        found=found,
        rows=found.rows,
        headers=headers,
        edge_percent=_percent(found.edge),
        csv_url=reverse("markets:value-bets-csv") + query(asked.params),
    )
    return context


def csv_filename(found: ValueBetList, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    scope = f"-{found.competition.pk}" if found.competition else ""
    return f"value-bets{scope}-edge-{100 * found.edge:g}pc-{today:%Y-%m-%d}.csv"
