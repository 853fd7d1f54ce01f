"""Reading what models write: dates in their many forms, prose without Markdown."""

from __future__ import annotations

from datetime import date

import pytest

from reviewer.llm.cited import cited_days, plain_prose

W09 = (date(2020, 2, 24), date(2020, 3, 1))
NEW_YEAR = (date(2020, 12, 28), date(2021, 1, 3))


@pytest.mark.parametrize(
    ("written", "days"),
    [
        ("2020-02-25", ["2020-02-25"]),
        ("2020-2-25", ["2020-02-25"]),
        ("2020/2/25", ["2020-02-25"]),
        ("2020.02.25", ["2020-02-25"]),
        ("2020年2月25日", ["2020-02-25"]),
        ("2月25日", ["2020-02-25"]),
        ("2/25", ["2020-02-25"]),
        ("Feb 25", ["2020-02-25"]),
        ("February 25th, 2020", ["2020-02-25"]),
        ("25 Feb", ["2020-02-25"]),
        ("Tuesday", ["2020-02-25"]),
        ("周二", ["2020-02-25"]),
        ("2020-02-25T09:00:00Z", ["2020-02-25"]),
        ("2020-02-29 ~ 2020-03-02", ["2020-02-29", "2020-03-01", "2020-03-02"]),
        ("Feb 24-26", ["2020-02-24", "2020-02-25", "2020-02-26"]),
        ("2月27日至28日", ["2020-02-27", "2020-02-28"]),
        ("2020-02-24, 2020-02-26", ["2020-02-24", "2020-02-26"]),
        ("yesterday", []),
        ("2020-02-30", []),
        ("this month", []),
    ],
)
def test_dates_as_models_write_them(written: str, days: list[str]) -> None:
    assert [str(d) for d in cited_days(written, *W09).days] == days


def test_only_the_asked_form_counts_as_exact() -> None:
    assert cited_days("2020-02-25", *W09).exact
    assert not cited_days("2020/2/25", *W09).exact


def test_a_date_without_its_year_takes_the_year_nearest_the_week() -> None:
    assert cited_days("Dec 30", *NEW_YEAR).days == [date(2020, 12, 30)]
    assert cited_days("Jan 2", *NEW_YEAR).days == [date(2021, 1, 2)]


@pytest.mark.parametrize(
    ("written", "plain"),
    [
        ("**本周概览**\n\n- 画图调实验\n- 修改 DSA 文章", "画图调实验；修改 DSA 文章"),
        (
            "## Summary\nThis week:\n1. Read the code\n2. Fixed **Evo**",
            "This week: Read the code; Fixed Evo",
        ),
        ("See [the draft](http://x.test/d) and `a*b*c`.", "See the draft and `a*b*c`."),
        ("一句话。\n第二句。", "一句话。第二句。"),
    ],
)
def test_prose_loses_its_markdown(written: str, plain: str) -> None:
    assert plain_prose(written) == plain
