"""A parsed journal as bytes to keep, and back (pure).

Parsing 30 years of daily entries takes a quarter of a second, on every run, for a file that
has not changed since the last one. A snapshot holds what the parse found in one file's bytes:
every entry's line numbers, level, heading and dates, the sections, the diagnostics. It does
not hold the journal's text: an entry's text is where `span` says in the file's own bytes,
which the snapshot is only ever thawed with (`thaw` is given those bytes and decodes each
entry's text from them).

A snapshot is sealed (`files.seal`): `thaw` refuses (ValueError) one of another parser, of
other bytes, damaged or cut. Whoever keeps snapshots (`source.py`) then parses again.
"""

from __future__ import annotations

import hashlib
from datetime import date
from functools import cache
from typing import cast

from reviewer import __version__
from reviewer.files import code_digest, seal, unseal
from reviewer.journal import dates, outline, parse
from reviewer.journal.parse import Diagnostic, Entry, Journal, Section, normalized

__all__ = ["freeze", "parse_name", "thaw"]

FORMAT = 1
_KIND = "journal-snapshot"

# line, end_line, level, heading, title, start, end (ordinals), span, repaired, text digest
_EntryRow = tuple[int, int, int, str, str, int, int, int, int, bool, str]
_Place = tuple[int, int, str, int, int, bool]  # line, end_line, heading, span, has body
_DiagnosticRow = tuple[int, str, str, str]
_Rows = tuple[list[_EntryRow], _Place | None, list[_Place], list[_Place], list[_DiagnosticRow], int]


@cache
def _parser() -> str:
    """A digest of the parser's code and the release: what else decides a parse."""
    return code_digest(f"{FORMAT} {__version__}", (parse, dates, outline))


def parse_name(data: bytes) -> str:
    """A name for the parse of a journal file's bytes: this parser and a digest of the bytes
    (two parses of one name are the same journal)."""
    return f"{_parser()}-{hashlib.sha256(data).hexdigest()}"


def freeze(journal: Journal, name: str) -> bytes:
    """The snapshot of `journal`, parsed from bytes whose `parse_name` is `name`."""
    rows: _Rows = (
        [
            (
                e.line,
                e.end_line,
                e.level,
                e.heading,
                e.title,
                e.start.toordinal(),
                e.end.toordinal(),
                e.span[0],
                e.span[1],
                e.repaired,
                e.digest,
            )
            for e in journal.entries
        ],
        _place(journal.preamble) if journal.preamble else None,
        [_place(s) for s in journal.sections],
        [_place(s) for s in journal.undatable],
        [(d.line, d.severity, d.code, d.message) for d in journal.diagnostics],
        journal.line_count,
    )
    return seal(_KIND, _parser(), name, rows)


def thaw(snapshot: bytes, data: bytes, source: str, name: str) -> Journal:
    """The journal a snapshot holds, its texts read from `data` (the bytes it was parsed
    from, after any BOM; `name` is their `parse_name`); ValueError when the snapshot is not
    exactly one of these bytes, by this parser, whole."""
    rows = cast(_Rows, unseal(snapshot, _KIND, _parser(), name))
    try:
        return _journal(rows, normalized(data), source)
    except (TypeError, ValueError, IndexError, OverflowError) as err:
        raise ValueError(f"a snapshot not in the expected form ({err})") from None


def _place(section: Section) -> _Place:
    return (
        section.line,
        section.end_line,
        section.heading,
        section.span[0],
        section.span[1],
        bool(section.body),
    )


def _journal(rows: _Rows, data: bytes, source: str) -> Journal:
    entry_rows, preamble, section_rows, undatable_rows, diagnostic_rows, line_count = rows
    day = date.fromordinal
    entries = tuple(
        Entry(
            line,
            end_line,
            level,
            heading,
            title,
            day(start),
            day(end),
            data[s:e].decode("utf-8", "surrogatepass"),
            repaired,
            source,
            (s, e),
            digest,
        )
        for line, end_line, level, heading, title, start, end, s, e, repaired, digest in entry_rows
    )
    return Journal(
        entries=entries,
        preamble=_section(preamble, data) if preamble is not None else None,
        sections=tuple(_section(row, data) for row in section_rows),
        undatable=tuple(_section(row, data) for row in undatable_rows),
        diagnostics=tuple(
            Diagnostic(line, severity, code, message, source)
            for line, severity, code, message in diagnostic_rows
        ),
        line_count=line_count,
        source=source,
    )


def _section(row: _Place, data: bytes) -> Section:
    line, end_line, heading, s, e, has_body = row
    body = tuple(data[s:e].decode("utf-8", "surrogatepass").split("\n")) if has_body else ()
    return Section(line, end_line, heading, body, (s, e))
