"""The match page's regions: one partial each, the same HTML for the page, the push and the poll."""

import json
import re
from html import unescape

import pytest

from matches import fragments, regions
from matches.models import Match
from matches.tests.builders import build_match, build_report_match

pytestmark = pytest.mark.django_db


def opening_tag(html: str) -> str:
    return re.match(r"\s*(<[^>]+>)", html).group(1)


def region_html(html: str, region: str) -> str:
    """One region's element out of a concatenation of regions (each starts with its id)."""
    start = html.index(f'id="{region}"')
    start = html.rindex("<", 0, start)
    following = [html.find(f'id="{other}"', start + 1) for other in fragments.live_regions() if other != region]
    ends = [html.rindex("<", 0, index) for index in following if index > start]
    return html[start:min(ends)] if ends else html[start:]


def stat(html: str, key: str) -> tuple[str, str]:
    found = re.search(rf'data-stat="{key}" data-home="([^"]*)" data-away="([^"]*)"', html)
    return found.group(1), found.group(2)


@pytest.fixture
def built():
    return build_match()


@pytest.mark.parametrize("region", fragments.live_regions())
def test_each_region_is_one_element_with_its_id_seq_and_oob(built, region):
    match = fragments.load_match(built.match.pk)

    pushed = opening_tag(fragments.render_regions(match, [region], seq=12))
    on_page = opening_tag(fragments.render_regions(match, [region], seq=12, oob=False))

    assert f'id="{region}"' in pushed and 'data-seq="12"' in pushed and 'hx-swap-oob="true"' in pushed
    assert f'id="{region}"' in on_page and 'data-seq="12"' in on_page and "hx-swap-oob" not in on_page


def test_render_regions_renders_each_region_once_in_order(built):
    match = fragments.load_match(built.match.pk)

    html = fragments.render_regions(match, ["stats", "score", "stats"], seq=12)

    assert html.count('id="stats"') == 1
    assert html.index('id="stats"') < html.index('id="score"')


def test_unknown_region_is_refused(built):
    with pytest.raises(ValueError, match="unknown regions: scoreboard"):
        fragments.render_regions(built.match, ["score", "scoreboard"], seq=1)


def test_score_clock_and_half_time_score_from_events(built):
    match = fragments.load_match(built.match.pk)
    html = unescape(fragments.render_regions(match, ["score", "clock", "status"], seq=12))

    assert "1–2" in region_html(html, "score")
    assert "HT 1–1" in region_html(html, "score")  # not stored: counted from the first half's goals
    assert "67'" in region_html(html, "clock")
    assert "badge--live" in region_html(html, "status")


def test_timeline_is_in_match_order_not_recording_order(built):
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["events"], seq=12)

    order = [int(seq) for seq in re.findall(r'data-event-seq="(\d+)"', html)]
    # The 12th-minute goal was recorded 11th, yet it comes first; half-time sits between 30' and 50'.
    assert order == [11, 6, 7, 8, 9, 10]
    scores = re.findall(r'<span class="tl-score">([^<]+)</span>', html)
    assert scores == ["1–0", "1–1", "1–2"]
    assert "Half-time <strong>1–1</strong>" in html
    assert "45+2" not in re.sub(r"<li class=\"tl-divider\".*?</li>", "", html, flags=re.S)


def test_own_goal_counts_for_the_other_side_and_is_marked(built):
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["events"], seq=12)

    own_goal = re.search(r'<li class="tl-row tl-row--(\w+)" data-event-seq="9".*?</li>', html, re.S)
    assert own_goal.group(1) == "away"
    assert "Four" in own_goal.group(0) and "(OG)" in own_goal.group(0)


def test_stats_from_events(built):
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["stats"], seq=12)

    assert stat(html, "shots") == ("2", "2")
    assert stat(html, "on_target") == ("2", "1")  # saved and scored; the away miss was off target
    assert stat(html, "xg") == ("0.72", "0.50")
    assert stat(html, "passes") == ("2", "1")
    assert stat(html, "pass_accuracy") == ("50%", "100%")
    assert stat(html, "possession") == ("67%", "33%")
    assert stat(html, "yellow_cards") == ("1", "0")


def test_stats_from_the_match_report_when_there_are_no_events():
    match = fragments.load_match(build_report_match().pk)

    html = fragments.render_regions(match, ["stats", "events", "shotmap", "xg-race"], seq=0)

    assert stat(html, "shots") == ("6", "17")
    assert stat(html, "on_target") == ("1", "8")
    assert stat(html, "red_cards") == ("1", "0")
    assert 'data-stat="possession"' not in html  # the report has none
    assert "From the match report" in html
    assert '<div id="shotmap" data-seq="0" hidden hx-swap-oob="true"></div>' in html  # nothing to draw


def test_shot_map_puts_home_attacking_right_and_away_attacking_left(built):
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["shotmap"], seq=12)

    def mark(seq):
        return re.search(rf'<(circle|rect) class="([^"]+)"([^>]*)data-event-seq="{seq}"><title>([^<]+)</title>', html)

    home_goal, away_miss, own_goal = mark(11), mark(12), mark(9)
    assert home_goal.group(2) == "shot shot--home shot--goal"
    assert 'cx="96.6"' in home_goal.group(3)  # x 92 of 100 -> 96.6 m, near the right-hand goal
    assert away_miss.group(2) == "shot shot--away"
    assert 'cx="21.0" cy="47.6"' in away_miss.group(3)  # (80, 30) turned about the centre spot: (20, 70)
    assert own_goal.group(1) == "rect" and own_goal.group(2) == "shot shot--og shot--away"
    assert unescape(home_goal.group(4)) == "Nine 12' · xG 0.60 · Goal"
    radius = {seq: float(re.search(r'r="([\d.]+)"', mark(seq).group(3)).group(1)) for seq in (5, 11, 12)}
    assert radius[11] > radius[5] > radius[12] >= fragments.SHOT_MIN_RADIUS


