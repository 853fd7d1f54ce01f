"""The digest and what it is made of: the JSON contract users script against.

Field names here are the contract documented in the README ("JSON output"); add fields freely,
never rename or remove one without bumping SCHEMA_VERSION.
"""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "SCHEMA_VERSION",
    "Digest",
    "EditedEntry",
    "EntryRef",
    "Highlight",
    "Meta",
    "MonthDigest",
    "MonthHighlight",
    "MonthStats",
    "NextItem",
    "PeriodInfo",
    "Question",
    "Reflection",
    "Stats",
    "SuggestedAnswer",
    "Todo",
    "WeekHistory",
    "WeekInfo",
    "WeekLine",
    "WeekStats",
]

SCHEMA_VERSION = 1

QuestionStatus = Literal["open", "answered"]
QuestionKind = Literal["ask", "wonder"]
TodoStatus = Literal["open", "done", "delayed", "dropped"]
ReflectionKind = Literal["reflection", "lesson"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WeekInfo(_Model):
    iso: str  # "2020-W09"
    start: date  # Monday
    end: date  # Sunday


class EntryRef(_Model):
    line: int  # 1-based line of the entry's heading (0 for a daily-note file)
    heading: str
    title: str
    start: date
    end: date
    days_in_week: list[date]
    repaired: bool
    source: str = ""


class Highlight(_Model):
    text: str
    dates: list[date]


class Question(_Model):
    text: str
    date: date | None  # when it was first asked (None: in an undated list)
    status: QuestionStatus
    carried_over: bool = False
    age_days: int = 0  # days from the question's date to the end of the reviewed week
    answer: str = ""  # the in-place answer (`… -- answer`), when there is one
    line: int = 0
    source: str = ""
    id: str = ""  # stable across weeks and small edits (the question ledger)
    answered_on: dt.date | None = None
    # "ask": listed under 需要问的问题 and the like, or to ask someone (问一下, 请教);
    # "wonder": a question mark in passing (是不是…?). Only asks are carried over.
    kind: QuestionKind = "ask"


class SuggestedAnswer(_Model):
    """An LLM's proposal that a later entry answers an open question; never applied."""

    question: str  # the question's ledger id
    date: date  # of the later entry that answers it
    answer: str


class Reflection(_Model):
    text: str
    date: date | None  # None for the undated 自省 section at the end of the journal
    kind: ReflectionKind
    line: int = 0
    source: str = ""


class Todo(_Model):
    text: str
    date: date | None  # None for the undated Today / ShortTerm / LongTerm lists
    status: TodoStatus
    line: int = 0
    list: str = ""  # the undated list it sits in, e.g. "ShortTerm"
    source: str = ""
    id: str = ""
    carried_over: bool = False  # open since an earlier week, not mentioned this week
    age_days: int = 0


class NextItem(_Model):
    text: str
    dates: list[date]
    kind: Literal["todo", "question", "suggestion"]


class WeekStats(_Model):
    iso: str
    start: date
    days: int  # days journaled in the week
    entries: int  # entries starting in the week
    words: int


class Stats(_Model):
    days_journaled: int
    streak_days: int
    entries: int
    lines: int
    todos_done: int
    todos_open: int
    questions_open: int


class Meta(_Model):
    backend: str  # "offline" | "openai"
    model: str  # "" offline
    cached: bool = False
    degraded: bool = False
    degraded_reason: str = ""
    prompt_tokens: int = 0
    completion_tokens: int = 0
    calls: int = 0
    dropped_claims: int = 0  # claims of the LLM's answer removed in checking (see drop_reasons)
    drop_reasons: list[str] = []  # "2 dated outside the week", "1 broken placeholder", ...
    repaired_claims: int = 0  # kept after reading a bent date, kind or placeholder as meant
    placeholder_errors: int = 0  # placeholders in the answer that stood for nothing
    fallbacks: list[str] = []  # parts of the LLM's answer the offline review stood in for
    # The answers' tokens at list prices: what they cost when they were made (also shown when
    # they come from the cache, which costs nothing now).
    estimated_cost_usd: float = 0.0
    offline_hint: str = ""  # how to enable the LLM, when running offline for lack of a key
    version: str = ""


class EditedEntry(_Model):
    """An entry of an earlier week with lines written during the reviewed week (git history)."""

    line: int  # its heading's line
    heading: str
    start: date
    lines: int  # its lines last written during the week
    last: date  # the last day of the week it was edited


class WeekHistory(_Model):
    """What the journal's git history adds to a week: dates the file itself does not hold."""

    commit: str  # the commit the line dates come from (HEAD, or the one --as-of picked)
    # TODOs ticked during the week in earlier entries or the undated lists (`date`: the day
    # the tick was committed).
    done: list[Todo] = []
    # Questions of earlier entries or undated lists answered during the week (answered_on).
    answered: list[Question] = []
    edited: list[EditedEntry] = []  # earlier entries changed during the week


class Digest(_Model):
    schema_version: int = SCHEMA_VERSION
    week: WeekInfo
    journal: str
    entries: list[EntryRef]
    summary: str
    highlights: list[Highlight]
    questions: list[Question]
    reflections: list[Reflection]
    todos: list[Todo]
    next_week: list[NextItem]
    stats: Stats
    meta: Meta
    warnings: list[str]  # findings in the week's own entries (repaired dates, ...)
    # What stops part of the journal from being reviewed (an undatable heading): the top of
    # the digest says it, since the digest is the one place the user is sure to look.
    problems: list[str] = []
    recent_weeks: list[WeekStats] = []  # the weeks up to this one, for a small chart
    lang: str = ""  # "zh" | "en": the language of its titles and labels ("" before 0.2: en)
    # Only when the journal's git history was read (absent from the JSON otherwise).
    history: WeekHistory | None = None


class PeriodInfo(_Model):
    label: str  # "2020-02", or "2020-01..2020-03" for a term
    start: date
    end: date


class WeekLine(_Model):
    iso: str
    start: date
    end: date
    days_journaled: int
    summary: str
    degraded: bool = False


class MonthHighlight(_Model):
    text: str
    dates: list[date]
    week: str  # the ISO week whose digest it comes from


class MonthStats(_Model):
    days_journaled: int
    days_in_period: int
    entries: int
    words: int
    longest_streak: int  # within the period
    streak_days: int  # the streak alive at the period's end
    questions_asked: int
    questions_open: int  # asked in or before the period, open at its end
    todos_done: int


class MonthDigest(_Model):
    schema_version: int = SCHEMA_VERSION
    period: PeriodInfo
    journal: str
    weeks: list[WeekLine]
    summary: str
    highlights: list[MonthHighlight]
    questions: list[Question]
    reflections: list[Reflection]
    todos: list[Todo]
    stats: MonthStats
    # Asks untouched for the dormancy period (not carried in the weeks), oldest first.
    dormant: list[Question] = []
    # The undated self-reflection section (`## 🤔自省🤔`): standing resolutions.
    standing_reflections: list[Reflection] = []
    meta: Meta
    lang: str = ""  # "zh" | "en": its weeks' language ("" before 0.2: en)
