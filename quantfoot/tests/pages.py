"""Reading pages in tests: fetch one that must answer 200, and a fragment's visible text."""

import re
from html import unescape


def get(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return response.content.decode()


def text(fragment: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", fragment)).strip()
