"""Settings from the config file and the environment; the environment wins."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewer.config import DEFAULT_MODEL, app_dir, load_settings
from reviewer.errors import ConfigError


def _config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_file_or_env(tmp_path: Path) -> None:
    settings = load_settings({"HOME": str(tmp_path)})
    assert settings.journal is None and not settings.offline and not settings.llm_configured
    assert settings.model == DEFAULT_MODEL
    assert settings.cache_dir == tmp_path / ".cache" / "reviewer"


def test_file_is_read_from_xdg_config_home(tmp_path: Path) -> None:
    (tmp_path / "reviewer").mkdir()
    _config(tmp_path / "reviewer", 'journal = "/j.md"\n[llm]\nmodel = "deepseek-chat"\n')
    settings = load_settings({"XDG_CONFIG_HOME": str(tmp_path), "HOME": "/nowhere"})
    assert settings.journal == Path("/j.md") and settings.model == "deepseek-chat"


def test_environment_wins_over_file(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        'journal = "/from/file.md"\ntimezone = "UTC"\n[llm]\noffline = false\n'
        '[smtp]\nhost = "file.example"\nport = 25\n[mail]\nto = ["a@x.org", "b@x.org"]\n',
    )
    env = {
        "HOME": str(tmp_path),
        "REVIEWER_JOURNAL": "/from/env.md",
        "REVIEWER_OFFLINE": "1",
        "REVIEWER_SMTP_PORT": "587",
        "REVIEWER_TODAY": "2020-03-01",
        "REVIEWER_TZ": "Asia/Shanghai",
    }
    settings = load_settings(env, path)
    assert settings.journal == Path("/from/env.md")
    assert settings.offline is True
    assert (settings.smtp_host, settings.smtp_port) == ("file.example", 587)
    assert settings.mail_to == ("a@x.org", "b@x.org")
    assert settings.now_date() == date(2020, 3, 1)
    assert settings.timezone == "Asia/Shanghai"


def test_mail_to_from_env_is_comma_separated(tmp_path: Path) -> None:
    settings = load_settings({"HOME": str(tmp_path), "REVIEWER_MAIL_TO": "a@x.org, b@x.org,"})
    assert settings.mail_to == ("a@x.org", "b@x.org")


def test_api_key_is_not_in_repr(tmp_path: Path) -> None:
    settings = load_settings({"HOME": str(tmp_path), "OPENAI_API_KEY": "sk-secret"})
    assert settings.llm_configured and "sk-secret" not in repr(settings)


@pytest.mark.parametrize(
    ("text", "env", "message"),
    [
        ("jornal = 1\n", {}, "unknown setting 'jornal'"),
        ("journal = \n", {}, "not valid TOML"),
        ("", {"REVIEWER_OFFLINE": "maybe"}, "expected true or false"),
        ("", {"REVIEWER_TODAY": "yesterday"}, "not an ISO date"),
        ("", {"REVIEWER_TZ": "Mars/Olympus"}, "unknown time zone"),
        ("", {"REVIEWER_SMTP_PORT": "smtp"}, "not a port number"),
        ("", {"REVIEWER_SMTP_SECURITY": "tls13"}, "not none, starttls or ssl"),
    ],
)
def test_bad_settings_are_config_errors(
    tmp_path: Path, text: str, env: dict[str, str], message: str
) -> None:
    path = _config(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_settings({"HOME": str(tmp_path), **env}, path)


def test_explicit_missing_config_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings({"HOME": str(tmp_path)}, tmp_path / "missing.toml")


def test_relative_xdg_paths_are_ignored(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "XDG_DATA_HOME": "relative/dir"}
    assert app_dir("data", env) == tmp_path / ".local" / "share" / "reviewer"


@pytest.mark.parametrize(
    ("base_url", "seconds"),
    [
        ("", 60.0),  # the hosted default
        ("https://api.deepseek.com/v1", 60.0),
        ("http://127.0.0.1:8080/v1", 300.0),  # llama.cpp on this machine
        ("http://localhost:11434/v1", 300.0),  # Ollama
        ("http://192.168.1.20:8000/v1", 300.0),  # a box on the LAN
        ("http://gpu-box:8000/v1", 300.0),
        ("http://[::1]:8080/v1", 300.0),
    ],
)
def test_request_timeout_fits_where_the_endpoint_runs(
    tmp_path: Path, base_url: str, seconds: float
) -> None:
    settings = load_settings({"HOME": str(tmp_path), "OPENAI_BASE_URL": base_url})
    assert settings.request_timeout == seconds


def test_request_timeout_setting_wins(tmp_path: Path) -> None:
    path = _config(tmp_path, "[llm]\ntimeout = 900\n")
    env = {"HOME": str(tmp_path), "OPENAI_BASE_URL": "http://127.0.0.1:8080/v1"}
    assert load_settings(env, path).request_timeout == 900
    env["REVIEWER_LLM_TIMEOUT"] = "45.5"
    assert load_settings(env, path).request_timeout == 45.5


@pytest.mark.parametrize("value", ["soon", "-1", "nan", "1e9"])
def test_bad_timeout_is_refused(tmp_path: Path, value: str) -> None:
    with pytest.raises(ConfigError, match="REVIEWER_LLM_TIMEOUT"):
        load_settings({"HOME": str(tmp_path), "REVIEWER_LLM_TIMEOUT": value})


def test_user_prompts_live_in_the_config_dir(tmp_path: Path) -> None:
    settings = load_settings({"HOME": "/nowhere", "XDG_CONFIG_HOME": str(tmp_path)})
    assert settings.prompts_dir == tmp_path / "reviewer" / "prompts"
