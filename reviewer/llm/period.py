"""From the weekly digests of a month (or term) to its one call: redacted, within the budget.

The weekly summaries and highlights were restored locally, so they hold original values again
(the IP of an ssh command that the week's call saw as <IP-1>). They are redacted afresh, after
learning every value of the period's entries, so that a host named in a command is hidden
wherever a summary mentions it; redaction comes before any shortening, so a cut never leaves
half an address in the clear. Weeks at the edges reach outside the period: their highlights are
sent with the dates inside it only. When the weeks do not fit the budget, highlights go first
(fewer per week), then summaries are shortened: a term of many weeks is still one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from reviewer.llm.base import PeriodFacts
from reviewer.llm.plan import Call, Count, Message, fits
from reviewer.llm.prompts import LANGUAGES, detect_lang, render_prompt
from reviewer.llm.redact import Redactor, Rules
from reviewer.models import Digest

__all__ = ["MONTH_MAX_TOKENS", "PeriodPlan", "build_period_plan"]

MONTH_MAX_TOKENS = 1500
# (highlights per week, characters per summary; 0: the whole summary), tried in order until
# the call fits; the last one is sent even over the budget.
_LEVELS = ((8, 0), (4, 0), (2, 0), (0, 0), (0, 400), (0, 200), (0, 100))


@dataclass(frozen=True, slots=True)
class PeriodPlan:
    """The month call, and what is needed to check and restore its answer."""

    call: Call
    redactor: Redactor
    allowed: set[date]  # days a highlight may cite: journaled days inside the period
    lang: str


def _week(
    digest: Digest, facts: PeriodFacts, redactor: Redactor, per_week: int, chars: int
) -> dict[str, Any]:
    highlights = []
    for highlight in digest.highlights:
        days = [str(day) for day in highlight.dates if facts.start <= day <= facts.end]
        if days:
            highlights.append(redactor.redact(f"{highlight.text} ({', '.join(days)})"))
    summary = redactor.redact(digest.summary)
    if chars and len(summary) > chars:
        summary = summary[: chars - 1].rstrip() + "…"
    return {
        "iso": digest.week.iso,
        "start": str(digest.week.start),
        "end": str(digest.week.end),
        "summary": summary,
        "highlights": highlights[:per_week],
    }


def build_period_plan(
    facts: PeriodFacts, lang: str, budget: int, count: Count, rules: Rules | None = None
) -> PeriodPlan:
    """The request for a month or term (`lang`: zh|en|auto, auto following its entries)."""
    if lang == "auto":
        lang = detect_lang(line for entry in facts.entries for line in entry.body)
    redactor = Redactor(rules)
    redactor.learn("\n".join(e.heading + "\n" + "\n".join(e.body) for e in facts.entries))
    period = {"label": facts.label, "start": str(facts.start), "end": str(facts.end)}
    system: Message = {
        "role": "system",
        "content": render_prompt("month_system", language=LANGUAGES[lang], **period),
    }
    numbers = redactor.redact(facts.numbers)
    messages: list[Message] = []
    for per_week, chars in _LEVELS:
        weeks = [_week(d, facts, redactor, per_week, chars) for d in facts.weeks]
        user = render_prompt("month", numbers=numbers, weeks=weeks, **period)
        messages = [system, {"role": "user", "content": user}]
        if fits(messages, budget, count):
            break
    allowed = {day for e in facts.entries for day in e.days if facts.start <= day <= facts.end}
    return PeriodPlan(Call("month", messages, MONTH_MAX_TOKENS), redactor, allowed, lang)
