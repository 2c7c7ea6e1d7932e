"""Line-ups on a pitch: formation rows, the fallback, marks, ratings and the region's queries."""

import re
from html import unescape

import pytest

from matches import fragments
from matches.models import Lineup, LineupEntry
from matches.tests.builders import build_match
from players import lineups as layout
from players.models import Player

FOUR_THREE_THREE = (
    (1, "Goalkeeper"), (2, "Right Back"), (5, "Right Center Back"), (4, "Left Center Back"), (3, "Left Back"),
    (6, "Center Defensive Midfield"), (8, "Right Center Midfield"), (10, "Left Center Midfield"),
    (7, "Right Wing"), (9, "Center Forward"), (11, "Left Wing"),
)


def starters(spec):
    return [{"number": number, "position": position} for number, position in spec]


def numbers(rows):
    return [[player["number"] for player in row] for row in rows]


def test_a_4_3_3_stands_in_four_rows_by_line_left_to_right():
    rows, by_formation = layout.formation_rows(starters(FOUR_THREE_THREE), "4-3-3")

    assert by_formation
    assert numbers(rows) == [[1], [3, 4, 5, 2], [10, 6, 8], [11, 9, 7]]
    placed = layout.place(rows)
    lines = {player["number"]: player["line"] for player in placed}
    assert [lines[n] for n in (1, 3, 10, 11)] == [0, 1, 2, 3]
    # Further up the pitch line by line; the left back nearer the left touchline than the right back.
    along = {player["number"]: player["along"] for player in placed}
    across = {player["number"]: player["across"] for player in placed}
    assert along[1] < along[4] < along[6] < along[9] <= 50
    assert across[3] < across[2]


def test_a_missing_or_odd_formation_falls_back_to_rows_by_position():
    for formation in (None, "", "4-4-3", "diamond"):
        rows, by_formation = layout.formation_rows(starters(FOUR_THREE_THREE), formation)
        assert not by_formation
        assert numbers(rows)[0] == [1] and sorted(numbers(rows)[1]) == [2, 3, 4, 5]
        assert sum(len(row) for row in rows) == 11
    rows, _ = layout.formation_rows(starters([(1, "G"), (4, "D"), (8, "M"), (9, "F")]), "1-1-1")
    assert numbers(rows) == [[1], [4], [8], [9]]


def test_positions_on_both_pitches_mirror_the_away_side():
    home, away = layout.on_pitch(10, 20, "home"), layout.on_pitch(10, 20, "away")
    assert (home["h_left"], home["v_top"]) == (10, 10) and (away["h_left"], away["v_top"]) == (90, 90)
    assert home["v_left"] == 80 and away["v_left"] == 20  # a team's left flank is on its own left


def test_average_positions_and_surnames():
    events = [{"player_id": 7, "kind": "pass", "period": 1, "x": 40, "y": 10},
              {"player_id": 7, "kind": "carry", "period": 2, "x": 60, "y": 30},
              {"player_id": 7, "kind": "substitution", "period": 2, "x": 0, "y": 0},
              {"player_id": 8, "kind": "pass", "period": 1, "x": None, "y": None}]
    assert layout.average_positions(events, {7, 8}) == {7: {"x": 50.0, "y": 20.0, "events": 2}}
    assert [layout.surname(n) for n in ("Ciro Immobile", "Virgil van Dijk", "Jorginho")] == [
        "Immobile", "van Dijk", "Jorginho"]


@pytest.fixture
def built(db):
    return build_match()


def pitch_player(html, pk):
    return unescape(re.search(rf'<li class="lu-p[^"]*"[^>]*data-player="{pk}"[^>]*>.*?</li>', html, re.S).group(0))


def test_region_draws_both_teams_on_the_pitch_with_numbers_and_marks(built, django_assert_max_num_queries):
    match = fragments.load_match(built.match.pk)
    state = fragments.MatchState(match)
    state.events  # shared with momentum and the ratings
    state.listed

    with django_assert_max_num_queries(2):  # the line-up entries, and the ratings' own
        html = fragments.render_regions(match, ["lineups"], seq=12, state=state)

    assert 'id="lineups"' in html and 'data-seq="12"' in html and 'hx-swap-oob="true"' in html
    for side in ("home", "away"):
        team = re.search(rf'<ol class="lu-pitch__team lu-pitch__team--{side}".*?</ol>', html, re.S).group(0)
        assert team.count('<li class="lu-p') == 4
    nine = pitch_player(html, built.players["Nine"].pk)
    assert '<span class="lu-p__shirt">9</span>' in nine and "mark--goal" in nine
    four = pitch_player(html, built.players["Four"].pk)
    assert "mark--og" in four and "mark--yellow-card" in four
    assert 'mark--off" title="Went off">60\'' in pitch_player(html, built.players["Seven"].pk)
    assert "mark--assist" in pitch_player(html, built.players["Eight"].pk)
    # The goalkeeper is the back line; the 4-3-3 does not add up for four starters: rows by position.
    assert 'data-line="0"' in pitch_player(html, built.players["One"].pk)
    assert 'data-by-formation="false"' in html
    bench = unescape(re.search(r'aria-label="Northside substitutes".*?</section>', html, re.S).group(0))
    assert "Fourteen" in bench and 'mark--on" title="Came on">60\'' in bench
    assert "lu-b--unused" in re.search(r'aria-label="Southside substitutes".*?</section>', html, re.S).group(0)


def test_a_full_eleven_in_its_formation_and_ratings_badges(built, monkeypatch):
    match = built.match
    lineup = Lineup.objects.get(match=match, team=built.home)
    lineup.entries.all().delete()
    for number, position in FOUR_THREE_THREE:
        who = Player.objects.create(name=f"Home Player{number}")
        LineupEntry.objects.create(lineup=lineup, player=who, shirt_number=number, position=position, is_starter=True)
    from players import match_regions
    from players.ratings import PlayerRating

    rated = LineupEntry.objects.get(lineup=lineup, shirt_number=9).player_id
    monkeypatch.setattr(match_regions, "match_ratings",
                        lambda state: {rated: PlayerRating(rated, "home", 8.4, player_of_the_match=True)})

    html = fragments.render_regions(fragments.load_match(match.pk), ["lineups"], seq=12)

    home = re.search(r'<ol class="lu-pitch__team lu-pitch__team--home"[^>]*>(.*?)</ol>', html, re.S)
    assert 'data-by-formation="true"' in home.group(0)
    lines = re.findall(r'data-line="(\d)">\s*<a[^>]*><span class="lu-p__shirt">(\d+)</span>', home.group(1))
    assert sorted((int(line), int(n)) for line, n in lines) == sorted(
        [(0, 1)] + [(1, n) for n in (2, 3, 4, 5)] + [(2, n) for n in (6, 8, 10)] + [(3, n) for n in (7, 9, 11)])
    nine = pitch_player(html, rated)
    assert 'rt rt--top' in nine and "★8.4" in nine
    assert "Player9" in nine  # the surname under the shirt


def test_no_lineups_no_region(db):
    built = build_match()
    Lineup.objects.filter(match=built.match).delete()
    html = fragments.render_regions(fragments.load_match(built.match.pk), ["lineups"], seq=12)
    assert html.startswith('<div id="lineups"') and "hidden" in html
