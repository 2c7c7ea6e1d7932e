"""The regions other apps add to the match, team and player pages (matches/regions.py)."""

import pytest

from matches import regions


@pytest.fixture
def clean_registry(monkeypatch):
    monkeypatch.setattr(regions, "_REGIONS", {page: {} for page in regions.PAGES})


def test_cards_come_in_order_and_empty_ones_are_left_out(clean_registry):
    regions.register_region("team", regions.Region("late", "t/late.html", lambda team: {"x": 2}, order=50))
    regions.register_region("team", regions.Region("early", "t/early.html", lambda team: {"x": 1}, order=10))
    regions.register_region("team", regions.Region("nothing", "t/none.html", lambda team: None, order=1))

    shown = regions.cards_for("team", object())

    assert [card["name"] for card in shown] == ["early", "late"]
    assert shown[0]["context"] == {"x": 1}


def test_registering_again_by_name_replaces_the_region(clean_registry):
    regions.register_region("team", regions.Region("availability", "a.html", lambda team: {"v": 1}))
    regions.register_region("team", regions.Region("availability", "b.html", lambda team: {"v": 2}))

    assert [card["template"] for card in regions.cards_for("team", object())] == ["b.html"]


def test_an_unknown_page_tab_or_kind_of_change_is_refused(clean_registry):
    with pytest.raises(ValueError, match="unknown page 'stadium'"):
        regions.register_region("stadium", regions.Region("x", "x.html", lambda obj: {}))
    with pytest.raises(ValueError, match="unknown tab 'extras'"):
        regions.Region("x", "x.html", lambda obj: {}, tab="extras")
    with pytest.raises(ValueError, match="unknown kinds of change goal"):
        regions.Region("x", "x.html", lambda obj: {}, refresh=frozenset({"goal"}))


def test_each_kind_of_change_redraws_the_regions_that_asked_for_it(clean_registry):
    regions.register_region("match", regions.Region("score", "s.html", dict, refresh=frozenset({"score_update"})))
    regions.register_region("match", regions.Region("clock", "c.html", dict, refresh=regions.LIVE_KINDS))
    regions.register_region("match", regions.Region("odds", "o.html", dict, tab="odds"))  # drawn with the page only

    assert regions.refreshed_by("score_update") == ("clock", "score")
    assert regions.refreshed_by("shot") == ("clock",)
    assert regions.refreshed_by("state") == ("clock", "score")


def test_the_match_page_is_drawn_from_every_app_and_matches_imports_none_of_them():
    """matches/ never imports the apps built on it; their regions arrive through the registry."""
    import ast
    from pathlib import Path

    names = {region.name for region in regions.regions_of("match")}
    assert {"score", "events", "stats"} <= names  # matches'
    assert {"winprob", "values", "odds", "prediction"} <= names  # markets'
    assert "availability" in names  # players'
    # The live pipeline and replay still resolve the players an event names (players.identity).
    page_modules = {"views.py", "fragments.py", "regions.py", "team_page.py", "competition_page.py", "live.py",
                    "fanout.py", "consumers.py", "tables.py", "standings.py"}
    upward = []
    for path in Path(regions.__file__).parent.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [alias.name for alias in node.names] if isinstance(node, ast.Import) else [])
            above = {"markets", "fantasy", "trading", "accounts", "ingestion"} | (
                {"players"} if path.name in page_modules or "templatetags" in path.parts else set())
            upward += [f"{path.name}: {module}" for module in modules if module.split(".")[0] in above]
    assert upward == []
