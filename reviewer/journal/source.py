"""Read a journal from disk: a single Markdown file or a folder of daily notes.

The I/O edge in front of `journal.py`: bytes are read and decoded here (UTF-8 with or without
BOM, UTF-16 with BOM, GBK/GB18030 as a fallback for legacy Chinese files), and every problem
becomes an `InputError` with a message that names the file.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

from reviewer.errors import EXIT_NO_INPUT, InputError
from reviewer.journal.parse import Journal, parse_journal, parse_notes

__all__ = ["decode", "load_journal"]

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
    if text is None or len(_CONTROL.findall(text[:8192])) > 8:
        raise InputError(
            f"{name}: not UTF-8, UTF-16 or GBK text; convert it "
            "(e.g. `iconv -f ENCODING -t UTF-8`) or pass --encoding"
        )
    return text


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def load_journal(path: Path, encoding: str | None = None) -> Journal:
    """Read and parse the journal at `path` (a file, or a folder of YYYY-MM-DD.md notes)."""
    if not path.exists():
        raise InputError(
            f"{path}: no such file or folder; pass --journal PATH or set REVIEWER_JOURNAL",
            EXIT_NO_INPUT,
        )
    if path.is_dir():
        return _load_folder(path, encoding)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InputError(f"{path}: cannot read: {err.strerror}", EXIT_NO_INPUT) from None
    if not data.strip():
        raise InputError(f"{path}: the file is empty; write a first entry like '### 2020-02-24'")
    text = decode(data, str(path), encoding)
    return parse_journal(text, source=str(path))


def _load_folder(path: Path, encoding: str | None) -> Journal:
    """Daily notes anywhere under `path` (hidden folders such as .obsidian are skipped)."""
    notes: list[tuple[str, date, str]] = []
    skipped: list[str] = []
    for folder, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            relative = os.path.relpath(os.path.join(folder, name), path)
            match = _NOTE_NAME.match(name)
            day = _make_date(int(match[1]), int(match[3]), int(match[4])) if match else None
            if day is None:
                skipped.append(relative)
                continue
            data = Path(folder, name).read_bytes()
            notes.append((relative, day, decode(data, str(path / relative), encoding)))
    if not notes:
        raise InputError(
            f"{path}: no daily notes named like 2020-02-24.md (or 2020_02_24.md) in this folder",
            EXIT_NO_INPUT,
        )
    return parse_notes(notes, skipped, source=str(path))


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