def test_tiny_xg_still_gets_a_visible_circle(built):
    built.match.events.filter(seq=12).update(xg=0.001)

    html = fragments.render_regions(fragments.load_match(built.match.pk), ["shotmap"], seq=12)

    assert re.search(r'r="0.75" data-event-seq="12"', html)


def test_xg_race_is_cumulative_per_team_with_a_text_summary(built):
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["xg-race"], seq=12)

    race = json.loads(re.search(r'<script id="xg-race-data" type="application/json">(.*?)</script>', html).group(1))
    assert race["t"] == sorted(race["t"]) and race["t"][0] == 0 and race["end"] == 67
    assert race["home_xg"][-1] == pytest.approx(0.72) and race["away_xg"][-1] == pytest.approx(0.5)
    assert len(race["t"]) == len(race["home_xg"]) == len(race["away_xg"]) == len(race["labels"])
    assert [race["home_xg"][i] for i in race["goals"]["home"]] == [pytest.approx(0.72)]
    assert len(race["goals"]["away"]) == 2  # Ten's goal and the own goal
    assert "<strong>0.72</strong> – <strong>0.50</strong>" in html  # readable without JavaScript


def test_light_regions_need_no_query_once_the_half_time_score_is_stored(built, django_assert_num_queries):
    Match.objects.filter(pk=built.match.pk).update(home_ht_score=1, away_ht_score=1)
    match = fragments.load_match(built.match.pk)

    with django_assert_num_queries(0):
        html = fragments.render_regions(match, ["score", "clock", "status"], seq=12)
    assert "HT 1&ndash;1" in html


@pytest.mark.parametrize("extra_passes", [0, 500])
def test_full_state_takes_a_fixed_number_of_queries(extra_passes, django_assert_max_num_queries):
    match = fragments.load_match(build_match(extra_passes=extra_passes).match.pk)

    # + the market-value moves (line-ups, stored values), every event once (ratings, momentum), appearances
    with django_assert_max_num_queries(9):
        fragments.render_regions(match, fragments.live_regions(), seq=match.last_seq)


def test_a_state_loaded_once_serves_a_second_render_without_queries(built, django_assert_max_num_queries):
    match = fragments.load_match(built.match.pk)
    state = fragments.MatchState(match)
    fragments.render_regions(match, ["events", "lineups", "shotmap"], seq=12, state=state)

    with django_assert_max_num_queries(1):  # the line-ups' own entries; the events are the state's
        html = fragments.render_regions(match, ["events", "lineups", "shotmap", "xg-race"], seq=12, state=state)
    assert all(f'id="{region}"' in html for region in ("events", "lineups", "shotmap", "xg-race"))


def test_win_probability_shows_the_current_figures_and_the_series(built):
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["winprob"], seq=12)

    assert html.count('id="winprob"') == 1 and 'data-seq="12"' in html
    series = json.loads(re.search(r'<script id="winprob-data" type="application/json">(.*?)</script>', html).group(1))
    assert series["t"][0] == 0 and series["t"][-1] == 67  # kick-off to the live clock
    assert len(series["t"]) == len(series["home"]) == len(series["draw"]) == len(series["away"])
    figures = re.findall(r'data-side="(home|draw|away)">.*?<strong>(\d+)%</strong>', html, re.S)
    assert [side for side, _ in figures] == ["home", "draw", "away"]
    assert int(figures[2][1]) > int(figures[0][1])  # 1-2 down at 67': the away side is favourite


def test_win_probability_of_a_finished_match_is_certain():
    match = fragments.load_match(build_match(status=Match.Status.FINISHED).match.pk)

    context = regions.region("match", "winprob").context(fragments.MatchState(match))

    assert context["winprob"]["current"] == {"home": 0.0, "draw": 0.0, "away": 100.0}
    assert context["winprob"]["has_series"] and context["winprob"]["series"]["end"] == 90


def test_what_reads_every_event_is_counted_once_per_version_and_a_new_event_recounts(built, django_assert_num_queries):
    from django.utils import timezone

    match = fragments.load_match(built.match.pk)
    first = fragments.render_regions(match, ["stats", "momentum"], seq=match.last_seq)
    again = fragments.load_match(match.pk)
    with django_assert_num_queries(0):  # an unchanged match: the events' totals and the momentum are kept
        assert fragments.render_regions(again, ["stats", "momentum"], seq=again.last_seq) == first

    # A new event, as the writers store one: the row and the match's seq move on together.
    from matches.tests.builders import event

    event(match, match.last_seq + 1, "shot", built.home, period=2, minute=66, x=88, y=50, xg=0.3,
          outcome="Saved").save()
    Match.objects.filter(pk=match.pk).update(last_seq=match.last_seq + 1, updated_at=timezone.now())
    changed = fragments.load_match(match.pk)
    html = fragments.render_regions(changed, ["stats", "momentum"], seq=changed.last_seq)
    assert stat(html, "shots") == ("3", "2") and stat(first, "shots") == ("2", "2")
    assert sum(1 for key in fragments._per_version.entries if key == (match.pk, ("context", "stats"))) == 1, \
        "a newer version replaces the older copy"
