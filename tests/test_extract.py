"""Extraction on strings written for each form in the journal, and on the fixture's weeks."""

from __future__ import annotations

from datetime import date

import pytest

from reviewer.facts.calendar import Week, entries_in
from reviewer.facts.extract import (
    clean,
    extract_questions,
    extract_reflections,
    extract_todos,
    items,
    undated_reflections,
    undated_todos,
)
from reviewer.journal.parse import Entry, parse_journal


def _entries(body: str, day: str = "2020-02-24") -> list[Entry]:
    return list(parse_journal(f"### {day}\n{body}").entries)


def _questions(body: str) -> list[tuple[str, str]]:
    return [(q.text, q.status) for q in extract_questions(_entries(body))]


def _todos(body: str) -> list[tuple[str, str]]:
    return [(t.text, t.status) for t in extract_todos(_entries(body))]


def test_items_nest_by_indentation_with_tabs_and_numbers() -> None:
    body = "* a\n  * b\n\t* c\n1. d\n   1.1 e\n```\n* not an item\n```\n#### heading\n"
    found = items(enumerate(body.splitlines(), start=2))
    assert [(i.text, i.parent) for i in found] == [
        ("a", None),
        ("b", 0),
        ("c", 1),  # a tab is four columns: deeper than "  * b"
        ("d", None),
        ("1.1 e", 3),
        ("heading", None),
    ]


def test_clean_strips_images_links_and_markers() -> None:
    text = "看一个[Wiki](https://x.org/a?b=1) ![](img.png) （👌）\\"
    assert clean(text) == "看一个Wiki"
    assert clean("TODO: 改PPT") == "改PPT"
    assert clean("[] - 对照着改") == "对照着改"


@pytest.mark.parametrize(
    "label",
    ["需要问的问题", "需要问的东西", "需要请教的", "需要搞清楚的问题", "Questions:", "问题："],
)
def test_question_sections(label: str) -> None:
    body = f"* {label}\n  * 输入数据是这样的吗 （👌）\n  * default dict的问题\n* 别的\n"
    assert _questions(body) == [
        ("输入数据是这样的吗", "answered"),
        ("default dict的问题", "open"),
    ]


def test_question_section_label_without_children_takes_the_list_after_it() -> None:
    body = "Questions:\n- why is loss NaN\n- which lr\n\n- unrelated note\n"
    assert _questions(body) == [("why is loss NaN", "open"), ("which lr", "open")]


def test_answers_in_place() -> None:
    body = (
        "* 需要请教的\n\t* ipdb怎么换行  -- from IPython import embed; embed()\n"
        "\t* list append怎么换掉　—— List Comprehension\n\t* ~~SAWB是怎么求的~~\n"
        "\t* 目录保持一致性\n"
    )
    found = extract_questions(_entries(body))
    assert [(q.text, q.status, q.answer) for q in found] == [
        ("ipdb怎么换行", "answered", "from IPython import embed; embed()"),
        ("list append怎么换掉", "answered", "List Comprehension"),
        ("SAWB是怎么求的", "answered", ""),
        ("目录保持一致性", "open", ""),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("* intro的时候需不需要说一下structural pruning", "open"),
        ("* 折线图里是不是需要强调一下？", "open"),
        ("* TODO: 问一下凯哥怎么整训练数据", "open"),
        ("* 实现上的问题需要请教飞哥", "open"),
        ("* why does it diverge?", "open"),
        ("* ~~问一下凯哥是不是可以不存明文~~", "answered"),
        ("* 这个flag是否有用 （👌）", "answered"),
    ],
)
def test_inline_questions(line: str, expected: str) -> None:
    assert [status for _, status in _questions(line + "\n")] == [expected]


@pytest.mark.parametrize(
    "line",
    [
        "* 看一个[wiki](https://x.org/page?id=3)",
        "* ```python main.py --help?```",
        "* ![](https://x.org/a.png?raw=true)",
        "* 问题在于这个bias会比较大",
    ],
)
def test_not_questions(line: str) -> None:
    assert _questions(line + "\n") == []


def test_notes_under_a_listed_question_are_not_questions() -> None:
    body = "* 需要搞清楚的问题\n  1. avoid的做法\n     * 是否经过valid是不知道的\n"
    assert _questions(body) == [("avoid的做法", "open")]


def test_reflections_and_lessons() -> None:
    body = (
        "* 📌该打印的东西全部打印出来\n"
        "* 训诫！一定要细看📌\n"
        "* **是最近最摸鱼的一天了，需要反省啊！😡**\n"
        "* 反思\n  * 看文章走马观花\n  * 没有记录\n"
        "* 普通的一行\n"
    )
    found = extract_reflections(_entries(body))
    assert [(r.text, r.kind) for r in found] == [
        ("该打印的东西全部打印出来", "lesson"),
        ("训诫！一定要细看", "lesson"),
        ("**是最近最摸鱼的一天了，需要反省啊！😡**", "reflection"),
        ("看文章走马观花", "reflection"),
        ("没有记录", "reflection"),
    ]


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("* 改cfg （👌）", "done"),
        ("* 改cfg (👌)", "done"),
        ("* 改cfg  (👌）", "done"),
        ("* ~~整理Online Learning的素材~~", "done"),
        ("* ~~ Load一下ImageNet  ~~ ", "done"),
        ("* [DONE] 改intro", "done"),
        ("* [x] 改intro", "done"),
        ("* [DELAY] 读NAS文章", "delayed"),
        ("* TODO: 改PPT，炼丹", "open"),
        ("* todo：继续炼丹", "open"),
        ("* [] - 对照着metapruning改热力图结果", "open"),
        ("* [ ] 读论文", "open"),
        ("* [DROP] 买梯子", "dropped"),
    ],
)
def test_todo_markers(line: str, status: str) -> None:
    assert [s for _, s in _todos(line + "\n")] == [status]


