"""What the model must answer, how the answer is checked, and how it is grounded in the week.

The answer is parsed leniently (a fenced or chatty JSON reply still parses) but validated
strictly with pydantic; then every cited date is checked against the days the week's entries
cover, and a highlight citing none of them is dropped and counted. Bump SCHEMA_VERSION when the
schema or the prompts' idea of it changes: it is part of the response-cache key.

Tasks: "week" (one call) or "map" then "reduce" for a week; "month" for a month or term from
its weeks' reviews; "suggest" for answers to open questions proposed from later entries. A
task added later needs no bump: each key holds its task's schema, so old keys are unaffected.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from reviewer.llm.cited import cited_days, plain_prose
from reviewer.models import Highlight, NextItem

__all__ = [
    "KINDS",
    "SCHEMA_VERSION",
    "AnswerError",
    "Checks",
    "DayAnswer",
    "MonthAnswer",
    "Parsed",
    "Proposal",
    "SuggestAnswer",
    "WeekAnswer",
    "cited_date",
    "ground_highlights",
    "ground_next",
    "json_schema",
    "parse_answer",
]

SCHEMA_VERSION = 2  # 2: no themes; lenient dates and items; suggestions required
_MAX_HIGHLIGHTS = 12
_MAX_NEXT = 10


class AnswerError(ValueError):
    """The model's reply is not usable: `reason` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


def _text_or_empty(value: Any) -> Any:
    """`null` (or a number) where text was asked: empty text, dropped in grounding with its
    reason, rather than the whole answer refused for one item."""
    if value is None:
        return ""
    return str(value) if isinstance(value, int | float) else value


def _date_strings(value: Any) -> Any:
    """Dates as small models write them: one string, `null`, numbers, `null` inside the list."""
    if value is None:
        return []
    if isinstance(value, str | int):
        value = [value]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str | int) and str(v).strip()]
    return value


def _items(value: Any) -> Any:
    """A list of claims as models write it: `null` is none; a bare string is a claim whose
    dates are in its text; anything else in the list is not a claim and is left out."""
    if value is None:
        return []
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return value
    out: list[Any] = []
    for item in value:
        if isinstance(item, str):
            out.append({"text": item, "dates": [item]})
        elif isinstance(item, dict):
            out.append(item)
    return out


class CitedText(_Answer):
    text: str = ""  # empty: dropped in grounding, and counted
    dates: list[str] = []  # read leniently in grounding: `2020/2/25`, `Feb 27` still count

    _text = field_validator("text", mode="before")(_text_or_empty)
    _dates = field_validator("dates", mode="before")(_date_strings)


# The kinds asked for, and the words models use instead, mapped on purpose: a kind the map
# does not know is a suggestion (the least binding), and counted as repaired.
KINDS = {
    "todo": "todo",
    "task": "todo",
    "action": "todo",
    "to-do": "todo",
    "question": "question",
    "ask": "question",
    "q": "question",
    "suggestion": "suggestion",
    "idea": "suggestion",
    "pick": "suggestion",
    "priority": "suggestion",
}


class NextOut(CitedText):
    kind: Literal["todo", "question", "suggestion"] = "suggestion"
    asked_kind: str = ""  # the kind as the model wrote it, when it was not one of ours

    @model_validator(mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        """Map the kind the model wrote (`task`, `Question`) to one of ours; keep what it was."""
        if not isinstance(value, dict):
            return value
        raw = value.get("kind")
        written = raw.strip().lower() if isinstance(raw, str) else ""
        kind = KINDS.get(written, "suggestion")
        return {**value, "kind": kind, "asked_kind": "" if written == kind else written or "-"}


class DayAnswer(_Answer):
    """The map step's answer: one day (or one entry's days)."""

    summary: str = Field(min_length=1)
    highlights: list[CitedText] = []

    _highlights = field_validator("highlights", mode="before")(_items)


class WeekAnswer(_Answer):
    """The week's answer, from one call or from the reduce step."""

    summary: str  # required; empty or `null`: the offline summary stands in, and it is said
    highlights: list[CitedText] = []
    next_week: list[NextOut] = []

    _summary = field_validator("summary", mode="before")(_text_or_empty)
    _highlights = field_validator("highlights", "next_week", mode="before")(_items)


class MonthAnswer(_Answer):
    """A month's (or term's) answer, written from its weeks' summaries and highlights."""

    summary: str = Field(min_length=1)
    highlights: list[CitedText] = []

    _highlights = field_validator("highlights", mode="before")(_items)


class Proposal(_Answer):
    """One proposed answer: a question's id, the answer, the date of the entry that gives it.
    Fields may be empty here: a bad proposal is rejected in grounding, not a reason to ask
    again for all the others."""

    question: str = ""
    answer: str = ""
    date: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shaped(cls, value: Any) -> Any:
        """An item without `question` and `answer` is another schema, not a bad proposal."""
        if not isinstance(value, dict) or "question" not in value or "answer" not in value:
            raise ValueError("a suggestion needs `question` and `answer`")
        return value

    @field_validator("question", "answer", "date", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, list):  # "date": ["2020-02-20"] is still one date
            value = value[0] if value else ""
        return "" if value is None else str(value)


class SuggestAnswer(_Answer):
    """The answer to a "suggest" call: proposals, usually fewer than the questions asked."""

    # Required: an answer without it (`{"answers": ...}`) is off-schema, not "no suggestions",
    # and must be asked again rather than cached as an empty answer.
    suggestions: list[Proposal]


Parsed = WeekAnswer | DayAnswer | MonthAnswer | SuggestAnswer
_MODELS: dict[str, type[Parsed]] = {
    "week": WeekAnswer,
    "reduce": WeekAnswer,
    "map": DayAnswer,
    "month": MonthAnswer,
    "suggest": SuggestAnswer,
}

_DATES: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_CITED: dict[str, Any] = {
    "type": "object",
    "properties": {"text": {"type": "string"}, "dates": _DATES},
    "required": ["text", "dates"],
    "additionalProperties": False,
}
_NEXT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "dates": _DATES,
        "kind": {"type": "string", "enum": ["todo", "question", "suggestion"]},
    },
    "required": ["text", "dates", "kind"],
    "additionalProperties": False,
}


