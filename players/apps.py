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
        # ... and its stored ratings, which the player's match log lists.
        from players.rating_store import rate_finished

        if rate_finished not in services.after_finish:
            services.after_finish.append(rate_finished)
        # Merging duplicate players: a season row both have is derived data, not a conflict for a
        # curator; the duplicate's copy is dropped and the next recompute sums the merged matches.
        merge.REDUNDANT_WHEN_SHARED.add("players.PlayerSeasonStats")

        # Who is injured, doubtful or suspended: cards on the match, team and player pages.
        from matches import regions
        from players import availability, match_regions

        # The match page's attack momentum and the line-ups on a pitch (with ratings).
        match_regions.register()

        regions.register_region("match", regions.Region(
            "availability", "players/partials/_availability_match.html",
            lambda state: availability.match_card(state.match), order=40, tab="lineups"))
        regions.register_region("team", regions.Region("availability", "players/partials/_availability_team.html",
                                                    availability.team_card, order=40))
        regions.register_region("player", regions.Region("availability", "players/partials/_availability_history.html",
                                                      availability.player_card, order=40))
        # Player ratings and the player of the match, live from the events.
        from players import rating_regions

        rating_regions.register()
        # The competition page's top scorers and assisters, from the season rows every source feeds.
        from players import leaders

        regions.register_region("competition", regions.Region("leaders", "players/partials/_competition_leaders.html",
                                                           leaders.competition_card, order=50))
