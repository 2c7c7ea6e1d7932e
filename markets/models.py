"""Everything priced: bookmakers and the odds they quoted on matches; our team ratings and predictions."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.lookups import GreaterThanOrEqual, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone

from matches.models import Source


class Bookmaker(models.Model):
    """A bookmaker, or a market aggregate (the maximum or average over many bookmakers)."""

    code = models.CharField(max_length=20, unique=True, help_text='Short code as in football-data.co.uk: "B365", "PS".')
    name = models.CharField(max_length=80)
    is_aggregate = models.BooleanField(default=False, help_text="Market maximum or average, not a real bookmaker.")

    class Meta:
        ordering = ["is_aggregate", "name"]

    def __str__(self):
        return self.name


class OddsQuote(models.Model):
    """One bookmaker's prices for every selection of one market, at one moment.

    A row holds the whole book (home/draw/away, over/under, or the two sides of an
    Asian handicap) so that its margin can be read and removed from the row alone.
    File sources give a pre-match and a closing quote with no timestamp; API snapshots
    carry ``taken_at``. ``line`` is the goal line of over/under and the home side's
    handicap of an Asian handicap (0 for 1X2). Prices are decimal odds.
    """

    class Market(models.TextChoices):
        MATCH_ODDS = "1x2", "Match result (1X2)"
        OVER_UNDER = "over_under", "Over/under goals"
        ASIAN_HANDICAP = "asian_handicap", "Asian handicap"

    class Phase(models.TextChoices):
        PRE_MATCH = "pre_match", "Pre-match"
        CLOSING = "closing", "Closing"
        SNAPSHOT = "snapshot", "Snapshot"

    # The price fields each market fills; the others stay empty.
    SELECTIONS = {
        Market.MATCH_ODDS: ("home", "draw", "away"),
        Market.OVER_UNDER: ("over", "under"),
        Market.ASIAN_HANDICAP: ("home", "away"),
    }

    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="odds")
    bookmaker = models.ForeignKey(Bookmaker, on_delete=models.PROTECT, related_name="quotes")
    market = models.CharField(max_length=16, choices=Market.choices)
    line = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    phase = models.CharField(max_length=10, choices=Phase.choices)
    home = models.FloatField(null=True, blank=True)
    draw = models.FloatField(null=True, blank=True)
    away = models.FloatField(null=True, blank=True)
    over = models.FloatField(null=True, blank=True)
    under = models.FloatField(null=True, blank=True)
    taken_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32, choices=Source.choices)

    class Meta:
        ordering = ["match", "market", "bookmaker", "phase"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(home__isnull=True) | Q(home__gt=1)) & (Q(draw__isnull=True) | Q(draw__gt=1))
                & (Q(away__isnull=True) | Q(away__gt=1)) & (Q(over__isnull=True) | Q(over__gt=1))
                & (Q(under__isnull=True) | Q(under__gt=1)),
                name="odds_prices_above_one",
            ),
            models.UniqueConstraint(
                fields=["match", "bookmaker", "market", "line", "phase"],
                condition=~Q(phase="snapshot"),
                name="odds_unique_per_phase",
            ),
            models.UniqueConstraint(
                fields=["match", "bookmaker", "market", "line", "taken_at"],
                condition=Q(phase="snapshot"),
                name="odds_unique_per_snapshot",
            ),
            models.CheckConstraint(condition=~Q(phase="snapshot") | Q(taken_at__isnull=False), name="odds_snapshot_timed"),
        ]
        indexes = [models.Index(fields=["match", "market", "phase"])]

    def __str__(self):
        line = f" {self.line}" if self.market != self.Market.MATCH_ODDS else ""
        prices = "/".join(f"{p:g}" if p is not None else "-" for p in self.prices().values())
        return f"{self.bookmaker} {self.get_market_display()}{line} {self.get_phase_display()} {prices}"

    def prices(self) -> dict[str, float | None]:
        """The market's selections and their prices, in book order."""
        return {selection: getattr(self, selection) for selection in self.SELECTIONS[self.market]}


