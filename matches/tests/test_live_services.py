"""The live writers: each change stored once, numbered, scored, and announced once after commit."""

import re
import time

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

from matches import live, services
from matches.models import Match, MatchEvent
from matches.tests.live_match import HOME, event, make_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def group_messages(memory_layer):
    """Messages published to a match's group, read from a channel joined to it."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()

    def join(match):
        async_to_sync(layer.group_add)(live.group_name(match.pk), channel)

    def read():
        received = []
        while True:
            try:
                received.append(async_to_sync(_receive_now)(layer, channel))
            except TimeoutError:
                return received

    return join, read


async def _receive_now(layer, channel):
    import asyncio
    return await asyncio.wait_for(layer.receive(channel), 0.05)


def test_a_resent_event_is_stored_once_and_announced_once(group_messages, django_capture_on_commit_callbacks):
    match = make_match()
    join, read = group_messages
    join(match)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.record_event(match, event("goal-1", "goal", 66))
    with django_capture_on_commit_callbacks(execute=True):
        again = services.record_event(match, event("goal-1", "goal", 66))
    assert first is not None and again is None
    assert MatchEvent.objects.filter(match=match).count() == 1
    messages = read()
    assert [(m["kind"], m["seq"]) for m in messages] == [("score_update", 1)]
    assert 'id="score"' in messages[0]["html"] and 'hx-swap-oob="true"' in messages[0]["html"]


def test_nothing_is_announced_before_commit(group_messages, django_capture_on_commit_callbacks):
    match = make_match()
    join, read = group_messages
    join(match)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.record_event(match, event("e1", "goal", 66))
        assert read() == []  # still inside the transaction: nothing sent
    assert len(callbacks) == 1


def test_own_goal_counts_for_the_other_side_and_events_number_in_recording_order():
    match = make_match()
    services.record_event(match, event("og", "own_goal", 53, team=HOME, player="Merih Demiral", period=2))
    services.record_event(match, event("g1", "goal", 66, period=2))
    services.record_event(match, event("late-arrival", "yellow_card", 20, team=HOME, player="Cengiz Under"))
    match.refresh_from_db()
    assert (match.home_score, match.away_score) == (0, 2)
    assert match.status == Match.Status.LIVE
    assert list(match.events.values_list("external_id", "seq")) == [("og", 1), ("g1", 2), ("late-arrival", 3)]
    assert (match.clock_minute, match.last_seq) == (66, 3)  # a late arrival does not turn the clock back


def test_a_shootout_kick_does_not_change_the_score():
    match = make_match()
    services.record_event(match, event("pen", "penalty_scored", 120, period=5))
    match.refresh_from_db()
    assert (match.home_score, match.away_score) == (0, 0)


def test_an_event_of_a_team_not_in_the_match_is_refused():
    from matches.records import RecordError, TeamRef
    match = make_match()
    with pytest.raises(RecordError, match="not playing"):
        services.record_event(match, event("x", team=TeamRef("api_football", "Brazil", "6")))
    assert not MatchEvent.objects.exists()


def test_status_changes_are_timeline_events_with_a_seq():
    match = make_match()
    services.set_match_status(match, Match.Status.LIVE, Match.Period.FIRST_HALF)
    services.set_match_status(match, Match.Status.LIVE, Match.Period.FIRST_HALF)  # again: nothing
    services.set_match_status(match, Match.Status.LIVE, Match.Period.HALF_TIME, minute=45)
    services.set_match_status(match, Match.Status.FINISHED, minute=90)
    match.refresh_from_db()
    assert match.status == Match.Status.FINISHED and (match.home_score, match.away_score) == (0, 0)
    assert list(match.events.values_list("kind", flat=True)) == ["period_start", "period_end", "period_end"]
    assert match.last_seq == 3


def test_a_broken_channel_layer_never_fails_the_write(monkeypatch, django_capture_on_commit_callbacks):
    class Broken:
        async def group_send(self, group, message):
            raise ConnectionError("redis is down")

    monkeypatch.setattr(live, "get_channel_layer", lambda: Broken())
    failed_before = live.counters["failed"]
    match = make_match()
    with django_capture_on_commit_callbacks(execute=True):
        stored = services.record_event(match, event("g", "goal", 10))
    assert stored is not None and MatchEvent.objects.count() == 1
    assert live.counters["failed"] > failed_before  # the match frame (and the scorer's line) counted


def test_replay_reset_empties_the_match_but_seq_keeps_counting():
    match = make_match()
    services.record_event(match, event("a", "goal", 5))
    services.reset_for_replay(match)
    match.refresh_from_db()
    assert (match.status, match.home_score, match.events.count(), match.last_seq) == ("scheduled", None, 0, 2)
    services.record_event(match, event("a", "goal", 5))  # the same event, played again
    match.refresh_from_db()
    assert match.events.get().seq == 3 and match.score_display == "0-1"


def test_pass_events_push_stats_at_most_every_two_seconds_and_flush_what_they_held_back(
        group_messages, django_capture_on_commit_callbacks, monkeypatch):
    now = [100.0]
    monkeypatch.setattr(live, "_clock", lambda: now[0])
    scheduled = []
    monkeypatch.setattr(live, "schedule_stats_flush", lambda match_id, delay: scheduled.append((match_id, delay)))
    live._last_stats_push.clear()
    match = make_match()
    join, read = group_messages
    join(match)
    for i, at in enumerate([100.0, 100.5, 101.0, 102.5]):
        now[0] = at
        with django_capture_on_commit_callbacks(execute=True):
            services.record_event(match, event(f"pass-{i}", "pass", 10 + i))
    assert [m["kind"] for m in read()] == ["stats_update", "stats_update"]  # at 100.0 and 102.5
    # The two held back at 100.5 and 101.0 asked for a flush when their interval ends.
    assert scheduled == [(match.pk, 1.5), (match.pk, 1.0)]


def test_a_held_back_stats_push_goes_out_when_its_interval_ends(monkeypatch):
    match = make_match()
    published = []
    monkeypatch.setattr(live, "publish", lambda match_id, kind: published.append((match_id, kind)))
    live.schedule_stats_flush(match.pk, 0.05)
    live.schedule_stats_flush(match.pk, 0.05)  # one pending flush per match at a time
    time.sleep(0.3)
    assert published == [(match.pk, "stats_update")]


def test_full_time_after_extra_time_ends_the_last_period_played():
    match = make_match()
    services.record_event(match, event("et-goal", "goal", 112, period=4))
    services.set_match_status(match, Match.Status.FINISHED, minute=120)
    assert match.events.get(kind="period_end").period == 4


def test_a_recorded_goal_pushes_a_changed_win_probability(group_messages, django_capture_on_commit_callbacks):
    from matches import fragments

    match = make_match(status=Match.Status.LIVE, period=Match.Period.FIRST_HALF, clock_minute=30,
                       home_score=0, away_score=0)
    before = fragments.render_regions(fragments.load_match(match.pk), ["winprob"], seq=0)
    join, read = group_messages
    join(match)

    with django_capture_on_commit_callbacks(execute=True):
        services.record_event(match, event("goal-1", "goal", 30, team=HOME))

    messages = read()
    assert [m["kind"] for m in messages] == ["score_update"]
    html = messages[0]["html"]
    assert html.count('id="winprob"') == 1
    pushed = html[html.rindex("<", 0, html.index('id="winprob"')):]
    assert 'data-seq="1"' in pushed and 'hx-swap-oob="true"' in pushed
    assert pushed != before.replace('data-seq="0"', 'data-seq="1"')

    def home_percent(fragment):
        return int(re.search(r'data-side="home">.*?<strong>(\d+)%</strong>', fragment, re.S).group(1))

    assert home_percent(pushed) > home_percent(before)
