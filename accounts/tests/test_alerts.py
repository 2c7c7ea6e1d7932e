"""Alerts: a goal, a red card, kick-off and full time reach the followers, and only them, once."""

import asyncio

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth import get_user_model

from accounts.alerts import user_group
from accounts.models import Alert, Follow
from accounts.tests.helpers import make_user
from matches import live, services
from matches.models import Match, MatchEvent
from matches.tests.live_match import HOME, event, make_match
from players.models import Player

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_messages(memory_layer):
    """read(user) -> the messages sent to that user's group since the last read."""
    layer = get_channel_layer()
    channels = {}

    def join(user):
        channels[user.pk] = async_to_sync(layer.new_channel)()
        async_to_sync(layer.group_add)(user_group(user.pk), channels[user.pk])

    def read(user):
        received = []
        while True:
            try:
                received.append(async_to_sync(_receive_now)(layer, channels[user.pk]))
            except TimeoutError:
                return received

    return join, read


async def _receive_now(layer, channel):
    return await asyncio.wait_for(layer.receive(channel), 0.05)


def play(match, record, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.record_event(match, record)


def test_a_goal_reaches_the_followers_of_the_team_the_competition_and_the_match_only(
        user_messages, django_capture_on_commit_callbacks):
    match = make_match(status=Match.Status.LIVE)
    join, read = user_messages
    by_team, by_competition, by_match, nobody = (make_user(name) for name in ("team", "comp", "match", "nobody"))
    Follow.objects.create(user=by_team, team=match.away_team)
    Follow.objects.create(user=by_competition, competition=match.competition)
    Follow.objects.create(user=by_match, match=match)
    for user in (by_team, by_competition, by_match, nobody):
        join(user)

    play(match, event("goal-1", "goal", 53, player="Ciro Immobile"), django_capture_on_commit_callbacks)

    for user in (by_team, by_competition, by_match):
        messages = read(user)
        assert len(messages) == 1, user
        html = messages[0]["html"]
        assert "Goal: Turkey 0-1 Italy" in html and "53&#x27; Ciro Immobile" in html
        assert 'hx-swap-oob="beforeend:#alerts"' in html and f'id="alert-{messages[0]["id"]}"' in html
    assert read(nobody) == []
    assert set(Alert.objects.values_list("user__username", flat=True)) == {"team", "comp", "match"}


def test_a_follower_of_the_scorer_hears_of_his_goal_and_red_card(user_messages, django_capture_on_commit_callbacks):
    match = make_match(status=Match.Status.LIVE)
    join, read = user_messages
    play(match, event("pass-1", "pass", 5, player="Ciro Immobile"), django_capture_on_commit_callbacks)
    fan = make_user("fan")
    Follow.objects.create(user=fan, player=Player.objects.get(name="Ciro Immobile"))
    join(fan)

    play(match, event("yellow-1", "yellow_card", 20, player="Ciro Immobile"), django_capture_on_commit_callbacks)
    play(match, event("goal-t", "goal", 30, team=HOME, player="Burak Yilmaz"), django_capture_on_commit_callbacks)
    assert read(fan) == []  # a yellow card, and a goal by someone else, are not his player's news
    play(match, event("red-1", "red_card", 70, player="Ciro Immobile"), django_capture_on_commit_callbacks)

    [message] = read(fan)
    assert "Red card: Turkey v Italy" in message["html"] and "70&#x27; Ciro Immobile (Italy)" in message["html"]


def test_kick_off_and_full_time_but_not_half_time(user_messages, django_capture_on_commit_callbacks):
    match = make_match()
    join, read = user_messages
    fan = make_user("fan")
    Follow.objects.create(user=fan, team=match.home_team)
    join(fan)
    steps = [(Match.Status.LIVE, Match.Period.FIRST_HALF), (Match.Status.LIVE, Match.Period.HALF_TIME),
             (Match.Status.LIVE, Match.Period.SECOND_HALF), (Match.Status.FINISHED, "")]
    for status, period in steps:
        with django_capture_on_commit_callbacks(execute=True):
            match = services.set_match_status(match, status, period)

    titles = [Alert.objects.get(pk=message["id"]).title for message in read(fan)]
    assert titles == ["Kick-off: Turkey v Italy", "Full time: Turkey 0-0 Italy"]


def test_alerts_cost_the_same_queries_for_one_follower_or_fifty(
        memory_layer, django_capture_on_commit_callbacks, django_assert_max_num_queries):
    match = make_match(status=Match.Status.LIVE)
    fans = get_user_model().objects.bulk_create([get_user_model()(username=f"fan{index}") for index in range(50)])
    Follow.objects.bulk_create([Follow(user=fan, team=match.away_team) for fan in fans])
    stored = MatchEvent.objects.create(match=match, seq=1, source="test", external_id="g", kind="goal", minute=9,
                                       team=match.away_team, period=1)
    from accounts.alerts import on_change

    with django_assert_max_num_queries(3):  # the event with its match, the followers, one insert
        on_change("score_update", match.pk, stored)
    assert Alert.objects.count() == 50


def test_a_failing_listener_fails_neither_the_write_nor_the_public_frame(
        memory_layer, monkeypatch, django_capture_on_commit_callbacks):
    match = make_match(status=Match.Status.LIVE)

    def broken(kind, match_id, event):
        raise RuntimeError("boom")

    monkeypatch.setattr(live, "change_listeners", [broken])
    published = []
    monkeypatch.setattr(live, "send", lambda group, kind, *args: published.append(kind) or True)
    play(match, event("goal-1", "goal", 53), django_capture_on_commit_callbacks)
    assert published[0] == "score_update"
    assert MatchEvent.objects.filter(match=match).count() == 1
