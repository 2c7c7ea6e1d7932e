"""CSV downloads: every page's table leaves the site the same way."""

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from django.http import HttpResponse

# A spreadsheet reads a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|...,
# -2+3, @SUM(...)); tab and carriage return start one too in some of them (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number with a sign (-3, -0.25, +1.5e3, -12%) opens as that number: left as it is.
SIGNED_NUMBER = re.compile(r"[+-](\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?")


def spreadsheet_safe(value):
    """The cell as a spreadsheet should show it: text that would start a formula gets a leading quote.

    Numbers (int, float, Decimal) and text that is just a signed number stay numeric; any other
    text starting with = + - @ tab or CR is prefixed with ' (OWASP), so a team named
    =HYPERLINK("...") opens as that text, not as a live link.
    """
    if value is None or isinstance(value, (int, float, Decimal, date)):
        return value
    text = str(value)  # csv.writer would write str() of anything else (a team, a lazy string)
    if not text.startswith(FORMULA_STARTS) or SIGNED_NUMBER.fullmatch(text):
        return text
    return "'" + text


def csv_response(filename: str, header: Sequence | None, rows: Iterable[Sequence]) -> HttpResponse:
    """``header`` (unless None: the rows carry their own) and ``rows`` as an attachment named ``filename``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte-order mark: spreadsheets then read the file as UTF-8 (München, Çalhanoğlu)
    writer = csv.writer(response)
    if header is not None:
        writer.writerow([spreadsheet_safe(cell) for cell in header])
    writer.writerows([spreadsheet_safe(cell) for cell in row] for row in rows)
    return response
