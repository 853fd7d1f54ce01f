"""Date headings: reading `2020-02-29 ~ 03-02 title`, and repairing slips by the journal's order.

Pure. Findings are passed to a `report(line, severity, code, message)` callback, so the parser
decides how to record them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

__all__ = [
    "YEARS",
    "Draft",
    "RawDate",
    "Report",
    "make_date",
    "parse_date_heading",
    "range_end",
    "repair_dates",
]

Report = Callable[[int, str, str, str], None]

# A range longer than this is more likely a typo than a holiday.
_LONG_RANGE_DAYS = 31
# Longer than this, a range is certainly a typo (`2020-02-24 ~ 9999-12-31`): read as its first
# day, or a year-long entry would cost a day of work per day covered.
_MAX_RANGE_DAYS = 366
# Years a journal's dates (and any date asked about) can have: a heading dated 0001 or 9999 is
# a slip like a five-digit year (repaired by the order when it can be), and a bounded span
# keeps `stats` (one row per week) to a second and week arithmetic far from date.max.
YEARS = range(1800, 2200)

_DATE = r"(?P<y>\d{4,5})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
_RANGE_END = r"(?:(?:(?P<ey>\d{4,5})-)?(?P<em>\d{1,2})-)?(?P<ed>\d{1,2})"
_RANGE_SEP = r"[ \t\u3000]*(?:~|～|-|/|–|—|至|to)[ \t\u3000]*"
_DATE_HEADING = re.compile(rf"^{_DATE}(?!\d)(?:{_RANGE_SEP}{_RANGE_END}(?!\d))?(?P<rest>.*)$")
_TITLE_TRIM = " \t\u3000-–—:：|·,，"


@dataclass(slots=True)
class RawDate:
    """A date heading as written, before validation and repair."""

    y: int
    m: int
    d: int
    ey: int | None
    em: int | None
    ed: int | None
    title: str


def parse_date_heading(text: str) -> RawDate | None:
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
    return RawDate(
        y=int(g["y"]),
        m=int(g["m"]),
        d=int(g["d"]),
        ey=int(g["ey"]) if g["ey"] else None,
        em=int(g["em"]) if g["em"] else None,
        ed=int(g["ed"]) if g["ed"] else None,
        title=rest.strip(_TITLE_TRIM),
    )


def make_date(y: int, m: int, d: int) -> date | None:
    """The date, or None when it does not exist or its year is outside YEARS."""
    if y not in YEARS:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


@dataclass(slots=True)
class Draft:
    """An entry under construction: dates may still be missing or wrong."""

    line: int
    level: int
    heading: str
    raw: RawDate
    start: date | None
    body: list[str] = field(default_factory=list)
    repaired: bool = False


def _ascending(drafts: list[Draft]) -> bool:
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


def repair_dates(drafts: list[Draft], report: Report) -> None:
    """Fix year slips that the journal's order proves; flag what it contradicts but cannot fix.

    The backbone is the longest run of headings in journal order (newest first or oldest first,
    whichever the file mostly is). A heading off the backbone is checked against the nearest
    backbone headings above and below: if exactly one of their years puts it between them, the
    order proves the slip and it is repaired; otherwise it is reported and left as written.
    """
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
                if (cand := make_date(y, draft.raw.m, draft.raw.d)) is not None
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
            report(
                draft.line,
                "warning",
                "date-repaired",
                f"'{written}' does not fit the journal's order {context}; read as {fixed}",
            )
        elif draft.start is None:
            report(
                draft.line,
                "error",
                "invalid-date",
                f"'{draft.heading}' is not a valid date and the order {context} "
                "does not tell which date was meant; fix the heading",
            )
        else:
            report(
                draft.line,
                "warning",
                "out-of-order",
                f"'{written}' contradicts the journal's order {context}; "
                "kept as written, check the date",
            )


def _context(above: Draft | None, below: Draft | None) -> str:
    parts = []
    if above is not None and above.start is not None:
        parts.append(f"{above.start} on line {above.line}")
    if below is not None and below.start is not None:
        parts.append(f"{below.start} on line {below.line}")
    if len(parts) == 2:
        return f"(between {parts[0]} and {parts[1]})"
    return f"(next to {parts[0]})" if parts else "(no dated neighbours)"


def range_end(draft: Draft, start: date, report: Report) -> tuple[date, bool]:
    """The last day of a range heading, with abbreviated and slipped ends resolved."""
    raw = draft.raw
    if raw.ed is None:
        return start, False
    year = raw.ey if raw.ey is not None else start.year
    month = raw.em if raw.em is not None else start.month
    end = make_date(year, month, raw.ed)
    if end is None:
        report(
            draft.line,
            "warning",
            "invalid-range",
            f"the range end in '{draft.heading}' is not a valid date; "
            f"the entry is read as {start} only",
        )
        return start, False
    repaired = False
    if end < start:
        # "2019-11-30/2" and "2019-12-30 ~ 1-2" abbreviate a later month or year; a full end
        # date a year short ("2019-12-30 ~ 2019-01-02") is a slip in the end's year.
        if raw.em is None:
            nxt = start.replace(day=1) + timedelta(days=32)
            later = make_date(nxt.year, nxt.month, raw.ed)
        else:
            later = make_date(start.year + 1, month, raw.ed)
        if later is not None and (later - start).days <= _LONG_RANGE_DAYS:
            if raw.ey is not None:
                repaired = True
                report(
                    draft.line,
                    "warning",
                    "range-repaired",
                    f"the range '{draft.heading}' ends before it starts; "
                    f"read as {start} to {later}",
                )
            end = later
        else:
            report(
                draft.line,
                "warning",
                "range-reversed",
                f"the range '{draft.heading}' ends before it starts; "
                f"the entry is read as {start} only",
            )
            return start, False
    if (end - start).days > _MAX_RANGE_DAYS:
        report(
            draft.line,
            "warning",
            "long-range",
            f"the range '{draft.heading}' spans {(end - start).days + 1} days, more than a year; "
            f"the entry is read as {start} only",
        )
        return start, False
    if (end - start).days > _LONG_RANGE_DAYS:
        report(
            draft.line,
            "warning",
            "long-range",
            f"the range '{draft.heading}' spans {(end - start).days + 1} days; check the dates",
        )
    return end, repaired
