"""The football domain: competitions, seasons, teams, venues, matches and what happens in them.

Identity across sources: every importable row keeps its ids per source in an
``*ExternalId`` table (unique per source and id), and teams keep aliases, so that
"Man City", "Manchester City FC" and StatsBomb's team 746 are one team.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class Source(models.TextChoices):
    """Where a row came from. File sources and API providers share one vocabulary."""

    STATSBOMB = "statsbomb", "StatsBomb open data"
    FOOTBALL_DATA_UK = "football_data_uk", "football-data.co.uk"
    OPENFOOTBALL = "openfootball", "openfootball"
    API_FOOTBALL = "api_football", "API-Football"
    FOOTBALL_DATA_ORG = "football_data_org", "football-data.org"
    OPENLIGADB = "openligadb", "OpenLigaDB"
    FPL = "fpl", "Fantasy Premier League"
    OPEN_METEO = "open_meteo", "Open-Meteo"
    MANUAL = "manual", "Entered by hand"


def normalize_name(name: str) -> str:
    """Fold a team or player name for matching: no accents, case, punctuation or spacing.

    "Bayern München" and "Bayern Munchen" fold alike; "Nott'm Forest" keeps its letters.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # Letters with no decomposition that sources spell two ways.
    letters = letters.replace("ß", "ss").replace("ø", "o").replace("ı", "i").replace("ł", "l")
    words = "".join(ch if ch.isalnum() else " " for ch in letters.casefold())
    return " ".join(words.split())


class ExternalId(models.Model):
    """An id a source gives to one of our rows. Concrete subclasses add the foreign key."""

    source = models.CharField(max_length=32, choices=Source.choices)
    external_id = models.CharField(max_length=128)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.get_source_display()}: {self.external_id}"


class Competition(models.Model):
    class Kind(models.TextChoices):
        LEAGUE = "league", "League"
        CUP = "cup", "Cup"
        INTERNATIONAL = "international", "International tournament"

    class Tiebreak(models.TextChoices):
        # Premier League, Bundesliga, Ligue 1: overall goal difference, then goals scored.
        GOAL_DIFFERENCE = "goal_difference", "Goal difference, then goals scored"
        # La Liga, Serie A: head-to-head among the tied teams first.
        HEAD_TO_HEAD = "head_to_head", "Head-to-head, then goal difference"

    name = models.CharField(max_length=100, unique=True)
    short_name = models.CharField(max_length=30, blank=True)
    country = models.CharField(max_length=60, blank=True, help_text="Empty for international competitions.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.LEAGUE)
    timezone = models.CharField(
        max_length=40, default="UTC", help_text="Local time zone in which sources give kick-off times."
    )
    points_for_win = models.PositiveSmallIntegerField(default=3)
    points_for_draw = models.PositiveSmallIntegerField(default=1)
    tiebreak = models.CharField(max_length=20, choices=Tiebreak.choices, default=Tiebreak.GOAL_DIFFERENCE)

    class Meta:
        ordering = ["country", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("matches:competition", args=[self.pk])


class CompetitionExternalId(ExternalId):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="competition_external_id_unique")
        ]


class Season(models.Model):
    competition = models.ForeignKey(Competition, on_delete=models.CASCADE, related_name="seasons")
    name = models.CharField(max_length=20, help_text='"2023/24" for split-year seasons, "2024" otherwise.')
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["competition", "-name"]
        constraints = [
            models.UniqueConstraint(fields=["competition", "name"], name="season_unique_per_competition"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True) | Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="season_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.competition} {self.name}"


class SeasonExternalId(ExternalId):
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="season_external_id_unique")]


class Venue(models.Model):
    name = models.CharField(max_length=120)
    city = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=60, blank=True)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True, help_text="WGS 84 degrees, for the weather at the ground.")
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "city"], name="venue_unique_name_city"),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="venue_coordinates_both_and_on_earth",
            ),
        ]

    def __str__(self):
        return f"{self.name}, {self.city}" if self.city else self.name


class VenueExternalId(ExternalId):
    venue = models.ForeignKey(Venue, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="venue_external_id_unique")]


