"""Parser tests on strings: every heading form, range, slip and section of SPEC's journal."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.journal.parse import Journal, parse_date_heading, parse_journal, split_lines


def _dates(journal: Journal) -> list[tuple[date, date]]:
    return [(e.start, e.end) for e in journal.entries]


def _codes(journal: Journal) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in journal.diagnostics]


def _accounted(journal: Journal) -> int:
    """Lines placed somewhere: preamble, entries, undated sections and undatable entries."""
    parts = [*journal.entries, *journal.sections, *journal.undatable]
    total = sum(p.end_line - p.line + 1 for p in parts)
    if journal.preamble:
        total += journal.preamble.end_line - journal.preamble.line + 1
    return total


@pytest.mark.parametrize(
    "heading",
    [
        "### 2020-02-24",
        "# 2020-02-24",
        "## 2020-02-24",
        "#### 2020-02-24",
        "###\t2020-02-24",
        "#\u30002020-02-24",
        "### 2020-2-24",
        "###   2020-02-24   ",
    ],
)
def test_heading_forms(heading: str) -> None:
    journal = parse_journal(f"{heading}\n* note\n")
    assert _dates(journal) == [(date(2020, 2, 24), date(2020, 2, 24))]
    assert journal.entries[0].body == ("* note",)


def test_unpadded_dates() -> None:
    journal = parse_journal("### 2020-1-3\n\n### 2020-1-2\n")
    assert [e.start for e in journal.entries] == [date(2020, 1, 3), date(2020, 1, 2)]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2020-02-29 ~ 2020-03-02", date(2020, 2, 29), date(2020, 3, 2)),
        ("2020-02-08~2020-02-11", date(2020, 2, 8), date(2020, 2, 11)),
        ("2020-1-20 ~ 2020-1-26", date(2020, 1, 20), date(2020, 1, 26)),
        ("2019-11-16/17", date(2019, 11, 16), date(2019, 11, 17)),
        ("2020-02-08 - 2020-02-11", date(2020, 2, 8), date(2020, 2, 11)),
        ("2020-02-08-2020-02-11", date(2020, 2, 8), date(2020, 2, 11)),
        ("2020-02-08 / 02-11", date(2020, 2, 8), date(2020, 2, 11)),
        ("2019-11-30/2", date(2019, 11, 30), date(2019, 12, 2)),
        ("2019-12-30 ~ 1-2", date(2019, 12, 30), date(2020, 1, 2)),
        ("2020-02-08 ～ 2020-02-11", date(2020, 2, 8), date(2020, 2, 11)),
    ],
)
def test_ranges(text: str, start: date, end: date) -> None:
    journal = parse_journal(f"### {text}\n* x\n")
    assert _dates(journal) == [(start, end)]
    assert journal.diagnostics == ()


def test_range_end_year_slip_is_repaired() -> None:
    journal = parse_journal("### 2019-12-30 ~ 2019-01-02\n* x\n")
    assert _dates(journal) == [(date(2019, 12, 30), date(2020, 1, 2))]
    assert _codes(journal) == [(1, "range-repaired")]
    assert journal.entries[0].repaired


def test_reversed_range_is_flagged() -> None:
    journal = parse_journal("### 2020-03-02 ~ 2020-02-01\n* x\n")
    assert _dates(journal) == [(date(2020, 3, 2), date(2020, 3, 2))]
    assert _codes(journal) == [(1, "range-reversed")]


@pytest.mark.parametrize(
    ("heading", "title"),
    [
        ("### 2020-02-24 组会", "组会"),
        ("### 2020-02-24: paper deadline", "paper deadline"),
        ("### 2020-02-24：周一", "周一"),
        ("### 2020-02-24 - review", "review"),
        ("### 2020-02-24周一", "周一"),
        ("### 2020-02-29 ~ 2020-03-02 weekend sprint", "weekend sprint"),
    ],
)
def test_title_after_date(heading: str, title: str) -> None:
    journal = parse_journal(f"{heading}\n")
    assert len(journal.entries) == 1
    assert journal.entries[0].title == title


@pytest.mark.parametrize(
    "heading",
    ["#### 1124的奇妙冒险", "### 2020", "### 2020-02", "### 2020-02-24abc", "### v2020-02-24"],
)
def test_non_date_headings_inside_entry_are_content(heading: str) -> None:
    journal = parse_journal(f"### 2020-02-25\n* a\n{heading}\n* b\n### 2020-02-24\n")
    first = journal.entries[0]
    assert first.body == ("* a", heading, "* b")
    assert journal.sections == ()


def test_same_date_twice() -> None:
    journal = parse_journal("### 2020-02-05\n* a\n---\n### 2020-02-05\n* b\n")
    assert [e.start for e in journal.entries] == [date(2020, 2, 5)] * 2
    assert [e.body[0] for e in journal.entries] == ["* a", "* b"]
    assert journal.diagnostics == ()


def test_front_matter_date_is_not_an_entry() -> None:
    text = (
        "---\nlayout: post\ndate: 2048-01-01\n---\n\n# 日知录\n\n> quote\n\n### 2020-02-24\n* x\n"
    )
    journal = parse_journal(text)
    assert _dates(journal) == [(date(2020, 2, 24), date(2020, 2, 24))]
    assert journal.preamble is not None
    assert (journal.preamble.line, journal.preamble.end_line) == (1, 9)


def test_front_matter_heading_like_line_is_ignored() -> None:
    journal = parse_journal("---\n# 2048-01-01\n---\n### 2020-02-24\n")
    assert [e.start for e in journal.entries] == [date(2020, 2, 24)]


def test_undated_sections_at_the_end() -> None:
    text = (
        "### 2020-02-24\n* work\n#### sub heading\n* more\n"
        "## 🤔自省🤔\n* lesson\n## Done\n#### ⌛ Today\n* task\n#### ⏰ ShortTerm\n* later\n"
    )
    journal = parse_journal(text)
    assert journal.entries[0].body == ("* work", "#### sub heading", "* more")
    assert [(s.heading, s.line, s.end_line) for s in journal.sections] == [
        ("🤔自省🤔", 5, 6),
        ("Done", 7, 11),
    ]
    assert _accounted(journal) == journal.line_count == 11


def test_headings_in_code_fences_are_content() -> None:
    text = "### 2020-02-24\n```bash\n# 2020-01-01\necho hi\n```\n* after\n### 2020-02-23\n"
    journal = parse_journal(text)
    assert [e.start for e in journal.entries] == [date(2020, 2, 24), date(2020, 2, 23)]
    assert "# 2020-01-01" in journal.entries[0].body


def test_isolated_year_slip_is_repaired_with_warning() -> None:
    text = "### 2020-01-18\n* a\n### 2019-01-14~2020-01-17\n* b\n### 2020-01-13\n* c\n"
    journal = parse_journal(text)
    assert _dates(journal)[1] == (date(2020, 1, 14), date(2020, 1, 17))
    assert journal.entries[1].repaired
    (diag,) = journal.diagnostics
    assert (diag.line, diag.severity, diag.code) == (3, "warning", "date-repaired")
    assert "line 1" in diag.message and "line 5" in diag.message


def test_run_of_slipped_years_at_new_year() -> None:
    text = "\n".join(
        [
            "### 2020-01-04",
            "### 2019-01-03",
            "### 2019-01-02",
            "### 2019-01-01",
            "### 2019-12-31",
            "### 2019-12-30",
            "### 2019-12-29",
        ]
    )
    journal = parse_journal(text)
    assert [e.start for e in journal.entries][1:4] == [
        date(2020, 1, 3),
        date(2020, 1, 2),
        date(2020, 1, 1),
    ]
    assert _codes(journal) == [(2, "date-repaired"), (3, "date-repaired"), (4, "date-repaired")]


def test_run_of_slipped_years_at_the_top_of_the_file() -> None:
    text = "### 2019-01-02\n### 2019-01-01\n### 2019-12-31\n### 2019-12-30\n### 2019-12-29\n"
    journal = parse_journal(text)
    assert [e.start for e in journal.entries][:2] == [date(2020, 1, 2), date(2020, 1, 1)]


def test_five_digit_year_is_repaired_from_order() -> None:
    journal = parse_journal("### 2020-02-04\n### 20200-02-03\n### 2020-02-02\n")
    assert journal.entries[1].start == date(2020, 2, 3)
    assert _codes(journal) == [(2, "date-repaired")]


def test_oldest_first_journal_is_understood() -> None:
    text = "### 2020-01-01\n### 2020-01-02\n### 2019-01-03\n### 2020-01-04\n### 2020-01-05\n"
    journal = parse_journal(text)
    assert journal.entries[2].start == date(2020, 1, 3)


def test_out_of_order_date_that_cannot_be_fixed_is_flagged() -> None:
    # 2020-03-15 between 2020-02-10 and 2020-02-08: no year makes it fit; kept, flagged.
    journal = parse_journal("### 2020-02-12\n### 2020-02-10\n### 2020-03-15\n### 2020-02-08\n")
    assert journal.entries[2].start == date(2020, 3, 15)
    assert not journal.entries[2].repaired
    assert _codes(journal) == [(3, "out-of-order")]
    assert journal.errors == []


def test_invalid_date_is_an_error_and_keeps_its_lines() -> None:
    text = "### 2020-02-14\n* a\n### 2020-13-45\n* lost?\n### 2020-02-12\n* c\n"
    journal = parse_journal(text)
    assert [e.start for e in journal.entries] == [date(2020, 2, 14), date(2020, 2, 12)]
    (error,) = journal.errors
    assert (error.line, error.code) == (3, "invalid-date")
    assert journal.undatable[0].body == ("* lost?",)
    assert _accounted(journal) == journal.line_count


def test_no_date_headings_is_an_error() -> None:
    journal = parse_journal("# My notes\n\n* nothing dated\n")
    assert [(d.code, d.severity) for d in journal.diagnostics] == [("no-entries", "error")]
    assert journal.preamble is not None and journal.preamble.end_line == 3


def test_long_range_is_flagged() -> None:
    journal = parse_journal("### 2020-01-01 ~ 2020-03-01\n")
    assert _codes(journal) == [(1, "long-range")]


def test_crlf_and_cr_line_ends() -> None:
    assert split_lines("a\r\nb\rc\n") == ["a", "b", "c"]
    journal = parse_journal("### 2020-02-24\r\n* x\r\n### 2020-02-23\r\n")
    assert journal.entries[0].body == ("* x",)


def test_line_separator_characters_do_not_split_lines() -> None:
    assert split_lines("a\u2028b\x0cc\n") == ["a\u2028b\x0cc"]


def test_parse_date_heading_rejects_prose() -> None:
    assert parse_date_heading("Monday") is None
    assert parse_date_heading("2020-02-24 notes") is not None


def test_fixture_every_line_accounted(journal_text: str) -> None:
    journal = parse_journal(journal_text)
    assert journal.line_count == 2621
    assert _accounted(journal) == journal.line_count
    assert len(journal.entries) == 129
    assert [s.heading for s in journal.sections] == ["🤔自省🤔", "Done"]


def test_fixture_slip_repaired(journal_text: str) -> None:
    journal = parse_journal(journal_text)
    (diag,) = journal.diagnostics
    assert (diag.line, diag.code) == (647, "date-repaired")
    entry = next(e for e in journal.entries if e.line == 647)
    assert (entry.start, entry.end, entry.repaired) == (date(2020, 1, 14), date(2020, 1, 17), True)


def test_fixture_heading_variants(journal_text: str) -> None:
    journal = parse_journal(journal_text)
    by_line = {e.line: e for e in journal.entries}
    assert by_line[1528].start == date(2019, 11, 16) and by_line[1528].end == date(2019, 11, 17)
    assert by_line[1547].start == date(2019, 11, 15)  # full-width space after '#'
    assert by_line[706].start == date(2020, 1, 3)
    assert "#### 1124的奇妙冒险" in by_line[1368].body
    assert by_line[18].has_content is False  # "### 2020-03-03" with nothing under it


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["---", "***", "___", "-", " ", "\u3000", "\x1c", "x", "\n"])))
def test_has_content_is_anything_but_blank_lines_and_rules(parts: list[str]) -> None:
    text = "".join(parts)
    journal = parse_journal("### 2020-02-24\n" + text + ("\n" if text else ""))
    lines = text.split("\n") if text else []
    expected = any(ln.strip() and ln.strip() not in {"---", "***", "___"} for ln in lines)
    assert journal.entries[0].has_content == expected
