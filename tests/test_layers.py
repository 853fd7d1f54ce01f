"""The house's rooms import downwards only (STYLE.md: a lower room never imports a higher one).

The order is the one the code keeps: journal < facts < llm, render, history < delivery < review
< cli. llm, render and history (the journal's git history) are siblings (none imports another);
review archives through delivery, so delivery sits below it. The top-level modules (config,
models, errors, ...) are shared by every room and may import journal only; `__main__.py` is
the entry point above them all. Imports inside functions and under TYPE_CHECKING count too: a
lazy import still ties a lower room to a higher one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "reviewer"
RANK = {
    "journal": 0,
    "facts": 1,
    "llm": 2,
    "render": 2,
    "history": 2,
    "delivery": 3,
    "review": 4,
    "cli": 5,
}
TOP_LEVEL_MAY_IMPORT = {"journal"}


def imported_rooms(source: str) -> set[str]:
    """The `reviewer.<name>` first components a module's source imports."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module]
            if node.module == "reviewer":
                modules = [f"reviewer.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            if parts[0] == "reviewer" and len(parts) > 1:
                names.add(parts[1])
    return names


def violations(package: Path) -> list[str]:
    """Every import of a room from a room at the same or a lower rank (other than itself)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package)
        if relative.name == "__main__.py" and len(relative.parts) == 1:
            continue  # `python -m reviewer`: the entry point above every room
        room = relative.parts[0] if len(relative.parts) > 1 else None
        for target in sorted(imported_rooms(path.read_text(encoding="utf-8"))):
            if target == room or target not in RANK:
                continue  # its own room, or a top-level module (shared by all)
            if room is None:
                if target not in TOP_LEVEL_MAY_IMPORT:
                    found.append(f"{relative} imports reviewer.{target}")
            elif RANK[target] >= RANK[room]:
                found.append(f"{relative} imports reviewer.{target}")
    return found


def test_every_room_is_ranked() -> None:
    rooms = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert rooms == set(RANK)


def test_rooms_import_downwards_only() -> None:
    assert violations(PACKAGE) == []


@pytest.mark.parametrize(
    ("room", "source", "target"),
    [
        ("llm", "def f():\n    from reviewer.review.month import review_period\n", "review"),
        (
            "llm",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import reviewer.cli\n",
            "cli",
        ),
        ("render", "from reviewer.llm import base\n", "llm"),
        ("facts", "from reviewer import render\n", "render"),
    ],
)
def test_an_upward_import_is_found(tmp_path: Path, room: str, source: str, target: str) -> None:
    (tmp_path / room).mkdir()
    (tmp_path / room / "bad.py").write_text(source, encoding="utf-8")
    assert violations(tmp_path) == [f"{room}/bad.py imports reviewer.{target}"]
