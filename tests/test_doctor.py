"""`reviewer doctor` against a real SMTP server and the real openai client (respx)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import respx
from typer.testing import CliRunner, Result

from reviewer.cli import app

from .llm_support import API_KEY, BASE_URL, FIXTURE, MODEL, completion, error
from .mailserver import Server, running


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    with running() as srv:
        for name, value in srv.env().items():
            monkeypatch.setenv(name, value)
        yield srv


@pytest.fixture
def llm(monkeypatch: pytest.MonkeyPatch) -> Iterator[respx.MockRouter]:
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        router.get("/models").mock(
            return_value=httpx.Response(
                200, json={"object": "list", "data": [{"id": MODEL, "object": "model"}]}
            )
        )
        yield router


def doctor(*args: str) -> Result:
    return CliRunner().invoke(app, ["doctor", "--journal", str(FIXTURE), *args])


def lines(result: Result) -> dict[str, str]:
    """The report by part: {"smtp": "✓ smtp ..."}."""
    return {ln.split()[1]: ln for ln in result.stdout.splitlines() if ln[:1] in "✓!✗"}


def test_everything_up_passes(smtp: Server, llm: respx.MockRouter) -> None:
    chat = llm.post("/chat/completions").mock(return_value=completion({"ok": True}))
    result = doctor()
    assert result.exit_code == 0, result.output
    report = lines(result)
    assert report["journal"].startswith("✓") and "129 entries" in report["journal"]
    assert report["llm"].startswith("✓") and "structured output: json_schema" in report["llm"]
    assert report["smtp"].startswith("✓") and "nothing sent" in report["smtp"]
    assert report["schedule"].startswith("!")  # not scheduled yet: a warning, not a failure
    assert smtp.handler.received == []  # logged in, sent nothing
    sent = json.loads(chat.calls[0].request.content)
    assert "journal" not in json.dumps(sent).lower()  # the probe holds no journal text
    assert API_KEY not in result.output and "Ready for Sunday" in result.stdout


def test_a_server_refusing_json_schema_is_probed_down_to_what_works(
    smtp: Server, llm: respx.MockRouter
) -> None:
    llm.post("/chat/completions").mock(side_effect=[error(500), completion({"ok": True})])
    result = doctor()
    assert result.exit_code == 0, result.output
    assert "structured output: json_object" in lines(result)["llm"]


def test_smtp_down_is_named(llm: respx.MockRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    llm.post("/chat/completions").mock(return_value=completion({"ok": True}))
    with running() as srv:
        env = srv.env()
    for name, value in env.items():  # the server is gone now: nothing listens on its port
        monkeypatch.setenv(name, value)
    result = doctor()
    assert result.exit_code == 1
    assert lines(result)["smtp"].startswith("✗ smtp") and "connection refused" in result.stdout
    assert "cannot work until this is fixed: smtp." in result.stdout


def test_a_refused_key_is_named(smtp: Server, llm: respx.MockRouter) -> None:
    llm.get("/models").mock(return_value=error(401, "Incorrect API key provided"))
    result = doctor()
    assert result.exit_code == 1
    assert lines(result)["llm"].startswith("✗ llm") and "key was refused (401)" in result.stdout
    assert API_KEY not in result.output


def test_a_missing_journal_is_named(smtp: Server, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["doctor", "--journal", str(tmp_path / "nope.md")])
    assert result.exit_code == 1
    assert lines(result)["journal"].startswith("✗ journal") and "nope.md" in result.stdout
    assert lines(result)["llm"].startswith("!")  # no LLM configured: a warning only


def test_a_broken_config_is_one_failing_line(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[smtp]\nport = 'x'\n", encoding="utf-8")
    result = doctor("--config", str(bad))
    assert result.exit_code == 1 and lines(result)["config"].startswith("✗ config")
