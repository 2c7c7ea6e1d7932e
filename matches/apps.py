from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "matches"

    def ready(self):
        from matches import services
        from matches.aggregates import recompute_team_seasons

        # A match finished live: its teams' season figures include it from the final whistle.
        if recompute_team_seasons not in services.after_finish:
            services.after_finish.append(recompute_team_seasons)

        # The weather at the ground is matches' own card (matches/weather.py), first among the cards.
        from matches import regions, weather

        regions.register_card("match", regions.Card("weather", "matches/partials/_weather.html", weather.match_card,
                                                    order=10))
