"""/ws/me/: only with a session, only the user's own alerts, caught up from the database."""

import asyncio

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.consumers import CLOSE_UNAUTHENTICATED
from accounts.models import Follow
from accounts.tests.helpers import make_user
from matches import services
from matches.models import Match, Team
from matches.tests.live_match import HOME, event, make_match
from quantfoot.asgi import application

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


def session_cookie(user) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


def stream(cookie: bytes | None = None, query: str = "") -> WebsocketCommunicator:
    headers = [ORIGIN] + ([(b"cookie", cookie)] if cookie else [])
    return WebsocketCommunicator(application, f"/ws/me/{query}", headers=headers)


@database_sync_to_async
def two_fans_of_different_teams():
    match = make_match(status=Match.Status.LIVE)
    ada, bob = make_user("ada"), make_user("bob")
    Follow.objects.create(user=ada, team=match.away_team)  # Italy
    Follow.objects.create(user=bob, team=Team.objects.create(name="France"))  # not in this match
    return match, session_cookie(ada), session_cookie(bob)


record = database_sync_to_async(services.record_event)


async def test_an_anonymous_connection_is_closed_with_4401():
    socket = stream()
    connected, _ = await socket.connect()
    assert connected
    closed = await socket.receive_output(timeout=2)
    assert closed == {"type": "websocket.close", "code": CLOSE_UNAUTHENTICATED}


async def test_a_forged_session_is_refused_too():
    socket = stream(f"{settings.SESSION_COOKIE_NAME}=not-a-session".encode())
    await socket.connect()
    assert (await socket.receive_output(timeout=2))["code"] == CLOSE_UNAUTHENTICATED


async def test_each_user_gets_his_alerts_and_none_of_the_other_s():
    match, ada_cookie, bob_cookie = await two_fans_of_different_teams()
    ada, bob = stream(ada_cookie), stream(bob_cookie)
    assert (await ada.connect())[0] and (await bob.connect())[0]

    await record(match, event("g1", "goal", 53, player="Ciro Immobile"))  # Italy score
    await record(match, event("g2", "goal", 60, team=HOME, player="Burak Yilmaz"))  # and Turkey

    assert "Goal: Turkey 0-1 Italy" in await ada.receive_from(timeout=2)
    assert "Goal: Turkey 1-1 Italy" in await ada.receive_from(timeout=2)
    assert await bob.receive_nothing(timeout=0.3)
    await ada.disconnect()
    await bob.disconnect()


async def test_a_reconnecting_browser_catches_up_after_the_last_alert_it_showed(settings):
    settings.ALERTS_CATCH_UP_SECONDS = 60  # the catch-up on connect, not the periodic one
    match, ada_cookie, _ = await two_fans_of_different_teams()
    ada = stream(ada_cookie)
    await ada.connect()
    await record(match, event("g1", "goal", 53))
    first = await ada.receive_from(timeout=2)
    await ada.disconnect()
    first_id = int(first.split('data-alert-id="')[1].split('"')[0])

    await record(match, event("g2", "goal", 79, player="Lorenzo Insigne"))  # while away
    again = stream(ada_cookie, f"?after={first_id}")
    await again.connect()
    missed = await again.receive_from(timeout=2)
    assert "Turkey 0-2 Italy" in missed and "Lorenzo Insigne" in missed
    assert await again.receive_nothing(timeout=0.3)  # not the first goal again
    await again.disconnect()


async def test_alerts_written_by_another_process_arrive_through_the_catch_up(settings):
    """The embedded in-memory layer cannot carry a replay process's alerts: the stream looks in the database."""
    settings.ALERTS_CATCH_UP_SECONDS = 0.2
    match, ada_cookie, _ = await two_fans_of_different_teams()
    ada = stream(ada_cookie)
    await ada.connect()
    await asyncio.sleep(0.1)
    from accounts.models import Alert

    @database_sync_to_async
    def stored_elsewhere():  # what another process's listener leaves: the row, no message here
        user_id = Follow.objects.get(team=match.away_team).user_id
        Alert.objects.create(user_id=user_id, match=match, kind="goal", title="Goal: Turkey 0-1 Italy", body="")

    await stored_elsewhere()
    # the catch-up looks every 0.2 s on the in-memory layer, 15 times less often with Redis (3 s)
    assert "Goal: Turkey 0-1 Italy" in await ada.receive_from(timeout=6)
    assert await ada.receive_nothing(timeout=0.5)  # once
    await ada.disconnect()


@database_sync_to_async
def a_portfolio_of(username: str):
    from trading.models import PaperPortfolio

    user = make_user(username)
    return PaperPortfolio.objects.create(owner=user, name="Saturday"), session_cookie(user)


@database_sync_to_async
def a_paper_bet_on(portfolio):
    from trading.models import PaperBet, Strategy, StrategyVersion
    from django.utils import timezone

    match = make_match(status=Match.Status.SCHEDULED)
    version = StrategyVersion.objects.create(strategy=Strategy.objects.create(name="Homes"), version=1,
                                             definition={"rule": "back", "selection": "home"})
    now = timezone.now()
    PaperBet.objects.create(portfolio=portfolio, strategy_version=version, match=match, market="1x2",
                            selection="home", bookmaker="PS", price=2.1, stake=3, requested_stake=3,
                            price_seen_at=now, placed_at=now)


async def test_a_paper_portfolio_is_pushed_to_its_owners_stream():
    from accounts import portfolios

    portfolio, cookie = await a_portfolio_of("ada")
    socket = stream(cookie)
    connected, _ = await socket.connect()
    assert connected
    await a_paper_bet_on(portfolio)
    await database_sync_to_async(portfolios.push)([portfolio.pk])  # what trading tells after the commit
    pushed = await socket.receive_from(timeout=5)
    assert f'id="portfolio-{portfolio.pk}"' in pushed and 'hx-swap-oob="true"' in pushed and "@ 2.10" in pushed
    await socket.disconnect()
