"""Month and term reviews from weekly digests."""

from __future__ import annotations

from datetime import date

import pytest

from reviewer.errors import UsageError
from reviewer.journal.parse import parse_journal
from reviewer.llm.offline import OfflineBackend
from reviewer.review.month import parse_month, review_period, weeks_overlapping


def test_parse_month() -> None:
    today = date(2020, 3, 8)
    assert parse_month("2020-02", today) == (date(2020, 2, 1), date(2020, 2, 29))
    assert parse_month("this", today) == (date(2020, 3, 1), date(2020, 3, 31))
    assert parse_month("last", date(2020, 1, 15)) == (date(2019, 12, 1), date(2019, 12, 31))
    for bad in ("2020-13", "Feb", "2020-02-01"):
        with pytest.raises(UsageError):
            parse_month(bad, today)


def test_weeks_overlapping_february_2020() -> None:
    weeks = weeks_overlapping(date(2020, 2, 1), date(2020, 2, 29))
    assert [w.iso for w in weeks] == ["2020-W05", "2020-W06", "2020-W07", "2020-W08", "2020-W09"]


def test_month_of_the_fixture(journal_text: str) -> None:
    journal = parse_journal(journal_text, source="journal.md")
    month = review_period(
        journal, date(2020, 2, 1), date(2020, 2, 29), date(2020, 3, 8), OfflineBackend()
    )
    # February 2020 has 29 days; 02-06 is the only one not written.
    assert (month.stats.days_journaled, month.stats.days_in_period) == (28, 29)
    assert month.stats.longest_streak == 23  # 02-07 .. 02-29
    assert [w.iso for w in month.weeks] == [
        "2020-W05",
        "2020-W06",
        "2020-W07",
        "2020-W08",
        "2020-W09",
    ]
    assert all(min(h.dates) >= date(2020, 2, 1) for h in month.highlights)
    assert {h.week for h in month.highlights} == {w.iso for w in month.weeks}
    done = {t.text for t in month.todos if t.status == "done"}
    assert "改cfg" in done and "SA又出bug了…" in done
    asked = [q for q in month.questions if not q.carried_over]
    assert all(date(2020, 2, 1) <= q.date <= date(2020, 2, 29) for q in asked)
    # The asks left open since 2019-10 are untouched for months: dormant, listed apart.
    assert month.dormant and all(q.carried_over and q.status == "open" for q in month.dormant)
    assert not {q.id for q in month.dormant} & {q.id for q in month.questions}
    assert month.meta.backend == "offline" and month.meta.calls == 0


def test_term_spans_months(journal_text: str) -> None:
    journal = parse_journal(journal_text)
    term = review_period(
        journal, date(2019, 11, 1), date(2020, 1, 31), date(2020, 3, 8), OfflineBackend()
    )
    assert term.period.label == "2019-11..2020-01"
    assert term.stats.days_in_period == 92 and term.stats.days_journaled == 92
    with pytest.raises(UsageError):
        review_period(
            journal, date(2020, 2, 1), date(2020, 1, 1), date(2020, 3, 8), OfflineBackend()
        )


@pytest.mark.parametrize(
    ("lang", "says", "never"),
    [
        ("auto", ["29 天中记了 28 天", "最长连续 23 天", "写得最多的一周"], ["days journaled"]),
        ("zh", ["29 天中记了 28 天"], ["days journaled"]),
        ("en", ["28 of 29 days journaled", "the longest run was 23 days"], ["天中记了"]),
    ],
)
def test_offline_month_summary_speaks_the_digests_language(
    journal_text: str, lang: str, says: list[str], never: list[str]
) -> None:
    """The fixture is a Chinese journal: its month summary is Chinese unless --lang en."""
    journal = parse_journal(journal_text)
    month = review_period(
        journal, date(2020, 2, 1), date(2020, 2, 29), date(2020, 3, 8), OfflineBackend(), lang=lang
    )
    assert month.lang == ("en" if lang == "en" else "zh")
    assert all(s in month.summary for s in says), month.summary
    assert not any(s in month.summary for s in never), month.summary


def test_offline_month_summary_of_an_english_journal() -> None:
    text = "# Log\n\n## 2021-03-02\n\n* ran the baseline\n* TODO: write it up\n"
    month = review_period(
        parse_journal(text), date(2021, 3, 1), date(2021, 3, 31), date(2021, 4, 2), OfflineBackend()
    )
    assert month.lang == "en"
    assert month.summary.startswith("2021-03: 1 of 31 days journaled"), month.summary
