"""The answer schema: lenient parsing, strict validation, grounding in the week's days."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from reviewer.llm.schema import (
    AnswerError,
    CitedText,
    DayAnswer,
    NextOut,
    WeekAnswer,
    ground_highlights,
    ground_next,
    json_schema,
    parse_answer,
    themes_of,
)

from .llm_support import DAY_ANSWER, WEEK_ANSWER

WEEK = {date(2020, 2, 24) + timedelta(days=n) for n in range(7)}


def test_plain_fenced_and_chatty_replies_parse() -> None:
    text = json.dumps(WEEK_ANSWER, ensure_ascii=False)
    for reply in (text, f"```json\n{text}\n```", f"Sure! Here it is:\n{text}\nHope it helps."):
        answer = parse_answer(reply, "week")
        assert isinstance(answer, WeekAnswer)
        assert answer.themes[0] == "DSA"
    assert isinstance(parse_answer(json.dumps(DAY_ANSWER), "map"), DayAnswer)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("I cannot summarize this.", "malformed JSON: the reply holds no JSON object"),
        ('{"summary": "cut off', "malformed JSON"),
        ('{"summary": "x", }', "malformed JSON"),
        ('{"highlights": []}', "does not match the schema (summary"),
        ('{"summary": "x", "highlights": [{"dates": []}]}', "highlights.0.text"),
        ('{"summary": "x", "highlights": [{"text": "y", "dates": 5}]}', "highlights.0.dates"),
    ],
)
def test_unusable_replies(reply: str, reason: str) -> None:
    with pytest.raises(AnswerError) as caught:
        parse_answer(reply, "week")
    assert reason in caught.value.reason


def test_highlights_citing_nothing_in_the_week_are_dropped_and_counted() -> None:
    cited = [
        CitedText(text="in the week", dates=["2020-02-26"]),
        CitedText(text="unpadded date", dates=["2020-2-25"]),
        CitedText(text="half in", dates=["2020-02-27", "2020-03-09"]),
        CitedText(text="other week", dates=["2019-10-21"]),
        CitedText(text="no date", dates=[]),
        CitedText(text="nonsense", dates=["yesterday", "2020-02-30"]),
    ]
    kept, dropped = ground_highlights(cited, WEEK)
    assert [h.text for h in kept] == ["in the week", "unpadded date", "half in"]
    assert kept[2].dates == [date(2020, 2, 27)]
    assert dropped == 3


def test_next_week_items_keep_only_grounded_dates() -> None:
    items = [
        NextOut(text="改好bug", dates=["2020-02-24"], kind="todo"),
        NextOut(text="try a new idea", dates=["2031-01-01"]),
    ]
    kept = ground_next(items, WEEK)
    assert kept[0].dates == [date(2020, 2, 24)] and kept[0].kind == "todo"
    assert kept[1].dates == [] and kept[1].kind == "suggestion"


def test_lenient_shapes_small_models_write() -> None:
    answer = parse_answer(
        '{"summary": "x", "highlights": [{"text": "y", "dates": "2020-02-24"}],'
        ' "next_week": [{"text": "z", "kind": "Task"}, {"text": "q", "kind": "QUESTION"}]}',
        "week",
    )
    assert isinstance(answer, WeekAnswer)
    assert answer.highlights[0].dates == ["2020-02-24"]
    assert [n.kind for n in answer.next_week] == ["suggestion", "question"]


def test_themes_are_deduplicated() -> None:
    assert themes_of(WeekAnswer.model_validate(WEEK_ANSWER)) == ["DSA", "sample efficiency"]


def test_json_schema_is_strict() -> None:
    for task in ("week", "reduce", "map"):
        schema = json_schema(task)
        assert schema["strict"] is True
        body = schema["schema"]
        assert body["additionalProperties"] is False
        assert set(body["required"]) == set(body["properties"])
    assert "next_week" in json_schema("week")["schema"]["properties"]
    assert "next_week" not in json_schema("map")["schema"]["properties"]
