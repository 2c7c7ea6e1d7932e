"""Admin for the football domain: what curators fix, and what they may only look at.

Provenance (which source said what, under which id) is shown read-only. Match events
are recorded by ``matches.services.record_event``, which sequences and broadcasts
them, so the admin never adds one; a match page lists only its key events.
"""

from urllib.parse import urlsplit

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from matches.merge import MergeError, count_references, merge_many
from matches.models import (
    Competition,
    CompetitionExternalId,
    Lineup,
    LineupEntry,
    Match,
    MatchEvent,
    MatchExternalId,
    MatchWeather,
    PointsAdjustment,
    XgModel,
    Season,
    SeasonExternalId,
    Team,
    TeamAlias,
    TeamExternalId,
    TeamMatchStats,
    TeamSeasonStats,
    Venue,
    VenueExternalId,
)

MATCH_LABEL = ("match__home_team", "match__away_team")  # what str(match) reads


# ---------------------------------------------------------------- shared pieces


@admin.action(permissions=["change", "delete"], description="Merge selected into one")
def merge_selected(modeladmin, request, queryset):
    """Pick the row to keep on a confirmation page, then fold the others into it."""
    candidates = list(queryset)
    if len(candidates) < 2:
        modeladmin.message_user(request, "Select two or more rows to merge.", messages.WARNING)
        return None
    keep = next((obj for obj in candidates if str(obj.pk) == request.POST.get("keep")), None)
    if request.POST.get("post") and keep is not None:
        try:
            counts = merge_many(keep, [obj for obj in candidates if obj.pk != keep.pk])
        except MergeError as error:
            modeladmin.message_user(request, f"Nothing was merged. {error}", messages.ERROR)
            return None
        modeladmin.log_change(request, keep, f"Merged {len(candidates) - 1} duplicate(s) into this row.")
        moved = ", ".join(f"{key}: {n}" for key, n in sorted(counts.items())) or "nothing to move"
        modeladmin.message_user(
            request, f"Merged {len(candidates) - 1} {modeladmin.opts.verbose_name_plural} into “{keep}” ({moved}).",
            messages.SUCCESS,
        )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": f"Merge {modeladmin.opts.verbose_name_plural}",
        "subtitle": None,
        "opts": modeladmin.opts,
        # The row most pointed at comes first, and is offered as the one to keep.
        "candidates": sorted(((obj, count_references(obj)) for obj in candidates), key=lambda c: -c[1]),
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        "action_name": "merge_selected",
        "media": modeladmin.media,
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/merge_confirmation.html", context)


class ProvenanceAdmin(admin.ModelAdmin):
    """Provenance fields are typed once, when a row is entered by hand, then only shown."""

    provenance_fields: tuple[str, ...] = ()

    def get_readonly_fields(self, request, obj=None):
        return (*self.readonly_fields, *(self.provenance_fields if obj else ()))


class ExternalIdAdmin(ProvenanceAdmin):
    """An id a source gives to one of our rows. Re-pointing it to the right row is curation."""

    provenance_fields = ("source", "external_id")
    list_filter = ("source",)


class ExternalIdInline(admin.TabularInline):
    """External ids on their owner's page: shown, removable, added by imports (or on their own page)."""

    fields = ("source", "external_id")
    readonly_fields = ("source", "external_id")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


# ---------------------------------------------------------------- competitions and seasons


class CompetitionExternalIdInline(ExternalIdInline):
    model = CompetitionExternalId


class SeasonInline(admin.TabularInline):
    model = Season
    fields = ("name", "start_date", "end_date")
    extra = 0
    show_change_link = True


@admin.register(Competition)
class CompetitionAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "country", "kind", "tiebreak", "timezone")
    list_filter = ("kind", "tiebreak", "country")
    search_fields = ("name", "short_name", "country", "external_ids__external_id")
    inlines = (SeasonInline, CompetitionExternalIdInline)
    actions = (merge_selected,)


@admin.register(CompetitionExternalId)
class CompetitionExternalIdAdmin(ExternalIdAdmin):
    list_display = ("external_id", "source", "competition")
    autocomplete_fields = ("competition",)
    list_select_related = ("competition",)
    search_fields = ("external_id", "competition__name")


class SeasonExternalIdInline(ExternalIdInline):
    model = SeasonExternalId


class PointsAdjustmentInline(admin.TabularInline):
    model = PointsAdjustment
    fields = ("team", "points", "reason", "decided_on", "source_url")
    autocomplete_fields = ("team",)
    extra = 0


