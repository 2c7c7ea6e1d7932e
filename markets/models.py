"""Everything priced. For now: bookmakers and the odds they quoted on matches."""

from django.db import models
from django.db.models import Q

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
