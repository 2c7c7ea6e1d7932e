"""Reading import inputs from a local path or from the publisher's public URL."""

from __future__ import annotations

from pathlib import Path

import httpx

from matches.records import RecordError

DOWNLOAD_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def is_url(location: str) -> bool:
    return location.startswith(("http://", "https://"))


def read_bytes(location: str) -> bytes:
    """The raw content of a file or URL (parsers decode it); a missing file or failed download names it."""
    if is_url(location):
        try:
            response = httpx.get(location, timeout=DOWNLOAD_TIMEOUT, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise RecordError(location, f"download failed: {exc}") from exc
        return response.content
    path = Path(location)
    if not path.is_file():
        raise RecordError(location, "no such file")
    return path.read_bytes()


def expand(locations: list[str], pattern: str) -> list[str]:
    """Files named on the command line, with folders expanded to their matching files, sorted."""
    found: list[str] = []
    for location in locations:
        path = Path(location)
        if not is_url(location) and path.is_dir():
            matched = sorted(str(p) for p in path.rglob(pattern))
            if not matched:
                raise RecordError(location, f"folder has no {pattern} files")
            found += matched
        else:
            found.append(location)
    return found
