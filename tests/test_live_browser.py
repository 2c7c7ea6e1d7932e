"""The live match page in a real browser, against real processes: daphne, a replay, a file database.

What only a browser proves (STYLE.md, Tests): the socket's fragments are swapped into the
page without a reload, the page says when the connection is lost, reconnects when the
server is back, and ends exactly as a freshly loaded page of the finished match.

Embedded mode (SQLite file, in-memory channel layer): the replay runs in its own process,
so daphne's feed learns of each change from its database repair loop (matches/fanout.py,
every 0.5 s), not from the channel layer. When Redis answers on 127.0.0.1:6379 the same
test runs again with the Redis channel layer (production's path: the replay's frames
reach daphne through Redis), on a Redis database of its own.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from conftest import CHROMIUM

pytestmark = [pytest.mark.browser, pytest.mark.realdata]

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STATSBOMB_ID = "3788741"  # Euro 2020, Turkey 0-3 Italy
SPEED = 90  # 95 match minutes in about a minute; 8.7 s between the goals
WAIT_SECONDS = 240  # a bound on the waits on a loaded machine, not a speed test (bench/ measures speed)
SCREENSHOT = Path("/tmp/e2e-final.png")
REGIONS = ("score", "events", "stats", "lineups", "shotmap", "values", "momentum", "ratings", "potm")
REDIS_URL = "redis://127.0.0.1:6379/11"

MOMENTUM_BARS = "document.querySelectorAll('#momentum .momentum__bar').length"
# A player's live rating from the ratings region (on the Stats tab; swapped in while hidden too).
RATING_OF = """name => Number([...document.querySelectorAll('#ratings .ratings__row')]
  .find(row => row.querySelector('.ratings__name').textContent.includes(name))?.dataset.rating)"""

# Installed in the page on load: every score it shows and the timeline's length when it changed.
# A reload would wipe window.e2e, so its survival proves the page was never reloaded.
WATCH_PAGE = """() => {
  const scoreText = () => {
    const el = document.querySelector('#score .score');
    return el ? el.textContent.trim().replace(/[\\u2013\\u2014-]/g, '-') : null;
  };
  const eventRows = () => document.querySelectorAll('#events li').length;
  window.e2e = {loadedAt: performance.timeOrigin, scores: [scoreText()], rows: [eventRows()]};
  new MutationObserver(() => {
    const score = scoreText(), rows = eventRows();
    if (score !== window.e2e.scores[window.e2e.scores.length - 1]) window.e2e.scores.push(score);
    if (rows !== window.e2e.rows[window.e2e.rows.length - 1]) window.e2e.rows.push(rows);
  }).observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


@pytest.mark.parametrize("mode", ["embedded", "redis"])
def test_the_live_page_follows_a_replay_through_a_server_restart(tmp_path, mode):
    statsbomb = needs_turkey_italy()
    if mode == "redis" and not redis_answers():
        pytest.skip("no Redis answering on 127.0.0.1:6379")
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + WAIT_SECONDS
    site = Site(tmp_path, redis_url=REDIS_URL if mode == "redis" else None)
    try:
        site.load_turkey_italy(statsbomb)
        site.manage("recompute_market_values", timeout=60)  # the players' values the goals will move
        match_id = site.match_id()
        site.start_web()
        replay = site.start("replay", "manage.py", "replay_match", f"statsbomb:{STATSBOMB_ID}",
                            "--speed", str(SPEED), "--start-delay", "3")
        # Open the page once the replay has emptied the match: a finished match's page opens no socket.
        until(lambda: site.api(match_id)["status"] in ("scheduled", "live"), deadline, "the replay to reset the match",
              site)
        url = f"{site.url}/matches/{match_id}/"

        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                page.goto(url, wait_until="load")
                page.evaluate(WATCH_PAGE)
                loaded_at = page.evaluate("window.e2e.loadedAt")
                wait_for(page, "document.querySelector('#connection').classList.contains('connection--open')",
                         deadline, "the socket to open")

                wait_for(page, "window.e2e.scores.includes('0-1')", deadline, "0-1 (53', Demiral own goal)")
                rows_at_first_goal = page.evaluate("window.e2e.rows[window.e2e.rows.length - 1]")
                bars_at_first_goal = page.evaluate(MOMENTUM_BARS)
                insigne_at_first_goal = page.evaluate(RATING_OF, "Insigne")

                # The server dies mid-match: the page says so, and comes back when the server does.
                site.stop_web(signal.SIGKILL)
                wait_for(page, "document.querySelector('#connection').classList.contains('connection--closed')",
                         deadline, "the connection-lost banner")
                assert "Connection lost" in page.inner_text("#connection")
                assert "0-3" not in page.evaluate("window.e2e.scores"), "0-3 came before the server was stopped"
                site.start_web()
                wait_for(page, "document.querySelector('#connection').classList.contains('connection--open')",
                         deadline, "the socket to reconnect")

                wait_for(page, "window.e2e.scores.includes('0-3')", deadline, "0-3 (79', Insigne)")
                # Momentum and ratings moved with the play, pushed like the score (no reload: see below).
                assert page.evaluate(MOMENTUM_BARS) > bars_at_first_goal
                assert page.evaluate(RATING_OF, "Insigne") > insigne_at_first_goal, "his goal raised his rating"
                wait_for(page, "[...document.querySelectorAll('#values tr')].some(row => "
                               "row.textContent.includes('Immobile') && row.querySelector('.value-up'))",
                         deadline, "Immobile's market value to rise with his goal")
                replay.wait(timeout=max(1, deadline - time.monotonic()))
                assert replay.returncode == 0, site.logs()
                wait_for(page, "document.querySelector('#status .badge--finished') !== null", deadline,
                         "the page to show full-time")
                page.wait_for_timeout(1500)  # a last repair round (0.5 s) and htmx's settle

                scores = page.evaluate("window.e2e.scores")
                assert [s for s in scores if s not in ("v", None)] == ["0-0", "0-1", "0-2", "0-3"], scores
                assert page.evaluate("window.e2e.loadedAt") == loaded_at
                assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
                rows = page.evaluate("window.e2e.rows")
                assert rows_at_first_goal < rows[-1] and rows == sorted(rows), rows

                live = regions(page)
                fresh_page = browser.new_page(viewport={"width": 1280, "height": 900})
                fresh_page.goto(url, wait_until="load")
                fresh_page.wait_for_timeout(300)  # match.js localises times after load
                fresh = regions(fresh_page)
                page.screenshot(path=str(SCREENSHOT if mode == "embedded" else SCREENSHOT.with_stem(
                    f"{SCREENSHOT.stem}-{mode}")), full_page=True)
                for region in REGIONS:
                    assert live[region] == fresh[region], f"#{region} differs from a freshly loaded page"
                assert "0–3" in live["score"] and "HT 0–0" in live["score"]
            finally:
                browser.close()
    finally:
        site.stop_all()


def needs_turkey_italy() -> Path:
    """The StatsBomb folder with Turkey v Italy; skips the test without it or without Chromium."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not found (apt-get install chromium)")
    statsbomb = Path(settings.QUANTFOOT_DATA, "statsbomb")
    if not (statsbomb / "events" / f"{STATSBOMB_ID}.json").exists():
        pytest.skip(f"real data not found at {statsbomb} (set QUANTFOOT_DATA or put ../shared/data beside the repo)")
    return statsbomb


def regions(page) -> dict[str, str]:
    return {region: page.inner_html(f"#{region}") for region in REGIONS}


def wait_for(page, expression: str, deadline: float, what: str) -> None:
    remaining_ms = max(100, (deadline - time.monotonic()) * 1000)
    try:
        # As a function: Playwright polls a bare expression with eval, which the page's CSP forbids.
        page.wait_for_function(f"() => ({expression})", timeout=remaining_ms, polling=100)
    except Exception as exc:
        state = page.evaluate("window.e2e || null")
        raise AssertionError(f"timed out waiting for {what}; page saw {state}") from exc


def until(check, deadline: float, what: str, site: Site) -> None:
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}\n{site.logs()}")


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Site:
    """The processes of one QuantFoot site on a temporary file database; all stopped by stop_all()."""

    def __init__(self, folder: Path, redis_url: str | None = None):
        self.folder = folder
        self.database = folder / "e2e.sqlite3"
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {key: value for key, value in os.environ.items()
                    if key not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
        # DATABASE_URL is production shape, which refuses to start without a SECRET_KEY of its own.
        self.env.update(DATABASE_URL=f"sqlite:///{self.database}", SERVE_STATIC="1", PYTHONUNBUFFERED="1",
                        SECRET_KEY="e2e-tests-only-throwaway-key-not-secret-0123456789abcdefghij")
        if redis_url:
            self.env["REDIS_URL"] = redis_url
        self.processes: dict[str, subprocess.Popen] = {}
        self.web_starts = 0

    def manage(self, *args: str, timeout: float) -> str:
        """Runs a management command to its end; what it printed."""
        result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True,
                                text=True, timeout=timeout)
        assert result.returncode == 0, f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def load_turkey_italy(self, statsbomb: Path) -> None:
        """A migrated database with Euro 2020 Turkey v Italy imported (its kick-off given: the files have none)."""
        self.manage("migrate", "--noinput", timeout=90)
        self.manage("import_statsbomb", str(statsbomb), "--match", STATSBOMB_ID, "--competition", "55",
                    "--season", "43", "--date", "2021-06-11", timeout=60)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = open(self.folder / f"{name}.log", "w")
        process = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=self.env, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.processes[name] = process
        return process

    def start_web(self, server: str = "daphne") -> None:
        """daphne (the server of record) or uvicorn (any other ASGI server: the standard send path)."""
        self.web_starts += 1
        if server == "daphne":
            command = ["-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port)]
        else:
            command = ["-m", "uvicorn", "--host", "127.0.0.1", "--port", str(self.port), "--ws", "websockets-sansio",
                       "--no-access-log"]
        self.web_name = f"{server}-{self.web_starts}"
        self.start(self.web_name, *command, "quantfoot.asgi:application")
        until(self.healthy, time.monotonic() + 30, f"{server} to answer /healthz", self)

    def stop_web(self, how: signal.Signals) -> None:
        process = self.processes[self.web_name]
        os.killpg(process.pid, how)
        process.wait(timeout=10)

    def healthy(self) -> bool:
        """daphne answers /healthz (its 503 says a part is down, here usually the absent task worker)."""
        return self.health() is not None

    def health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5) as response:
                return {"code": response.status, **json.load(response)}
        except urllib.error.HTTPError as answer:
            return {"code": answer.code, **json.load(answer)}

    def api(self, match_id: int) -> dict:
        with urllib.request.urlopen(f"{self.url}/api/matches/{match_id}/", timeout=5) as response:
            return json.load(response)

    def match_id(self) -> int:
        with sqlite3.connect(self.database) as connection:
            row = connection.execute("SELECT match_id FROM matches_matchexternalid WHERE source = 'statsbomb' "
                                     "AND external_id = ?", (STATSBOMB_ID,)).fetchone()
        assert row, "the import stored no Turkey v Italy"
        return row[0]

    def logs(self) -> str:
        return "\n".join(f"--- {path.name}\n{path.read_text()[-3000:]}" for path in sorted(self.folder.glob("*.log")))

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
