"""Project-wide test fixtures."""

from pathlib import Path

import pytest
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
