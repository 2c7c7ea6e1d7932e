"""Project-wide test fixtures."""

from pathlib import Path

import pytest
from channels.layers import channel_layers
from django.conf import settings


CHROMIUM = Path("/usr/bin/chromium")  # Debian's; Playwright downloads no browser here


def shared_data_path(*parts: str) -> Path:
    """A path under ../shared/data (or QUANTFOOT_DATA); skips the test when it is missing."""
    path = Path(settings.QUANTFOOT_DATA, *parts)
    if not path.exists():
        pytest.skip(f"real data not found at {path} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    return path


@pytest.fixture
def shared_data():
    """Callable fixture: shared_data("football-data", "E0", "2324.csv")."""
    return shared_data_path


@pytest.fixture(autouse=True, scope="session")
def _no_persistent_connections_in_tests():
    """Consumers reach the database from executor threads; with persistent connections
    (CONN_MAX_AGE on PostgreSQL) a thread's connection outlives the test and keeps the
    test database from being dropped. database_sync_to_async closes them at 0."""
    from django.db import connections

    connections.settings["default"]["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _no_feed_outlives_its_test():
    """A test that ends without disconnecting leaves a feed polling the database; stop it."""
    yield
    from matches.fanout import hub

    for feed in list(hub.feeds.values()):
        if feed.task is not None:
            feed.task.cancel()
    if hub.repairing is not None:
        hub.repairing.cancel()
    hub.feeds.clear()
    hub.per_client.clear()


@pytest.fixture(autouse=True)
def _no_match_figures_outlive_their_test():
    """Match ids repeat between tests: figures cached per match version must not leak into another test."""
    yield
    from matches import fragments

    fragments._per_version.entries.clear()


@pytest.fixture(autouse=True)
def _no_stats_flush_outlives_its_test():
    """A held-back statistics push is a timer thread that reads the database when it fires;
    one left from an earlier test fires inside a later one (SQLite: "database table is
    locked") and, since match ids repeat between tests, the push throttle would hold back
    a later test's frames. Cancel the timers and forget the throttle after every test."""
    yield
    from matches import live

    with live._flush_lock:
        for timer in live._flush_timers.values():
            timer.cancel()
        live._flush_timers.clear()
    live._last_stats_push.clear()


@pytest.fixture
def stats_flush_in_thread_off(monkeypatch):
    """For transactional tests that replay a match on the in-memory SQLite test database: the
    held-back statistics push fires from a timer thread after two wall-clock seconds, and its
    read of the events, racing the replay's writes, is refused there ("database table is
    locked": shared-cache SQLite locks tables and waits for nobody). The frames such tests
    read are the key events'; the statistics flush has its own test (test_live_services)."""
    from matches import live

    monkeypatch.setattr(live, "schedule_stats_flush", lambda match_id, delay: None)


@pytest.fixture(autouse=True, scope="session")
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Executor threads of async tests may still hold a connection when the session ends;
    on PostgreSQL that keeps the test database from being dropped. End them first
    (depending on django_db_setup makes this run before its teardown)."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture
def generous_anonymous_quota(settings):
    """For tests of what /api/v1/ answers, called without a key; the quotas have their own tests."""
    from django.core.cache import cache

    settings.API_ANONYMOUS_PER_MINUTE = settings.API_ANONYMOUS_PER_DAY = 10_000
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def memory_layer(settings):
    """The in-memory channel layer whatever REDIS_URL says: for tests of what is published,
    driven from sync code (channels-redis binds its queues to one event loop; Redis delivery
    has its own tests: test_consumers, test_redis_outage)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium through Playwright, for browser tests against pytest-django's live_server."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls in the test stay synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser_page(browser):
    """A Chromium page 390 px wide (a phone)."""
    return browser.new_page(viewport={"width": 390, "height": 900})