class Team(models.Model):
    class Kind(models.TextChoices):
        CLUB = "club", "Club"
        NATIONAL = "national", "National team"

    name = models.CharField(max_length=100, unique=True)
    short_name = models.CharField(max_length=30, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CLUB)
    country = models.CharField(max_length=60, blank=True)
    venue = models.ForeignKey(Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="home_teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("matches:team", args=[self.pk])

    @property
    def display_name(self) -> str:
        return self.short_name or self.name


class TeamAlias(models.Model):
    """Another name a source uses for a team. A folded name points at exactly one team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=100)
    normalized = models.CharField(max_length=100, unique=True, editable=False)
    source = models.CharField(max_length=32, choices=Source.choices, blank=True)

    class Meta:
        verbose_name_plural = "team aliases"
        ordering = ["alias"]

    def __str__(self):
        return self.alias

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.alias)
        super().save(*args, **kwargs)


class TeamExternalId(ExternalId):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="team_external_id_unique")]


class Match(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        LIVE = "live", "Live"
        FINISHED = "finished", "Finished"
        POSTPONED = "postponed", "Postponed"
        CANCELLED = "cancelled", "Cancelled"
        ABANDONED = "abandoned", "Abandoned"

    class Period(models.TextChoices):
        # Meaningful while live; "" otherwise.
        NONE = "", "—"
        FIRST_HALF = "first_half", "First half"
        HALF_TIME = "half_time", "Half-time"
        SECOND_HALF = "second_half", "Second half"
        EXTRA_TIME = "extra_time", "Extra time"
        PENALTIES = "penalties", "Penalty shoot-out"

    competition = models.ForeignKey(Competition, on_delete=models.PROTECT, related_name="matches")
    season = models.ForeignKey(Season, on_delete=models.PROTECT, related_name="matches")
    round = models.CharField(max_length=60, blank=True, help_text='As the source names it: "Matchday 5", "Group A".')
    matchday = models.PositiveSmallIntegerField(null=True, blank=True)
    kickoff = models.DateTimeField(db_index=True, help_text="UTC.")
    venue = models.ForeignKey(Venue, on_delete=models.SET_NULL, null=True, blank=True, related_name="matches")
    home_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="home_matches")
    away_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="away_matches")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SCHEDULED, db_index=True)
    period = models.CharField(max_length=12, choices=Period.choices, default=Period.NONE, blank=True)
    clock_minute = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Football minute while live.")
    clock_added = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Added-time minute (45+2: 2).")
    home_score = models.PositiveSmallIntegerField(null=True, blank=True)
    away_score = models.PositiveSmallIntegerField(null=True, blank=True)
    home_ht_score = models.PositiveSmallIntegerField(null=True, blank=True)
    away_ht_score = models.PositiveSmallIntegerField(null=True, blank=True)
    home_penalty_score = models.PositiveSmallIntegerField(null=True, blank=True)
    away_penalty_score = models.PositiveSmallIntegerField(null=True, blank=True)
    referee = models.CharField(max_length=80, blank=True)
    attendance = models.PositiveIntegerField(null=True, blank=True)
    last_seq = models.PositiveIntegerField(default=0, help_text="Sequence number of the latest recorded event.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "matches"
        ordering = ["kickoff", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(home_team=F("away_team")), name="match_teams_differ"),
            models.UniqueConstraint(fields=["home_team", "away_team", "kickoff"], name="match_unique_fixture"),
            # A result is both scores or neither; a finished match has one.
            models.CheckConstraint(
                condition=Q(home_score__isnull=True, away_score__isnull=True)
                | Q(home_score__isnull=False, away_score__isnull=False),
                name="match_score_both_or_neither",
            ),
            models.CheckConstraint(
                condition=~Q(status="finished") | Q(home_score__isnull=False),
                name="match_finished_has_score",
            ),
            models.CheckConstraint(
                condition=Q(home_ht_score__isnull=True) | Q(home_score__isnull=True) | Q(home_ht_score__lte=F("home_score")),
                name="match_home_ht_within_ft",
            ),
            models.CheckConstraint(
                condition=Q(away_ht_score__isnull=True) | Q(away_score__isnull=True) | Q(away_ht_score__lte=F("away_score")),
                name="match_away_ht_within_ft",
            ),
        ]
        indexes = [models.Index(fields=["season", "kickoff"])]

    def __str__(self):
        return f"{self.home_team} {self.score_display} {self.away_team} ({self.kickoff:%Y-%m-%d})"

    @classmethod
    def touch(cls, match_ids) -> None:
        """Move the matches' version (``updated_at``; with ``last_seq`` what the match page keeps its
        regions by, matches/fragments.py). For writers of a match's own data that leave its row alone:
        line-ups, report statistics, our xG, a curator's edit of an event."""
        cls.objects.filter(pk__in=list(match_ids)).update(updated_at=timezone.now())

    def get_absolute_url(self):
        return reverse("matches:match", args=[self.pk])

    def clean(self):
        if self.season_id and self.competition_id and self.season.competition_id != self.competition_id:
            raise ValidationError({"season": "The season belongs to another competition."})

    @property
    def score_display(self) -> str:
        if self.home_score is None:
            return "v"
        return f"{self.home_score}-{self.away_score}"

    @property
    def is_live(self) -> bool:
        return self.status == self.Status.LIVE

    @property
    def has_result(self) -> bool:
        return self.status == self.Status.FINISHED and self.home_score is not None


