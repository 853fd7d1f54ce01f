"""`reviewer questions --suggest-answers`: the plan (batches, budget, redaction), grounding by
the cited date, and the command (flag required, offline refused, failure exit 3). Through the
real openai client on respx; any request not mocked fails."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import respx
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.journal.parse import parse_journal
from reviewer.journal.source import load_journal
from reviewer.llm.budget import counter_for
from reviewer.llm.plan import Call
from reviewer.llm.schema import SuggestAnswer
from reviewer.llm.suggest import Batch, build_suggest_plan, ground_suggestions
from reviewer.review.week import ledger

from .llm_support import BASE_URL, FIXTURE, MODEL, body_of, completion, error, make_backend

JOURNAL = """# Journal

## 2020-02-21
* 跑通了：default dict 的问题是 key 写错了，改成 setdefault 就好
* 明天再看 train_ratio

## 2020-02-20
* 在 `ssh ztc@10.1.2.3 -p 2222` 上看了 log

## 2020-02-17
* 需要问的问题
  * default dict 为什么报错？
  * train_ratio 只有 0.1?
  * 已经解决的问题 -- 答案在这里
"""
DICT = "q-20200217-f43d"  # default dict 为什么报错？
RATIO = "q-20200217-16c2"  # train_ratio 只有 0.1?
ANSWER: dict[str, Any] = {
    "suggestions": [
        {
            "question": DICT,
            "answer": "key 写错了，改成 setdefault（在 <IP-1> 上查的）",
            "date": "2020-02-21",
        },
        {"question": RATIO, "answer": "同一天的", "date": "2020-02-17"},  # not after: rejected
        {"question": "q-20990101-0000", "answer": "no such question", "date": "2020-02-21"},
    ]
}


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    path = tmp_path / "journal.md"
    path.write_text(JOURNAL, encoding="utf-8")
    return path


def _count(messages: list[dict[str, str]]) -> int:
    return counter_for(MODEL).count_messages(messages)


def test_plan_sends_open_questions_and_later_entries_redacted() -> None:
    journal = parse_journal(JOURNAL, "j.md")
    tracked, _ = ledger(journal, "questions", {})
    assert {t.id for t in tracked if t.status == "open"} == {DICT, RATIO}
    plan = build_suggest_plan(tracked, journal.entries, "auto", 6000, _count)
    assert plan.lang == "zh" and len(plan.batches) == 1
    batch = plan.batches[0]
    assert batch.asked == {DICT: date(2020, 2, 17), RATIO: date(2020, 2, 17)}
    assert batch.days == {date(2020, 2, 20), date(2020, 2, 21)}  # only entries after 02-17
    user = batch.call.messages[1]["content"]
    assert f"- {DICT} (asked 2020-02-17): default dict 为什么报错？" in user
    assert "已经解决的问题" not in user  # answered in place: not open
    assert "## 2020-02-20\n" in user and "## 2020-02-21\n" in user and "## 2020-02-17" not in user
    sent = json.dumps(batch.call.messages, ensure_ascii=False)
    assert "10.1.2.3" not in sent and "ztc" not in sent and "2222" not in sent
    assert "<IP-1>" in sent and plan.redactor.restore("<IP-1>") == "10.1.2.3"


def test_plan_of_the_fixture_stays_within_the_budget() -> None:
    journal = load_journal(FIXTURE)
    tracked, _ = ledger(journal, "questions", {})
    open_ = [t for t in tracked if t.status == "open"]
    plan = build_suggest_plan(open_, journal.entries, "auto", 6000, _count)
    assert len(plan.batches) > 1
    sent_days = set()
    for batch in plan.batches:
        assert _count(batch.call.messages) <= 6000
        assert all(asked < max(batch.days) for asked in batch.asked.values())
        sent_days |= batch.days
        assert "101.6.64.67" not in json.dumps(batch.call.messages, ensure_ascii=False)
    assert {q.id for q in open_} == {i for b in plan.batches for i in b.asked}
    oldest = min(q.first for q in open_ if q.first)
    later = {d for e in journal.entries if e.end > oldest for d in e.days}
    assert later == sent_days  # every later entry is read by some call


def test_grounding_accepts_only_a_later_entry_of_the_batch() -> None:
    batch = Batch(
        Call("suggest", [], 100),
        {"q-1": date(2020, 2, 17), "q-2": date(2020, 2, 20)},
        frozenset({date(2020, 2, 17), date(2020, 2, 20), date(2020, 2, 21)}),
    )
    answer = SuggestAnswer.model_validate(
        {
            "suggestions": [
                {"question": "q-1", "answer": "yes <IP-1>", "date": "2020-2-20"},
                {"question": "q-2", "answer": "no", "date": "2020-02-20"},  # same day
                {"question": "q-2", "answer": "no", "date": "2020-02-19"},  # no entry
                {"question": "q-2", "answer": "no", "date": "2020-02-22"},  # not in batch
                {"question": "q-2", "answer": "", "date": "2020-02-21"},  # no answer
                {"question": "q-2", "answer": "no", "date": "soon"},
                {"question": "q-9", "answer": "no", "date": "2020-02-21"},  # not asked
                {"question": "q-2", "answer": "ok", "date": ["2020-02-21"]},
            ]
        }
    )
    kept, rejected = ground_suggestions(answer, batch, lambda s: s.replace("<IP-1>", "1.2.3.4"))
    assert [(s.question, s.date, s.answer) for s in kept] == [
        ("q-1", date(2020, 2, 20), "yes 1.2.3.4"),
        ("q-2", date(2020, 2, 21), "ok"),
    ]
    assert rejected == 6


def test_backend_keeps_grounded_proposals_and_caches(tmp_path: Path) -> None:
    journal = parse_journal(JOURNAL, "j.md")
    tracked, _ = ledger(journal, "questions", {})
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.post("/chat/completions").mock(return_value=completion(ANSWER))
        found = make_backend(tmp_path).suggest_answers(tracked, journal.entries)
        again = make_backend(tmp_path).suggest_answers(tracked, journal.entries)
    assert route.call_count == 1 and again.cached and again.calls == 0
    assert body_of(route.calls[0].request)["response_format"]["json_schema"]["name"] == (
        "suggested_answers"
    )
    assert list(found.found) == [DICT]
    suggestion = found.found[DICT]
    assert suggestion.date == date(2020, 2, 21) and "10.1.2.3" in suggestion.answer
    assert (found.proposed, found.rejected, found.calls) == (3, 2, 1)
    assert again.found == found.found


def test_an_off_schema_answer_is_a_failure_never_cached_as_no_suggestions(tmp_path: Path) -> None:
    journal = parse_journal(JOURNAL, "j.md")
    tracked, _ = ledger(journal, "questions", {})
    off_schema = {"answers": [{"id": DICT, "text": "yes", "date": "2020-02-21"}]}
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.post("/chat/completions").mock(return_value=completion(off_schema))
        first = make_backend(tmp_path).suggest_answers(tracked, journal.entries)
        calls = route.call_count
        make_backend(tmp_path).suggest_answers(tracked, journal.entries)
    assert first.degraded_reason and "schema" in first.degraded_reason and not first.found
    assert route.call_count == 2 * calls  # asked afresh: nothing was cached


# -- through the CLI -------------------------------------------------------------------------


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-0000000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")
    monkeypatch.setattr("reviewer.llm.openai_backend.time.sleep", lambda seconds: None)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def _rows(stdout: str) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in json.loads(stdout)}


def test_cli_suggestions_are_shown_never_applied(
    journal_file: Path, llm_env: None, api: respx.MockRouter
) -> None:
    api.post("/chat/completions").mock(return_value=completion(ANSWER))
    args = ["questions", "--journal", str(journal_file), "--suggest-answers"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = _rows(result.stdout)
    assert rows[DICT]["status"] == "open" and rows[DICT]["closed_on"] is None
    assert rows[DICT]["suggested"]["date"] == "2020-02-21"
    assert "setdefault" in rows[DICT]["suggested"]["answer"]
    assert rows[RATIO]["suggested"] is None
    assert all("suggested" in row for row in rows.values())
    assert "1 suggested answer(s) for 2 open ask(s), not applied" in result.stderr
    assert "2 of 3 proposal(s) rejected" in result.stderr
    text = CliRunner().invoke(app, args).stdout
    assert "suggested answer (2020-02-21): key 写错了" in text
    markdown = CliRunner().invoke(app, [*args, "--format", "md"]).stdout
    assert "<br>_suggested answer (2020-02-21): key 写错了" in markdown
    # and the ledger itself is unchanged: the next plain run knows nothing of it
    plain = CliRunner().invoke(app, ["questions", "--journal", str(journal_file), "-f", "json"])
    assert _rows(plain.stdout)[DICT]["status"] == "open"
    assert "suggested" not in _rows(plain.stdout)[DICT]


def test_cli_without_the_flag_sends_nothing(
    journal_file: Path, llm_env: None, api: respx.MockRouter
) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(ANSWER))
    result = CliRunner().invoke(app, ["questions", "--journal", str(journal_file)])
    assert result.exit_code == 0 and not route.called
    assert "suggested" not in result.stdout


def test_cli_flag_needs_an_llm(journal_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args = ["questions", "--journal", str(journal_file), "--suggest-answers"]
    with respx.mock(assert_all_called=False) as nothing:
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 78 and result.stdout == ""
        assert "--suggest-answers needs an LLM: set OPENAI_API_KEY" in result.stderr
        monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-0000000000000000")
        monkeypatch.setenv("REVIEWER_OFFLINE", "1")
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 78 and "REVIEWER_OFFLINE" in result.stderr
        assert not nothing.calls


def test_cli_failure_prints_the_ledger_and_exits_3(
    journal_file: Path, llm_env: None, api: respx.MockRouter
) -> None:
    api.post("/chat/completions").mock(return_value=error(503))
    args = ["questions", "--journal", str(journal_file), "--suggest-answers", "-f", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 3
    rows = _rows(result.stdout)
    assert rows[DICT]["suggested"] is None and rows[DICT]["status"] == "open"
    assert (
        "degraded, no answers suggested: gpt-4o-mini at http://llm.test/v1: server error 503"
        in (result.stderr)
    )
    assert "Traceback" not in result.output


def test_cli_sends_asks_not_wonders(tmp_path: Path, llm_env: None, api: respx.MockRouter) -> None:
    path = tmp_path / "journal.md"
    path.write_text(JOURNAL + "\n## 2020-02-16\n* 是不是学习率太大了？\n", encoding="utf-8")
    route = api.post("/chat/completions").mock(return_value=completion(ANSWER))
    result = CliRunner().invoke(app, ["questions", "-j", str(path), "--suggest-answers"])
    assert result.exit_code == 0, result.output
    sent = json.dumps([body_of(call.request) for call in route.calls], ensure_ascii=False)
    assert "default dict 为什么报错" in sent and "学习率太大" not in sent
