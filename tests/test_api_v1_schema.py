"""/api/v1/openapi.json describes every resource, and each answers 200 with a key; /api/v1/docs loads
nothing from another site."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from accounts.api_keys import create_key
from markets.tests.api_world import build_world

pytestmark = pytest.mark.django_db

RESOURCES = {
    "/competitions", "/competitions/{competition_id}", "/competitions/{competition_id}/seasons",
    "/competitions/{competition_id}/standings", "/matches", "/matches/{match_id}", "/matches/{match_id}/events",
    "/matches/{match_id}/lineups", "/matches/{match_id}/odds", "/matches/{match_id}/predictions",
    "/matches/{match_id}/xg", "/teams", "/teams/{team_id}", "/players", "/players/{player_id}",
    "/players/{player_id}/stats", "/players/{player_id}/values", "/value-bets",
}

# The key's lookup (and its last use, once a minute) plus a few per resource, however many rows:
# standings are the most (competition, season, and matches.standings.load_season's three).
MAX_QUERIES = 7


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_every_resource_in_the_schema_answers_200_with_a_key(client, django_assert_max_num_queries):
    world = build_world()
    user = get_user_model().objects.create_user("analyst", "analyst@example.com", "a-long-passphrase-3")
    secret = create_key(user, "schema test", per_minute=1000).secret
    schema = client.get("/api/v1/openapi.json").json()
    paths = {path.removeprefix("/api/v1") for path in schema["paths"]}
    assert paths == RESOURCES
    assert schema["components"]["securitySchemes"]["ApiKeyAuth"] == {
        "type": "apiKey", "in": "header", "name": "X-Auth-Token"}
    ids = {"competition_id": world.match.competition_id, "match_id": world.match.pk,
           "team_id": world.built.home.pk, "player_id": world.built.players["Nine"].pk}
    for path, operations in schema["paths"].items():
        assert set(operations) == {"get"}, path
        assert "200" in operations["get"]["responses"], path
        url = re.sub(r"{(\w+)}", lambda found: str(ids[found.group(1)]), path)
        with django_assert_max_num_queries(MAX_QUERIES):
            response = client.get(url, headers={"X-Auth-Token": secret})
        assert response.status_code == 200, (url, response.content[:300])
        assert response["X-Requests-Available-Minute"]
        body = response.json()  # the fixture has a row for every list: an empty one would prove nothing
        assert (body["count"] > 0 if "count" in body else body) if isinstance(body, dict) else body, url


def test_the_docs_page_loads_only_our_own_files(client):
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(source.endswith("swagger-ui-bundle.js") for source in sources)
    assert all(source.startswith("/static/") for source in sources), sources
    assert "<script>" not in page  # the settings travel as JSON data, read by swagger-ui-init.js
    assert '"validatorUrl": null' in page
