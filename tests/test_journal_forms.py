"""Date headings in the forms people write, and undated sections at the dated level (issue 11)."""

from __future__ import annotations

from datetime import date

import pytest

from reviewer.journal.parse import parse_date_heading, parse_journal


@pytest.mark.parametrize(
    ("heading", "day"),
    [
        ("## 2026/11/27", date(2026, 11, 27)),
        ("## 2026.11.26", date(2026, 11, 26)),
        ("## 26 Nov 2026", date(2026, 11, 26)),
        ("## Nov 25, 2026", date(2026, 11, 25)),
        ("## Monday, 23 November 2026", date(2026, 11, 23)),
        ("## Thursday 12 Nov 2026", date(2026, 11, 12)),
        ("## November 3rd, 2026", date(2026, 11, 3)),
        ("## 2026年11月22日 周日", date(2026, 11, 22)),
        ("## 23/11/2026", date(2026, 11, 23)),
        ("## 11/23/2026", date(2026, 11, 23)),
        ("**2026-11-23**", date(2026, 11, 23)),
        ("[2026-11-23 09:00] Standup.", date(2026, 11, 23)),
    ],
)
def test_common_heading_forms_are_read(heading: str, day: date) -> None:
    journal = parse_journal(f"# Log\n\n{heading}\n\n- did a thing\n")
    (entry,) = journal.entries
    assert (entry.line, entry.start, entry.end) == (3, day, day)
    assert entry.body == ("", "- did a thing")
    assert not journal.diagnostics


def test_words_that_are_not_dates_are_not_headings() -> None:
    assert parse_date_heading("Notes on May") is None
    assert parse_date_heading("Meeting 12 attendees 2026") is None
    assert parse_date_heading("05/06/2026") is None  # May 6 or June 5: flagged, not guessed


@pytest.mark.parametrize("heading", ["## 11/27", "## Nov 21", "## 05/06/2026", "## 2026-11"])
def test_a_date_like_heading_that_is_not_read_is_flagged(heading: str) -> None:
    journal = parse_journal(f"## 2026-11-28\n\n- a\n\n{heading}\n\n- b\n")
    (entry,) = journal.entries
    assert "- b" in entry.body  # kept in the entry above, not lost
    (warning,) = journal.diagnostics
    assert (warning.line, warning.code) == (5, "date-unread")
    assert "line 1" in warning.message


def test_undated_heading_at_the_dated_level_starts_an_undated_section() -> None:
    text = (
        "## 2026-11-16\n- monday\n## 2026-11-17\n- tuesday\n"
        "## Questions to ask\n- How many seeds?\n## Reflections\n- Mornings work.\n"
    )
    journal = parse_journal(text)
    assert [e.body for e in journal.entries] == [("- monday",), ("- tuesday",)]
    assert [(s.line, s.heading, s.body) for s in journal.sections] == [
        (5, "Questions to ask", ("- How many seeds?",)),
        (7, "Reflections", ("- Mornings work.",)),
    ]


def test_entries_resume_after_an_undated_section_in_the_middle() -> None:
    text = "## 2026-11-24\n- a\n## 读书笔记\n- 书\n## 2026-11-20\n- b\n"
    journal = parse_journal(text)
    assert [(e.start, e.body) for e in journal.entries] == [
        (date(2026, 11, 24), ("- a",)),
        (date(2026, 11, 20), ("- b",)),
    ]
    assert journal.sections[0].heading == "读书笔记"


def test_jrnl_lines_head_entries_and_two_on_one_day_are_kept() -> None:
    text = "[2026-10-19 08:55] Morning.\nInbox.\n\n[2026-10-19 17:30] Evening.\nCache.\n"
    journal = parse_journal(text)
    assert [(e.line, e.title, e.body) for e in journal.entries] == [
        (1, "Morning.", ("Inbox.", "")),
        (4, "Evening.", ("Cache.",)),
    ]


@pytest.mark.parametrize(
    ("heading", "end", "slip"),
    [
        ("## 2026-10-23 ~ 2026-1025", date(2026, 10, 25), "dash missing"),
        ("## 2026-11-13 ~ 20266-11-15", date(2026, 11, 15), "five-digit year"),
        ("## 2026-12-30 ~ 20266-01-02", date(2027, 1, 2), "five-digit year"),
    ],
)
def test_range_end_slips_are_repaired_with_a_warning(heading: str, end: date, slip: str) -> None:
    journal = parse_journal(f"{heading}\n- away\n")
    (entry,) = journal.entries
    assert entry.end == end and entry.repaired
    (warning,) = journal.diagnostics
    assert warning.code == "range-repaired" and slip in warning.message


def test_a_link_named_by_a_date_is_no_jrnl_heading() -> None:
    journal = parse_journal(
        "## 2026-11-23\n[2026-11-20](notes/2026-11-20.md)\n[2026-11-21]: x.md\n"
    )
    (entry,) = journal.entries
    assert len(entry.body) == 2
