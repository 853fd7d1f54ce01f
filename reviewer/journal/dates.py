"""Date headings: reading `2020-02-29 ~ 03-02 title`, and repairing slips by the journal's order.

Pure. Findings are passed to a `report(line, severity, code, message)` callback, so the parser
decides how to record them.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = [
    "MONTHS",
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

_DATE = r"(?P<y>\d{4,5})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
# The end of a range: a full date, a full date with its month-day dash missed ("2026-1025"),
# month-day, or a day.
_RANGE_END = (
    r"(?:(?P<ey>\d{4,5})(?P<esep>[-/.])(?P<em>\d{1,2})(?P=esep)(?P<ed>\d{1,2})"
    r"|(?P<xy>\d{4})[-/.]?(?P<xm>[01]\d)(?P<xd>[0-3]\d)"
    r"|(?P<mm>\d{1,2})[-/.](?P<md>\d{1,2})"
    r"|(?P<dd>\d{1,2}))"
)
_RANGE_SEP = r"[ \t\u3000]*(?:~|～|-|/|–|—|至|to)[ \t\u3000]*"
_DATE_HEADING = re.compile(rf"^{_DATE}(?!\d)(?:{_RANGE_SEP}{_RANGE_END}(?!\d))?(?P<rest>.*)$")
_TITLE_TRIM = " \t\u3000-–—:：|·,，"

MONTHS = {  # English month names and abbreviations -> month number
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<mon>[A-Za-z]{3,9})\.?"
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?[ \t]+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"
# "26 Nov 2026", "Monday, 23 November 2026", "Nov 25, 2026", "Thursday November 12th 2026".
_WORDS_DATE = re.compile(
    rf"^{_WEEKDAY}(?:(?P<d1>\d{{1,2}}){_ORDINAL}[ \t]+{_MONTH},?"
    rf"|(?P<mon2>[A-Za-z]{{3,9}})\.?[ \t]+(?P<d2>\d{{1,2}}){_ORDINAL},?)[ \t]+(?P<y>\d{{4}})(?!\d)"
    r"(?P<rest>.*)$",
    re.IGNORECASE,
)
# "2026年11月23日", "2026年11月23号 周一".
_CJK_DATE = re.compile(
    r"^(?P<y>\d{4,5})[ \t]*年[ \t]*(?P<m>\d{1,2})[ \t]*月[ \t]*(?P<d>\d{1,2})[ \t]*[日号]?"
    r"(?P<rest>.*)$"
)
# "23/11/2026" or "11/23/2026": read when one of the two numbers can only be a day.
_DAY_FIRST = re.compile(
    r"^(?P<a>\d{1,2})(?P<sep>[/.])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4})(?!\d)(?P<rest>.*)$"
)
# A heading that starts like a date but is none of the forms above ("11/27", "27.11.",
# "Nov 27", "2026-11"): worth a warning, since its lines are read as the entry above's.
LOOKS_LIKE_DATE = re.compile(
    r"^.{0,3}?(?:\d{4,5}(?:[-/.年]\d{1,2}|[ \t]*$)|\d{1,2}[-/.月]\d{1,2}\b|"
    rf"{_WEEKDAY}(?:\d{{1,2}}{_ORDINAL}[ \t]+)?(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
    r"[a-z]*\.?[ \t]+\d)",
    re.IGNORECASE,
)


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
    slip: str = ""  # a slip in the range end that was read through ("missing dash")


def _title(rest: str) -> str | None:
    """The title after a date, or None when the date runs into a word ("2020-02-24abc")."""
    # "2020-02-24 title", "2020-02-24：title" and "2020-02-24周一" are date headings.
    if rest[:1].isascii() and rest[:1].isalnum():
        return None
    return rest.strip(_TITLE_TRIM)


def parse_date_heading(text: str) -> RawDate | None:
    """Read a date heading's text (`2020-02-29 ~ 2020-03-02 title`, `2026/11/27`, `2026.11.27`,
    `26 Nov 2026`, `Nov 25, 2026`, `Monday, 23 November 2026`, `2026年11月23日`, `23/11/2026`);
    None if it is no date heading."""
    match = _DATE_HEADING.match(text)
    if match:
        return _numeric(match)
    for pattern in (_WORDS_DATE, _CJK_DATE, _DAY_FIRST):
        found = pattern.match(text)
        if found is None:
            continue
        title = _title(found["rest"] or "")
        if title is None:
            return None
        g = found.groupdict()
        if pattern is _WORDS_DATE:
            month = MONTHS.get((g["mon"] or g["mon2"]).lower())
            if month is None:
                return None
            day = int(g["d1"] or g["d2"])
        elif pattern is _DAY_FIRST:
            a, b = int(g["a"]), int(g["b"])
            if a > 12 >= b:
                day, month = a, b
            elif b > 12 >= a or a == b:
                day, month = b, a
            else:
                return None  # 05/06/2026: May or June? Flagged by `LOOKS_LIKE_DATE`.
        else:
            day, month = int(g["d"]), int(g["m"])
        return RawDate(int(g["y"]), month, day, None, None, None, title)
    return None


def _numeric(match: re.Match[str]) -> RawDate | None:
    g = match.groupdict()
    title = _title(g["rest"] or "")
    if title is None:
        return None
    ey, em, ed, slip = g["ey"], g["em"], g["ed"], ""
    if g["xy"]:
        ey, em, ed, slip = g["xy"], g["xm"], g["xd"], "a dash missing in its end date"
    elif g["mm"]:
        em, ed = g["mm"], g["md"]
    elif g["dd"]:
        ed = g["dd"]
    return RawDate(
        y=int(g["y"]),
        m=int(g["m"]),
        d=int(g["d"]),
        ey=int(ey) if ey else None,
        em=int(em) if em else None,
        ed=int(ed) if ed else None,
        title=title,
        slip=slip,
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
    text: str = ""  # the lines after the heading, joined by newlines (set when they end)
    lines: int = 0  # how many lines that is
    repaired: bool = False
    span: tuple[int, int] = (0, 0)  # where that text is in the journal's bytes


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
    slip = raw.slip
    if year > 9999:
        # A five-digit year ("20266-11-15") slipped a key: the range ends in the start's year,
        # or the next one for a range over New Year.
        slip = f"a five-digit year ({year}) in its end date"
        year = start.year if (month, raw.ed) >= (start.month, start.day) else start.year + 1
    end = make_date(year, month, raw.ed)
    if end is not None and slip and start <= end and (end - start).days <= _LONG_RANGE_DAYS:
        report(
            draft.line,
            "warning",
            "range-repaired",
            f"the range '{draft.heading}' has {slip}; read as {start} to {end}",
        )
        return end, True
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
