"""replay_match: a stored match played again through the live writers ends exactly as it was stored."""

import asyncio
from html import unescape
from io import StringIO

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.management import CommandError, call_command

from matches import live, services
from matches.models import Match, MatchEvent, MatchExternalId
from matches.replay import BREAK_SECONDS, replay
from matches.records import EventRecord
from matches.tests.live_match import HOME, SOURCE, event, make_match

MARKERS = (MatchEvent.Kind.PERIOD_START, MatchEvent.Kind.PERIOD_END)


class FakeTime:
    """A clock that only moves when slept on: the replay's schedule, without the waiting."""

    def __init__(self, interrupt_after: int | None = None):
        self.now = 0.0
        self.sleeps: list[float] = []
        self.interrupt_after = interrupt_after

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        if self.interrupt_after is not None and len(self.sleeps) >= self.interrupt_after:
            raise KeyboardInterrupt
        self.sleeps.append(seconds)
        self.now += seconds


def stored_match() -> Match:
    """Turkey 0-3 Italy, as a provider delivered it: period markers, no first-half goal, three late goals."""
    match = make_match()
    for record in [
        marker("ps1", "period_start", 1, 1),
        event("pass-1", "pass", 10, second=5),
        event("card-1", "yellow_card", 30, team=HOME, player="Cengiz Under"),
        marker("pe1", "period_end", 1, 45, added_minute=2),
        marker("ps2", "period_start", 2, 46),
        event("og", "own_goal", 53, team=HOME, player="Merih Demiral", period=2),
        event("g1", "goal", 66, period=2),
        event("g2", "goal", 79, player="Lorenzo Insigne", period=2),
        marker("pe2", "period_end", 2, 90, added_minute=4),
    ]:
        services.record_event(match, record)
    services.set_match_status(match, Match.Status.FINISHED, minute=90)
    MatchExternalId.objects.create(match=match, source="api_football", external_id="m-1")
    match.refresh_from_db()
    return match


def marker(external_id: str, kind: str, period: int, minute: int, **fields) -> EventRecord:
    return EventRecord(SOURCE, external_id, kind, period, minute, **fields)


def played_events(match: Match) -> list[str]:
    return list(match.events.exclude(kind__in=MARKERS).order_by("seq").values_list("external_id", flat=True))


@pytest.mark.django_db
def test_a_replay_ends_as_the_match_was_stored_with_status_changes_instead_of_markers():
    match = stored_match()
    before = played_events(match)
    fake = FakeTime()
    progress = []

    result = replay(match, speed=60, sleep=fake.sleep, clock=fake.monotonic, on_progress=progress.append)

    match.refresh_from_db()
    assert (match.status, match.score_display, match.home_ht_score, match.away_ht_score) == ("finished", "0-3", 0, 0)
    assert played_events(match) == before and result.recorded == len(before) == 5
    markers = list(match.events.filter(kind__in=MARKERS).order_by("seq").values_list("source", "kind", "period"))
    assert markers == [("live", "period_start", 1), ("live", "period_end", 1), ("live", "period_start", 2),
                       ("live", "period_end", 2)]
    seqs = list(match.events.order_by("seq").values_list("seq", flat=True))
    assert seqs == sorted(set(seqs)) and seqs[-1] == match.last_seq
    # 45+2 and 90+4 at 60x, plus one compressed half-time break.
    assert fake.now == pytest.approx(((45 + 2 - 1) * 60 + (90 + 4 - 1 - 45) * 60) / 60 + BREAK_SECONDS / 60)
    shown = [(p.minute, f"{p.home_score}-{p.away_score}") for p in progress]
    assert shown[:2] == [("1'", "0-0"), ("2'", "0-0")]
    assert ("45+2'", "0-0") in shown and ("HT", "0-0") in shown and ("46'", "0-0") in shown
    assert [s for s in dict.fromkeys(score for _, score in shown)] == ["0-0", "0-1", "0-2", "0-3"]
    assert shown[-1] == ("FT", "0-3")


@pytest.mark.django_db
def test_the_clock_ticks_every_football_minute_between_events(monkeypatch):
    match = stored_match()
    ticks = []
    real_set_clock = services.set_clock
    monkeypatch.setattr(services, "set_clock", lambda m, minute, added=None: (
        ticks.append((minute, added)), real_set_clock(m, minute, added)))
    replay(match, speed=1000, sleep=lambda s: None)
    assert ticks[:3] == [(1, None), (2, None), (3, None)]  # no event between 10' and 30', the clock runs on
    assert (45, 2) in ticks and (46, None) in ticks and ticks[-1] == (90, 4)
    assert len(ticks) == len(set(ticks))


