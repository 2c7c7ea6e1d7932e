"""The shared layout and the project's own URLs: pages render, assets are local, no CDN."""

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from matches.models import Competition, Match, Season, Team

# <script src=...> / <link href=...> pointing off-site: http://, https:// or protocol-relative //.
REMOTE_ASSET = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.IGNORECASE)
ASSET_URL = re.compile(r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']([^\"']+)[\"']", re.IGNORECASE)


def template_files() -> list[Path]:
    """Every template of the project: templates/ and each app's templates/ folder."""
    folders = [Path(folder) for folder in settings.TEMPLATES[0]["DIRS"]]
    folders += [Path(settings.BASE_DIR, app, "templates") for app in ("matches", "players", "markets", "ingestion")]
    return sorted(path for folder in folders if folder.is_dir() for path in folder.rglob("*.html"))


def test_no_template_loads_an_asset_from_a_cdn():
    files = template_files()
    assert Path(settings.BASE_DIR, "templates", "base.html") in files
    offenders = [
        f"{path.relative_to(settings.BASE_DIR)}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if REMOTE_ASSET.search(line)
    ]
    assert not offenders, "templates load remote assets (vendor them under static/):\n" + "\n".join(offenders)


@pytest.mark.django_db
def test_home_page_uses_only_local_vendored_assets(client):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = ASSET_URL.findall(html)
    static_url = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL
    assert f"{static_url}vendor/htmx/htmx.min.js" in assets
    assert f"{static_url}vendor/htmx/ext/ws.js" in assets
    assert f"{static_url}css/quantfoot.css" in assets
    assert all(url.startswith(static_url) for url in assets), assets
    # Every referenced file exists, so `collectstatic` and the embedded server can serve it.
    for url in assets:
        assert finders.find(url.removeprefix(static_url)), f"{url} is not in any static folder"
    assert "X-CSRFToken" in html
    assert 'name="viewport"' in html


@pytest.mark.django_db
def test_home_lists_competitions_with_links(client):
    competition = Competition.objects.create(name="Premier League", country="England")
    response = client.get("/")
    assert response.status_code == 200
    assert f'href="/competitions/{competition.pk}/"' in response.content.decode()
    assert "Premier League" in response.content.decode()


@pytest.mark.django_db
def test_home_without_data_says_so(client):
    response = client.get("/")
    assert "No competitions yet" in response.content.decode()


@pytest.mark.django_db
def test_detail_pages_render(client):
    competition = Competition.objects.create(name="Premier League", country="England")
    season = Season.objects.create(competition=competition, name="2023/24")
    home, away = Team.objects.create(name="Arsenal"), Team.objects.create(name="Chelsea")
    match = Match.objects.create(
        competition=competition, season=season, home_team=home, away_team=away,
        kickoff=datetime(2024, 4, 23, 19, 0, tzinfo=UTC), status=Match.Status.FINISHED,
        home_score=5, away_score=0,
    )
    page = client.get(f"/matches/{match.pk}/").content.decode()
    assert "Arsenal" in page and "Chelsea" in page
    assert "5&ndash;0" in page
    assert "Finished" in page
    assert "20:00" in page  # 19:00 UTC shown in Europe/London summer time
    assert "2023/24" in client.get(f"/competitions/{competition.pk}/").content.decode()
    assert "Arsenal" in client.get(f"/teams/{home.pk}/").content.decode()
    assert client.get("/matches/999999/").status_code == 404


@pytest.mark.django_db
def test_healthz_reports_each_part_and_503_without_a_task_worker(client):
    """No qcluster runs beside the test: the database and the channel layer are fine, the worker is not
    (tests/test_health.py starts and stops real ones)."""
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["database"], body["channel_layer"]) == ("degraded", "ok", "ok")
    assert body["task_worker"].startswith("error: no task worker") and body["task_clusters"] == 0
    assert isinstance(body["live"], dict)  # this process's delivery counters


@pytest.mark.skipif(not settings.SERVE_STATIC, reason="SERVE_STATIC is off: a proxy serves STATIC_ROOT")
async def test_asgi_application_serves_static_files():
    """daphne serves no static files itself; the embedded ASGI app must (quantfoot/asgi.py)."""
    from asgiref.testing import ApplicationCommunicator

    from quantfoot.asgi import application

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
             "scheme": "http", "path": "/static/vendor/htmx/htmx.min.js", "raw_path": b"/static/vendor/htmx/htmx.min.js",
             "query_string": b"", "root_path": "", "headers": [(b"host", b"localhost")],
             "client": ("127.0.0.1", 50000), "server": ("127.0.0.1", 8000)}
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=5)
    assert start["type"] == "http.response.start" and start["status"] == 200
    body = b""
    while True:
        message = await communicator.receive_output(timeout=5)
        body += message.get("body", b"")
        if not message.get("more_body"):
            break
    assert body.startswith(b"var htmx=")
    assert len(body) == Path(finders.find("vendor/htmx/htmx.min.js")).stat().st_size


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/matches/1/", "/api/v1/competitions"])
def test_an_unreachable_database_answers_json_503_on_the_api(client, path, settings):
    from unittest import mock

    from django.db import OperationalError

    settings.DEBUG = True  # even then: JSON, not the debug page
    refused = OperationalError('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=refused):
        response = client.get(path)
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": "the database is unavailable: try again shortly"}
    assert response["Retry-After"] == "30"
