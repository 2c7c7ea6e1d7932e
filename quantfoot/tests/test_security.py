"""The security review of issue 13, one finding per section, each as an attacker or a user meets it."""

import csv
import logging
import os
import re
import subprocess
import sys
from html import unescape
from io import StringIO
from pathlib import Path
from urllib.parse import urlencode

import pytest
from channels.db import database_sync_to_async
from channels.testing import HttpCommunicator, WebsocketCommunicator
from django.contrib.auth import authenticate, get_user_model
from django.core.handlers.asgi import ASGIHandler
from django.test import RequestFactory
from django.urls import reverse

from matches.consumers import CLOSE_TOO_MANY
from matches.tests.live_match import make_match
from quantfoot.asgi import application
from quantfoot.proxies import TrustedProxyMiddleware, forwarded_client, trusted_networks
from quantfoot.websockets import CLOSE_NO_SUCH_STREAM

ROOT = Path(__file__).resolve().parents[2]
FORMULA = '=HYPERLINK("x")'
PROXY = "10.0.0.2"  # the load balancer in these tests


# 1. CSV formula injection ------------------------------------------------------------------------

def download(client, url) -> list[list[str]]:
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(StringIO(response.content.decode("utf-8-sig"))))


def cells(sheet: list[list[str]]) -> set[str]:
    return {cell for row in sheet for cell in row}


@pytest.mark.django_db
def test_a_team_named_like_a_formula_opens_as_text_in_the_standings_csv(client):
    from matches.tests.test_competition_page import SmallLeague

    league = SmallLeague()
    league.teams[1].name = FORMULA
    league.teams[1].save()

    sheet = download(client, reverse("matches:competition-standings-csv", args=[league.competition.pk]))

    assert "'" + FORMULA in cells(sheet) and FORMULA not in cells(sheet)
    assert "-1" in cells(sheet)  # Delta's points deduction stays a number


@pytest.mark.django_db
def test_a_team_named_like_a_formula_opens_as_text_in_the_team_results_csv(client):
    from matches.tests.test_team_page import SmallSeason

    small = SmallSeason()
    opponent = small.teams["Delta"]
    opponent.name = FORMULA
    opponent.short_name = ""
    opponent.save()
    html = client.get(small.url()).content.decode()
    url = unescape(re.search(r'href="(/teams/\d+/results\.csv[^"]*)" download', html).group(1))

    sheet = download(client, url)

    assert "'" + FORMULA in cells(sheet) and FORMULA not in cells(sheet)


@pytest.mark.django_db
def test_odds_csv_neutralises_formulas_but_keeps_negative_numbers_numeric(client):
    from markets.tests.test_odds_page import Fixture

    fixture = Fixture()
    fixture.home.name = fixture.home.short_name = "@SUM(1+1)*cmd|' /C calc'!A0"
    fixture.home.save()

    sheet = download(client, fixture.url("markets:match-odds-csv"))

    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells(sheet)
    assert not any(cell.startswith(("=", "@", "+")) for cell in cells(sheet))
    assert "-0.25" in cells(sheet) and "-0.20" in cells(sheet)  # the handicap line and a price change


def test_each_formula_start_is_neutralised_and_signed_numbers_are_not():
    from quantfoot.downloads import spreadsheet_safe

    for text in ("=1+1", "+1+1", "-1+1", "@A1", "\tx", "\rx", "-", "-inf"):
        assert spreadsheet_safe(text) == "'" + text
    for value in ("-3", "-0.25", "+1.5e3", "-12.5%", -3, 2.5, None, "Arsenal", "1-0"):
        assert spreadsheet_safe(value) == value


# 2. The real client address behind a trusted proxy ------------------------------------------------

def viewer(path, forwarded_for=None, peer=PROXY):
    headers = [(b"origin", b"http://localhost")]
    if forwarded_for:
        headers.append((b"x-forwarded-for", forwarded_for.encode()))
    communicator = WebsocketCommunicator(application, path, headers=headers)
    communicator.scope["client"] = (peer, 40000)
    return communicator