@admin.register(Season)
class SeasonAdmin(admin.ModelAdmin):
    list_display = ("name", "competition", "start_date", "end_date")
    list_filter = ("competition",)
    list_select_related = ("competition",)
    search_fields = ("name", "competition__name", "external_ids__external_id")
    autocomplete_fields = ("competition",)
    inlines = (PointsAdjustmentInline, SeasonExternalIdInline)

    def get_queryset(self, request):
        # str(season) names the competition: autocomplete results and selects read it.
        return super().get_queryset(request).select_related("competition")


@admin.register(SeasonExternalId)
class SeasonExternalIdAdmin(ExternalIdAdmin):
    list_display = ("external_id", "source", "season")
    autocomplete_fields = ("season",)
    list_select_related = ("season__competition",)
    search_fields = ("external_id", "season__name", "season__competition__name")


@admin.register(PointsAdjustment)
class PointsAdjustmentAdmin(admin.ModelAdmin):
    list_display = ("team", "points", "season", "reason", "decided_on", "source_link")
    list_filter = ("season__competition",)
    list_select_related = ("team", "season__competition")
    search_fields = ("team__name", "reason", "season__name")
    autocomplete_fields = ("season", "team")

    @admin.display(description="Source")
    def source_link(self, adjustment):
        if not adjustment.source_url:
            return "—"
        return format_html('<a href="{}" rel="noopener noreferrer">{}</a>', adjustment.source_url,
                           urlsplit(adjustment.source_url).netloc or adjustment.source_url)


# ---------------------------------------------------------------- venues and teams


class VenueExternalIdInline(ExternalIdInline):
    model = VenueExternalId


class LocatedFilter(admin.SimpleListFilter):
    title = "coordinates"
    parameter_name = "located"

    def lookups(self, request, model_admin):
        return (("yes", "With coordinates"), ("no", "Without coordinates"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(latitude__isnull=self.value() == "no")
        return queryset


@admin.register(Venue)
class VenueAdmin(admin.ModelAdmin):
    """Coordinates come from the grounds catalog (``matches/grounds.py``) only while blank: what a
    curator enters here is kept, and the weather is asked for that place from then on."""

    list_display = ("name", "city", "country", "capacity", "latitude", "longitude")
    list_filter = ("country", LocatedFilter)
    fields = ("name", "city", "country", "capacity", ("latitude", "longitude"))
    search_fields = ("name", "city", "external_ids__external_id")
    inlines = (VenueExternalIdInline,)
    actions = (merge_selected,)


@admin.register(VenueExternalId)
class VenueExternalIdAdmin(ExternalIdAdmin):
    list_display = ("external_id", "source", "venue")
    autocomplete_fields = ("venue",)
    list_select_related = ("venue",)
    search_fields = ("external_id", "venue__name")


class TeamAliasInline(admin.TabularInline):
    model = TeamAlias
    fields = ("alias", "source", "normalized")
    readonly_fields = ("normalized",)
    extra = 0


class TeamExternalIdInline(ExternalIdInline):
    model = TeamExternalId


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "short_name", "kind", "country", "venue")
    list_filter = ("kind", "country")
    list_select_related = ("venue",)
    search_fields = ("name", "short_name", "aliases__alias", "external_ids__external_id")
    autocomplete_fields = ("venue",)
    inlines = (TeamAliasInline, TeamExternalIdInline)
    actions = (merge_selected,)


@admin.register(TeamAlias)
class TeamAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "team", "source", "normalized")
    list_filter = ("source",)
    list_select_related = ("team",)
    search_fields = ("alias", "normalized", "team__name")
    autocomplete_fields = ("team",)
    readonly_fields = ("normalized",)


@admin.register(TeamExternalId)
class TeamExternalIdAdmin(ExternalIdAdmin):
    list_display = ("external_id", "source", "team")
    autocomplete_fields = ("team",)
    list_select_related = ("team",)
    search_fields = ("external_id", "team__name")


# ---------------------------------------------------------------- matches


class MatchExternalIdInline(ExternalIdInline):
    model = MatchExternalId


class TeamMatchStatsInline(admin.TabularInline):
    model = TeamMatchStats
    autocomplete_fields = ("team",)
    extra = 0
    max_num = 2

    def get_queryset(self, request):
        # Each row's title, str(stats), names its team and match.
        return super().get_queryset(request).select_related("team", *MATCH_LABEL)


