"""A replayed real match moves the scorers' market values and the win probability live (issue 6)."""

import asyncio
import re
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import call_command

from markets import valuation
from markets.models import PlayerValue
from matches import live
from matches.models import MatchExternalId
from matches.replay import replay
from players import live as player_live


async def _receive_now(layer, channel):
    return await asyncio.wait_for(layer.receive(channel), 0.01)


def subscribe(layer, *groups):
    channel = async_to_sync(layer.new_channel)()
    for group in groups:
        async_to_sync(layer.group_add)(group, channel)
    return channel


def drain(layer, channel, into: list):
    while True:  # the in-memory layer holds 100 messages a channel: read as we go
        try:
            into.append(async_to_sync(_receive_now)(layer, channel))
        except TimeoutError:
            return


def home_win_probability(html: str) -> int:
    return int(re.search(r'data-side="home">.*?<strong>(\d+)%</strong>', html, re.S).group(1))


@pytest.mark.django_db(transaction=True)
@pytest.mark.realdata
@pytest.mark.usefixtures("memory_layer", "stats_flush_in_thread_off")
def test_leverkusen_leipzig_replayed_moves_boniface_and_the_win_probability(shared_data):
    call_command("import_statsbomb", str(shared_data("statsbomb")), stdout=StringIO(), stderr=StringIO())
    valuation.recompute_all()
    match = MatchExternalId.objects.get(source="statsbomb", external_id="3895052").match  # Leverkusen 3-2 Leipzig
    scorers = list(match.events.filter(kind="goal", team=match.home_team).values_list("player_id", flat=True))
    scorer = scorers[0]
    stored = PlayerValue.objects.get(player_id=scorer, is_current=True).value_eur

    layer = get_channel_layer()
    match_frames, player_frames = [], []
    match_channel = subscribe(layer, live.group_name(match.pk))
    player_channel = subscribe(layer, player_live.group_name(scorer))

    def read(_progress=None):
        drain(layer, match_channel, match_frames)
        drain(layer, player_channel, player_frames)

    replay(match, speed=1000, sleep=lambda s: None, on_progress=read)
    read()

    goals = [frame["html"] for frame in match_frames if frame["kind"] == "score_update"]
    assert len(goals) == 5  # 3-2
    first = goals[0]
    row = re.search(rf'<tr data-player="{scorer}">.*?</tr>', first, re.S)
    assert row and "value-up" in row.group(0), "the scorer's value rises in the frame that carries his goal"
    probabilities = [home_win_probability(html) for html in goals]
    assert len(set(probabilities)) > 1  # every goal moves the win probability
    ticks = [int(value) for frame in player_frames
             for value in re.findall(r'data-live-value="(\d+)"', frame["html"])]
    assert ticks and max(ticks) > stored, "his own page's line shows the value above the stored one"
    # Full time: his history keeps a value after the match, and the Monday job still owns the weekly one.
    assert PlayerValue.objects.filter(player_id=scorer, match=match, kind="after_match").exists()
