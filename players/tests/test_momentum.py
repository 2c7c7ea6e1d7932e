"""Attack momentum: the pure pressure series, and the match page's region drawing it."""

import re

import pytest

from matches import fragments
from matches.tests.builders import build_match
from players import momentum


def ev(kind, side, minute, period=1, **fields):
    return {"kind": kind, "side": side, "period": period, "minute": minute, "added_minute": fields.pop("added", None),
            "second": 0, "x": fields.pop("x", 50.0), "y": fields.pop("y", 50.0), "end_x": fields.pop("end_x", None),
            "end_y": fields.pop("end_y", None), "xg": fields.pop("xg", None), "outcome": fields.pop("outcome", ""),
            **fields}


def by_label(minutes):
    return {minute.label: minute for minute in minutes}


def test_home_pressure_is_positive_and_away_pressure_negative():
    events = [ev("pass", "home", 10, end_x=90, end_y=50) for _ in range(5)]
    events += [ev("pass", "away", 30, end_x=90, end_y=50) for _ in range(5)]
    minutes = by_label(momentum.momentum(events))

    assert minutes["10'"].value > 0
    assert minutes["30'"].value < 0


def test_a_shot_counts_its_xg_and_a_failed_or_deep_pass_counts_nothing():
    events = [ev("shot", "home", 5, xg=0.4), ev("pass", "home", 6, end_x=95, end_y=50, outcome="Incomplete"),
              ev("pass", "home", 7, end_x=40, end_y=50)]
    minutes = by_label(momentum.minute_threat(events))

    assert minutes["5'"].home == pytest.approx(0.4)
    assert minutes["6'"].home == 0 and minutes["7'"].home == 0
    # A pass into the box is worth more than one to the edge of the final third.
    assert momentum.location_threat(92, 50) > momentum.location_threat(70, 50) > 0


def test_minutes_with_nothing_are_zero_and_every_minute_of_a_finished_half_is_there():
    events = [ev("shot", "away", 20, xg=0.3), ev("period_end", "home", 45, added=2)]
    minutes = momentum.minute_threat(events)

    assert [minute.label for minute in minutes][:2] == ["1'", "2'"]
    assert minutes[-1].label == "45+2'" and len(minutes) == 47
    assert all(minute.home == minute.away == 0 for minute in minutes if minute.label != "20'")


def test_smoothing_decays_after_a_chance_and_restarts_at_half_time():
    events = [ev("shot", "home", 40, xg=0.5), ev("period_end", "home", 45), ev("pass", "away", 46, period=2)]
    minutes = by_label(momentum.momentum(events))

    after = [minutes[f"{m}'"].value for m in range(40, 46)]
    assert after[0] == pytest.approx(0.5)
    assert all(later < earlier for earlier, later in zip(after, after[1:]))
    assert after[-1] > 0
    assert minutes["46'"].value == 0  # the second half starts from nothing
    assert momentum.smooth([1.0, 0.0, 0.0], decay=0.5) == [1.0, 0.5, 0.25]


def test_goals_are_marked_for_the_side_credited():
    events = [ev("goal", "home", 12, xg=0.6), ev("own_goal", "home", 50, period=2)]
    minutes = by_label(momentum.minute_threat(events))

    assert minutes["12'"].goals == ["home"] and minutes["50'"].goals == ["away"]
    assert minutes["50'"].home == 0  # an own goal is no threat of the side that put it in


@pytest.mark.django_db
def test_momentum_region_draws_bars_goals_and_a_text_alternative(django_assert_max_num_queries):
    built = build_match()
    match = fragments.load_match(built.match.pk)

    with django_assert_max_num_queries(1):  # the events, shared with the ratings and the line-ups
        html = fragments.render_regions(match, ["momentum"], seq=12, state=fragments.MatchState(match))

    assert 'id="momentum"' in html and 'data-seq="12"' in html and 'hx-swap-oob="true"' in html
    home_bars = re.findall(r'momentum__bar--home" data-minute="([^"]+)"', html)
    away_bars = re.findall(r'momentum__bar--away" data-minute="([^"]+)"', html)
    assert "10&#x27;" in home_bars  # Nine's saved shot
    assert "20&#x27;" in away_bars  # Ten's goal
    goals = re.findall(r'momentum__goal--(\w+)" data-minute="([^"]+)"', html)
    assert sorted(goals) == [("away", "20&#x27;"), ("away", "50&#x27;"), ("home", "12&#x27;")]
    assert html.count('class="momentum__divider"') == 1  # half-time
    label = re.search(r'role="img" aria-label="([^"]+)"', html).group(1)
    assert "First half" in label and "Second half" in label and "3 goals marked" in label
    assert 'viewBox="0 0 ' in html and "preserveAspectRatio" in html


@pytest.mark.django_db
def test_no_momentum_without_on_ball_events():
    built = build_match()
    built.match.events.exclude(kind__in=["yellow_card", "substitution", "period_end"]).delete()  # key events only
    match = fragments.load_match(built.match.pk)

    html = fragments.render_regions(match, ["momentum"], seq=12)
    assert 'id="momentum"' in html and "hidden" in html and "momentum__bar" not in html
