from django.apps import AppConfig


class PlayersConfig(AppConfig):
    name = "players"

    def ready(self):
        from matches import live as match_live
        from players import live

        if live.announce_event not in match_live.event_announcers:
            match_live.event_announcers.append(live.announce_event)
