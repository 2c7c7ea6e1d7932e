"""Players and the names and ids sources give them."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse

from matches.models import ExternalId, normalize_name


class Player(models.Model):
    class Position(models.TextChoices):
        GOALKEEPER = "GK", "Goalkeeper"
        DEFENDER = "DF", "Defender"
        MIDFIELDER = "MF", "Midfielder"
        FORWARD = "FW", "Forward"

    class Foot(models.TextChoices):
        LEFT = "left", "Left"
        RIGHT = "right", "Right"
        BOTH = "both", "Both"

    name = models.CharField(max_length=120, help_text="Full name as the richest source gives it.")
    known_as = models.CharField(max_length=80, blank=True, help_text='The name fans use: "Emerson", "Pedri".')
    birth_date = models.DateField(null=True, blank=True)
    nationality = models.CharField(max_length=60, blank=True)
    position = models.CharField(max_length=2, choices=Position.choices, blank=True)
    foot = models.CharField(max_length=5, choices=Foot.choices, blank=True)
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(height_cm__isnull=True) | Q(height_cm__gte=140, height_cm__lte=230),
                name="player_height_plausible",
            )
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("players:player", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.known_as or self.name

    def age_on(self, day: datetime.date) -> int | None:
        """Age in whole years on ``day`` (None without a birth date)."""
        if self.birth_date is None:
            return None
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class PlayerAlias(models.Model):
    """Another spelling of a player's name. Unlike teams, one folded name may fit several players."""

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=120)
    normalized = models.CharField(max_length=120, editable=False, db_index=True)

    class Meta:
        verbose_name_plural = "player aliases"
        ordering = ["alias"]
        constraints = [models.UniqueConstraint(fields=["player", "normalized"], name="player_alias_unique")]

    def __str__(self):
        return self.alias

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.alias)
        super().save(*args, **kwargs)


class PlayerExternalId(ExternalId):
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="player_external_id_unique")]


class PlayerSeasonStats(models.Model):
    """A player's season for one team, summed from the season's finished matches.

    Derived, never edited: ``players.aggregates.recompute_player_seasons`` writes every
    row of a season at once (the player-stats job, ``recompute_aggregates``); pages read
    these rows instead of the events. A player who changed teams mid-season has a row
    per team. Counting rules are in ``players/aggregates.py``.
    """

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="season_stats")
    season = models.ForeignKey("matches.Season", on_delete=models.CASCADE, related_name="player_stats")
    team = models.ForeignKey("matches.Team", on_delete=models.CASCADE, related_name="player_season_stats")
    appearances = models.PositiveSmallIntegerField(default=0)
    starts = models.PositiveSmallIntegerField(default=0)
    minutes = models.PositiveIntegerField(default=0, help_text="From lineups; appearances without minutes add 0.")
    goals = models.PositiveSmallIntegerField(default=0, help_text="Penalties included, own goals and shoot-outs not.")
    penalty_goals = models.PositiveSmallIntegerField(default=0)
    penalty_attempts = models.PositiveSmallIntegerField(default=0)
    assists = models.PositiveSmallIntegerField(default=0)
    shots = models.PositiveSmallIntegerField(default=0)
    shots_on_target = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Empty when a match's source does not say where shots went.")
    xg = models.FloatField(null=True, blank=True,
                           help_text="Sum over shots of the provider's xG, else ours; empty when no shot has either.")
    yellow_cards = models.PositiveSmallIntegerField(default=0)
    red_cards = models.PositiveSmallIntegerField(default=0, help_text="Straight reds and second yellows.")
    updated_at = models.DateTimeField(auto_now=True)

    # Per-90 figures mean little over less than a full match.
    PER_90_MIN_MINUTES = 90

    class Meta:
        verbose_name = "player season statistics"
        verbose_name_plural = "player season statistics"
        ordering = ["player_id", "season_id", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["player", "season", "team"], name="player_season_stats_unique"),
            models.CheckConstraint(condition=Q(starts__lte=models.F("appearances")),
                                   name="player_season_stats_starts_within_appearances"),
            models.CheckConstraint(condition=Q(penalty_goals__lte=models.F("goals"))
                                   & Q(penalty_goals__lte=models.F("penalty_attempts")),
                                   name="player_season_stats_penalties_within_goals"),
        ]
        indexes = [models.Index(fields=["season", "team"])]

    def __str__(self):
        return f"{self.player} – {self.team} {self.season}"

    def per_90(self, value: float | None) -> float | None:
        """``value`` per 90 minutes played, or None below a full match's minutes."""
        if value is None or self.minutes < self.PER_90_MIN_MINUTES:
            return None
        return value * 90 / self.minutes

    @property
    def goals_per_90(self) -> float | None:
        return self.per_90(self.goals)

    @property
    def assists_per_90(self) -> float | None:
        return self.per_90(self.assists)

    @property
    def shots_per_90(self) -> float | None:
        return self.per_90(self.shots)

    @property
    def xg_per_90(self) -> float | None:
        return self.per_90(self.xg)
