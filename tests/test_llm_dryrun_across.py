"""`--dry-run` for `reviewer month` and `questions --suggest-answers`: the JSON shape, redaction,
answers already cached shown as such, and that nothing is ever sent (respx routes that must
stay uncalled; no key needed)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import respx
from typer.testing import CliRunner

from reviewer.cli import app

from .llm_support import BASE_URL, FIXTURE, MODEL
from .test_llm_period import Endpoint
from .test_llm_suggest import JOURNAL

MONTH = ["month", "2020-02", "--journal", str(FIXTURE)]
DRY = [*MONTH, "--dry-run", "--format", "json"]
FEBRUARY_WEEKS = ["2020-W05", "2020-W06", "2020-W07", "2020-W08", "2020-W09"]


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-0000000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")
    monkeypatch.setattr("reviewer.llm.openai_backend.time.sleep", lambda seconds: None)


@pytest.fixture
def nothing_sent() -> Iterator[respx.MockRouter]:
    """Every request fails loudly, and the test ends by checking none was made."""
    with respx.mock(assert_all_called=False) as router:
        route = router.route().respond(500)
        yield router
        assert not route.called and not router.calls


def _dry(*extra: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, [*DRY, *extra])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_month_dry_run_without_a_key(
    monkeypatch: pytest.MonkeyPatch, nothing_sent: respx.MockRouter
) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")
    data = _dry()
    assert set(data) == {
        "period", "model", "base_url", "budget_tokens", "tokenizer", "calls", "prompt_tokens",
        "max_completion_tokens", "estimated_cost_usd", "price_per_million_tokens", "weeks",
        "month",
    }  # fmt: skip
    assert data["period"] == "2020-02" and data["model"] == MODEL
    assert [w["week"] for w in data["weeks"]] == FEBRUARY_WEEKS
    assert not any(w["cached"] for w in data["weeks"])
    assert all(w["plan"] == "single" and w["calls"] == 1 for w in data["weeks"])
    month = data["month"]
    assert month["task"] == "month" and month["estimated"] is True and month["cached"] is False
    assert data["calls"] == 6
    assert data["prompt_tokens"] == month["prompt_tokens"] + sum(
        w["prompt_tokens"] for w in data["weeks"]
    )
    assert data["max_completion_tokens"] == 5 * 1500 + 1500
    assert data["estimated_cost_usd"] > 0


def test_month_dry_run_redacts(nothing_sent: respx.MockRouter, llm_env: None) -> None:
    result = CliRunner().invoke(app, [*MONTH, "--dry-run", "--format", "json"])
    assert "101.6.64.67" not in result.stdout
    w09 = json.loads(result.stdout)["weeks"][-1]
    assert w09["redacted"] == {"IP": 1, "PORT": 2}
    assert "<IP-1>" in w09["messages"][1]["content"]
    text = CliRunner().invoke(app, [*MONTH, "--dry-run"])
    assert text.exit_code == 0 and "101.6.64.67" not in text.stdout
    assert "=== request 6/6: month" in text.stdout and "nothing sent: 6 call(s)" in text.stdout


def test_month_dry_run_after_a_real_week_and_month(llm_env: None) -> None:
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=Endpoint())
        week = CliRunner().invoke(app, ["week", "2020-02-24", "-j", str(FIXTURE)])
        assert week.exit_code == 0, week.output
    with respx.mock(assert_all_called=False) as nothing:
        data = _dry()
        assert not nothing.calls
    cached = {w["week"]: w["cached"] for w in data["weeks"]}
    assert cached == {w: w == "2020-W09" for w in FEBRUARY_WEEKS}
    w09 = data["weeks"][-1]
    assert w09["calls"] == 0 and w09["requests"] == []
    assert data["calls"] == 5 and data["month"]["estimated"] is True

    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(side_effect=Endpoint())
        assert CliRunner().invoke(app, MONTH).exit_code == 0
    with respx.mock(assert_all_called=False) as nothing:
        data = _dry()
        assert not nothing.calls
    assert all(w["cached"] for w in data["weeks"])
    assert data["month"]["cached"] is True and data["month"]["estimated"] is False
    assert data["calls"] == 0 and data["estimated_cost_usd"] == 0
    text = CliRunner().invoke(app, [*MONTH, "--dry-run"]).stdout
    assert "=== week 2020-W09: cached, nothing sent ===" in text
    assert "=== month: cached, nothing sent ===" in text and "=== request" not in text
    # --refresh would ask everything again: nothing counts as cached.
    assert _dry("--refresh")["calls"] == 6


def test_month_dry_run_with_offline_set_says_so(
    llm_env: None, monkeypatch: pytest.MonkeyPatch, nothing_sent: respx.MockRouter
) -> None:
    monkeypatch.setenv("REVIEWER_OFFLINE", "1")
    result = CliRunner().invoke(app, DRY)
    assert result.exit_code == 0 and json.loads(result.stdout)["calls"] == 6
    assert "offline is set" in result.stderr
    # and without --dry-run the offline month is unchanged
    offline = CliRunner().invoke(app, [*MONTH, "--offline", "--format", "json"])
    assert json.loads(offline.stdout)["meta"]["backend"] == "offline"


@pytest.fixture
def journal_file(tmp_path: Path) -> Path:
    path = tmp_path / "journal.md"
    path.write_text(JOURNAL, encoding="utf-8")
    return path


def test_suggest_dry_run_without_a_key(journal_file: Path, nothing_sent: respx.MockRouter) -> None:
    args = ["questions", "-j", str(journal_file), "--suggest-answers", "--dry-run"]
    result = CliRunner().invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["questions"] == 2 and data["calls"] == len(data["requests"]) == 1
    request = data["requests"][0]
    assert request["task"] == "suggest" and request["cached"] is False
    assert data["prompt_tokens"] == request["prompt_tokens"] > 0
    assert data["max_completion_tokens"] == 1000 and data["estimated_cost_usd"] > 0
    assert data["redacted"]["IP"] == 1 and "10.1.2.3" not in result.stdout
    assert "default dict 为什么报错" in request["messages"][1]["content"]
    text = CliRunner().invoke(app, args)
    assert "=== request 1/1: suggest" in text.stdout and "nothing sent" in text.stdout
    assert "10.1.2.3" not in text.stdout


def test_suggest_dry_run_knows_the_cache(journal_file: Path, llm_env: None) -> None:
    from .llm_support import completion
    from .test_llm_suggest import ANSWER

    args = ["questions", "-j", str(journal_file), "--suggest-answers"]
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.post("/chat/completions").mock(return_value=completion(ANSWER))
        assert CliRunner().invoke(app, args).exit_code == 0
    with respx.mock(assert_all_called=False) as nothing:
        result = CliRunner().invoke(app, [*args, "--dry-run", "-f", "json"])
        assert not nothing.calls
    data = json.loads(result.stdout)
    assert [r["cached"] for r in data["requests"]] == [True]
    assert data["calls"] == 0 and data["prompt_tokens"] == 0


def test_suggest_offline_flags_still_refuse_a_real_run(
    journal_file: Path, monkeypatch: pytest.MonkeyPatch, nothing_sent: respx.MockRouter
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-0000000000000000")
    monkeypatch.setenv("REVIEWER_OFFLINE", "1")
    args = ["questions", "-j", str(journal_file), "--suggest-answers"]
    assert CliRunner().invoke(app, args).exit_code == 78
    dry = CliRunner().invoke(app, [*args, "--dry-run"])
    assert dry.exit_code == 0 and "offline is set" in dry.stderr


def test_dry_run_needs_suggest_answers(journal_file: Path) -> None:
    result = CliRunner().invoke(app, ["questions", "-j", str(journal_file), "--dry-run"])
    assert result.exit_code == 2 and "--suggest-answers" in result.stderr
