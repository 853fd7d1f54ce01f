"""ISO weeks, week selection and streaks. `today` is always an argument, never read here."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import compress
from operator import and_, eq, ne, sub

from reviewer.errors import UsageError
from reviewer.journal.dates import YEARS
from reviewer.journal.parse import Columns, Entry, Journal, by_start, columns_of

__all__ = [
    "Journaled",
    "Week",
    "check_supported",
    "entries_in",
    "journaled_days",
    "parse_week",
    "streak_ending",
    "streaks",
]

_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Week:
    """An ISO week, Monday to Sunday."""

    year: int
    number: int

    @classmethod
    def containing(cls, day: date) -> Week:
        """The ISO week that contains `day`."""
        iso = day.isocalendar()
        return cls(iso.year, iso.week)

    @property
    def start(self) -> date:
        """Monday."""
        return date.fromisocalendar(self.year, self.number, 1)

    @property
    def end(self) -> date:
        """Sunday."""
        return date.fromisocalendar(self.year, self.number, 7)

    @property
    def iso(self) -> str:
        """`2020-W09`."""
        return f"{self.year}-W{self.number:02d}"

    @property
    def days(self) -> list[date]:
        """Monday to Sunday."""
        return [self.start + timedelta(n) for n in range(7)]

    def shifted(self, weeks: int) -> Week:
        """The week `weeks` weeks later (earlier when negative)."""
        return Week.containing(self.start + timedelta(weeks=weeks))

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def check_supported(day: date, text: str) -> date:
    """`day`, or UsageError when it is outside the years a journal's dates can have."""
    if day.year not in YEARS:
        raise UsageError(
            f"'{text}' is outside the supported calendar (years {YEARS.start} to {YEARS.stop - 1})"
        )
    return day


def parse_day(text: str) -> date:
    """Read `2020-02-24` (zero padding optional); UsageError when it is not a real date."""
    match = _DAY.match(text.strip())
    if not match:
        raise UsageError(f"'{text}' is not a date; use YYYY-MM-DD, e.g. 2020-02-24")
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as err:
        raise UsageError(f"'{text}' is not a valid date: {err}") from None
    return check_supported(day, text)


def parse_week(text: str, today: date) -> Week:
    """`2020-02-24`, `2020-W09`, `this`, `last` or `sunday` to the ISO week meant."""
    word = text.strip().lower()
    check_supported(today, f"today ({today})")
    if word in {"this", "current"}:
        return Week.containing(today)
    if word == "sunday":
        # The week of the latest Sunday: this week on a Sunday, last week on Monday to Saturday.
        # What a scheduled job wants: a run that fires late (a laptop asleep at 20:00, systemd
        # catching up on Monday) still reviews the week that just ended, not the new one.
        return Week.containing(today - timedelta(days=today.isoweekday() % 7))
    if word in {"last", "previous"}:
        return Week.containing(today - timedelta(weeks=1))
    match = _ISO_WEEK.match(word)
    if match:
        try:
            check_supported(date.fromisocalendar(int(match[1]), int(match[2]), 1), text)
        except ValueError:
            raise UsageError(f"'{text}': {match[1]} has no week {int(match[2])}") from None
        return Week(int(match[1]), int(match[2]))
    if _DAY.match(word):
        return Week.containing(parse_day(word))
    raise UsageError(f"'{text}' is not a week; use a date (2020-02-24), 2020-W09, this or last")


def entries_in(entries: Iterable[Entry], week: Week) -> list[Entry]:
    """Entries whose dates overlap the week, oldest first (file order among equal dates)."""
    start, end = week.start, week.end  # each worked out from the ISO calendar: once
    hits = [e for e in entries if e.start <= end and e.end >= start]
    return sorted(hits, key=lambda e: e.start)


def journaled_days(entries: Iterable[Entry]) -> set[date]:
    """Days covered by an entry with something written in it."""
    days: set[date] = set()
    for entry in entries:
        if entry.has_content:
            if entry.end == entry.start:  # nearly every entry: one day, no list of days
                days.add(entry.start)
            else:
                days.update(entry.days)
    return days