@pytest.mark.django_db
def test_extra_time_and_a_shootout_are_played_as_such_and_the_shootout_does_not_score(monkeypatch):
    match = make_match()
    for record in [
        event("a", "pass", 10), event("b", "goal", 60, period=2), event("c", "goal", 88, team=HOME, player="Burak",
                                                                          period=2),
        event("d", "pass", 100, period=3), event("e", "pass", 110, period=4),
        event("f", "penalty_scored", 120, period=5), event("g", "penalty_missed", 120, team=HOME, period=5),
    ]:
        services.record_event(match, record)
    services.set_match_status(match, Match.Status.FINISHED)
    calls = []
    real = services.set_match_status
    monkeypatch.setattr(services, "set_match_status", lambda m, status, period="", **kw: (
        calls.append((status, period)), real(m, status, period, **kw))[1])
    replay(match, speed=1000, sleep=lambda s: None)
    match.refresh_from_db()
    assert calls == [("live", "first_half"), ("live", "half_time"), ("live", "second_half"), ("live", "extra_time"),
                     ("live", "extra_time"), ("live", "penalties"), ("finished", "")]
    assert (match.status, match.score_display, match.home_ht_score) == ("finished", "1-1", 0)


@pytest.mark.django_db
def test_an_interrupted_replay_leaves_the_match_whole_and_finished():
    match = stored_match()
    before = played_events(match)
    fake = FakeTime(interrupt_after=60)  # somewhere in the second half, before the last goal
    result = replay(match, speed=1, sleep=fake.sleep, clock=fake.monotonic)
    match.refresh_from_db()
    assert result.stopped_at is not None and result.stopped_at.events < len(before)
    assert (match.status, match.score_display, match.home_ht_score, match.away_ht_score) == ("finished", "0-3", 0, 0)
    assert sorted(played_events(match)) == sorted(before)


@pytest.mark.django_db(transaction=True)
def test_a_replay_publishes_its_frames_with_the_three_score_changes_in_order(memory_layer, stats_flush_in_thread_off):
    match = stored_match()
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(live.group_name(match.pk), channel)
    received = []

    def drain(_progress=None):  # the in-memory layer holds 100 messages a channel: read as we go
        while True:
            try:
                received.append(async_to_sync(_receive_now)(layer, channel))
            except TimeoutError:
                return

    replay(match, speed=1000, sleep=lambda s: None, on_progress=drain)
    drain()
    kinds = [m["kind"] for m in received]
    assert kinds[0] == "state"  # the reset: every region emptied
    scores = [_score_text(m["html"]) for m in received if m["kind"] == "score_update"]
    assert scores == ["0–1", "0–2", "0–3"]
    assert "match_status" in kinds and "clock" in kinds
    seqs = [m["seq"] for m in received]
    assert seqs == sorted(seqs)


async def _receive_now(layer, channel):
    return await asyncio.wait_for(layer.receive(channel), 0.01)


def _score_text(html: str) -> str:
    start = html.index('class="score"')
    return unescape(html[html.index(">", start) + 1:html.index("</span>", start)]).strip()


@pytest.mark.django_db
def test_the_command_takes_our_id_or_the_source_id_and_prints_a_summary():
    match = stored_match()
    out, err = StringIO(), StringIO()
    call_command("replay_match", "api_football:m-1", "--speed", "100000", stdout=out, stderr=err)
    assert "Turkey 0-3 Italy (HT 0-0): replayed 5 events" in out.getvalue()
    assert "FT 0-3" in err.getvalue() and "HT 0-0" in err.getvalue()
    call_command("replay_match", str(match.pk), "--speed", "100000", stdout=out, stderr=StringIO())
    match.refresh_from_db()
    assert match.score_display == "0-3" and len(played_events(match)) == 5


@pytest.mark.django_db
@pytest.mark.parametrize("args, message", [
    (["statsbomb:404"], "no match statsbomb:404"),
    (["Turkey"], "MATCH must be"),
    (["{pk}", "--speed", "0"], "--speed must be positive"),
    (["{empty}"], "has no events to replay"),
])
def test_the_command_refuses_what_it_cannot_replay(args, message):
    match = stored_match()
    empty = Match.objects.create(competition=match.competition, season=match.season, home_team=match.away_team,
                                 away_team=match.home_team, kickoff=match.kickoff)
    args = [a.format(pk=match.pk, empty=empty.pk) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("replay_match", *args, stdout=StringIO(), stderr=StringIO())


@pytest.mark.django_db
@pytest.mark.realdata
def test_turkey_italy_replays_to_0_3_twice(shared_data):
    call_command("import_statsbomb", str(shared_data("statsbomb")), "--match", "3788741", "--competition", "55",
                 "--season", "43", "--date", "2021-06-11", stdout=StringIO(), stderr=StringIO())
    match = MatchExternalId.objects.get(source="statsbomb", external_id="3788741").match
    before = match.events.exclude(kind__in=MARKERS).count()

    for _ in range(2):
        replay(match, speed=1000, sleep=lambda s: None)
        match.refresh_from_db()
        assert (match.status, match.score_display, match.home_ht_score, match.away_ht_score) == \
            ("finished", "0-3", 0, 0)
        assert match.events.exclude(kind__in=MARKERS).count() == before
        goals = match.events.filter(kind__in=MatchEvent.SCORING_KINDS).order_by("seq")
        assert [(g.kind, g.minute, g.player.name) for g in goals.select_related("player")] == [
            ("own_goal", 53, "Merih Demiral"), ("goal", 66, "Ciro Immobile"), ("goal", 79, "Lorenzo Insigne")]
        seqs = list(match.events.order_by("seq").values_list("seq", flat=True))
        assert all(a < b for a, b in zip(seqs, seqs[1:])) and seqs[-1] == match.last_seq
