"""`--dry-run` across weeks: what `reviewer month` and `questions --suggest-answers` would send.

    month_preview(period, backend)
      what the real `review_period` (the review layer, run by the caller) asked of a
      `DryRunBackend`: each week is answered from the response cache when it can be (nothing
      would be sent), else previewed as `week --dry-run` does and stood in for by its offline
      summary; the month request is then built from those weeks, marked estimated when a
      stand-in is in it
    suggest_preview(backend, questions, entries)
      the batches `suggest_answers` would send, each marked cached or not

`DryRunBackend` is a ChatBackend whose `_ask` raises instead of sending: whether an answer is
cached is found by the very code (plan, cache key) a real run uses, and nothing can leave the
machine, with or without a key. The only write is a token count remembered in the cache, as
any run leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reviewer.credentials import public_url
from reviewer.llm.base import PeriodFacts, PeriodSummary, Summary, WeekFacts
from reviewer.llm.budget import TokenCounter, estimate_cost, price_of
from reviewer.llm.chat import ChatBackend, Tally
from reviewer.llm.dryrun import preview
from reviewer.llm.offline import OfflineBackend
from reviewer.llm.period import build_period_plan
from reviewer.llm.plan import Call
from reviewer.llm.suggest import build_suggest_plan

if TYPE_CHECKING:
    from reviewer.facts.tracking import Tracked
    from reviewer.journal.parse import Entry
    from reviewer.llm.chat import Answer

__all__ = ["DryRunBackend", "WouldSend", "month_preview", "suggest_preview"]


class WouldSend(Exception):
    """A dry run reached a request that no cached answer covers.

    Not a CallFailed: ChatBackend turns those into a degraded answer, and this must instead
    reach the dry run, through the thread pool of map calls too.
    """


@dataclass(slots=True)
class _Seen:
    """What a month dry run learned: a row per week, and the month request."""

    weeks: list[dict[str, Any]] = field(default_factory=list)
    stand_ins: int = 0  # weeks with entries and no cached answer
    month: dict[str, Any] | None = None


class DryRunBackend(ChatBackend):
    """A ChatBackend that answers from the response cache only, and never sends."""

    name = "dry-run"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.seen = _Seen()

    def _ask(self, call: Call, tally: Tally) -> tuple[str, dict[str, int], Answer]:
        raise WouldSend(call.task)

    def is_cached(self, call: Call) -> bool:
        """A real run would answer `call` from the cache (never with --refresh)."""
        try:
            self._answer(call, Tally())
        except WouldSend:
            return False
        return True

    def counter(self) -> TokenCounter:
        """The counter a week's dry run uses, so that every preview counts alike."""
        return self._counter()

    def row(self, call: Call, *, cached: bool, estimated: bool = False) -> dict[str, Any]:
        """A request as the dry runs show it; counted with the same counter as a week's."""
        return {
            "task": call.task,
            "label": call.label,
            "cached": cached,
            "estimated": estimated,
            "prompt_tokens": self.counter().count_messages(call.messages),
            "max_completion_tokens": call.max_tokens,
            "messages": call.messages,
        }

    def summarize(self, facts: WeekFacts) -> Summary:
        """The cached answer of the week; else its preview is recorded and the offline summary
        stands in for it (not degraded, or review_period would skip the month request)."""
        try:
            summary = super().summarize(facts)
        except WouldSend:
            self.seen.stand_ins += 1
            week = preview(
                facts,
                self.model,
                self.base_url,
                self.lang,
                self.budget,
                self._counter,
                self.redaction,
            )
            self.seen.weeks.append({"week": facts.week.iso, "cached": False} | week)
            return OfflineBackend().summarize(facts)
        # Cached, or a week with no entries: a real run sends nothing for it either.
        self.seen.weeks.append(_nothing_sent(facts.week.iso, cached=bool(facts.entries)))
        return summary

    def summarize_period(self, facts: PeriodFacts) -> PeriodSummary:
        """Records the month request; the month it returns is discarded."""
        plan = build_period_plan(facts, self.lang, self.budget, self.count_tokens, self.redaction)
        estimated = self.seen.stand_ins > 0
        cached = not estimated and self.is_cached(plan.call)
        self.seen.month = self.row(plan.call, cached=cached, estimated=estimated)
        return PeriodSummary(summary="", highlights=[], backend=self.name, degraded=True)


