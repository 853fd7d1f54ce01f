"""Privacy end to end: a week holding every leak of issue 9 sends none of them, the user's own
terms are hidden and restored, placeholders come back exactly, repaired dates are what the model
sees, `reviewer redact` lists it all, and nothing private reaches logs or the cache's files."""

from __future__ import annotations

import json
import logging
import re
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.config import load_settings
from reviewer.errors import ConfigError
from reviewer.llm.redact import Redactor, Rules

from .llm_support import BASE_URL, body_of, completion

# The leaks found in dry runs of a real journal (issue 9), and more of each class.
JOURNAL = """\
# 日志

## 2021-02-03
* 和凯哥讨论了实验设计，ProjectX 要加速
* 用户名123456789@qq.com 登录 overleaf
* [mac](someone@example.com / hunter22)
* 登录用户名xxx-admin，密码不是常用的那个…
* too many logins for zhang3
* 8888的端口被占了
* `systemctl ssh status` 看一下

## 2020-2-1
* `ssh -p 42222 zhaotianchen@101.6.64.67`
* RemoteForward 127.0.0.1:23456 localhost:22
* 机器在162.105.88.17上，QQ：574596610，手机13812345678
* 账号zhang@example.org
* TODO: 问汪总要 LAB-1234 的数据

## 2021-01-30
* 读论文
"""
LEAKS = [
    "123456789@qq.com", "someone@example.com", "hunter22", "xxx-admin", "zhang3", "8888",
    "42222", "zhaotianchen", "101.6.64.67", "23456", "162.105.88.17", "574596610",
    "13812345678", "zhang@example.org", "凯哥", "汪总", "ProjectX", "LAB-1234",
]  # fmt: skip
CONFIG = '[redact]\nterms = ["凯哥", "汪总", "ProjectX"]\npatterns = ["LAB-[0-9]{4}"]\n'
WEEK = ["week", "2021-02-01"]
_PLACEHOLDER = re.compile(r"<[A-Z]+(?:-[A-Z]+)*-\d+>")


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    journal = tmp_path / "journal.md"
    journal.write_text(JOURNAL, encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    monkeypatch.setenv("REVIEWER_TODAY", "2021-02-07")
    return ["--journal", str(journal), "--config", str(config)]


def _sent(result: Any) -> str:
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return "\n".join(m["content"] for m in data["messages"])


def test_week_dry_run_sends_none_of_the_leaks(files: list[str]) -> None:
    sent = _sent(CliRunner().invoke(app, [*WEEK, *files, "--dry-run", "--format", "json"]))
    for leak in LEAKS:
        assert leak not in sent, leak
    assert "`systemctl ssh status`" in sent  # the false positive of the issue
    assert "127.0.0.1:<PORT-" in sent and "localhost:<PORT-" in sent
    assert "<NAME-1>" in sent and "<PRIVATE-1>" in sent  # the user's own rules
    # the repaired heading is sent with its repaired date, not as written
    assert "## 2021-02-01" in sent and "2020-2-1" not in sent


def test_map_reduce_and_month_dry_runs_hide_them_too(files: list[str]) -> None:
    filler = "".join(f"* 第{n}轮实验：调了学习率，记了笔记\n" for n in range(40))
    Path(files[1]).write_text(JOURNAL.replace("看一下\n", "看一下\n" + filler), "utf-8")
    small = CliRunner().invoke(
        app, [*WEEK, *files, "--dry-run", "--format", "json", "--max-prompt-tokens", "500"]
    )
    data = json.loads(small.stdout)
    assert data["plan"] == "map-reduce"
    sent = _sent(small)
    month = CliRunner().invoke(app, ["month", "2021-02", *files, "--dry-run", "--format", "json"])
    assert month.exit_code == 0, month.output
    sent += month.stdout
    for leak in LEAKS:
        assert leak not in sent, leak


def _echo(request: httpx.Request) -> httpx.Response:
    """A model that repeats every placeholder it was sent and cites the dates it saw."""
    user = body_of(request)["messages"][1]["content"]
    tokens = sorted(set(_PLACEHOLDER.findall(user)))
    dates = re.findall(r"^## (\S+)", user, re.M)
    answer = {
        "summary": "本周：" + " ".join(tokens),
        "highlights": [{"text": f"{day} 的事 {tokens[0]}", "dates": [day]} for day in dates],
        "themes": [tokens[-1]],
        "next_week": [],
    }
    return completion(answer)


def test_terms_are_hidden_and_restored_exactly_in_the_digest(
    files: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-privacy-test-000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", BASE_URL)
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post("/chat/completions").mock(side_effect=_echo)
        result = CliRunner().invoke(app, [*WEEK, *files, "--format", "json"])
        assert result.exit_code == 0, result.output
        sent = json.dumps(body_of(route.calls.last.request), ensure_ascii=False)
    for leak in LEAKS:
        assert leak not in sent, leak
    digest = json.loads(result.stdout)
    assert not _PLACEHOLDER.search(result.stdout)  # no <EMAIL-1> left for the reader
    for value in ("凯哥", "汪总", "ProjectX", "LAB-1234", "101.6.64.67", "8888"):
        assert value in digest["summary"], value
    # a password comes back masked: the digest is mailed, a secret never is (issue 15)
    assert "hunter22" not in result.stdout and "••••" in digest["summary"]
    # the model cited the repaired date it was shown, so the highlight survives grounding
    assert {d for h in digest["highlights"] for d in h["dates"]} == {"2021-02-01", "2021-02-03"}


def test_placeholders_restore_exactly() -> None:
    redactor = Redactor(Rules(terms=("凯哥",)))
    text = "凯哥 ssh -p 2222 a@10.0.0.1, 凯哥 again, pw: s3cret!, mail a@b.org"
    out = redactor.redact(text)
    assert redactor.restore(out) == text
    # unknown or near placeholders are left as they are, never a wrong value
    assert redactor.restore("<NAME-9> <NAME-1> <IP-1>") == "<NAME-9> 凯哥 10.0.0.1"
    assert redactor.kind_of("<NAME-1>") == "NAME" and redactor.kind_of("<NAME-9>") is None


def test_terms_are_case_insensitive_and_respect_ascii_boundaries() -> None:
    redactor = Redactor(Rules(terms=("ProjectX", "凯哥")))
    out = redactor.redact("projectx, ProjectXY, 和凯哥说ProjectX的事")
    assert out == "<NAME-1>, ProjectXY, 和<NAME-2>说<NAME-3>的事"


def test_rules_change_the_cache_key_and_never_appear_in_it() -> None:
    from reviewer.llm.chat import ChatBackend
    from reviewer.llm.plan import Call

    call = Call("week", [{"role": "user", "content": "x"}], 100)
    plain = ChatBackend("m", "http://x/v1")
    named = ChatBackend("m", "http://x/v1", redaction=Rules(terms=("凯哥",)))
    assert plain.key_of(call) != named.key_of(call) and plain.key != named.key
    assert "凯哥" not in Rules(terms=("凯哥",)).digest
    assert "凯哥" not in repr(named.redaction)


def _settings(tmp_path: Path, text: str) -> Any:
    config = tmp_path / "config.toml"
    config.write_text(text, encoding="utf-8")
    return load_settings({"HOME": str(tmp_path)}, config)


def test_config_reads_terms_and_patterns(tmp_path: Path) -> None:
    settings = _settings(tmp_path, CONFIG)
    assert settings.redact_terms == ("凯哥", "汪总", "ProjectX")
    assert settings.redact_patterns == ("LAB-[0-9]{4}",)
    assert "凯哥" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[redact]\nterms = "凯哥"\n', "redact.terms: expected a list of strings"),
        ("[redact]\nterms = [1, 2]\n", "redact.terms: expected a list of strings"),
        ('[redact]\npatterns = ["ok", "LAB-[0-9"]\n', "pattern 2 of 2 is not a valid regular"),
        ('[redact]\nnames = ["x"]\n', "unknown setting 'redact.names'"),
    ],
)
def test_config_refuses_bad_redact_settings(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)) as caught:
        _settings(tmp_path, text)
    assert "凯哥" not in str(caught.value)


