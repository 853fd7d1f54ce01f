"""The send ledger: which digest of which week went to whom, so a rerun never sends twice.

`$XDG_STATE_HOME/reviewer/sent.jsonl` holds one JSON line per message a server accepted:
week, recipient, digest hash, Message-ID, time. Lines are only ever appended (a crash can cost
at most the line being written, never the history), and the newest line for a (week,
recipient) pair wins. The state dir that holds it is locked with flock(2) for a whole delivery,
so two runs at once (a slow cron job and a manual run) decide and send one after the other:
the second sees what the first recorded. (A `send.lock` file could be deleted mid-run, letting
a second run lock a new one; the open folder cannot be.)

Read strictly and forgivingly: a line that is not a JSON object with string fields (a crash
cut it short, an editor mangled it, bytes that are not UTF-8) is skipped with a warning; a
ledger that is not a file at all is a clear error.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from reviewer.errors import EXIT_CANT_CREATE, EXIT_TEMPFAIL, ReviewerError

__all__ = ["Ledger", "Sent"]

log = logging.getLogger("reviewer.delivery.sent")


@dataclass(frozen=True, slots=True)
class Sent:
    """One message the server accepted."""

    week: str
    recipient: str
    digest_hash: str
    message_id: str
    sent_at: str  # ISO 8601 with offset
    forced: bool = False


_FIELDS = [f.name for f in fields(Sent)]
_REQUIRED = [f.name for f in fields(Sent) if f.name != "forced"]


def _parse_line(raw: bytes) -> Sent | None:
    """A ledger line as a Sent, or None when it is not one (wrong bytes, JSON or types)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    if not all(isinstance(data.get(name), str) for name in _REQUIRED):
        return None
    forced = data.get("forced", False)
    return Sent(**{name: data[name] for name in _REQUIRED}, forced=forced is True)


class Ledger:
    """The ledger file and its lock in `state_dir`."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "sent.jsonl"
        # The lock is the state dir itself, held open: a lock file could be deleted mid-run
        # (and a second run would lock a new one), the folder holding the ledger cannot.
        self.lock_path = state_dir

    def last_sent(self, week: str, recipient: str) -> Sent | None:
        """The newest record for `week` and `recipient`, or None if it was never sent."""
        found = None
        for record in self._records():
            if record.week == week and record.recipient.lower() == recipient.lower():
                found = record
        return found

    def sent_after(self, week: str, recipient: str) -> bool:
        """Whether `recipient` had a message for a week later than `week` (ISO weeks sort)."""
        return any(
            record.week > week and record.recipient.lower() == recipient.lower()
            for record in self._records()
        )

    def record(self, sent: Sent) -> None:
        """Append `sent` and make it durable before returning."""
        self._ensure_dir()
        line = json.dumps(asdict(sent), ensure_ascii=False, sort_keys=True) + "\n"
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as err:
            raise ReviewerError(
                f"{self.path}: cannot record the send ({err.strerror}); the message WAS sent",
                EXIT_CANT_CREATE,
            ) from None

    @contextmanager
    def locked(
        self,
        timeout: float = 600.0,
        *,
        poll: float = 0.2,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> Iterator[None]:
        """Hold the send lock; wait up to `timeout` s for another run to finish, else exit 75."""
        self._ensure_dir()
        try:
            fd = os.open(self.lock_path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as err:
            raise ReviewerError(
                f"{self.lock_path}: cannot open the state dir to lock it: {err.strerror}",
                EXIT_CANT_CREATE,
            ) from None
        try:
            deadline = clock() + timeout
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if clock() >= deadline:
                        raise ReviewerError(
                            f"another reviewer run is still sending (it holds {self.lock_path} "
                            f"locked for {timeout:g} s); try again later",
                            EXIT_TEMPFAIL,
                        ) from None
                    log.info("waiting for the send lock on %s", self.lock_path)
                    sleep(poll)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def _records(self) -> Iterator[Sent]:
        from reviewer.files import read_regular

        if not os.path.lexists(self.path):
            return
        try:
            data = read_regular(self.path, 64 * 2**20)
        except ReviewerError as err:
            raise ReviewerError(
                f"cannot read the send ledger: {err}; move it away to start a new one",
                EXIT_CANT_CREATE,
            ) from None
        for number, raw in enumerate(data.split(b"\n"), 1):
            if not raw.strip():
                continue
            record = _parse_line(raw)
            if record is None:
                # A line cut short by a crash, or mangled: skipped, as if not recorded.
                log.warning("%s:%d: unreadable ledger line skipped", self.path, number)
                continue
            yield record

    def _ensure_dir(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as err:
            raise ReviewerError(
                f"{self.path.parent}: cannot create the state dir: {err.strerror}",
                EXIT_CANT_CREATE,
            ) from None
