"""A signed-in user's paper portfolios, live on his open pages through his own stream (/ws/me/).

trading tells ``push`` after it places or settles paper bets (``trading.paper.portfolio_listeners``,
registered in AccountsConfig.ready(), so trading never imports accounts); the fragment replaces the
portfolio's live block (``id="portfolio-<pk>"``) wherever its owner has it open. Site portfolios
(no owner) are drawn by their page alone. The stream also catches up by fingerprint
(``trading.paper.portfolio_version``) for writers whose layer cannot reach it.
"""

from __future__ import annotations

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.template.loader import render_to_string

from accounts.alerts import user_group
from trading.models import PaperPortfolio
from trading.paper import portfolio_summary

logger = logging.getLogger(__name__)
FRAGMENT = "trading/partials/portfolio_live.html"


def render(portfolio: PaperPortfolio) -> str:
    return render_to_string(FRAGMENT, {"portfolio": portfolio, "summary": portfolio_summary(portfolio), "oob": True})


def push(portfolio_ids: list[int]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for portfolio in PaperPortfolio.objects.filter(pk__in=portfolio_ids, owner__isnull=False):
        message = {"type": "portfolio.message", "html": render(portfolio)}
        try:
            async_to_sync(layer.group_send)(user_group(portfolio.owner_id), message)
        except Exception:  # stored: the stream's catch-up brings it
            logger.warning("portfolio %s not pushed", portfolio.pk, exc_info=True)


def owned(user_id: int) -> list[int]:
    return list(PaperPortfolio.objects.filter(owner_id=user_id).values_list("pk", flat=True))


def changed_since(user_id: int, seen: dict[int, tuple]) -> tuple[list[str], dict[int, tuple]]:
    """Fragments of the user's portfolios whose bets changed since ``seen``, and the new fingerprints."""
    from trading.paper import portfolio_version

    versions = portfolio_version(owned(user_id))
    changed = [pk for pk, version in versions.items() if seen.get(pk) != version]
    html = [render(portfolio) for portfolio in PaperPortfolio.objects.filter(pk__in=changed)] if seen else []
    return html, versions
