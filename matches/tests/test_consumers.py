"""/ws/matches/<id>/: catch-up on connect, live frames after, refusals with clear close codes."""

import asyncio
import re

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from matches import live, services
from matches.consumers import CLOSE_BAD_REQUEST, CLOSE_TOO_MANY, CLOSE_UNKNOWN_MATCH
from matches.fanout import hub
from matches.tests.live_match import HOME, event, make_match
from quantfoot.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


def connect(path, origin=ORIGIN, client=("10.0.0.1", 5000)):
    communicator = WebsocketCommunicator(application, path, headers=[origin] if origin else [])
    communicator.scope["client"] = client
    return communicator


def frame_seq(html: str) -> int:
    return max(int(seq) for seq in re.findall(r'data-seq="(\d+)"', html))


record = database_sync_to_async(services.record_event)


async def test_connect_gets_the_whole_state_then_live_frames():
    match = await database_sync_to_async(make_match)()
    await record(match, event("g1", "goal", 66, period=2))
    socket = connect(f"/ws/matches/{match.pk}/?after=0")
    connected, _ = await socket.connect()
    assert connected
    state = await socket.receive_from(timeout=2)
    for region in ("score", "clock", "status", "events", "lineups", "stats", "shotmap", "xg-race"):
        assert f'id="{region}"' in state
    assert frame_seq(state) == 1 and "hx-swap-oob" in state

    await record(match, event("g2", "goal", 79, period=2, player="Lorenzo Insigne"))
    pushed = await socket.receive_from(timeout=2)
    assert frame_seq(pushed) == 2 and "Insigne" in pushed and 'id="score"' in pushed
    await socket.disconnect()
    assert hub.viewers(live.group_name(match.pk)) == 0


async def test_a_crowd_arriving_together_costs_the_database_one_check_and_one_render(monkeypatch, settings):
    """Kick-off: sockets connecting at once ask whether the match exists once, and share one render."""
    from matches.consumers import MatchConsumer
    from matches.fanout import MatchSource

    settings.LIVE_MAX_SOCKETS_PER_CLIENT = 100
    match = await database_sync_to_async(make_match)()
    await record(match, event("g1", "goal", 66, period=2))
    asked = {"exists": 0, "version": 0}
    exists, version = MatchConsumer.exists, MatchSource.version

    def counting(name, method):
        def counted(self):
            asked[name] += 1
            return method(self)
        return counted

    monkeypatch.setattr(MatchConsumer, "exists", counting("exists", exists))
    monkeypatch.setattr(MatchSource, "version", counting("version", version))
    rendered = live.counters["state_rendered"]
    crowd = [connect(f"/ws/matches/{match.pk}/?after=0", client=("10.0.0.7", port)) for port in range(30)]
    await asyncio.gather(*(socket.connect() for socket in crowd))
    states = await asyncio.gather(*(socket.receive_from(timeout=5) for socket in crowd))
    assert all(frame_seq(state) == 1 and "Italy" in state for state in states)
    assert asked["exists"] == 1 and live.counters["state_rendered"] - rendered == 1
    assert asked["version"] <= 1  # at most the first socket's, once the feed has subscribed

    late = connect(f"/ws/matches/{match.pk}/?after=0", client=("10.0.0.8", 1))
    await late.connect()
    assert frame_seq(await late.receive_from(timeout=5)) == 1
    assert asked == {"exists": 1, "version": asked["version"]}  # a watched feed: no database at all
    for socket in [*crowd, late]:
        await socket.disconnect()


async def test_reconnect_after_a_seq_catches_up_with_what_was_missed():
    match = await database_sync_to_async(make_match)()
    await record(match, event("og", "own_goal", 53, team=HOME, player="Merih Demiral", period=2))
    socket = connect(f"/ws/matches/{match.pk}/?after=0")
    await socket.connect()
    first = await socket.receive_from(timeout=2)
    await socket.disconnect()

    # While the fan is away: two goals.
    await record(match, event("g1", "goal", 66, period=2))
    await record(match, event("g2", "goal", 79, period=2, player="Lorenzo Insigne"))
    socket = connect(f"/ws/matches/{match.pk}/?after={frame_seq(first)}")
    await socket.connect()
    caught_up = await socket.receive_from(timeout=2)
    assert frame_seq(caught_up) == 3
    assert "Immobile" in caught_up and "Insigne" in caught_up
    assert await socket.receive_nothing(timeout=0.3)  # nothing twice
    await socket.disconnect()


async def test_many_sockets_share_one_subscription_and_all_get_each_frame():
    match = await database_sync_to_async(make_match)()
    sockets = [connect(f"/ws/matches/{match.pk}/", client=(f"10.0.1.{i}", 1)) for i in range(5)]
    for socket in sockets:
        await socket.connect()
        await socket.receive_from(timeout=2)
    assert hub.viewers(live.group_name(match.pk)) == 5 and len([f for f in hub.feeds if f == live.group_name(match.pk)]) == 1
    await record(match, event("g1", "goal", 12))
    frames = await asyncio.gather(*(socket.receive_from(timeout=2) for socket in sockets))
    assert {frame_seq(frame) for frame in frames} == {1}
    for socket in sockets:
        await socket.disconnect()


