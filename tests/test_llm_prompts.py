"""Prompt templates: found from a checkout, strict about variables, hashed into the cache key."""

from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.errors import ConfigError
from reviewer.llm import prompts
from reviewer.llm.prompts import (
    PROMPTS_DIR,
    detect_lang,
    render_prompt,
    task_digest,
    templates_digest,
)


@pytest.fixture
def prompt_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of prompts/ the test may edit, with the module's caches reset."""
    copy = tmp_path / "prompts"
    shutil.copytree(PROMPTS_DIR, copy)
    monkeypatch.setattr(prompts, "PROMPTS_DIR", copy)
    prompts._environment.cache_clear()
    templates_digest.cache_clear()
    task_digest.cache_clear()
    yield copy
    prompts._environment.cache_clear()
    templates_digest.cache_clear()
    task_digest.cache_clear()


def test_prompts_ship_in_the_package_and_are_edited_in_prompts() -> None:
    assert (Path(__file__).resolve().parent.parent / "prompts").resolve() == PROMPTS_DIR
    assert {p.name for p in PROMPTS_DIR.glob("*.j2")} >= set(prompts.TEMPLATES)
    for names in prompts.TASK_TEMPLATES.values():
        assert {p.name for p in PROMPTS_DIR.glob("*.j2")} >= set(names)


def test_render_is_plain_text_and_strict() -> None:
    text = render_prompt(
        "week",
        iso="2020-W09",
        start="2020-02-24",
        end="2020-03-01",
        entries=["<b>&</b>"],
        asks=[],
        asks_older=0,
        long_open=[],
    )
    assert "<b>&</b>" in text  # no HTML escaping in a prompt
    with pytest.raises(jinja2.UndefinedError):
        render_prompt("week", iso="2020-W09", start="2020-02-24", entries=[])


def test_editing_a_template_changes_the_digest(prompt_copy: Path) -> None:
    before = templates_digest()
    (prompt_copy / "week.j2").write_text("Week {{ iso }}: be brief.\n", encoding="utf-8")
    templates_digest.cache_clear()
    assert templates_digest() != before


def test_a_month_template_is_hashed_apart_from_the_weeks(prompt_copy: Path) -> None:
    week, month, suggest = templates_digest(), task_digest("month"), task_digest("suggest")
    assert task_digest("week") == "" and month and suggest and month != suggest
    (prompt_copy / "month.j2").write_text("{{ label }}: be brief.\n", encoding="utf-8")
    templates_digest.cache_clear()
    task_digest.cache_clear()
    # a month prompt edited: month answers are asked again, cached weeks are still good
    assert task_digest("month") != month and task_digest("suggest") == suggest
    assert templates_digest() == week


def test_missing_prompts_directory_is_a_clear_error(
    prompt_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.rmtree(prompt_copy)
    with pytest.raises(ConfigError, match="prompt templates not found"):
        templates_digest()
    with pytest.raises(ConfigError, match="reinstall reviewer"):
        render_prompt("system", task="week", language="English", iso="", start="", end="")


@pytest.mark.parametrize(
    ("lines", "lang"),
    [
        (["* 又是动了一天把一个sample eff的图搞定了，但是还是有问题"], "zh"),
        (["* ML的一个foundation是train和val分布iid，但是DA本身不能满足这一点"], "zh"),
        (["* tuned the learning rate of the baseline again", "* 好"], "en"),
        ([], "en"),
    ],
)
def test_language_follows_the_journal(lines: list[str], lang: str) -> None:
    assert detect_lang(lines) == lang


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="ab 好中文\n㐀䶿é-’9"), max_size=6))
def test_the_language_weighs_each_character_against_each_word(lines: list[str]) -> None:
    """Chinese characters counted one by one, Latin words as words, line by line: whatever
    the lines, as read in runs of the whole writing at once."""
    import re

    cjk = sum(len(re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff]", line)) for line in lines)
    latin = sum(len(re.findall(r"[A-Za-z]+", line)) for line in lines)
    assert detect_lang(lines) == ("zh" if cjk and cjk >= latin else "en")
