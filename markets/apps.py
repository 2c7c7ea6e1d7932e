from django.apps import AppConfig


class MarketsConfig(AppConfig):
    name = "markets"

    def ready(self):
        # A finished match adds a value to the history of everyone who played. Registered after
        # players' own hook (INSTALLED_APPS order), so the season figures already include it.
        from markets.valuation import record_after_match
        from matches import services

        if record_after_match not in services.after_finish:
            services.after_finish.append(record_after_match)

        # The match page's win probability, market values, odds and prediction (matches/regions.py).
        from markets import match_regions

        match_regions.register()

        # A player's live line shows his market value moving with the match.
        from markets.valuation_live import player_line_value
        from players import live as player_live

        if player_line_value not in player_live.line_additions:
            player_live.line_additions.append(player_line_value)
