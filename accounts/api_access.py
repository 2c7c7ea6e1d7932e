"""Who may call /api/v1/ and how much: the one door every API request goes through.

``ApiKeyAuth`` is django-ninja's auth for the whole API. With an ``X-Auth-Token`` header it checks
the key (``accounts.api_keys``) and charges the key's quotas; without one it charges the client
address's anonymous quota (``API_ANONYMOUS_PER_MINUTE``, ``API_ANONYMOUS_PER_DAY``). A bad or
revoked key is charged to the address too, so guessing keys is held to the anonymous quota.
The usage it leaves on the request becomes the quota headers of the answer (quantfoot/api.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from ninja.security import APIKeyHeader

from accounts import api_keys, quotas
from accounts.models import ApiKey
from quantfoot.proxies import request_client_address

HEADER = "X-Auth-Token"


@dataclass(frozen=True)
class ApiCaller:
    """The caller of one request: his key, or None for an anonymous client address."""

    key: ApiKey | None
    address: str
    usage: quotas.Usage


def _charge(request, name: str, per_minute: int, per_day: int) -> quotas.Usage:
    try:
        usage = quotas.charge(name, per_minute, per_day)
    except quotas.QuotaExceeded as exceeded:
        request.api_usage = exceeded.usage
        raise
    request.api_usage = usage
    return usage


class ApiKeyAuth(APIKeyHeader):
    """An API key in X-Auth-Token, or none (the anonymous quota). Never returns "not authenticated"."""

    param_name = HEADER

    def authenticate(self, request, key: str | None) -> ApiCaller:
        address = request_client_address(request) or "unknown"  # the real client behind TRUSTED_PROXIES
        if key:
            try:
                found = api_keys.verify(key)
            except api_keys.InvalidApiKey:
                self._charge_anonymous(request, address)
                raise
            usage = _charge(request, f"key:{found.pk}", found.per_minute, found.per_day)
            return ApiCaller(found, address, usage)
        return ApiCaller(None, address, self._charge_anonymous(request, address))

    @staticmethod
    def _charge_anonymous(request, address: str) -> quotas.Usage:
        return _charge(request, f"addr:{address}", settings.API_ANONYMOUS_PER_MINUTE, settings.API_ANONYMOUS_PER_DAY)
