"""Peak memory of an import of a damaged 50 MB football-data.co.uk file (issue 17: under 200 MB).

The file: E0 2023/24's header and first match repeated until it is 50 MB (about 114,000 rows), so
it is refused at line 3 (the same match as line 2). Each run is a fresh ``manage.py
import_football_data`` process; its peak resident set (``wait4``'s ``ru_maxrss``) is printed beside
that of ``manage.py check`` in the same environment: the interpreter, Django and the project's
imports, which every command pays whatever its file.

Figures: ``seconds`` (the refused import's wall time), ``total`` = ``seconds``. A peak of 200 MB or
more, or an import that is not refused at line 3, exits non-zero.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

REPO = Path(__file__).resolve().parent.parent
SIZE = 50 * 1024 * 1024
TARGET_MB = 200


def benchmarks(data: Path) -> list[tuple[str, str, object, object]]:
    source = data / "football-data" / "E0" / "2324.csv"
    if not source.exists():
        print(f"skipped import_memory: {source} not found")
        return []
    return [("import_memory", "peak memory, a refused 50 MB football-data file (prints MB)", {"total": 30.0},
             lambda: measure(source))]


def run_manage(*args: str, folder: str) -> tuple[float, float, int, str]:
    """(peak RSS in MB, seconds, exit code, stderr) of one fresh ``manage.py`` process (its own wait4 usage)."""
    log = Path(folder) / "stderr.txt"
    started = perf_counter()
    with open(log, "w") as err:
        process = subprocess.Popen([sys.executable, "manage.py", *args], cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
    seconds = perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return usage.ru_maxrss / 1024, seconds, process.returncode, log.read_text()


def measure(source: Path) -> dict[str, float]:
    lines = source.read_text(encoding="latin-1").splitlines()
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "2324.csv"
        with open(big, "w", encoding="latin-1") as handle:
            handle.write(lines[0] + "\n")
            rows = 0
            while handle.tell() < SIZE:
                handle.write(lines[1] + "\n")
                rows += 1
        baseline, _, _, _ = run_manage("check", folder=folder)
        peak, seconds, code, err = run_manage("import_football_data", str(big), folder=folder)
    if code == 0 or "line 3: the same match as line 2" not in err:
        raise SystemExit(f"import_memory: the damaged file was not refused at line 3:\n{err[-2000:]}")
    print(f"import_memory: {SIZE / 2**20:.0f} MB, {rows:,} rows, refused at line 3 in {seconds:.2f} s; peak "
          f"{peak:.0f} MB (manage.py check alone: {baseline:.0f} MB) -> {'OK' if peak < TARGET_MB else 'MISSED'} "
          f"(target < {TARGET_MB} MB)")
    if peak >= TARGET_MB:
        raise SystemExit(f"import_memory: peak {peak:.0f} MB, target < {TARGET_MB} MB")
    return {"seconds": seconds, "total": seconds}
