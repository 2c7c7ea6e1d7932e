"""Admin for bookmakers and the odds they quoted, exchange markets and their prices, and our fitted ratings
and their predictions."""

from django.contrib import admin

from markets.models import (
    Bookmaker,
    ExchangeMarket,
    ExchangeRunner,
    ExchangeSnapshot,
    OddsQuote,
    Prediction,
    RatingModel,
)
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


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by fit_ratings with its metrics: shown as measured, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RatingModel)
class RatingModelAdmin(ReadOnlyAdmin):
    list_display = ("competition", "kind", "version", "fitted_at", "training_matches", "walk_forward_rps")
    list_filter = ("kind", "competition")

    @admin.display(description="walk-forward RPS (ours / market)")
    def walk_forward_rps(self, obj):
        validation = (obj.metrics or {}).get("validation") or {}
        model, market = (validation.get("model") or {}).get("rps"), (validation.get("market") or {}).get("rps")
        return f"{model:.4f} / {market:.4f}" if model is not None and market is not None else "—"


@admin.register(Prediction)
class PredictionAdmin(ReadOnlyAdmin):
    list_display = ("match", "model", "home", "draw", "away", "over_2_5", "created_at")
    list_select_related = (*MATCH_LABEL, "model__competition")
    list_filter = ("model__kind",)
    raw_id_fields = ("match", "model")


class ExchangeRunnerInline(admin.TabularInline):
    model = ExchangeRunner
    fields = ("selection_id", "handicap", "name", "sort_priority", "status", "selection")
    extra = 0
    show_change_link = True


@admin.register(ExchangeMarket)
class ExchangeMarketAdmin(admin.ModelAdmin):
    list_display = ("market_id", "event_name", "market_type", "market_time", "status", "in_play", "market_base_rate",
                    "match")
    list_filter = ("exchange", "status", "in_play", "market_type", "event_type_id")
    list_select_related = MATCH_LABEL
    search_fields = ("market_id", "event_name", "event_id")
    date_hierarchy = "market_time"
    raw_id_fields = ("match",)
    readonly_fields = ("created_at", "updated_at")
    inlines = (ExchangeRunnerInline,)


@admin.register(ExchangeRunner)
class ExchangeRunnerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "market", "selection_id", "sort_priority", "status", "selection")
    list_filter = ("status", "selection")
    list_select_related = ("market",)
    search_fields = ("market__market_id", "market__event_name", "name", "=selection_id")
    raw_id_fields = ("market",)


@admin.register(ExchangeSnapshot)
class ExchangeSnapshotAdmin(ReadOnlyAdmin):
    """The sampled books as imported (import_betfair): read only, thousands per market in play."""

    list_display = ("runner", "taken_at", "status", "in_play", "best_back", "best_lay", "last_traded_price",
                    "traded_volume")
    list_filter = ("in_play", "status")
    list_select_related = ("runner__market",)
    search_fields = ("runner__market__market_id", "runner__market__event_name", "runner__name")
    date_hierarchy = "taken_at"
    show_full_result_count = False  # a market in play keeps thousands
    raw_id_fields = ("runner",)
