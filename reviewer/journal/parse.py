"""Parse journal text into dated entries, undated sections and diagnostics.

Pure: takes `str`, never opens files (reading bytes and decoding them is `source.py`'s job).
Every line of the text ends up in exactly one place: the preamble (front matter, title, quote),
a dated entry (its heading line and the lines up to the next entry or section), or an undated
section (`## 🤔自省🤔`, `## Done`, ...). Human slips in dates are repaired where the journal's
own order proves the fix, and reported either way.
"""

from __future__ import annotations

import hashlib
import operator
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple, cast, overload

from reviewer.journal.dates import (
    LOOKS_LIKE_DATE,
    Draft,
    RawDate,
    Report,
    make_date,
    parse_date_heading,
    range_end,
    repair_dates,
)
from reviewer.journal.outline import FENCE

__all__ = [
    "Columns",
    "Diagnostic",
    "Entry",
    "EntryTable",
    "Journal",
    "Section",
    "by_start",
    "columns_of",
    "parse_date_heading",
    "parse_journal",
    "parse_notes",
    "split_lines",
    "text_at",
    "text_digest",
    "texts_from_end",
]

# Any line _HEADING, FENCE, _BOLD_DATE or _STAMP can match starts like this (and a line that
# starts otherwise is plain body text).
_SPECIAL = re.compile(r"^(?:[ \t]*(?:```|~~~)|#{1,6}[ \t\u3000]|\*\*|__|\[\d{4}-)", re.MULTILINE)
# The same lines and more, found in the UTF-8 bytes (\d and \u3000 are not bytes).
_SPECIAL_BYTES = re.compile(rb"(?:[ \t]*(?:```|~~~)|#|\*\*|__|\[)")
_SPECIAL_AFTER_NEWLINE = re.compile(rb"\n" + _SPECIAL_BYTES.pattern)
_NOT_A_RULE = re.compile(r"[^\s*_-]")  # \s: what str.strip() strips
_PASS = "surrogatepass"  # a str with a lone surrogate survives the round trip through bytes
_LF = ord("\n")
_HEADING = re.compile(r"^(#{1,6})[ \t\u3000]+(.*?)[ \t\u3000]*$")
# Lines that head an entry without being Markdown headings: a bold date alone on its line
# (`**2026-11-23**`) and jrnl's time stamps (`[2026-11-23 09:00] title`).
_BOLD_DATE = re.compile(r"^(\*\*|__)(?P<date>[^*_]{6,40}?)\1(?P<rest>[^*]*?)[ \t\u3000]*$")
_STAMP = re.compile(
    r"^\[(?P<date>\d{4}-\d{1,2}-\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?)?\]"
    r"(?![(\[:])(?P<rest>.*)$"  # not a link `[2026-11-23](url)` nor a reference `[…]: url`
)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the journal, tied to a line."""

    line: int
    severity: str  # "error" | "warning" | "info"
    code: str
    message: str
    source: str = ""


class Entry(NamedTuple):
    """A dated entry: its heading line, the dates it covers and the lines under it.

    A tuple (a 30-year journal has 11,000 entries, made on every run from its snapshot: a
    tuple is made at C speed, a frozen dataclass by a Python `__init__`). Entries are equal
    when all but `span`, `digest` and `written` are: the same entry written lower in the file
    is the same entry, as it was a dataclass whose `span` and `digest` were not compared.

    An entry read from a snapshot holds, in place of its text, a memoryview of the whole
    file's UTF-8 bytes (one for all entries), and its text is decoded from `span` when `text`
    is read (`_text`): a week's review reads the texts of its last weeks, and decoding 30
    years of them took longer than the rest of reading the snapshot."""

    line: int  # 1-based line of the heading
    end_line: int  # last line that belongs to the entry
    level: int
    heading: str  # the heading text, as written (without the #s)
    title: str  # what follows the date on the heading line, if anything
    start: date
    end: date
    text: str  # the lines after the heading, up to end_line, joined by newlines
    repaired: bool = False
    source: str = ""  # file the entry came from, for folders of daily notes
    # Where `text` is in the file's UTF-8 bytes (after a BOM, line ends made LF): what a
    # snapshot of the parse keeps instead of the text (`snapshot.py`).
    span: tuple[int, int] = (0, 0)
    # A name for `text` (`text_digest`): what the facts an earlier run found in it are kept by.
    digest: str = ""
    # `has_content`, when worked out where the entry was made (None: from `text` when asked).
    written: bool | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Entry):
            return NotImplemented
        return self._compared() == other._compared()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._compared())

    def _compared(self) -> tuple[object, ...]:
        return (*self[:_TEXT], self.text, *self[_TEXT + 1 : _COMPARED])

    def compared(self) -> dict[str, object]:
        """The fields two entries are compared by, by name."""
        return dict(zip(self._fields[:_COMPARED], self._compared(), strict=True))

    @property
    def body(self) -> tuple[str, ...]:
        """The lines after the heading, up to end_line. Kept as one string (`text`) and split
        when asked: a line is a Python object of its own, and a journal's million lines as
        objects took twice the memory of its text."""
        return tuple(self.text.split("\n")) if self.end_line > self.line else ()

    @property
    def days(self) -> list[date]:
        """Every day the entry covers, oldest first."""
        return [self.start + timedelta(n) for n in range((self.end - self.start).days + 1)]

    def numbered_body(self) -> Iterable[tuple[int, str]]:
        """Body lines with their 1-based line numbers."""
        return enumerate(self.body, start=self.line + 1)

    @property
    def has_content(self) -> bool:
        """True when anything but blank lines and rules is written under the heading."""
        return self.written if self.written is not None else has_content(self.text)


def has_content(text: str) -> bool:
    """True when anything but blank lines and rules is in an entry's `text`."""
    if _NOT_A_RULE.search(text):  # a character that no blank line or rule holds
        return True
    return any(ln.strip() and ln.strip() not in {"---", "***", "___"} for ln in text.split("\n"))


