"""The fantasy pages: a gameweek's projections, ours or the reader's own upload, sortable and as CSV."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from fantasy.models import Game, Projection, ProjectionSet
from fantasy.tests.test_uploads import ada, gameweek  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


def ours(target, players):
    projection_set = ProjectionSet.objects.create(game=Game.FPL, season_id=target.season_id, gameweek=30,
                                                  inputs={"simulations": 2000})
    for name, points, play in (("Erling Haaland", 7.4, 0.97), ("Bukayo Saka", 5.2, 0.92), ("Ben White", 3.9, 0.8)):
        Projection.objects.create(projection_set=projection_set, player=players[name], points=points,
                                  play_probability=play, median=points - 1, p10=0, p90=points + 6)
    return projection_set


def url(target, suffix=""):
    return f"/fantasy/fpl/{target.season_id}/gw/30/{suffix}"


def test_the_gameweek_shows_our_projections_sorted_and_as_csv(client, gameweek, django_assert_max_num_queries):  # noqa: F811
    target, players, _ = gameweek
    ours(target, players)
    with django_assert_max_num_queries(8):
        html = client.get(url(target)).content.decode()
    assert html.index("Haaland") < html.index("Saka") < html.index("White")  # most points first
    assert "97%" in html and "7.40" in html and "6.0" in html  # P(play), points, price
    ascending = client.get(url(target), {"sort": "points", "dir": "asc"}).content.decode()
    assert ascending.index("White") < ascending.index("Haaland")
    assert client.get(url(target), {"sort": "bogus"}).status_code == 400
    csv = client.get(url(target, "projections.csv")).content.decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Player,Position,Price (£m),Match,Expected points") and len(csv) == 4
    assert csv[1].startswith("Haaland,") and ",7.4," in csv[1]


def test_a_reader_uploads_his_own_sees_them_and_a_bad_file_shows_its_lines(client, gameweek, ada, django_user_model):  # noqa: F811
    target, players, _ = gameweek
    ours(target, players)
    client.force_login(ada)
    bad = SimpleUploadedFile("mine.csv", b"player,points\nHaaland,9\nNobody,3\nSaka,x\n", content_type="text/csv")
    response = client.post(url(target), {"file": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "line 3, player: &#x27;Nobody&#x27; is not a player" in page and "line 4, points: &#x27;x&#x27; is not a number" in page
    assert not ProjectionSet.objects.filter(kind="upload").exists()
    good = SimpleUploadedFile("mine.csv", b"player,points\nSaka,9.5\n", content_type="text/csv")
    response = client.post(url(target), {"file": good})
    assert response.status_code == 302 and response["Location"].endswith("?source=yours")
    mine = client.get(url(target), {"source": "yours"}).content.decode()
    assert "9.50" in mine and "Haaland" not in mine and "Yours (uploaded, v1)" in mine
    other = django_user_model.objects.create_user("bob", password="a long enough passphrase 42")
    client.force_login(other)
    theirs = client.get(url(target), {"source": "yours"}).content.decode()
    assert "9.50" not in theirs and "7.40" in theirs  # bob sees ours, never ada's


def test_visitors_cannot_upload_and_unknown_gameweeks_are_404(client, gameweek):  # noqa: F811
    target, _, _ = gameweek
    assert "Sign in" in client.get(url(target)).content.decode()
    upload = SimpleUploadedFile("x.csv", b"player,points\nSaka,1\n")
    assert client.post(url(target), {"file": upload}).status_code == 302
    assert not ProjectionSet.objects.exists()
    assert client.get(f"/fantasy/fpl/{target.season_id}/gw/99/").status_code == 404
    assert client.get("/fantasy/fpl/987654/gw/3/").status_code == 404
    home = client.get("/fantasy/").content.decode()
    assert "GW30" in home and "2023/24" in home
