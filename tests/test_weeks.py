"""ISO weeks, week arguments, overlap selection and streaks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.errors import UsageError
from reviewer.facts.calendar import (
    Journaled,
    Week,
    entries_in,
    journaled_days,
    parse_week,
    streak_ending,
    streaks,
)
from reviewer.journal.parse import parse_journal

SUNDAY = date(2020, 3, 1)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2020-02-24", "2020-W09"),
        ("2020-03-01", "2020-W09"),
        ("2020-2-24", "2020-W09"),
        ("2020-W09", "2020-W09"),
        ("2020w9", "2020-W09"),
        ("this", "2020-W09"),
        ("last", "2020-W08"),
        ("2019-12-30", "2020-W01"),  # ISO week-year differs from the calendar year
        ("2021-01-03", "2020-W53"),
    ],
)
def test_parse_week(text: str, iso: str) -> None:
    assert parse_week(text, SUNDAY).iso == iso


def test_this_on_sunday_is_the_week_ending_today() -> None:
    week = parse_week("this", SUNDAY)
    assert (week.start, week.end) == (date(2020, 2, 24), SUNDAY)


@pytest.mark.parametrize("text", ["2020-13-45", "2020-02-30", "2019-W53", "next", "W09", ""])
def test_bad_week_arguments(text: str) -> None:
    with pytest.raises(UsageError):
        parse_week(text, SUNDAY)


def test_entries_overlapping_the_week() -> None:
    journal = parse_journal(
        "### 2020-03-03\n* a\n### 2020-02-29 ~ 2020-03-02\n* b\n### 2020-02-24\n* c\n"
        "### 2020-02-20 ~ 2020-02-24\n* d\n### 2020-02-23\n* e\n"
    )
    week = Week.containing(date(2020, 2, 24))
    assert [e.heading for e in entries_in(journal.entries, week)] == [
        "2020-02-20 ~ 2020-02-24",
        "2020-02-24",
        "2020-02-29 ~ 2020-03-02",
    ]


def test_journaled_days_skip_empty_entries() -> None:
    journal = parse_journal("### 2020-03-03\n\n### 2020-03-02\n---\n### 2020-02-29 ~ 03-01\n* x\n")
    assert journaled_days(journal.entries) == {date(2020, 2, 29), date(2020, 3, 1)}


def test_streaks() -> None:
    days = {date(2020, 1, d) for d in (1, 2, 3, 5, 6)}
    assert streaks(days) == [
        (date(2020, 1, 1), date(2020, 1, 3)),
        (date(2020, 1, 5), date(2020, 1, 6)),
    ]
    assert streak_ending(days, date(2020, 1, 6)) == 2
    assert streak_ending(days, date(2020, 1, 7)) == 2  # today not written yet: still alive
    assert streak_ending(days, date(2020, 1, 8)) == 0
    assert streak_ending(days, date(2020, 1, 3)) == 3


@settings(max_examples=200, deadline=None)
@given(
    written=st.lists(st.integers(0, 60), max_size=50),
    asked=st.lists(st.integers(-3, 64), min_size=1, max_size=30),
)
def test_the_streaks_of_one_journal_asked_day_after_day_are_each_the_walk_back(
    written: list[int], asked: list[int]
) -> None:
    """A month's or a backfill's weeks ask one journal for streak after streak: each, found by
    bisection of the journaled days, is the streak a walk back from scratch finds, in any
    order of days (ascending as a backfill's weeks, or not)."""
    first = date(2020, 1, 1)
    text = "".join(f"### {first + timedelta(n)}\n* x\n" for n in sorted(set(written)))
    journaled = Journaled(parse_journal(text or "# nothing\n").entries)
    assert journaled.days == {first + timedelta(n) for n in written}
    for n in [*sorted(asked), *asked]:
        day = first + timedelta(n)
        assert journaled.streak_ending(day) == streak_ending(journaled.days, day), day


@settings(max_examples=150, deadline=None)
@given(
    written=st.lists(st.integers(0, 20), min_size=1, max_size=40),
    asked=st.lists(st.integers(-2, 22), min_size=1, max_size=10),
)
def test_the_entries_latest_first_are_those_sorted_so(written: list[int], asked: list[int]) -> None:
    """Entries of one day (written twice) stay in file order; every day asked is a sort of
    its own, as `journal_lang` made one for every week."""
    first = date(2020, 1, 1)
    text = "".join(f"### {first + timedelta(n)}\n* entry {k}\n" for k, n in enumerate(written))
    entries = parse_journal(text).entries
    journaled = Journaled(entries)
    for n in asked:
        day = first + timedelta(n)
        expected = sorted(
            (e for e in entries if e.start <= day), key=lambda e: e.start, reverse=True
        )
        assert list(journaled.latest_first(day)) == expected, day


def test_journaled_days_are_worked_out_once_per_journal() -> None:
    journal = parse_journal("### 2020-03-03\n* x\n### 2020-03-02\n* y\n")
    assert Journaled.of(journal) is Journaled.of(journal)
    again = parse_journal("### 2020-03-03\n* x\n")
    assert Journaled.of(again).days == {date(2020, 3, 3)}


def test_week_days_and_shift() -> None:
    week = Week(2020, 9)
    assert week.days[0] == date(2020, 2, 24) and len(week.days) == 7
    assert week.shifted(-1).iso == "2020-W08"
    assert week.shifted(-9).iso == "2019-W52"
    assert date(2020, 3, 1) in week and date(2020, 3, 2) not in week
    assert week.end - week.start == timedelta(days=6)


def _read_back(text: str) -> tuple:  # type: ignore[type-arg]
    """The journal of `text` as parsed (entries a tuple) and as read back from its snapshot
    (an `EntryTable`, whose entries are made when asked for)."""
    from reviewer.journal import snapshot

    data = text.encode("utf-8", "surrogatepass")
    parsed = parse_journal(data, source="j.md")
    thawed = snapshot.thaw(snapshot.opened(snapshot.freeze(parsed, data)), data, "j.md")
    assert thawed is not None
    return parsed, thawed


_days_of_a_month = st.lists(
    st.tuples(st.integers(0, 40), st.integers(0, 3), st.booleans()), min_size=1, max_size=40
)


@settings(max_examples=120, deadline=None)
@given(_days_of_a_month, st.lists(st.integers(-10, 50), min_size=1, max_size=8))
def test_a_journal_read_by_its_columns_is_read_as_by_its_entries(
    written: list[tuple[int, int, bool]], asked: list[int]
) -> None:
    """Journaled days, the entries of a week, of the weeks of the chart and latest first, and
    the last day written before a quiet week, read from the entries' columns (by bisection,
    entries made only when asked for): the same as a scan of every entry finds, for a
    journal as parsed and as read back from its snapshot, with entries of several days, of
    one day written twice, empty ones, in either order."""
    from reviewer.journal.parse import EntryTable
    from reviewer.review.week import last_entry_before, recent_weeks

    first = date(2020, 1, 1)
    parts = []
    for n, (day, more, full) in enumerate(written):
        start = first + timedelta(day)
        heading = f"### {start}" + (f" ~ {start + timedelta(more)}" if more else "")
        parts.append(f"{heading}\n" + (f"* entry {n}\n" if full else "\n"))
    if written[0][0] % 2:
        parts.reverse()  # newest first
    parsed, thawed = _read_back("".join(parts))
    assert isinstance(thawed.entries, EntryTable)
    for journal in (parsed, thawed):
        entries = tuple(journal.entries)
        journaled = Journaled(journal.entries)
        assert journaled.days == journaled_days(entries)
        for n in asked:
            day = first + timedelta(n)
            week = Week.containing(day)
            assert journaled.entries_in(week) == entries_in(entries, week)
            expected = sorted(
                (e for e in entries if e.start <= day), key=lambda e: e.start, reverse=True
            )
            assert list(journaled.latest_first(day)) == expected
            near = [e for e in entries if e.end >= week.shifted(-7).start and e.start <= week.end]
            assert journaled.between(week.shifted(-7).start, week.end) == sorted(
                (entries.index(e) for e in near), key=lambda k: entries[k].start
            )
            assert recent_weeks(journal, week) == recent_weeks(
                parse_journal("".join(parts), source="j.md"), week
            )
            written_in = any(
                e.start <= week.end and e.end >= week.start and e.text.strip() for e in entries
            )
            before = sorted((e for e in entries if e.end < week.start), key=lambda e: e.end)
            last = next((e.end for e in reversed(before) if e.text.strip()), None)
            assert last_entry_before(journal, week) == (None if written_in else last)


def test_an_entry_table_is_the_tuple_of_its_entries() -> None:
    """Read back from a snapshot, entries are made when asked for, one at a time or all at
    once, the same objects either way, and the table equals the tuple a parse gives."""
    from reviewer.journal.parse import EntryTable, columns_of

    text = "".join(f"### 2020-03-{day:02d}\n* entry {day}\n" for day in range(1, 11))
    parsed, thawed = _read_back(text)
    table = thawed.entries
    assert isinstance(table, EntryTable) and len(table) == 10
    third, last = table[2], table[-1]
    assert third == parsed.entries[2] and last == parsed.entries[-1]
    assert table[2] is third and table[1:3] == parsed.entries[1:3]
    with pytest.raises(IndexError):
        table[10]
    assert columns_of(table) == columns_of(parsed.entries)
    assert table.digests == "".join(e.digest for e in parsed.entries)
    assert (
        table == parsed.entries and parsed.entries == table and hash(table) == hash(parsed.entries)
    )
    assert list(table) == list(parsed.entries) and table.all()[2] is third


def test_the_columns_of_a_journal_are_read_once_however_many_ask() -> None:
    """A review's history and its journaled days both read a parsed journal's columns and its
    order by start: worked out once for its tuple of entries (a list, which could change, each
    time); the order is `sorted(..., key=start)`, file order among those of one day."""
    from reviewer.journal.parse import by_start, columns_of

    text = "### 2020-03-02\n* b\n### 2020-03-01\n* a\n### 2020-03-02\n* c\n"
    entries = parse_journal(text).entries
    assert columns_of(entries) is columns_of(entries)
    assert by_start(entries) is by_start(entries)
    assert list(by_start(entries)) == [1, 0, 2]
    listed = list(entries)
    assert columns_of(listed) is not columns_of(listed) and columns_of(listed) == columns_of(
        entries
    )
