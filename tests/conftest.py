"""Test isolation: no network, no real home directory, a fixed 'today'."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "journal.md"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite tests/golden/ from current output"
    )


_real_connect = socket.socket.connect


def _guarded_connect(self: socket.socket, address: object) -> None:
    host = address[0] if isinstance(address, tuple) else None
    if isinstance(host, str):
        try:
            allowed = ipaddress.ip_address(host).is_loopback
        except ValueError:
            allowed = host == "localhost"
        if not allowed:
            raise RuntimeError(f"test tried to reach the network: {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _isolated(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point HOME and every XDG directory at a temp dir, clear the product's variables, and make
    any connection off the loopback interface fail loudly."""
    home = tmp_path_factory.mktemp("home")
    for name in list(__import__("os").environ):
        if name.startswith(("REVIEWER_", "OPENAI_")) or name == "NO_COLOR":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    for kind, sub in (
        ("CONFIG", ".config"),
        ("CACHE", ".cache"),
        ("DATA", ".local/share"),
        ("STATE", ".local/state"),
    ):
        monkeypatch.setenv(f"XDG_{kind}_HOME", str(home / sub))
    # The fixture journals live in this project's own repository (or a tarball, or a shallow
    # CI clone): their git history is no part of what other tests check. The tests of history
    # (test_git_history.py) turn it on in repositories they build.
    monkeypatch.setenv("REVIEWER_HISTORY", "off")
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)
    from reviewer.llm.prompts import use_user_templates

    use_user_templates(None)  # a run's own prompt templates are process state: start clean
    yield home
    use_user_templates(None)


@pytest.fixture
def journal_text() -> str:
    return FIXTURE.read_text(encoding="utf-8")
