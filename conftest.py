"""Project-wide test fixtures."""

from pathlib import Path

import pytest
from channels.layers import channel_layers
from django.conf import settings


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
    hub.feeds.clear()
    hub.per_client.clear()


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
def memory_layer(settings):
    """The in-memory channel layer whatever REDIS_URL says: for tests of what is published,
    driven from sync code (channels-redis binds its queues to one event loop; Redis delivery
    has its own tests: test_consumers, test_redis_outage)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
