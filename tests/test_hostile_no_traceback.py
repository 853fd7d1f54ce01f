"""The last line of defence: anything unforeseen is one line, a pointer to -v and exit 70;
the other hostile tests assert (through tests/hostile.py) that none of them gets here."""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

import reviewer.journal.source as source
from reviewer.cli import app
from reviewer.errors import EXIT_SOFTWARE

from .conftest import FIXTURE

KEY = "sk-never-shown-0123456789"


def _explode(*args: object, **kwargs: object) -> None:
    raise RuntimeError(f"boom with {KEY} inside\nand a second line")


def test_an_unforeseen_error_is_one_line_and_exit_70(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(source, "load_journal", _explode)
    result = CliRunner().invoke(app, ["week", "2020-02-24", "--offline", "-j", str(FIXTURE)])
    assert result.exit_code == EXIT_SOFTWARE
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "RuntimeError: boom" in result.stderr and "-v" in result.stderr
    assert KEY not in result.stderr


def test_with_verbose_the_traceback_is_shown_scrubbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setattr(source, "load_journal", _explode)
    result = CliRunner().invoke(app, ["week", "2020-02-24", "--offline", "-v", "-j", str(FIXTURE)])
    assert result.exit_code == EXIT_SOFTWARE
    assert "Traceback" in result.stderr and KEY not in result.stderr


def test_main_catches_what_escapes_the_commands(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cli_app = sys.modules["reviewer.cli.app"]  # the package re-exports `app`, the Typer
    monkeypatch.setattr(cli_app, "app", _explode)
    monkeypatch.setattr(cli_app, "_verbosity", 0)
    with pytest.raises(SystemExit) as caught:
        cli_app.main()
    assert caught.value.code == EXIT_SOFTWARE
    err = capsys.readouterr().err
    assert err.startswith("reviewer: internal error (RuntimeError") and err.count("\n") == 1
