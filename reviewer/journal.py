"""Parse journal text into dated entries, undated sections and diagnostics.

Pure: takes `str`, never opens files (reading bytes and decoding them is `source.py`'s job).
Every line of the text ends up in exactly one place: the preamble (front matter, title, quote),
a dated entry (its heading line and the lines up to the next entry or section), or an undated
section (`## 🤔自省🤔`, `## Done`, ...). Human slips in dates are repaired where the journal's
own order proves the fix, and reported either way.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "Diagnostic",
    "Entry",
    "Journal",
    "Section",
    "parse_date_heading",
    "parse_journal",
    "parse_notes",
    "split_lines",
]

_HEADING = re.compile(r"^(#{1,6})[ \t\u3000]+(.*?)[ \t\u3000]*$")
_DATE = r"(?P<y>\d{4,5})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
_RANGE_END = r"(?:(?:(?P<ey>\d{4,5})-)?(?P<em>\d{1,2})-)?(?P<ed>\d{1,2})"
_RANGE_SEP = r"[ \t\u3000]*(?:~|～|-|/|–|—|至|to)[ \t\u3000]*"
_DATE_HEADING = re.compile(rf"^{_DATE}(?!\d)(?:{_RANGE_SEP}{_RANGE_END}(?!\d))?(?P<rest>.*)$")
_TITLE_TRIM = " \t\u3000-–—:：|·,，"
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
# A range longer than this is more likely a typo than a holiday.
_LONG_RANGE_DAYS = 31


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding about the journal, tied to a line."""

    line: int
    severity: str  # "error" | "warning" | "info"
    code: str
    message: str
    source: str = ""


@dataclass(frozen=True, slots=True)
class Entry:
    """A dated entry: its heading line, the dates it covers and the lines under it."""

    line: int  # 1-based line of the heading
    end_line: int  # last line that belongs to the entry
    level: int
    heading: str  # the heading text, as written (without the #s)
    title: str  # what follows the date on the heading line, if anything
    start: date
    end: date
    body: tuple[str, ...]  # lines after the heading, up to end_line
    repaired: bool = False
    source: str = ""  # file the entry came from, for folders of daily notes

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
        return any(ln.strip() and ln.strip() not in {"---", "***", "___"} for ln in self.body)


@dataclass(frozen=True, slots=True)
class Section:
    """A run of lines outside dated entries: the preamble or an undated section."""

    line: int  # first line
    end_line: int
    heading: str  # the heading text, "" for the preamble
    body: tuple[str, ...]  # lines after `line` (for the preamble: all its lines from `line`)


@dataclass(frozen=True, slots=True)
class Journal:
    """The parsed journal: entries in file order, preamble, undated sections, diagnostics."""

    entries: tuple[Entry, ...]
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


@dataclass(slots=True)
class _RawDate:
    """A date heading as written, before validation and repair."""

    y: int
    m: int
    d: int
    ey: int | None
    em: int | None
    ed: int | None
    title: str


def parse_date_heading(text: str) -> _RawDate | None:
    """Read `2020-02-29 ~ 2020-03-02 title` style heading text; None if it is no date heading."""
    match = _DATE_HEADING.match(text)
    if not match:
        return None
    g = match.groupdict()
    rest = g["rest"] or ""
    # "2020-02-24abc" is not a date heading; "2020-02-24 title", "2020-02-24：title" and
    # "2020-02-24周一" are.
    if rest[:1].isascii() and rest[:1].isalnum():
        return None
    return _RawDate(
        y=int(g["y"]),
        m=int(g["m"]),
        d=int(g["d"]),
        ey=int(g["ey"]) if g["ey"] else None,
        em=int(g["em"]) if g["em"] else None,
        ed=int(g["ed"]) if g["ed"] else None,
        title=rest.strip(_TITLE_TRIM),
    )


def _make_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


@dataclass(slots=True)
class _Draft:
    """An entry under construction: dates may still be missing or wrong."""

    line: int
    level: int
    heading: str
    raw: _RawDate
    start: date | None
    body: list[str] = field(default_factory=list)
    repaired: bool = False


