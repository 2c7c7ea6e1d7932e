"""A live market value moves with what happened in the match (goals, cards, substitutions, full time), not the clock."""

import pytest

from markets import valuation
from markets.models import PlayerValue
from markets.tests.test_valuation import MONDAY, season  # noqa: F401 (the fixture)
from markets.valuation_live import live_values
from matches import services
from matches.fragments import load_match, render_regions
from matches.models import Match
from players.tests.builders import goal, player, shot, substitution


@pytest.fixture
def scored(season):  # noqa: F811
    """City 1-0 Rovers, live: the striker scores at 20', a shot at 40' (no goal), then nothing until the 60th."""
    valuation.recompute_all(MONDAY)
    city, rovers, striker = season["city"], season["rovers"], season["striker"]
    match = season["league"].play(city, rovers, (1, 0), day=10, status=Match.Status.LIVE,
                                  lineups={city: [(striker, None, True)], rovers: [(season["veteran"], None, True)]},
                                  events=[goal(city, striker, 20, xg=0.5), shot(city, striker, 40, xg=0.3)])
    return {**season, "match": match}


def value_at(match, minute, player):
    services.set_clock(match, minute)
    moves = {move.player_id: move for move in live_values(load_match(match.pk), movers_only=False)}
    return moves[player.pk]


def test_between_events_a_live_value_stays_put_and_the_goal_lifted_it(scored):
    striker, match = scored["striker"], scored["match"]
    before = PlayerValue.objects.get(player=striker, is_current=True).value_eur

    at_21, at_30, at_60 = (value_at(match, minute, striker) for minute in (21, 30, 60))

    assert at_21.before == before and at_21.now > before
    assert at_30.now == at_60.now == at_21.now  # the clock ran on, nothing happened: no drift
    assert "goal 20'" in at_60.moves


def test_a_substitution_moves_it_once_and_it_holds_again(scored):
    striker, match, city = scored["striker"], scored["match"], scored["city"]
    held = value_at(match, 60, striker).now
    fields = substitution(city, striker, player("Sub Stitute", position="FW"), 70)
    match.events.create(seq=3, source="manual", external_id="sub-70", raw_type="substitution", **fields)

    at_75 = value_at(match, 75, striker).now

    assert at_75 != held  # his 70 minutes on the pitch (and the 40' shot's xG) now count
    assert value_at(match, 85, striker).now == at_75


def test_the_values_region_says_values_follow_events(scored):
    services.set_clock(scored["match"], 30)
    html = render_regions(load_match(scored["match"].pk), ["values"], seq=0)

    assert "not with the clock" in html and "goal 20&#x27;" in html
