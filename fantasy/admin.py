"""Admin for Fantasy Premier League's lines: read-mostly (the next import rewrites them), searched by player."""

from django.contrib import admin

from fantasy.models import FplPlayerFixture


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
