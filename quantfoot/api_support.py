"""What every router of the public API (/api/v1/) shares: pagination, the error body, day bounds.

Each domain app's ``api_v1.py`` imports this; ``quantfoot/api.py`` puts the routers together.
"""

import datetime as dt
from typing import Annotated, Any, List

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import BeforeValidator

from quantfoot import params

MAX_LIMIT = 100

# Text the database keeps as "" when the source does not say: unknown, so null in the API.
OptionalText = Annotated[str | None, BeforeValidator(lambda value: value or None)]


class Pagination(LimitOffsetPagination):
    """``?limit=`` (1-100, default 50) and ``?offset=``; the answer says ``count`` (all matching rows)."""

    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT, description=f"Rows per answer, at most {MAX_LIMIT}.")
        offset: int = Field(0, ge=0, le=params.MAX_INT, description="Rows to skip.")

    class Output(Schema):
        count: int
        limit: int
        offset: int
        items: List[Any]

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **kwargs: Any) -> Any:
        offset, limit = pagination.offset, pagination.limit
        return {"count": self._items_count(queryset), "limit": limit, "offset": offset,
                "items": queryset[offset: offset + limit]}


def day_bounds(name: str, day: dt.date | None) -> dt.date | None:
    """``day`` inside the dates every page accepts (quantfoot.params), else a 400 naming ``name``."""
    if day is not None and not params.EARLIEST <= day <= params.LATEST:
        raise params.BadRequestParameter(
            name, day.isoformat(),
            f"a date (YYYY-MM-DD) from {params.EARLIEST.isoformat()} to {params.LATEST.isoformat()}")
    return day


def start_of(day: dt.date) -> dt.datetime:
    """Midnight UTC at the start of ``day``: the API's days are UTC days."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)
