"""Hostile settings: each refused at once with one line naming the setting, or accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from reviewer.config import load_settings
from reviewer.errors import ConfigError

from .conftest import FIXTURE
from .hostile import run


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("REVIEWER_SMTP_PORT", "99999", "not a port number"),
        ("REVIEWER_SMTP_PORT", "²", "not a port number"),
        ("REVIEWER_SMTP_PORT", "-1", "not a port number"),
        ("REVIEWER_JOURNAL", "~nouser-that-does-not-exist/x", "cannot expand ~"),
        ("OPENAI_BASE_URL", "::::", "not an http(s) URL"),
        ("OPENAI_BASE_URL", "http://host:port/v1", "not an http(s) URL"),
        ("OPENAI_BASE_URL", "file:///etc/passwd", "not an http(s) URL"),
        ("REVIEWER_MODEL", "gpt\n-4o", "control characters"),
        ("REVIEWER_JOURNAL_MAX_MB", "inf", "not a size in MB"),
    ],
)
def test_a_bad_value_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    monkeypatch.setenv(name, value)
    result = run("week", "2020-02-24", "-j", str(FIXTURE))
    assert result.exit_code == 78
    assert said in result.stderr and name in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_credential_in_a_bad_base_url_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "ftp://user:hunter2secret@host/v1?key=sk-query-token")
    result = run("week", "2020-02-24", "-j", str(FIXTURE))
    assert result.exit_code == 78
    assert "hunter2secret" not in result.stderr and "sk-query-token" not in result.stderr


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[llm]\nmodel = {a = 1}\n", "expected a single value, got a table"),
        ('journal = ["a", "b"]\n', "expected a single value, got a list"),
        ("\x00\x01\xff\xfe binary", "not a TOML file"),
        ("[llm\n", "not valid TOML"),
    ],
)
def test_a_config_file_with_wrong_types_or_bytes_is_one_clear_line(
    tmp_path: Path, text: str, said: str
) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode("latin-1") if "\xff" in text else text.encode())
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config_path=path)
    assert said in str(caught.value)
    result = run("week", "2020-02-24", "-j", str(FIXTURE), "--config", str(path))
    assert result.exit_code == 78 and result.stderr.count("\n") == 1


def test_a_bom_in_the_config_file_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(b'\xef\xbb\xbf[llm]\nmodel = "qwen-plus"\n')
    assert load_settings({}, config_path=path).model == "qwen-plus"


def test_a_config_that_is_a_device_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings({}, config_path=Path("/dev/zero"))
    assert "not a regular file" in str(caught.value)


def test_a_line_separator_in_the_subject_stops_only_the_send(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")
    monkeypatch.setenv("REVIEWER_MAIL_SUBJECT", "review\u2028Bcc: victim@example.org")
    monkeypatch.setenv("REVIEWER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REVIEWER_MAIL_FROM", "me@example.org")
    monkeypatch.setenv("REVIEWER_MAIL_TO", "me@example.org")
    result = run("send", "2020-02-24", "-j", str(FIXTURE), "--offline")
    assert result.exit_code == 78 and "line breaks" in result.stderr
