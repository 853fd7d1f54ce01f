"""The OpenAI-compatible backend through the real openai client, its HTTP mocked with respx.

respx routes only the fake endpoint; any other request fails loudly (assert_all_mocked), and
conftest refuses sockets off the loopback interface besides.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from reviewer.facts.calendar import parse_week
from reviewer.journal.source import load_journal
from reviewer.llm import chat, openai_backend
from reviewer.llm.cache import EndpointModes, ResponseCache
from reviewer.llm.offline import OfflineBackend
from reviewer.llm.openai_backend import OpenAIBackend
from reviewer.llm.plan import build_plan
from reviewer.render.render import render
from reviewer.review.week import review_week

from .llm_support import (
    API_KEY,
    BASE_URL,
    MODEL,
    TODAY,
    WEEK_ANSWER,
    WEEK_DATES,
    body_of,
    completion,
    error,
    fixture_facts,
    make_backend,
    oversized_facts,
)


@pytest.fixture
def api() -> Iterator[respx.MockRouter]:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def _answers_cached(cache_dir: Path) -> int:
    cache = ResponseCache(cache_dir)
    raw = cache._open()
    count = sum(1 for key in raw if "content" in (cache.get(key) or {}))
    cache.close()
    return count


def test_full_week_through_the_openai_client(api: respx.MockRouter, cache_dir: Path) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    summary = make_backend(cache_dir).summarize(fixture_facts())

    assert route.call_count == 1
    request = route.calls[0].request
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    body = body_of(request)
    assert body["model"] == MODEL
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["name"] == "week_review"
    assert body["max_tokens"] == 1500 and body["temperature"] == 0.2
    sent = "\n".join(m["content"] for m in body["messages"])
    for day in WEEK_DATES:
        assert day in sent
    assert "101.6.64.67" not in sent and "42222" not in sent
    assert "ssh -p <PORT-1> -R <PORT-2>:localhost:<本地ipynb端口> <IP-1>" in sent

    assert summary.backend == "openai" and summary.model == MODEL
    assert not summary.cached and not summary.degraded
    assert (summary.calls, summary.prompt_tokens, summary.completion_tokens) == (1, 1200, 300)
    # the local digest gets the original back
    assert summary.summary == "画图调实验的一周；跳板机 101.6.64.67 上跑实验。"
    assert [h.text for h in summary.highlights][:2] == ["sample eff 实验几乎做完", "DSA 文章修改"]
    assert [str(d) for d in summary.highlights[1].dates] == ["2020-02-27"]
    assert summary.dropped_claims == 1 and summary.drop_reasons == ["1 dated outside the week"]
    # two held up: a third comes from the journal's own bullets, and the digest says so
    assert len(summary.highlights) == 3 and "offline" in summary.fallbacks[0]
    assert summary.themes == []  # no longer asked for: nothing renders them
    assert next((n.text, n.kind) for n in summary.next_week) == ("改好bug", "todo")


def test_second_run_makes_no_request(api: respx.MockRouter, cache_dir: Path) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    first = make_backend(cache_dir).summarize(fixture_facts())
    second = make_backend(cache_dir).summarize(fixture_facts())
    assert route.call_count == 1
    assert second.cached and second.calls == 0
    assert (second.prompt_tokens, second.completion_tokens) == (1200, 300)
    assert second.summary == first.summary and second.highlights == first.highlights


def test_refresh_bypasses_reads_and_rewrites(api: respx.MockRouter, cache_dir: Path) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    make_backend(cache_dir).summarize(fixture_facts())
    refreshed = make_backend(cache_dir, refresh=True).summarize(fixture_facts())
    assert route.call_count == 2 and not refreshed.cached
    make_backend(cache_dir).summarize(fixture_facts())
    assert route.call_count == 2


def test_edited_prompt_is_a_cache_miss(
    api: respx.MockRouter, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    make_backend(cache_dir).summarize(fixture_facts())
    monkeypatch.setattr(chat, "templates_digest", lambda: "edited")
    make_backend(cache_dir).summarize(fixture_facts())
    assert route.call_count == 2


def test_other_model_or_endpoint_is_a_cache_miss(cache_dir: Path) -> None:
    facts = fixture_facts()
    backend = make_backend(cache_dir)
    call = build_plan(facts, "auto", 6000, backend.count_tokens).calls[0]
    other_model = OpenAIBackend("gpt-4o", BASE_URL)
    other_url = OpenAIBackend(MODEL, "http://other.test/v1")
    same_but_key = OpenAIBackend(MODEL, BASE_URL + "/", "sk-another-key-000000000000")
    assert backend.key_of(call) != other_model.key_of(call)
    assert backend.key_of(call) != other_url.key_of(call)
    assert backend.key_of(call) == same_but_key.key_of(call)  # the key is no part of it


def test_api_key_is_never_stored(api: respx.MockRouter, cache_dir: Path) -> None:
    api.post("/chat/completions").mock(
        side_effect=[error(500, "no json_schema"), completion(WEEK_ANSWER)]
    )
    make_backend(cache_dir).summarize(fixture_facts())
    files = [p for p in cache_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert API_KEY.encode() not in path.read_bytes()
        assert b"101.6.64.67" not in path.read_bytes()  # the answer is cached redacted


# -- failures -------------------------------------------------------------------------------


def _refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


def _slow(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


_BAD_JSON = completion("{'summary': 'single quotes'}")
_BAD_SCHEMA = completion({"highlights": [{"text": "no summary"}]})
_CUT = completion('{"summary": "the answer was cut', finish_reason="length")
_REFUSED = completion("", refusal="I can't help with that.")


@pytest.mark.parametrize(
    ("responses", "reason", "requests", "sleeps"),
    [
        pytest.param(_slow, "timed out after 60s (3 attempts)", 3, [0.5, 1.0], id="timeout"),
        pytest.param(
            _refused,
            "cannot connect: connection refused (3 attempts)",
            3,
            [0.5, 1.0],
            id="connection-refused",
        ),
        pytest.param([error(429)] * 3, "rate limited (429) (3 attempts)", 3, [2.0, 4.0], id="429"),
        pytest.param(
            [error(429, headers={"retry-after": "3600"})],
            "rate limited (429); the server asks to wait 3600s",
            1,
            [],
            id="429-long",
        ),
        pytest.param([error(503)] * 3, "server error 503 (3 attempts)", 3, [0.5, 1.0], id="503"),
        pytest.param([error(500)] * 3, "server error 500 (3 attempts)", 3, [], id="500-every-mode"),
        pytest.param(
            [_BAD_JSON] * 2, "malformed JSON in the reply (2 attempts)", 2, [], id="malformed-json"
        ),
        pytest.param(
            [_BAD_SCHEMA] * 2, "does not match the schema (summary", 2, [], id="schema-invalid"
        ),
        pytest.param(
            [_CUT] * 2,
            "answer truncated (finish_reason=length) (2 attempts)",
            2,
            [],
            id="truncated",
        ),
        pytest.param(
            [_REFUSED] * 2, "the model refused: I can't help with that.", 2, [], id="refusal"
        ),
        pytest.param([error(401, "bad key")], "authentication failed (401)", 1, [], id="401"),
        pytest.param([error(404, "no such model")], "not found (404)", 1, [], id="404"),
    ],
)
def test_failures_degrade_to_offline_and_cache_nothing(
    api: respx.MockRouter,
    cache_dir: Path,
    responses: Any,
    reason: str,
    requests: int,
    sleeps: list[float],
) -> None:
    route = api.post("/chat/completions").mock(side_effect=responses)
    slept: list[float] = []
    summary = make_backend(cache_dir, sleep=slept.append).summarize(fixture_facts())
    assert summary.degraded and summary.backend == "offline"
    assert reason in summary.degraded_reason
    assert summary.degraded_reason.startswith(f"{MODEL} at {BASE_URL}: ")
    assert summary.summary == OfflineBackend().summarize(fixture_facts()).summary
    assert route.call_count == requests == summary.calls
    # A 429's wait runs on the monotonic clock (all threads share it): equal to a few ms.
    assert slept == pytest.approx(sleeps, abs=0.05)
    assert _answers_cached(cache_dir) == 0


def test_retry_after_is_honoured_then_the_answer_is_used(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    route = api.post("/chat/completions").mock(
        side_effect=[error(429, headers={"retry-after": "2"}), completion(WEEK_ANSWER)]
    )
    slept: list[float] = []
    summary = make_backend(cache_dir, sleep=slept.append).summarize(fixture_facts())
    assert not summary.degraded and slept == pytest.approx([2.0], abs=0.05)
    assert route.call_count == 2
    assert summary.calls == 2


def test_truncated_answer_is_asked_again_with_more_room(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    route = api.post("/chat/completions").mock(side_effect=[_CUT, completion(WEEK_ANSWER)])
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert not summary.degraded
    assert [body_of(c.request)["max_tokens"] for c in route.calls] == [1500, 3000]


def test_bad_answer_then_good_one(api: respx.MockRouter, cache_dir: Path) -> None:
    api.post("/chat/completions").mock(side_effect=[_BAD_JSON, completion(WEEK_ANSWER)])
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert not summary.degraded and _answers_cached(cache_dir) == 1


def test_degraded_digest_says_why(api: respx.MockRouter, cache_dir: Path) -> None:
    api.post("/chat/completions").mock(side_effect=_refused)
    journal = load_journal(Path(__file__).resolve().parent.parent / "fixtures" / "journal.md")
    digest = review_week(journal, parse_week("2020-02-24", TODAY), TODAY, make_backend(cache_dir))
    assert digest.meta.degraded and digest.meta.backend == "offline"
    assert "connection refused" in digest.meta.degraded_reason
    assert "**degraded**: gpt-4o-mini at http://llm.test/v1: cannot connect" in render(digest, "md")


# -- the response_format fallback chain ----------------------------------------------------


def _formats(route: respx.Route) -> list[str]:
    return [body_of(c.request).get("response_format", {}).get("type", "none") for c in route.calls]


def test_llama_cpp_500_on_json_schema_falls_back_and_is_remembered(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    def llama_cpp(request: httpx.Request) -> httpx.Response:
        if body_of(request).get("response_format", {}).get("type") == "json_schema":
            return error(500, "Unsupported response_format type")
        return completion(WEEK_ANSWER)

    route = api.post("/chat/completions").mock(side_effect=llama_cpp)
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert not summary.degraded and _formats(route) == ["json_schema", "json_object"]
    # the schema rides beside json_object: llama.cpp constrains its output with it (NOTES)
    sent = body_of(route.calls[1].request)["response_format"]
    assert sent["schema"]["required"] == ["summary", "highlights", "next_week"]
    assert EndpointModes(cache_dir).get(BASE_URL, MODEL) == "json_object_schema"

    make_backend(cache_dir, refresh=True).summarize(fixture_facts())
    assert _formats(route)[2:] == ["json_object"]  # the failing mode is skipped now


def test_a_server_refusing_the_schema_beside_json_object_gets_plain_json_object(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    def deepseek_like(request: httpx.Request) -> httpx.Response:
        response_format = body_of(request).get("response_format", {})
        if response_format.get("type") == "json_schema" or "schema" in response_format:
            return error(400, "unknown parameter")
        return completion(WEEK_ANSWER)

    route = api.post("/chat/completions").mock(side_effect=deepseek_like)
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert not summary.degraded and summary.calls == 3
    assert EndpointModes(cache_dir).get(BASE_URL, MODEL) == "json_object"
    assert "schema" not in body_of(route.calls[-1].request)["response_format"]


def test_server_without_response_format_gets_prompt_only(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    def plain(request: httpx.Request) -> httpx.Response:
        if "response_format" in body_of(request):
            return error(400, "response_format is not supported")
        return completion("```json\n" + json.dumps(WEEK_ANSWER) + "\n```")

    route = api.post("/chat/completions").mock(side_effect=plain)
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert not summary.degraded and summary.calls == 4
    assert _formats(route) == ["json_schema", "json_object", "json_object", "none"]
    assert EndpointModes(cache_dir).get(BASE_URL, MODEL) == "prompt"


def test_bad_request_in_the_last_mode_is_final(api: respx.MockRouter, cache_dir: Path) -> None:
    api.post("/chat/completions").mock(return_value=error(400, "context length exceeded"))
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert summary.degraded and "request rejected (400): context length exceeded" in (
        summary.degraded_reason
    )
    assert summary.calls == 4  # one per mode
    assert EndpointModes(cache_dir).get(BASE_URL, MODEL) is None


# -- map and reduce ------------------------------------------------------------------------


def test_oversized_week_is_mapped_concurrently_within_a_bound_then_reduced(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    facts = oversized_facts()
    lock = threading.Lock()
    running = peak = 0

    def server(request: httpx.Request) -> httpx.Response:
        nonlocal running, peak
        body = body_of(request)
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.03)
        with lock:
            running -= 1
        if "one part at a time" in body["messages"][0]["content"]:
            day = body["messages"][1]["content"].split("## ")[1][:10]
            return completion(
                {"summary": f"worked on {day}", "highlights": [{"text": "x", "dates": [day]}]},
                usage=(500, 50),
            )
        assert "## 2021-03-07\nworked on 2021-03-07" in body["messages"][1]["content"]
        return completion(
            {
                "summary": "a week of experiments",
                "highlights": [{"text": "tuned", "dates": ["2021-03-03"]}],
                "next_week": [],
            }
        )

    route = api.post("/chat/completions").mock(side_effect=server)
    summary = make_backend(cache_dir, budget=2000, concurrency=2).summarize(facts)
    assert not summary.degraded, summary.degraded_reason
    assert route.call_count == 8 == summary.calls
    assert peak == 2
    assert summary.prompt_tokens == 7 * 500 + 1200
    assert summary.summary == "a week of experiments"

    again = make_backend(cache_dir, budget=2000, concurrency=2).summarize(facts)
    assert route.call_count == 8 and again.cached and again.calls == 0


def test_a_failing_map_call_degrades_the_week(api: respx.MockRouter, cache_dir: Path) -> None:
    api.post("/chat/completions").mock(return_value=error(401))
    summary = make_backend(cache_dir, budget=2000).summarize(oversized_facts())
    assert summary.degraded and "authentication failed" in summary.degraded_reason


# -- the edges -----------------------------------------------------------------------------


def test_empty_week_sends_nothing(api: respx.MockRouter, cache_dir: Path) -> None:
    summary = make_backend(cache_dir).summarize(fixture_facts("2031-01-01"))
    assert summary.backend == "offline" and not summary.degraded
    assert "nothing was sent" in summary.notice


def test_reasoning_models_get_their_parameters(api: respx.MockRouter, cache_dir: Path) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    backend = OpenAIBackend("o4-mini", BASE_URL, API_KEY, cache=ResponseCache(cache_dir))
    backend.summarize(fixture_facts())
    body = body_of(route.calls[0].request)
    assert body["max_completion_tokens"] == 1500
    assert "max_tokens" not in body and "temperature" not in body


def test_missing_usage_is_counted_locally(api: respx.MockRouter, cache_dir: Path) -> None:
    api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER, usage=None))
    summary = make_backend(cache_dir).summarize(fixture_facts())
    assert 2000 < summary.prompt_tokens < 4000 and summary.completion_tokens > 50


def test_degraded_reason_shows_no_credentials_of_the_url(
    api: respx.MockRouter, cache_dir: Path
) -> None:
    with respx.mock(assert_all_called=False) as other:
        other.post("http://me:secret@llm.test/v1/chat/completions").mock(return_value=error(401))
        backend = OpenAIBackend(MODEL, "http://me:secret@llm.test/v1?k=1", API_KEY)
        summary = backend.summarize(fixture_facts())
    assert summary.degraded and "secret" not in summary.degraded_reason
    assert summary.degraded_reason.startswith(f"{MODEL} at http://llm.test/v1: ")


@pytest.mark.parametrize(
    ("headers", "seconds"),
    [
        ({"retry-after": "7"}, 7.0),
        ({"retry-after-ms": "1500"}, 1.5),
        ({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),
        ({"retry-after": "soon"}, None),
        ({}, None),
    ],
)
def test_retry_after(headers: dict[str, str], seconds: float | None) -> None:
    assert openai_backend._retry_after(httpx.Headers(headers)) == seconds


def test_backend_repr_hides_the_key() -> None:
    assert API_KEY not in repr(make_backend(Path("/nonexistent")))