class RatingModel(models.Model):
    """One fitted version of a team-rating model for one competition (``markets.ratings``).

    ``parameters`` is everything needed to forecast again without refitting (ratings per
    team id, home advantage, rho, the time decay, the Elo-to-probability mapping);
    ``metrics`` says how good it was on matches it had not seen (the walk-forward
    validation over its training seasons, beside the closing odds) and how it was tuned.
    Versions count up per competition and kind; the highest is the current one.
    """

    class Kind(models.TextChoices):
        ELO = "elo", "Elo"
        DIXON_COLES = "dixon_coles", "Dixon-Coles"

    competition = models.ForeignKey("matches.Competition", on_delete=models.CASCADE, related_name="rating_models")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    version = models.PositiveIntegerField()
    fitted_at = models.DateTimeField(default=timezone.now)
    trained_through = models.DateTimeField(
        null=True, blank=True, help_text="Kick-off of the latest result the model was fitted on (UTC).")
    training_seasons = models.ManyToManyField("matches.Season", related_name="rating_models", blank=True)
    training_matches = models.PositiveIntegerField(default=0)
    parameters = models.JSONField(help_text="Ratings per team id and the model's constants (markets.ratings).")
    metrics = models.JSONField(
        default=dict, blank=True,
        help_text="Walk-forward RPS, log loss and Brier on unseen matches, ours beside the closing odds; tuning.")

    class Meta:
        ordering = ["competition", "kind", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "kind", "version"], name="rating_model_unique_version"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} v{self.version} ({self.competition})"

    @classmethod
    def latest(cls, competition, kind: str) -> RatingModel | None:
        return cls.objects.filter(competition=competition, kind=kind).order_by("-version").first()


class Prediction(models.Model):
    """A rating model's forecast for one match: result probabilities, goals and likely scores.

    Elo forecasts only the result; ``over_2_5``, the expected goals and ``likely_scores``
    come from the Dixon-Coles score matrix. ``likely_scores`` lists ``[home goals, away
    goals, probability]``, likeliest first.
    """

    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="predictions")
    model = models.ForeignKey(RatingModel, on_delete=models.CASCADE, related_name="predictions")
    home = models.FloatField()
    draw = models.FloatField()
    away = models.FloatField()
    over_2_5 = models.FloatField(null=True, blank=True)
    expected_home_goals = models.FloatField(null=True, blank=True)
    expected_away_goals = models.FloatField(null=True, blank=True)
    likely_scores = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["match", "model"]
        constraints = [
            models.UniqueConstraint(fields=["match", "model"], name="prediction_unique_per_model"),
            models.CheckConstraint(
                condition=Q(home__gte=0, home__lte=1, draw__gte=0, draw__lte=1, away__gte=0, away__lte=1)
                & (Q(over_2_5__isnull=True) | Q(over_2_5__gte=0, over_2_5__lte=1)),
                name="prediction_probabilities_0_to_1",
            ),
            models.CheckConstraint(
                condition=GreaterThanOrEqual(F("home") + F("draw") + F("away"), 0.999)
                & LessThanOrEqual(F("home") + F("draw") + F("away"), 1.001),
                name="prediction_result_sums_to_1",
            ),
        ]

    def __str__(self):
        return f"{self.model}: {self.match} {self.home:.2f}/{self.draw:.2f}/{self.away:.2f}"