_TEXT = Entry._fields.index("text")
_COMPARED = Entry._fields.index("span")  # the fields before `span` are those compared
_SPAN = Entry._fields.index("span")


def _text(entry: Entry) -> str:
    text = cast("str | memoryview", tuple.__getitem__(entry, _TEXT))
    if isinstance(text, str):
        return text
    begin, end = cast("tuple[int, int]", tuple.__getitem__(entry, _SPAN))  # in the file's bytes
    return str(text[begin:end], "utf-8", _PASS)


# `text` read through `_text`: a snapshot's entries hold their bytes (see Entry).
setattr(Entry, "text", property(_text, doc="The lines after the heading, joined by newlines."))  # noqa: B010


class Columns(NamedTuple):
    """What a scan of a whole journal reads of each entry, one column each, in file order."""

    starts: array[int]  # date.toordinal() of `start`
    ends: array[int]  # of `end`
    lines: array[int]  # `line`
    written: bytes  # `has_content`: 1 or 0
    sources: list[str]  # `source`


def columns_of(entries: Sequence[Entry]) -> Columns:
    """The columns of `entries`: those an `EntryTable` keeps, else read from each entry (for
    a tuple, once however many ask: a review's history and its journaled days both do)."""
    global _last_columns
    if isinstance(entries, EntryTable):
        return entries.columns
    if _last_columns is not None and _last_columns[0] is entries:
        return _last_columns[1]
    columns = Columns(
        array("q", map(date.toordinal, map(_START, entries))),
        array("q", map(date.toordinal, map(_END, entries))),
        array("q", map(_LINE, entries)),
        bytes(map(_HAS_CONTENT, entries)),
        list(map(_SOURCE, entries)),
    )
    if type(entries) is tuple:  # a list could change under the columns kept
        _last_columns = (entries, columns)
    return columns


def by_start(entries: Sequence[Entry]) -> array[int]:
    """The indexes of `entries` sorted by start (file order among those of one day), worked
    out once however many ask (`columns_of`)."""
    global _last_order
    columns = columns_of(entries)
    if _last_order is None or _last_order[0] is not columns:
        starts = columns.starts
        _last_order = (columns, array("q", sorted(range(len(starts)), key=starts.__getitem__)))
    return _last_order[1]


_last_columns: tuple[Sequence[Entry], Columns] | None = None
_last_order: tuple[Columns, array[int]] | None = None


