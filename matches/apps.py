from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "matches"

    def ready(self):
        from matches import services
        from matches.aggregates import recompute_team_seasons

        # A match finished live: its teams' season figures include it from the final whistle.
        if recompute_team_seasons not in services.after_finish:
            services.after_finish.append(recompute_team_seasons)

        # The match page's own regions, then the weather at the ground (matches/weather.py).
        from matches import fragments, regions, weather

        fragments.register()
        regions.register_region("match", regions.Region("weather", "matches/partials/_weather.html",
                                                        lambda state: weather.match_card(state.match), order=50))