class LineupInline(admin.TabularInline):
    """The two lineups; each lineup's players are edited on the lineup's own page."""

    model = Lineup
    fields = ("team", "formation")
    autocomplete_fields = ("team",)
    extra = 0
    max_num = 2
    show_change_link = True

    def get_queryset(self, request):
        # Each row's title, str(lineup), names its team and match.
        return super().get_queryset(request).select_related("team", *MATCH_LABEL)


class KeyEventInline(admin.TabularInline):
    """Goals, cards, substitutions and period marks only: a match has thousands of events.

    Read-only here; each row links to the event's own page, and the match page links
    to the full, paginated event list.
    """

    model = MatchEvent
    verbose_name = "key event"
    verbose_name_plural = "key events (goals, cards, substitutions, periods)"
    fields = ("seq", "clock", "kind", "team", "player", "related_player", "outcome")
    readonly_fields = fields
    show_change_link = True

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .filter(kind__in=MatchEvent.KEY_KINDS)
            .select_related("team", "player", "related_player")
        )

    @admin.display(description="minute")
    def clock(self, obj):
        return obj.minute_display

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MovesMatchVersion:
    """A curator's edit of a match's own data (an event, a line-up) redraws the match page, which
    keeps its regions per version of the match (``Match.touch``). ``match_field``: the path to it."""

    match_field = "match"

    def save_related(self, request, form, formsets, change):  # after save_model, inlines included
        super().save_related(request, form, formsets, change)
        Match.touch(self._match_ids(type(form.instance).objects.filter(pk=form.instance.pk)))

    def delete_model(self, request, obj):
        match_ids = self._match_ids(type(obj).objects.filter(pk=obj.pk))
        super().delete_model(request, obj)
        Match.touch(match_ids)

    def delete_queryset(self, request, queryset):
        match_ids = self._match_ids(queryset)
        super().delete_queryset(request, queryset)
        Match.touch(match_ids)

    def _match_ids(self, queryset) -> set[int]:
        return set(queryset.values_list(f"{self.match_field}_id", flat=True))


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    list_display = ("kickoff", "home_team", "score_display", "away_team", "competition", "season", "status")
    list_display_links = ("kickoff", "score_display")
    list_filter = ("status", "competition")
    list_select_related = ("home_team", "away_team", "competition", "season__competition")
    date_hierarchy = "kickoff"
    search_fields = ("home_team__name", "away_team__name", "round", "referee", "external_ids__external_id")
    autocomplete_fields = ("competition", "season", "venue", "home_team", "away_team")
    readonly_fields = ("all_events", "last_seq", "updated_at")
    fieldsets = (
        (None, {"fields": ("competition", "season", "round", "matchday", "kickoff", "venue",
                           ("home_team", "away_team"))}),
        ("Status", {"fields": ("status", "period", ("clock_minute", "clock_added"))}),
        ("Result", {"fields": (("home_score", "away_score"), ("home_ht_score", "away_ht_score"),
                               ("home_penalty_score", "away_penalty_score"))}),
        ("Officials and crowd", {"fields": ("referee", "attendance")}),
        ("Events", {"fields": ("all_events", "last_seq", "updated_at")}),
    )
    inlines = (TeamMatchStatsInline, LineupInline, KeyEventInline, MatchExternalIdInline)

    def get_queryset(self, request):
        # str(match) names both teams: autocomplete results and selects read them.
        return super().get_queryset(request).select_related("home_team", "away_team")

    @admin.display(description="score")
    def score_display(self, obj):
        return obj.score_display

    @admin.display(description="all events")
    def all_events(self, obj):
        if obj.pk is None:
            return "—"
        url = reverse("admin:matches_matchevent_changelist") + f"?match__id__exact={obj.pk}"
        return format_html('<a href="{}">All events of this match</a> (latest seq {})', url, obj.last_seq)


@admin.register(MatchExternalId)
class MatchExternalIdAdmin(ExternalIdAdmin):
    list_display = ("external_id", "source", "match")
    autocomplete_fields = ("match",)
    list_select_related = MATCH_LABEL
    search_fields = ("external_id", "match__home_team__name", "match__away_team__name")


