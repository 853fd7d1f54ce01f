"""The month (or term) written by the LLM from its weeks: request, redaction, grounding, cache,
failure. Through the real openai client on respx; any request not mocked fails."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.journal.parse import parse_journal
from reviewer.journal.source import load_journal
from reviewer.llm.base import PeriodBackend
from reviewer.llm.offline import OfflineBackend
from reviewer.llm.openai_backend import OpenAIBackend
from reviewer.llm.plan import Call
from reviewer.models import MonthDigest
from reviewer.review.month import review_period

from .llm_support import (
    BASE_URL,
    FIXTURE,
    TODAY,
    WEEK_ANSWER,
    body_of,
    completion,
    error,
    make_backend,
)

FEBRUARY = (date(2020, 2, 1), date(2020, 2, 29))
MONTH_ANSWER: dict[str, Any] = {
    "summary": "二月：改 DSA 文章、画图；跳板机 <IP-1> 上跑实验。",
    "highlights": [
        {"text": "DSA 文章修改", "dates": ["2020-02-27"]},
        {"text": "一月底的事", "dates": ["2020-01-30"]},  # outside the period: dropped
        {"text": "跨月", "dates": ["2020-01-31", "2020-2-3"]},  # kept, with 02-03 only
        {"text": "没有日期", "dates": []},  # cites nothing: dropped
    ],
}


def _schema_name(request: httpx.Request) -> str:
    body = body_of(request)
    name: str = body.get("response_format", {}).get("json_schema", {}).get("name", "")
    return name


def _week_reply(request: httpx.Request) -> dict[str, Any]:
    """The W09 answer of the LLM tests for week 2020-W09, a plain one citing Monday otherwise."""
    user = body_of(request)["messages"][1]["content"]
    found = re.search(r"Week (\d{4}-W\d\d), (\d{4}-\d\d-\d\d)", user)
    assert found, user[:200]
    if found[1] == "2020-W09":
        return WEEK_ANSWER
    return {
        "summary": f"summary of {found[1]}",
        "highlights": [{"text": f"highlight of {found[1]}", "dates": [found[2]]}],
        "themes": [],
        "next_week": [],
    }


class Endpoint:
    """A fake endpoint answering weeks and months; `month` decides the month's reply."""

    def __init__(self, month: httpx.Response | None = None, week: httpx.Response | None = None):
        self.month = month or completion(MONTH_ANSWER, usage=(900, 200))
        self.week = week
        self.asked: list[str] = []
        self.months: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        name = _schema_name(request)
        self.asked.append(name)
        if name == "month_review":
            self.months.append(body_of(request))
            return self.month
        assert name in {"week_review", "day_review"}, name
        return self.week or completion(_week_reply(request))


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    fake = Endpoint()
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        yield fake


def _month(backend: OpenAIBackend | OfflineBackend) -> MonthDigest:
    return review_period(load_journal(FIXTURE), *FEBRUARY, TODAY, backend)


def test_only_a_chat_backend_writes_periods(tmp_path: Path) -> None:
    assert isinstance(make_backend(tmp_path), PeriodBackend)
    assert not isinstance(OfflineBackend(), PeriodBackend)


def test_month_call_sends_the_weeks_redacted(tmp_path: Path, endpoint: Endpoint) -> None:
    month = _month(make_backend(tmp_path))
    assert endpoint.asked.count("month_review") == 1
    assert endpoint.asked[-1] == "month_review"  # after every week
    body = endpoint.months[0]
    system, user = (m["content"] for m in body["messages"])
    assert "2020-02-01 to 2020-02-29" in system
    for iso in ("2020-W05", "2020-W06", "2020-W07", "2020-W08"):
        assert f"summary of {iso}" in user and f"## {iso}" in user
    # W09's summary was restored locally ("跳板机 101.6.64.67"): it is redacted again.
    assert "画图调实验的一周；跳板机 <IP-" in user
    sent = json.dumps(body, ensure_ascii=False)
    assert "101.6.64.67" not in sent and "101.6.64.144" not in sent
    # only the in-period dates of a highlight are sent: W05 starts on 2020-01-27
    assert "highlight of 2020-W05" not in user
    assert "sample eff 实验几乎做完 (2020-02-26)" in user
    assert month.summary.startswith("二月：改 DSA 文章") and "<IP-" not in month.summary
    assert "101.6.64." in month.summary  # restored locally