_START, _END = operator.attrgetter("start"), operator.attrgetter("end")
_LINE, _SOURCE = operator.attrgetter("line"), operator.attrgetter("source")
_HAS_CONTENT = operator.attrgetter("has_content")


class EntryTable(Sequence[Entry]):
    """A journal's entries kept as columns (`snapshot.thaw`), each made an `Entry` when it is
    first asked for: a week's review of 30 years reads the entries of its last weeks, and
    what it needs of the rest (dates, lines, what is written) from `columns`, not from
    11,000 tuples made on every run. Iterating makes them all at once (C code, `make`); it
    equals, and hashes as, the tuple of its entries."""

    __slots__ = ("_all", "_count", "_made", "_make", "columns", "digests")

    def __init__(
        self,
        count: int,
        make: Callable[[int, int], Iterable[Entry]],
        columns: Columns,
        digests: str,
    ) -> None:
        self._count = count
        self._make = make  # the entries from one index to another
        self._made: dict[int, Entry] = {}
        self._all: tuple[Entry, ...] | None = None
        self.columns = columns
        self.digests = digests  # each entry's `digest` (32 hex digits), joined

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Entry, ...]: ...

    def __getitem__(self, index: int | slice) -> Entry | tuple[Entry, ...]:
        if self._all is not None:
            return self._all[index]
        if isinstance(index, slice):
            return tuple(map(self._one, range(*index.indices(self._count))))
        return self._one(operator.index(index))

    def _one(self, index: int) -> Entry:
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("entry index out of range")
        made = self._made.get(index)
        if made is None:
            (made,) = self._make(index, index + 1)
            self._made[index] = made
        return made

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.all())

    def all(self) -> tuple[Entry, ...]:
        """Every entry, in file order (those made already are the same objects)."""
        if self._all is None:
            made = list(self._make(0, self._count))
            for index, entry in self._made.items():
                made[index] = entry
            self._all, self._made = tuple(made), {}
        return self._all

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EntryTable):
            other = other.all()
        return self.all() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self.all())

    def __repr__(self) -> str:
        return repr(self.all())


@dataclass(frozen=True, slots=True)
class Section:
    """A run of lines outside dated entries: the preamble or an undated section."""

    line: int  # first line
    end_line: int
    heading: str  # the heading text, "" for the preamble
    body: tuple[str, ...]  # lines after `line` (for the preamble: all its lines from `line`)
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)  # body's bytes


@dataclass(frozen=True, slots=True)
class Journal:
    """The parsed journal: entries in file order, preamble, undated sections, diagnostics."""

    entries: tuple[Entry, ...] | EntryTable  # a table: read back from a snapshot
    preamble: Section | None
    sections: tuple[Section, ...]
    undatable: tuple[Section, ...]  # entries whose heading date could not be read or repaired
    diagnostics: tuple[Diagnostic, ...]
    line_count: int
    source: str = ""

    @property
    def errors(self) -> list[Diagnostic]:
        """Diagnostics of severity error."""
        return [d for d in self.diagnostics if d.severity == "error"]


