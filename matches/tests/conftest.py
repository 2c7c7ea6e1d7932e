import pytest
from channels.layers import channel_layers



@pytest.fixture
def memory_layer(settings):
    """The in-memory channel layer whatever REDIS_URL says: for tests of what is published,
    driven from sync code (channels-redis binds its queues to one event loop; Redis delivery
    has its own tests: test_consumers, test_redis_outage)."""
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()
