from django.apps import AppConfig


class MatchesConfig(AppConfig):
    name = "matches"

    def ready(self):
        from matches import services
        from matches.aggregates import recompute_team_seasons

        # A match finished live: its teams' season figures include it from the final whistle.
        if recompute_team_seasons not in services.after_finish:
            services.after_finish.append(recompute_team_seasons)