def test_a_bad_pattern_is_one_line_on_the_command_line(files: list[str], tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[redact]\npatterns = ["secret(\\\\d+"]\n', encoding="utf-8")
    result = CliRunner().invoke(app, [*WEEK, *files[:2], "--config", str(bad), "--dry-run"])
    assert result.exit_code != 0
    assert "pattern 1 of 1 is not a valid regular expression" in result.output
    assert "Traceback" not in result.output


def test_redact_command_lists_values_placeholders_and_suspects(
    files: list[str], tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, ["redact", "2021-02-01", *files, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    values = {row["value"]: row for row in data["hidden"]}
    for leak in LEAKS:
        assert leak in values, leak
    assert values["凯哥"]["placeholder"].startswith("<NAME-")
    assert values["hunter22"]["kind"] == "PASSWORD" and values["hunter22"]["lines"] == [6]
    # the placeholders are the ones the dry run sends
    dry = _sent(CliRunner().invoke(app, [*WEEK, *files, "--dry-run", "--format", "json"]))
    for row in data["hidden"]:
        assert row["placeholder"] in dry
    text = CliRunner().invoke(app, ["redact", "2021-02-01", *files])
    assert "<PASSWORD-1>  hunter22  (line 6)" in text.stdout


def test_redact_command_shows_what_looks_private_but_stays(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text(
        "## 2021-02-03\n* wifi 密码 abcdefg 记一下\n* 银行流水 6222021234567890123\n"
        "* 跟 Lily 吃饭\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["redact", "2021-02-03", "-j", str(journal), "-f", "json"])
    assert result.exit_code == 0, result.output
    suspects = json.loads(result.stdout)["suspects"]
    assert [s["line"] for s in suspects] == [2, 3]
    assert "密码" in suspects[0]["reason"] and suspects[1]["reason"] == "a long number"
    # once the user adds a term, the name is hidden
    config = tmp_path / "c.toml"
    config.write_text('[redact]\nterms = ["Lily"]\n', encoding="utf-8")
    again = CliRunner().invoke(
        app, ["redact", "2021-02-03", "-j", str(journal), "--config", str(config)]
    )
    assert "<NAME-1>  Lily  (line 4)" in again.stdout


def test_nothing_private_in_logs_or_cache_files(
    files: list[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="reviewer")
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    monkeypatch.setenv("OPENAI_API_KEY", "sk-privacy-test-000000000000")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://gw-user:gw-pass@llm.test/v1")
    with respx.mock(assert_all_called=False) as router:
        router.post(url__regex=r"http://.*llm\.test/v1/chat/completions.*").mock(
            side_effect=[httpx.Response(400, json={"error": {"message": "no schema"}}), _echo]
            + [_echo] * 5
        )
        result = CliRunner().invoke(app, [*WEEK, *files, "-vv", "--format", "json"])
    assert result.exit_code in (0, 3), result.output
    assert result.exit_code == 0, result.output
    endpoints = (cache / "reviewer" / "endpoints.json").read_text(encoding="utf-8")
    assert "llm.test/v1#" in endpoints  # remembered, without the gateway's credentials
    # The facts cache and the ledgers' folds are the files meant to hold the journal's own
    # words (its questions and TODOs, so that the next run need not read them again); they are
    # the user's alone.
    facts = sorted((cache / "reviewer" / "facts").iterdir())
    assert [p.name.split("-")[0] for p in facts] == ["facts", "history"]
    assert [stat.S_IMODE(p.stat().st_mode) for p in facts] == [0o600, 0o600]
    assert stat.S_IMODE(facts[0].parent.stat().st_mode) == 0o700
    stored = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file() and p not in facts)
    assert b"<NAME-1>" in stored  # the answer was cached: as the model wrote it, redacted
    logs = caplog.text + result.stderr
    assert "trying" in logs  # the 400 was logged (json_schema refused, next mode tried)
    for leak in LEAKS:
        assert leak.encode() not in stored, leak
        assert leak not in logs, leak
    for secret in ("gw-pass",):
        assert secret.encode() not in stored


def test_suggest_answers_dry_run_hides_terms(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text(
        "## 2020-02-21\n* 凯哥说 default dict 的 key 写错了，账号 zhang3 / Pku@2021\n\n"
        "## 2020-02-17\n* 需要问的问题\n  * default dict 为什么报错？问汪总\n",
        encoding="utf-8",
    )
    config = tmp_path / "c.toml"
    config.write_text(CONFIG, encoding="utf-8")
    args = ["questions", "-j", str(journal), "--config", str(config), "--suggest-answers"]
    result = CliRunner().invoke(app, [*args, "--dry-run", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["calls"] == 1 and data["redacted"]["NAME"] == 2
    for leak in ("凯哥", "汪总", "zhang3", "Pku@2021"):
        assert leak not in result.stdout


def test_a_repaired_heading_is_sent_with_its_repaired_dates() -> None:
    from reviewer.journal.parse import parse_journal
    from reviewer.llm.plan import entry_block

    text = "## 2021-02-03\n* a\n\n## 2020-2-1 组会 with 凯哥\n* b\n\n## 2021-01-30\n* c\n"
    entries = parse_journal(text, "j.md").entries
    repaired = next(e for e in entries if e.repaired)
    block = entry_block(repaired, Redactor(Rules(terms=("凯哥",))), {})
    assert block.split("\n")[0] == "## 2021-02-01 组会 with <NAME-1>"


def test_a_suspect_is_judged_on_its_own_line(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "2021-03-01.md").write_text("* 密码 abcd 记得改\n* ssh root@10.9.8.7\n", "utf-8")
    result = CliRunner().invoke(app, ["redact", "2021-03-01", "-j", str(notes), "-f", "json"])
    data = json.loads(result.stdout)
    assert [s["text"] for s in data["suspects"]] == ["* 密码 abcd 记得改"]
    assert data["suspects"][0]["line"] == 1
    assert {r["value"] for r in data["hidden"]} == {"root", "10.9.8.7"}
