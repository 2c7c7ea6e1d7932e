"""Fantasy games' own data: what Fantasy Premier League prices and scores per player and fixture.

The football facts of the same fixture (minutes, goals, expected goals …) are
``players.PlayerMatchStats``; what is here is the game's: the price managers paid that
gameweek, the points the game gave, the bonus, and FPL's own expected points (the
projection later issues compare ours with).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class FplPlayerFixture(models.Model):
    """One player's Fantasy Premier League line in one fixture (a gameweek file's row)."""

    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="fpl_fixtures")
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="fpl_lines")
    season = models.ForeignKey("matches.Season", on_delete=models.CASCADE, related_name="fpl_lines")
    gameweek = models.PositiveSmallIntegerField(help_text="FPL's event (round), 1-38.")
    price = models.DecimalField(max_digits=4, decimal_places=1, validators=[MinValueValidator(Decimal("3.0"))],
                                help_text="£m that gameweek (FPL's value / 10).")
    total_points = models.SmallIntegerField(help_text="The game's points for the fixture, bonus included.")
    bonus = models.PositiveSmallIntegerField(default=0)
    bps = models.SmallIntegerField(null=True, blank=True, help_text="Bonus points system score.")
    expected_points = models.FloatField(null=True, blank=True, help_text="FPL's own xP before the gameweek.")
    selected = models.PositiveIntegerField(null=True, blank=True, help_text="Managers who owned him.")
    transfers_in = models.PositiveIntegerField(null=True, blank=True)
    transfers_out = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = "FPL player fixture"
        ordering = ["player", "match__kickoff"]
        constraints = [
            models.UniqueConstraint(fields=["player", "match"], name="fpl_player_fixture_unique"),
            models.CheckConstraint(condition=Q(gameweek__gte=1, gameweek__lte=47), name="fpl_gameweek_in_range"),
            models.CheckConstraint(condition=Q(bonus__lte=3), name="fpl_bonus_0_to_3"),
            models.CheckConstraint(condition=Q(price__gte=Decimal("3.0"), price__lte=Decimal("25.0")),
                                   name="fpl_price_plausible"),
        ]
        indexes = [models.Index(fields=["season", "gameweek"])]

    def __str__(self):
        return f"{self.player} GW{self.gameweek}: £{self.price}m, {self.total_points} pts"
