"""The answer schema: lenient parsing, strict validation, grounding in the week's days."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from reviewer.llm.schema import (
    AnswerError,
    Checks,
    CitedText,
    DayAnswer,
    NextOut,
    WeekAnswer,
    ground_highlights,
    ground_next,
    json_schema,
    parse_answer,
)

from .llm_support import DAY_ANSWER, WEEK_ANSWER

WEEK = {date(2020, 2, 24) + timedelta(days=n) for n in range(7)}


def test_plain_fenced_and_chatty_replies_parse() -> None:
    text = json.dumps(WEEK_ANSWER, ensure_ascii=False)
    for reply in (text, f"```json\n{text}\n```", f"Sure! Here it is:\n{text}\nHope it helps."):
        answer = parse_answer(reply, "week")
        assert isinstance(answer, WeekAnswer)
        assert answer.highlights[0].text == "sample eff 实验几乎做完"
    assert isinstance(parse_answer(json.dumps(DAY_ANSWER), "map"), DayAnswer)


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("I cannot summarize this.", "malformed JSON: the reply holds no JSON object"),
        ('{"summary": "cut off', "malformed JSON"),
        ("[1, 2]", "malformed JSON: the reply holds no JSON object"),
        ('{"highlights": []}', "does not match the schema (summary"),
        (
            '{"summary": "x", "highlights": [{"text": "y", "dates": {"a": 1}}]}',
            "highlights.0.dates",
        ),
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
    assert [n.kind for n in answer.next_week] == ["todo", "question"]
    assert answer.next_week[0].asked_kind == "task"


def test_slips_of_mediocre_models_are_repaired_not_refused() -> None:
    replies = [
        '{"summary": "x", "highlights": [{"text": "y", "dates": ["2020-02-24"]},],}',
        "{“summary”： “x”， “highlights”： [{“text”： “y”， “dates”： [“2020-02-24”]}]}",
        '```json\n{"summary": "x", "highlights": [{"text": "y", "dates": ["2020-02-24"]}',
        '{"summary": null, "highlights": [{"text": "y", "dates": null, "extra": 1}], "x": 2}',
        '{"summary": "x", "highlights": [{"text": "y", "dates": ["2020-02-24"]}, {"text": "z',
    ]
    for reply in replies:
        answer = parse_answer(reply, "week")
        assert isinstance(answer, WeekAnswer) and answer.highlights[0].text == "y", reply


def test_dates_in_the_forms_models_write_are_read() -> None:
    checks = Checks()
    cited = [
        CitedText(text="slash", dates=["2020/2/25"]),
        CitedText(text="chinese", dates=["2月26日"]),
        CitedText(text="month name", dates=["Feb 27"]),
        CitedText(text="range heading", dates=["2020-02-29 ~ 2020-03-02"]),
        CitedText(text="in the text (Feb 28)", dates=[]),
        CitedText(text="**bold** claim", dates=["2020-02-24"]),
        CitedText(text="next year", dates=["2021-02-25"]),
    ]
    kept, dropped = ground_highlights(cited, WEEK, checks)
    assert [h.text for h in kept][:5] == [
        "slash",
        "chinese",
        "month name",
        "range heading",
        "in the text (Feb 28)",
    ]
    assert kept[3].dates == [date(2020, 2, 29), date(2020, 3, 1)]
    assert kept[5].text == "bold claim"
    assert dropped == 1 and checks.reasons() == ["1 dated outside the week"]
    assert checks.repaired == 6


def test_next_week_todos_and_questions_are_grounded_like_highlights() -> None:
    checks = Checks()
    items = [
        NextOut.model_validate({"text": "q", "dates": ["2019-10-21"], "kind": "question"}),
        NextOut.model_validate({"text": "old ask", "dates": ["2019-10-21"], "kind": "question"}),
        NextOut.model_validate({"text": "t", "dates": [], "kind": "task"}),
    ]
    kept = ground_next(items[:1] + items[2:], WEEK, checks)
    assert kept == [] and checks.reasons() == ["1 dated outside the week", "1 no date"]
    carried = ground_next(items[1:2], WEEK, Checks(), also={date(2019, 10, 21)})
    assert carried[0].dates == [date(2019, 10, 21)]


def test_json_schema_is_strict() -> None:
    for task in ("week", "reduce", "map"):
        schema = json_schema(task)
        assert schema["strict"] is True
        body = schema["schema"]
        assert body["additionalProperties"] is False
        assert set(body["required"]) == set(body["properties"])
    assert "next_week" in json_schema("week")["schema"]["properties"]
    assert "next_week" not in json_schema("map")["schema"]["properties"]


def test_a_day_of_the_week_without_an_entry_is_said_as_such() -> None:
    checks = Checks()
    journaled = {date(2020, 2, 24), date(2020, 2, 26)}
    cited = [
        CitedText(text="tuesday", dates=["2020-02-25"]),
        CitedText(text="ok", dates=["Feb 26"]),
    ]
    kept, dropped = ground_highlights(
        cited, journaled, checks, (date(2020, 2, 24), date(2020, 3, 1))
    )
    assert [h.text for h in kept] == ["ok"] and dropped == 1
    assert checks.reasons() == ["1 cites a day with no entry"]
