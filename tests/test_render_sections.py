"""A digest read in two minutes: section budgets, one home per item, the journal's language."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reviewer.facts.calendar import parse_week
from reviewer.journal.parse import parse_journal
from reviewer.journal.source import load_journal
from reviewer.llm.offline import OfflineBackend
from reviewer.models import Digest, Highlight, NextItem, Question, Todo
from reviewer.render.labels import count
from reviewer.render.render import render
from reviewer.render.sections import BUDGETS, UNLIMITED, Sections, normalized, sections
from reviewer.review.backfill import weeks_between
from reviewer.review.week import review_week

from .conftest import FIXTURE

TODAY = date(2020, 3, 8)


def _within_budgets(shown: Sections) -> None:
    assert len(shown.highlights.lines) <= BUDGETS.highlights
    assert len(shown.questions.lines) <= BUDGETS.questions
    assert len(shown.carried.lines) <= BUDGETS.carried
    assert len(shown.reflections.lines) <= BUDGETS.reflections
    for status in ("done", "open", "delayed", "dropped"):
        assert len(shown.todos[status].lines) <= getattr(BUDGETS, status)
    assert len(shown.stale.lines) <= BUDGETS.stale
    assert len(shown.next_refs) + len(shown.next_items) <= BUDGETS.next_week


def _no_repeats(shown: Sections) -> None:
    keys = [normalized(text) for text in shown.texts()]
    repeated = {k for k in keys if keys.count(k) > 1}
    assert not repeated, repeated


def test_every_fixture_week_keeps_its_budgets_and_shows_each_item_once() -> None:
    journal = load_journal(FIXTURE)
    backend = OfflineBackend()
    for week in weeks_between(date(2019, 10, 7), date(2020, 3, 1)):
        digest = review_week(journal, week, TODAY, backend)
        _within_budgets(sections(digest))
        _no_repeats(sections(digest))
        _no_repeats(sections(digest, UNLIMITED))


def test_w09_shows_what_a_reader_needs() -> None:
    journal = load_journal(FIXTURE)
    digest = review_week(journal, parse_week("2020-02-24", TODAY), TODAY, OfflineBackend())
    shown = sections(digest)
    # The repeated line of the issue: once, as the question it is.
    line = "我们的方法，折线图里是不是需要强调一下？"
    assert shown.texts().count(line) == 1
    assert line in [q.text for q in shown.questions.lines]
    # The asks open longest are the ones shown; the newer ones are counted.
    carried = [q for q in digest.questions if q.carried_over]
    oldest = sorted(carried, key=lambda q: -q.age_days)[: BUDGETS.carried]
    assert [q.item.age_days for q in shown.carried.lines] == [q.age_days for q in oldest]
    assert shown.carried.more == len(carried) - BUDGETS.carried
    # Every day of the week with an entry has a highlight: what was done each day.
    days = {d for e in digest.entries for d in e.days_in_week}
    cited = {d for h in shown.highlights.lines for d in h.item.dates}
    assert len(cited) >= min(len(days), BUDGETS.highlights) - 1
    # Nothing done is lost: done TODOs are in Done or ticked in Highlights.
    done = [t for t in digest.todos if t.status == "done"]
    assert len(shown.todos["done"].lines) + shown.done_in_highlights == len(done)


def test_fragments_lose_to_sentences_results_and_marks() -> None:
    text = (
        "### 2021-03-02\n* 读代码\n* scatter\n* hai\n"
        "* 终于把 baseline 的实验跑完了，acc 提升到 93.1%\n"
        "### 2021-03-01\n* 看论文\n* 📌 先写实验记录再改代码，不然第二天什么都不记得！\n* ok\n"
    )
    journal = parse_journal(text)
    week = parse_week("2021-03-01", date(2021, 3, 7))
    digest = review_week(journal, week, date(2021, 3, 7), OfflineBackend())
    texts = [h.text for h in digest.highlights]
    assert any("93.1%" in t for t in texts)
    assert not {"读代码", "scatter", "hai", "ok"} & set(texts)


def _digest(**parts: object) -> Digest:
    base = review_week(
        parse_journal("### 2021-03-01\n* something\n"),
        parse_week("2021-03-01", date(2021, 3, 7)),
        date(2021, 3, 7),
        OfflineBackend(),
    )
    return base.model_copy(update=parts)


def test_one_home_per_item_and_next_week_points_by_number() -> None:
    day = date(2021, 3, 1)
    asked = Question(text="是不是学习率太大了？", date=day, status="open")
    carried = [
        Question(
            text=f"老问题 {n}",
            date=day - timedelta(days=30 + n),
            status="open",
            carried_over=True,
            age_days=36 + n,
        )
        for n in range(10)
    ]
    done = Todo(text="把表格更新了", date=day, status="done")
    still = [Todo(text=f"任务 {n}", date=day, status="open") for n in range(9)]
    digest = _digest(
        highlights=[
            Highlight(text="是不是学习率太大了?", dates=[day]),  # the question, again
            Highlight(text="把表格更新了", dates=[day]),  # a done TODO: stays, ticked
            Highlight(text="跑通了 baseline", dates=[day]),
        ],
        questions=[asked, *carried],
        todos=[done, *still],
        next_week=[
            NextItem(text="任务 0", dates=[day], kind="todo"),  # shown above: a number
            NextItem(text="任务 8", dates=[day], kind="todo"),  # hidden behind "more": text
            NextItem(text="老问题 9", dates=[day], kind="question"),  # shown (oldest)
            NextItem(text="写一个 ablation", dates=[day], kind="suggestion"),
            NextItem(text="跑通了 baseline", dates=[day], kind="suggestion"),  # a highlight
        ],
    )
    shown = sections(digest)
    _no_repeats(shown)
    assert [h.text for h in shown.highlights.lines] == ["把表格更新了", "跑通了 baseline"]
    assert shown.highlights.lines[0].done and shown.done_in_highlights == 1
    assert not shown.todos["done"].lines
    assert [q.text for q in shown.carried.lines] == [f"老问题 {n}" for n in (9, 8, 7, 6)]
    assert shown.carried.more == 6
    assert shown.todos["open"].more == 3
    assert shown.next_refs == [1, 2]
    assert shown.todos["open"].lines[0].ref == 1 and shown.carried.lines[0].ref == 2
    assert [n.text for n in shown.next_items] == ["任务 8", "写一个 ablation"]
    md = render(digest, "md")
    assert "① 任务 0" in md and "② 老问题 9" in md and "① ②" in md
    assert md.count("把表格更新了") == 1 and md.count("跑通了 baseline") == 1


ENGLISH = (
    "### 2021-03-02\n* Finally got the baseline running at 93% accuracy\n"
    "* ~~try the old optimizer~~ (not needed)\n"
    "### 2021-03-01\n* Questions:\n  * why does the loss spike at epoch 3?\n"
)


@pytest.mark.parametrize(
    ("text", "lang", "titles", "html_lang"),
    [
        (ENGLISH, "auto", ("## Summary", "## Highlights", "## Next week"), 'lang="en"'),
        (
            "### 2021-03-01\n* 终于把实验跑完了，结果不错\n",
            "auto",
            ("## 概要", "## 亮点", "## 下周"),
            'lang="zh-CN"',
        ),
        (ENGLISH, "zh", ("## 概要", "## 亮点", "## 下周"), 'lang="zh-CN"'),
    ],
)
def test_the_digest_speaks_the_journal_language(
    text: str, lang: str, titles: tuple[str, ...], html_lang: str
) -> None:
    week = parse_week("2021-03-01", date(2021, 3, 7))
    digest = review_week(parse_journal(text), week, date(2021, 3, 7), OfflineBackend(), lang=lang)
    md = render(digest, "md")
    for title in titles:
        assert title in md
    assert html_lang in render(digest, "html")


def test_plain_text_keeps_strikethrough_and_counts_agree() -> None:
    week = parse_week("2021-03-01", date(2021, 3, 7))
    digest = review_week(parse_journal(ENGLISH), week, date(2021, 3, 7), OfflineBackend())
    digest = digest.model_copy(
        update={"highlights": [Highlight(text="~~try the old optimizer~~ done", dates=[])]}
    )
    text = render(digest, "text")
    assert "~~try the old optimizer~~" in text
    assert "streak 0 days, 2 entries" in text
    one = parse_journal("### 2021-03-07\n* Wrote the weekly notes\n")
    single = review_week(one, week, date(2021, 3, 7), OfflineBackend())
    for fmt in ("text", "md", "html"):
        shown = render(single, fmt)
        assert "1 day" in shown and "1 entry" in shown
        assert "1 days" not in shown and "1 entries" not in shown
    assert count(1, "entry") == "1 entry" and count(2, "day") == "2 days"
    assert count(1, "day", "zh") == "1 天"


@pytest.mark.parametrize(("lang", "title"), [("auto", "## 概要"), ("en", "## Summary")])
def test_the_month_speaks_the_journal_language(lang: str, title: str) -> None:
    from reviewer.render.render import render_month
    from reviewer.review.month import review_period

    journal = load_journal(FIXTURE)
    digest = review_period(
        journal, date(2020, 2, 1), date(2020, 2, 29), TODAY, OfflineBackend(), lang=lang
    )
    assert title in render_month(digest, "md")
    assert ('lang="en"' in render_month(digest, "html")) == (lang == "en")