def split_lines(text: str) -> list[str]:
    """Split on LF, CRLF or CR only (not on U+2028 and friends), as editors number lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def parse_journal(text: str | bytes, source: str = "") -> Journal:
    """Parse a whole journal file's text (a str, or its UTF-8 bytes).

    The text is read as UTF-8 bytes: only the lines that can start an entry or a section are
    decoded one by one, and each entry's text once, so the journal is never held as one str
    as well as in entries (one emoji makes a whole str four bytes a character: a journal of
    63 MB took 144 MB as a str)."""
    data = normalized(text.encode("utf-8", _PASS) if isinstance(text, str) else text)
    line_count = data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)
    scanned = scan(data, source)
    diagnostics = scanned.diagnostics

    def report(line: int, severity: str, code: str, message: str) -> None:
        diagnostics.append(Diagnostic(line, severity, code, message, source))

    repair_dates(scanned.drafts, report)
    entries, undatable = finish(scanned.drafts, report, source, data)
    if not entries and line_count:
        report(1, "error", "no-entries", "no date headings found (expected '### 2020-02-24')")
    diagnostics.sort(key=lambda d: (d.line, d.severity))
    return Journal(
        entries=tuple(entries),
        preamble=scanned.preamble,
        sections=tuple(scanned.sections),
        undatable=tuple(undatable),
        diagnostics=tuple(diagnostics),
        line_count=line_count,
        source=source,
    )


@dataclass(slots=True)
class Scanned:
    """Where the lines of a stretch of a journal go, before dates are checked and repaired."""

    drafts: list[Draft]  # the entries, in file order
    sections: list[Section]
    diagnostics: list[Diagnostic]
    preamble: Section | None
    in_fence: bool  # whether the stretch ends inside a code fence


def scan(data: bytes, source: str = "", begin: int = 0, end: int = -1, index: int = 0) -> Scanned:
    """Where the lines of `data[begin:end]` go (the whole of `data`, line ends made LF, by
    default). From 0 that is a file's lines, its preamble first; from any other `begin`, the
    stretch must start with a Markdown date heading (line `index` + 1), whose entry depends on
    no line before it: what a snapshot parses again of an edited journal (`snapshot.py`)."""
    end = len(data) if end < 0 else end
    drafts: list[Draft] = []
    sections: list[Section] = []
    diagnostics: list[Diagnostic] = []
    preamble_end = 0  # number of lines in the preamble
    preamble_upto = end  # where the preamble's text ends

    # Where the lines go: "pre" (the preamble), "entry" (drafts[-1]) or "section"; "before"
    # until the first heading of a stretch that does not start the file. Every place holds
    # consecutive lines, so a place is the text from `region` (the byte offset of its first
    # line) to where the next place starts: no line is ever an object of its own.
    where = "pre" if begin == 0 else "before"
    region = begin
    section_start = 0
    section_level = 0
    section_heading = ""
    in_fence = False

    def close(lineno: int, upto: int) -> None:
        """End the current place before line `lineno`, which starts at offset `upto`."""
        nonlocal preamble_end, preamble_upto
        if where == "pre":
            preamble_end, preamble_upto = lineno - 1, upto
        elif where == "entry":
            drafts[-1].text, drafts[-1].lines, drafts[-1].span = _region(data, region, upto)
        elif where == "section":
            body, count, span = _region(data, region, upto)
            lines = tuple(body.split("\n")) if count else ()
            sections.append(Section(section_start, lineno - 1, section_heading, lines, span))

    first = front_matter_end(data) if begin == 0 else index
    for idx, offset in _special_lines(data, first, begin, end, index):
        stop = data.find(b"\n", offset)
        line = (data[offset:] if stop < 0 else data[offset:stop]).decode("utf-8", _PASS)
        if not _SPECIAL.match(line):
            continue  # only the bytes' quick test took it for one
        after = len(data) if stop < 0 else stop + 1  # where the next line starts
        lineno = idx + 1
        heading = None
        fence = FENCE.match(line)
        if fence and line.count(fence.group(1)) % 2 == 1:
            in_fence = not in_fence
        elif not in_fence:
            heading = _HEADING.match(line)
        pseudo = None if heading or in_fence else _pseudo_heading(line)
        if pseudo is not None:
            # It takes the level of the dated headings around it, so sections nest as usual.
            level = drafts[-1].level if drafts else 6
            close(lineno, offset)
            where, region = "entry", after
            drafts.append(
                Draft(lineno, level, line.strip(), pseudo, make_date(pseudo.y, pseudo.m, pseudo.d))
            )
            continue
        if heading:
            level = len(heading.group(1))
            raw = parse_date_heading(heading.group(2))
            unread = raw is None and LOOKS_LIKE_DATE.match(heading.group(2)) is not None
            if unread and where == "entry" and level <= drafts[-1].level:
                diagnostics.append(
                    Diagnostic(
                        lineno,
                        "warning",
                        "date-unread",
                        f"'{heading.group(2)}' looks like a date heading but is not a date "
                        "form reviewer reads (write it as YYYY-MM-DD); its lines are read "
                        f"as part of the entry on line {drafts[-1].line}",
                        source,
                    )
                )
            if raw is not None:
                close(lineno, offset)
                where, region = "entry", after
                drafts.append(
                    Draft(lineno, level, heading.group(2), raw, make_date(raw.y, raw.m, raw.d))
                )
                continue
            # A heading that is not a date, at the dated headings' level or above
            # (`## Questions to ask` after `## 2026-11-17`), starts an undated section.
            # A date-like heading that could not be read stays in its entry, flagged above.
            opens_section = (
                where == "entry"
                and (level < drafts[-1].level or (level == drafts[-1].level and not unread))
            ) or (where == "section" and level <= section_level)
            if opens_section:
                close(lineno, offset)
                where, region = "section", after
                section_start, section_level, section_heading = lineno, level, heading.group(2)
        # Any other line stays in the current place.
    partial = 1 if end > begin and data[end - 1] != _LF else 0  # a last line with no newline
    close(index + data.count(b"\n", begin, end) + partial + 1, end)

    preamble = None
    if preamble_end:
        body, _, span = _region(data, 0, preamble_upto)
        preamble = Section(1, preamble_end, "", tuple(body.split("\n")), span)
    return Scanned(drafts, sections, diagnostics, preamble, in_fence)


def texts_from_end(data: bytes, near: int) -> Iterator[tuple[int, int, str]]:
    """Where the text of each entry of `data` (a journal's UTF-8 bytes, line ends made LF)
    is, from the last entry back to the first Markdown date heading at or after byte `near`,
    and the text's digest: (start, end, digest) as `parse_journal` finds them there, unless a
    line before `near` changes where lines go (a code fence open across it). What a second
    process extracts while this one parses the whole journal (`parallel`); facts are kept by
    the digest of the text, so a text told apart otherwise there is only work lost. Read a
    megabyte at a time (from one date heading to another) as they are asked for: the second
    process extracts the last entry as soon as it has read the journal's last megabyte, and
    holds one megabyte's texts at once."""
    for begin, end in reversed(_pieces_after(data, near)):
        yield from reversed(_texts(data, begin, end))


def _pieces_after(data: bytes, near: int) -> list[tuple[int, int]]:
    """The stretches of `data` from its first date heading at or after `near` to the end,
    each about a megabyte and starting at a date heading (whose entry depends on no line
    before it)."""
    pieces: list[tuple[int, int]] = []
    begin = _date_heading_from(data, near)
    while begin is not None:
        end = _date_heading_from(data, begin + _PIECE)
        pieces.append((begin, len(data) if end is None else end))
        begin = end
    return pieces


def _texts(data: bytes, begin: int, end: int) -> list[tuple[int, int, str]]:
    view = memoryview(data)
    return [
        (*draft.span, text_digest(view[slice(*draft.span)]))
        for draft in scan(data, begin=begin, end=end).drafts
    ]


def text_at(data: bytes, span: tuple[int, int]) -> str:
    """The text of `data` (UTF-8 bytes) at `span`, as the parse decodes it."""
    return data[span[0] : span[1]].decode("utf-8", _PASS)


_PIECE = 1 << 20


def _date_heading_from(data: bytes, offset: int) -> int | None:
    """Where the first line at or after `offset` that is a Markdown date heading starts."""
    for match in _SPECIAL_AFTER_NEWLINE.finditer(data, max(offset - 1, 0)):
        start = match.start() + 1
        stop = data.find(b"\n", start)
        line = (data[start:] if stop < 0 else data[start:stop]).decode("utf-8", _PASS)
        heading = _HEADING.match(line)
        if heading and parse_date_heading(heading.group(2)) is not None:
            return start
    return None


def normalized(data: bytes) -> bytes:
    """A journal's UTF-8 bytes with every line ending (CRLF, CR) made LF, as parsed."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _region(data: bytes, start: int, upto: int) -> tuple[str, int, tuple[int, int]]:
    """The lines from offset `start` (a line's start) to `upto` (the next place's first line,
    or the end), decoded and joined by newlines, how many lines they are, and where their
    text is in `data`."""
    if upto <= start:
        return "", 0, (start, start)
    end = upto - 1 if data[upto - 1 : upto] == b"\n" else upto
    body = data[start:end]
    return body.decode("utf-8", _PASS), body.count(b"\n") + 1, (start, end)


def _special_lines(
    data: bytes, start: int, begin: int, end: int, index: int
) -> Iterator[tuple[int, int]]:
    """(index, offset) of the lines (from index `start`) that may change where lines go: code
    fences, Markdown headings and the lines that head an entry without being one (a superset:
    the caller tests each with _SPECIAL), in `data[begin:end]`, whose first line has index
    `index`. Found by one regex over the whole text, so that the Python loop runs once per
    heading, not once per line: a 30-year journal has 270,000 lines and 11,000 headings."""
    if index >= start and begin < end and _SPECIAL_BYTES.match(data, begin):
        yield index, begin
    last = begin
    # A newline, then what starts a special line: a literal to scan for, three times faster
    # than `^` in MULTILINE mode, which is tried at every byte.
    for match in _SPECIAL_AFTER_NEWLINE.finditer(data, begin, end):
        line = match.start() + 1
        index += data.count(b"\n", last, line)
        last = line
        if index >= start:
            yield index, line


def _pseudo_heading(line: str) -> RawDate | None:
    """The date of a bold-date or jrnl time-stamp line, else None."""
    for pattern in (_BOLD_DATE, _STAMP):
        match = pattern.match(line)
        if match is None:
            continue
        raw = parse_date_heading(match["date"].strip())
        if raw is not None:
            rest = match["rest"].strip(" \t\u3000")
            raw.title = " ".join(part for part in (raw.title, rest) if part)
            return raw
    return None


def front_matter_end(data: bytes) -> int:
    """Index of the first line after Jekyll front matter (0 when there is none)."""
    lines = _lines(data)
    if next(lines, "").strip() != "---":
        return 0
    for idx, line in enumerate(lines, start=1):
        if line.strip() in {"---", "..."}:
            return idx + 1
    return 0


def _lines(data: bytes) -> Iterator[str]:
    """The lines of `data`, one at a time (as split_lines, without a list of them all)."""
    start = 0
    while start < len(data):
        end = data.find(b"\n", start)
        if end < 0:
            yield data[start:].decode("utf-8", _PASS)
            return
        yield data[start:end].decode("utf-8", _PASS)
        start = end + 1


def text_digest(text: bytes | memoryview) -> str:
    """A stable name for an entry's text, from its UTF-8 bytes."""
    return hashlib.blake2b(text, digest_size=16).hexdigest()


def finish(
    drafts: list[Draft], report: Report, source: str, data: bytes
) -> tuple[list[Entry], list[Section]]:
    """Resolve range ends and turn drafts into entries; drafts with no usable date become
    sections of their own (their error is already reported), so no line is lost."""
    view = memoryview(data)
    entries: list[Entry] = []
    undatable: list[Section] = []
    for draft in drafts:
        if draft.start is None:
            body = tuple(draft.text.split("\n")) if draft.lines else ()
            undatable.append(
                Section(draft.line, draft.line + draft.lines, draft.heading, body, draft.span)
            )
            continue
        start = draft.start
        end, repaired = range_end(draft, start, report)
        entries.append(
            Entry(
                line=draft.line,
                end_line=draft.line + draft.lines,
                level=draft.level,
                heading=draft.heading,
                title=draft.raw.title,
                start=start,
                end=end,
                text=draft.text,
                repaired=draft.repaired or repaired,
                source=source,
                span=draft.span,
                digest=text_digest(view[draft.span[0] : draft.span[1]]),
            )
        )
    return entries, undatable


def parse_notes(
    notes: Iterable[tuple[str, date, str]], skipped: Iterable[str] = (), source: str = ""
) -> Journal:
    """Build a journal from daily notes: (file name, its date, its text), one entry per file;
    `skipped` names the other files of the folder, reported so nothing is silently ignored."""
    entries = []
    count = 0
    for name, day, text in sorted(notes, key=lambda n: (n[1], n[0]), reverse=True):
        lines = split_lines(text)
        count += len(lines)
        body = "\n".join(lines)
        entries.append(
            Entry(
                line=0,
                end_line=len(lines),
                level=0,
                heading=name,
                title="",
                start=day,
                end=day,
                text=body,
                source=name,
                digest=text_digest(body.encode("utf-8", _PASS)),
            )
        )
    diagnostics = tuple(
        Diagnostic(0, "info", "skipped-file", f"{name}: not a daily note named YYYY-MM-DD.md", name)
        for name in skipped
    )
    return Journal(tuple(entries), None, (), (), diagnostics, count, source)
