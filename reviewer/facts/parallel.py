"""Extraction of many entries on two cores (the process edge).

A run with no facts kept for most of the journal (its first run, a new release, a cleared
cache) extracts every entry: 30 years are about 11,000 entries and two seconds of pure
Python. Each entry's facts depend on its text alone (`EntryFacts`), so where the machine has
a second core the run forks once: the child extracts entries from the journal's end towards
its start and sends their facts back through a pipe (marshal: plain tuples of strings and
numbers), while this process extracts them from the start. The two meet wherever the work
has taken them (`_Marks`): a core slowed down, or a share of the work that is longer than
it looked, leaves the other process the more. The facts are the same either way; only the
time differs.

Where the journal is parsed whole (its first run), the child is started before the parse
(`Ahead`): it reads the entries of the journal's later part from the bytes itself, a
megabyte at a time from the end (`texts_from_end`), extracting each megabyte's as soon as it
has read them, while this process parses, keeps the parse and then extracts.

It forks only on Linux (macOS's system libraries are not safe in a forked child: Python's own
multiprocessing no longer forks there), only from a process with one thread (a lock another
thread holds would stay held in the child), and only for at least `MIN_ENTRIES` entries to
extract, or `MIN_BYTES` of journal (below that the fork costs more than it saves). A child
that fails in any way (killed, an error, a cut or damaged answer) costs nothing but time: what
it did not send is extracted here. The child writes nothing but the pipe and the marks, and
leaves with `os._exit`, so it never flushes this process's buffered output or runs its exit
handlers.
"""

from __future__ import annotations

import gc
import logging
import marshal
import mmap
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType
from typing import Any, BinaryIO

from reviewer.facts.extract import (
    EntryFacts,
    entry_digest,
    extract_text,
    facts_in_order,
    facts_read,
    is_known,
)
from reviewer.journal.parse import Entry, normalized, text_at, texts_from_end

__all__ = ["MIN_BYTES", "MIN_ENTRIES", "Ahead", "extract_in_order"]

log = logging.getLogger(__name__)

MIN_ENTRIES = 1000  # entries to extract below which one process does it all
MIN_BYTES = 1 << 20  # a journal this long (about 1,000 entries) is extracted ahead of its parse
_MAX = 1 << 30  # a bound on the child's answer (the facts of 5,500 entries are about 2 MB)
# Where the child starts reading entries, as a part of the journal's bytes: this process
# parses the whole journal first, so the child's part reaches further than a half.
_AHEAD_FROM = 0.25
_WHOLE = sys.maxsize

# What the child is given, worked out in the child: (where its text starts, where it ends, its
# digest) of each entry it may take, from the last (positions in the journal's bytes, or entry
# numbers), and how to read the text at those two places.
_Texts = tuple[Iterable[tuple[int, int, str]], Callable[[int, int], str]]
_Where = Callable[[int, Entry], tuple[int, int]]


class _Marks:
    """How far each process has taken entries, in memory both share (an anonymous shared
    mapping, which a forked child shares with its parent): this process takes them from the
    start and says up to where (`taken`), the child takes them from the end and says from where
    (`left`). Each looks at the other's mark before it takes an entry and takes only one the
    other has not, so no entry is left to neither; the one they meet at may be taken by both
    when they look at once (the same facts, twice).

    Each mark is one aligned 8-byte number, written and read whole (struct.pack_into would
    first zero it: the other process read 0 there). A mark read wrong could only make a
    process stop early (what it leaves is extracted here after all) or go on past the other
    (an entry extracted twice): time, never facts."""

    __slots__ = ("_numbers", "_shared")

    def __init__(self) -> None:
        self._shared = mmap.mmap(-1, 16)
        self._numbers = memoryview(self._shared).cast("q")
        self.taken = 0
        self.left = _WHOLE

    @property
    def taken(self) -> int:
        return int(self._numbers[0])

    @taken.setter
    def taken(self, upto: int) -> None:
        self._numbers[0] = upto

    @property
    def left(self) -> int:
        return int(self._numbers[1])

    @left.setter
    def left(self, since: int) -> None:
        self._numbers[1] = since

    def close(self) -> None:
        self._numbers.release()
        self._shared.close()


class _Child:
    """A forked process taking entries from the end (`_extract_and_send`)."""

    __slots__ = ("answer", "marks", "pid")

    def __init__(self, pid: int, answer: BinaryIO, marks: _Marks) -> None:
        self.pid, self.answer, self.marks = pid, answer, marks

    def share(self, entries: Sequence[Entry], where: _Where) -> list[tuple[str, EntryFacts]]:
        """`facts_in_order(entries)`, the entries from where the child took them on with the
        facts it sent (`where`: an entry's place in the child's terms)."""
        marks = self.marks

        def claim(n: int, entry: Entry) -> bool:
            begin, end = where(n, entry)
            if begin >= marks.left:
                return False  # the child has it, and every entry after it
            marks.taken = end
            return True

        try:
            found = facts_in_order(entries, claim=claim)
            marks.taken = _WHOLE  # done: the child stops at its next entry
            sent, status = _wait(self.pid, self.answer)
        finally:
            self.stop()  # reaped already, but for an error or Ctrl-C here
        return found + facts_in_order(entries[len(found) :], _facts_sent(sent, status))

    def stop(self) -> None:
        """End and reap the child, and let go of what this process shares with it."""
        _stop(self.pid)
        self.answer.close()
        self.marks.close()


