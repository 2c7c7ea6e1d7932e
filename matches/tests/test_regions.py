"""Cards other apps add to the match, team and player pages (matches/regions.py)."""

import pytest

from matches import regions


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(regions, "_CARDS", {page: {} for page in regions.PAGES})


def test_cards_come_in_order_and_empty_ones_are_left_out(clean_registry):
    regions.register_card("match", regions.Card("late", "t/late.html", lambda match: {"x": 2}, order=50))
    regions.register_card("match", regions.Card("early", "t/early.html", lambda match: {"x": 1}, order=10))
    regions.register_card("match", regions.Card("nothing", "t/none.html", lambda match: None, order=1))

    shown = regions.cards_for("match", object())

    assert [card["name"] for card in shown] == ["early", "late"]
    assert shown[0]["context"] == {"x": 1}


def test_registering_again_by_name_replaces_the_card(clean_registry):
    regions.register_card("team", regions.Card("availability", "a.html", lambda team: {"v": 1}))
    regions.register_card("team", regions.Card("availability", "b.html", lambda team: {"v": 2}))

    assert [card["template"] for card in regions.cards_for("team", object())] == ["b.html"]


def test_an_unknown_page_is_refused(clean_registry):
    with pytest.raises(ValueError, match="unknown page 'stadium'"):
        regions.register_card("stadium", regions.Card("x", "x.html", lambda obj: {}))
