from django.apps import AppConfig


class PlayersConfig(AppConfig):
    name = "players"

    def ready(self):
        # Subscriptions to the apps below players (dependencies point one way: they never import us).
        from matches import live as match_live
        from matches import merge, services
        from players import live
        from players.aggregates import recompute_player_seasons

        if live.announce_event not in match_live.event_announcers:
            match_live.event_announcers.append(live.announce_event)
        # A match finished live: its players' season figures include it from the final whistle.
        if recompute_player_seasons not in services.after_finish:
            services.after_finish.append(recompute_player_seasons)
        # Merging duplicate players: a season row both have is derived data, not a conflict for a
        # curator; the duplicate's copy is dropped and the next recompute sums the merged matches.
        merge.REDUNDANT_WHEN_SHARED.add("players.PlayerSeasonStats")
