"""What a summarizing backend receives and returns.

A backend implements one method, `summarize(facts) -> Summary`. Everything it needs about the
week is in `WeekFacts`, already extracted in code; it writes the prose and picks highlights.

A backend may also write a month or term from its weeks' reviews (`PeriodBackend`,
`summarize_period(facts) -> PeriodSummary`); one that cannot (the offline backend) leaves the
month to be assembled in code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, runtime_checkable

from reviewer.facts.calendar import Week
from reviewer.journal.parse import Entry
from reviewer.models import Digest, Highlight, MonthHighlight, NextItem, Question, Reflection, Todo

__all__ = ["Backend", "PeriodBackend", "PeriodFacts", "PeriodSummary", "Summary", "WeekFacts"]


@dataclass(frozen=True, slots=True)
class WeekFacts:
    """The week as code sees it: entries plus everything extracted deterministically."""

    week: Week
    entries: list[Entry]
    questions: list[Question]  # asked this week
    carried: list[Question]  # still open from earlier weeks
    reflections: list[Reflection]
    todos: list[Todo]  # mentioned this week
    stale_todos: list[Todo]  # open longest: since earlier weeks, not mentioned this week
    days_journaled: int
    streak_days: int
    lang: str = "en"  # the digest's language ("zh" | "en"): the journal's, or --lang


@dataclass(frozen=True, slots=True)
class Summary:
    """A backend's answer, with how it was made."""

    summary: str
    highlights: list[Highlight]
    next_week: list[NextItem]
    backend: str
    model: str = ""
    cached: bool = False
    degraded: bool = False
    degraded_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    dropped_claims: int = 0
    cost_usd: float = 0.0  # estimated, at list prices, for the tokens of the answers
    themes: list[str] = field(default_factory=list)  # offline only: the LLM is not asked
    drop_reasons: list[str] = field(default_factory=list)  # "2 dated outside the week", ...
    repaired_claims: int = 0  # kept after reading a bent date, kind or placeholder as meant
    placeholder_errors: int = 0  # placeholders that stood for nothing: their claims dropped
    fallbacks: list[str] = field(default_factory=list)  # parts the offline review stood in for
    notice: str = ""  # a word for the user, e.g. how to enable the LLM


class Backend(Protocol):
    """Writes the prose of a week review."""

    name: str

    def summarize(self, facts: WeekFacts) -> Summary:
        """Summarize the week; raise nothing a caller cannot foresee."""
        ...


@dataclass(frozen=True, slots=True)
class PeriodFacts:
    """A month or term as code sees it: its entries, and the digests of its weeks."""

    label: str  # "2020-02", or "2020-01..2020-03"
    start: date
    end: date
    entries: list[Entry]  # of its weeks: their language, and every value to redact
    weeks: list[Digest]  # of the ISO weeks overlapping the period, oldest first
    numbers: str  # the period in numbers, computed in code (the offline summary)


@dataclass(frozen=True, slots=True)
class PeriodSummary:
    """A backend's answer for a period; when `degraded`, no prose, only why and what it cost."""

    summary: str
    highlights: list[MonthHighlight]
    backend: str
    model: str = ""
    cached: bool = False
    degraded: bool = False
    degraded_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    dropped_claims: int = 0
    cost_usd: float = 0.0  # estimated, at list prices, as Summary's


@runtime_checkable
class PeriodBackend(Protocol):
    """A backend that also writes a month or term from the reviews of its weeks."""

    def summarize_period(self, facts: PeriodFacts) -> PeriodSummary:
        """Summarize the period; on failure, a PeriodSummary marked degraded, never a raise."""
        ...
