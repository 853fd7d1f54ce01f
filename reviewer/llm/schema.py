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
from collections.abc import Iterable
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from reviewer.models import Highlight, NextItem

__all__ = [
    "SCHEMA_VERSION",
    "AnswerError",
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
    "themes_of",
]

SCHEMA_VERSION = 1
_MAX_HIGHLIGHTS = 12
_MAX_NEXT = 10
_MAX_THEMES = 6


class AnswerError(ValueError):
    """The model's reply is not usable: `reason` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class CitedText(_Answer):
    text: str = Field(min_length=1)
    dates: list[str] = []  # parsed leniently in grounding: "2020-2-24" still counts

    @field_validator("dates", mode="before")
    @classmethod
    def _one_date(cls, value: Any) -> Any:
        """Small models write one date as a string; that is still a citation."""
        return [value] if isinstance(value, str) else value


class NextOut(CitedText):
    kind: Literal["todo", "question", "suggestion"] = "suggestion"

    @field_validator("kind", mode="before")
    @classmethod
    def _known_kind(cls, value: Any) -> Any:
        """An unknown kind ("task", "idea") is a suggestion, not a reason to ask again."""
        kind = value.lower() if isinstance(value, str) else ""
        return kind if kind in {"todo", "question", "suggestion"} else "suggestion"


class DayAnswer(_Answer):
    """The map step's answer: one day (or one entry's days)."""

    summary: str = Field(min_length=1)
    highlights: list[CitedText] = []


class WeekAnswer(_Answer):
    """The week's answer, from one call or from the reduce step."""

    summary: str = Field(min_length=1)
    highlights: list[CitedText] = []
    themes: list[str] = []
    next_week: list[NextOut] = []


class MonthAnswer(_Answer):
    """A month's (or term's) answer, written from its weeks' summaries and highlights."""

    summary: str = Field(min_length=1)
    highlights: list[CitedText] = []


class Proposal(_Answer):
    """One proposed answer: a question's id, the answer, the date of the entry that gives it.
    Fields may be empty here: a bad proposal is rejected in grounding, not a reason to ask
    again for all the others."""

    question: str = ""
    answer: str = ""
    date: str = ""

    @field_validator("question", "answer", "date", mode="before")
    @classmethod
    def _text(cls, value: Any) -> Any:
        if isinstance(value, list):  # "date": ["2020-02-20"] is still one date
            value = value[0] if value else ""
        return "" if value is None else str(value)


class SuggestAnswer(_Answer):
    """The answer to a "suggest" call: proposals, usually fewer than the questions asked."""

    suggestions: list[Proposal] = []


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
        properties["themes"] = {"type": "array", "items": {"type": "string"}}
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


def _json_text(content: str) -> str:
    """The JSON object in a reply that may wrap it in a code fence or a sentence."""
    text = content.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    if not text.startswith("{"):
        start, end = text.find("{"), text.rfind("}")
        if start == -1 or end <= start:
            raise AnswerError("malformed JSON: the reply holds no JSON object")
        text = text[start : end + 1]
    return text


def parse_answer(content: str, task: str) -> Parsed:
    """The reply validated against the schema of `task`; AnswerError when it is not usable."""
    try:
        data = json.loads(_json_text(content))
    except json.JSONDecodeError:
        raise AnswerError("malformed JSON in the reply") from None
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


def _cited(dates: Iterable[str], allowed: set[date]) -> list[date]:
    parsed = (cited_date(text) for text in dates)
    return sorted({day for day in parsed if day is not None and day in allowed})


def ground_highlights(
    cited: Iterable[CitedText], allowed: set[date]
) -> tuple[list[Highlight], int]:
    """Highlights that cite at least one allowed day (others' dates removed), and how many
    were dropped for citing none."""
    kept: list[Highlight] = []
    dropped = 0
    for item in cited:
        days = _cited(item.dates, allowed)
        if not days or not item.text.strip():
            dropped += 1
            continue
        kept.append(Highlight(text=item.text.strip(), dates=days))
    return kept[:_MAX_HIGHLIGHTS], dropped


def ground_next(items: Iterable[NextOut], allowed: set[date]) -> list[NextItem]:
    """Next-week items with their citations checked; a suggestion may cite nothing."""
    kept = [
        NextItem(text=item.text.strip(), dates=_cited(item.dates, allowed), kind=item.kind)
        for item in items
        if item.text.strip()
    ]
    return kept[:_MAX_NEXT]


def themes_of(answer: WeekAnswer) -> list[str]:
    """The answer's themes, de-duplicated and bounded."""
    seen: dict[str, str] = {}
    for theme in answer.themes:
        text = theme.strip()
        if text and text.lower() not in seen:
            seen[text.lower()] = text
    return list(seen.values())[:_MAX_THEMES]
