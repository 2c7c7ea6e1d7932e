"""A player's live line: on his page, pushed to /ws/players/<id>/ when an event involves him."""

import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from matches import services
from matches.consumers import CLOSE_UNKNOWN
from matches.models import Lineup, LineupEntry
from matches.tests.live_match import event, make_match
from players.live import line_context
from players.models import Player
from quantfoot.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = [(b"origin", b"http://localhost")]


def stat(html: str, name: str) -> str:
    return re.search(rf'data-stat="{name}">\s*([^<\s]*)', html).group(1)


def live_match_with_striker():
    match = make_match()
    services.record_event(match, event("s1", "shot", 10, xg=0.3))  # Immobile (created here) shoots
    striker = Player.objects.get(name="Ciro Immobile")
    lineup = Lineup.objects.create(match=match, team=match.away_team)
    LineupEntry.objects.create(lineup=lineup, player=striker, shirt_number=17, is_starter=True)
    services.set_clock(match, 30)
    return match, striker


def test_line_counts_his_goals_shots_and_minutes():
    match, striker = live_match_with_striker()
    services.record_event(match, event("g1", "goal", 31, xg=0.5))
    line = line_context(striker.pk)
    assert (line["goals"], line["shots"], round(line["xg"], 2), line["minutes"]) == (1, 2, 0.8, 31)


def test_player_page_shows_the_line_and_connects_while_live(client):
    match, striker = live_match_with_striker()
    page = client.get(f"/players/{striker.pk}/").content.decode()
    assert f'ws-connect="/ws/players/{striker.pk}/' in page and 'id="player-live"' in page
    assert stat(page, "shots") == "1"


async def test_a_goal_is_pushed_to_the_scorers_page():
    match, striker = await database_sync_to_async(live_match_with_striker)()
    socket = WebsocketCommunicator(application, f"/ws/players/{striker.pk}/", headers=ORIGIN)
    assert (await socket.connect())[0]
    state = await socket.receive_from(timeout=2)
    assert stat(state, "goals") == "0" and 'hx-swap-oob="true"' in state
    await database_sync_to_async(services.record_event)(match, event("g1", "goal", 31))
    pushed = await socket.receive_from(timeout=2)
    assert stat(pushed, "goals") == "1" and "0-1" in pushed
    await socket.disconnect()


async def test_unknown_player_is_closed_with_4404():
    socket = WebsocketCommunicator(application, "/ws/players/987654/", headers=ORIGIN)
    await socket.connect()
    assert (await socket.receive_output(timeout=2))["code"] == CLOSE_UNKNOWN
