"""Summarizing with a chat endpoint: plan, cache, map and reduce, grounding, the fallback.

    summarize(facts)
      plan (redacted, trimmed, within budget) -> for each call: a cached answer, or `_ask`
      map calls run concurrently within a bound, then the reduce call
      answer -> grounded in the week's days, placeholders restored for the local digest
      any call failing for good (CallFailed) -> the offline digest, marked degraded
    summarize_period(facts)
      one call over the weeks' summaries and highlights (redacted again), grounded in the
      period's days; on failure a degraded PeriodSummary, and the month stays as code made it
    suggest_answers(questions, entries)
      batches of open questions and later entries, concurrently; proposals kept only when they
      cite a later entry of their batch; on failure none, and the reason

`ChatBackend` knows nothing of a provider: a subclass implements `_ask`, which sends one call
and returns a validated answer or raises CallFailed (`openai_backend.OpenAIBackend`). A warm
run loads neither the provider's library nor a tokenizer: answers are keyed on the messages,
and token counts of prompts over the byte bound are remembered too.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reviewer.credentials import public_url, scrub
from reviewer.facts.calendar import Week
from reviewer.llm.base import PeriodFacts, PeriodSummary, Summary, WeekFacts
from reviewer.llm.budget import TokenCounter, counter_for, estimate_cost, price_of
from reviewer.llm.cache import EndpointModes, ResponseCache, cache_key
from reviewer.llm.cited import plain_prose
from reviewer.llm.offline import OfflineBackend
from reviewer.llm.period import build_period_plan
from reviewer.llm.plan import DEFAULT_BUDGET, Call, Plan, build_plan
from reviewer.llm.prompts import task_digest, templates_digest
from reviewer.llm.redact import Redactor, Rules
from reviewer.llm.schema import (
    SCHEMA_VERSION,
    AnswerError,
    Checks,
    DayAnswer,
    MonthAnswer,
    Parsed,
    SuggestAnswer,
    WeekAnswer,
    ground_highlights,
    ground_next,
    json_schema,
    parse_answer,
)
from reviewer.llm.suggest import Suggestions, build_suggest_plan, ground_suggestions
from reviewer.models import Highlight, MonthHighlight, NextItem, SuggestedAnswer

if TYPE_CHECKING:
    from reviewer.facts.tracking import Tracked
    from reviewer.journal.parse import Entry

__all__ = [
    "DEFAULT_BASE_URL",
    "TEMPERATURE",
    "Answer",
    "CallFailed",
    "ChatBackend",
    "Tally",
    "endpoint_url",
]

log = logging.getLogger("reviewer")

DEFAULT_BASE_URL = "https://api.openai.com/v1"
MIN_HIGHLIGHTS = 3  # fewer, and the week's own bullets top them up (offline, and it is said)
TEMPERATURE = 0.2
Answer = Parsed


def endpoint_url(base_url: str) -> str:
    """The base URL requests go to, normalized: it names the endpoint in keys and memory."""
    return (base_url or DEFAULT_BASE_URL).rstrip("/")


def _shown(url: str) -> str:
    """`url` as the footer may show it: no user, password or query."""
    return public_url(url)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _restored(redactor: Redactor, text: str, checks: Checks, drop: bool = False) -> str:
    """`text` with its placeholders restored for the digest, or "" when one of them stands
    for nothing (a broken placeholder never reaches the reader); `drop` counts the claim."""
    restored = redactor.restore_answer(text.strip())
    if restored.broken:
        checks.placeholder_errors += restored.broken
        if drop:
            checks.drop("with a broken placeholder")
        return ""
    checks.repaired += bool(restored.repaired)
    return restored.text


def _top_up(kept: list[Highlight], offline: list[Highlight]) -> list[Highlight]:
    """Offline highlights to bring `kept` up to MIN_HIGHLIGHTS: days no kept one cites first."""
    cited = {day for h in kept for day in h.dates}
    texts = {h.text for h in kept}
    fresh = [h for h in offline if h.text not in texts]
    ranked = [h for h in fresh if not cited & set(h.dates)] + [
        h for h in fresh if cited & set(h.dates)
    ]
    return ranked[: max(0, MIN_HIGHLIGHTS - len(kept))]


class CallFailed(Exception):
    """A call gave up: `reason` is the user-facing why."""

    def __init__(self, reason: str) -> None:
        reason = scrub(reason)  # an error body may quote the key: it ends up in the digest
        super().__init__(reason)
        self.reason = reason


@dataclass
class Tally:
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


class ChatBackend:
    """Writes the review with a chat endpoint; offline, marked degraded, when it cannot."""

    name = "openai"

    def __init__(
        self,
        model: str,
        base_url: str = "",
        *,
        cache: ResponseCache | None = None,
        modes: EndpointModes | None = None,
        lang: str = "auto",
        refresh: bool = False,
        budget: int = DEFAULT_BUDGET,
        concurrency: int = 4,
        counter: Callable[[], TokenCounter] | None = None,
        redaction: Rules | None = None,
    ) -> None:
        self.model = model
        self.base_url = endpoint_url(base_url)
        self.cache = cache
        self.modes = modes
        self.lang = lang
        self.refresh = refresh
        self.budget = budget
        self.concurrency = max(1, concurrency)
        self._counter = counter or (lambda: counter_for(model))
        self.redaction = redaction or Rules()

    def __repr__(self) -> str:
        return f"{type(self).__name__}(model={self.model!r}, base_url={_shown(self.base_url)!r})"

    @property
    def key(self) -> str:
        """What shapes this backend's answers besides the facts (backfill skips a week whose
        facts and key are unchanged): the same parts as the cache keys, nothing secret."""
        return cache_key(
            {
                "model": self.model,
                "base_url": self.base_url,
                "lang": self.lang,
                "budget": self.budget,
                "schema_version": SCHEMA_VERSION,
                "templates": templates_digest(),
                "redaction_rules": self.redaction.digest,
            }
        )

    def _ask(self, call: Call, tally: Tally) -> tuple[str, dict[str, int], Answer]:
        """Send `call`; its reply text, token usage and validated answer, or CallFailed."""
        raise NotImplementedError

    # -- the protocol ---------------------------------------------------------------------

    def summarize(self, facts: WeekFacts) -> Summary:
        """The LLM's review of the week, or the offline one marked degraded if the LLM fails."""
        if not facts.entries:
            return OfflineBackend(notice="nothing journaled this week: nothing was sent").summarize(
                facts
            )
        plan = build_plan(facts, self.lang, self.budget, self.count_tokens, self.redaction)
        tally = Tally()
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
                degraded_reason=f"{self._where()}: {err.reason}",
                calls=tally.requests,
            )
        return self._summary(plan, answer, tally)

    def _summary(self, plan: Plan, answer: WeekAnswer, tally: Tally) -> Summary:
        facts = plan.facts
        checks = Checks()
        highlights, next_week = self._grounded(plan, answer, checks)
        offline = OfflineBackend().summarize(facts)
        fallbacks: list[str] = []
        summary = _restored(plan.redactor, plain_prose(answer.summary), checks)
        if not summary:
            fallbacks.append("summary: offline (the answer's was empty or unusable)")
            summary = offline.summary
        if len(highlights) < MIN_HIGHLIGHTS:
            # The journal's own bullets, with secrets masked as in the answer: a digest is mailed.
            own = [
                Highlight(text=text, dates=h.dates)
                for h in offline.highlights
                if (text := _restored(plan.redactor, plan.redactor.redact(h.text), Checks()))
            ]
            added = _top_up(highlights, own)
            if added:
                fallbacks.append(
                    f"the last {_plural(len(added), 'highlight')} taken from the journal's "
                    f"bullets (offline): only {len(highlights)} of the answer's held up"
                )
                highlights = [*highlights, *added]
        if not next_week and offline.next_week:
            fallbacks.append("next week: the open TODOs and questions (offline)")
            next_week = offline.next_week
        if checks.dropped_total:
            log.warning(
                "dropped %d claim(s) of the answer: %s",
                checks.dropped_total,
                ", ".join(checks.reasons()),
            )
        for fallback in fallbacks:
            log.warning("LLM answer not enough: %s", fallback)
        return Summary(
            summary=summary,
            highlights=highlights,
            next_week=next_week,
            dropped_claims=checks.dropped_total,
            drop_reasons=checks.reasons(),
            repaired_claims=checks.repaired,
            placeholder_errors=checks.placeholder_errors,
            fallbacks=fallbacks,
            **self._made(tally),
        )

    def _grounded(
        self, plan: Plan, answer: WeekAnswer, checks: Checks
    ) -> tuple[list[Highlight], list[NextItem]]:
        """The answer's highlights and next-week items that hold up: dates in the week (or, for
        next week, of the asks and TODOs sent), placeholders that stand for something."""
        week = (plan.facts.week.start, plan.facts.week.end)
        grounded, _ = ground_highlights(answer.highlights, plan.allowed, checks, week)
        highlights = [
            Highlight(text=text, dates=h.dates)
            for h in grounded
            if (text := _restored(plan.redactor, h.text, checks, drop=True))
        ]
        items = ground_next(answer.next_week, plan.allowed, checks, week, plan.also)
        next_week = [
            NextItem(text=text, dates=n.dates, kind=n.kind)
            for n in items
            if (text := _restored(plan.redactor, n.text, checks, drop=True))
        ]
        checks.kept = len(highlights) + len(next_week)
        return highlights, next_week

    def _useful(self, plan: Plan) -> Callable[[Answer], bool]:
        """Whether a week answer is worth caching: at least one highlight holds up. One that
        loses them all is a failure for that part, and is asked afresh next time."""

        def useful(answer: Answer) -> bool:
            if not isinstance(answer, WeekAnswer):
                return True
            return bool(self._grounded(plan, answer, Checks())[0])

        return useful

    def _week_answer(self, plan: Plan, tally: Tally) -> WeekAnswer:
        if not plan.reduce:
            answer = self._answer(plan.calls[0], tally, self._useful(plan))
        else:
            days = self._map(plan.calls, tally)
            answer = self._answer(plan.reduce_call(days), tally, self._useful(plan))
        assert isinstance(answer, WeekAnswer)
        return answer

    def _map(self, calls: list[Call], tally: Tally) -> list[DayAnswer]:
        """The map calls' answers, in order."""
        return [a for a in self._answers(calls, tally) if isinstance(a, DayAnswer)]

    def _answers(self, calls: list[Call], tally: Tally) -> list[Answer]:
        """Answers to independent calls, in order, at most `concurrency` at a time; the first
        failure stops the rest (answers already received are cached all the same)."""
        from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait

        if not calls:
            return []
        with ThreadPoolExecutor(max_workers=min(self.concurrency, len(calls))) as pool:
            futures = [pool.submit(self._answer, call, tally) for call in calls]
            done, pending = wait(futures, return_when=FIRST_EXCEPTION)
            for future in pending:
                future.cancel()
            for future in futures:
                if future in done and future.exception() is not None:
                    raise future.exception()  # type: ignore[misc]
            return [future.result() for future in futures]

    # -- across weeks -----------------------------------------------------------------------

    def summarize_period(self, facts: PeriodFacts) -> PeriodSummary:
        """The LLM's review of a month or term from its weeks' reviews; degraded (no prose) if
        the call fails, so the caller keeps the month it assembled in code."""
        plan = build_period_plan(facts, self.lang, self.budget, self.count_tokens, self.redaction)
        tally = Tally()
        try:
            answer = self._answer(plan.call, tally)
        except CallFailed as err:
            log.warning("LLM failed for %s: %s", facts.label, err.reason)
            return PeriodSummary(
                summary="",
                highlights=[],
                backend=self.name,
                model=self.model,
                degraded=True,
                degraded_reason=f"{facts.label} summary: {self._where()}: {err.reason}",
                calls=tally.requests,
            )
        assert isinstance(answer, MonthAnswer)
        checks = Checks()
        grounded, _ = ground_highlights(
            answer.highlights, plan.allowed, checks, (facts.start, facts.end)
        )
        highlights = [
            # The week is the one of the first day cited: grounding made it a day inside the
            # period that has an entry.
            MonthHighlight(text=text, dates=h.dates, week=Week.containing(h.dates[0]).iso)
            for h in grounded
            if (text := _restored(plan.redactor, h.text, checks, drop=True))
        ]
        if checks.dropped_total:
            log.info("dropped from %s: %s", facts.label, ", ".join(checks.reasons()))
        # An unusable summary (a placeholder standing for nothing): the month in numbers.
        summary = _restored(plan.redactor, plain_prose(answer.summary), checks)
        return PeriodSummary(
            summary=summary or facts.numbers,
            highlights=highlights,
            dropped_claims=checks.dropped_total,
            **self._made(tally),
        )

    def suggest_answers(
        self, questions: Sequence[Tracked], entries: Sequence[Entry]
    ) -> Suggestions:
        """Proposed answers to the open `questions` from later `entries`, never applied; on
        failure none, with the reason."""
        plan = build_suggest_plan(
            questions, entries, self.lang, self.budget, self.count_tokens, self.redaction
        )
        tally = Tally()
        try:
            answers = self._answers([batch.call for batch in plan.batches], tally)
        except CallFailed as err:
            log.warning("LLM failed suggesting answers: %s", err.reason)
            return Suggestions(
                calls=tally.requests, degraded_reason=f"{self._where()}: {err.reason}"
            )
        found: dict[str, SuggestedAnswer] = {}
        proposed = rejected = 0
        for batch, answer in zip(plan.batches, answers, strict=True):
            assert isinstance(answer, SuggestAnswer)
            kept, dropped = ground_suggestions(answer, batch, plan.redactor.restore_answer)
            proposed += len(answer.suggestions)
            rejected += dropped
            for suggestion in kept:  # several batches may answer one question: the earliest
                known = found.get(suggestion.question)
                if known is None or suggestion.date < known.date:
                    found[suggestion.question] = suggestion
        return Suggestions(
            found=found,
            proposed=proposed,
            rejected=rejected,
            calls=tally.requests,
            cached=tally.misses == 0,
            prompt_tokens=tally.prompt_tokens,
            completion_tokens=tally.completion_tokens,
            cost_usd=self._cost(tally),
        )

    def _where(self) -> str:
        return f"{self.model} at {_shown(self.base_url)}"

    def _cost(self, tally: Tally) -> float:
        price = price_of(self.model, self.base_url)
        return estimate_cost(tally.prompt_tokens, tally.completion_tokens, price)

    def _made(self, tally: Tally) -> dict[str, Any]:
        """How an answer was made, as Summary and PeriodSummary both record it."""
        return {
            "backend": self.name,
            "model": self.model,
            "cached": tally.misses == 0,
            "prompt_tokens": tally.prompt_tokens,
            "completion_tokens": tally.completion_tokens,
            "calls": tally.requests,
            "cost_usd": self._cost(tally),
        }

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

    def key_of(self, call: Call) -> str:
        """The cache key of `call`: everything that shapes its answer, nothing secret."""
        material = {
            "model": self.model,
            "base_url": self.base_url,
            "task": call.task,
            "messages": call.messages,
            "params": {"temperature": TEMPERATURE, "max_tokens": call.max_tokens},
            "schema": json_schema(call.task),
            "schema_version": SCHEMA_VERSION,
            "templates": templates_digest(),
            "redaction_rules": self.redaction.digest,
        }
        own = task_digest(call.task)
        if own:  # only tasks with templates of their own: a week's keys stay as they were
            material["task_templates"] = own
        return cache_key(material)

    def _answer(
        self, call: Call, tally: Tally, useful: Callable[[Answer], bool] | None = None
    ) -> Answer:
        """The answer to `call`, from the cache or asked; one that is valid but not `useful`
        is used this once and never cached."""
        key = self.key_of(call)
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key)
            if hit is not None:
                try:
                    answer = parse_answer(str(hit.get("content", "")), call.task)
                except AnswerError:
                    log.info("cache entry %s… no longer validates; asking again", key[:12])
                else:
                    if useful is None or useful(answer):
                        tally.add(hit.get("usage", {}), cached=True)
                        return answer
                    log.info("cache entry %s… holds up no claim; asking again", key[:12])
        content, usage, answer = self._ask(call, tally)
        tally.add(usage, cached=False)
        if useful is not None and not useful(answer):
            log.info("the answer holds up no claim: not cached")
            return answer
        if self.cache is not None:
            self.cache.set(key, {"content": content, "usage": usage, "model": self.model})
        return answer
