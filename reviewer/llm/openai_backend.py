"""The OpenAI-compatible backend: the only module that imports `openai`, and only when it asks.

    summarize(facts)
      plan (redacted, trimmed, within budget) -> for each call: cache hit, or ask the endpoint
      ask: response_format json_schema -> json_object -> prompt-only, each answer validated;
           bounded retries on timeouts, refused connections, 429 (Retry-After), 5xx, and on
           malformed, schema-invalid, truncated or refused answers
      any call still failing -> the offline digest, marked degraded with the reason

A warm run never imports openai nor loads a tokenizer: the cache is keyed on the messages,
and the budget is proven by a byte bound. Only validated answers are cached.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reviewer.llm.base import Summary, WeekFacts
from reviewer.llm.budget import TokenCounter, counter_for
from reviewer.llm.cache import EndpointModes, ResponseCache, cache_key
from reviewer.llm.offline import OfflineBackend
from reviewer.llm.plan import DEFAULT_BUDGET, Call, Plan, build_plan
from reviewer.llm.prompts import templates_digest
from reviewer.llm.redact import RULES_VERSION
from reviewer.llm.schema import (
    SCHEMA_VERSION,
    AnswerError,
    DayAnswer,
    WeekAnswer,
    ground_highlights,
    ground_next,
    json_schema,
    parse_answer,
    themes_of,
)
from reviewer.models import Highlight, NextItem

if TYPE_CHECKING:
    import httpx
    import openai
    from openai.types.chat import ChatCompletion

__all__ = ["DEFAULT_BASE_URL", "MODES", "CallFailed", "OpenAIBackend", "endpoint_url"]

log = logging.getLogger("reviewer")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MODES = ("json_schema", "json_object", "prompt")
TEMPERATURE = 0.2
_ANSWER_ATTEMPTS = 2  # a second sample may parse; a third rarely does
_BACKOFF_S = 0.5
_BACKOFF_MAX_S = 8.0
# Statuses that, to a request with a response_format, may mean "not this format": llama.cpp
# answers 500 to json_schema, others 400 or 422.
_MODE_STATUSES = frozenset({400, 422, 500, 501})


def endpoint_url(base_url: str) -> str:
    """The base URL requests go to, normalized: it names the endpoint in keys and memory."""
    return (base_url or DEFAULT_BASE_URL).rstrip("/")


class CallFailed(Exception):
    """A call gave up: `reason` is the user-facing why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Tally:
    """What the calls of one run cost; the map calls update it from threads."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    misses: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, usage: dict[str, int], cached: bool) -> None:
        with self.lock:
            self.prompt_tokens += usage.get("prompt_tokens", 0)
            self.completion_tokens += usage.get("completion_tokens", 0)
            self.misses += not cached

    def sent(self) -> None:
        with self.lock:
            self.requests += 1


def _reasoning_model(model: str) -> bool:
    """o-series and gpt-5 models take max_completion_tokens and only the default temperature."""
    name = model.split("/")[-1].lower()
    return name.startswith(("o1", "o3", "o4", "gpt-5"))


def _retry_after(headers: httpx.Headers) -> float | None:
    """Seconds the server asked us to wait (Retry-After, retry-after-ms), if it said."""
    milliseconds = headers.get("retry-after-ms")
    if milliseconds:
        try:
            return float(milliseconds) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


class OpenAIBackend:
    """Writes the review with any OpenAI-compatible chat endpoint; offline when it cannot."""

    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str = "",
        api_key: str = "",
        *,
        cache: ResponseCache | None = None,
        modes: EndpointModes | None = None,
        lang: str = "auto",
        refresh: bool = False,
        budget: int = DEFAULT_BUDGET,
        attempts: int = 3,
        timeout: float = 60.0,
        max_wait: float = 30.0,
        concurrency: int = 4,
        http_client: httpx.Client | None = None,
        client: openai.OpenAI | None = None,
        sleep: Callable[[float], None] | None = None,
        counter: Callable[[], TokenCounter] | None = None,
    ) -> None:
        self.model = model
        self.base_url = endpoint_url(base_url)
        self._api_key = api_key
        self.cache = cache
        self.modes = modes
        self.lang = lang
        self.refresh = refresh
        self.budget = budget
        self.attempts = max(1, attempts)
        self.timeout = timeout
        self.max_wait = max_wait
        self.concurrency = max(1, concurrency)
        self._http_client = http_client
        self._client = client
        self._client_lock = threading.Lock()
        self._sleep = sleep or (lambda seconds: time.sleep(seconds))
        self._counter = counter or (lambda: counter_for(model))

    def __repr__(self) -> str:  # never the key
        return f"OpenAIBackend(model={self.model!r}, base_url={self.base_url!r})"

    # -- the protocol ---------------------------------------------------------------------

    def summarize(self, facts: WeekFacts) -> Summary:
        """The LLM's review of the week, or the offline one marked degraded if the LLM fails."""
        if not facts.entries:
            return OfflineBackend(notice="nothing journaled this week: nothing was sent").summarize(
                facts
            )
        plan = build_plan(facts, self.lang, self.budget, self.count_tokens)
        tally = _Tally()
        try:
            answer = self._week_answer(plan, tally)
        except CallFailed as err:
            log.warning("LLM failed: %s", err.reason)
            offline = OfflineBackend().summarize(facts)
            return Summary(
                summary=offline.summary,
                highlights=offline.highlights,
                next_week=offline.next_week,
                backend=offline.backend,
                themes=offline.themes,
                degraded=True,
                degraded_reason=f"{self.model} at {self.base_url}: {err.reason}",
                calls=tally.requests,
            )
        return self._summary(plan, answer, tally)

    def _summary(self, plan: Plan, answer: WeekAnswer, tally: _Tally) -> Summary:
        restore = plan.redactor.restore
        highlights, dropped = ground_highlights(answer.highlights, plan.allowed)
        next_week = ground_next(answer.next_week, plan.allowed)
        if dropped:
            log.info("dropped %d highlight(s) citing no day of the week", dropped)
        return Summary(
            summary=restore(answer.summary.strip()),
            highlights=[Highlight(text=restore(h.text), dates=h.dates) for h in highlights],
            next_week=[
                NextItem(text=restore(n.text), dates=n.dates, kind=n.kind) for n in next_week
            ],
            backend=self.name,
            model=self.model,
            cached=tally.misses == 0,
            prompt_tokens=tally.prompt_tokens,
            completion_tokens=tally.completion_tokens,
            calls=tally.requests,
            dropped_claims=dropped,
            themes=[restore(theme) for theme in themes_of(answer)],
        )

    def _week_answer(self, plan: Plan, tally: _Tally) -> WeekAnswer:
        if not plan.reduce:
            answer = self._answer(plan.calls[0], tally)
        else:
            days = self._map(plan.calls, tally)
            answer = self._answer(plan.reduce_call(days), tally)
        assert isinstance(answer, WeekAnswer)
        return answer

    def _map(self, calls: list[Call], tally: _Tally) -> list[DayAnswer]:
        """The map calls, at most `concurrency` at a time; the first failure stops the rest."""
        from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(calls))) as pool:
            futures = [pool.submit(self._answer, call, tally) for call in calls]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if future in done and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
            answers = [future.result() for future in futures]
        return [a for a in answers if isinstance(a, DayAnswer)]

    def count_tokens(self, messages: list[dict[str, str]]) -> int:
        """Prompt tokens of `messages`, remembered in the cache: loading a tokenizer would cost
        a warm run more than everything else it does."""
        key = cache_key({"token_count": messages, "model": self.model})
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None and isinstance(hit.get("tokens"), int):
                return int(hit["tokens"])
        counter = self._counter()
        tokens = counter.count_messages(messages)
        if self.cache is not None:
            self.cache.set(key, {"tokens": tokens, "tokenizer": counter.name})
        return tokens

    # -- one call: cache, then the endpoint ----------------------------------------------

    def key_of(self, call: Call) -> str:
        """The cache key of `call`: everything that shapes its answer, nothing secret."""
        return cache_key(
            {
                "model": self.model,
                "base_url": self.base_url,
                "task": call.task,
                "messages": call.messages,
                "params": {"temperature": TEMPERATURE, "max_tokens": call.max_tokens},
                "schema": json_schema(call.task),
                "schema_version": SCHEMA_VERSION,
                "templates": templates_digest(),
                "redaction_rules": RULES_VERSION,
            }
        )

    def _answer(self, call: Call, tally: _Tally) -> WeekAnswer | DayAnswer:
        key = self.key_of(call)
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    answer = parse_answer(str(hit.get("content", "")), call.task)
                except AnswerError:
                    log.info("cache entry %s… no longer validates; asking again", key[:12])
                else:
                    tally.add(hit.get("usage", {}), cached=True)
                    return answer
        content, usage, answer = self._ask(call, tally)
        tally.add(usage, cached=False)
        if self.cache is not None:
            self.cache.set(key, {"content": content, "usage": usage, "model": self.model})
        return answer

    def client(self) -> openai.OpenAI:
        """The openai client, built on first use (importing openai costs most of a second)."""
        with self._client_lock:
            if self._client is None:
                import openai

                self._client = openai.OpenAI(
                    api_key=self._api_key or "unused",  # local servers want no key
                    base_url=self.base_url,
                    max_retries=0,  # retries are ours: bounded, and they see the answer too
                    timeout=self.timeout,
                    http_client=self._http_client,
                )
            return self._client

    def _request(self, call: Call, mode: str, max_tokens: int) -> ChatCompletion:
        params: dict[str, Any] = {"model": self.model, "messages": call.messages}
        if _reasoning_model(self.model):
            params["max_completion_tokens"] = max_tokens
        else:
            params["max_tokens"] = max_tokens
            params["temperature"] = TEMPERATURE
        if mode == "json_schema":
            params["response_format"] = {
                "type": "json_schema",
                "json_schema": json_schema(call.task),
            }
        elif mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        response: ChatCompletion = self.client().chat.completions.create(**params)
        return response

    def _first_mode(self) -> int:
        remembered = self.modes.get(self.base_url, self.model) if self.modes else None
        return MODES.index(remembered) if remembered in MODES else 0

    def _ask(self, call: Call, tally: _Tally) -> tuple[str, dict[str, int], WeekAnswer | DayAnswer]:
        """Ask until a valid answer comes back or the bounds are spent (then CallFailed)."""
        import openai

        mode_index = self._first_mode()
        transport_failures = answer_failures = 0
        max_tokens = call.max_tokens
        while True:
            mode = MODES[mode_index]
            tally.sent()
            try:
                response = self._request(call, mode, max_tokens)
            except openai.APIStatusError as err:
                status = err.status_code
                if status in _MODE_STATUSES and mode_index < len(MODES) - 1:
                    log.info("%d to %s; trying %s", status, mode, MODES[mode_index + 1])
                    mode_index += 1
                    transport_failures += status >= 500
                    if transport_failures >= self.attempts:
                        reason = f"server error {status}" + _tries(transport_failures)
                        raise CallFailed(reason) from None
                    continue
                transport_failures += 1
                reason, wait_s = self._status_failure(err, transport_failures)
                if wait_s is None or transport_failures >= self.attempts:
                    raise CallFailed(reason + _tries(transport_failures)) from None
                self._pause(wait_s, reason)
                continue
            except openai.APITimeoutError:
                transport_failures += 1
                reason = f"timed out after {self.timeout:g}s"
            except openai.APIConnectionError as err:
                transport_failures += 1
                reason = f"cannot connect: {_cause(err)}"
            else:
                try:
                    content, usage, answer = self._read(response, call)
                except AnswerError as err:
                    answer_failures += 1
                    if answer_failures >= _ANSWER_ATTEMPTS:
                        raise CallFailed(err.reason + _tries(answer_failures)) from None
                    if "truncated" in err.reason:
                        max_tokens *= 2  # the same limit would cut the same answer
                    log.info("unusable answer (%s); asking again", err.reason)
                    continue
                if self.modes is not None and self.modes.get(self.base_url, self.model) != mode:
                    self.modes.remember(self.base_url, self.model, mode)
                return content, usage, answer
            if transport_failures >= self.attempts:
                raise CallFailed(reason + _tries(transport_failures))
            self._pause(_backoff(transport_failures), reason)

    def _pause(self, seconds: float, reason: str) -> None:
        log.info("%s; retrying in %.1fs", reason, seconds)
        self._sleep(seconds)

    def _status_failure(
        self, err: openai.APIStatusError, failures: int
    ) -> tuple[str, float | None]:
        """The reason for a status error, and how long to wait before retrying (None: don't)."""
        status = err.status_code
        if status == 429:
            wait_s = _retry_after(err.response.headers)
            if wait_s is not None and wait_s > self.max_wait:
                return f"rate limited (429); the server asks to wait {wait_s:.0f}s", None
            # no Retry-After: a rate limit needs longer than a glitch
            return "rate limited (429)", wait_s if wait_s is not None else 4 * _backoff(failures)
        if status >= 500 or status == 408:
            return f"server error {status}", _backoff(failures)
        if status in {401, 403}:
            return f"authentication failed ({status}): check OPENAI_API_KEY", None
        if status == 404:
            return "not found (404): check the model name and OPENAI_BASE_URL", None
        return f"request rejected ({status}): {_message(err)}", None

    def _read(
        self, response: ChatCompletion, call: Call
    ) -> tuple[str, dict[str, int], WeekAnswer | DayAnswer]:
        """The answer in a response, validated; AnswerError when it is unusable."""
        if not response.choices:
            raise AnswerError("empty reply (no choices)")
        choice = response.choices[0]
        message = choice.message
        refusal = getattr(message, "refusal", None)
        if refusal or choice.finish_reason == "content_filter":
            raise AnswerError(f"the model refused: {str(refusal or 'content filter')[:80]}")
        if choice.finish_reason == "length":
            raise AnswerError("answer truncated (finish_reason=length)")
        content = message.content or ""
        if not content.strip():
            raise AnswerError("empty reply")
        answer = parse_answer(content, call.task)
        usage = response.usage
        if usage is not None and usage.prompt_tokens:
            counts = {
                "prompt_tokens": usage.prompt_tokens,
                "completion_tokens": usage.completion_tokens or 0,
            }
        else:  # some local servers report no usage: count what we sent and got
            counter = self._counter()
            counts = {
                "prompt_tokens": counter.count_messages(call.messages),
                "completion_tokens": counter.count(content),
            }
        return content, counts, answer


def _backoff(failures: int) -> float:
    return float(min(_BACKOFF_MAX_S, _BACKOFF_S * 2 ** (failures - 1)))


def _tries(count: int) -> str:
    return f" ({count} attempt{'s' if count != 1 else ''})"


def _cause(err: Exception) -> str:
    """Why a connection failed, in a few words ("connection refused"), from its cause chain."""
    texts: list[str] = []
    inner: BaseException | None = err.__cause__
    seen: set[int] = set()
    while inner is not None and id(inner) not in seen:  # chains can loop
        seen.add(id(inner))
        texts.append(str(inner) or type(inner).__name__)
        inner = inner.__cause__
    joined = " ".join(texts).lower()
    if "refused" in joined:
        return "connection refused"
    if "name or service not known" in joined or "name resolution" in joined:
        return "unknown host"
    return (texts[0] if texts else str(err))[:120]


def _message(err: openai.APIStatusError) -> str:
    body = err.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:160]
    return str(err)[:160]
