"""Players and the names and ids sources give them."""

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
