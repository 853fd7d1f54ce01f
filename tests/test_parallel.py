"""Extraction on two cores (facts/parallel.py): a forked child extracts the later half of the
entries, and every way it can fail leaves the facts as one process finds them."""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.facts import extract, parallel
from reviewer.journal.parse import Entry, parse_journal

from .test_linear import _fresh, _journal

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="forks on Linux only")

ENTRIES = 200


@pytest.fixture
def entries(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Entry, ...]]:
    """A journal's entries, with enough of them to fork for and a second core to fork to."""
    monkeypatch.setattr(parallel, "MIN_ENTRIES", 50)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1})
    found = parse_journal(_journal(ENTRIES)).entries
    _fresh()
    yield found
    _fresh()


def _forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the children `parallel` forks (seen from this process)."""
    pids: list[int] = []
    real = os.fork

    def fork() -> int:
        pid = real()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(parallel.os, "fork", fork)
    return pids


def _reaped(pids: list[int]) -> bool:
    """Whether each child was waited for (its pid is no child of this process any more)."""
    for pid in pids:
        try:
            os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            continue
        return False
    return bool(pids)


def _serial(entries: tuple[Entry, ...]) -> list[tuple[str, extract.EntryFacts]]:
    _fresh()
    pairs = extract.facts_in_order(entries)
    _fresh()
    return pairs


def _extracted_here(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the entries this process extracts itself (a child's count stays in the child)."""
    here: list[int] = []
    real = extract._extract

    def counting(body: list[str]) -> extract.EntryFacts:
        if os.getpid() == pid:
            here.append(1)
        return real(body)

    pid = os.getpid()
    monkeypatch.setattr(extract, "_extract", counting)
    return here


def test_a_child_extracts_the_later_half_and_the_facts_are_those_of_one_process(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    here = _extracted_here(monkeypatch)
    forked = _forks(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert len(here) == ENTRIES // 2  # the other half came through the pipe
    assert extract.EXTRACTED == {"extracted": ENTRIES}  # counted as one process counts them
    assert len(forked) == 1 and _reaped(forked)


def test_only_the_entries_not_known_are_shared_out(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    extract.know(dict(expected[: ENTRIES // 2]))  # the first half kept by an earlier run
    here = _extracted_here(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert len(here) == ENTRIES // 4
    assert extract.EXTRACTED == {"known": ENTRIES // 2, "extracted": ENTRIES // 2}


def _exit_at_once(entries: object, write_end: int) -> None:
    os._exit(3)


def _send_garbage(entries: object, write_end: int) -> None:
    os.write(write_end, b"\x00not marshal")
    os._exit(0)


def _send_other_data(entries: object, write_end: int) -> None:
    import marshal

    os.write(write_end, marshal.dumps({"digest": (1, 2)}))
    os._exit(0)


def _killed(entries: object, write_end: int) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("child", [_exit_at_once, _send_garbage, _send_other_data, _killed])
def test_a_child_that_fails_costs_time_not_facts(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch, child: object
) -> None:
    expected = _serial(entries)
    monkeypatch.setattr(parallel, "_extract_and_send", child)
    here = _extracted_here(monkeypatch)
    forked = _forks(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert len(here) == ENTRIES  # every entry extracted here
    assert extract.EXTRACTED == {"extracted": ENTRIES}
    assert len(forked) == 1 and _reaped(forked)


def test_an_answer_past_its_bound_is_not_read_on(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    monkeypatch.setattr(parallel, "_MAX", 100)
    here = _extracted_here(monkeypatch)
    forked = _forks(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert len(here) == ENTRIES
    assert _reaped(forked)  # stopped and reaped


def test_no_fork_from_a_process_with_threads_or_one_core_or_few_entries(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    monkeypatch.setattr(parallel.os, "fork", lambda: pytest.fail("forked"))
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        assert parallel.extract_in_order(entries) == expected
    finally:
        stop.set()
        thread.join()
    _fresh()
    with monkeypatch.context() as patch:
        patch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0})
        assert parallel.extract_in_order(entries) == expected
    _fresh()
    monkeypatch.setattr(parallel, "MIN_ENTRIES", ENTRIES + 1)
    assert parallel.extract_in_order(entries) == expected


def test_a_failed_fork_extracts_here(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(parallel.os, "fork", no_fork)
    assert parallel.extract_in_order(entries) == expected


def test_an_interrupted_run_stops_and_reaps_its_child(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = extract.facts_in_order

    def interrupted(*args: object) -> object:
        if os.getpid() == pid:
            raise KeyboardInterrupt
        return real(*args)  # type: ignore[arg-type]

    pid = os.getpid()
    monkeypatch.setattr(parallel, "facts_in_order", interrupted)
    forked = _forks(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        parallel.extract_in_order(entries)
    assert _reaped(forked)


def test_a_cold_review_on_two_cores_is_the_review_on_one(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, entries: tuple[Entry, ...]
) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "journal.md"
    path.write_text(_journal(ENTRIES), encoding="utf-8")
    monkeypatch.setenv("REVIEWER_OFFLINE", "1")
    monkeypatch.setenv("REVIEWER_TODAY", "2020-06-28")
    runner = CliRunner()
    here = _extracted_here(monkeypatch)
    outputs = []
    for least, extracted_here in ((ENTRIES + 1, ENTRIES), (50, ENTRIES // 2)):  # 1, 2 processes
        monkeypatch.setattr(parallel, "MIN_ENTRIES", least)
        _fresh()
        assert runner.invoke(app, ["cache", "clear"]).exit_code == 0
        here.clear()
        result = runner.invoke(app, ["week", "2020-06-22", "--journal", str(path), "-f", "json"])
        assert result.exit_code == 0, result.output
        assert extract.EXTRACTED == {"extracted": ENTRIES}
        assert len(here) == extracted_here
        outputs.append(result.output)
    assert outputs[0] == outputs[1]
