"""Fixtures for the ingestion tests."""

import pytest
from django.core.cache import cache

from ingestion.tests.fake_provider import FakeProvider


@pytest.fixture
def fake_provider():
    """A local stand-in provider server (see fake_provider.py).

    Rate limits and quotas live in the cache; each test starts and ends with none, so one
    test's "quota used up" never reaches another.
    """
    cache.clear()
    with FakeProvider() as server:
        yield server
    cache.clear()