def parse_journal(text: str, source: str = "") -> Journal:
    """Parse a whole journal file's text."""
    lines = split_lines(text)
    drafts: list[_Draft] = []
    sections: list[Section] = []
    diagnostics: list[Diagnostic] = []
    preamble_end = 0  # number of lines in the preamble

    # State: where the current line goes. ("pre", None) | ("entry", draft) | ("section", idx)
    where = "pre"
    section_start = 0
    section_level = 0
    section_heading = ""
    section_lines: list[str] = []
    in_fence = False

    def close_section(last_line: int) -> None:
        sections.append(Section(section_start, last_line, section_heading, tuple(section_lines)))

    start_index = _front_matter_end(lines)
    for idx, line in enumerate(lines):
        lineno = idx + 1
        heading = None
        if idx >= start_index:
            fence = _FENCE.match(line)
            if fence and line.count(fence.group(1)) % 2 == 1:
                in_fence = not in_fence
            elif not in_fence:
                heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            raw = parse_date_heading(heading.group(2))
            if raw is not None:
                if where == "section":
                    close_section(lineno - 1)
                elif where == "pre":
                    preamble_end = lineno - 1
                where = "entry"
                drafts.append(
                    _Draft(lineno, level, heading.group(2), raw, _make_date(raw.y, raw.m, raw.d))
                )
                continue
            opens_section = (where == "entry" and level < drafts[-1].level) or (
                where == "section" and level <= section_level
            )
            if opens_section:
                if where == "section":
                    close_section(lineno - 1)
                where = "section"
                section_start, section_level, section_heading = lineno, level, heading.group(2)
                section_lines = []
                continue
        if where == "entry":
            drafts[-1].body.append(line)
        elif where == "section":
            section_lines.append(line)
    if where == "pre":
        preamble_end = len(lines)
    elif where == "section":
        close_section(len(lines))

    preamble = Section(1, preamble_end, "", tuple(lines[:preamble_end])) if preamble_end else None
    diagnostics.extend(_repair_dates(drafts, source))
    entries, undatable = _finish(drafts, diagnostics, source)
    if not entries and lines:
        diagnostics.append(
            Diagnostic(
                1,
                "error",
                "no-entries",
                "no date headings found (expected lines like '### 2020-02-24')",
                source,
            )
        )
    diagnostics.sort(key=lambda d: (d.line, d.severity))
    return Journal(
        entries=tuple(entries),
        preamble=preamble,
        sections=tuple(sections),
        undatable=tuple(undatable),
        diagnostics=tuple(diagnostics),
        line_count=len(lines),
        source=source,
    )


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after Jekyll front matter (0 when there is none)."""
    if not lines or lines[0].strip() != "---":
        return 0
    for idx in range(1, len(lines)):
        if lines[idx].strip() in {"---", "..."}:
            return idx + 1
    return 0


def _ascending(drafts: list[_Draft]) -> bool:
    """True when the journal is written oldest first (most adjacent dated pairs go up)."""
    up = down = 0
    prev: date | None = None
    for draft in drafts:
        if draft.start is None:
            continue
        if prev is not None:
            if draft.start > prev:
                up += 1
            elif draft.start < prev:
                down += 1
        prev = draft.start
    return up > down


def _backbone(keys: list[tuple[int, int]]) -> set[int]:
    """Indices of a longest non-decreasing subsequence of (key, index) pairs, O(n log n)."""
    tails: list[int] = []  # key of the last element of the best run of each length
    tail_idx: list[int] = []
    parent: dict[int, int] = {}
    for key, idx in keys:
        pos = bisect_right(tails, key)
        if pos > 0:
            parent[idx] = tail_idx[pos - 1]
        if pos == len(tails):
            tails.append(key)
            tail_idx.append(idx)
        else:
            tails[pos] = key
            tail_idx[pos] = idx
    chosen: set[int] = set()
    cur = tail_idx[-1] if tail_idx else None
    while cur is not None:
        chosen.add(cur)
        cur = parent.get(cur)
    return chosen


def _repair_dates(drafts: list[_Draft], source: str) -> list[Diagnostic]:
    """Fix year slips that the journal's order proves; flag what it contradicts but cannot fix.

    The backbone is the longest run of headings in journal order (newest first or oldest first,
    whichever the file mostly is). A heading off the backbone is checked against the nearest
    backbone headings above and below: if exactly one of their years puts it between them, the
    order proves the slip and it is repaired; otherwise it is reported and left as written.
    """
    found: list[Diagnostic] = []
    sign = 1 if _ascending(drafts) else -1
    keys = [(sign * d.start.toordinal(), i) for i, d in enumerate(drafts) if d.start is not None]
    backbone = _backbone(keys)
    anchors = sorted(backbone)
    for i, draft in enumerate(drafts):
        if i in backbone:
            continue
        pos = bisect_right(anchors, i)
        above = drafts[anchors[pos - 1]] if pos > 0 else None
        below = drafts[anchors[pos]] if pos < len(anchors) else None
        # Bounds in calendar terms: the entry must sit between its neighbours' dates.
        newer, older = (below, above) if sign == 1 else (above, below)
        hi = newer.start if newer else None
        lo = older.start if older else None
        years = {a.start.year for a in (above, below) if a and a.start}
        if len(years) == 1 and (above is None or below is None):
            (year,) = years
            years |= {year - 1, year + 1}
        fits = sorted(
            {
                cand
                for y in years
                if (cand := _make_date(y, draft.raw.m, draft.raw.d)) is not None
                and (lo is None or cand >= lo)
                and (hi is None or cand <= hi)
            }
        )
        written = f"{draft.raw.y}-{draft.raw.m:02d}-{draft.raw.d:02d}"
        context = _context(above, below)
        if len(fits) == 1 and (lo is not None or hi is not None):
            fixed = fits[0]
            draft.start = fixed
            draft.repaired = True
            # A range written with the same slipped year moves with its start.
            if draft.raw.ey == draft.raw.y:
                draft.raw.ey = fixed.year
            found.append(
                Diagnostic(
                    draft.line,
                    "warning",
                    "date-repaired",
                    f"'{written}' does not fit the journal's order {context}; read as {fixed}",
                    source,
                )
            )
        elif draft.start is None:
            found.append(
                Diagnostic(
                    draft.line,
                    "error",
                    "invalid-date",
                    f"'{draft.heading}' is not a valid date and the order {context} "
                    "does not tell which date was meant; fix the heading",
                    source,
                )
            )
        else:
            found.append(
                Diagnostic(
                    draft.line,
                    "warning",
                    "out-of-order",
                    f"'{written}' contradicts the journal's order {context}; "
                    "kept as written, check the date",
                    source,
                )
            )
    return found


def _context(above: _Draft | None, below: _Draft | None) -> str:
    parts = []
    if above is not None and above.start is not None:
        parts.append(f"{above.start} on line {above.line}")
    if below is not None and below.start is not None:
        parts.append(f"{below.start} on line {below.line}")
    if len(parts) == 2:
        return f"(between {parts[0]} and {parts[1]})"
    return f"(next to {parts[0]})" if parts else "(no dated neighbours)"


def _finish(
    drafts: list[_Draft], found: list[Diagnostic], source: str
) -> tuple[list[Entry], list[Section]]:
    """Resolve range ends and turn drafts into entries; drafts with no usable date become
    sections of their own (their error is already reported), so no line is lost."""
    entries: list[Entry] = []
    undatable: list[Section] = []
    for draft in drafts:
        body = tuple(draft.body)
        if draft.start is None:
            undatable.append(Section(draft.line, draft.line + len(body), draft.heading, body))
            continue
        start = draft.start
        end, repaired = _range_end(draft, start, found, source)
        entries.append(
            Entry(
                line=draft.line,
                end_line=draft.line + len(body),
                level=draft.level,
                heading=draft.heading,
                title=draft.raw.title,
                start=start,
                end=end,
                body=body,
                repaired=draft.repaired or repaired,
                source=source,
            )
        )
    return entries, undatable


def _range_end(
    draft: _Draft, start: date, found: list[Diagnostic], source: str
) -> tuple[date, bool]:
    raw = draft.raw
    if raw.ed is None:
        return start, False
    year = raw.ey if raw.ey is not None else start.year
    month = raw.em if raw.em is not None else start.month
    end = _make_date(year, month, raw.ed)
    if end is None:
        found.append(
            Diagnostic(
                draft.line,
                "warning",
                "invalid-range",
                f"the range end in '{draft.heading}' is not a valid date; "
                f"the entry is read as {start} only",
                source,
            )
        )
        return start, False
    repaired = False
    if end < start:
        # "2019-11-30/2" and "2019-12-30 ~ 1-2" abbreviate a later month or year; a full end
        # date a year short ("2019-12-30 ~ 2019-01-02") is a slip in the end's year.
        if raw.em is None:
            nxt = start.replace(day=1) + timedelta(days=32)
            later = _make_date(nxt.year, nxt.month, raw.ed)
        else:
            later = _make_date(start.year + 1, month, raw.ed)
        if later is not None and (later - start).days <= _LONG_RANGE_DAYS:
            if raw.ey is not None:
                repaired = True
                found.append(
                    Diagnostic(
                        draft.line,
                        "warning",
                        "range-repaired",
                        f"the range '{draft.heading}' ends before it starts; "
                        f"read as {start} to {later}",
                        source,
                    )
                )
            end = later
        else:
            found.append(
                Diagnostic(
                    draft.line,
                    "warning",
                    "range-reversed",
                    f"the range '{draft.heading}' ends before it starts; "
                    f"the entry is read as {start} only",
                    source,
                )
            )
            return start, False
    if (end - start).days > _LONG_RANGE_DAYS:
        found.append(
            Diagnostic(
                draft.line,
                "warning",
                "long-range",
                f"the range '{draft.heading}' spans {(end - start).days + 1} days; check the dates",
                source,
            )
        )
    return end, repaired


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
        entries.append(
            Entry(
                line=0,
                end_line=len(lines),
                level=0,
                heading=name,
                title="",
                start=day,
                end=day,
                body=tuple(lines),
                source=name,
            )
        )
    diagnostics = tuple(
        Diagnostic(0, "info", "skipped-file", f"{name}: not a daily note named YYYY-MM-DD.md", name)
        for name in skipped
    )
    return Journal(tuple(entries), None, (), (), diagnostics, count, source)
