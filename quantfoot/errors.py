"""The site's error answers: branded 400, 404 and 500 pages, JSON ``{"error": ...}`` under /api/.

``BadRequestParameterMiddleware`` turns a ``quantfoot.params.BadRequestParameter`` raised by a view into
the 400 page naming the parameter, in DEBUG too (a bad link is the visitor's business, not a
traceback), and a database that cannot be reached into a 503 (JSON under /api/, with
Retry-After), in DEBUG too: an API client must get JSON whatever broke.
``handler400``/``handler404``/``handler500`` (quantfoot/urls.py) draw the rest.
"""

import logging

from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader

from quantfoot.params import BadRequestParameter

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"


def _wants_json(request) -> bool:
    return request.path.startswith(API_PREFIX)


def _message(exception, default: str) -> str:
    """What the view said (``raise Http404("No such match.")``), or ``default``.

    Django's own 404s (no URL matched) carry a dict or a resolver message: not for visitors.
    """
    if isinstance(exception, BadRequestParameter):
        return exception.message
    if exception is not None and exception.args and isinstance(exception.args[0], str):
        return exception.args[0]
    return default


def bad_request(request, exception=None):
    message = _message(exception if isinstance(exception, BadRequest) else None, "The request could not be read.")
    if _wants_json(request):
        body = exception.as_json() if isinstance(exception, BadRequestParameter) else {"error": message}
        return JsonResponse(body, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def page_not_found(request, exception=None):
    message = _message(exception if isinstance(exception, Http404) else None, "")
    if _wants_json(request):
        return JsonResponse({"error": message or "not found"}, status=404)
    return render(request, "404.html", {"message": message, "path": request.path}, status=404)


def server_error(request):
    """No database, no context processors: the page must draw whatever broke."""
    if _wants_json(request):
        return JsonResponse({"error": "server error"}, status=500)
    return HttpResponse(loader.get_template("500.html").render({}), status=500)


class BadRequestParameterMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, BadRequestParameter):
            logger.info("400 %s %s", request.path, exception.message)
            return bad_request(request, exception)
        if isinstance(exception, (OperationalError, InterfaceError)):
            logger.error("503 %s: the database is unavailable (%s)", request.path, exception)
            return database_unavailable(request)
        return None


def database_unavailable(request):
    if _wants_json(request):
        response = JsonResponse({"error": "the database is unavailable: try again shortly"}, status=503)
    else:
        response = HttpResponse(loader.get_template("500.html").render({}), status=503)
    response["Retry-After"] = "30"
    return response
