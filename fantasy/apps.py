from django.apps import AppConfig


class FantasyConfig(AppConfig):
    name = "fantasy"

    def ready(self):
        # The player page's FPL card (price by gameweek beside our market value, points per match).
        from fantasy import cards
        from matches import regions

        regions.register_region("player", regions.Region("fpl", "fantasy/partials/_fpl_card.html", cards.player_card,
                                                     order=30))

        # FPL's start-of-season prices are a real market: evaluate_valuations judges our values against them.
        from fantasy import prices
        from markets import reference_markets

        reference_markets.register_reference_market(reference_markets.ReferenceMarket(
            "FPL start-of-season prices", "£m", prices.seasons_with_prices, prices.start_of_season_prices))