def _nothing_sent(week: str, *, cached: bool) -> dict[str, Any]:
    return {
        "week": week,
        "cached": cached,
        "calls": 0,
        "prompt_tokens": 0,
        "max_completion_tokens": 0,
        "estimated_cost_usd": 0.0,
        "requests": [],
    }


def _totals(backend: DryRunBackend, requests: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Calls, tokens and the upper bound of the cost of the requests that would be sent."""
    sent = [r for r in requests if not r.get("cached")]
    prompt = sum(r["prompt_tokens"] for r in sent)
    completion = sum(r["max_completion_tokens"] for r in sent)
    price = price_of(backend.model, backend.base_url)
    return {
        "model": backend.model,
        "base_url": public_url(backend.base_url),
        "budget_tokens": backend.budget,
        "tokenizer": backend.counter().name,
        "calls": len(sent),
        "prompt_tokens": prompt,
        "max_completion_tokens": completion,
        "estimated_cost_usd": estimate_cost(prompt, completion, price),
        "price_per_million_tokens": {"input": price[0], "output": price[1]},
    }


def month_preview(period: str, backend: DryRunBackend) -> dict[str, Any]:
    """What `reviewer month` would send for `period`, as a JSON-ready dict, once the caller
    has run `review_period` on `backend` (llm/ sits below review/ and never calls it)."""
    seen = backend.seen
    requests = [r for week in seen.weeks for r in week["requests"]]
    requests += [seen.month] if seen.month is not None else []
    return {"period": period, **_totals(backend, requests)} | {
        "weeks": seen.weeks,
        "month": seen.month,
    }


def suggest_preview(
    backend: DryRunBackend, questions: Sequence[Tracked], entries: Sequence[Entry]
) -> dict[str, Any]:
    """What `questions --suggest-answers` would send for the open `questions`."""
    plan = build_suggest_plan(
        questions, entries, backend.lang, backend.budget, backend.count_tokens, backend.redaction
    )
    requests = [backend.row(b.call, cached=backend.is_cached(b.call)) for b in plan.batches]
    redacted: dict[str, int] = {}
    for placeholder in plan.redactor.replaced:
        kind = placeholder[1:].rsplit("-", 1)[0]
        redacted[kind] = redacted.get(kind, 0) + 1
    return {
        "questions": len(questions),
        "lang": plan.lang,
        **_totals(backend, requests),
        "redacted": dict(sorted(redacted.items())),
        "requests": requests,
    }


def format_across(data: dict[str, Any]) -> str:
    """A month or suggest preview as text: every request that would be sent in full, a line
    for each answer found in the cache, then the totals."""
    out: list[str] = []
    number = 0
    for week in data.get("weeks", []):
        if not week["requests"]:
            why = "cached" if week["cached"] else "no entries"
            out.append(f"=== week {week['week']}: {why}, nothing sent ===")
        for request in week["requests"]:
            number += 1
            label = f"{week['week']} {request['label']}".rstrip()
            out += _request_text(request, number, data["calls"], label)
    others = [data["month"]] if data.get("month") else []
    for request in others + data.get("requests", []):
        if request["cached"]:
            what = f"{request['task']} {request['label']}".rstrip()
            out.append(f"=== {what}: cached, nothing sent ===")
            continue
        number += 1
        out += _request_text(request, number, data["calls"], request["label"])
    price = data["price_per_million_tokens"]
    subject = f"period {data['period']}" if "period" in data else f"{data['questions']} ask(s)"
    out.append(
        f"dry run, nothing sent: {data['calls']} call(s) to {data['model']} at "
        f"{data['base_url']} for {subject}\n"
        f"prompt tokens: {data['prompt_tokens']} (tokenizer {data['tokenizer']}); "
        f"completion at most {data['max_completion_tokens']}\n"
        f"estimated cost: at most ${data['estimated_cost_usd']:.4f} "
        f"(${price['input']}/M in, ${price['output']}/M out)"
    )
    return "\n".join(out) + "\n"


def _request_text(request: dict[str, Any], number: int, calls: int, label: str) -> list[str]:
    where = f" {label}" if label else ""
    note = (
        " (estimated: built on stand-ins for answers not made yet)" if request["estimated"] else ""
    )
    lines = [
        f"=== request {number}/{calls}: {request['task']}{where}, "
        f"{request['prompt_tokens']} prompt tokens{note} ==="
    ]
    for message in request["messages"]:
        lines += [f"--- {message['role']} ---", message["content"]]
    return [*lines, ""]
