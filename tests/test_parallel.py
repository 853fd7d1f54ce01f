"""Extraction on two cores (facts/parallel.py): a forked child extracts entries from the end
while this process extracts them from the start, the two meeting wherever the work has taken
them; a child started on a journal's bytes before the parse (`Ahead`) does the same; and every
way a child can fail leaves the facts as one process finds them."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.facts import extract, parallel
from reviewer.journal.parse import Entry, parse_journal, text_at, texts_from_end

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


def _sent(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many entries' facts each child sent (and this process took)."""
    counts: list[int] = []
    real = parallel._facts_sent

    def counting(sent: bytes, status: int) -> dict[str, extract.EntryFacts]:
        facts = real(sent, status)
        counts.append(len(facts))
        return facts

    monkeypatch.setattr(parallel, "_facts_sent", counting)
    return counts


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


def _extracted_here(monkeypatch: pytest.MonkeyPatch, pause: float = 0.0) -> list[int]:
    """Count the entries this process extracts itself (a child's count stays in the child);
    with `pause`, take that long over each, so that a child surely takes some."""
    here: list[int] = []
    real = extract._extract

    def counting(body: list[str]) -> extract.EntryFacts:
        if os.getpid() == pid:
            here.append(1)
            time.sleep(pause)
        return real(body)

    pid = os.getpid()
    monkeypatch.setattr(extract, "_extract", counting)
    return here


PAUSE = 0.002  # a second per 500 entries extracted here: the child surely takes some