async def open_viewer(socket) -> bool:
    connected, _ = await socket.connect()
    frame = await socket.receive_output(timeout=3)
    return connected and frame["type"] == "websocket.send"


@pytest.mark.django_db(transaction=True)
async def test_viewers_behind_the_proxy_count_by_their_own_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LIVE_MAX_SOCKETS_PER_CLIENT = 20
    match = await database_sync_to_async(make_match)()
    path = f"/ws/matches/{match.pk}/"

    crowd = [viewer(path, f"203.0.113.{n}") for n in range(1, 22)]
    assert all([await open_viewer(socket) for socket in crowd])  # 21 fans through one load balancer

    one_fan = [viewer(path, f"198.51.100.7, {PROXY}") for _ in range(21)]
    assert all([await open_viewer(socket) for socket in one_fan[:20]])
    await one_fan[20].connect()
    assert (await one_fan[20].receive_output(timeout=3))["code"] == CLOSE_TOO_MANY

    for socket in crowd + one_fan[:20]:
        await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LIVE_MAX_SOCKETS_PER_CLIENT = 2
    match = await database_sync_to_async(make_match)()
    path = f"/ws/matches/{match.pk}/"
    sockets = [viewer(path, f"203.0.113.{n}", peer="198.51.100.9") for n in range(3)]

    assert await open_viewer(sockets[0]) and await open_viewer(sockets[1])
    await sockets[2].connect()
    assert (await sockets[2].receive_output(timeout=3))["code"] == CLOSE_TOO_MANY
    for socket in sockets[:2]:
        await socket.disconnect()


def test_the_rightmost_address_that_is_not_a_trusted_proxy_is_the_client():
    networks = trusted_networks(("10.0.0.0/8", "2001:db8::/32"))
    # The client wrote "6.6.6.6" itself; our proxies appended what they saw.
    assert forwarded_client("10.0.0.2", ["6.6.6.6", "203.0.113.5", "10.1.2.3"], networks) == "203.0.113.5"
    assert forwarded_client("10.0.0.2", ["[2001:db9::1]:443"], networks) == "2001:db9::1"
    assert forwarded_client("10.0.0.2", ["not-an-address"], networks) == "10.0.0.2"
    assert forwarded_client("::ffff:10.0.0.2", ["::ffff:10.0.0.9", "203.0.113.6"], networks) == "203.0.113.6"
    assert forwarded_client("10.0.0.2", [], networks) == "10.0.0.2"


def test_a_mistyped_trusted_proxy_stops_the_start():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="10.0.0.300"):
        trusted_networks(("10.0.0.300",))


# 3. The forwarded scheme only from the proxies; /healthz never redirected ------------------------

async def http_get(path, peer, headers=()):
    # SecurityMiddleware reads SECURE_SSL_REDIRECT when the handler starts: a fresh handler, behind
    # the same TrustedProxyMiddleware as quantfoot.asgi.application, sees the test's settings.
    site = TrustedProxyMiddleware(ASGIHandler())
    communicator = HttpCommunicator(site, "GET", path, headers=[(b"host", b"testserver"), *headers])
    communicator.scope["client"] = (peer, 40000)
    return await communicator.get_response(timeout=10)


@pytest.mark.django_db(transaction=True)
async def test_forwarded_https_counts_only_from_a_trusted_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.SECURE_SSL_REDIRECT = True
    https = [(b"x-forwarded-proto", b"https")]

    assert (await http_get("/no-such-page/", PROXY, https))["status"] == 404  # already https: no redirect
    forged = await http_get("/no-such-page/", "198.51.100.9", https)
    assert forged["status"] == 301 and dict(forged["headers"])[b"Location"] == b"https://testserver/no-such-page/"


