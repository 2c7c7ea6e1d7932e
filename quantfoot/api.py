"""The public JSON API, /api/v1/: one NinjaAPI, one router per domain app, one way in.

Every operation goes through ``accounts.api_access.ApiKeyAuth`` (a key in X-Auth-Token, or the
anonymous quota per client address); every answer it gives, an error too, carries the quota
headers (``QuantFootAPI.create_response``). Errors are JSON ``{"error": ...}`` like the rest of
/api/, naming the parameter when one is at fault. The schema (/api/v1/openapi.json) and Swagger
UI (/api/v1/docs, served from ninja's own static files) are free of quota.

The routers live in their apps (matches/api_v1.py, players/api_v1.py, markets/api_v1.py) and are
added here, so that matches/ never imports markets/.
"""

from __future__ import annotations

from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import ValidationError

from accounts.api_access import ApiKeyAuth
from accounts.api_keys import InvalidApiKey
from accounts.quotas import QuotaExceeded
from quantfoot.errors import database_unavailable
from quantfoot.params import SHOWN, BadRequestParameter

DESCRIPTION = """Football data from QuantFoot: competitions, standings, matches with their events,
lineups, xG, odds and predictions, teams, players with season statistics and market values, value bets.

Send your key in the `X-Auth-Token` header (create one under /accounts/keys/); without a key a small
quota per client address applies. Every answer carries `X-Requests-Available-Minute`,
`X-Requests-Available-Day` and `X-RequestCounter-Reset` (seconds until the minute window resets);
past a quota the answer is 429 with `Retry-After`. Times are ISO 8601 in UTC, days are UTC days,
unknown values are `null`, lists take `limit` and `offset` and say `count`."""


class QuantFootAPI(NinjaAPI):
    def create_response(self, request: HttpRequest, data, *, status=None, temporal_response=None) -> HttpResponse:
        response = super().create_response(request, data, status=status, temporal_response=temporal_response)
        usage = getattr(request, "api_usage", None)
        if usage is not None:
            for name, value in usage.headers().items():
                response[name] = value
        return response


api = QuantFootAPI(
    title="QuantFoot API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=ApiKeyAuth(),
    # Swagger UI from ninja's own static files ("ninja" in INSTALLED_APPS; without it ninja links a CDN),
    # and no badge fetched from the public validator.
    docs=Swagger(settings={"validatorUrl": None}),
)


@api.exception_handler(BadRequestParameter)
def _bad_parameter(request, exc: BadRequestParameter):
    return api.create_response(request, exc.as_json(), status=400)


@api.exception_handler(ValidationError)
def _invalid(request, exc: ValidationError):
    """Pydantic's errors, led by one sentence naming the first parameter at fault."""
    first = exc.errors[0] if exc.errors else {}
    location = [str(part) for part in first.get("loc", ())]
    name = location[-1] if location else ""
    source = location[:1]
    if source == ["query"]:
        value = request.GET.get(name)
    elif source == ["path"] and request.resolver_match:
        value = str(request.resolver_match.kwargs.get(name, "")) or None
    else:
        value = None
    shown = "" if value is None else f" {value[:SHOWN]!r}"
    reason = first.get("msg", "")
    body = {"error": f"{name}:{shown} is not valid" + (f" ({reason[:1].lower()}{reason[1:]})" if reason else ""),
            "parameter": name or None,
            "value": value, "errors": exc.errors}
    return api.create_response(request, body, status=422)


@api.exception_handler(Http404)
def _not_found(request, exc: Http404):
    message = exc.args[0] if exc.args and isinstance(exc.args[0], str) else "not found"
    return api.create_response(request, {"error": message}, status=404)


@api.exception_handler(InvalidApiKey)
def _invalid_key(request, exc: InvalidApiKey):
    return api.create_response(request, {"error": str(exc)}, status=401)


@api.exception_handler(QuotaExceeded)
def _quota_exceeded(request, exc: QuotaExceeded):
    return api.create_response(request, {"error": str(exc)}, status=429)


@api.exception_handler(OperationalError)
@api.exception_handler(InterfaceError)
def _database_unavailable(request, exc):
    """The same answer as the rest of /api/ (quantfoot.errors), in DEBUG too, where ninja would print a traceback."""
    return database_unavailable(request)


def _add_routers() -> None:
    from markets.api_v1 import router as markets_router
    from matches.api_v1 import router as matches_router
    from players.api_v1 import router as players_router

    api.add_router("", matches_router)
    api.add_router("", players_router)
    api.add_router("", markets_router)


_add_routers()