def test_a_child_extracts_from_the_end_and_the_facts_are_those_of_one_process(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    here = _extracted_here(monkeypatch, PAUSE)
    sent = _sent(monkeypatch)
    forked = _forks(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert here and sent[0]  # each took some: this one from the start, the child the rest
    # Each entry once, or the one they met at twice (both looked at once).
    assert len(here) + sent[0] in (ENTRIES, ENTRIES + 1)
    assert extract.EXTRACTED == {"extracted": ENTRIES}  # counted as one process counts them
    assert len(forked) == 1 and _reaped(forked)


def test_the_faster_process_takes_the_more(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where this process is slow (a core shared with another program), the child goes on
    past the middle: no fixed half waits for the slower one."""
    expected = _serial(entries)
    here = _extracted_here(monkeypatch, 10 * PAUSE)
    sent = _sent(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert sent[0] > ENTRIES // 2 > len(here)


def test_only_the_entries_not_known_are_shared_out(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    extract.know(dict(expected[: ENTRIES // 2]))  # the first half kept by an earlier run
    here = _extracted_here(monkeypatch, PAUSE)
    sent = _sent(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert len(here) + sent[0] in (ENTRIES // 2, ENTRIES // 2 + 1)
    assert extract.EXTRACTED == {"known": ENTRIES // 2, "extracted": ENTRIES // 2}


def test_claiming_stops_at_the_first_entry_refused(entries: tuple[Entry, ...]) -> None:
    taken = extract.facts_in_order(entries, claim=lambda n, entry: n < 7)
    assert [digest for digest, _ in taken] == [e.digest for e in entries[:7]]
    assert extract.EXTRACTED == {"extracted": 7}


def _exit_at_once(*args: object) -> None:
    os._exit(3)


def _send_garbage(texts: object, marks: object, write_end: int) -> None:
    os.write(write_end, b"\x00not marshal")
    os._exit(0)


def _send_other_data(texts: object, marks: object, write_end: int) -> None:
    import marshal

    os.write(write_end, marshal.dumps({"digest": (1, 2)}))
    os._exit(0)


def _killed(*args: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _claim_all_then_die(texts: object, marks: parallel._Marks, write_end: int) -> None:
    marks.left = 0  # every entry is the child's: this process stops at once and waits
    os._exit(1)


@pytest.mark.parametrize(
    "child", [_exit_at_once, _send_garbage, _send_other_data, _killed, _claim_all_then_die]
)
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
    here = _extracted_here(monkeypatch, PAUSE)
    forked = _forks(monkeypatch)
    assert parallel.extract_in_order(entries) == expected
    assert len(here) == ENTRIES  # what the child took is extracted here too
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

    def interrupted(*args: object, **kwargs: object) -> object:
        if os.getpid() == pid:
            raise KeyboardInterrupt
        return real(*args, **kwargs)  # type: ignore[arg-type]

    pid = os.getpid()
    monkeypatch.setattr(parallel, "facts_in_order", interrupted)
    forked = _forks(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        parallel.extract_in_order(entries)
    assert _reaped(forked)


def test_a_cold_review_on_two_cores_is_the_review_on_one(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, entries: tuple[Entry, ...]
) -> None:
    """One process, a child forked once the journal is parsed, and a child started on its
    bytes before the parse (`Ahead`): the same review, byte for byte, counted alike."""
    from pathlib import Path

    from reviewer.journal import source

    path = Path(str(tmp_path)) / "journal.md"
    path.write_text(_journal(ENTRIES), encoding="utf-8")
    monkeypatch.setenv("REVIEWER_OFFLINE", "1")
    monkeypatch.setenv("REVIEWER_TODAY", "2020-06-28")
    runner = CliRunner()
    here = _extracted_here(monkeypatch, PAUSE)
    events: list[str] = []
    real_fork, real_parse = parallel.os.fork, source.parse_journal

    def fork() -> int:
        pid = real_fork()
        if pid:
            events.append("fork")
        return pid

    def parse(*args: object, **kwargs: object) -> object:
        events.append("parse")
        return real_parse(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(parallel.os, "fork", fork)
    monkeypatch.setattr(source, "parse_journal", parse)
    outputs = []
    one, after, before = (ENTRIES + 1, 1 << 40), (50, 1 << 40), (ENTRIES + 1, 1)
    for least, size, forks in (
        (*one, []),
        (*after, ["parse", "fork"]),
        (*before, ["fork", "parse"]),
    ):
        monkeypatch.setattr(parallel, "MIN_ENTRIES", least)
        monkeypatch.setattr(parallel, "MIN_BYTES", size)
        _fresh()
        assert runner.invoke(app, ["cache", "clear"]).exit_code == 0
        here.clear()
        events.clear()
        result = runner.invoke(app, ["week", "2020-06-22", "--journal", str(path), "-f", "json"])
        assert result.exit_code == 0, result.output
        assert extract.EXTRACTED == {"extracted": ENTRIES}
        assert events == (forks or ["parse"])
        assert (len(here) < ENTRIES) == bool(forks)
        outputs.append(result.output)
    assert outputs[0] == outputs[1] == outputs[2]
    # Parsed whole again (its snapshot and ledgers gone), every entry's facts kept: no child.
    kept = Path(os.environ["XDG_CACHE_HOME"]) / "reviewer"
    for snapshot in [*(kept / "journal").iterdir(), *(kept / "facts").glob("history-*")]:
        snapshot.unlink()
    _fresh()
    events.clear()
    result = runner.invoke(app, ["week", "2020-06-22", "--journal", str(path), "-f", "json"])
    assert result.exit_code == 0, result.output
    assert events == ["parse"]
    assert extract.EXTRACTED == {"known": ENTRIES}
    assert result.output == outputs[0]


@pytest.fixture
def journal_bytes(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """A journal's bytes, long enough to start a child on before its parse."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 1)
    return _journal(ENTRIES).encode()


def test_a_child_started_before_the_parse_takes_entries_from_the_end(
    entries: tuple[Entry, ...], journal_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = _serial(entries)
    here = _extracted_here(monkeypatch, PAUSE)
    sent = _sent(monkeypatch)
    forked = _forks(monkeypatch)
    with parallel.Ahead() as ahead:
        ahead.start(journal_bytes)
        parsed = parse_journal(journal_bytes).entries
        assert parallel.extract_in_order(parsed, ahead) == expected
    assert here and sent[0] and len(here) + sent[0] in (ENTRIES, ENTRIES + 1)
    assert extract.EXTRACTED == {"extracted": ENTRIES}
    assert len(forked) == 1 and _reaped(forked)


def test_a_child_that_reads_other_entries_than_the_parse_costs_time_not_facts(
    entries: tuple[Entry, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A code fence open across where the child starts reading: it takes the dated lines in
    the fence for headings, which the parse does not; and bytes that are not UTF-8."""
    monkeypatch.setattr(parallel, "MIN_BYTES", 1)
    text = _journal(ENTRIES)
    quarter = text.index("\n### ", len(text) // 4)
    fence = "\n```\n" + text[quarter : quarter + 2000] + "\n```\n"
    fenced = text[:quarter] + fence + text[quarter:]
    inside = len((text[:quarter] + fence[:1000]).encode())  # a byte in the fence
    monkeypatch.setattr(parallel, "_AHEAD_FROM", inside / len(fenced.encode()))
    other = {digest for _, _, digest in _texts_after(fenced.encode(), inside)}
    assert other - {e.digest for e in parse_journal(fenced).entries}  # texts told apart
    for data, decoded in ((fenced.encode(), fenced), (text.encode("gb18030"), text)):
        parsed = parse_journal(decoded).entries
        expected = _serial(parsed)
        forked = _forks(monkeypatch)
        with parallel.Ahead() as ahead:
            ahead.start(data)
            assert parallel.extract_in_order(parsed, ahead) == expected
        assert dict(extract.EXTRACTED) == {"extracted": len(parsed)}
        assert len(forked) == 1 and _reaped(forked)
        _fresh()


def test_a_child_no_one_asks_is_stopped_and_reaped(
    entries: tuple[Entry, ...], journal_bytes: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    forked = _forks(monkeypatch)
    with parallel.Ahead() as ahead:  # the history was resumed: no facts were read
        ahead.start(journal_bytes)
    assert len(forked) == 1 and _reaped(forked)
    with pytest.raises(ValueError), parallel.Ahead() as ahead:  # the parse failed
        ahead.start(journal_bytes)
        raise ValueError
    assert len(forked) == 2 and _reaped(forked)


def _texts_after(data: bytes, near: int) -> list[tuple[int, int, str]]:
    """What the child reads of `data` from `near` on, in file order."""
    return list(texts_from_end(data, near))[::-1]


@pytest.mark.parametrize("piece", [1 << 20, 300])  # the whole journal at once, or in pieces
def test_the_child_reads_the_entries_the_parse_finds_from_a_heading_on(
    journal_bytes: bytes, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    from reviewer.journal import parse

    monkeypatch.setattr(parse, "_PIECE", piece)
    parsed = parse_journal(journal_bytes).entries
    for k in (0, 1, ENTRIES // 3, ENTRIES - 1):
        heading = journal_bytes.index(f"### {parsed[k].start}".encode())
        for near in (heading, heading - 3):  # at a heading, or a few bytes before it
            found = _texts_after(journal_bytes, near)
            assert found == [(*e.span, e.digest) for e in parsed[k:]]
            assert [text_at(journal_bytes, (b, e)) for b, e, _ in found] == [
                e.text for e in parsed[k:]
            ]
    assert _texts_after(journal_bytes, len(journal_bytes)) == []
    assert _texts_after(b"no heading\n" * 100, 10) == []


@pytest.mark.parametrize("piece", [1 << 20, 300])
def test_the_child_reads_from_the_end_a_piece_at_a_time(
    journal_bytes: bytes, monkeypatch: pytest.MonkeyPatch, piece: int
) -> None:
    """The child takes the entries from the last one, and reads a piece (about a megabyte,
    from one date heading to another) only when it gets to it: its first entry comes after
    one piece is read, not the whole later part of the journal."""
    from reviewer.journal import parse

    monkeypatch.setattr(parse, "_PIECE", piece)
    scans = []
    real = parse.scan

    def counted(*args: object, **kwargs: object) -> object:
        scans.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    near = len(journal_bytes) // 4
    expected = _texts_after(journal_bytes, near)
    monkeypatch.setattr(parse, "scan", counted)
    lazily = texts_from_end(journal_bytes, near)
    assert next(lazily) == expected[-1] and len(scans) == 1
    assert list(lazily) == expected[-2::-1]
    pieces = len(parse._pieces_after(journal_bytes, near))
    assert len(scans) == pieces  # each read once, when the child came to it
    assert pieces > 3 if piece == 300 else pieces == 1
