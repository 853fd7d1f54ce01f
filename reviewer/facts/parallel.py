"""Extraction of many entries on two cores (the process edge).

A run with no facts kept for most of the journal (its first run, a new release, a cleared
cache) extracts every entry: 30 years are about 11,000 entries and two seconds of pure
Python. Each entry's facts depend on its text alone (`EntryFacts`), so where the machine has
a second core the run forks once: the child extracts the later half of what is to extract and
sends the facts back through a pipe (marshal: plain tuples of strings and numbers), while this
process extracts the first half. The facts are the same either way; only the time differs.

It forks only on Linux (macOS's system libraries are not safe in a forked child: Python's own
multiprocessing no longer forks there), only from a process with one thread (a lock another
thread holds would stay held in the child), and only for at least `MIN_ENTRIES` entries to
extract (below that the fork costs more than it saves). A child that fails in any way (killed,
an error, a cut or damaged answer) costs nothing but time: its half is extracted here.
The child writes nothing but the pipe and leaves with `os._exit`, so it never flushes this
process's buffered output or runs its exit handlers.
"""

from __future__ import annotations

import logging
import marshal
import os
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, BinaryIO

from reviewer.facts.extract import EntryFacts, entry_digest, facts_in_order, facts_of, is_known
from reviewer.journal.parse import Entry

__all__ = ["MIN_ENTRIES", "extract_in_order"]

log = logging.getLogger(__name__)

MIN_ENTRIES = 1000  # entries to extract below which one process does it all
_MAX = 1 << 30  # a bound on the child's answer (the facts of 5,500 entries are about 2 MB)


def extract_in_order(entries: Sequence[Entry]) -> list[tuple[str, EntryFacts]]:
    """`facts_in_order(entries)`: the same (digest, facts) pairs, counted alike, with the later
    half of the entries to extract done by a forked process where that pays."""
    missing = [i for i, entry in enumerate(entries) if not is_known(entry_digest(entry))]
    if len(missing) < MIN_ENTRIES or not _can_fork():
        return facts_in_order(entries)
    split = missing[len(missing) // 2]
    child = _start(entries[split:])
    if child is None:
        return facts_in_order(entries)
    pid, answer = child
    with answer:
        try:
            found = facts_in_order(entries[:split])
            sent, status = _wait(pid, answer)
        except BaseException:
            _stop(pid)
            raise
    return found + facts_in_order(entries[split:], _facts_sent(sent, status))


def _can_fork() -> bool:
    if sys.platform != "linux" or threading.active_count() != 1:
        return False
    try:
        return len(os.sched_getaffinity(0)) > 1  # the cores this process may run on
    except OSError:
        return False


def _start(entries: Sequence[Entry]) -> tuple[int, BinaryIO] | None:
    """Fork a child that extracts `entries` not known yet; (its pid, the pipe's read end),
    or None when it could not be started."""
    try:
        read_end, write_end = os.pipe()
    except OSError as err:
        log.info("extraction in one process: %s", err)
        return None
    try:
        pid = os.fork()
    except OSError as err:
        os.close(read_end)
        os.close(write_end)
        log.info("extraction in one process: %s", err)
        return None
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _extract_and_send(entries, write_end)
    os.close(write_end)
    return pid, os.fdopen(read_end, "rb")


def _extract_and_send(entries: Sequence[Entry], write_end: int) -> None:
    status = 1
    # Ctrl-C ends it as it ends the parent (KeyboardInterrupt: exit 1 below), or not at all
    # where the parent's SIGINT is ignored (nohup, a background job): the child keeps that.
    try:
        rows = {}
        for entry in entries:
            digest = entry_digest(entry)
            if not is_known(digest):
                rows[digest] = tuple(facts_of(entry))
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


def _facts_sent(sent: bytes, status: int) -> dict[str, EntryFacts]:
    """The child's facts; empty when it did not end well or sent no facts (what it did not
    send is extracted here)."""
    if status != 0:
        log.info("extraction in a second process failed (status %d): done here", status)
        return {}
    try:
        rows: Any = marshal.loads(sent)
        make = EntryFacts._make
        return {digest: make(row) for digest, row in rows.items()}
    except (EOFError, ValueError, TypeError, AttributeError) as err:
        log.info("extraction in a second process sent no facts (%s): done here", err)
        return {}


def _stop(pid: int) -> None:
    """End the child (a run that is stopping: an error, Ctrl-C) unless it has ended, and reap
    it. A child not reaped keeps its pid, so the kill cannot reach another process."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == 0:  # still running
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
    except OSError:  # reaped already (ChildProcessError)
        pass
