"""Reading what a model writes: the dates it cites, in the forms models really use, and prose
freed of the Markdown it was asked not to write.

Pure. The prompt asks for `YYYY-MM-DD`, one date per string; models also write `2020/2/25`,
`2月25日`, `Feb 27`, `27 Feb`, `2/25`, or an entry's range heading copied whole
(`2020-02-29 ~ 2020-03-02`). A correct claim must not be lost for its spelling, so every one
of those is read; a date without its year takes the year that puts it nearest the week.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from reviewer.journal.dates import MONTHS

__all__ = ["CitedDays", "cited_days", "plain_prose"]

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ORDINAL = r"(?:st|nd|rd|th)?"
# One date, in each form models write; ASCII digits only (\d would take full-width ones too,
# which int() reads, but no model writes them in a date).
_DATE = re.compile(
    r"(?P<y1>[0-9]{4})\s*[-/.年]\s*(?P<m1>[0-9]{1,2})\s*[-/.月]\s*(?P<d1>[0-9]{1,2})(?![0-9])\s*[日号]?"
    r"|(?<![0-9])(?P<m2>[0-9]{1,2})\s*月\s*(?P<d2>[0-9]{1,2})(?![0-9])\s*[日号]?"
    rf"|(?<![A-Za-z])(?P<mon3>{_MONTH})\s+(?P<d3>[0-9]{{1,2}}){_ORDINAL}(?![0-9])"
    r"(?:,?\s+(?P<y3>[0-9]{4}))?"
    rf"|(?<![0-9])(?P<d4>[0-9]{{1,2}}){_ORDINAL}\s+(?P<mon4>{_MONTH})(?![A-Za-z])"
    r"(?:,?\s+(?P<y4>[0-9]{4}))?"
    r"|(?<![0-9/.-])(?P<m5>[0-9]{1,2})/(?P<d5>[0-9]{1,2})(?![0-9/])",
    re.IGNORECASE,
)
# What joins the two ends of a range: `~`, `–`, `-`, `to`, `至`, `到`...
_RANGE = re.compile(r"\s*(?:~|～|-|–|—|to|through|until|至|到)\s*", re.IGNORECASE)
# The end of a range written as a bare day: `Feb 24-26`, `2月24日-26日`.
_BARE_DAY = re.compile(r"(?P<d>[0-9]{1,2})(?![0-9/.:-])\s*[日号]?")
_LONGEST_RANGE = 31  # days: a longer "range" is two unrelated dates


class CitedDays:
    """The days one cited string names, and whether it was written as asked."""

    __slots__ = ("days", "exact")

    def __init__(self, days: list[date], exact: bool) -> None:
        self.days = days
        self.exact = exact  # one `YYYY-MM-DD` and nothing else: nothing was repaired


def _near_year(month: int, day: int, start: date, end: date) -> date | None:
    """The date of `month`/`day` in the year that puts it nearest the week."""
    best: tuple[int, date] | None = None
    for year in (start.year - 1, start.year, start.year + 1, end.year):
        try:
            when = date(year, month, day)
        except ValueError:
            continue
        distance = max((start - when).days, (when - end).days, 0)
        if best is None or distance < best[0]:
            best = (distance, when)
    return best[1] if best else None


def _one(match: re.Match[str], start: date, end: date) -> date | None:
    groups = match.groupdict()
    try:
        if groups["y1"]:
            return date(int(groups["y1"]), int(groups["m1"]), int(groups["d1"]))
        for m, d, y in (("m2", "d2", None), ("mon3", "d3", "y3"), ("mon4", "d4", "y4")):
            if groups[m]:
                month = int(groups[m]) if m == "m2" else MONTHS[groups[m].lower().rstrip(".")]
                if y and groups[y]:
                    return date(int(groups[y]), month, int(groups[d]))
                return _near_year(month, int(groups[d]), start, end)
        if groups["m5"]:
            return _near_year(int(groups["m5"]), int(groups["d5"]), start, end)
    except ValueError:
        return None
    return None


def cited_days(text: str, start: date, end: date, weekdays: bool = True) -> CitedDays:
    """Every day `text` names, ranges expanded (`start`..`end` is the week, for the year);
    with `weekdays`, a weekday alone ("Saturday", "周六") is that day of the week."""
    text = text.strip()
    exact = re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is not None
    days: list[date] = []
    position = 0
    while True:
        match = _DATE.search(text, position)
        if match is None:
            break
        first = _one(match, start, end)
        position = match.end()
        if first is None:
            continue
        last = first
        joined = _RANGE.match(text, position)
        if joined:
            after = joined.end()
            other = _DATE.match(text, after)
            if other is not None and (second := _one(other, start, end)) is not None:
                last, position = second, other.end()
            elif bare := _BARE_DAY.match(text, after):
                try:
                    last = first.replace(day=int(bare["d"]))
                except ValueError:
                    last = first
                else:
                    position = bare.end()
        if not 0 <= (last - first).days <= _LONGEST_RANGE:
            days.append(first)
            continue
        days += [first + timedelta(days=n) for n in range((last - first).days + 1)]
    if not days and weekdays:  # "Saturday", "周六": a day of the week being reviewed
        days = [start + timedelta(days=n) for n in _weekdays(text) if (end - start).days == 6]
    return CitedDays(sorted(set(days)), exact and len(days) == 1)


_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAY = re.compile(
    r"(?<![A-Za-z])(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday|s|rs)?\.?"
    r"(?![A-Za-z])|(?:周|星期|礼拜)([一二三四五六日天])",
    re.IGNORECASE,
)


def _weekdays(text: str) -> list[int]:
    """Offsets from Monday of the weekdays `text` names."""
    found: list[int] = []
    for match in _WEEKDAY.finditer(text):
        if match[1]:
            found.append(_WEEKDAY_NAMES.index(match[1].lower()))
        else:
            found.append("一二三四五六日天".index(match[2]) if match[2] != "天" else 6)
    return found


_FENCE = re.compile(r"^\s*```.*$", re.MULTILINE)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+", re.MULTILINE)
_LABEL = re.compile(r"(\*\*|__)[^*_\n]{1,30}\1[:：]?")
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"\[([^\]]+)\]\([^)\s]+\)")
_END_MARKS = tuple("。！？；：.!?;:，,")


def plain_prose(text: str) -> str:
    """`text` as one plain paragraph: headings, bullets, emphasis and links unwrapped, lines
    joined. Every format then shows the same words (Markdown would be a list in md and one run
    of asterisks in the HTML email); code spans stay, every renderer knows them."""
    text = _FENCE.sub("", text)
    lines = text.splitlines()
    # A heading or a bold label alone on its line ("## Summary", "**本周概览**") is a title the
    # digest already has: dropped when prose follows it.
    if len(lines) > 1:
        kept = [ln for ln in lines if not (_HEADING.match(ln) or _LABEL.fullmatch(ln.strip()))]
        text = "\n".join(kept) if any(ln.strip() for ln in kept) else text
    text = _HEADING.sub("", text)
    text = _BULLET.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = "".join(
        part if i % 2 else _unemphasized(part)  # code spans are literal
        for i, part in enumerate(re.split(r"(`[^`\n]*`)", text))
    )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out = ""
    for line in lines:
        if not out:
            out = line
        elif out.endswith(_END_MARKS):
            out += ("" if _wide(out[-1]) else " ") + line
        else:
            out += ("；" if _wide(out[-1]) or _wide(line[0]) else "; ") + line
    return out


def _unemphasized(text: str) -> str:
    for _ in range(2):  # **bold *inside* bold**
        text = _EMPHASIS.sub(r"\2", text)
    return text


def _wide(char: str) -> bool:
    return "\u3000" <= char <= "\u9fff" or "\uff00" <= char <= "\uffef"
