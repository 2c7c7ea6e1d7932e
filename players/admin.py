"""Admin for players, their aliases and the ids sources give them."""

from django.contrib import admin
from django.utils import timezone

from matches.admin import ExternalIdAdmin, ExternalIdInline, merge_selected
from matches.models import Source
from players.availability import Statement, record_availability
from players.models import Player, PlayerAlias, PlayerAvailability, PlayerExternalId, PlayerMatchStats


class PlayerAliasInline(admin.TabularInline):
    model = PlayerAlias
    fields = ("alias", "normalized")
    readonly_fields = ("normalized",)
    extra = 0


class PlayerExternalIdInline(ExternalIdInline):
    model = PlayerExternalId


@admin.register(Player)
class PlayerAdmin(admin.ModelAdmin):
    list_display = ("name", "known_as", "position", "nationality", "birth_date", "foot", "height_cm")
    list_filter = ("position", "foot", "nationality")
    search_fields = ("name", "known_as", "aliases__alias", "external_ids__external_id")
    inlines = (PlayerAliasInline, PlayerExternalIdInline)
    actions = (merge_selected,)


@admin.register(PlayerAlias)
class PlayerAliasAdmin(admin.ModelAdmin):
    list_display = ("alias", "player", "normalized")
    list_select_related = ("player",)
    search_fields = ("alias", "normalized", "player__name")
    autocomplete_fields = ("player",)
    readonly_fields = ("normalized",)


@admin.register(PlayerExternalId)
class PlayerExternalIdAdmin(ExternalIdAdmin):
    list_display = ("external_id", "source", "player")
    list_select_related = ("player",)
    search_fields = ("external_id", "player__name")
    autocomplete_fields = ("player",)


class CurrentFilter(admin.SimpleListFilter):
    title = "current"
    parameter_name = "current"

    def lookups(self, request, model_admin):
        return (("yes", "Current"), ("no", "Ended"))

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(valid_until__isnull=self.value() == "yes")
        return queryset


@admin.register(PlayerAvailability)
class PlayerAvailabilityAdmin(admin.ModelAdmin):
    """History as the sources stated it: read-only. A curator corrects by adding a statement.

    The add form goes through ``players.availability.record_availability`` (source "Entered
    by hand", observed now), the one writer: the newer statement wins on every page until a
    source says something newer (rule in players/availability.py), and nothing is rewritten.
    Give the team (the cards place players by it), and the match to overrule what a source said
    about that match (a statement about the match beats a general one).
    """

    list_display = ("player", "status", "reason", "chance_of_playing", "valid_from", "valid_until", "source", "team",
                    "match", "observed_at")
    list_filter = ("status", "source", CurrentFilter)
    list_select_related = ("player", "team", "match__home_team", "match__away_team")
    search_fields = ("player__name", "player__known_as", "reason")
    date_hierarchy = "valid_from"
    autocomplete_fields = ("player", "team")
    raw_id_fields = ("match",)
    fields = ("player", "team", "match", "status", "reason", "chance_of_playing", "valid_from")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "valid_from" in form.base_fields:
            form.base_fields["valid_from"].required = False
            form.base_fields["valid_from"].label = "Since"
            form.base_fields["valid_from"].help_text = "When it began; empty: now."
        return form

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else (*self.fields, "valid_until", "source", "observed_at")

    def has_change_permission(self, request, obj=None):
        return False  # intervals are closed by newer statements, never edited

    def save_model(self, request, obj, form, change):
        record_availability([Statement(
            player_id=obj.player_id, status=obj.status, reason=obj.reason, chance_of_playing=obj.chance_of_playing,
            since=obj.valid_from, team_id=obj.team_id, match_id=obj.match_id,
        )], source=Source.MANUAL, observed_at=timezone.now())
        obj.pk = PlayerAvailability.objects.get(player_id=obj.player_id, match_id=obj.match_id, source=Source.MANUAL,
                                                valid_until__isnull=True).pk
        obj.refresh_from_db()


@admin.register(PlayerMatchStats)
class PlayerMatchStatsAdmin(admin.ModelAdmin):
    """A source's lines, read-mostly: the next import rewrites them; a wrong one is fixed at its source."""

    list_display = ("player", "match", "team", "source", "minutes", "started", "goals", "assists", "xg", "xa",
                    "clean_sheet", "saves")
    list_filter = ("source", "started", "clean_sheet")
    list_select_related = ("player", "team", "match__home_team", "match__away_team")
    search_fields = ("player__name", "player__known_as", "player__aliases__alias")
    raw_id_fields = ("player", "match", "team")
    readonly_fields = ("source", "updated_at")

    def has_add_permission(self, request):
        return False

