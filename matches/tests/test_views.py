"""The live match page, its polling view and the match JSON API."""

import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from matches import fragments
from matches.models import Match, MatchEvent
from matches.tests.builders import build_match, build_report_match, event

pytestmark = pytest.mark.django_db

# Queries for the whole page: the match, its key events and shots, its lineups, the stats
# aggregate (and the match report when the events have no statistics), the odds summary's
# quotes, the win probability's pre-match expectation (the latest prediction's expected
# goals, else the competition's averages: one query, markets.inplay), and the prediction
# card's latest predictions (markets.prediction_view), and once play has started the
# market-value moves' lineups and stored values (markets.valuation_live). No session, no user.
PAGE_QUERIES = 12  # + every event once (ratings, momentum) and the appearances the ratings weigh


@pytest.fixture
def built():
    return build_match()


def page(client, match):
    response = client.get(reverse("matches:match", args=[match.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_page_shows_score_clock_timeline_lineups_and_stats(client, built):
    html = unescape(page(client, built.match))

    assert '<span class="score" aria-hidden="true">1–2</span>' in html
    assert "67'" in html and "badge--live" in html
    assert "Test League" in html and "2023/24" in html and "Matchday 34" in html  # breadcrumb
    # The late-recorded 12th-minute goal comes before the 20th-minute one.
    assert html.index('data-event-seq="11"') < html.index('data-event-seq="6"')
    assert 'data-stat="shots" data-home="2" data-away="2"' in html
    assert html.count('class="lu-pitch__team lu-pitch__team--') == 2  # both XIs on the pitch (players/)
    for heading in ("Timeline", "Line-ups", "Team statistics", "Shot map", "xG race"):
        assert f"<h2>{heading}</h2>" in html
    tabs = re.findall(r'<a href="#(\w+)" data-tab="\1"( hidden)?>', html)
    assert [key for key, hidden in tabs if not hidden] == ["summary", "stats", "lineups", "shots"]


def test_page_includes_the_same_region_html_as_the_push(client, built):
    html = page(client, built.match)
    match = fragments.load_match(built.match.pk)

    for region in fragments.live_regions():
        assert fragments.render_regions(match, [region], seq=match.last_seq, oob=False) in html, region
    assert "hx-swap-oob" not in html


def test_live_page_connects_the_socket_and_polls_while_it_is_down(client, built):
    html = page(client, built.match)

    assert f'ws-connect="/ws/matches/{built.match.pk}/?after=12"' in html
    assert f'hx-get="/matches/{built.match.pk}/state" hx-trigger="qf:poll"' in html
    assert 'id="connection"' in html
    assert "js/match.js" in html and "uPlot.iife.min.js" in html and "uPlot.min.css" in html


def test_finished_page_has_no_socket(client):
    match = build_match(status=Match.Status.FINISHED).match

    html = page(client, match)

    assert "ws-connect" not in html and "qfSocketDown" not in html
    assert "badge--finished" in html


def test_page_for_a_match_known_only_from_a_results_file(client):
    html = unescape(page(client, build_report_match()))

    assert "0–3" in html and "HT 0–2" in html
    assert 'data-stat="shots" data-home="6" data-away="17"' in html
    # No events: the timeline, shot map and xG race are left out (hidden, for a push to fill), not
    # drawn as placeholders; the Shots tab has nothing to show.
    assert re.search(r'<div id="events" data-seq="0" hidden></div>', html)
    assert re.search(r'<div id="shotmap" data-seq="0" hidden></div>', html)
    assert re.search(r'<a href="#shots" data-tab="shots" hidden>', html)


def test_htmx_request_gets_only_the_regions(client, built):
    response = client.get(reverse("matches:match", args=[built.match.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert all(f'id="{region}"' in html for region in fragments.live_regions())


def test_state_view_returns_every_region_out_of_band(client, built):
    response = client.get(reverse("matches:match-state", args=[built.match.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    for region in fragments.live_regions():
        assert re.search(rf'<\w+ id="{region}"[^>]*data-seq="12"[^>]*hx-swap-oob="true">', html), region


def test_unknown_match_is_404(client):
    assert client.get(reverse("matches:match", args=[999999])).status_code == 404
    assert client.get(reverse("matches:match-state", args=[999999])).status_code == 404


@pytest.mark.parametrize("extra_passes", [0, 500])
def test_page_queries_do_not_grow_with_events(client, extra_passes, django_assert_max_num_queries):
    match = build_match(extra_passes=extra_passes).match

    with django_assert_max_num_queries(PAGE_QUERIES):
        page(client, match)
    with django_assert_max_num_queries(PAGE_QUERIES):
        client.get(reverse("matches:match-state", args=[match.pk]))


def test_page_queries_for_a_results_file_match(client, django_assert_max_num_queries):
    match = build_report_match()

    with django_assert_max_num_queries(PAGE_QUERIES):
        page(client, match)


# JSON API


def test_api_match_state(client, built):
    response = client.get(reverse("api-match", args=[built.match.pk]))

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == built.match.pk
    assert body["status"] == "live" and body["period"] == "second_half"
    assert body["clock"] == {"minute": 67, "added": None}
    assert body["home"] == {"id": built.home.pk, "name": built.home.name, "score": 1, "ht_score": None}
    assert body["away"]["score"] == 2
    assert body["last_seq"] == 12
    assert body["kickoff"] == "2024-05-04T14:00:00+00:00"
    assert body["competition"]["name"] == "Test League" and body["season"]["name"] == "2023/24"
    assert body["round"] == "Matchday 34" and body["venue"] == "North Park, Northtown"
    assert body["referee"] == "A Referee"


def test_api_events_after_a_seq(client, built):
    response = client.get(reverse("api-match-events", args=[built.match.pk]), {"after": 9})

    body = response.json()
    assert body["match"] == built.match.pk and body["last_seq"] == 12
    assert [e["seq"] for e in body["events"]] == [10, 11, 12]
    assert "next_after" not in body
    goal = body["events"][1]
    assert goal["kind"] == "goal" and goal["minute"] == 12 and goal["second"] == 30 and goal["xg"] == 0.6
    assert goal["team"] == {"id": built.home.pk, "name": built.home.name}
    assert goal["player"] == {"id": built.players["Nine"].pk, "name": "Nine"}
    assert set(goal) == {
        "seq", "kind", "period", "minute", "added_minute", "second", "team", "player", "related_player",
        "x", "y", "xg", "outcome", "body_part", "situation",
    }
    substitution = body["events"][0]
    assert substitution["related_player"]["name"] == "Fourteen"


def test_api_events_without_after_starts_at_the_beginning(client, built):
    body = client.get(reverse("api-match-events", args=[built.match.pk])).json()

    assert [e["seq"] for e in body["events"]] == list(range(1, 13))
    # An empty value is no value, as on every page (quantfoot/params.py).
    assert client.get(reverse("api-match-events", args=[built.match.pk]), {"after": ""}).json() == body


@pytest.mark.parametrize("after", ["-1", "abc", "1.5", "٣", "²", "100000000000000000000000"])
def test_api_events_rejects_a_bad_after(client, built, after):
    response = client.get(reverse("api-match-events", args=[built.match.pk]), {"after": after})

    assert response.status_code == 400
    assert response.json()["error"].startswith(f"after: {after!r} is not the last seq you have (a whole number)")


def test_api_unknown_match_is_404_json(client):
    for name in ("api-match", "api-match-events"):
        response = client.get(reverse(name, args=[999999]))
        assert response.status_code == 404
        assert response.json() == {"error": "match not found"}


def test_api_events_pages_by_a_thousand(client, built):
    match = built.match
    MatchEvent.objects.bulk_create(
        event(match, seq, "pass", built.home, period=2, minute=70) for seq in range(13, 1206)
    )
    Match.objects.filter(pk=match.pk).update(last_seq=1205)
    url = reverse("api-match-events", args=[match.pk])

    first = client.get(url, {"after": 0}).json()
    second = client.get(url, {"after": first["next_after"]}).json()

    assert len(first["events"]) == 1000 and first["next_after"] == 1000
    assert [e["seq"] for e in second["events"]] == list(range(1001, 1206))
    assert "next_after" not in second and second["last_seq"] == 1205


# Real data


@pytest.mark.realdata
def test_turkey_v_italy_page(client, shared_data):
    path = shared_data("statsbomb")
    call_command("import_statsbomb", str(path), "--match", "3788741", "--competition", "55", "--season", "43",
                 "--date", "2021-06-11")
    match = Match.objects.get(home_team__name="Turkey", away_team__name="Italy")

    html = unescape(page(client, match))

    assert '<span class="score" aria-hidden="true">0–3</span>' in html
    own_goal = re.search(r'<li class="tl-row tl-row--away"[^>]*data-kind="own_goal">.*?</li>', html, re.S).group(0)
    assert "Merih Demiral" in own_goal and "(OG)" in own_goal
    goals = re.findall(r'<li class="tl-row tl-row--away"[^>]*data-kind="goal">.*?</li>', html, re.S)
    assert ["Ciro Immobile" in goals[0], "Lorenzo Insigne" in goals[1]] == [True, True]
    shots = re.search(r'data-stat="shots" data-home="(\d+)" data-away="(\d+)"', html)
    assert int(shots.group(1)) + int(shots.group(2)) == 27
    for team in ("Turkey", "Italy"):
        lineup = re.search(rf'aria-label="{team} starting eleven".*?</ol>', html, re.S).group(0)
        assert lineup.count('<li class="lu-p ') == 11
    assert html.count("<circle class=\"shot ") == 27
    assert "ws-connect" not in html  # finished
