"""Admin for players, their aliases and the ids sources give them."""

from django.contrib import admin

from matches.admin import ExternalIdAdmin, ExternalIdInline, merge_selected
from players.models import Player, PlayerAlias, PlayerExternalId


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
