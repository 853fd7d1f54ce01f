"""Reading and writing files without surprises: the I/O edge every module shares.

    read_regular(path, limit)   bytes of a regular file, at most `limit`; a FIFO, device or
                                folder is refused at once (never read, never waited on)
    write_atomic(path, text)    a regular file replaced in one step: an unpredictable temporary
                                name in the same folder, created with O_EXCL and O_NOFOLLOW,
                                the target's mode kept, the temporary removed on any failure
    write_private(path, data)   a cache or state file only the user can read: its folder made
                                0700, the file written as write_atomic does, 0600
    per_journal(folder, ...)    the file a cache keeps for one journal, named by its path
    code_digest(salt, modules)  names the code a cache's contents were computed by
    seal(kind, ...) / unseal    plain data as bytes to keep, known whole and of the right code
                                when read back (a header line, a digest, marshal data)
    write_output(path, text)    what `-o PATH` does: write_atomic for a regular file or a new
                                one; a character device or FIFO (/dev/null, /dev/stdout, a pipe)
                                is written through, never replaced; anything else is refused

Every failure is a ReviewerError naming the path (73 for writes, 66 for reads).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import marshal
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

from reviewer.errors import EXIT_CANT_CREATE, EXIT_NO_INPUT, ReviewerError

__all__ = [
    "FileTooLarge",
    "code_digest",
    "paused_gc",
    "per_journal",
    "read_head",
    "read_regular",
    "remove_files",
    "seal",
    "sealed",
    "unseal",
    "write_atomic",
    "write_output",
    "write_private",
]

_CHUNK = 1 << 20


class FileTooLarge(ReviewerError):
    """A file is larger than the bound it is read with."""


def remove_files(folder: Path, pattern: str) -> int:
    """Remove the regular files (not links, not folders) in `folder` whose names match the
    glob `pattern`; how many were removed. A missing folder holds none; a file that cannot be
    removed is left (best effort, as every cache is)."""
    removed = 0
    try:
        found = sorted(folder.glob(pattern))
    except OSError:
        return 0
    for path in found:
        try:
            if stat.S_ISREG(path.lstat().st_mode):
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_regular(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at `path`; ReviewerError (66) when it is anything else or
    unreadable, FileTooLarge (65) when it holds more than `limit` bytes."""
    fd, info = _open_regular(path)
    try:
        if info.st_size > limit:
            raise FileTooLarge(_too_large(path, info.st_size, limit))
        chunks: list[bytes] = []
        size = 0
        # One read of the size the file has (joining chunks held the file twice in memory),
        # then more while it grows: the bound holds all the same.
        want = max(info.st_size + 1, _CHUNK)
        while True:
            chunk = os.read(fd, min(want, limit + 1 - size))
            want = _CHUNK
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise FileTooLarge(_too_large(path, size, limit))
        return b"".join(chunks)
    except OSError as err:
        raise ReviewerError(f"{path}: cannot read: {_why(err)}", EXIT_NO_INPUT) from None
    finally:
        os.close(fd)


def read_head(path: Path | str, size: int) -> bytes:
    """The first `size` bytes (or fewer) of the regular file at `path`; ReviewerError as
    `read_regular`."""
    fd, _ = _open_regular(path)
    try:
        return os.read(fd, size)
    except OSError as err:
        raise ReviewerError(f"{path}: cannot read: {_why(err)}", EXIT_NO_INPUT) from None
    finally:
        os.close(fd)


def _open_regular(path: Path | str) -> tuple[int, os.stat_result]:
    """A file descriptor open on the regular file at `path`, and its stat; ReviewerError (66)
    when it is anything else or cannot be opened."""
    try:
        # O_NONBLOCK: opening a FIFO with no writer returns at once instead of hanging.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        raise ReviewerError(f"{path}: cannot read: {_why(err)}", EXIT_NO_INPUT) from None
    try:
        info = os.fstat(fd)
    except OSError as err:
        os.close(fd)
        raise ReviewerError(f"{path}: cannot read: {_why(err)}", EXIT_NO_INPUT) from None
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise ReviewerError(f"{path}: is {_kind(info.st_mode)}, not a regular file", EXIT_NO_INPUT)
    return fd, info


