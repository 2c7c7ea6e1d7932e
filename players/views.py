from django.shortcuts import get_object_or_404, render

from players import live
from players.models import Player


def player_detail(request, pk):
    player = get_object_or_404(Player, pk=pk)
    line = live.line_context(player.pk)
    return render(request, "players/player_detail.html", {"player": player, "line": line})