async def test_a_crowd_connecting_at_once_costs_one_render_and_a_change_one_more():
    match = await database_sync_to_async(make_match)()
    await record(match, event("g1", "goal", 12))
    rendered = live.counters["state_rendered"]
    crowd = [connect(f"/ws/matches/{match.pk}/", client=(f"10.0.2.{i}", 1)) for i in range(8)]
    await asyncio.gather(*(socket.connect() for socket in crowd))
    states = await asyncio.gather(*(socket.receive_from(timeout=2) for socket in crowd))
    assert len(set(states)) == 1 and frame_seq(states[0]) == 1
    assert live.counters["state_rendered"] == rendered + 1

    await record(match, event("g2", "goal", 30))
    await asyncio.gather(*(socket.receive_from(timeout=2) for socket in crowd))
    late = connect(f"/ws/matches/{match.pk}/", client=("10.0.2.99", 1))
    await late.connect()
    assert frame_seq(await late.receive_from(timeout=2)) == 2  # the cache never serves a stale state
    assert live.counters["state_rendered"] == rendered + 2
    for socket in [*crowd, late]:
        await socket.disconnect()


async def test_unknown_match_is_closed_with_4404():
    socket = connect("/ws/matches/999999/")
    connected, _ = await socket.connect()
    assert connected
    assert await socket.receive_output(timeout=2) == {"type": "websocket.close", "code": CLOSE_UNKNOWN_MATCH}


async def test_bad_after_is_closed_with_4400():
    match = await database_sync_to_async(make_match)()
    socket = connect(f"/ws/matches/{match.pk}/?after=-3")
    await socket.connect()
    assert (await socket.receive_output(timeout=2))["code"] == CLOSE_BAD_REQUEST


async def test_foreign_origin_is_refused():
    match = await database_sync_to_async(make_match)()
    socket = connect(f"/ws/matches/{match.pk}/", origin=(b"origin", b"https://evil.example"))
    connected, _ = await socket.connect()
    assert not connected


async def test_one_client_address_is_capped(settings):
    settings.LIVE_MAX_SOCKETS_PER_CLIENT = 2
    match = await database_sync_to_async(make_match)()
    sockets = [connect(f"/ws/matches/{match.pk}/", client=("10.9.9.9", i)) for i in range(3)]
    for socket in sockets[:2]:
        await socket.connect()
        await socket.receive_from(timeout=2)
    await sockets[2].connect()
    assert (await sockets[2].receive_output(timeout=2))["code"] == CLOSE_TOO_MANY
    for socket in sockets[:2]:
        await socket.disconnect()


async def test_a_change_the_layer_never_delivered_is_repaired_from_the_database():
    match = await database_sync_to_async(make_match)()
    socket = connect(f"/ws/matches/{match.pk}/")
    await socket.connect()
    await socket.receive_from(timeout=2)

    def write_without_broadcast():
        from matches.models import Match
        Match.objects.filter(pk=match.pk).update(home_score=4, away_score=4, last_seq=7)

    await database_sync_to_async(write_without_broadcast)()  # as if another process wrote and Redis was down
    repaired = await socket.receive_from(timeout=3)
    assert frame_seq(repaired) == 7 and "4" in repaired
    await socket.disconnect()


async def test_a_change_made_while_the_database_failed_is_repaired_once_it_answers(monkeypatch):
    from matches.fanout import MatchSource

    match = await database_sync_to_async(make_match)()
    socket = connect(f"/ws/matches/{match.pk}/")
    await socket.connect()
    await socket.receive_from(timeout=2)
    failures, version = [1, 2], MatchSource.version

    def flaky(self):
        if failures:
            failures.pop()
            raise ConnectionError("database unreachable")
        return version(self)

    monkeypatch.setattr(MatchSource, "version", flaky)
    failed = live.counters["repair_failed"]

    def write_without_broadcast():
        from matches.models import Match
        Match.objects.filter(pk=match.pk).update(home_score=2, away_score=1, last_seq=9)

    await database_sync_to_async(write_without_broadcast)()
    repaired = await socket.receive_from(timeout=5)  # two failed rounds, then the third sees it
    assert frame_seq(repaired) == 9 and "2&ndash;1" in repaired
    assert live.counters["repair_failed"] - failed == 2 and not failures
    await socket.disconnect()


async def test_the_season_table_moves_as_a_goal_goes_in():
    """/ws/seasons/<id>/: the competition page's table, pushed when a result in the season changes."""
    match = await database_sync_to_async(make_match)(status="live", home_score=0, away_score=0)
    socket = connect(f"/ws/seasons/{match.season_id}/")
    connected, _ = await socket.connect()
    assert connected
    table = await socket.receive_from(timeout=2)
    assert 'id="standings-table"' in table and 'hx-swap-oob="true"' in table
    assert re.search(r"Italy</a></th>(<td[^>]*>[^<]*</td>){7}<td class=\"num standings__pts\"><strong>1</strong>", table)  # 0-0: a point

    await record(match, event("g1", "goal", 66, period=2))  # Italy (away) score
    moved = await socket.receive_from(timeout=3)  # the feed's repair check notices within 0.5 s
    rows = re.findall(r'standings__team"><a href="[^"]+">([^<]+)</a>', moved)
    assert rows == ["Italy", "Turkey"]
    assert re.search(r"Italy</a></th>(<td[^>]*>[^<]*</td>){7}<td class=\"num standings__pts\"><strong>3</strong>", moved)
    await socket.disconnect()


async def test_an_unknown_season_is_closed_with_4404():
    socket = connect("/ws/seasons/999999/")
    await socket.connect()
    output = await socket.receive_output(timeout=2)
    while output["type"] != "websocket.close":
        output = await socket.receive_output(timeout=2)
    assert output["code"] == CLOSE_UNKNOWN_MATCH
