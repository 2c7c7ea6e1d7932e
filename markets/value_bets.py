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

The list as of a past day (``?as_of=2024-04-20``): the bets the list would have shown that
morning, for the matches of the week from that day (the day and the six after it), with the
result and the profit of each once played. What was known then, and nothing later: the
prediction made before the match's own kick-off day (the daily refit's, or the walk forward
of ``predictions.predict_history`` for matches played before we stored any), and only the
prices quoted before that day began: the bookmakers' opening (pre-match) prices and any
snapshot taken earlier, never the closing ones. A prediction for a match later in the week
may know the results of the days between (the bet is placed on its day, from what was known
before it). This is how an analyst replays the list on any day of the stored seasons, and how
the demo, whose data ends in May 2024, shows a list at all: the empty list offers the latest
week with bets (``suggested_as_of``).
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
from quantfoot import params as read

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
    as_of = forms.DateField(
        required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "The date must be a day as YYYY-MM-DD, such as 2024-04-20."},
    )

    def __init__(self, data, competitions: list[Competition]):
        super().__init__(data)
        self.fields["competition"].choices = [("", "All competitions")] + [
            (str(competition.pk), competition.name) for competition in competitions]

    def clean_edge(self) -> float:
        edge = self.cleaned_data["edge"]
        if not self.data.get("edge", "").isascii():  # float() also reads "١" (Arabic-Indic one)
            raise forms.ValidationError(self.fields["edge"].error_messages["invalid"])
        return DEFAULT_EDGE if edge is None else edge

    def clean_as_of(self) -> dt.date | None:
        """The site's strict day (quantfoot/params.py): ASCII YYYY-MM-DD, and a week after it still a date."""
        raw = self.data.get("as_of", "")
        if not raw:
            return None
        try:
            return read.parse_date("as_of", raw)
        except read.BadRequestParameter:
            day = self.cleaned_data.get("as_of")
            if day is None or not raw.isascii():
                raise forms.ValidationError(self.fields["as_of"].error_messages["invalid"]) from None
            raise forms.ValidationError(
                f"The date must be a day from {read.EARLIEST:%Y-%m-%d} to {read.LATEST:%Y-%m-%d}.") from None


AS_OF_DAYS = 7  # the week from the chosen day: one round of a league, midweek games included

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
# As of a past day, once the matches are played.
RESULT_COLUMNS = (
    Column("result", "Result", "Result", numeric=False, sortable=False),
    Column("profit", "Profit", "Profit per unit staked"),
)
DEFAULT_SORT = "ev"


def columns(as_of: dt.date | None) -> tuple[Column, ...]:
    return COLUMNS + RESULT_COLUMNS if as_of else COLUMNS