class ValuationModel(models.Model):
    """One version of the player valuation model (``markets.valuation``).

    ``parameters`` are the model's constants (base value per position, the age curve, the
    weights of minutes, output, team and league strength, red cards); a version is never
    changed once values point at it, a new fit is a new version. The highest is current.
    """

    version = models.PositiveIntegerField(unique=True)
    description = models.TextField(blank=True)
    parameters = models.JSONField()
    metrics = models.JSONField(default=dict, blank=True,
                               help_text="How it compared with real market values, when it was judged against some.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Valuation model v{self.version}"


class PlayerValue(models.Model):
    """A player's market value on a day, with the inputs and terms that produced it.

    ``weekly`` values come from the Monday job (one per player, model and day: running it
    again rewrites the same rows); ``after_match`` values are recorded when a match he
    played finishes. Together they are his value history; ``is_current`` marks the latest.
    Team, competition, position and age are copied from the inputs for the leaderboard.
    """

    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        AFTER_MATCH = "after_match", "After a match"

    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="values")
    model = models.ForeignKey(ValuationModel, on_delete=models.PROTECT, related_name="values")
    as_of = models.DateField()
    kind = models.CharField(max_length=12, choices=Kind.choices)
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                              help_text="The match an after-match value follows.")
    value_eur = models.PositiveBigIntegerField()
    inputs = models.JSONField(help_text="What the model read: minutes, output, age, team and league.")
    terms = models.JSONField(help_text="The value term by term: [key, label, detail, factor], in order.")
    team = models.ForeignKey("matches.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    competition = models.ForeignKey("matches.Competition", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    position = models.CharField(max_length=2, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)
    is_current = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["player", "as_of", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["player", "model", "as_of"], condition=Q(kind="weekly"),
                                    name="player_value_one_weekly_per_day"),
            models.UniqueConstraint(fields=["player", "match"], condition=Q(kind="after_match"),
                                    name="player_value_one_per_match"),
            models.UniqueConstraint(fields=["player"], condition=Q(is_current=True),
                                    name="player_value_one_current"),
            models.CheckConstraint(condition=Q(kind="weekly") | Q(match__isnull=False),
                                   name="player_value_after_match_has_match"),
        ]
        indexes = [
            models.Index(fields=["is_current", "-value_eur"], name="player_value_board"),
            models.Index(fields=["player", "as_of"], name="player_value_history"),
        ]

    def __str__(self):
        return f"{self.player} €{self.value_eur:,} ({self.as_of})"


class ExchangeMarket(models.Model):
    """One betting-exchange market (Betfair's ``marketId``), as its stream described it last.

    Written by ``import_betfair`` from Exchange Stream API files; the prices over time are
    its runners' ``ExchangeSnapshot`` rows. ``match`` is set when the stream named the event
    and its runners and they are one of our matches (home v away, within a day of kick-off).
    """

    class Exchange(models.TextChoices):
        BETFAIR = "betfair", "Betfair Exchange"

    class Status(models.TextChoices):
        INACTIVE = "INACTIVE", "Inactive"
        OPEN = "OPEN", "Open"
        SUSPENDED = "SUSPENDED", "Suspended"
        CLOSED = "CLOSED", "Closed"

    exchange = models.CharField(max_length=16, choices=Exchange.choices, default=Exchange.BETFAIR)
    market_id = models.CharField(max_length=32, unique=True, help_text='The exchange\'s id: "1.200806927".')
    event_id = models.CharField(max_length=32, blank=True)
    event_name = models.CharField(max_length=200, blank=True, help_text='"Arsenal v Chelsea", when the file names it.')
    event_type_id = models.CharField(max_length=16, blank=True,
                                     help_text='Betfair\'s sport: "1" football, "4" cricket.')
    market_name = models.CharField(max_length=120, blank=True)
    market_type = models.CharField(max_length=60, blank=True, help_text='"MATCH_ODDS", "OVER_UNDER_25" …')
    market_time = models.DateTimeField(null=True, blank=True, help_text="Scheduled start (UTC).")
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    in_play = models.BooleanField(default=False)
    settled_at = models.DateTimeField(null=True, blank=True)
    market_base_rate = models.FloatField(null=True, blank=True,
                                         help_text="Commission on net winnings, in percent (marketBaseRate).")
    match = models.ForeignKey("matches.Match", on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="exchange_markets")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-market_time", "market_id"]
        constraints = [
            models.CheckConstraint(condition=Q(market_base_rate__isnull=True) | Q(market_base_rate__gte=0,
                                                                                market_base_rate__lte=100),
                                   name="exchange_market_base_rate_percent"),
        ]

    def __str__(self):
        return f"{self.event_name or self.market_id} {self.display_name}".strip()

    def get_absolute_url(self):
        return reverse("markets:exchange-market", args=[self.market_id])

    @property
    def display_name(self) -> str:
        """The market's name as the exchange shows it, else its type in words: "Match Odds"."""
        return self.market_name or self.market_type.replace("_", " ").title()


