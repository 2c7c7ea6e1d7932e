"""Who sees a row with an optional owner (backtests, strategies, optimizations): the site's rows are
everybody's, a user's are his own; another user's are not found."""

from django.db.models import Q


def owned_by_site_or(user) -> Q:
    if user is not None and user.is_authenticated:
        return Q(owner__isnull=True) | Q(owner=user)
    return Q(owner__isnull=True)