def test_a_host_named_outside_the_period_is_hidden_too(tmp_path: Path) -> None:
    # Week 2020-W05 reaches into January; its summary names a host that only a January
    # entry's ssh command reveals, restored locally: the month call must hide it again.
    journal = parse_journal(
        "# J\n\n## 2020-02-01\n* 写论文\n\n## 2020-01-31\n* `ssh gpu7.lab.example.org` 跑实验\n",
        "j.md",
    )

    def reply(request: httpx.Request) -> httpx.Response:
        if _schema_name(request) == "month_review":
            return completion(MONTH_ANSWER)
        user = body_of(request)["messages"][1]["content"]
        assert "gpu7.lab.example.org" not in user
        return completion({"summary": "在 <HOST-1> 上跑实验", "highlights": []})

    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.post("/chat/completions").mock(side_effect=reply)
        backend = make_backend(tmp_path)
        review_period(journal, *FEBRUARY, TODAY, backend)
    month = body_of(route.calls[-1].request)
    assert route.call_count == 2  # week 2020-W05, then the month
    assert "gpu7.lab.example.org" not in json.dumps(month, ensure_ascii=False)
    assert "在 <HOST-1> 上跑实验" in month["messages"][1]["content"]


def test_month_highlights_are_grounded_in_the_period(tmp_path: Path, endpoint: Endpoint) -> None:
    month = _month(make_backend(tmp_path))
    assert [(h.text, h.dates, h.week) for h in month.highlights] == [
        ("DSA 文章修改", [date(2020, 2, 27)], "2020-W09"),
        ("跨月", [date(2020, 2, 3)], "2020-W06"),
    ]
    # two of the month's four claims cite no day of February; the rest are the weeks' own
    assert month.meta.dropped_claims == _weeks_dropped(tmp_path) + 2


def _weeks_dropped(tmp_path: Path) -> int:
    """What the weeks alone dropped (served from the cache of the run before)."""
    from reviewer.facts.calendar import Week
    from reviewer.review.week import review_week

    backend = make_backend(tmp_path)
    journal = load_journal(FIXTURE)
    week = Week.containing(FEBRUARY[0])
    total = 0
    while week.start <= FEBRUARY[1]:
        total += review_week(journal, week, TODAY, backend).meta.dropped_claims
        week = week.shifted(1)
    return total


def test_month_meta_adds_the_month_call_and_the_cache_serves_it(
    tmp_path: Path, endpoint: Endpoint
) -> None:
    first = _month(make_backend(tmp_path))
    weeks = len(first.weeks)
    assert first.meta.backend == "openai" and first.meta.calls == weeks + 1
    assert first.meta.prompt_tokens == weeks * 1200 + 900
    assert first.meta.completion_tokens == weeks * 300 + 200
    assert first.meta.estimated_cost_usd == round(weeks * 0.0004 + 0.0003, 4)  # gpt-4o-mini
    assert not first.meta.cached and not first.meta.degraded
    sent = len(endpoint.asked)
    again = _month(make_backend(tmp_path))
    assert len(endpoint.asked) == sent  # no request at all
    assert again.meta.cached and again.meta.calls == 0
    assert again.summary == first.summary and again.highlights == first.highlights
    assert again.meta.prompt_tokens == first.meta.prompt_tokens


def test_a_term_is_one_call_within_the_budget(tmp_path: Path, endpoint: Endpoint) -> None:
    journal = load_journal(FIXTURE)
    backend = make_backend(tmp_path, budget=1500)
    term = review_period(journal, date(2019, 11, 1), date(2020, 2, 29), TODAY, backend)
    assert endpoint.asked.count("month_review") == 1
    messages = endpoint.months[0]["messages"]
    assert backend.count_tokens(messages) <= 1500
    assert "## 2019-W44" in messages[1]["content"] and "## 2020-W09" in messages[1]["content"]
    assert term.period.label == "2019-11..2020-02"


