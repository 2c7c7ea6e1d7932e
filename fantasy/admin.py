"""Admin for the fantasy games: FPL lines (read-mostly: the next import rewrites them), slates, projections."""

from django.contrib import admin

from fantasy.models import FplPlayerFixture, Optimization, Projection, ProjectionSet, Slate, SlatePlayer


@admin.register(FplPlayerFixture)
class FplPlayerFixtureAdmin(admin.ModelAdmin):
    list_display = ("player", "season", "gameweek", "match", "price", "total_points", "bonus", "bps",
                    "expected_points", "selected")
    list_filter = ("season", "gameweek")
    list_select_related = ("player", "season", "match__home_team", "match__away_team")
    search_fields = ("player__name", "player__known_as", "player__aliases__alias")
    raw_id_fields = ("player", "match", "season")
    ordering = ("player__name", "match__kickoff")

    def has_add_permission(self, request):
        return False


class SlatePlayerInline(admin.TabularInline):
    model = SlatePlayer
    extra = 0
    raw_id_fields = ("player", "team", "match")
    fields = ("external_id", "name", "positions", "salary", "team_abbrev", "player", "team", "match")


@admin.register(Slate)
class SlateAdmin(admin.ModelAdmin):
    list_display = ("name", "game", "starts_at", "salary_cap", "created_at")
    list_filter = ("game",)
    search_fields = ("name",)
    filter_horizontal = ("matches",)
    inlines = [SlatePlayerInline]


@admin.register(ProjectionSet)
class ProjectionSetAdmin(admin.ModelAdmin):
    """Our simulations and users' uploads; curators see all, users only their own (on the pages)."""

    list_display = ("__str__", "game", "kind", "season", "gameweek", "slate", "owner", "version", "created_at")
    list_filter = ("game", "kind", "season")
    search_fields = ("owner__username", "slate__name")
    raw_id_fields = ("season", "slate", "owner")
    readonly_fields = ("inputs", "created_at")


@admin.register(Projection)
class ProjectionAdmin(admin.ModelAdmin):
    list_display = ("player", "projection_set", "match", "points", "p10", "p90", "play_probability")
    list_select_related = ("player", "projection_set", "match__home_team", "match__away_team")
    search_fields = ("player__name", "player__known_as")
    raw_id_fields = ("projection_set", "player", "match")


@admin.register(Optimization)
class OptimizationAdmin(admin.ModelAdmin):
    """Runs of the optimizer: what was asked and what came out are a record, not data to edit."""

    list_display = ("__str__", "kind", "status", "owner", "slate", "season", "gameweek", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("owner__username", "slate__name")
    raw_id_fields = ("owner", "season", "slate", "projection_set")
    readonly_fields = ("settings", "result", "progress", "message", "created_at", "started_at", "finished_at")