def test_partial_strike_is_not_done() -> None:
    assert _todos("* 人的观测能力是有极限的 ~~我不做人了JOJO！~~\n") == []


def test_todo_section_children_are_todos() -> None:
    body = (
        "* 需要做的事情\n  1. 改昨天晚上画图的问题： （👌）\n     1.1 rank+1 改代码+表\n"
        "  2. 改好bug\n  3. 整理np的一些用法\n* debug-看结果\n"
    )
    assert _todos(body) == [
        ("改昨天晚上画图的问题：", "done"),
        ("改好bug", "open"),
        ("整理np的一些用法", "open"),
    ]


def test_mostly_ticked_list_makes_its_other_items_open_todos() -> None:
    body = (
        "* 改图Workflow\n  * 体现searching加速\n  * 体现senstivity analysis融入 （👌）\n"
        "  * budget model保留 （👌）\n  * 等跑完之后改写amc的方式 （现在看起来可以搁置了）\n"
    )
    assert _todos(body) == [
        ("体现searching加速", "open"),
        ("体现senstivity analysis融入", "done"),
        ("budget model保留", "done"),
        ("等跑完之后改写amc的方式 （现在看起来可以搁置了）", "dropped"),
    ]


def test_unticked_item_that_says_it_is_done() -> None:
    body = "* todo\n* 文字调整做了\n* exp setup部分更新imagenet\n"
    assert _todos(body) == [("文字调整做了", "done"), ("exp setup部分更新imagenet", "open")]


def test_answered_question_is_not_also_a_todo() -> None:
    body = "* 需要搞清楚的问题\n  * cfg的sample100是怎么搞的 （👌）\n"
    assert _todos(body) == []
    assert _questions(body) == [("cfg的sample100是怎么搞的", "answered")]


def test_undated_sections(journal_text: str) -> None:
    journal = parse_journal(journal_text)
    reflections = undated_reflections(journal.sections)
    assert len(reflections) == 5 and all(r.date is None for r in reflections)
    assert reflections[0].line == 2530
    todos = undated_todos(journal.sections)
    lists = {t.list for t in todos}
    assert lists == {"Today", "ShortTerm", "LongTerm"}
    first = todos[0]
    assert (first.list, first.status, first.line) == ("Today", "open", 2540)
    assert any(t.status == "done" and "Sensitivity Analysis" in t.text for t in todos)


def _fixture_week(journal_text: str, day: date) -> list[Entry]:
    return entries_in(parse_journal(journal_text).entries, Week.containing(day))


def test_fixture_week_0224(journal_text: str) -> None:
    entries = _fixture_week(journal_text, date(2020, 2, 24))
    questions = extract_questions(entries)
    assert ("intro的时候需不需要说一下structural pruning", date(2020, 2, 29)) in [
        (q.text, q.date) for q in questions
    ]
    todos = {t.text: t.status for t in extract_todos(entries)}
    assert todos["改昨天晚上画图的各种弱智问题："] == "done"
    assert todos["改好bug"] == "open"
    assert todos["插一个continuous进去对比…"] == "done"


def test_fixture_week_0217(journal_text: str) -> None:
    entries = _fixture_week(journal_text, date(2020, 2, 17))
    questions = [(q.text, q.line) for q in extract_questions(entries)]
    assert ("predictor train不用调？", 315) in questions
    lessons = [(r.kind, r.line) for r in extract_reflections(entries)]
    assert lessons == [("lesson", 218), ("lesson", 199)]
    done = {t.text for t in extract_todos(entries) if t.status == "done"}
    assert {"SA又出bug了…", "改cfg", "读intro", "加一个random"} <= done


def test_fixture_week_1223_answers(journal_text: str) -> None:
    entries = _fixture_week(journal_text, date(2019, 12, 25))
    answered = [(q.text, q.answer) for q in extract_questions(entries)]
    assert ("ipdb怎么换行", "from IPython import embed; embed()") in answered


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        ("* 需要问的问题\n  * default dict的问题\n", "ask"),
        ("* TODO: 问一下凯哥怎么整训练数据\n", "ask"),
        ("* 实现上的问题需要请教飞哥\n", "ask"),
        ("* 折线图里是不是需要强调一下？\n", "wonder"),
        ("* 难道是这个任务太难了?\n", "wonder"),
    ],
)
def test_question_kind(body: str, kind: str) -> None:
    (question,) = extract_questions(_entries(body))
    assert question.kind == kind


def test_offline_topics_join_two_word_terms() -> None:
    from reviewer.llm.offline import topics_of

    entries = parse_journal(
        "### 2020-02-25\n* sample eff 的图\n* DSA\n### 2020-02-24\n* 调 sample eff\n* DSA fig\n"
        "* sample size\n"
    ).entries
    # "sample" is on as many days as "sample eff", so the pair stands for it (and for "eff").
    assert topics_of(list(entries)) == [("DSA", 2), ("sample eff", 2)]
