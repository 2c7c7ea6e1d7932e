"""The optimizer on stored data, through its pages: a gameweek's best squad, a slate's lineups, the DraftKings file.

A form stores the request and queues it (the task is run here in the test, as a worker would);
the page polls until it is done and then shows the squad or lineups; a user's runs are his own.
"""

import csv
import datetime as dt
import io
from collections import Counter
from decimal import Decimal

import pytest

from fantasy import optimizer, optimizing, tasks
from fantasy.models import FplPlayerFixture, Game, Optimization, Projection, ProjectionSet
from fantasy.salaries import slate_from_fpl
from matches.models import Competition, Match, Season, Team
from players.models import Player, PlayerMatchStats

pytestmark = pytest.mark.django_db

# Per club: (position, price £m, projected points); six clubs, so "at most 3 of a club" binds.
CLUB_PLAYERS = (("GK", 4.5, 3.0), ("GK", 4.0, 2.0), ("DF", 5.5, 4.0), ("DF", 4.5, 3.2), ("DF", 4.0, 2.5),
                ("MF", 8.0, 6.0), ("MF", 6.5, 4.6), ("MF", 5.0, 3.4), ("FW", 9.5, 6.8), ("FW", 6.0, 4.1))


@pytest.fixture
def gameweek():
    competition = Competition.objects.create(name="Premier League")
    season = Season.objects.create(competition=competition, name="2023/24")
    clubs = [Team.objects.create(name=f"Club {letter}") for letter in "ABCDEF"]
    kickoff = dt.datetime(2024, 5, 19, 15, tzinfo=dt.UTC)
    matches = [Match.objects.create(competition=competition, season=season, home_team=clubs[i],
                                    away_team=clubs[i + 1], kickoff=kickoff) for i in range(0, 6, 2)]
    # The week before: where each player's club is known from (the gameweek's own lines come after it).
    earlier = [Match.objects.create(competition=competition, season=season, home_team=clubs[i + 1],
                                    away_team=clubs[i], kickoff=kickoff - dt.timedelta(days=7)) for i in range(0, 6, 2)]
    projections = ProjectionSet.objects.create(game=Game.FPL, season=season, gameweek=38)
    players = {}
    for index, club in enumerate(clubs):
        match = matches[index // 2]
        for number, (position, price, points) in enumerate(CLUB_PLAYERS):
            # A little spread per club so the optimum is unique.
            player = Player.objects.create(name=f"{club.name} {position}{number}", position=position)
            players[player.pk] = player
            FplPlayerFixture.objects.create(player=player, match=match, season=season, gameweek=38,
                                            price=Decimal(str(price)), total_points=2)
            FplPlayerFixture.objects.create(player=player, match=earlier[index // 2], season=season, gameweek=37,
                                            price=Decimal(str(price)), total_points=round(points))
            PlayerMatchStats.objects.create(player=player, match=earlier[index // 2], team=club, minutes=90)
            Projection.objects.create(projection_set=projections, player=player, match=match,
                                      points=points + index * 0.05 + number * 0.001)
    return season, players, projections


def run_queued(client, url, data, monkeypatch, capture):
    queued = []
    monkeypatch.setattr(tasks, "queue_optimization", queued.append)
    with capture(execute=True):
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert len(queued) == 1
    optimization = queued[0]
    assert response["Location"] == optimization.get_absolute_url()
    waiting = client.get(response["Location"]).content.decode()
    assert 'data-state="queued"' in waiting and "every 2s" in waiting  # polls until a worker is done
    tasks.run_optimization(optimization.pk)
    optimization.refresh_from_db()
    return optimization


def test_the_best_squad_from_the_gameweek_page(client, gameweek, monkeypatch, django_capture_on_commit_callbacks,
                                               django_assert_max_num_queries):
    season, players, projections = gameweek
    page = client.get(f"/fantasy/fpl/{season.pk}/gw/38/").content.decode()
    assert "Best squad" in page and 'name="budget"' in page
    optimization = run_queued(client, f"/fantasy/fpl/{season.pk}/gw/38/optimize/",
                              {"source": "ours", "budget": "100.0", "bench_weight": "0", "bank": "0",
                               "free_transfers": "1", "hit": "4", "horizon": "1"},
                              monkeypatch, django_capture_on_commit_callbacks)
    assert optimization.status == Optimization.Status.DONE and optimization.projection_set == projections
    result = optimization.result
    squad = result["squad"]
    assert Counter(p["position"] for p in squad) == {"GK": 2, "DEF": 5, "MID": 5, "FWD": 3}
    assert max(Counter(p["club"] for p in squad).values()) <= 3
    assert result["cost"] <= 100.0 and sum(p["price"] for p in squad) == pytest.approx(result["cost"])
    # The same optimum as the optimizer on the same candidates (itself checked against brute force).
    expected = optimizer.best_fpl_squad(optimizing.fpl_candidates(season, 38, projections))
    assert result["points"] == pytest.approx(expected.points)
    starting = [p for p in squad if p["starting"]]
    captain = next(p for p in squad if p["captain"])
    assert len(starting) == 11 and captain["points"] == max(p["points"] for p in starting)
    assert result["points"] == pytest.approx(sum(p["points"] for p in starting) + captain["points"])
    with django_assert_max_num_queries(6):
        html = client.get(optimization.get_absolute_url()).content.decode()
    assert 'data-state="done"' in html and "every 2s" not in html
    assert f"{captain['name']}</strong> (C)" in html and f"{result['points']:.2f}" in html
    rows = list(csv.reader(io.StringIO(client.get(f"{optimization.get_absolute_url()}lineups.csv")
                                       .content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["id", "name", "position"] and len(rows) == 16


def test_transfers_from_a_named_squad(client, gameweek, monkeypatch, django_capture_on_commit_callbacks):
    season, players, _ = gameweek
    # A legal squad (two or three of each club) of each position's cheapest men: room to improve.
    clubs = {"GK": "EF", "DF": "ABCDE", "MF": "ABCDF", "FW": "ABC"}
    cheapest = {}
    for player in players.values():
        club = player.name.split()[1]
        if club in clubs[player.position]:
            key = (player.position, club)
            price = FplPlayerFixture.objects.get(player=player, gameweek=38).price
            if key not in cheapest or price < cheapest[key][0]:
                cheapest[key] = (price, player)
    current = [player for _, player in cheapest.values()]
    assert len(current) == 15
    form = {"source": "ours", "budget": "100.0", "bench_weight": "0", "bank": "0.5", "free_transfers": "1",
            "hit": "4", "horizon": "1", "current_squad": "\n".join(p.name for p in current)}
    bad = client.post(f"/fantasy/fpl/{season.pk}/gw/38/optimize/", {**form, "current_squad": "Nobody At All"})
    assert bad.status_code == 400 and "&#x27;Nobody At All&#x27; is not a player" in bad.content.decode()
    assert not Optimization.objects.exists()
    optimization = run_queued(client, f"/fantasy/fpl/{season.pk}/gw/38/optimize/", form, monkeypatch,
                              django_capture_on_commit_callbacks)
    assert optimization.kind == Optimization.Kind.FPL_TRANSFERS, optimization.message
    result = optimization.result
    made = len(result["transfers_in"])
    assert made == len(result["transfers_out"]) >= 1
    assert result["hit_points"] == 4 * max(0, made - 1)
    kept = {p.pk for p in current} - {p["id"] for p in result["transfers_out"]}
    assert kept <= {p["id"] for p in result["squad"]}
    html = client.get(optimization.get_absolute_url()).content.decode()
    assert "Out: <strong>" in html and "In: <strong>" in html


def test_a_practice_slate_from_fpl_prices(gameweek):
    season, players, _ = gameweek
    summary = slate_from_fpl(season, 38, "GW38 practice")
    slate = summary.slate
    rows = list(slate.players.all())
    assert summary.created == len(rows) == 60 and slate.matches.count() == 3
    salaries = {row.player_id: row.salary for row in rows}
    assert min(salaries.values()) == 3000 and max(salaries.values()) == 11000
    assert all(salary % 100 == 0 for salary in salaries.values())
    haaland_like = rows[[row.name for row in rows].index("Club A FW8")]
    assert haaland_like.average_points == 7.0  # his points per match played before the gameweek
    gk = next(row for row in rows if row.positions == "GK")
    assert gk.roster_position == "GK" and "@" in gk.game_info and gk.game_info.endswith("ET")
    again = slate_from_fpl(season, 38, "GW38 practice")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 60)


def test_lineups_for_a_slate_and_the_draftkings_file(client, gameweek, monkeypatch,
                                                     django_capture_on_commit_callbacks):
    season, players, projections = gameweek
    slate = slate_from_fpl(season, 38, "GW38 practice").slate
    # The file's average points: the projections (FPL's history is empty in this fixture).
    for row in slate.players.all():
        row.average_points = round(Projection.objects.get(projection_set=projections, player_id=row.player_id).points, 3)
        row.save()
    page = client.get(f"/fantasy/slates/{slate.pk}/").content.decode()
    assert "Optimise lineups" in page and "GW38 practice" in page
    locked = slate.players.filter(positions="F").order_by("salary").first()
    optimization = run_queued(client, f"/fantasy/slates/{slate.pk}/",
                              {"action": "optimize", "source": "average", "lineups": "12", "min_difference": "2",
                               "randomness": "0", "max_per_team": "4", "stack": "2", "locks": locked.name,
                               "max_exposure": "75", "goalkeeper_rule": "on"},
                              monkeypatch, django_capture_on_commit_callbacks)
    assert optimization.status == Optimization.Status.DONE, optimization.message
    lineups = optimization.result["lineups"]
    assert len(lineups) == 12 and len({frozenset(slot[1] for slot in lineup["slots"]) for lineup in lineups}) == 12
    teams = {row.external_id: row for row in slate.players.all()}
    for lineup in lineups:
        ids = [slot[1] for slot in lineup["slots"]]
        assert [slot[0] for slot in lineup["slots"]] == ["GK", "D", "D", "M", "M", "F", "F", "UTIL"]
        assert locked.external_id in ids and sum(teams[key].salary for key in ids) <= 50_000
        per_team = Counter(teams[key].team_abbrev for key in ids)
        assert len(per_team) >= 3 and max(per_team.values()) <= 4
    shares = Counter(slot[1] for lineup in lineups for slot in lineup["slots"])
    assert all(count <= 9 for key, count in shares.items() if key != locked.external_id)  # 75% of 12
    html = client.get(optimization.get_absolute_url()).content.decode()
    assert html.count("data-lineup>") == 12 and "Download for DraftKings" in html
    upload = client.get(f"{optimization.get_absolute_url()}lineups.csv")
    rows = list(csv.reader(io.StringIO(upload.content.decode("utf-8-sig"))))
    assert rows[0] == ["GK", "D", "D", "M", "M", "F", "F", "UTIL"] and len(rows) == 13
    assert rows[1] == [slot[1] for slot in lineups[0]["slots"]]


def test_an_impossible_request_fails_with_the_rule_and_bad_fields_are_named(client, gameweek, monkeypatch,
                                                                             django_capture_on_commit_callbacks):
    season, players, _ = gameweek
    slate = slate_from_fpl(season, 38, "GW38 practice").slate
    slate.players.update(average_points=5.0)
    bad = client.post(f"/fantasy/slates/{slate.pk}/", {"action": "optimize", "source": "average", "lineups": "151",
                                                        "min_difference": "1", "randomness": "0",
                                                        "locks": "Nobody"})
    page = bad.content.decode()
    assert bad.status_code == 400 and "&#x27;Nobody&#x27; is not on this slate" in page
    assert "Ensure this value is less than or equal to 150" in page and not Optimization.objects.exists()
    expensive = list(slate.players.order_by("-salary")[:5].values_list("external_id", flat=True))
    optimization = run_queued(client, f"/fantasy/slates/{slate.pk}/",
                              {"action": "optimize", "source": "average", "lineups": "1", "min_difference": "1",
                               "randomness": "0", "locks": ", ".join(expensive)},
                              monkeypatch, django_capture_on_commit_callbacks)
    assert optimization.status == Optimization.Status.FAILED
    assert "no lineup fits 50,000 with these locks" in optimization.message
    assert "no lineup fits 50,000" in client.get(optimization.get_absolute_url()).content.decode()


def test_a_users_runs_are_his_own(client, gameweek, django_user_model):
    season, _, projections = gameweek
    ada = django_user_model.objects.create_user("ada", password="a long enough passphrase 42")
    mine = Optimization.objects.create(kind=Optimization.Kind.FPL_SQUAD, owner=ada, season=season, gameweek=38,
                                       projection_set=projections, settings={"budget": 100.0})
    site = Optimization.objects.create(kind=Optimization.Kind.FPL_SQUAD, season=season, gameweek=38,
                                       projection_set=projections, settings={"budget": 100.0})
    assert client.get(mine.get_absolute_url()).status_code == 404
    assert client.get(site.get_absolute_url()).status_code == 200
    client.force_login(ada)
    assert client.get(mine.get_absolute_url()).status_code == 200
    bob = django_user_model.objects.create_user("bob", password="a long enough passphrase 42")
    client.force_login(bob)
    assert client.get(mine.get_absolute_url()).status_code == 404
    assert client.get(f"{mine.get_absolute_url()}status/").status_code == 404


def test_a_users_slate_projections_are_checked_used_and_his_own(client, gameweek, monkeypatch,
                                                                 django_capture_on_commit_callbacks,
                                                                 django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    season, players, _ = gameweek
    slate = slate_from_fpl(season, 38, "GW38 practice").slate
    ada = django_user_model.objects.create_user("ada", password="a long enough passphrase 42")
    client.force_login(ada)
    rows = list(slate.players.order_by("pk"))
    bad = SimpleUploadedFile("mine.csv", f"player,points\n{rows[0].external_id},9\nNobody,3\n{rows[1].name},x\n"
                             .encode(), content_type="text/csv")
    response = client.post(f"/fantasy/slates/{slate.pk}/", {"action": "upload", "file": bad})
    page = response.content.decode()
    assert response.status_code == 400
    assert "line 3, player: &#x27;Nobody&#x27; is not a player of this slate" in page
    assert "line 4, points: &#x27;x&#x27; is not a number" in page
    assert not ProjectionSet.objects.filter(kind=ProjectionSet.Kind.UPLOAD).exists()
    # His file: every player 1 point but one forward and one defender who are worth 40 to him.
    favourites = [next(row for row in rows if row.positions == "F"), next(row for row in rows if row.positions == "D")]
    lines = [f"{row.external_id},{40 if row in favourites else 1}" for row in rows]
    good = SimpleUploadedFile("mine.csv", ("player,points\n" + "\n".join(lines)).encode(), content_type="text/csv")
    response = client.post(f"/fantasy/slates/{slate.pk}/", {"action": "upload", "file": good})
    assert response.status_code == 302
    page = client.get(f"/fantasy/slates/{slate.pk}/").content.decode()
    assert 'value="yours"' in page and "40.00" in page
    optimization = run_queued(client, f"/fantasy/slates/{slate.pk}/",
                              {"action": "optimize", "source": "yours", "lineups": "3", "min_difference": "1",
                               "randomness": "0"}, monkeypatch, django_capture_on_commit_callbacks)
    assert optimization.projection_source == "yours" and optimization.projection_set.owner == ada
    for lineup in optimization.result["lineups"]:
        assert {row.external_id for row in favourites} <= {slot[1] for slot in lineup["slots"]}
    assert optimization.result["lineups"][0]["points"] == 86.0  # 40 + 40 + six at 1
    bob = django_user_model.objects.create_user("bob", password="a long enough passphrase 42")
    client.force_login(bob)
    theirs = client.get(f"/fantasy/slates/{slate.pk}/").content.decode()
    assert 'value="yours"' not in theirs and "40.00" not in theirs
    assert client.get(optimization.get_absolute_url()).status_code == 404
