"""A stand-in football data provider: a real HTTP server on 127.0.0.1 serving scripted replies.

In tests, through the ``fake_provider`` fixture::

    fake_provider.route("/fixtures", Reply(status=500), Reply(json={"response": []}))
    fake_provider.route("/fixtures", Reply(json=live), query={"live": "all"})
    fake_provider.route_file("/standings", shared_data("providers", ..., "standings.json"))

A route's replies are served in order and the last one repeats. Routes match on the path;
one with ``query`` also needs those parameters and wins over one without. Unknown paths
get a 404 JSON body. ``requests`` records every request (header names lower-cased).

As its own process (end-to-end tests, demos)::

    python -m ingestion.tests.fake_provider --port 8765 --routes routes.json

routes.json maps "/path" or "/path?key=value" to a list of replies
``{"status", "json" | "file" | "body", "headers", "delay"}``, files relative to routes.json.
The file is read again when its content changes (scripts start over), so a test can change
what the provider says mid-test; write it atomically (write a temporary file, then rename).
``GET /_fake/requests`` returns the recorded requests as JSON.

Standard library only, so it runs without Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlsplit

REQUESTS_PATH = "/_fake/requests"


@dataclass
class Reply:
    status: int = 200
    json: Any = None  # the body, encoded as JSON; no body when None
    body: bytes | None = None  # exact bytes instead (truncated or garbled JSON)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering, to provoke read timeouts
    file: Path | None = None  # a recorded response to serve instead

    def content(self) -> bytes:
        if self.body is not None:
            return self.body
        if self.file is not None:
            return Path(self.file).read_bytes()
        return b"" if self.json is None else json.dumps(self.json).encode()


class Request(NamedTuple):
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # names lower-cased


RouteKey = tuple[str, frozenset]  # path, required query items


@dataclass
class Script:
    replies: list[Reply]
    served: int = 0

    def next_reply(self) -> Reply:
        reply = self.replies[min(self.served, len(self.replies) - 1)]
        self.served += 1
        return reply


class FakeProvider:
    """The server, its routes and what it was asked; a context manager that runs it in a thread."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, routes_file: Path | str | None = None):
        self.routes: dict[RouteKey, Script] = {}
        self.requests: list[Request] = []
        self.routes_file = Path(routes_file) if routes_file else None
        self._routes_text: bytes | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.httpd = _Server((host, port), _handler_for(self))

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def route(self, path: str, *replies: Reply, query: dict[str, str] | None = None) -> None:
        """Serve ``replies`` in order at ``path`` (replacing any script there); the last repeats."""
        if not replies:
            raise ValueError("a route needs at least one reply")
        with self._lock:
            self.routes[(path, frozenset((query or {}).items()))] = Script(list(replies))

    def route_file(self, path: str, file_path: Path | str, *, query: dict[str, str] | None = None,
                   status: int = 200, headers: dict[str, str] | None = None) -> None:
        """Serve a recorded response file at ``path``."""
        self.route(path, Reply(status=status, file=Path(file_path), headers=headers or {}), query=query)

    def requests_to(self, path: str) -> list[Request]:
        return [request for request in self.requests if request.path == path]

    def start(self) -> FakeProvider:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="fake-provider", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FakeProvider:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def reply_for(self, path: str, query: dict[str, str]) -> Reply:
        """The next reply of the most specific route matching this request."""
        self._reload_routes_file()
        asked = frozenset(query.items())
        with self._lock:
            matching = [(len(required), script) for (route_path, required), script in self.routes.items()
                        if route_path == path and required <= asked]
            if not matching:
                return Reply(404, json={"message": f"fake provider: no route for {path}"})
            return max(matching, key=lambda match: match[0])[1].next_reply()

    def _reload_routes_file(self) -> None:
        if self.routes_file is None:
            return
        try:
            text = self.routes_file.read_bytes()
        except FileNotFoundError:
            return  # not written yet: no routes, every path is a 404
        if text == self._routes_text:
            return
        try:
            routes = load_routes(text, self.routes_file.parent)
        except (ValueError, KeyError, TypeError) as exc:
            print(f"fake provider: keeping the previous routes, {self.routes_file} is unusable: {exc}",
                  file=sys.stderr)
            return
        with self._lock:
            self.routes, self._routes_text = routes, text


def load_routes(text: bytes | str, base: Path) -> dict[RouteKey, Script]:
    """Read a routes.json text: {"/path?k=v": [{"status", "json"|"file"|"body", "headers", "delay"}]}."""
    routes = {}
    for target, replies in json.loads(text).items():
        parts = urlsplit(target)
        replies = replies if isinstance(replies, list) else [replies]
        routes[(parts.path, frozenset(parse_qsl(parts.query)))] = Script([
            Reply(status=reply.get("status", 200), json=reply.get("json"),
                  body=reply["body"].encode() if "body" in reply else None,
                  file=base / reply["file"] if "file" in reply else None,
                  headers=reply.get("headers", {}), delay=reply.get("delay", 0.0))
            for reply in replies
        ])
    return routes


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a reply still sleeping out its delay must not hold up stop()

    def handle_error(self, request, client_address):
        if isinstance(sys.exc_info()[1], ConnectionError):
            return  # the client gave up (a read timeout under test): expected
        super().handle_error(request, client_address)


def _handler_for(provider: FakeProvider) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            parts = urlsplit(self.path)
            query = dict(parse_qsl(parts.query))
            if parts.path == REQUESTS_PATH:
                self._answer(Reply(json=[request._asdict() for request in provider.requests]))
                return
            provider.requests.append(Request("GET", parts.path, query,
                                             {name.lower(): value for name, value in self.headers.items()}))
            reply = provider.reply_for(parts.path, query)
            if reply.delay:
                time.sleep(reply.delay)
            self._answer(reply)

        def _answer(self, reply: Reply) -> None:
            has_body = reply.status not in (204, 304)
            body = reply.content() if has_body else b""
            self.send_response(reply.status)
            for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                self.send_header(name, str(value))
            if has_body:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):
            pass  # tests read server.requests, not a log

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve scripted football data provider replies.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port (printed on start)")
    parser.add_argument("--routes", type=Path, help="routes.json, read again whenever it changes")
    args = parser.parse_args(argv)
    provider = FakeProvider(args.host, args.port, routes_file=args.routes)
    print(f"fake provider listening on {provider.url}", flush=True)
    try:
        provider.httpd.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass
    finally:
        provider.httpd.server_close()


if __name__ == "__main__":
    main()
