"""Players and the names and ids sources give them."""

import datetime

from django.db import models
from django.db.models import Q
from django.urls import reverse

from matches.models import ExternalId, Source, normalize_name


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
    xa = models.FloatField(null=True, blank=True,
                           help_text="Expected assists, from sources that report them per match (FPL); else empty.")
    shots_matches = models.PositiveSmallIntegerField(
        default=0, help_text="His matches whose source gives shots and penalties (events, lineups); "
                             "0 with appearances: no source says, so those figures are unknown, not 0 (FPL).")
    clean_sheets = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Matches of 60+ minutes without conceding, where the source says (FPL).")
    goals_conceded = models.PositiveSmallIntegerField(null=True, blank=True,
                                                      help_text="While he was on the pitch, where the source says.")
    saves = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Where the source says.")
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


class PlayerMatchStats(models.Model):
    """A player's figures in one match as a source reports them per player (an appearance line).

    Sources without events (Fantasy Premier League's gameweek rows, API-Football's
    /fixtures/players) say what a player did in a match directly; sources with events
    (StatsBomb) are summed from them instead (``players.aggregates``). Where both exist for
    a player and a match, this row is what his line shows. Figures a source does not give
    are empty, never 0.
    """

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="match_stats")
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="player_stats")
    team = models.ForeignKey("matches.Team", on_delete=models.PROTECT, related_name="player_match_stats")
    source = models.CharField(max_length=32, choices=Source.choices)
    minutes = models.PositiveSmallIntegerField(default=0)
    started = models.BooleanField(null=True, blank=True, help_text="Empty when the source does not say.")
    goals = models.PositiveSmallIntegerField(default=0)
    assists = models.PositiveSmallIntegerField(default=0)
    own_goals = models.PositiveSmallIntegerField(default=0)
    penalties_saved = models.PositiveSmallIntegerField(null=True, blank=True)
    penalties_missed = models.PositiveSmallIntegerField(null=True, blank=True)
    xg = models.FloatField(null=True, blank=True, help_text="Expected goals as the source reports them.")
    xa = models.FloatField(null=True, blank=True, help_text="Expected assists as the source reports them.")
    xg_conceded = models.FloatField(null=True, blank=True, help_text="Expected goals conceded while on the pitch.")
    clean_sheet = models.BooleanField(null=True, blank=True, help_text="60+ minutes without conceding (FPL's rule).")
    goals_conceded = models.PositiveSmallIntegerField(null=True, blank=True, help_text="While he was on the pitch.")
    saves = models.PositiveSmallIntegerField(null=True, blank=True)
    yellow_cards = models.PositiveSmallIntegerField(default=0)
    red_cards = models.PositiveSmallIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "player match statistics"
        verbose_name_plural = "player match statistics"
        ordering = ["match_id", "team_id", "player_id"]
        constraints = [
            models.UniqueConstraint(fields=["player", "match"], name="player_match_stats_unique"),
            models.CheckConstraint(condition=Q(minutes__lte=150), name="player_match_stats_minutes_sane"),
            models.CheckConstraint(condition=Q(xg__isnull=True) | Q(xg__gte=0, xg__lte=20),
                                   name="player_match_stats_xg_plausible"),
            models.CheckConstraint(condition=Q(xa__isnull=True) | Q(xa__gte=0, xa__lte=20),
                                   name="player_match_stats_xa_plausible"),
            models.CheckConstraint(condition=Q(red_cards__lte=1), name="player_match_stats_one_red"),
            models.CheckConstraint(condition=Q(yellow_cards__lte=2), name="player_match_stats_two_yellows"),
        ]
        indexes = [models.Index(fields=["match", "team"])]

    def __str__(self):
        return f"{self.player} in {self.match}"