def test_month_call_failure_keeps_the_month_made_in_code(tmp_path: Path) -> None:
    offline = _month(OfflineBackend())
    fake = Endpoint(month=error(503))
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        month = _month(make_backend(tmp_path))
    assert fake.asked.count("month_review") == 3  # the usual bounded retries
    assert month.summary == offline.summary
    assert month.meta.degraded
    assert month.meta.degraded_reason.startswith("2020-02 summary: gpt-4o-mini at http://llm.test")
    assert "server error 503 (3 attempts)" in month.meta.degraded_reason
    assert month.meta.calls == len(month.weeks) + 3
    assert {h.week for h in month.highlights} <= {w.iso for w in month.weeks}


def test_no_month_call_over_a_degraded_week(tmp_path: Path) -> None:
    fake = Endpoint(week=error(401, "bad key"))
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        month = _month(make_backend(tmp_path))
    assert "month_review" not in fake.asked
    assert month.meta.degraded and "authentication failed" in month.meta.degraded_reason
    assert month.summary == _month(OfflineBackend()).summary


def test_no_month_call_for_a_period_with_no_entries(tmp_path: Path) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.post("/chat/completions")
        month = review_period(
            load_journal(FIXTURE),
            date(2021, 1, 1),
            date(2021, 1, 31),
            TODAY,
            make_backend(tmp_path),
        )
    assert not route.called
    assert month.stats.days_journaled == 0 and not month.meta.degraded


def test_month_key_covers_its_template_and_leaves_week_keys_alone(
    tmp_path: Path, endpoint: Endpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.llm import chat
    from reviewer.llm.plan import build_plan

    from .llm_support import fixture_facts

    backend = make_backend(tmp_path)
    _month(backend)
    sent_body = endpoint.months[0]
    month_call = Call("month", sent_body["messages"], sent_body["max_tokens"])
    week_call = build_plan(fixture_facts(), "auto", 6000, backend.count_tokens).calls[0]
    month_key, week_key = backend.key_of(month_call), backend.key_of(week_call)
    monkeypatch.setattr(chat, "task_digest", lambda task: "edited" if task == "month" else "")
    assert backend.key_of(month_call) != month_key and backend.key_of(week_call) == week_key
    sent = len(endpoint.asked)
    _month(make_backend(tmp_path))
    assert endpoint.asked[sent:] == ["month_review"]  # the weeks from the cache, not the month


# -- through the CLI -------------------------------------------------------------------------

MONTH = ["month", "2020-02", "--journal", str(FIXTURE)]


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-0000000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")
    monkeypatch.setattr("reviewer.llm.openai_backend.time.sleep", lambda seconds: None)


def test_cli_month_with_an_llm(llm_env: None, endpoint: Endpoint) -> None:
    result = CliRunner().invoke(app, [*MONTH, "--format", "json"])
    assert result.exit_code == 0, result.output
    month = json.loads(result.stdout)
    assert month["summary"].startswith("二月：改 DSA 文章")
    assert month["meta"]["calls"] == 6 and month["meta"]["backend"] == "openai"
    markdown = CliRunner().invoke(app, MONTH).stdout
    assert "## 概要\n\n二月：改 DSA 文章" in markdown  # a Chinese journal: Chinese titles
    assert "openai gpt-4o-mini, 0 calls" in markdown  # all from the cache


def test_cli_month_failure_exits_3_with_the_offline_month(
    llm_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    offline = CliRunner().invoke(app, [*MONTH, "--offline"]).stdout
    fake = Endpoint(month=error(503))
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=fake)
        result = CliRunner().invoke(app, MONTH)
    assert result.exit_code == 3
    assert "reviewer: degraded" in result.stderr and "2020-02 summary" in result.stderr
    summary = offline.split("## 概要\n\n")[1].split("\n")[0]
    assert f"## 概要\n\n{summary}\n" in result.stdout
    assert "**degraded**: 2020-02 summary: gpt-4o-mini" in result.stdout
    assert "Traceback" not in result.output


def test_cli_month_offline_makes_no_request(llm_env: None) -> None:
    with respx.mock(assert_all_called=False) as nothing:
        result = CliRunner().invoke(app, [*MONTH, "--offline", "--format", "json"])
        assert not nothing.calls
    assert result.exit_code == 0 and json.loads(result.stdout)["meta"]["backend"] == "offline"
