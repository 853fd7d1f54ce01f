"""`--dry-run`: the exact requests a week would send, their tokens and cost; nothing is sent.

For a week that needs map and reduce, the reduce request depends on the map answers, so it is
shown with a stand-in for each part's summary and counted at the map calls' completion limit.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from reviewer.credentials import public_url
from reviewer.llm.base import WeekFacts
from reviewer.llm.budget import TokenCounter, estimate_cost, price_of
from reviewer.llm.plan import Call, build_plan
from reviewer.llm.redact import Rules
from reviewer.llm.schema import DayAnswer

__all__ = ["format_preview", "preview"]


def preview(
    facts: WeekFacts,
    model: str,
    base_url: str,
    lang: str,
    budget: int,
    counter: Callable[[], TokenCounter],
    rules: Rules | None = None,
) -> dict[str, Any]:
    """What `reviewer week` would send for `facts`, as a JSON-ready dict."""
    tokens = counter()
    requests: list[dict[str, Any]] = []
    plan = build_plan(facts, lang, budget, tokens.count_messages, rules) if facts.entries else None
    calls: list[tuple[Call, bool]] = [(call, False) for call in plan.calls] if plan else []
    if plan is not None and plan.reduce:
        stand_ins = [
            DayAnswer(summary=f"<summary of {label}, from its map call>") for label in plan.labels
        ]
        calls.append((plan.reduce_call(stand_ins), True))
    for call, estimated in calls:
        counted = tokens.count_messages(call.messages)
        if estimated:  # the stand-ins are shorter than the real summaries can be
            counted += sum(c.max_tokens for c, _ in calls if c.task == "map")
        requests.append(
            {
                "task": call.task,
                "label": call.label,
                "estimated": estimated,
                "prompt_tokens": counted,
                "max_completion_tokens": call.max_tokens,
                "messages": call.messages,
            }
        )
    prompt_tokens = sum(r["prompt_tokens"] for r in requests)
    completion = sum(r["max_completion_tokens"] for r in requests)
    price = price_of(model, base_url)
    redacted = Counter(
        placeholder[1:].rsplit("-", 1)[0]
        for placeholder in (plan.redactor.replaced if plan else {})
    )
    return {
        "week": facts.week.iso,
        "model": model,
        "base_url": public_url(base_url),
        "lang": plan.lang if plan else lang,
        "plan": "none" if plan is None else "map-reduce" if plan.reduce else "single",
        "budget_tokens": budget,
        "tokenizer": tokens.name,
        "calls": len(requests),
        "prompt_tokens": prompt_tokens,
        "max_completion_tokens": completion,
        "estimated_cost_usd": estimate_cost(prompt_tokens, completion, price),
        "price_per_million_tokens": {"input": price[0], "output": price[1]},
        "redacted": dict(sorted(redacted.items())),
        "messages": [m for r in requests for m in r["messages"]],
        "requests": requests,
    }


def format_preview(data: dict[str, Any]) -> str:
    """The preview as text: every message in full, then the totals."""
    out: list[str] = []
    for number, request in enumerate(data["requests"], start=1):
        label = f" {request['label']}" if request["label"] else ""
        note = " (estimated: depends on the map answers)" if request["estimated"] else ""
        out.append(
            f"=== request {number}/{data['calls']}: {request['task']}{label}, "
            f"{request['prompt_tokens']} prompt tokens{note} ==="
        )
        for message in request["messages"]:
            out.append(f"--- {message['role']} ---")
            out.append(message["content"])
        out.append("")
    redacted = ", ".join(f"{n} {kind}" for kind, n in data["redacted"].items()) or "nothing"
    price = data["price_per_million_tokens"]
    out.append(
        f"dry run, nothing sent: {data['calls']} call(s) to {data['model']} at "
        f"{data['base_url']}, plan {data['plan']}, lang {data['lang']}\n"
        f"prompt tokens: {data['prompt_tokens']} (tokenizer {data['tokenizer']}, budget "
        f"{data['budget_tokens']} per call); completion at most {data['max_completion_tokens']}\n"
        f"estimated cost: at most ${data['estimated_cost_usd']:.4f} "
        f"(${price['input']}/M in, ${price['output']}/M out)\n"
        f"redacted: {redacted}"
    )
    return "\n".join(out) + "\n"
