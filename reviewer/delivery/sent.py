"""The send ledger: which digest of which week went to whom, so a rerun never sends twice.

`$XDG_STATE_HOME/reviewer/sent.jsonl` holds one JSON line per message a server accepted:
week, recipient, digest hash, Message-ID, time. Lines are only ever appended (a crash can cost
at most the line being written, never the history), and the newest line for a (week,
recipient) pair wins. `send.lock` beside it is held with flock(2) for a whole delivery, so two
runs at once (a slow cron job and a manual run) decide and send one after the other: the
second sees what the first recorded.
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


class Ledger:
    """The ledger file and its lock in `state_dir`."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / "sent.jsonl"
        self.lock_path = state_dir / "send.lock"

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
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as err:
            raise ReviewerError(
                f"{self.lock_path}: cannot open the lock: {err.strerror}", EXIT_CANT_CREATE
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
                            f"another reviewer run is still sending (lock {self.lock_path} "
                            f"held for {timeout:g} s); try again later",
                            EXIT_TEMPFAIL,
                        ) from None
                    log.info("waiting for %s", self.lock_path)
                    sleep(poll)
            yield
        finally:
            os.close(fd)  # closing releases the flock

    def _records(self) -> Iterator[Sent]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return
        except OSError as err:
            raise ReviewerError(
                f"{self.path}: cannot read the send ledger: {err.strerror}"
            ) from None
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
                yield Sent(**{k: data[k] for k in _FIELDS if k in data})
            except (ValueError, TypeError, AttributeError):
                # A line cut short by a crash: skip it, as if that send had not been recorded.
                log.warning("%s:%d: unreadable ledger line skipped", self.path, number)

    def _ensure_dir(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as err:
            raise ReviewerError(
                f"{self.path.parent}: cannot create the state dir: {err.strerror}",
                EXIT_CANT_CREATE,
            ) from None