class Journaled:
    """A journal's journaled days (`journaled_days`), the streak alive on any day, and its
    entries by date (latest first up to a day, or those of a stretch of days), worked out
    once per journal: every week a run reviews (a month's, a backfill's years) asks. Read
    from the entries' columns (`columns_of`): an entry is made (`EntryTable`) only when it is
    one of those asked for, not for each of 30 years on every run."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self._entries = entries
        self._columns = columns = columns_of(entries)
        # The journaled days, oldest first: an array, asked by bisection (30 years of them as
        # a set and a list of numbers were a megabyte, made on every run)
        self._ordinals = _day_ordinals(columns)
        self._days: set[date] | None = None
        # Indexes, oldest first (file order among those of a day), and their start ordinals:
        # arrays, not lists of numbers (a 64 MB journal has 80,000 entries).
        self._by_start: array[int] | None = None
        self._starts = array("q")
        self._longest = 0  # the most days an entry's dates span, beyond its first

    def _ordered(self) -> tuple[array[int], array[int]]:
        """The entries' indexes by start (`sorted(..., key=start)`) and their starts."""
        if self._by_start is None:
            starts, ends = self._columns.starts, self._columns.ends
            self._by_start = by_start(self._entries)
            self._starts = array("q", sorted(starts))  # the starts in that order
            # (no entry of several days, as in most journals: the columns equal, one memcmp)
            self._longest = 0 if starts == ends else max(map(sub, ends, starts), default=0)
        return self._by_start, self._starts

    def latest_first(self, last: date) -> Iterator[Entry]:
        """The entries starting on or before `last`, latest first, in file order among those
        of one day: `sorted(..., key=start, reverse=True)`, sorted once per journal."""
        ordered, starts = self._ordered()
        entries = self._entries
        end = bisect_right(starts, last.toordinal())
        while end:
            begin = bisect_left(starts, starts[end - 1], 0, end)
            yield from map(entries.__getitem__, ordered[begin:end])
            end = begin

    def between(self, first: date, last: date) -> list[int]:
        """The indexes of the entries whose dates overlap `first`..`last`, by start (file
        order among equal starts): found by bisection, not by reading every entry."""
        ordered, starts = self._ordered()
        low, high = first.toordinal(), last.toordinal()
        ends = self._columns.ends
        picked = ordered[bisect_left(starts, low - self._longest) : bisect_right(starts, high)]
        return [n for n in picked if ends[n] >= low]

    def entries_in(self, week: Week) -> list[Entry]:
        """`entries_in(entries, week)` of this journal's entries."""
        return list(map(self._entries.__getitem__, self.between(week.start, week.end)))

    @classmethod
    def of(cls, journal: Journal) -> Journaled:
        """The journaled days of `journal`, worked out once however many weeks ask."""
        global _last
        if _last is None or _last[0] is not journal:
            _last = (journal, cls(journal.entries))
        return _last[1]

    @property
    def days(self) -> set[date]:
        """The journaled days (`journaled_days`)."""
        if self._days is None:
            self._days = set(map(date.fromordinal, self._ordinals))
        return self._days

    def written_on(self, day: date) -> bool:
        """Whether `day` is a journaled day."""
        return self._has(day.toordinal())

    def _has(self, ordinal: int) -> bool:
        ordinals = self._ordinals
        at = bisect_left(ordinals, ordinal)
        return at < len(ordinals) and ordinals[at] == ordinal

    def streak_ending(self, last: date) -> int:
        """`streak_ending(self.days, last)`, by bisection of the journaled days, not a walk
        back over them (30 years of daily entries are one streak of 11,000 days). In the
        sorted days, a day's ordinal less its index never falls, and stays the same along a
        streak: the streak ending at a day starts at the first day where it is that day's."""
        ordinals, day = self._ordinals, last.toordinal()
        if not self._has(day):
            day -= 1
            if not self._has(day):
                return 0
        end = bisect_left(ordinals, day)
        begin, high, same = 0, end, day - end
        while begin < high:
            middle = (begin + high) // 2
            if ordinals[middle] - middle == same:
                high = middle
            else:
                begin = middle + 1
        return end - begin + 1


def _day_ordinals(columns: Columns) -> array[int]:
    """The ordinals of the journaled days (`journaled_days`) of the entries of `columns`,
    sorted: those of entries of one day at once (C code)."""
    starts, ends, written = columns.starts, columns.ends, columns.written
    if starts == ends:  # no entry of several days, as in most journals (one memcmp)
        return array("q", sorted(set(compress(starts, written))))
    one_day = map(eq, starts, ends)
    days = set(compress(starts, map(and_, written, one_day)))
    for n in compress(range(len(starts)), map(ne, starts, ends)):
        if written[n]:
            days.update(range(starts[n], ends[n] + 1))
    return array("q", sorted(days))


_last: tuple[Journal, Journaled] | None = None


def streak_ending(days: set[date], last: date) -> int:
    """The streak alive on `last`: consecutive journaled days up to `last`, or up to the day
    before when `last` itself is not written yet (a Sunday-evening run before the entry)."""
    one = timedelta(1)
    day = last if last in days else last - one
    count = 0
    while day in days:
        count += 1
        day -= one
    return count


def streaks(days: set[date]) -> list[tuple[date, date]]:
    """Maximal runs of consecutive journaled days, oldest first, as (first, last)."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and day - runs[-1][1] == timedelta(1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs
