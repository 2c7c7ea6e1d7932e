"""Admin for bookmakers and the odds they quoted."""

from django.contrib import admin

from markets.models import Bookmaker, OddsQuote
from matches.admin import MATCH_LABEL, ProvenanceAdmin


@admin.register(Bookmaker)
class BookmakerAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_aggregate")
    list_filter = ("is_aggregate",)
    search_fields = ("name", "code")


@admin.register(OddsQuote)
class OddsQuoteAdmin(ProvenanceAdmin):
    list_display = ("match", "bookmaker", "market", "line", "phase", "home", "draw", "away", "over", "under",
                    "taken_at", "source")
    list_filter = ("market", "phase", "source", "bookmaker")
    list_select_related = (*MATCH_LABEL, "bookmaker")
    search_fields = ("match__home_team__name", "match__away_team__name", "bookmaker__name", "bookmaker__code")
    date_hierarchy = "match__kickoff"
    show_full_result_count = False  # a season of quotes runs to hundreds of thousands of rows
    autocomplete_fields = ("match", "bookmaker")
    provenance_fields = ("source",)