class MatchExternalId(ExternalId):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="external_ids")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["source", "external_id"], name="match_external_id_unique")]


class MatchEvent(models.Model):
    """One thing that happened in a match, in the order it was recorded (``seq``).

    Locations use one pitch frame for every source: x from 0 (the acting team's own
    goal line) to 100 (the goal it attacks), y from 0 (its left touchline, facing that
    goal) to 100 (its right). StatsBomb's 120x80 yards map onto it linearly.
    """

    class Kind(models.TextChoices):
        GOAL = "goal", "Goal"
        OWN_GOAL = "own_goal", "Own goal"
        PENALTY_SCORED = "penalty_scored", "Penalty scored"
        PENALTY_MISSED = "penalty_missed", "Penalty missed"
        SHOT = "shot", "Shot"
        YELLOW_CARD = "yellow_card", "Yellow card"
        SECOND_YELLOW = "second_yellow", "Second yellow card"
        RED_CARD = "red_card", "Red card"
        SUBSTITUTION = "substitution", "Substitution"
        VAR = "var", "VAR decision"
        PERIOD_START = "period_start", "Period start"
        PERIOD_END = "period_end", "Period end"
        PASS = "pass", "Pass"
        CARRY = "carry", "Carry"
        BALL_RECEIPT = "ball_receipt", "Ball receipt"
        DRIBBLE = "dribble", "Dribble"
        PRESSURE = "pressure", "Pressure"
        DUEL = "duel", "Duel"
        TACKLE = "tackle", "Tackle"
        INTERCEPTION = "interception", "Interception"
        CLEARANCE = "clearance", "Clearance"
        BLOCK = "block", "Block"
        BALL_RECOVERY = "ball_recovery", "Ball recovery"
        FOUL = "foul", "Foul committed"
        FOUL_WON = "foul_won", "Foul won"
        OFFSIDE = "offside", "Offside"
        GOALKEEPER = "goalkeeper", "Goalkeeper action"
        MISCONTROL = "miscontrol", "Miscontrol"
        DISPOSSESSED = "dispossessed", "Dispossessed"
        OTHER = "other", "Other"

    # Kinds that change the score, and the kinds that a match page's timeline lists.
    SCORING_KINDS = frozenset({Kind.GOAL, Kind.OWN_GOAL, Kind.PENALTY_SCORED})
    SHOT_KINDS = frozenset({Kind.GOAL, Kind.PENALTY_SCORED, Kind.PENALTY_MISSED, Kind.SHOT})
    KEY_KINDS = frozenset(
        {Kind.GOAL, Kind.OWN_GOAL, Kind.PENALTY_SCORED, Kind.PENALTY_MISSED, Kind.YELLOW_CARD,
         Kind.SECOND_YELLOW, Kind.RED_CARD, Kind.SUBSTITUTION, Kind.VAR, Kind.PERIOD_START, Kind.PERIOD_END}
    )

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField(help_text="Per-match recording order: 1, 2, 3 …")
    source = models.CharField(max_length=32, choices=Source.choices)
    external_id = models.CharField(
        max_length=128, help_text="The source's event id, or a content key when the source gives none."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    period = models.PositiveSmallIntegerField(help_text="1, 2 halves; 3, 4 extra time; 5 penalty shoot-out.")
    minute = models.PositiveSmallIntegerField(help_text="Football minute; in added time the minute it was added to.")
    second = models.PositiveSmallIntegerField(default=0)
    added_minute = models.PositiveSmallIntegerField(null=True, blank=True, help_text="45+2: 2.")
    source_index = models.PositiveIntegerField(null=True, blank=True, help_text="The source's own ordering.")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    player = models.ForeignKey(
        "players.Player", on_delete=models.PROTECT, null=True, blank=True, related_name="events"
    )
    related_player = models.ForeignKey(
        "players.Player", on_delete=models.PROTECT, null=True, blank=True, related_name="related_events",
        help_text="The assister of a goal, the player coming on in a substitution.",
    )
    x = models.FloatField(null=True, blank=True)
    y = models.FloatField(null=True, blank=True)
    end_x = models.FloatField(null=True, blank=True)
    end_y = models.FloatField(null=True, blank=True)
    xg = models.FloatField(null=True, blank=True, help_text="The provider's expected-goals value for a shot.")
    model_xg = models.FloatField(
        null=True, blank=True,
        help_text="Our own xG for a shot (matches.xg.apply_xg_model, the active XgModel): for providers without xG.",
    )
    outcome = models.CharField(max_length=40, blank=True)
    body_part = models.CharField(max_length=30, blank=True)
    situation = models.CharField(max_length=30, blank=True, help_text="Open play, free kick, corner, penalty …")
    raw_type = models.CharField(max_length=60, help_text="The source's own name for the event type.")
    details = models.JSONField(default=dict, blank=True, help_text="Everything else the source sent.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["match", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="event_unique_per_source"),
            models.UniqueConstraint(fields=["match", "seq"], name="event_seq_unique_per_match"),
            models.CheckConstraint(condition=Q(period__gte=1, period__lte=5), name="event_period_1_to_5"),
            models.CheckConstraint(condition=Q(xg__isnull=True) | Q(xg__gte=0, xg__lte=1), name="event_xg_0_to_1"),
            models.CheckConstraint(condition=Q(model_xg__isnull=True) | Q(model_xg__gte=0, model_xg__lte=1),
                                   name="event_model_xg_0_to_1"),
        ]
        indexes = [models.Index(fields=["match", "kind"])]

    def __str__(self):
        return f"{self.minute_display} {self.get_kind_display()}"

    @property
    def minute_display(self) -> str:
        """45+2' in added time, 67' otherwise (football minutes count from 1)."""
        if self.added_minute:
            return f"{self.minute}+{self.added_minute}'"
        return f"{self.minute}'"


class XgModel(models.Model):
    """One fitted version of our expected-goals model (``matches.xg``); at most one is active.

    ``train_xg`` writes a new version and makes it active; ``coefficients`` holds the
    intercept and one coefficient per feature on the raw feature scale, so
    xG = sigmoid(intercept + sum(coefficient * feature)) for a non-penalty shot and
    ``penalty_rate`` for a penalty. A model that reads freeze-frame features also keeps, under
    ``coefficients["without_freeze_frame"]``, the fallback regression for shots without a frame
    (``matches.xg``).
    """

    version = models.PositiveIntegerField(unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    is_active = models.BooleanField(default=False)
    feature_names = models.JSONField(help_text='In order: ["distance", "angle", "header", …].')
    coefficients = models.JSONField(help_text='{"intercept": b0, "distance": b1, …}, raw feature scale.')
    penalty_rate = models.FloatField(help_text="xG of a penalty: shrunk conversion of the training penalties.")
    training_data = models.JSONField(
        default=dict, blank=True,
        help_text="Where it was fitted: folder, training and held-out match ids, shots, goals, split, L2.",
    )
    metrics = models.JSONField(
        default=dict, blank=True,
        help_text="Held-out and cross-validated Brier, log loss and calibration, ours beside the provider's.",
    )

    class Meta:
        verbose_name = "xG model"
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="xg_model_one_active"),
            models.CheckConstraint(condition=Q(penalty_rate__gte=0, penalty_rate__lte=1),
                                   name="xg_model_penalty_rate_0_to_1"),
        ]

    def __str__(self):
        return f"xG model v{self.version}" + (" (active)" if self.is_active else "")


