"""What django-q2 runs for markets (the schedules are declared in ingestion/tasks.py)."""

import logging

logger = logging.getLogger(__name__)


def recompute_market_values() -> str:
    """Every Monday: recompute every player's market value (issue 6 brings the valuation model).

    Until a valuation model is installed there is nothing to recompute; the schedule exists
    so that ``setup_schedules`` creates the full set once and never needs re-running.
    """
    try:
        from markets import valuation
    except ImportError:
        logger.info("market values: no valuation model installed yet")
        return "no valuation model installed"
    return valuation.recompute_all()