class ExchangeRunner(models.Model):
    """One selection of an exchange market; ``selection`` says which side of a linked match it is."""

    class Status(models.TextChoices):
        ACTIVE = "ACTIVE", "Active"
        WINNER = "WINNER", "Winner"
        LOSER = "LOSER", "Loser"
        PLACED = "PLACED", "Placed"
        REMOVED = "REMOVED", "Removed"
        REMOVED_VACANT = "REMOVED_VACANT", "Removed (vacant)"
        HIDDEN = "HIDDEN", "Hidden"

    class Selection(models.TextChoices):
        HOME = "home", "Home"
        DRAW = "draw", "Draw"
        AWAY = "away", "Away"

    market = models.ForeignKey(ExchangeMarket, on_delete=models.CASCADE, related_name="runners")
    selection_id = models.BigIntegerField()
    handicap = models.FloatField(default=0, help_text="Asian handicap and line markets list a runner once per line.")
    name = models.CharField(max_length=120, blank=True)
    sort_priority = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE)
    selection = models.CharField(max_length=4, choices=Selection.choices, blank=True,
                                 help_text="Home, draw or away, for a linked football Match Odds market.")

    class Meta:
        ordering = ["market", "sort_priority", "selection_id"]
        constraints = [
            models.UniqueConstraint(fields=["market", "selection_id", "handicap"], name="exchange_runner_unique"),
        ]

    def __str__(self):
        return self.name or f"Selection {self.selection_id}"

    @property
    def label(self) -> str:
        return self.name or f"Selection {self.selection_id}"


class ExchangeSnapshot(models.Model):
    """A runner's book at one moment: the best three back and lay levels, last traded price, volume.

    Ladders are ``[[price, size], ...]`` best first (back: highest price first; lay:
    lowest first), sizes in the exchange's currency. Which moments are kept is the
    sampling rule of ``ingestion.betfair``; every row is the exact book at ``taken_at``.
    ``status`` is the market's status then: prices of a suspended market cannot be taken.
    """

    runner = models.ForeignKey(ExchangeRunner, on_delete=models.CASCADE, related_name="snapshots")
    taken_at = models.DateTimeField(help_text="The stream's publish time (pt).")
    status = models.CharField(max_length=10, choices=ExchangeMarket.Status.choices, blank=True)
    in_play = models.BooleanField(default=False)
    back = models.JSONField(default=list, blank=True, help_text="Available to back: [[price, size]], best first.")
    lay = models.JSONField(default=list, blank=True, help_text="Available to lay: [[price, size]], best first.")
    best_back = models.FloatField(null=True, blank=True)
    best_lay = models.FloatField(null=True, blank=True)
    last_traded_price = models.FloatField(null=True, blank=True)
    traded_volume = models.FloatField(null=True, blank=True, help_text="The runner's matched total (tv).")

    class Meta:
        ordering = ["runner", "taken_at"]
        constraints = [
            models.UniqueConstraint(fields=["runner", "taken_at"], name="exchange_snapshot_unique"),
            models.CheckConstraint(
                condition=(Q(best_back__isnull=True) | Q(best_back__gt=1, best_back__lte=1000))
                & (Q(best_lay__isnull=True) | Q(best_lay__gt=1, best_lay__lte=1000))
                & (Q(last_traded_price__isnull=True) | Q(last_traded_price__gt=1, last_traded_price__lte=1000)),
                name="exchange_snapshot_prices_valid",
            ),
            models.CheckConstraint(condition=Q(traded_volume__isnull=True) | Q(traded_volume__gte=0),
                                   name="exchange_snapshot_volume_not_negative"),
        ]

    def __str__(self):
        return f"{self.runner} {self.taken_at:%Y-%m-%d %H:%M:%S} {self.best_back}/{self.best_lay}"
