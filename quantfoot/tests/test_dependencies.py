"""DESIGN.md §2: dependencies point one way, ingestion -> trading, fantasy -> markets -> players -> matches;
accounts may point at any domain app and none points at accounts; quantfoot composes them all (urls, API)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each app and the apps it may import (besides itself and quantfoot's shared helpers).
MAY_IMPORT = {
    "matches": set(),
    "players": {"matches"},
    "markets": {"players", "matches"},
    "fantasy": {"markets", "players", "matches"},
    "trading": {"markets", "players", "matches"},
    "ingestion": {"trading", "fantasy", "markets", "players", "matches"},
    "accounts": {"ingestion", "trading", "fantasy", "markets", "players", "matches"},
}
# The one documented exception: a recorded event names players, and the live writer and the replay
# resolve them to our rows (players.identity) — matches' page code never draws a players/ region itself.
EXCEPTIONS = {("matches/services.py", "players"), ("matches/replay.py", "players")}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
    return found


def test_every_app_imports_only_the_apps_below_it():
    upward = []
    for app, allowed in MAY_IMPORT.items():
        for path in (ROOT / app).rglob("*.py"):
            if {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                continue
            name = path.relative_to(ROOT).as_posix()
            for module in imports(path) & (set(MAY_IMPORT) - allowed - {app}):
                if (name, module) not in EXCEPTIONS:
                    upward.append(f"{name} imports {module}")
    assert upward == [], "imports against DESIGN.md §2's direction:\n" + "\n".join(sorted(upward))
