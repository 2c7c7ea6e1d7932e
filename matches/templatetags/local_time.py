"""One way to show a date or a time anywhere on the site: ``{% local_time match.kickoff "datetime" %}``.

The server writes ``<time datetime="<UTC ISO>" data-local="<format>">`` with the text in the site's
zone (settings.TIME_ZONE) and that zone's name, so a page read without JavaScript still says which
clock it means; static/js/local_time.js rewrites the text in the reader's own zone.

Formats: "datetime" (Sat 12 Jun 2021, 04:00 JST), "day" (Sat 12 Jun 2021), "date" (12 Jun 2021),
"time" (04:00 JST). The year is left out only for dates within about six months of today, so last
season's and older dates always carry it. A plain ``date`` (no time, no zone) is shown as it is:
there is nothing to convert.

``text=`` keeps a server text of the caller's (the team and player tables show the very cells their
CSV files hold: "2021-06-11", "20:00"); the browser still rewrites it in the reader's zone.
"""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

FORMATS = ("datetime", "day", "date", "time")
# The same window as static/js/local_time.js: within it the year goes without saying.
RECENT = dt.timedelta(days=183)
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def zone_name(moment: dt.datetime) -> str:
    """The zone's short name at that moment (BST, CET, UTC); an offset when the zone has no name."""
    name = moment.tzname() or ""
    if name and name[0] in "+-":  # zoneinfo spells unnamed zones "+09": say "UTC+09" instead
        name = f"UTC{name}"
    return name or moment.strftime("UTC%z")


def show_year(day: dt.date, today: dt.date) -> bool:
    return abs(day - today) > RECENT


def date_text(day: dt.date, today: dt.date, weekday: bool = False) -> str:
    text = f"{day.day} {MONTHS[day.month - 1]}"
    if show_year(day, today):
        text += f" {day.year}"
    return f"{WEEKDAYS[day.weekday()]} {text}" if weekday else text


def local_text(value: dt.datetime, fmt: str, now: dt.datetime | None = None) -> str:
    """The server-side text of ``value`` in the site's zone, e.g. "Fri 11 Jun 2021, 20:00 BST"."""
    local = timezone.localtime(value)
    today = timezone.localtime(now or timezone.now()).date()
    clock = f"{local:%H:%M} {zone_name(local)}"
    if fmt == "time":
        return clock
    if fmt == "date":
        return date_text(local.date(), today)
    if fmt == "day":
        return date_text(local.date(), today, weekday=True)
    return f"{date_text(local.date(), today, weekday=True)}, {clock}"


@register.simple_tag
def local_time(value, fmt: str = "datetime", text: str | None = None):
    """``<time>`` for a datetime (converted in the browser) or a date (shown as it is); "" for None."""
    if fmt not in FORMATS:
        raise template.TemplateSyntaxError(f"local_time: format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):  # stored times are UTC (USE_TZ); a naive one is read as UTC
            value = value.replace(tzinfo=dt.UTC)
        utc = value.astimezone(dt.UTC).replace(microsecond=0)
        return format_html('<time datetime="{}" data-local="{}">{}</time>',
                           utc.isoformat().replace("+00:00", "Z"), fmt, local_text(value, fmt) if text is None else text)
    if isinstance(value, dt.date):
        today = timezone.localdate()
        return format_html('<time datetime="{}">{}</time>', value.isoformat(),
                           date_text(value, today, weekday=fmt == "day"))
    raise template.TemplateSyntaxError(f"local_time: expected a date or a datetime, got {type(value).__name__}")
