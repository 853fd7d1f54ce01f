"""The README's first digest is what reviewer prints for the README's example journal."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from reviewer.cli import app

from .conftest import ROOT


def test_the_readme_example_is_the_real_output(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = ROOT / "docs" / "example-journal.md"
    journal = re.search(r"```markdown\n(## 2026-11-25.*?)```", readme, re.S)
    assert journal is not None and journal.group(1) == example.read_text(encoding="utf-8")
    shown = re.search(r"```markdown\n(# 2026-W48.*?)```", readme, re.S)
    assert shown is not None
    monkeypatch.setenv("REVIEWER_TODAY", "2026-11-29")
    result = CliRunner().invoke(app, ["week", "2026-11-23", "-j", str(example), "--offline"])
    assert result.exit_code == 0, result.output
    printed = result.stdout.replace(f"_{example}", "_journal.md")
    assert printed == shown.group(1)