_PROPOSAL: dict[str, Any] = {
    "type": "object",
    "properties": {
        "question": {"type": "string"},
        "answer": {"type": "string"},
        "date": {"type": "string"},
    },
    "required": ["question", "answer", "date"],
    "additionalProperties": False,
}
_NAMES = {"map": "day_review", "month": "month_review", "suggest": "suggested_answers"}


def json_schema(task: str) -> dict[str, Any]:
    """The JSON schema for `task` (see the module docstring), in OpenAI's strict dialect."""
    properties: dict[str, Any] = {
        "summary": {"type": "string"},
        "highlights": {"type": "array", "items": _CITED},
    }
    if task == "suggest":
        properties = {"suggestions": {"type": "array", "items": _PROPOSAL}}
    elif task not in {"map", "month"}:
        properties["next_week"] = {"type": "array", "items": _NEXT}
    return {
        "name": _NAMES.get(task, "week_review"),
        "strict": True,
        "schema": {
            "type": "object",
            "properties": properties,
            "required": list(properties),
            "additionalProperties": False,
        },
    }


_FULL_WIDTH = str.maketrans({"，": ",", "：": ":", "“": '"', "”": '"', "｛": "{", "｝": "}"})
_FULL_WIDTH.update(str.maketrans({"［": "[", "］": "]"}))


