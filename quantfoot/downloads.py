"""CSV downloads: every page's table leaves the site the same way."""

import csv
from collections.abc import Iterable, Sequence

from django.http import HttpResponse


def csv_response(filename: str, header: Sequence | None, rows: Iterable[Sequence]) -> HttpResponse:
    """``header`` (unless None: the rows carry their own) and ``rows`` as an attachment named ``filename``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a byte-order mark: spreadsheets then read the file as UTF-8 (München, Çalhanoğlu)
    writer = csv.writer(response)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return response
