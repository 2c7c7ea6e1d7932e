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
    """One decimal price for one selection, as a bookmaker quoted it at one moment.

    File sources give a pre-match and a closing price with no timestamp; API snapshots
    carry ``taken_at``. The line is the goal line of over/under and the home handicap
    of an Asian handicap (0 for 1X2).
    """

    class Market(models.TextChoices):
        MATCH_ODDS = "1x2", "Match result (1X2)"
        OVER_UNDER = "over_under", "Over/under goals"
        ASIAN_HANDICAP = "asian_handicap", "Asian handicap"

    class Selection(models.TextChoices):
        HOME = "home", "Home"
        DRAW = "draw", "Draw"
        AWAY = "away", "Away"
        OVER = "over", "Over"
        UNDER = "under", "Under"

    class Phase(models.TextChoices):
        PRE_MATCH = "pre_match", "Pre-match"
        CLOSING = "closing", "Closing"
        SNAPSHOT = "snapshot", "Snapshot"

    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="odds")
    bookmaker = models.ForeignKey(Bookmaker, on_delete=models.PROTECT, related_name="quotes")
    market = models.CharField(max_length=16, choices=Market.choices)
    line = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    selection = models.CharField(max_length=5, choices=Selection.choices)
    phase = models.CharField(max_length=10, choices=Phase.choices)
    price = models.FloatField()
    taken_at = models.DateTimeField(null=True, blank=True)
    source = models.CharField(max_length=32, choices=Source.choices)

    class Meta:
        ordering = ["match", "market", "bookmaker", "phase", "selection"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=1), name="odds_price_above_one"),
            models.UniqueConstraint(
                fields=["match", "bookmaker", "market", "line", "selection", "phase"],
                condition=~Q(phase="snapshot"),
                name="odds_unique_per_phase",
            ),
            models.UniqueConstraint(
                fields=["match", "bookmaker", "market", "line", "selection", "taken_at"],
                condition=Q(phase="snapshot"),
                name="odds_unique_per_snapshot",
            ),
            models.CheckConstraint(condition=~Q(phase="snapshot") | Q(taken_at__isnull=False), name="odds_snapshot_timed"),
        ]
        indexes = [models.Index(fields=["match", "market", "phase"])]

    def __str__(self):
        line = f" {self.line}" if self.market != self.Market.MATCH_ODDS else ""
        return f"{self.bookmaker} {self.get_market_display()}{line} {self.selection} @ {self.price}"