class PlayerAvailability(models.Model):
    """What a source said about whether a player can play, and from when to when it held.

    History is kept as intervals: a new observation that differs from the current one
    closes it (``valid_until``) and opens a new row; the same observation again changes
    nothing. ``players.availability.on(player, when)`` answers for any past moment. A row
    may concern one match only (API-Football's /injuries is given per fixture).
    """

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        DOUBTFUL = "doubtful", "Doubtful"
        INJURED = "injured", "Injured"
        SUSPENDED = "suspended", "Suspended"
        UNAVAILABLE = "unavailable", "Unavailable"  # on loan, left the club, not in the squad …

    # What the match page lists under "Missing" and under "Doubtful".
    MISSING = frozenset({Status.INJURED, Status.SUSPENDED, Status.UNAVAILABLE})

    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="availability")
    team = models.ForeignKey("matches.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="availability", help_text="Set when the source speaks of one match.")
    source = models.CharField(max_length=32, choices=Source.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    reason = models.CharField(max_length=200, blank=True, help_text='"Hamstring injury", "Suspended until 14 Oct".')
    chance_of_playing = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Per cent, 0-100.")
    valid_from = models.DateTimeField(help_text="When the source first said so (FPL's news_added).")
    valid_until = models.DateTimeField(null=True, blank=True, help_text="When it stopped holding; empty: current.")
    observed_at = models.DateTimeField(help_text="When we last read it from the source.")

    class Meta:
        verbose_name_plural = "player availability"
        ordering = ["player", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(chance_of_playing__isnull=True) | Q(chance_of_playing__lte=100),
                                   name="availability_chance_is_percent"),
            models.CheckConstraint(condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                                   name="availability_ends_after_start"),
            # One current statement per player, source and scope (a match, or none).
            models.UniqueConstraint(fields=["player", "source"], condition=Q(valid_until__isnull=True, match__isnull=True),
                                    name="availability_one_current_per_source"),
            models.UniqueConstraint(fields=["player", "source", "match"],
                                    condition=Q(valid_until__isnull=True, match__isnull=False),
                                    name="availability_one_current_per_match"),
        ]
        indexes = [models.Index(fields=["team", "valid_until"]), models.Index(fields=["player", "valid_from"])]

    def __str__(self):
        return f"{self.player}: {self.get_status_display()}"


class ThreatModel(models.Model):
    """One fitted expected-threat grid (``players.threat``); the highest version is the one ratings use.

    ``manage.py fit_threat`` writes a new version from every stored event (``load_demo`` runs it).
    """

    version = models.PositiveIntegerField(unique=True)
    grid = models.JSONField(help_text="xT per zone: grid[ix][iy], ix along the pitch (16), iy across (12).")
    events = models.PositiveIntegerField(help_text="On-ball actions (moves and shots) the fit counted.")
    matches = models.PositiveIntegerField(default=0, help_text="Matches whose events were read.")
    fitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"xT grid v{self.version}"


class PlayerMatchRating(models.Model):
    """A player's 0-10 rating in a finished match (``players.ratings``), stored for the match log.

    Written when a match finishes (``services.after_finish``), after imports, and by ``fit_threat``
    (a new grid re-rates every match); the match page computes live ratings from the events instead.
    """

    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, related_name="player_ratings")
    player = models.ForeignKey(Player, on_delete=models.CASCADE, related_name="match_ratings")
    team = models.ForeignKey("matches.Team", on_delete=models.CASCADE, related_name="+", null=True, blank=True)
    rating = models.FloatField()
    minutes = models.PositiveSmallIntegerField(default=0)
    player_of_the_match = models.BooleanField(default=False)
    threat_version = models.PositiveIntegerField(default=0, help_text="0: the fallback formula grid.")
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["match_id", "-rating"]
        constraints = [
            models.UniqueConstraint(fields=["match", "player"], name="player_match_rating_unique"),
            models.CheckConstraint(condition=Q(rating__gte=0, rating__lte=10), name="player_match_rating_0_to_10"),
        ]
        indexes = [models.Index(fields=["player", "match"])]

    def __str__(self):
        return f"{self.player} {self.rating:.1f} in {self.match}"
