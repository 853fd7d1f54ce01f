"""Golden digests of the fixture journal, offline. `make goldens` rewrites them; review the diff."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app

from .conftest import ROOT

GOLDEN = Path(__file__).parent / "golden"
WEEKS = ["2020-02-24", "2020-02-17", "2019-11-11"]
FORMATS = {"md": "md", "text": "txt", "json": "json", "html": "html"}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("week", WEEKS)
def test_golden_digest(
    week: str, fmt: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")
    result = CliRunner().invoke(
        app, ["week", week, "--journal", "fixtures/journal.md", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    path = GOLDEN / f"week-{week}.{FORMATS[fmt]}"
    if request.config.getoption("--update-goldens"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(result.stdout, encoding="utf-8")
    assert path.exists(), f"{path} missing: run `make goldens` and review the result"
    assert result.stdout == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_month(
    fmt: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")
    result = CliRunner().invoke(
        app, ["month", "2020-02", "--journal", "fixtures/journal.md", "--format", fmt]
    )
    assert result.exit_code == 0, result.output
    path = GOLDEN / f"month-2020-02.{FORMATS[fmt]}"
    if request.config.getoption("--update-goldens"):
        path.write_text(result.stdout, encoding="utf-8")
    assert result.stdout == path.read_text(encoding="utf-8")