@admin.register(MatchEvent)
class MatchEventAdmin(MovesMatchVersion, admin.ModelAdmin):
    """Curators correct who did what and when; sequence and provenance stay as recorded."""

    list_display = ("match", "seq", "minute_display", "kind", "team", "player", "outcome", "source")
    list_display_links = ("seq", "minute_display")
    list_filter = ("kind", "source", "period")
    list_select_related = (*MATCH_LABEL, "team", "player")
    search_fields = ("player__name", "player__known_as", "external_id", "raw_type")
    show_full_result_count = False  # counting millions of events on every page is slow
    raw_id_fields = ("match", "team", "player", "related_player")
    readonly_fields = ("match", "seq", "source", "external_id", "raw_type", "details", "recorded_at")
    fieldsets = (
        (None, {"fields": ("match", "seq", "kind", ("period", "minute", "second", "added_minute"))}),
        ("Who", {"fields": ("team", "player", "related_player")}),
        ("Where and how", {"fields": (("x", "y"), ("end_x", "end_y"), ("xg", "model_xg"), "outcome", "body_part",
                                      "situation")}),
        ("Provenance", {"fields": ("source", "external_id", "source_index", "raw_type", "details", "recorded_at")}),
    )

    @admin.display(description="minute", ordering="minute")
    def minute_display(self, obj):
        return obj.minute_display

    def has_add_permission(self, request):
        return False  # events are recorded (sequenced and broadcast) by matches.services


@admin.register(XgModel)
class XgModelAdmin(admin.ModelAdmin):
    """Fitted by ``train_xg`` with its metrics; read-only here, so what it says is what was measured."""

    list_display = ("version", "is_active", "created_at", "penalty_rate", "held_out_brier", "provider_brier")

    @admin.display(description="held-out Brier")
    def held_out_brier(self, obj):
        return (obj.metrics.get("held_out") or {}).get("brier")

    @admin.display(description="StatsBomb's Brier")
    def provider_brier(self, obj):
        return (obj.metrics.get("held_out") or {}).get("provider_brier")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LineupEntryInline(admin.TabularInline):
    model = LineupEntry
    fields = ("player", "shirt_number", "position", "is_starter", "minutes_played",
              "subbed_on_minute", "subbed_off_minute")
    autocomplete_fields = ("player",)
    extra = 0


@admin.register(Lineup)
class LineupAdmin(MovesMatchVersion, admin.ModelAdmin):
    list_display = ("match", "team", "formation")
    list_select_related = (*MATCH_LABEL, "team")
    search_fields = ("team__name", "match__home_team__name", "match__away_team__name")
    autocomplete_fields = ("match", "team")
    inlines = (LineupEntryInline,)

    def get_queryset(self, request):
        # str(lineup) names the team and the match.
        return super().get_queryset(request).select_related("team", *MATCH_LABEL)


@admin.register(LineupEntry)
class LineupEntryAdmin(MovesMatchVersion, admin.ModelAdmin):
    match_field = "lineup__match"
    list_display = ("player", "lineup", "shirt_number", "position", "is_starter", "minutes_played")
    list_filter = ("is_starter",)
    list_select_related = ("player", "lineup__team", "lineup__match__home_team", "lineup__match__away_team")
    search_fields = ("player__name", "player__known_as", "lineup__team__name")
    autocomplete_fields = ("lineup", "player")


@admin.register(TeamMatchStats)
class TeamMatchStatsAdmin(MovesMatchVersion, admin.ModelAdmin):
    list_display = ("match", "team", "shots", "shots_on_target", "possession", "xg")
    list_select_related = (*MATCH_LABEL, "team")
    search_fields = ("team__name", "match__home_team__name", "match__away_team__name")
    autocomplete_fields = ("match", "team")


@admin.register(MatchWeather)
class MatchWeatherAdmin(admin.ModelAdmin):
    """Fetched from Open-Meteo by the weather job: shown to check, never edited here (delete a
    row and the next run fetches it again)."""

    list_display = ("match", "kind", "valid_at", "temperature_c", "precipitation_mm", "wind_speed_kmh",
                    "weather_code", "source", "fetched_at")
    list_select_related = MATCH_LABEL
    list_filter = ("kind", "source", "match__competition", "match__season")
    date_hierarchy = "valid_at"
    search_fields = ("match__home_team__name", "match__away_team__name", "match__venue__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(TeamSeasonStats)
class TeamSeasonStatsAdmin(admin.ModelAdmin):
    """Derived from the matches (``matches.aggregates``): shown to check, never edited here."""

    list_display = ("team", "season", "played", "won", "drawn", "lost", "goals_for", "goals_against",
                    "clean_sheets", "xg_for", "xg_against", "updated_at")
    list_select_related = ("team", "season__competition")
    list_filter = ("season__competition",)
    search_fields = ("team__name", "season__name", "season__competition__name")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