class Lineup(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="lineups")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="lineups")
    formation = models.CharField(max_length=20, blank=True, help_text='"4-3-3"')

    class Meta:
        constraints = [models.UniqueConstraint(fields=["match", "team"], name="lineup_unique_per_team")]

    def __str__(self):
        return f"{self.team} in {self.match}"


class LineupEntry(models.Model):
    lineup = models.ForeignKey(Lineup, on_delete=models.CASCADE, related_name="entries")
    player = models.ForeignKey("players.Player", on_delete=models.PROTECT, related_name="lineup_entries")
    shirt_number = models.PositiveSmallIntegerField(null=True, blank=True)
    position = models.CharField(max_length=40, blank=True)
    is_starter = models.BooleanField(default=False)
    minutes_played = models.PositiveSmallIntegerField(null=True, blank=True)
    subbed_on_minute = models.PositiveSmallIntegerField(null=True, blank=True)
    subbed_off_minute = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "lineup entries"
        ordering = ["lineup", "-is_starter", "shirt_number"]
        constraints = [
            models.UniqueConstraint(fields=["lineup", "player"], name="lineup_entry_unique_player"),
            models.CheckConstraint(
                condition=Q(minutes_played__isnull=True) | Q(minutes_played__lte=150), name="lineup_minutes_sane"
            ),
        ]

    def __str__(self):
        return f"{self.shirt_number or ''} {self.player}".strip()


