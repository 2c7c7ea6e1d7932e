from django.apps import AppConfig


class TradingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trading"
    verbose_name = "Trading: strategies, backtests and paper portfolios"

    def ready(self):
        # Paper strategies bet at kick-off and settle at full time: told by matches' live pipeline.
        from matches import live
        from trading import paper

        if paper.on_match_change not in live.change_listeners:  # ready() may run twice in tests
            live.change_listeners.append(paper.on_match_change)
