"""Calendar edges: the ends of the calendar and year-long typo ranges are one line and an exit
code, in bounded time, never an overflow."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import pytest

from reviewer.facts.stats import journal_stats
from reviewer.journal.parse import parse_journal

from .conftest import FIXTURE
from .hostile import run


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")
    monkeypatch.setenv("REVIEWER_OFFLINE", "1")


@pytest.mark.parametrize(
    "args",
    [
        ("week", "9999-12-31"),
        ("week", "9999-W52"),
        ("week", "0001-W01"),
        ("week", "0001-01-01"),
        ("month", "9999-12"),
        ("month", "0001-01"),
        ("weeks", "--from", "9999-12-01"),
        ("questions", "--as-of", "9999-12-31"),
    ],
)
def test_the_ends_of_the_calendar_are_a_usage_error(args: tuple[str, ...]) -> None:
    started = time.monotonic()
    result = run(*args, "-j", str(FIXTURE))
    assert time.monotonic() - started < 10
    assert result.exit_code == 2, result.stderr
    assert "outside the supported calendar" in result.stderr or "--as-of" in result.stderr


@pytest.mark.parametrize("today", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize("command", [("week", "this"), ("month", "last"), ("stats",)])
def test_a_today_at_the_ends_of_the_calendar_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, today: str, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", today)
    result = run(*command, "-j", str(FIXTURE))
    assert result.exit_code == 78 and "REVIEWER_TODAY" in result.stderr


def test_the_last_supported_days_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2199-12-31")
    for command in (("week", "this"), ("month", "this"), ("stats",), ("week", "1800-01-01")):
        assert run(*command, "-j", str(FIXTURE)).exit_code == 0


def test_a_heading_at_the_end_of_time_is_repaired_by_the_order_or_flagged(
    tmp_path: Path,
) -> None:
    journal = parse_journal(
        "### 2020-02-25\n* b\n### 9999-02-24\n* slip\n### 2020-02-23\n* a\n", "j.md"
    )
    assert [e.start for e in journal.entries][1] == date(2020, 2, 24)
    path = tmp_path / "j.md"
    path.write_text("### 9999-12-31\n* far\n### 2020-02-24\n* a\n### 0001-01-01\n* b\n")
    started = time.monotonic()
    result = run("stats", "-j", str(path))
    assert time.monotonic() - started < 10
    # a bad heading never stops a command: its entry is left out, and the problem is said
    assert result.exit_code == 0 and "'9999-12-31' is not a valid date" in result.stderr


def test_a_range_longer_than_a_year_is_read_as_its_first_day() -> None:
    started = time.monotonic()
    journal = parse_journal("### 2020-02-24 ~ 2199-12-31\n* typo\n### 2020-02-20\n* b\n", "j")
    entry = journal.entries[0]
    assert (entry.start, entry.end) == (date(2020, 2, 24), date(2020, 2, 24))
    assert any(
        d.code == "long-range" and "read as 2020-02-24" in d.message for d in journal.diagnostics
    )
    stats = journal_stats(list(journal.entries), date(2020, 3, 1))
    assert stats.days_journaled == 2
    assert time.monotonic() - started < 2


def test_stats_over_the_whole_supported_span_stays_fast(tmp_path: Path) -> None:
    path = tmp_path / "j.md"
    path.write_text("### 2199-12-31\n* far\n### 2020-02-24\n* a\n### 1800-01-01\n* b\n")
    started = time.monotonic()
    result = run("stats", "--format", "json", "-j", str(path))
    assert result.exit_code == 0
    assert time.monotonic() - started < 10