class TeamMatchStats(models.Model):
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="team_stats")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="match_stats")
    shots = models.PositiveSmallIntegerField(null=True, blank=True)
    shots_on_target = models.PositiveSmallIntegerField(null=True, blank=True)
    corners = models.PositiveSmallIntegerField(null=True, blank=True)
    fouls = models.PositiveSmallIntegerField(null=True, blank=True)
    offsides = models.PositiveSmallIntegerField(null=True, blank=True)
    yellow_cards = models.PositiveSmallIntegerField(null=True, blank=True)
    red_cards = models.PositiveSmallIntegerField(null=True, blank=True)
    possession = models.FloatField(null=True, blank=True, help_text="Per cent, 0-100.")
    xg = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "team match stats"
        constraints = [
            models.UniqueConstraint(fields=["match", "team"], name="team_stats_unique_per_match"),
            models.CheckConstraint(
                condition=Q(possession__isnull=True) | Q(possession__gte=0, possession__lte=100),
                name="team_stats_possession_percent",
            ),
            models.CheckConstraint(
                condition=Q(shots_on_target__isnull=True) | Q(shots__isnull=True) | Q(shots_on_target__lte=F("shots")),
                name="team_stats_on_target_within_shots",
            ),
        ]

    def __str__(self):
        return f"{self.team} stats in {self.match}"


