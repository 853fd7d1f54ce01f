"""Read a journal from disk: a single Markdown file or a folder of daily notes.

The I/O edge in front of `journal.py`: bytes are read and decoded here (UTF-8 with or without
BOM, UTF-16 with BOM, GBK/GB18030 as a fallback for legacy Chinese files), and every problem
becomes an `InputError` with a message that names the file.

Only regular files are read, and only up to a bound (`journal_max_mb`, 64 MB by default, for
a file and for a folder in all): `/dev/zero`, a FIFO or a device is refused at once. In a
folder, a note that cannot be read (no permission, a dangling link, a FIFO) is skipped with a
warning rather than stopping the review.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import logging
import os
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from reviewer.errors import EXIT_NO_INPUT, InputError, ReviewerError
from reviewer.files import (
    FileTooLarge,
    paused_gc,
    per_journal,
    read_regular,
    remove_files,
    write_private,
)
from reviewer.journal.parse import Diagnostic, Journal, parse_journal, parse_notes
from reviewer.journal.snapshot import freeze, opened, reparse, thaw, worth_keeping

__all__ = ["DEFAULT_MAX_BYTES", "clear_snapshots", "decode", "load_journal"]

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 64 * 2**20  # thirty years of daily entries are a few MB

# Obsidian: 2020-02-24.md (perhaps "2020-02-24 Monday.md"); Logseq: 2020_02_24.md.
_NOTE_NAME = re.compile(r"^(\d{4})([-_.])(\d{1,2})\2(\d{1,2})(?:[ _][^/]*)?\.(md|markdown|txt)$")
# Control characters other than tab/newline/CR/form feed are a sign of a binary file.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes, name: str, encoding: str | None = None) -> str:
    """Decode journal bytes; raise InputError naming the file when it is not text."""
    if encoding:
        try:
            return data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as err:
            raise InputError(f"{name}: cannot decode as {encoding}: {err}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        text = _try(data[3:], "utf-8")
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _try(data, "utf-16")
    else:
        if b"\x00" in data[:8192]:
            raise InputError(f"{name}: looks like a binary file, not a Markdown journal")
        text = _try(data, "utf-8")
        if text is None:
            text = _try(data, "gb18030")
            if text is not None and not _plausible_chinese(text):
                raise InputError(_not_gbk(data, name))
    if text is None or len(_CONTROL.findall(text[:8192])) > 8:
        raise InputError(
            f"{name}: not UTF-8, UTF-16 or GBK text; convert it "
            "(e.g. `iconv -f ENCODING -t UTF-8`) or pass --encoding"
        )
    return text


# GB18030 decodes almost any byte string; Shift-JIS or Big5 bytes come out as a jumble of rare
# ideographs, private-use characters, kana and Cyrillic. A real GBK journal writes nearly all of
# its non-ASCII characters from GB2312, the common set.
_RARE_SHARE = 0.2
_RARE_MIN = 8


def _plausible_chinese(text: str) -> bool:
    """False when text decoded as GB18030 looks like another encoding read wrong."""
    rare = common = 0
    for char in text:
        if char < "\x80" or ord(char) > 0xFFFF:  # ASCII; emoji (only GB18030 has them)
            continue
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            rare += 1
    return rare < _RARE_MIN or rare <= _RARE_SHARE * (rare + common)


def _not_gbk(data: bytes, name: str) -> str:
    fits = [enc for enc in ("shift_jis", "big5", "euc_kr") if _try(data, enc) is not None]
    hint = (
        f"it decodes as {' or '.join(fits)}: pass --encoding {fits[0]}"
        if fits
        else ("pass --encoding NAME")
    )
    return (
        f"{name}: not UTF-8, and read as GBK it is gibberish (mostly rare characters); {hint}, "
        "or convert it to UTF-8 (`iconv -f ENCODING -t UTF-8`)"
    )


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def load_journal(
    path: Path,
    encoding: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    snapshots: Path | None = None,
    parsing: Callable[[bytes], None] | None = None,
) -> Journal:
    """Read and parse the journal at `path` (a file, or a folder of YYYY-MM-DD.md notes), at
    most `max_bytes` of it; with `snapshots` (a cache folder), a UTF-8 file whose bytes are
    those of the last run is not parsed again (`snapshot.py`), and `parsing` is told the
    bytes (after a BOM) of a file it is about to parse whole, before they are known to be
    UTF-8 (a second process starts on them: `parallel.Ahead`)."""
    if not os.path.lexists(path) or (path.is_symlink() and not path.exists()):
        raise InputError(
            f"{path}: no such file or folder; pass --journal PATH or set REVIEWER_JOURNAL",
            EXIT_NO_INPUT,
        )
    if path.is_dir():
        return _load_folder(path, encoding, max_bytes)
    data = _read(path, max_bytes)
    if not data or data.isspace():  # (strip() would copy the journal)
        raise InputError(f"{path}: the file is empty; write a first entry like '### 2020-02-24'")
    if snapshots is not None and encoding is None:
        return _through_snapshot(path, data, snapshots, parsing)
    utf8 = None if encoding else _utf8(data, str(path))
    if utf8 is not None:
        return parse_journal(utf8, source=str(path))
    return parse_journal(decode(data, str(path), encoding), source=str(path))


def _through_snapshot(
    path: Path, data: bytes, folder: Path, parsing: Callable[[bytes], None] | None
) -> Journal:
    """The journal kept from the last run when `data` are the bytes it was parsed from; else
    parsed again where they changed (or whole), and kept, best effort, when it is UTF-8 (the
    snapshot's spans are in its bytes)."""
    kept = per_journal(folder, "journal", path, "snapshot")
    body = data[3:] if data.startswith(_BOM) else data
    reparsed = None
    try:
        if os.path.lexists(kept):
            with paused_gc():
                snapshot = opened(read_regular(kept, _SNAPSHOT_MAX))
                thawed = thaw(snapshot, body, str(path))
                if thawed is not None:
                    return thawed
                log.info("journal snapshot %s not of these bytes", kept)
                reparsed = reparse(snapshot, body, str(path))
                del snapshot  # the old columns: only the new ones are kept
    except (ReviewerError, ValueError) as err:
        log.info("journal snapshot %s ignored: %s", kept, err)
    frozen: bytes | tuple[bytes, bytes]
    if reparsed is not None and _utf8_between(data, body, *reparsed.changed):
        journal, frozen = reparsed.journal, reparsed.sealed
    else:
        with paused_gc():  # (a parse makes a million objects, none in a cycle)
            if parsing is not None:
                parsing(body)  # before the UTF-8 check: bytes that fail it cost that work
            utf8 = _utf8(data, str(path))
            if utf8 is None:
                return parse_journal(decode(data, str(path)), source=str(path))
            journal = parse_journal(utf8, source=str(path))
            if not worth_keeping(journal, len(data)):
                log.info("journal snapshot %s not kept: the parse is mostly warnings", kept)
                with contextlib.suppress(OSError):
                    os.unlink(kept)  # an older one would be of other bytes
                return journal
            frozen = freeze(journal, utf8)
    try:
        write_private(kept, frozen)
    except (OSError, ReviewerError) as err:
        log.info("journal snapshot %s not written: %s", kept, err)
    return journal


def _utf8_between(data: bytes, body: bytes, begin: int, end: int) -> bool:
    """Whether an edited journal is UTF-8 text that `decode` takes, when only `body[begin:end]`
    (a run of whole lines; `body` is `data` after any BOM) is new: the rest was checked
    when it was kept. (Line ends are counted as LF: with CRs in the file, check it all.)"""
    if b"\r" in body:
        return _utf8(data, "") is not None
    try:
        body[begin:end].decode("utf-8")
        if begin < _HEAD:
            _check_head(data, "")
    except (UnicodeDecodeError, InputError):
        return False
    return True


_BOM = b"\xef\xbb\xbf"
_SNAPSHOT_MAX = 256 * 2**20  # far above any snapshot (30 years: about 1 MB); a bound still
_HEAD = 1 << 16  # bytes enough for decode's checks, which read the first 8,192 characters
_PIECE = 1 << 20


def _utf8(data: bytes, name: str) -> bytes | None:
    """The journal's UTF-8 text (after a BOM) when `data` is UTF-8 text that `decode` takes,
    without decoding it into one str: the parser decodes each entry on its own (a 63 MB
    journal took 144 MB as a str, on top of its entries). None when it is not UTF-8 (decode
    then tries the other encodings); InputError as decode when it is not text."""
    body = data[3:] if data.startswith(_BOM) else data
    view = memoryview(body)
    reader = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(view), _PIECE):
            reader.decode(view[start : start + _PIECE])
        reader.decode(b"", final=True)
    except UnicodeDecodeError:
        return None
    _check_head(data, name)
    return body