def _json_text(content: str) -> str:
    """The JSON object in a reply that may wrap it in a code fence or a sentence."""
    text = content.strip()
    fenced = re.search(r"```(?:json|JSON)?\s*(.*?)(?:```|\Z)", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{"):
        start, end = text.find("{"), text.rfind("}")
        if start == -1:
            raise AnswerError("malformed JSON: the reply holds no JSON object")
        text = text[start : end + 1] if end > start else text[start:]
    return text


def _outside_strings(text: str, fix: Any) -> str:
    """`fix` applied to the parts of JSON `text` outside its string literals."""
    parts = re.split(r'("(?:[^"\\]|\\.)*")', text)
    return "".join(p if i % 2 else fix(p) for i, p in enumerate(parts))


def _closed(text: str) -> str:
    """A truncated JSON object cut back to its last complete item, its brackets closed."""
    stack: list[str] = []
    in_string = escaped = False
    last_good = 0
    for i, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            continue
        if char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]":
            if stack:
                stack.pop()
            last_good = i + 1
        elif char == ",":
            last_good = i
    if not stack and not in_string:
        return text
    head = text[:last_good].rstrip().rstrip(",")
    # Close what is still open at the cut.
    stack = []
    in_string = escaped = False
    for char in head:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[":
            stack.append("}" if char == "{" else "]")
        elif char in "}]" and stack:
            stack.pop()
    return head + "".join(reversed(stack))


def _repairs(text: str) -> list[str]:
    """`text`, then the repairs that make common slips parse: full-width punctuation around
    the JSON, trailing commas, a reply cut off mid-way."""
    widened = text.translate(_FULL_WIDTH) if re.search(r"[{,]\s*“", text) else text
    no_commas = _outside_strings(widened, lambda part: re.sub(r",(\s*[}\]])", r"\1", part))
    return [text, widened, no_commas, _closed(no_commas)]


def _loads(text: str) -> Any:
    for attempt in _repairs(text):
        try:
            return json.loads(attempt)
        except json.JSONDecodeError:
            continue
    raise AnswerError("malformed JSON in the reply")


def parse_answer(content: str, task: str) -> Parsed:
    """The reply validated against the schema of `task`; AnswerError when it is not usable."""
    data = _loads(_json_text(content))
    if not isinstance(data, dict):
        raise AnswerError("malformed JSON: the reply is not one object")
    model = _MODELS.get(task, WeekAnswer)
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "reply"
        raise AnswerError(
            f"the reply does not match the schema ({where}: {first['msg']})"
        ) from None


def cited_date(text: str) -> date | None:
    """A date as the model cited it (`2020-2-24` counts too), or None."""
    found = re.fullmatch(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*", text)
    if not found:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


@dataclass
class Checks:
    """What grounding did to an answer's claims: kept, dropped (by reason), repaired."""

    kept: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    repaired: int = 0  # claims kept after reading a date, a kind or a placeholder as meant
    placeholder_errors: int = 0  # bent placeholders that could not be repaired: item dropped

    def drop(self, reason: str) -> None:
        self.dropped[reason] += 1

    @property
    def dropped_total(self) -> int:
        return sum(self.dropped.values())

    def reasons(self) -> list[str]:
        """`3 no date in the week`, ..., most frequent first."""
        return [f"{n} {reason}" for reason, n in self.dropped.most_common()]


def _cited(
    dates: Iterable[str], allowed: set[date], start: date, end: date, weekdays: bool = True
) -> tuple[list[date], bool, str]:
    """The allowed days `dates` name; whether any was written otherwise than asked; why none
    was, when none was: no date read, only dates outside the week, or a day of the week that
    has no entry."""
    days: set[date] = set()
    bent = False
    read = "no date"
    for text in dates:
        found = cited_days(text, start, end, weekdays)
        if found.days and read == "no date":
            read = "dated outside the week"
        if any(start <= day <= end for day in found.days):
            read = "cites a day with no entry"
        inside = {day for day in found.days if day in allowed}
        bent = bent or (bool(inside) and not found.exact)
        days |= inside
    return sorted(days), bent, read


def _span(allowed: set[date]) -> tuple[date, date]:
    return (min(allowed), max(allowed)) if allowed else (date.min, date.min)


def ground_highlights(
    cited: Iterable[CitedText],
    allowed: set[date],
    checks: Checks | None = None,
    week: tuple[date, date] | None = None,
) -> tuple[list[Highlight], int]:
    """Highlights that cite at least one allowed day (others' dates removed), and how many
    were dropped; `checks` learns why, and which were repaired."""
    checks = checks if checks is not None else Checks()
    start, end = week or _span(allowed)
    kept: list[Highlight] = []
    seen: set[str] = set()
    dropped = 0
    for item in cited:
        text = plain_prose(item.text)
        days, bent, read = _cited([*item.dates], allowed, start, end)
        if not days and not item.dates:
            # "… (Feb 25)": dated in its text; not by a weekday, prose names those freely
            days, bent, read = _cited([text], allowed, start, end, weekdays=False)
            bent = bent or bool(days)
        reason = ""
        if not text:
            reason = "empty"
        elif not days:
            reason = read
        elif text.lower() in seen:
            reason = "repeated"
        if reason:
            dropped += 1
            checks.drop(reason)
            continue
        seen.add(text.lower())
        checks.repaired += bent or text != item.text.strip()
        kept.append(Highlight(text=text, dates=days))
    return kept[:_MAX_HIGHLIGHTS], dropped


def ground_next(
    items: Iterable[NextOut],
    allowed: set[date],
    checks: Checks | None = None,
    week: tuple[date, date] | None = None,
    also: set[date] | None = None,
) -> list[NextItem]:
    """Next-week items checked like highlights: a todo or question must cite a day of the
    week, or the day a carried-over ask or long-open TODO in `also` was written; a
    suggestion may cite nothing (dates it cites outside those are removed)."""
    checks = checks if checks is not None else Checks()
    start, end = week or _span(allowed)
    citable = allowed | (also or set())
    kept: list[NextItem] = []
    seen: set[str] = set()
    for item in items:
        text = plain_prose(item.text)
        days, bent, read = _cited(item.dates, citable, start, end)
        reason = ""
        if not text:
            reason = "empty"
        elif item.kind != "suggestion" and not days:
            reason = read
        elif text.lower() in seen:
            reason = "repeated"
        if reason:
            checks.drop(reason)
            continue
        seen.add(text.lower())
        checks.repaired += bent or bool(item.asked_kind) or text != item.text.strip()
        kept.append(NextItem(text=text, dates=days, kind=item.kind))
    return kept[:_MAX_NEXT]
