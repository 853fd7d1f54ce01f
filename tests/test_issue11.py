"""Each example of issue 11 ("Right on any journal") as a user would expect it to behave."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.facts.calendar import Week
from reviewer.facts.extract import (
    extract_questions,
    extract_reflections,
    extract_todos,
    undated_questions,
    undated_reflections,
)
from reviewer.facts.tracking import reconcile, track_questions, track_todos
from reviewer.journal.parse import parse_journal
from reviewer.review.week import question_ledger

from .conftest import FIXTURE

runner = CliRunner()


def _questions(body: str, day: str = "2026-11-20") -> list[tuple[str, str, str]]:
    journal = parse_journal(f"## {day}\n{body}")
    return [(q.text, q.status, q.kind) for q in extract_questions(journal.entries)]


def _todos(body: str) -> list[tuple[str, str]]:
    journal = parse_journal(f"## 2026-11-20\n{body}")
    return [(t.text, t.status) for t in extract_todos(journal.entries)]


def test_english_reflections_are_found() -> None:
    journal = parse_journal(
        "## 2026-11-20\n- Reflection: start with one experiment.\n"
        "- Lesson learned: bring a one-slide summary.\n- Note to self: read the docs.\n"
        "- Takeaway: decide the scope first.\n- The reflection of the mirror was odd.\n"
    )
    found = [(r.text, r.kind) for r in extract_reflections(journal.entries)]
    assert found == [
        ("Reflection: start with one experiment.", "reflection"),
        ("Lesson learned: bring a one-slide summary.", "lesson"),
        ("Note to self: read the docs.", "reflection"),
        ("Takeaway: decide the scope first.", "lesson"),
    ]


def test_undated_sections_at_the_dated_level_keep_their_items_undated() -> None:
    journal = parse_journal(
        "## 2026-11-17\n- done\n## Questions to ask\n- How many seeds?\n"
        "## Reflections\n- Mornings work.\n"
    )
    assert extract_questions(journal.entries) == []
    (asked,) = undated_questions(journal.sections)
    assert (asked.text, asked.date, asked.kind, asked.status) == (
        "How many seeds?",
        None,
        "ask",
        "open",
    )
    (reflection,) = undated_reflections(journal.sections)
    assert (reflection.text, reflection.date) == ("Mornings work.", None)


def test_fixture_self_reflection_section_is_shown_by_the_reflections_command() -> None:
    result = runner.invoke(app, ["reflections", "--journal", str(FIXTURE)])
    assert result.exit_code == 0
    assert "Standing reflections" in result.stdout
    assert "所谓的去寻找硬件友好的算法，其实会排除掉有效东西" in result.stdout
    assert "2020-02-21  [lesson] 训诫！一定要细看" in result.stdout
    rows = json.loads(
        runner.invoke(app, ["reflections", "--journal", str(FIXTURE), "-f", "json"]).stdout
    )
    assert {r["standing"] for r in rows} == {True, False}


def test_meeting_notes_q_and_a_are_answered_on_the_a_lines_date() -> None:
    body = (
        "Q: Who owns the pipeline?\nA: Ben.\n\nQ: 数据保留多久：\nA: 90 天。\n\n"
        "Q: Read access?\n- Ana will check.\n"
    )
    assert _questions(body) == [
        ("Who owns the pipeline?", "answered", "ask"),
        ("数据保留多久", "answered", "ask"),
        ("Read access?", "open", "ask"),
    ]
    journal = parse_journal(f"## 2026-11-20\n{body}")
    first = extract_questions(journal.entries)[0]
    assert first.answer == "Ben."
    (tracked, *_) = track_questions(extract_questions(journal.entries))
    assert tracked.closed_on == date(2026, 11, 20)


def test_a_question_answered_by_the_bullet_under_it_is_answered() -> None:
    body = "* 思考是不是数据分布的问题导致不收敛\n  * 这次我的原因是 lr 太大\n"
    journal = parse_journal(f"## 2026-11-20\n{body}")
    (question,) = extract_questions(journal.entries)
    assert (question.status, question.answer) == ("answered", "这次我的原因是 lr 太大")


def test_a_question_to_ask_someone_is_not_answered_by_a_status_note_under_it() -> None:
    body = "* 还需要解决上网的问题，问一下汪总\n  * 给颖姐发了邮件，等着回复吧\n"
    assert _questions(body) == [("还需要解决上网的问题，问一下汪总", "open", "ask")]


def test_how_to_notes_and_words_across_boundaries_are_no_questions() -> None:
    body = (
        "- 看日志确认是否有新用户被加入了 slurm 账户\n"
        "- 和 Leo 聊了一下，但是不是很懂他为什么不用 BPE\n"
        "- 用`nvidia-smi`看是否有别人在用卡\n"
        "- 感觉学习率是不是太大了\n"
    )
    assert _questions(body) == [("感觉学习率是不是太大了", "open", "wonder")]


def test_narrative_bullets_in_a_checkbox_list_are_not_todos() -> None:
    body = (
        "- [x] 把 eval 脚本迁移到新集群\n- 配好了新服务器的环境，cuda 12.4\n"
        "- [ ] 跑完 3 个 seed 的 baseline\n- 下午被拉去帮忙搬机器\n"
    )
    assert _todos(body) == [
        ("把 eval 脚本迁移到新集群", "done"),
        ("跑完 3 个 seed 的 baseline", "open"),
    ]


def test_delay_then_done_on_a_later_day_closes_the_task() -> None:
    journal = parse_journal(
        "### 2026-10-12\n1. [DONE] 复现 baseline\n2. [DELAY] 写数据预处理脚本\n"
        "### 2026-10-14\n1. [DONE] 写数据预处理脚本\n"
    )
    tracked = track_todos(extract_todos(journal.entries))
    script = next(t for t in tracked if t.text == "写数据预处理脚本")
    assert (script.status, script.closed_on, script.mentions) == ("done", date(2026, 10, 14), 2)


def test_a_sub_heading_line_ending_in_a_colon_is_not_a_todo() -> None:
    body = "* todo\n* 文字调整做了\n* 减少空间：\n  * RW-NAS 删除\n  * method 每个 section 删\n"
    assert _todos(body) == [
        ("文字调整做了", "done"),
        ("RW-NAS 删除", "open"),
        ("method 每个 section 删", "open"),
    ]


def test_question_ids_survive_a_corrected_heading_date_and_small_edits() -> None:
    before = parse_journal(
        "### 2019-10-12\n* 问一下凯哥怎么整训练数据\n* 需要问老板的签字什么时候给\n"
    )
    first = track_questions(extract_questions(before.entries))
    stored = reconcile(first, {})
    after = parse_journal(
        "### 2019-10-13\n* 问一下凯哥怎么整训练数据\n* 需要问老板的签字什么时候能给\n"
    )
    second = track_questions(extract_questions(after.entries))
    reconcile(second, stored)
    assert [t.id for t in second] == [t.id for t in first]
    assert first[0].id.startswith("q-20191012-")


def _asks(weeks_apart: int, wake: bool = False) -> str:
    later = date(2026, 1, 5).toordinal() + 7 * weeks_apart
    text = f"### {date.fromordinal(later)}\n* 今天读了论文\n"
    if wake:
        text += "* 问一下老板预算批了没有\n"
    return text + "### 2026-01-05\n* 问一下老板预算批了没有\n"


@pytest.mark.parametrize(("weeks", "carried"), [(3, True), (8, True), (9, False)])
def test_an_ask_untouched_for_weeks_goes_dormant(weeks: int, carried: bool) -> None:
    journal = parse_journal(_asks(weeks))
    week = Week.containing(date.fromordinal(date(2026, 1, 5).toordinal() + 7 * weeks))
    found, _ = question_ledger(journal, week)
    assert bool(found) is carried


def test_mentioning_a_dormant_ask_again_wakes_it() -> None:
    journal = parse_journal(_asks(12, wake=True))
    week = Week.containing(date.fromordinal(date(2026, 1, 5).toordinal() + 7 * 13))
    found, _ = question_ledger(journal, week)
    assert [q.text for q in found] == ["问一下老板预算批了没有"]


def test_questions_kind_column_kind_filter_and_dormant(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2026-06-01")
    path = tmp_path / "journal.md"
    path.write_text(_asks(2) + "### 2025-12-01\n* 这个 loss 是不是太大了？\n", encoding="utf-8")
    text = runner.invoke(app, ["questions", "--journal", str(path)]).stdout
    assert "ask     open" in text and "wonder  open" in text
    asks = runner.invoke(app, ["questions", "--journal", str(path), "--kind", "ask"]).stdout
    assert "预算" in asks and "loss" not in asks
    md = runner.invoke(app, ["questions", "--journal", str(path), "-f", "md"]).stdout
    assert md.startswith("| age | asked | kind | status | question |")
    dormant = runner.invoke(app, ["questions", "--journal", str(path), "--dormant"]).stdout
    assert "预算" in dormant and "loss" not in dormant
    monkeypatch.setenv("REVIEWER_DORMANT_WEEKS", "100")
    assert (
        "No questions match"
        in runner.invoke(app, ["questions", "--journal", str(path), "--dormant"]).stdout
    )


def test_dormancy_setting_from_file_and_environment(tmp_path: Path) -> None:
    from reviewer.config import load_settings
    from reviewer.errors import ConfigError

    config = tmp_path / "config.toml"
    config.write_text("[questions]\ndormant_weeks = 4\n", encoding="utf-8")
    assert load_settings({}, config).dormant_weeks == 4
    assert load_settings({"REVIEWER_DORMANT_WEEKS": "12"}, config).dormant_weeks == 12
    assert load_settings({"XDG_CONFIG_HOME": str(tmp_path / "none")}).dormant_weeks == 8
    with pytest.raises(ConfigError, match="REVIEWER_DORMANT_WEEKS"):
        load_settings({"REVIEWER_DORMANT_WEEKS": "soon"}, config)


def test_logseq_and_org_task_keywords_are_todos() -> None:
    body = (
        "- TODO order the book\n- LATER write a summary\n- DONE set up the notes page\n"
        "- CANCELED the second session\n- Done with chapter 1, on to chapter 2.\n"
    )
    assert _todos(body) == [
        ("order the book", "open"),
        ("write a summary", "open"),
        ("set up the notes page", "done"),
        ("CANCELED the second session", "dropped"),
    ]
