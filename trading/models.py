"""Strategies (versioned definitions), backtests with their bet logs and reports, paper portfolios.

A strategy's definition is never edited in place: a change is a new ``StrategyVersion``, so a
backtest or a paper bet always says which rules it followed. A backtest stores the definition it
ran (also when it came from the command line without a stored strategy), the data it saw, every
bet, its report, Monte Carlo and walk-forward figures: a page shows it again without rerunning.
Everything belongs to a user, or to the site when ``owner`` is empty (the command's runs).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse


class Strategy(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="strategies", help_text="Empty: the site's own.")
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name_plural = "strategies"
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="strategy_unique_name_per_owner"),
            models.UniqueConstraint(fields=["name"], condition=Q(owner__isnull=True), name="strategy_unique_site_name"),
        ]

    def __str__(self):
        return self.name

    def latest_version(self) -> StrategyVersion | None:
        return self.versions.order_by("-version").first()


class StrategyVersion(models.Model):
    strategy = models.ForeignKey(Strategy, on_delete=models.CASCADE, related_name="versions")
    version = models.PositiveIntegerField()
    definition = models.JSONField(help_text="trading.strategy.StrategySpec.as_dict(): rule, parameters, stake, price.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["strategy", "-version"]
        constraints = [models.UniqueConstraint(fields=["strategy", "version"], name="strategy_version_unique")]

    def __str__(self):
        return f"{self.strategy} v{self.version}"

    @property
    def spec(self):
        from trading.strategy import StrategySpec
        return StrategySpec.from_dict(self.definition)


class Backtest(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="backtests")
    strategy_version = models.ForeignKey(StrategyVersion, on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="backtests")
    definition = models.JSONField(help_text="The strategy as it ran (a copy: the version may be deleted).")
    competitions = models.ManyToManyField("matches.Competition", related_name="+")
    seasons = models.ManyToManyField("matches.Season", related_name="+")
    walk_forward = models.BooleanField(default=False, help_text="A parameter grid refitted on rolling windows.")
    grid = models.JSONField(default=dict, blank=True, help_text="Walk-forward: the parameter values tried.")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    message = models.CharField(max_length=200, blank=True, help_text="What it is doing, or why it failed.")
    data_seen = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    equity = models.JSONField(default=list, blank=True, help_text="[day, bankroll] after each bet, thinned.")
    monte_carlo = models.JSONField(default=dict, blank=True)
    windows = models.JSONField(default=list, blank=True, help_text="Walk-forward windows, in and out of sample.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        rule = self.definition.get("rule", "?")
        name = self.strategy_version or (f"back:{self.definition.get('selection')}" if rule == "back" else rule)
        return f"Backtest {self.pk}: {name}"

    def get_absolute_url(self):
        return reverse("trading:backtest", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class Bet(models.Model):
    """What a bet backed, where and at what price: the same for a backtest's bets and a paper portfolio's.

    ``market`` and ``selection`` are ``trading.settlement``'s (1x2 home/draw/away, over_under over/under,
    asian_handicap home/away); ``line`` is the goal line or the home side's handicap.
    """

    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="+")
    market = models.CharField(max_length=16)
    line = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    selection = models.CharField(max_length=8)
    bookmaker = models.CharField(max_length=20)
    price = models.FloatField()

    class Meta:
        abstract = True


class BacktestBet(Bet):
    backtest = models.ForeignKey(Backtest, on_delete=models.CASCADE, related_name="bets")
    closing_price = models.FloatField(null=True, blank=True)
    probability = models.FloatField(null=True, blank=True, help_text="What the strategy staked on, if anything.")
    stake = models.FloatField()
    result = models.CharField(max_length=10, help_text="won, half won, void, half lost, lost")
    profit = models.FloatField(help_text="After commission.")
    commission = models.FloatField(default=0)
    bankroll_after = models.FloatField()

    class Meta:
        ordering = ["backtest", "pk"]
        indexes = [models.Index(fields=["backtest", "match"])]

    def __str__(self):
        return f"{self.match_id} {self.market} {self.selection} @ {self.price:g}"


class PaperPortfolio(models.Model):
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="paper_portfolios")
    name = models.CharField(max_length=80)
    bankroll = models.FloatField(default=100.0, help_text="Starting bankroll, in units.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("trading:portfolio", args=[self.pk])


class PaperStrategy(models.Model):
    """A strategy version switched on (or off) for a paper portfolio."""

    portfolio = models.ForeignKey(PaperPortfolio, on_delete=models.CASCADE, related_name="strategies")
    strategy_version = models.ForeignKey(StrategyVersion, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    delay_seconds = models.PositiveIntegerField(default=0, help_text="A bet is placed at the price this long after "
                                                                      "the signal, as a real order would be.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["portfolio", "strategy_version"], name="paper_strategy_once")]

    def __str__(self):
        return f"{self.portfolio}: {self.strategy_version}"


class PaperBet(Bet):
    class Status(models.TextChoices):
        OPEN = "open", "Open"
        SETTLED = "settled", "Settled"

    portfolio = models.ForeignKey(PaperPortfolio, on_delete=models.CASCADE, related_name="bets")
    strategy_version = models.ForeignKey(StrategyVersion, on_delete=models.PROTECT, related_name="+")
    stake = models.FloatField()
    requested_stake = models.FloatField(help_text="What the strategy asked; an exchange fills only the size on offer.")
    price_seen_at = models.DateTimeField(help_text="When the price it took was quoted.")
    placed_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    result = models.CharField(max_length=10, blank=True)
    profit = models.FloatField(null=True, blank=True)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["portfolio", "strategy_version", "match", "market", "line", "selection"],
                                    name="paper_bet_once_per_selection"),
        ]

    def __str__(self):
        return f"{self.portfolio}: {self.match_id} {self.selection} @ {self.price:g}"
