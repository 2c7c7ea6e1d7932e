"""Following from the team, player, competition and match pages; the profile's list; the home page's card."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Follow
from accounts.tests.helpers import make_user
from matches.models import Competition, Match, Season, Team
from matches.tests.live_match import make_match
from players.models import Player

pytestmark = pytest.mark.django_db


@pytest.fixture
def italy_match():
    return make_match()


def another_match(like: Match, status: str, days_before: int) -> Match:
    """One more Turkey v Italy in the same competition (make_match makes a new competition)."""
    return Match.objects.create(competition=like.competition, season=like.season, home_team=like.home_team,
                                away_team=like.away_team, status=status, home_score=0, away_score=1,
                                kickoff=like.kickoff - dt.timedelta(days=days_before))


def unfollowed_match(like: Match) -> Match:
    """Roma v Lazio in Serie A: nothing a test user follows."""
    serie_a = Competition.objects.create(name="Serie A")
    season = Season.objects.create(competition=serie_a, name="2021/22")
    return Match.objects.create(competition=serie_a, season=season, home_team=Team.objects.create(name="Roma"),
                                away_team=Team.objects.create(name="Lazio"), status=Match.Status.FINISHED,
                                kickoff=like.kickoff, home_score=2, away_score=1)


def followed_section(page: str) -> str:
    start = page.index('id="followed"')
    return page[start:page.index("</section>", start)]


def pages(match, player):
    return {"team": (match.away_team, match.away_team.get_absolute_url()),
            "competition": (match.competition, match.competition.get_absolute_url()),
            "match": (match, match.get_absolute_url()),
            "player": (player, player.get_absolute_url())}


def test_follow_then_unfollow_from_each_page_without_javascript(client, italy_match):
    user = make_user("ada")
    client.force_login(user)
    player = Player.objects.create(name="Ciro Immobile")
    for kind, (target, url) in pages(italy_match, player).items():
        page = client.get(url).content.decode()
        follow_url = reverse("accounts:follow", args=[kind, target.pk])
        assert f'action="{follow_url}"' in page, kind
        assert 'aria-pressed="false"' in page

        response = client.post(follow_url, {"next": url})
        assert response.status_code == 302 and response.url == url
        assert Follow.objects.filter(user=user, **{kind: target}).exists()
        page = client.get(url).content.decode()
        assert 'aria-pressed="true"' in page and reverse("accounts:unfollow", args=[kind, target.pk]) in page

        client.post(reverse("accounts:unfollow", args=[kind, target.pk]), {"next": url})
        assert not Follow.objects.filter(user=user, **{kind: target}).exists()


def test_an_htmx_click_swaps_only_the_button(client, italy_match):
    user = make_user("ada")
    client.force_login(user)
    team = italy_match.away_team
    response = client.post(reverse("accounts:follow", args=["team", team.pk]), {"next": team.get_absolute_url()},
                           headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith(f'<form class="follow-form" id="follow-team-{team.pk}"')
    assert "Following" in html and 'name="next" value="/teams/' in html
    # Following twice (a double click) keeps one follow.
    client.post(reverse("accounts:follow", args=["team", team.pk]), headers={"HX-Request": "true"})
    assert Follow.objects.filter(user=user).count() == 1


def test_following_needs_a_signed_in_post(client, italy_match):
    team = italy_match.away_team
    page = client.get(team.get_absolute_url()).content.decode()
    assert "Sign in to follow" in page and f"/accounts/login/?next=%2Fteams%2F{team.pk}%2F" in page
    response = client.post(reverse("accounts:follow", args=["team", team.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    client.force_login(make_user("ada"))
    assert client.get(reverse("accounts:follow", args=["team", team.pk])).status_code == 405
    assert client.post(reverse("accounts:follow", args=["stadium", 1])).status_code == 404
    assert client.post(reverse("accounts:follow", args=["team", 999999])).status_code == 404
    assert Follow.objects.count() == 0


def test_next_never_leaves_the_site(client, italy_match):
    client.force_login(make_user("ada"))
    team = italy_match.away_team
    response = client.post(reverse("accounts:follow", args=["team", team.pk]), {"next": "https://evil.example/"})
    assert response.url == team.get_absolute_url()


def test_each_user_sees_only_his_own_follows(client, italy_match):
    ada, bob = make_user("ada"), make_user("bob")
    italy, turkey = italy_match.away_team, italy_match.home_team
    Follow.objects.create(user=ada, team=italy)
    Follow.objects.create(user=bob, team=turkey)

    client.force_login(ada)
    profile = followed_section(client.get(reverse("accounts:profile")).content.decode())
    assert "Italy" in profile and "Turkey" not in profile
    assert 'aria-pressed="true"' in client.get(italy.get_absolute_url()).content.decode()
    assert 'aria-pressed="false"' in client.get(turkey.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()
    assert 'id="following"' in home

    client.force_login(bob)
    profile = followed_section(client.get(reverse("accounts:profile")).content.decode())
    assert "Turkey" in profile and "Italy" not in profile
    assert 'aria-pressed="false"' in client.get(italy.get_absolute_url()).content.decode()
    # bob cannot unfollow ada's follow: his unfollow only touches his own rows
    client.post(reverse("accounts:unfollow", args=["team", italy.pk]))
    assert Follow.objects.filter(user=ada, team=italy).exists()


def test_the_home_page_starts_with_the_matches_of_what_the_reader_follows(client, django_assert_max_num_queries):
    followed = make_match(status=Match.Status.LIVE)
    other = unfollowed_match(followed)
    ada = make_user("ada")
    Follow.objects.create(user=ada, team=followed.away_team)
    for index in range(5):  # more follows cost no more queries
        Follow.objects.create(user=ada, match=another_match(followed, Match.Status.FINISHED, days_before=index + 1))
    client.force_login(ada)

    with django_assert_max_num_queries(14):
        page = client.get("/").content.decode()
    following = page[page.index('id="following"'):page.index("</section>", page.index('id="following"'))]
    assert "Live now" in following and f'href="{followed.get_absolute_url()}"' in following
    assert "Latest results" in following
    assert f'href="{other.get_absolute_url()}"' not in following
    assert page.index('id="following"') < page.index("<h2>Live now</h2>")  # first on the page


def test_a_reader_following_nothing_is_told_how(client):
    make_match()
    client.force_login(make_user("ada"))
    assert "Nothing you follow has matches yet" in client.get("/").content.decode()


def test_anonymous_readers_get_the_home_page_as_before(client, django_assert_max_num_queries):
    make_match(status=Match.Status.LIVE)
    with django_assert_max_num_queries(6):
        page = client.get("/").content.decode()
    assert 'id="following"' not in page and "Live now" in page


def test_the_team_and_match_pages_ask_one_query_for_the_button(client, italy_match, django_assert_max_num_queries):
    client.force_login(make_user("ada"))
    url = italy_match.away_team.get_absolute_url()
    client.get(url)  # warm per-process caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    follow_queries = [query for query in queries.captured_queries if "accounts_follow" in query["sql"]]
    assert len(follow_queries) == 1
