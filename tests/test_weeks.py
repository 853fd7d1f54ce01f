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
    """A month's or a backfill's weeks ask one journal for streak after streak: each walk back
    stops at a day an earlier one found, and is the streak a walk from scratch finds, in any
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
