"""Run every benchmark module in bench/ and print its figures: `make bench` or `.venv/bin/python bench/run.py`.

A benchmark module defines ``benchmarks(data) -> [(name, what, target_seconds, run)]``;
``run()`` does one repetition on an empty database and returns {figure: seconds}, one
of them ``total`` (checked against the target; a target may instead be {figure: seconds},
each checked). Each repetition gets a fresh database:

- SQLite (default): a temporary file, migrated once and copied before each repetition;
- PostgreSQL (``--postgres URL``, or DATABASE_URL set to one): a scratch database
  ``quantfoot_bench`` on that server, migrated once, its app tables truncated before
  each repetition and dropped at the end.

Data come from QUANTFOOT_DATA (default ../shared/data beside the repository); without
them the run says so and exits 0.

``--live [SCENARIOS]`` runs the live fan-out benchmark (bench/live.py) instead: QuantFoot on
daphne against a Starlette + Redis peer; it needs Redis and skips without it.
"""

import argparse
import importlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

REPO = Path(__file__).resolve().parent.parent
sys.path[0] = str(REPO)  # import the project (and bench.*), not bench/ modules by bare name
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quantfoot.settings")
# A scratch DATABASE_URL is production shape, which refuses to start without a SECRET_KEY.
os.environ.setdefault("SECRET_KEY", "bench-only-throwaway-key-not-secret-0123456789abcdefghij")
from bench import live  # noqa: E402  (stdlib only at import time)

SCRATCH_DB = "quantfoot_bench"
APP_TABLE_PREFIXES = ("matches_", "players_", "markets_", "fantasy_", "ingestion_")


class SQLiteScratch:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="quantfoot-bench-"))
        self.path, self.template = self.folder / "bench.sqlite3", self.folder / "migrated.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{self.path}"

    def migrate(self):
        from django.core.management import call_command
        from django.db import connection
        call_command("migrate", verbosity=0, interactive=False)
        connection.close()
        shutil.copyfile(self.path, self.template)

    def reset(self):
        from django.db import connection
        connection.close()
        shutil.copyfile(self.template, self.path)

    def drop(self):
        shutil.rmtree(self.folder, ignore_errors=True)


class PostgresScratch:
    def __init__(self, url: str):
        parts = urlsplit(url)
        self.server = urlunsplit(parts._replace(scheme="postgresql"))  # libpq spelling
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{SCRATCH_DB}"))

    def _admin(self, sql: str):
        import psycopg
        with psycopg.connect(self.server, autocommit=True) as conn:
            conn.execute(sql)

    def migrate(self):
        from django.core.management import call_command
        self._admin(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")
        self._admin(f"CREATE DATABASE {SCRATCH_DB}")
        call_command("migrate", verbosity=0, interactive=False)

    def reset(self):
        from django.db import connection
        tables = [name for name in connection.introspection.table_names() if name.startswith(APP_TABLE_PREFIXES)]
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(map(connection.ops.quote_name, tables))} RESTART IDENTITY CASCADE")

    def drop(self):
        from django.db import connections
        connections.close_all()
        self._admin(f"DROP DATABASE IF EXISTS {SCRATCH_DB} WITH (FORCE)")


def machine() -> str:
    import django
    from django.db import connection
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    with connection.cursor() as cursor:
        def one(sql):
            cursor.execute(sql)
            return cursor.fetchone()[0]
        if connection.vendor == "sqlite":  # both weigh on imports that commit once per match
            version = (f"{one('SELECT sqlite_version()')} (journal_mode={one('PRAGMA journal_mode')}, "
                       f"synchronous={one('PRAGMA synchronous')})")
        else:
            version = one("SHOW server_version")
    return (f"CPU {cpu}, {os.cpu_count()} cores | Python {platform.python_version()} | Django {django.get_version()} "
            f"| {connection.display_name} {version}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, metavar="N", help="repetitions per benchmark (default 5)")
    parser.add_argument("--postgres", nargs="?", const=os.environ.get("DATABASE_URL", ""), metavar="URL",
                        help="benchmark on PostgreSQL (default URL: DATABASE_URL)")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="run only this benchmark (e.g. match_page_render); repeatable")
    live.add_arguments(parser)
    args = parser.parse_args()
    if args.live is not None:
        return live.main(args)
    url = args.postgres if args.postgres is not None else os.environ.get("DATABASE_URL", "")
    if args.postgres is not None and not url.startswith(("postgres:", "postgresql:", "pgsql:")):
        parser.error("--postgres needs a postgres:// URL (argument or DATABASE_URL)")
    scratch = PostgresScratch(url) if url.startswith(("postgres:", "postgresql:", "pgsql:")) else SQLiteScratch()

    import django
    django.setup()
    from django.conf import settings
    data = Path(settings.QUANTFOOT_DATA)
    if not data.is_dir():
        print(f"skipped: no data folder at {data} (set QUANTFOOT_DATA or put the shared data beside the repository)")
        scratch.drop()
        return 0

    skip = {"run", "__init__", "peer"}  # peer.py is the live benchmark's server, not a benchmark
    modules = sorted(path.stem for path in Path(__file__).parent.glob("*.py") if path.stem not in skip)
    benches = []
    for name in modules:
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "benchmarks"):
            benches += module.benchmarks(data)
    if args.only:
        unknown = set(args.only) - {name for name, *_ in benches}
        if unknown:
            parser.error(f"no benchmark named {', '.join(sorted(unknown))} (have: {', '.join(n for n, *_ in benches)})")
        benches = [bench for bench in benches if bench[0] in args.only]
    if not benches:
        print(f"skipped: none of the benchmarks' inputs are under {data}")
        scratch.drop()
        return 0
    try:
        scratch.migrate()
        print(machine())
        print(f"data {data} | {args.repeat} repetitions, each on an empty database\n")
        results = {name: {} for name, *_ in benches}
        for _ in range(args.repeat):  # benchmarks interleaved, so a noisy moment does not hit one alone
            for name, _what, _target, run in benches:
                scratch.reset()
                for figure, seconds in run().items():
                    results[name].setdefault(figure, []).append(seconds)
    finally:
        scratch.drop()

    width = max(len(name) for name in results) + 2
    print(f"{'benchmark':<{width}}{'figure':<10}{'median':>9}{'min':>9}{'max':>9}")
    for name, what, _target, _run in benches:
        print(f"{name:<{width}}{what}")
        for figure, values in results[name].items():
            print(f"{'':<{width}}{figure:<10}" + "".join(f"{value:>8.3f}s" for value in
                                                        (statistics.median(values), min(values), max(values))))
    print()
    for name, _what, target, _run in benches:
        for figure, limit in (target if isinstance(target, dict) else {"total": target}).items():
            median = statistics.median(results[name][figure])
            label = name if figure == "total" else f"{name} {figure}"
            print(f"{label} median={median:.2f}s target<{limit:g}s {'OK' if median < limit else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
