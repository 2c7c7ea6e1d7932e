"""Fantasy games' own data: what Fantasy Premier League prices and scores per player and fixture.

The football facts of the same fixture (minutes, goals, expected goals …) are
``players.PlayerMatchStats``; what is here is the game's: the price managers paid that
gameweek, the points the game gave, the bonus, and FPL's own expected points (the
projection later issues compare ours with).
"""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.conf import settings
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


class Game(models.TextChoices):
    """The fantasy games QuantFoot projects and optimises for (their rules: ``fantasy.rules``)."""

    FPL = "fpl", "Fantasy Premier League"
    DK_CLASSIC = "dk_classic", "DraftKings soccer classic"


class Slate(models.Model):
    """A daily-fantasy slate: the matches it covers and each player's salary (a DraftKings salary file)."""

    game = models.CharField(max_length=16, choices=Game.choices, default=Game.DK_CLASSIC)
    name = models.CharField(max_length=120)
    season = models.ForeignKey("matches.Season", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    starts_at = models.DateTimeField(null=True, blank=True, help_text="The first kick-off (UTC).")
    matches = models.ManyToManyField("matches.Match", related_name="+", blank=True)
    salary_cap = models.PositiveIntegerField(default=50_000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["game", "name"], name="slate_unique_name")]

    def __str__(self):
        return self.name


class SlatePlayer(models.Model):
    """One line of a salary file: who, at what salary, in which positions, in which match."""

    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, related_name="players")
    external_id = models.CharField(max_length=32, help_text="The site's player id on this slate (DraftKings ID).")
    name = models.CharField(max_length=120)
    positions = models.CharField(max_length=16, help_text='As the file gives them: "GK", "D", "M/F".')
    roster_position = models.CharField(max_length=32, blank=True, help_text='"M/F/UTIL".')
    salary = models.PositiveIntegerField()
    team_abbrev = models.CharField(max_length=8)
    game_info = models.CharField(max_length=80, blank=True)
    average_points = models.FloatField(null=True, blank=True)
    player = models.ForeignKey("players.Player", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    team = models.ForeignKey("matches.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    match = models.ForeignKey("matches.Match", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["slate", "-salary", "name"]
        constraints = [models.UniqueConstraint(fields=["slate", "external_id"], name="slate_player_unique")]

    def __str__(self):
        return f"{self.name} ({self.positions}, {self.salary})"


class ProjectionSet(models.Model):
    """One version of the projections for a gameweek or a slate: ours (a simulation) or a user's upload."""

    class Kind(models.TextChoices):
        SIMULATION = "simulation", "Simulation"
        UPLOAD = "upload", "Uploaded"

    game = models.CharField(max_length=16, choices=Game.choices)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.SIMULATION)
    season = models.ForeignKey("matches.Season", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    gameweek = models.PositiveSmallIntegerField(null=True, blank=True)
    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, null=True, blank=True, related_name="projection_sets")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="projection_sets", help_text="An upload's owner; empty: the site's own.")
    version = models.PositiveIntegerField(default=1)
    inputs = models.JSONField(default=dict, blank=True,
                              help_text="What it was made from: model versions, simulations, data as of.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        target = f"GW{self.gameweek}" if self.gameweek else str(self.slate or "")
        return f"{self.get_game_display()} {target} {self.get_kind_display()} v{self.version}"


class Projection(models.Model):
    """One player's projection in a set: the distribution of his fantasy points and what makes them."""

    projection_set = models.ForeignKey(ProjectionSet, on_delete=models.CASCADE, related_name="projections")
    player = models.ForeignKey("players.Player", on_delete=models.CASCADE, related_name="+")
    match = models.ForeignKey("matches.Match", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    points = models.FloatField(help_text="Expected fantasy points.")
    median = models.FloatField(null=True, blank=True)
    p10 = models.FloatField(null=True, blank=True)
    p90 = models.FloatField(null=True, blank=True)
    minutes = models.FloatField(null=True, blank=True)
    play_probability = models.FloatField(null=True, blank=True)
    sixty_probability = models.FloatField(null=True, blank=True)
    goals = models.FloatField(null=True, blank=True)
    assists = models.FloatField(null=True, blank=True)
    clean_sheet = models.FloatField(null=True, blank=True)
    bonus = models.FloatField(null=True, blank=True)
    ownership = models.FloatField(null=True, blank=True, help_text="Uploads: the user's expected ownership, %.")

    class Meta:
        ordering = ["projection_set", "-points"]
        constraints = [
            models.UniqueConstraint(fields=["projection_set", "player", "match"], name="projection_unique"),
            models.CheckConstraint(condition=Q(play_probability__isnull=True)
                                   | Q(play_probability__gte=0, play_probability__lte=1),
                                   name="projection_probability_0_to_1"),
        ]

    def __str__(self):
        return f"{self.player}: {self.points:.2f}"


class Optimization(models.Model):
    """One run of the optimizer, queued from a page and run by a task: what was asked, its progress, what came out.

    ``settings`` holds the request as the form cleaned it (budget, locks, stacks …); ``result``
    the squad or the lineups as plain JSON, each player with the id, name, team, price or salary
    and projected points he had when it ran, so the answer stays readable after new imports.
    """

    class Kind(models.TextChoices):
        FPL_SQUAD = "fpl_squad", "FPL squad"
        FPL_TRANSFERS = "fpl_transfers", "FPL transfers"
        DK_LINEUPS = "dk_lineups", "DraftKings lineups"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                              related_name="optimizations", help_text="Empty: the site's (visitors' and the demo's).")
    season = models.ForeignKey("matches.Season", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    gameweek = models.PositiveSmallIntegerField(null=True, blank=True)
    slate = models.ForeignKey(Slate, on_delete=models.CASCADE, null=True, blank=True, related_name="optimizations")
    projection_source = models.CharField(max_length=12, default="ours",
                                         help_text="ours, yours (the owner's upload) or average (the salary file's).")
    projection_set = models.ForeignKey(ProjectionSet, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+", help_text="The set it read, when it read one.")
    settings = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    message = models.CharField(max_length=300, blank=True)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="optimization_progress_percent")]

    def __str__(self):
        target = f"GW{self.gameweek}" if self.gameweek else str(self.slate or "")
        return f"{self.get_kind_display()} {target} ({self.get_status_display()})"

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("fantasy:optimization", args=[self.pk])

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)