def _check_head(data: bytes, name: str) -> None:
    """InputError as `decode` when the start of UTF-8 `data` is not text (binary, control
    characters): its checks, on the same head."""
    cut = min(len(data), _HEAD)
    while cut < len(data) and data[cut] & 0xC0 == 0x80:  # not inside a character
        cut += 1
    decode(data[:cut], name)


def clear_snapshots(folder: Path) -> int:
    """Remove every journal's snapshot (`reviewer cache clear`); how many files."""
    return remove_files(folder, "journal-*.snapshot")


def _read(path: Path, max_bytes: int) -> bytes:
    try:
        return read_regular(path, max_bytes)
    except FileTooLarge as err:
        raise InputError(str(err)) from None
    except ReviewerError as err:
        raise InputError(str(err), EXIT_NO_INPUT) from None


def _load_folder(path: Path, encoding: str | None, max_bytes: int) -> Journal:
    """Daily notes anywhere under `path` (hidden folders such as .obsidian are skipped)."""
    notes: list[tuple[str, date, str]] = []
    skipped: list[str] = []
    unreadable: list[Diagnostic] = []
    left = max_bytes

    def walk_error(err: OSError) -> None:
        where = os.path.relpath(err.filename, path) if err.filename else str(path)
        unreadable.append(_unreadable(where, err.strerror or str(err)))

    if not os.access(path, os.R_OK | os.X_OK):
        raise InputError(f"{path}: cannot read this folder: permission denied", EXIT_NO_INPUT)
    root = str(path)
    for folder, dirs, files in os.walk(path, onerror=walk_error):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        # Paths as strings, worked out once per folder: 30 years of daily notes are 11,000
        # files, and a Path or a relpath for each was a third of reading them.
        inside = os.path.relpath(folder, path)
        for name in sorted(files):
            if name.startswith("."):
                continue
            relative = name if inside == os.curdir else os.path.join(inside, name)
            match = _NOTE_NAME.match(name)
            day = _make_date(int(match[1]), int(match[3]), int(match[4])) if match else None
            if day is None:
                skipped.append(relative)
                continue
            try:
                data = read_regular(os.path.join(folder, name), left)
            except FileTooLarge:
                raise InputError(
                    f"{path}: the notes are larger than {max_bytes / 2**20:.3g} MB together; "
                    "raise journal_max_mb (REVIEWER_JOURNAL_MAX_MB) if they really are notes"
                ) from None
            except ReviewerError as err:  # unreadable, a dangling link, a FIFO: skip it
                unreadable.append(_unreadable(relative, str(err).rpartition(": ")[2]))
                continue
            left -= len(data)
            notes.append((relative, day, decode(data, os.path.join(root, relative), encoding)))
    if not notes:
        raise InputError(
            f"{path}: no daily notes named like 2020-02-24.md (or 2020_02_24.md) in this folder",
            EXIT_NO_INPUT,
        )
    journal = parse_notes(notes, skipped, source=str(path))
    if unreadable:
        journal = dataclasses.replace(journal, diagnostics=(*journal.diagnostics, *unreadable))
    return journal


def _unreadable(name: str, why: str) -> Diagnostic:
    return Diagnostic(0, "warning", "unreadable-file", f"{name}: skipped, {why}", name)


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