class Ahead:
    """A child started on a journal's bytes before they are parsed (`start`), whose facts
    `extract_in_order` takes; a context: leaving it stops a child no one asked.

    With no child started (a journal read from its snapshot, a short one, one core), it
    leaves `extract_in_order` to decide as without it."""

    def __init__(self) -> None:
        self._child: _Child | None = None

    def start(self, data: bytes) -> None:
        """Start a child on `data`, a journal's bytes (after a BOM) about to be parsed whole,
        when they are long enough and the machine can. (Bytes that are not UTF-8 after all
        cost the child's work: it fails, or reads texts the parse does not, and this process
        extracts every entry itself.)"""
        if self._child is None and len(data) >= MIN_BYTES and _can_fork():
            self._child = _start(lambda: _read_ahead(data))

    def take(self) -> _Child | None:
        child, self._child = self._child, None
        return child

    def __enter__(self) -> Ahead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        child = self.take()
        if child is not None:
            child.stop()


def extract_in_order(
    entries: Sequence[Entry], ahead: Ahead | None = None
) -> list[tuple[str, EntryFacts]]:
    """`facts_in_order(entries)`: the same (digest, facts) pairs, counted alike, with entries
    from the end extracted by a forked process where that pays: the one `ahead` started on
    the journal's bytes, or one forked now."""
    started = ahead.take() if ahead is not None else None
    if started is not None:
        return started.share(entries, _in_bytes)
    missing = sum(1 for entry in entries if not is_known(entry_digest(entry)))
    if missing < MIN_ENTRIES or not _can_fork():
        return facts_in_order(entries)
    child = _start(lambda: _numbered_texts(entries))
    if child is None:
        return facts_in_order(entries)
    return child.share(entries, _numbered)


def _read_ahead(data: bytes) -> _Texts:
    """The entries of a journal's later part, read from its bytes (in the child)."""
    text = normalized(data)

    def read(begin: int, end: int) -> str:
        return text_at(text, (begin, end))

    return texts_from_end(text, int(len(text) * _AHEAD_FROM)), read


def _numbered_texts(entries: Sequence[Entry]) -> _Texts:
    """The entries parsed already, by number (in the child)."""
    places = [(n, n + 1, entry_digest(entry)) for n, entry in enumerate(entries)]
    return reversed(places), lambda n, _: entries[n].text  # read (decoded, from a snapshot) here


def _in_bytes(n: int, entry: Entry) -> tuple[int, int]:
    return entry.span


def _numbered(n: int, entry: Entry) -> tuple[int, int]:
    return n, n + 1


def _can_fork() -> bool:
    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1  # the cores this process may run on
    except OSError:
        return False


def _start(texts: Callable[[], _Texts]) -> _Child | None:
    """Fork a child that extracts the entries `texts` gives it (in the child) from the end;
    None when it could not be started."""
    try:
        marks = _Marks()
    except (OSError, ValueError) as err:
        log.info("extraction in one process: %s", err)
        return None
    try:
        read_end, write_end = os.pipe()
    except OSError as err:
        marks.close()
        log.info("extraction in one process: %s", err)
        return None
    try:
        pid = os.fork()
    except OSError as err:
        os.close(read_end)
        os.close(write_end)
        marks.close()
        log.info("extraction in one process: %s", err)
        return None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _extract_and_send(texts, marks, write_end)
    os.close(write_end)
    return _Child(pid, os.fdopen(read_end, "rb"), marks)


def _extract_and_send(texts: Callable[[], _Texts], marks: _Marks, write_end: int) -> None:
    status = 1
    gc.disable()  # a collection would read (and so copy) every page it shares with its parent
    # Ctrl-C ends it as it ends the parent (KeyboardInterrupt: exit 1 below), or not at all
    # where the parent's SIGINT is ignored (nohup, a background job): the child keeps that.
    try:
        rows = {}
        places, read = texts()
        for begin, end, digest in places:
            if end <= marks.taken:
                break  # the parent has it, and every entry before it
            marks.left = begin
            if digest not in rows and not is_known(digest):
                rows[digest] = tuple(extract_text(read(begin, end)))
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(marshal.dumps(rows))
        status = 0
    finally:
        os._exit(status)


def _wait(pid: int, answer: BinaryIO) -> tuple[bytes, int]:
    """What the child sent, and how it ended (0: well), once it has ended."""
    sent = answer.read(_MAX + 1)
    if len(sent) > _MAX:  # it would go on writing, and never end
        _stop(pid)
        return b"", -1
    return sent, os.waitpid(pid, 0)[1]


def _stop(pid: int) -> None:
    """End the child (a run that is stopping: an error, Ctrl-C) unless it has ended, and reap
    it. A child not reaped keeps its pid, so the kill cannot reach another process."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == 0:  # still running
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except OSError:  # reaped already (ChildProcessError)
        pass


def _facts_sent(sent: bytes, status: int) -> dict[str, EntryFacts]:
    """The child's facts; empty when it did not end well or sent no facts (what it did not
    send is extracted here)."""
    if status != 0:
        log.info("extraction in a second process failed (status %d): done here", status)
        return {}
    try:
        rows: Any = marshal.loads(sent)
        return facts_read(rows)
    except (EOFError, ValueError, TypeError, AttributeError) as err:
        log.info("extraction in a second process sent no facts (%s): done here", err)
        return {}
