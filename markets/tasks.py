"""What django-q2 runs for markets (the schedules are declared in ingestion/tasks.py)."""

import logging

logger = logging.getLogger(__name__)


def recompute_market_values() -> str:
    """Every Monday: every player's market value recomputed once (``markets.valuation``).

    Run again the same day it rewrites the same rows; each Monday adds to the history.
    """
    from markets import valuation

    summary = valuation.recompute_all()
    logger.info("market values: %s", summary)
    return summary


def refit_ratings() -> str:
    """Refit Dixon-Coles and Elo for every competition with upcoming matches, and predict them.

    Each competition is its own unit: one that fails is logged and the others still run.
    Returns a one-line summary for the task result.
    """
    from markets import predictions

    done, failed = [], []
    for competition in predictions.competitions_to_refit():
        try:
            report = predictions.fit_ratings(competition)
        except Exception:  # noqa: BLE001 - a scheduled job survives one competition's bad data
            logger.exception("ratings: refitting %s failed", competition)
            failed.append(competition.name)
            continue
        logger.info("ratings: %s refitted (%s, %s), %d upcoming matches predicted", competition,
                    report.dixon_coles, report.elo, report.predictions)
        done.append(f"{competition.name} ({report.predictions} matches)")
    if not done and not failed:
        return "no competition has upcoming matches to predict"
    summary = f"refitted {len(done)} {'competition' if len(done) == 1 else 'competitions'}: {', '.join(done) or 'none'}"
    return summary + (f"; failed: {', '.join(failed)}" if failed else "")