def _too_large(path: Path | str, size: int, limit: int) -> str:
    return (
        f"{path}: larger than {limit / 2**20:.3g} MB ({size / 2**20:.1f} MB or more); "
        "raise journal_max_mb (REVIEWER_JOURNAL_MAX_MB) if it really is a journal"
    )


def _why(err: OSError) -> str:
    return err.strerror or type(err).__name__


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def write_atomic(
    path: Path,
    text: str | bytes | tuple[bytes, ...],
    mode: int | None = None,
    *,
    durable: bool = True,
) -> None:
    """Replace the regular file `path` with `text` (UTF-8; bytes, or parts of them written one
    after the other) in one step, with `mode` when given (0600 for private files), else the
    mode the file had (a new one: 0666 less the umask); a reader or a crash never sees half a
    file. `durable`: on the disk before it replaces the old one (fsync), so that a crash
    leaves one or the other, never an empty file."""
    parts = (text.encode("utf-8"),) if isinstance(text, str) else text
    if isinstance(parts, bytes):
        parts = (parts,)
    folder = path.parent
    try:
        existing = os.stat(path).st_mode
    except FileNotFoundError:
        existing = None
    except OSError as err:
        raise ReviewerError(f"{path}: cannot write: {_why(err)}", EXIT_CANT_CREATE) from None
    if existing is not None and not stat.S_ISREG(existing):
        raise ReviewerError(
            f"{path}: is {_kind(existing)}; refusing to replace it", EXIT_CANT_CREATE
        )
    target_mode = mode
    if target_mode is None:
        target_mode = stat.S_IMODE(existing) if existing is not None else _default_mode()
    tmp: str | None = None
    try:
        # mkstemp: a random name, O_CREAT | O_EXCL | O_NOFOLLOW, mode 0600 until fchmod
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, target_mode)
            for part in parts:
                view = memoryview(part)
                while view:
                    written = os.write(fd, view)
                    view = view[written:]
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
    except OSError as err:
        raise ReviewerError(f"{path}: cannot write: {_why(err)}", EXIT_CANT_CREATE) from None
    finally:
        if tmp is not None:  # any failure, an interrupt included: no temporary left behind
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def write_private(path: Path, text: str | bytes | tuple[bytes, ...]) -> None:
    """Write a cache only the user can read (it holds journal text or digests of it): its
    folder made and kept 0700, the file replaced atomically, 0600. ReviewerError or OSError
    when it cannot be written.

    Not fsync'd: a cache is worked out again from the journal whenever it is missing, and each
    is checked when read (sealed, or validated field by field), so a crash that leaves it
    empty or old costs one slower run. An fsync would wait for whatever else the disk has to
    write: 1 to 35 ms for a 1.3 MB snapshot just after the journal was saved (ext4, ordered
    data), on the run the user waits for."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(path.parent, 0o700)  # mkdir's mode is masked by umask
    write_atomic(path, text, 0o600, durable=False)


def per_journal(folder: Path, kind: str, journal: str | Path, suffix: str) -> Path:
    """The file in `folder` where a cache keeps what it knows of one journal:
    `KIND-TAG.SUFFIX`, TAG a digest of the journal's absolute path."""
    tag = hashlib.sha256(os.path.abspath(journal).encode()).hexdigest()[:12]
    return folder / f"{kind}-{tag}.{suffix}"


def code_digest(salt: str, modules: Iterable[ModuleType]) -> str:
    """A digest of `salt` (a format, the release) and the source of `modules`: what a cache
    names its contents by, so that contents computed by other code are never trusted."""
    digest = hashlib.blake2b(salt.encode(), digest_size=12)
    for module in modules:
        try:
            with open(str(module.__file__), "rb") as code:
                digest.update(code.read())
        except (OSError, TypeError):  # no source (a zipapp, a frozen build): the name only
            digest.update(module.__name__.encode())
    return digest.hexdigest()


_MAGIC = "reviewer"
_MARSHAL = f"{marshal.version}.{sys.version_info[0]}.{sys.version_info[1]}"


