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

    done, failed, current = [], [], []
    for competition in predictions.competitions_to_refit():
        if is_current(competition):
            current.append(competition.name)
            continue
        try:
            report = predictions.fit_ratings(competition)
        except Exception:  # noqa: BLE001 - a scheduled job survives one competition's bad data
            logger.exception("ratings: refitting %s failed", competition)
            failed.append(competition.name)
            continue
        logger.info("ratings: %s refitted (%s, %s), %d upcoming matches predicted", competition,
                    report.dixon_coles, report.elo, report.predictions)
        done.append(f"{competition.name} ({report.predictions} {'match' if report.predictions == 1 else 'matches'})")
    if not done and not failed and not current:
        return "no competition has upcoming matches to predict"
    summary = f"refitted {len(done)} {'competition' if len(done) == 1 else 'competitions'}: {', '.join(done) or 'none'}"
    if current:
        summary += f"; up to date (no new result or fixture): {', '.join(current)}"
    return summary + (f"; failed: {', '.join(failed)}" if failed else "")


def is_current(competition) -> bool:
    """Nothing to refit for: the latest Dixon-Coles version saw the latest result, and every
    upcoming match already has its prediction (so a quiet day adds no version)."""
    from markets.models import Prediction, RatingModel
    from matches.models import Match

    latest = RatingModel.latest(competition, RatingModel.Kind.DIXON_COLES)
    if latest is None or latest.trained_through is None:
        return False
    matches = Match.objects.filter(competition=competition)
    newer_result = matches.filter(status=Match.Status.FINISHED, kickoff__gt=latest.trained_through).exists()
    unpredicted = matches.filter(status=Match.Status.SCHEDULED).exclude(
        pk__in=Prediction.objects.filter(model=latest).values("match_id")).exists()
    return not newer_result and not unpredicted
