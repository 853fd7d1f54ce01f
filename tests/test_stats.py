"""Journal statistics against hand-counted values of the fixture."""

from __future__ import annotations

import re
from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.facts.stats import count_words, journal_stats
from reviewer.journal.parse import parse_journal


def test_fixture_stats(journal_text: str) -> None:
    stats = journal_stats(list(parse_journal(journal_text).entries), date(2020, 3, 8))
    # 2019-10-10 .. 2020-03-02 is 145 days; only 2020-02-06 is missing (2020-03-03 is empty).
    assert (stats.first_day, stats.last_day) == (date(2019, 10, 10), date(2020, 3, 2))
    assert stats.days_journaled == 144
    assert stats.entries == 129
    # 2019-10-10 .. 2020-02-05: 22 + 30 + 31 + 31 + 5 days.
    assert (stats.longest_streak, stats.longest_streak_from, stats.longest_streak_to) == (
        119,
        date(2019, 10, 10),
        date(2020, 2, 5),
    )
    assert stats.current_streak == 0
    assert [(g.start, g.end, g.days, g.ongoing) for g in stats.gaps] == [
        (date(2020, 3, 3), date(2020, 3, 8), 6, True),
        (date(2020, 2, 6), date(2020, 2, 6), 1, False),
    ]
    weeks = {w.iso: w for w in stats.weeks}
    assert len(stats.weeks) == 22  # 2019-W41 .. 2020-W10
    assert (weeks["2019-W41"].days, weeks["2019-W41"].entries) == (4, 4)  # Thu 10-10 .. Sun
    assert (weeks["2020-W06"].days, weeks["2020-W06"].entries) == (6, 7)  # 02-06 missing
    assert (weeks["2019-W46"].days, weeks["2019-W46"].entries) == (7, 6)  # 11-16/17 is one


def test_current_streak_and_since(journal_text: str) -> None:
    entries = list(parse_journal(journal_text).entries)
    assert journal_stats(entries, date(2020, 3, 2)).current_streak == 25  # 02-07 .. 03-02
    assert journal_stats(entries, date(2020, 3, 3)).current_streak == 25  # today not written yet
    since = journal_stats(entries, date(2020, 3, 2), since=date(2020, 2, 20))
    assert since.days_journaled == 12 and since.first_day == date(2020, 2, 20)


def test_count_words() -> None:
    assert (
        count_words("改好bug and test 2 things\n![](https://x.org/a.png) 日知录")
        == 2 + 5 + 3  # 改好 bug and test 2 things; 日知录
    )


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["![a", "](b)", "![x](y)", "http://e.org/x", " ", "中文", "don't", "\n"])
        | st.text(max_size=6),
        max_size=20,
    ).map("".join)
)
def test_words_of_an_entry_are_the_words_of_its_lines(text: str) -> None:
    from reviewer.facts.stats import _CJK, _LATIN

    image_or_url = re.compile(r"!\[[^\]]*\]\([^)]*\)|https?://\S+")  # as counted line by line
    by_line = 0
    for line in text.split("\n"):
        line = image_or_url.sub(" ", line)
        by_line += len(_CJK.findall(line)) + len(_LATIN.findall(line))
    assert count_words(text) == by_line
