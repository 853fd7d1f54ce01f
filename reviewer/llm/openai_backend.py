"""The OpenAI-compatible backend: the only module that imports `openai`, and only when it asks.

    _ask(call): response_format json_schema -> json_object -> prompt-only, each answer validated;
                bounded retries on timeouts, refused connections, 429 (Retry-After), 5xx, and on
                malformed, schema-invalid, truncated or refused answers; then CallFailed

One backend serves every thread of a run (map calls, backfilled weeks): at most `concurrency`
requests are in flight at once, and a 429 holds back every thread until its Retry-After has
passed, so a rate limit is not answered with more requests.

Planning, the cache, map and reduce, grounding and the offline fallback are `ChatBackend`'s.
The client is built on first use: a warm run, served from the cache, never imports openai.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from reviewer.llm.budget import TokenCounter
from reviewer.llm.cache import EndpointModes, ResponseCache
from reviewer.llm.chat import TEMPERATURE, Answer, CallFailed, ChatBackend, Tally
from reviewer.llm.plan import DEFAULT_BUDGET, Call
from reviewer.llm.schema import AnswerError, json_schema, parse_answer

if TYPE_CHECKING:
    import httpx
    import openai
    from openai.types.chat import ChatCompletion

__all__ = ["MODES", "OpenAIBackend", "probe"]

log = logging.getLogger("reviewer")

# json_object_schema: json_object with the schema beside it, which llama.cpp's server uses to
# constrain its output (it answers 500 to json_schema); servers that refuse the extra key
# move on to plain json_object. The mode that works is remembered per endpoint and model.
MODES = ("json_schema", "json_object_schema", "json_object", "prompt")
_ANSWER_ATTEMPTS = 2  # a second sample may parse; a third rarely does
_BACKOFF_S = 0.5
_BACKOFF_MAX_S = 8.0
# Statuses that, to a request with a response_format, may mean "not this format": llama.cpp
# answers 500 to json_schema, others 400 or 422.
_MODE_STATUSES = frozenset({400, 422, 500, 501})


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
        pass
    try:  # an HTTP date
        return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class OpenAIBackend(ChatBackend):
    """A ChatBackend on any OpenAI-compatible endpoint, through the `openai` client."""

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
        concurrency: int = 4,
        counter: Callable[[], TokenCounter] | None = None,
        attempts: int = 3,
        timeout: float = 60.0,
        retry_timeouts: bool = True,
        max_wait: float = 30.0,
        http_client: httpx.Client | None = None,
        client: openai.OpenAI | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        super().__init__(
            model,
            base_url,
            cache=cache,
            modes=modes,
            lang=lang,
            refresh=refresh,
            budget=budget,
            concurrency=concurrency,
            counter=counter,
        )
        self._api_key = api_key  # kept out of repr, keys and logs
        self.attempts = max(1, attempts)
        self.timeout = timeout
        # A local server that timed out is still busy with the request: another attempt
        # would queue behind it and double the wait for nothing.
        self.retry_timeouts = retry_timeouts
        self.max_wait = max_wait
        self._http_client = http_client
        self._client = client
        self._client_lock = threading.Lock()
        self._sleep = sleep or (lambda seconds: time.sleep(seconds))
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._gate_lock = threading.Lock()
        self._not_before = 0.0  # time.monotonic() before which no request is sent

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
        elif mode == "json_object_schema":
            schema = json_schema(call.task)["schema"]
            params["response_format"] = {"type": "json_object", "schema": schema}
        elif mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        from openai.types.chat import ChatCompletion

        # client.post, the client's documented way to call any endpoint, skips loading the
        # `client.chat` resource modules: half a second of imports on every cold run.
        response: ChatCompletion = self.client().post(
            "/chat/completions", body=params, cast_to=ChatCompletion
        )
        return response

    def _first_mode(self) -> int:
        remembered = self.modes.get(self.base_url, self.model) if self.modes else None
        return MODES.index(remembered) if remembered in MODES else 0

    def _ask(self, call: Call, tally: Tally) -> tuple[str, dict[str, int], Answer]:
        """Ask until a valid answer comes back or the bounds are spent (then CallFailed)."""
        import openai

        mode_index = self._first_mode()
        transport_failures = answer_failures = 0
        max_tokens = call.max_tokens
        while True:
            mode = MODES[mode_index]
            self._wait_for_gate()
            tally.sent()
            try:
                with self._slots:
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
                if status == 429:
                    self._hold_back(wait_s, reason)  # every thread waits, not just this one
                else:
                    self._pause(wait_s, reason)
                continue
            except openai.APITimeoutError:
                transport_failures += 1 if self.retry_timeouts else self.attempts
                reason = f"timed out after {self.timeout:g}s"
                if not self.retry_timeouts:
                    reason += ": a slow local server needs a longer REVIEWER_LLM_TIMEOUT"
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

    def _hold_back(self, seconds: float, reason: str) -> None:
        log.info("%s; holding all requests for %.1fs", reason, seconds)
        with self._gate_lock:
            self._not_before = max(self._not_before, time.monotonic() + seconds)

    def _wait_for_gate(self) -> None:
        with self._gate_lock:
            delay = self._not_before - time.monotonic()
        if delay > 0:
            self._sleep(delay)

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

    def _read(self, response: ChatCompletion, call: Call) -> tuple[str, dict[str, int], Answer]:
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


_PROBE_SCHEMA = {
    "name": "probe",
    "strict": True,
    "schema": {
        "type": "object",
        "properties": {"ok": {"type": "boolean"}},
        "required": ["ok"],
        "additionalProperties": False,
    },
}


def probe(backend: OpenAIBackend) -> tuple[str, str]:
    """Check the endpoint as `reviewer doctor` does: the key, the model, and which structured
    output mode works, with one tiny request that holds no journal text. Returns (what the
    endpoint said of the model, the mode that works, remembered for the next run); raises
    CallFailed with the reason otherwise."""
    import openai

    client = backend.client()
    try:
        listed = [m.id for m in client.models.list()]
        known = (
            f"model {backend.model} is served"
            if backend.model in listed
            else f"model {backend.model} is not in the endpoint's list of {len(listed)} models"
        )
    except openai.AuthenticationError as err:
        raise CallFailed(f"the key was refused ({err.status_code}): check OPENAI_API_KEY") from None
    except openai.APIStatusError:
        known = "the endpoint does not list its models"  # many local servers do not
    except openai.APIConnectionError as err:
        raise CallFailed(f"cannot connect: {_cause(err)}") from None
    messages = [{"role": "user", "content": 'Answer with the JSON object {"ok": true}.'}]
    for mode in MODES:
        params: dict[str, Any] = {"model": backend.model, "messages": messages, "max_tokens": 16}
        if mode == "json_schema":
            params["response_format"] = {"type": "json_schema", "json_schema": _PROBE_SCHEMA}
        elif mode == "json_object":
            params["response_format"] = {"type": "json_object"}
        try:
            client.post("/chat/completions", body=params, cast_to=object)
        except openai.AuthenticationError as err:
            raise CallFailed(
                f"the key was refused ({err.status_code}): check OPENAI_API_KEY"
            ) from None
        except openai.NotFoundError:
            raise CallFailed(
                f"not found (404): check the model name ({backend.model}) and OPENAI_BASE_URL"
            ) from None
        except openai.APIStatusError as err:
            if err.status_code in _MODE_STATUSES and mode != MODES[-1]:
                continue
            raise CallFailed(f"request rejected ({err.status_code}): {_message(err)}") from None
        except openai.APITimeoutError:
            raise CallFailed(f"timed out after {backend.timeout:g}s") from None
        except openai.APIConnectionError as err:
            raise CallFailed(f"cannot connect: {_cause(err)}") from None
        if backend.modes is not None:
            backend.modes.remember(backend.base_url, backend.model, mode)
        return known, mode
    raise CallFailed("no structured output mode worked")  # unreachable: the last mode raises


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