def seal(kind: str, version: str, key: str, value: Any) -> bytes:
    """`value` (made of Python's plain types) as bytes to keep: marshal data behind a header
    line that names what it is (`kind`), the code that computed it (`version`), what it was
    computed from (`key`) and a digest of the data, so that `unseal` takes it back only whole
    and from the same code. (marshal is Python's own format, fast to read: the header names
    the Python too.)"""
    return b"".join(sealed_parts(kind, version, key, value))


def sealed_parts(kind: str, version: str, key: str, value: Any) -> tuple[bytes, bytes]:
    """`seal`'s bytes as its header and its data, for `write_private` to write one after the
    other: a snapshot of 30 years is 1.3 MB, and joining them made it twice."""
    payload = marshal.dumps(value)
    return f"{_MAGIC} {kind} {_MARSHAL} {version} {key} {_check(payload)}\n".encode(), payload


def _check(payload: bytes | memoryview) -> str:
    """What `seal` names its data by: SHA-256, by the CPU's own instructions where they are
    (twice blake2b's speed here: a warm run checks a megabyte and a half of caches)."""
    return hashlib.sha256(payload).hexdigest()[:32]


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cycle collection while what a cache kept is made into objects: tens of thousands of
    tuples at once, none in a cycle, which the collector would scan again and again (a third
    of reading back 30 years' parse and ledgers). It runs again afterwards, as before."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            # What was made meanwhile is all in the youngest generation, which the first
            # collection after this would scan whole (a cold 30-year week: 80 ms). Moved to
            # the oldest instead (freeze then unfreeze: two list splices, no scan): scanned
            # at the next full collection, as the long-lived data it is.
            gc.freeze()
            gc.unfreeze()
            gc.enable()


def sealed(head: bytes, kind: str, version: str) -> bool:
    """Whether `head` (a file's first bytes) starts as `seal` starts a `kind` of `version`:
    its header alone, not whether the rest is whole (`unseal` tells)."""
    fields = head.partition(b"\n")[0].decode("ascii", "replace").split(" ")
    return len(fields) == 6 and fields[:4] == [_MAGIC, kind, _MARSHAL, version]


def unseal(blob: bytes, kind: str, version: str, key: str | None) -> object:
    """The value `seal` kept in `blob`; ValueError when it is not whole, or is of another
    kind, code, Python or key (any key when `key` is None)."""
    newline = blob.find(b"\n")
    if newline < 0 or not sealed(blob[:newline], kind, version):
        raise ValueError(f"not a {kind} of this release")
    fields = blob[:newline].decode("ascii", "replace").split(" ")
    payload = memoryview(blob)[newline + 1 :]  # not a copy: a snapshot can be megabytes
    if key is not None and fields[4] != key:
        raise ValueError(f"a {kind} of something else")
    if fields[5] != _check(payload):
        raise ValueError(f"a damaged {kind}")
    try:
        return marshal.loads(payload)
    except (EOFError, TypeError, ValueError) as err:
        raise ValueError(f"a damaged {kind} ({err})") from None


def write_output(path: Path, text: str) -> None:
    """Write `text` where `-o PATH` asks: replace a regular file (or create one), write
    through a character device or FIFO, refuse a folder, block device or socket."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as err:
        raise ReviewerError(f"{path}: cannot write: {_why(err)}", EXIT_CANT_CREATE) from None
    if mode is None or stat.S_ISREG(mode):
        # Through a symlink, the file it points at is replaced, not the link.
        real = Path(os.path.realpath(path)) if mode is not None else path
        write_atomic(real, text)
        return
    if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise ReviewerError(
            f"{path}: is {_kind(mode)}; write to a regular file, or - for stdout",
            EXIT_CANT_CREATE,
        )
    try:
        # O_NONBLOCK: a FIFO nobody reads fails at once (ENXIO) instead of hanging.
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as err:
        reason = "nobody reads this FIFO" if err.errno == errno.ENXIO else _why(err)
        raise ReviewerError(f"{path}: cannot write: {reason}", EXIT_CANT_CREATE) from None
    try:
        os.set_blocking(fd, True)
        view = memoryview(text.encode("utf-8"))
        while view:
            written = os.write(fd, view)
            view = view[written:]
    except OSError as err:
        raise ReviewerError(f"{path}: cannot write: {_why(err)}", EXIT_CANT_CREATE) from None
    finally:
        os.close(fd)
