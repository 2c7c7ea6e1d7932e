"""/ws/players/<id>/: a player's live line, through the same per-process hub as matches."""

from matches.consumers import LiveConsumer
from players import live
from players.models import Player


class PlayerSource:
    def __init__(self, player_id: int):
        self.player_id = player_id
        self.group = live.group_name(player_id)

    def version(self) -> str | None:
        return live.line_version(self.player_id)

    def state(self) -> tuple[int, str, str]:
        return live.line_frame(self.player_id)


class PlayerConsumer(LiveConsumer):
    def source(self):
        self.player_id = int(self.scope["url_route"]["kwargs"]["player_id"])
        return PlayerSource(self.player_id)

    def exists(self) -> bool:
        return Player.objects.filter(pk=self.player_id).exists()