@pytest.mark.django_db(transaction=True)
async def test_healthz_answers_plain_http_under_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True

    # The health answer itself (503 here: no task worker runs beside the test), not a redirect.
    assert (await http_get("/healthz", "198.51.100.9"))["status"] in (200, 503)
    assert (await http_get("/", "198.51.100.9"))["status"] == 301


# 4. An unknown WebSocket path ----------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("path", ["/ws/nothing-here/", "/admin/", "/ws/matches/not-a-number/"])
async def test_an_unknown_websocket_path_is_closed_with_a_code_and_no_error(path, caplog):
    socket = WebsocketCommunicator(application, path, headers=[(b"origin", b"http://localhost")])
    with caplog.at_level(logging.WARNING):
        await socket.connect()
        closed = await socket.receive_output(timeout=3)
        assert (closed["type"], closed["code"]) == ("websocket.close", CLOSE_NO_SUCH_STREAM)
    assert not [record for record in caplog.records if record.levelno >= logging.ERROR]


# 5. Login attempt limits ----------------------------------------------------------------------------

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # tests only: a login in ms, not 1 s


@pytest.fixture
def admin_user(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHER
    return get_user_model().objects.create_superuser("curator", "curator@example.com", "the-right-password-42")


def admin_login(client, password, address):
    return client.post("/admin/login/?next=/admin/", {"username": "curator", "password": password},
                       REMOTE_ADDR=address)


def test_the_sixth_attempt_is_refused_even_with_the_right_password(client, admin_user, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    # The form again with its error four times; the fifth wrong password is answered with the lockout.
    assert [admin_login(client, "wrong", "198.51.100.20").status_code for _ in range(5)] == [200] * 4 + [429]

    locked = admin_login(client, "the-right-password-42", "198.51.100.20")

    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many login attempts" in page and 'class="site-header"' in page  # the site's own page
    assert "after 5 wrong passwords: try again in 15 minutes." in page
    assert "_auth_user_id" not in client.session
    other_address = admin_login(client, "the-right-password-42", "203.0.113.30")
    assert other_address.status_code == 302 and other_address["Location"] == "/admin/"


def test_any_login_form_is_limited_because_authenticate_is(admin_user):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR="198.51.100.21")
    for _ in range(5):
        assert authenticate(request, username="curator", password="wrong") is None

    assert authenticate(request, username="curator", password="the-right-password-42") is None  # the 6th
    elsewhere = RequestFactory().post("/accounts/login/", REMOTE_ADDR="203.0.113.31")
    assert authenticate(elsewhere, username="curator", password="the-right-password-42") == admin_user


async def asgi_admin_login(forwarded_for: str, password: str) -> int:
    """One admin login through the ASGI application from a fan behind the proxy (CSRF and all)."""
    proxy_headers = [(b"host", b"testserver"), (b"x-forwarded-for", forwarded_for.encode())]
    form = HttpCommunicator(application, "GET", "/admin/login/", headers=proxy_headers)
    form.scope["client"] = (PROXY, 40000)
    page = await form.get_response(timeout=10)
    cookie = next(value for name, value in page["headers"] if name.lower() == b"set-cookie").split(b";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page["body"]).group(1).decode()
    body = urlencode({"csrfmiddlewaretoken": token, "username": "curator", "password": password,
                      "next": "/admin/"}).encode()
    post = HttpCommunicator(application, "POST", "/admin/login/", body=body, headers=[
        *proxy_headers, (b"cookie", cookie), (b"content-type", b"application/x-www-form-urlencoded")])
    post.scope["client"] = (PROXY, 40000)
    return (await post.get_response(timeout=10))["status"]


@pytest.mark.django_db(transaction=True)
async def test_login_limits_count_the_real_address_behind_the_proxy(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.PASSWORD_HASHERS = FAST_HASHER
    await database_sync_to_async(get_user_model().objects.create_superuser)(
        "curator", "curator@example.com", "the-right-password-42")
    assert [await asgi_admin_login("198.51.100.40", "wrong") for _ in range(5)] == [200] * 4 + [429]

    assert await asgi_admin_login("198.51.100.40", "the-right-password-42") == 429
    assert await asgi_admin_login("203.0.113.41", "the-right-password-42") == 302  # same proxy, another fan


# 6. Content-Security-Policy and the other headers ----------------------------------------------

@pytest.mark.django_db
def test_every_page_carries_the_policy_and_the_browser_hardening_headers(client):
    response = client.get("/no-such-page/")
    policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))

    assert policy["default-src"] == "'self'" and policy["script-src"] == "'self'"
    assert policy["connect-src"] == "'self' ws://testserver wss://testserver"
    assert policy["img-src"] == "'self' data:"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'self'" and policy["form-action"] == "'self'"
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
HTMX_EVAL = re.compile(r"\bhx-on|hx-trigger=\"[^\"]*\[|hx-vals=['\"]\s*(js|javascript):", re.I)


def test_no_template_has_inline_script_event_handlers_or_htmx_eval():
    offenders = []
    for folder in TEMPLATE_DIRS:
        for template in folder.rglob("*.html"):
            source = template.read_text()
            for pattern in (INLINE_SCRIPT, EVENT_HANDLER, HTMX_EVAL):
                offenders += [f"{template.relative_to(ROOT)}: {hit.group(0)[:60]}" for hit in pattern.finditer(source)]
    assert not offenders, "blocked by the Content-Security-Policy (move it into static/js):\n" + "\n".join(offenders)


# 7. The WebSocket origin, port included ------------------------------------------------------------

async def handshake(origin: str, host: str) -> bool:
    socket = WebsocketCommunicator(application, "/ws/nothing-here/",
                                   headers=[(b"origin", origin.encode()), (b"host", host.encode())])
    connected, _ = await socket.connect()
    await socket.disconnect()
    return connected


@pytest.mark.django_db(transaction=True)
async def test_an_origin_on_another_port_of_the_same_host_is_refused(settings):
    settings.ALLOWED_HOSTS = ["localhost", "quantfoot.example.com"]

    assert await handshake("http://localhost:8000", "localhost:8000")
    assert await handshake("https://quantfoot.example.com", "quantfoot.example.com")
    assert not await handshake("http://localhost:9999", "localhost:8000")  # another app on this machine
    assert not await handshake("http://localhost:8000", "localhost")
    assert not await handshake("https://evil.example", "localhost:8000")
    assert not await handshake("https://quantfoot.example.com:8443", "quantfoot.example.com")


# 8. No production start on the public development key --------------------------------------------

@pytest.mark.parametrize("secret_key", [None, "quantfoot-embedded-development-key-not-for-production-use"])
def test_production_refuses_to_start_without_its_own_secret_key(tmp_path, secret_key):
    env = {key: value for key, value in os.environ.items()
           if key not in ("SECRET_KEY", "DJANGO_SETTINGS_MODULE", "QUANTFOOT_REQUIRE_SECRET_KEY")}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path}/production.sqlite3"
    if secret_key:
        env["SECRET_KEY"] = secret_key
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set to a long random value when DATABASE_URL is set" in result.stderr


def test_the_embedded_default_signs_with_a_key_of_its_own_made_once_per_install(tmp_path, settings):
    from quantfoot.settings import PUBLIC_SECRET_KEYS, embedded_secret_key

    first, other = embedded_secret_key(tmp_path / "a" / "secret_key"), embedded_secret_key(tmp_path / "b" / "secret_key")
    assert first != other and len(first) >= 50, "each install its own random key"
    assert embedded_secret_key(tmp_path / "a" / "secret_key") == first, "kept across restarts (sessions survive)"
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o077 == 0, "readable by its owner only"
    assert list((tmp_path / "a").iterdir()) == [tmp_path / "a" / "secret_key"], "no draft left behind"
    assert settings.SECRET_KEY not in PUBLIC_SECRET_KEYS