class TeamSeasonStats(models.Model):
    """A team's season, summed from its finished matches of the season.

    Derived, never edited: ``matches.aggregates.recompute_team_seasons`` writes every row of
    a season at once (after an import, when a match finishes, ``recompute_aggregates``);
    the team page reads these rows instead of the events. Each figure a match may not give
    (shots, possession, xG) is summed over the matches that give it, counted beside it, and
    empty when none does. Counting rules are in ``matches/aggregates.py``.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="season_stats")
    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="team_stats")
    played = models.PositiveSmallIntegerField(default=0)
    won = models.PositiveSmallIntegerField(default=0)
    drawn = models.PositiveSmallIntegerField(default=0)
    lost = models.PositiveSmallIntegerField(default=0)
    goals_for = models.PositiveSmallIntegerField(default=0)
    goals_against = models.PositiveSmallIntegerField(default=0)
    clean_sheets = models.PositiveSmallIntegerField(default=0)
    shots = models.PositiveIntegerField(null=True, blank=True)
    shots_against = models.PositiveIntegerField(null=True, blank=True)
    shots_matches = models.PositiveSmallIntegerField(default=0, help_text="Matches that give the shots.")
    shots_on_target = models.PositiveIntegerField(null=True, blank=True)
    shots_on_target_against = models.PositiveIntegerField(null=True, blank=True)
    shots_on_target_matches = models.PositiveSmallIntegerField(default=0)
    possession = models.FloatField(null=True, blank=True, help_text="Average per cent over the matches that give it.")
    possession_matches = models.PositiveSmallIntegerField(default=0)
    xg_for = models.FloatField(null=True, blank=True, help_text="Per shot the provider's xG, else ours; else the report's.")
    xg_against = models.FloatField(null=True, blank=True)
    xg_matches = models.PositiveSmallIntegerField(default=0, help_text="Matches that give the team's xG.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "team season statistics"
        verbose_name_plural = "team season statistics"
        ordering = ["season_id", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "season"], name="team_season_stats_unique"),
            models.CheckConstraint(condition=Q(played=F("won") + F("drawn") + F("lost")),
                                   name="team_season_stats_results_add_up"),
            models.CheckConstraint(condition=Q(clean_sheets__lte=F("played")),
                                   name="team_season_stats_clean_sheets_within_played"),
        ]

    def __str__(self):
        return f"{self.team} {self.season}"

    def per_match(self, value: float | None, matches: int) -> float | None:
        """``value`` per match over the ``matches`` that give it, or None without any."""
        return None if value is None or not matches else value / matches

    @property
    def goals_for_per_match(self) -> float | None:
        return self.per_match(self.goals_for, self.played)

    @property
    def goals_against_per_match(self) -> float | None:
        return self.per_match(self.goals_against, self.played)

    @property
    def shots_per_match(self) -> float | None:
        return self.per_match(self.shots, self.shots_matches)

    @property
    def xg_for_per_match(self) -> float | None:
        return self.per_match(self.xg_for, self.xg_matches)

    @property
    def xg_against_per_match(self) -> float | None:
        return self.per_match(self.xg_against, self.xg_matches)


class PointsAdjustment(models.Model):
    """Points added or deducted by a league (Everton -8 in 2023/24). Negative deducts."""

    season = models.ForeignKey(Season, on_delete=models.CASCADE, related_name="points_adjustments")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="points_adjustments")
    points = models.SmallIntegerField()
    reason = models.CharField(max_length=200)
    decided_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(max_length=300, blank=True, help_text="Where the ruling is published.")

    class Meta:
        ordering = ["season", "team"]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="adjustment_not_zero")]

    def __str__(self):
        return f"{self.team} {self.points:+d} ({self.season})"


class MatchWeather(models.Model):
    """The weather at a match's ground around kick-off: forecast before, observed after.

    One row per match and kind; a newer forecast replaces the older one, and the observed
    row (from the archive, once the match is over) is what the page shows from then on.
    Figures are those of the kick-off hour at the ground (``matches.weather``).
    """

    class Kind(models.TextChoices):
        FORECAST = "forecast", "Forecast"
        OBSERVED = "observed", "Observed"

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="weather")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source = models.CharField(max_length=32, choices=Source.choices, default=Source.OPEN_METEO)
    valid_at = models.DateTimeField(help_text="UTC hour the figures are for (kick-off's hour).")
    temperature_c = models.FloatField(null=True, blank=True)
    precipitation_mm = models.FloatField(null=True, blank=True, help_text="In the hour.")
    wind_speed_kmh = models.FloatField(null=True, blank=True, help_text="At 10 m.")
    weather_code = models.PositiveSmallIntegerField(null=True, blank=True, help_text="WMO weather interpretation code.")
    fetched_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "match weather"
        ordering = ["match", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["match", "kind"], name="match_weather_unique_kind"),
            models.CheckConstraint(condition=Q(temperature_c__isnull=True)
                                   | Q(temperature_c__gte=-60, temperature_c__lte=60),
                                   name="match_weather_temperature_plausible"),
            models.CheckConstraint(condition=Q(precipitation_mm__isnull=True) | Q(precipitation_mm__gte=0),
                                   name="match_weather_precipitation_not_negative"),
            models.CheckConstraint(condition=Q(wind_speed_kmh__isnull=True) | Q(wind_speed_kmh__gte=0),
                                   name="match_weather_wind_not_negative"),
            models.CheckConstraint(condition=Q(weather_code__isnull=True) | Q(weather_code__lte=99),
                                   name="match_weather_wmo_code"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} weather for {self.match}"
