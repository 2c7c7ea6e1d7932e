"""What belongs to a user: the profile, what he follows, his API keys.

Users are Django's own (``settings.AUTH_USER_MODEL``); nothing in the domain apps points here.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Profile(models.Model):
    """A user's preferences: the time zone times are written in, the colour scheme."""

    class Theme(models.TextChoices):
        AUTO = "auto", "Auto (the system's)"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(max_length=64, blank=True,
                                 help_text="An IANA zone (Europe/Rome); empty: the browser's own.")
    theme = models.CharField(max_length=8, choices=Theme.choices, default=Theme.AUTO)

    def __str__(self):
        return f"Profile of {self.user}"


FOLLOW_TARGETS = ("team", "player", "competition", "match")


class Follow(models.Model):
    """One thing a user follows: exactly one of a team, a player, a competition or a match."""

    TARGETS = FOLLOW_TARGETS

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    team = models.ForeignKey("matches.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    competition = models.ForeignKey("matches.Competition", on_delete=models.CASCADE, null=True, blank=True,
                                    related_name="+")
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(player__isnull=True) & Q(competition__isnull=True)
                           & Q(match__isnull=True))
                | (Q(team__isnull=True) & Q(player__isnull=False) & Q(competition__isnull=True)
                   & Q(match__isnull=True))
                | (Q(team__isnull=True) & Q(player__isnull=True) & Q(competition__isnull=False)
                   & Q(match__isnull=True))
                | (Q(team__isnull=True) & Q(player__isnull=True) & Q(competition__isnull=True)
                   & Q(match__isnull=False)),
                name="follow_exactly_one_target",
            ),
            *[models.UniqueConstraint(fields=["user", target], condition=Q(**{f"{target}__isnull": False}),
                                      name=f"follow_{target}_once") for target in FOLLOW_TARGETS],
        ]

    @property
    def target(self):
        return next(getattr(self, name) for name in self.TARGETS if getattr(self, f"{name}_id") is not None)

    def __str__(self):
        return f"{self.user} follows {self.target}"


class ApiKey(models.Model):
    """A key to the public JSON API (/api/v1/, header X-Auth-Token), stored hashed: shown once at creation.

    ``prefix`` (the key's first characters) names it on the profile page and finds the row; ``digest``
    is the SHA-256 of the whole key. Quotas are per key, per minute and per day.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=60, help_text="What the key is for, as its owner named it.")
    prefix = models.CharField(max_length=12, unique=True)
    digest = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the key, hex.")
    per_minute = models.PositiveIntegerField(default=30, help_text="Requests a minute.")
    per_day = models.PositiveIntegerField(default=5000, help_text="Requests a day (UTC).")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class Alert(models.Model):
    """Something a user follows just happened (a goal, a red card, kick-off, full time).

    Stored, so the per-user stream (/ws/me/) can deliver it when the writer is another process
    (the embedded in-memory channel layer cannot reach it) and a reconnecting browser catches up
    from the last alert it showed (``?after=<id>``), as match streams do by seq.
    """

    class Kind(models.TextChoices):
        GOAL = "goal", "Goal"
        RED_CARD = "red_card", "Red card"
        KICK_OFF = "kick_off", "Kick-off"
        FULL_TIME = "full_time", "Full time"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alerts")
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=120)  # "Goal: Turkey 0-1 Italy"
    body = models.CharField(max_length=200, blank=True)  # "53' Merih Demiral (own goal)"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "id"], name="alert_user_after")]

    def __str__(self):
        return f"{self.title} for {self.user}"
