"""Shared by the hostile-input suite: run the CLI and assert it never reached the catch-all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner, Result

from reviewer.cli import app
from reviewer.errors import EXIT_SOFTWARE

runner = CliRunner()


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    """Invoke the CLI in-process; fail when it ended in the unforeseen-error path (70)."""
    result = runner.invoke(app, list(args), env=env)
    assert_clean(result.exit_code, result.stderr)
    return result


def run_process(
    *args: str, stdout: int | None = subprocess.PIPE, timeout: float = 60, **kwargs: object
) -> subprocess.CompletedProcess[str]:
    """Run `python -m reviewer` as a user would, with this test's environment."""
    done = subprocess.run(
        [sys.executable, "-m", "reviewer", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout,
        env=dict(os.environ),
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )
    assert_clean(done.returncode, done.stderr)
    return done


def assert_clean(code: int, stderr: str) -> None:
    """No traceback, no 'internal error', and one line at most when it failed."""
    assert code != EXIT_SOFTWARE, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr


def files_under(*roots: Path) -> list[Path]:
    """Every regular file under `roots`."""
    return [p for root in roots if root.exists() for p in root.rglob("*") if p.is_file()]