@dataclass(frozen=True)
class Cell:
    """One cell as both the page and the CSV show it (``text``); the page adds a link."""

    text: str
    url: str = ""
    numeric: bool = False
    # The page keeps ``text`` (the CSV's) in a {% local_time %} that the browser rewrites in the reader's zone.
    when: dt.datetime | None = None


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
                "quarter_kelly": outcome.kelly, "profit": self.profit}[key]

    @property
    def won(self) -> bool | None:
        """Whether the outcome happened; None until the match is over."""
        match = self.match
        if match.status != Match.Status.FINISHED or match.home_score is None or match.away_score is None:
            return None
        home, away = match.home_score, match.away_score
        return {"home": home > away, "draw": home == away, "away": away > home,
                "over": home + away > 2.5, "under": home + away < 2.5}[self.outcome.key]

    @property
    def profit(self) -> float | None:
        """Per unit staked at the listed price: price − 1 when it won, −1 when it lost; None until played."""
        won = self.won
        if won is None:
            return None
        return self.outcome.best_price - 1.0 if won else -1.0

    def result_cells(self) -> list[Cell]:
        match, profit = self.match, self.profit
        if profit is None:
            return [Cell("not played"), Cell("")]
        score = f"{match.home_score}–{match.away_score}, {'won' if self.won else 'lost'}"
        return [Cell(score, match.get_absolute_url()), Cell(f"{profit:+.2f}".replace("-", "\u2212"), numeric=True)]

    def cells(self) -> list[Cell]:
        match, outcome = self.match, self.outcome
        kickoff = timezone.localtime(match.kickoff)
        return [
            Cell(f"{kickoff:%Y-%m-%d %H:%M}", when=match.kickoff),
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
    as_of: dt.date | None = None  # the list as it stood that morning (None: today's)

    @property
    def columns(self) -> tuple[Column, ...]:
        return columns(self.as_of)

    @property
    def rows(self) -> list[list[Cell]]:
        if self.as_of:
            return [bet.cells() + bet.result_cells() for bet in self.bets]
        return [bet.cells() for bet in self.bets]

    @property
    def until(self) -> dt.date | None:
        """The last day of the week listed as of ``as_of``."""
        return self.as_of + dt.timedelta(days=AS_OF_DAYS - 1) if self.as_of else None

    @property
    def settled(self) -> list[ValueBet]:
        return [bet for bet in self.bets if bet.profit is not None]

    @property
    def staked(self) -> int:
        """Units staked: one on each settled bet (flat stakes)."""
        return len(self.settled)

    @property
    def profit(self) -> float:
        return sum(bet.profit for bet in self.settled)

    @property
    def roi(self) -> float | None:
        return self.profit / self.staked if self.staked else None

    def csv_header(self) -> list[str]:
        return [column.title for column in self.columns]

    def csv_rows(self) -> list[list[str]]:
        return [[cell.text for cell in row] for row in self.rows]


def competitions_with_predictions(*, past_too: bool = False) -> list[Competition]:
    """The competitions whose upcoming matches (``past_too``: any of their matches) have a Dixon-Coles
    prediction (one query)."""
    statuses = [Match.Status.SCHEDULED] + ([Match.Status.FINISHED] if past_too else [])
    return list(Competition.objects.filter(
        matches__status__in=statuses,
        matches__predictions__model__kind=RatingModel.Kind.DIXON_COLES,
    ).distinct().order_by("name"))


def week_from(as_of: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The start of ``as_of`` (local midnight) and of the day after the week from it."""
    start = timezone.make_aware(dt.datetime.combine(as_of, dt.time(0)))
    return start, timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=AS_OF_DAYS), dt.time(0)))


def upcoming_predictions(competition: Competition | None = None, as_of: dt.date | None = None) -> list[Prediction]:
    """Each upcoming match's latest Dixon-Coles prediction, with the match and its teams (one query).

    ``as_of``: the matches that were still to come that morning, in the week from it, played since or not.
    """
    if as_of is None:
        predictions = Prediction.objects.filter(match__status=Match.Status.SCHEDULED)
    else:
        start, end = week_from(as_of)
        predictions = Prediction.objects.filter(match__status__in=[Match.Status.SCHEDULED, Match.Status.FINISHED],
                                                match__kickoff__gte=start, match__kickoff__lt=end)
    predictions = predictions.filter(model__kind=RatingModel.Kind.DIXON_COLES)
    if competition is not None:
        predictions = predictions.filter(match__competition=competition)
    return list(latest_per_kind(predictions)
                .select_related("model", "match__competition", "match__home_team", "match__away_team")
                .order_by("match__kickoff", "match_id"))


def quotes_by_match(match_ids: list[int], known_before: dt.datetime | None = None) -> dict[int, list[OddsQuote]]:
    """Every 1X2 and over/under 2.5 quote of the matches, with its bookmaker (one query).

    ``known_before``: only the prices known then: opening (pre-match) quotes and snapshots taken earlier.
    """
    found: dict[int, list[OddsQuote]] = defaultdict(list)
    if not match_ids:
        return found
    quotes = OddsQuote.objects.filter(
        Q(market=Market.MATCH_ODDS) | Q(market=Market.OVER_UNDER, line=SUMMARY_TOTALS_LINE),
        match_id__in=match_ids,
    )
    if known_before is not None:
        quotes = quotes.filter(Q(phase=OddsQuote.Phase.PRE_MATCH)
                               | Q(phase=OddsQuote.Phase.SNAPSHOT, taken_at__lt=known_before))
    quotes = quotes.select_related("bookmaker")
    for quote in quotes:
        found[quote.match_id].append(quote)
    return found


def value_bets(edge: float = DEFAULT_EDGE, competition: Competition | None = None, *,
               sort: str = DEFAULT_SORT, descending: bool = True, as_of: dt.date | None = None) -> ValueBetList:
    """Every outcome of an upcoming match whose expected value at the best price beats ``edge``
    (``as_of``: of the week from that day, at the prices known before it began)."""
    predictions = upcoming_predictions(competition, as_of)
    quotes = quotes_by_match([prediction.match_id for prediction in predictions],
                             week_from(as_of)[0] if as_of else None)
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
    if sort not in {column.key for column in columns(as_of) if column.sortable}:
        sort = DEFAULT_SORT
    known = [bet for bet in bets if bet.sort_value(sort) is not None]
    unknown = [bet for bet in bets if bet.sort_value(sort) is None]  # last, whichever the direction
    known.sort(key=lambda bet: bet.sort_value(sort), reverse=descending)
    bets = known + unknown
    return ValueBetList(edge, competition, bets, len(predictions), sort, descending, as_of)


def suggested_as_of(edge: float = DEFAULT_EDGE, *, weeks: int = 8) -> dt.date | None:
    """The latest week of stored matches whose list as of its first day has bets: what the empty list of
    upcoming bets offers instead (the demo's data ends in May 2024). None when no week in the last
    ``weeks`` predicted ones has any."""
    last = (Prediction.objects.filter(match__status=Match.Status.FINISHED, model__kind=RatingModel.Kind.DIXON_COLES)
            .order_by("-match__kickoff").values_list("match__kickoff", flat=True).first())
    if last is None:
        return None
    day = timezone.localtime(last).date() - dt.timedelta(days=AS_OF_DAYS - 1)
    for _ in range(weeks):
        if value_bets(edge, as_of=day).bets:
            return day
        day -= dt.timedelta(days=AS_OF_DAYS)
    return None


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
    """The edge, competition, day and order a request asks for (one query: the competitions to choose from)."""
    competitions = competitions_with_predictions(past_too=bool(params.get("as_of")))
    form = EdgeForm(params, competitions)
    form.is_valid()
    sort, descending = read.sort(
        params, {column.key: column.descending_first for column in COLUMNS + RESULT_COLUMNS if column.sortable},
        DEFAULT_SORT)
    return ValueBetRequest(form, competitions, sort, descending, params.copy())


def listing(asked: ValueBetRequest) -> ValueBetList:
    """The list the (valid) request asks for."""
    chosen = asked.form.cleaned_data.get("competition")
    competition = next((item for item in asked.competitions if item.pk == chosen), None)
    return value_bets(asked.form.cleaned_data["edge"], competition, sort=asked.sort, descending=asked.descending,
                      as_of=asked.form.cleaned_data.get("as_of"))


def page_context(asked: ValueBetRequest) -> dict:
    """Everything the value-bet page shows."""
    context = {
        "form": asked.form,
        "competitions": asked.competitions,
        "errors": asked.errors,
        "raw_edge": asked.params.get("edge", ""),
        "chosen_competition": asked.params.get("competition", ""),
        "raw_as_of": asked.params.get("as_of", ""),
        "kept_params": [(name, asked.params[name]) for name in ("sort", "dir") if asked.params.get(name)],
        "default_edge": DEFAULT_EDGE,
        "method_label": odds.METHOD_LABELS[METHOD],
    }
    if asked.errors:
        return context
    found = listing(asked)
    headers = []
    for column in found.columns:
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
        profit_text=f"{found.profit:+.2f}".replace("-", "\u2212"),
        roi_percent=_percent(found.roi),
    )
    if not found.bets and found.as_of is None:  # nothing upcoming (the demo's data is past): offer a past week
        suggested = suggested_as_of(found.edge)
        if suggested:
            context["suggested_as_of"] = suggested
            context["suggested_url"] = reverse("markets:value-bets") + query(asked.params, as_of=suggested.isoformat())
    return context


def csv_filename(found: ValueBetList, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    scope = f"-{found.competition.pk}" if found.competition else ""
    day = found.as_of or today
    return f"value-bets{scope}-edge-{100 * found.edge:g}pc-{day:%Y-%m-%d}.csv"
