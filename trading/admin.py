from django.contrib import admin

from trading.models import (Backtest, BacktestBet, PaperBet, PaperPortfolio, PaperStrategy, Strategy,
                            StrategyVersion)


class StrategyVersionInline(admin.TabularInline):
    model = StrategyVersion
    extra = 0
    readonly_fields = ("version", "definition", "created_at")
    can_delete = False


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "created_at")
    search_fields = ("name", "owner__username")
    inlines = [StrategyVersionInline]


@admin.register(Backtest)
class BacktestAdmin(admin.ModelAdmin):
    list_display = ("pk", "__str__", "owner", "status", "progress", "walk_forward", "created_at", "finished_at")
    list_filter = ("status", "walk_forward", "competitions")
    search_fields = ("owner__username", "strategy_version__strategy__name")
    readonly_fields = ("data_seen", "report", "monte_carlo", "windows", "equity", "started_at", "finished_at")


@admin.register(BacktestBet)
class BacktestBetAdmin(admin.ModelAdmin):
    list_display = ("backtest", "match", "market", "line", "selection", "price", "closing_price", "stake", "result",
                    "profit")
    list_filter = ("market", "result")
    list_select_related = ("backtest", "match__home_team", "match__away_team")
    raw_id_fields = ("backtest", "match")


class PaperStrategyInline(admin.TabularInline):
    model = PaperStrategy
    extra = 0
    raw_id_fields = ("strategy_version",)


@admin.register(PaperPortfolio)
class PaperPortfolioAdmin(admin.ModelAdmin):
    list_display = ("name", "owner", "bankroll", "created_at")
    search_fields = ("name", "owner__username")
    inlines = [PaperStrategyInline]


@admin.register(PaperBet)
class PaperBetAdmin(admin.ModelAdmin):
    list_display = ("portfolio", "match", "market", "selection", "price", "stake", "status", "result", "profit",
                    "placed_at")
    list_filter = ("status", "market")
    list_select_related = ("portfolio", "match__home_team", "match__away_team")
    raw_id_fields = ("portfolio", "match", "strategy_version")
