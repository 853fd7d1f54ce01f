"""One frozen settings object, from the config file and the environment (the environment wins).

Config file: `$XDG_CONFIG_HOME/reviewer/config.toml` or `--config PATH`. Every key and every
environment variable is listed in `KEYS` and documented in the README.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewer.errors import ConfigError

__all__ = ["KEYS", "Settings", "app_dir", "load_settings", "local_endpoint", "read_env_file"]

# config-file key (section.name) -> environment variable that overrides it
KEYS: dict[str, str] = {
    "journal": "REVIEWER_JOURNAL",
    "timezone": "REVIEWER_TZ",
    "today": "REVIEWER_TODAY",
    "llm.offline": "REVIEWER_OFFLINE",
    "llm.api_key": "OPENAI_API_KEY",
    "llm.base_url": "OPENAI_BASE_URL",
    "llm.model": "REVIEWER_MODEL",
    "llm.timeout": "REVIEWER_LLM_TIMEOUT",
    "smtp.host": "REVIEWER_SMTP_HOST",
    "smtp.port": "REVIEWER_SMTP_PORT",
    "smtp.security": "REVIEWER_SMTP_SECURITY",
    "smtp.user": "REVIEWER_SMTP_USER",
    "smtp.password": "REVIEWER_SMTP_PASSWORD",
    "mail.from": "REVIEWER_MAIL_FROM",
    "mail.to": "REVIEWER_MAIL_TO",
    "mail.subject": "REVIEWER_MAIL_SUBJECT",
    "mail.when_quiet": "REVIEWER_MAIL_WHEN_QUIET",
}
DEFAULT_MODEL = "gpt-4o-mini"
# Seconds one LLM request may take. A hosted API answers a week in seconds; a model on the
# user's own CPU (llama.cpp, Ollama on loopback or the LAN) takes minutes: llama.cpp with
# Gemma 3 270M on 2 cores needs 100-110 s for week 2020-W09, so 60 s would always time out.
TIMEOUT_REMOTE_S = 60.0
TIMEOUT_LOCAL_S = 300.0
WHEN_QUIET = ("once", "always", "never")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def app_dir(kind: str, env: Mapping[str, str]) -> Path:
    """The XDG directory of `kind` (config, cache, data, state) for reviewer, per `env`."""
    default = {
        "config": ".config",
        "cache": ".cache",
        "data": ".local/share",
        "state": ".local/state",
    }[kind]
    base = env.get(f"XDG_{kind.upper()}_HOME") or ""
    if not base or not os.path.isabs(base):  # the XDG spec says to ignore relative paths
        base = str(Path(env.get("HOME") or Path.home()) / default)
    return Path(base) / "reviewer"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a command needs to know from outside, resolved once."""

    journal: Path | None = None
    timezone: str = ""
    today: date | None = None
    offline: bool = False
    api_key: str = field(default="", repr=False)
    base_url: str = ""
    model: str = DEFAULT_MODEL
    smtp_host: str = ""
    smtp_port: int = 0
    smtp_security: str = "starttls"
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    mail_from: str = ""
    mail_to: tuple[str, ...] = ()
    mail_subject: str = ""
    mail_when_quiet: str = "once"
    llm_timeout: float = 0.0  # 0: chosen by where the endpoint is (see `request_timeout`)
    config_path: Path | None = None
    cache_dir: Path = Path()
    data_dir: Path = Path()
    state_dir: Path = Path()
    prompts_dir: Path = Path()  # the user's own prompt templates, overriding the shipped ones

    @property
    def request_timeout(self) -> float:
        """Seconds one LLM request may take: the setting, or a default for where it runs."""
        if self.llm_timeout > 0:
            return self.llm_timeout
        return TIMEOUT_LOCAL_S if local_endpoint(self.base_url) else TIMEOUT_REMOTE_S

    @property
    def llm_configured(self) -> bool:
        """An endpoint to call: a key, or a base URL (local servers need no key)."""
        return bool(self.api_key or self.base_url)

    def now_date(self) -> date:
        """Today: REVIEWER_TODAY when set, else the date now in the configured time zone."""
        if self.today is not None:
            return self.today
        return datetime.now(_zone(self.timezone)).date()

    def now(self) -> datetime:
        """The time now, aware, in the configured time zone (the machine's when none is set)."""
        zone = _zone(self.timezone)
        return datetime.now(zone) if zone else datetime.now().astimezone()


def local_endpoint(base_url: str) -> bool:
    """The endpoint runs on this machine or the local network (a CPU server, likely slow)."""
    import ipaddress
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(base_url).hostname or "").lower()
    except ValueError:
        return False
    if not host:
        return False  # no base URL: the hosted default
    if host == "localhost" or host.endswith((".local", ".lan", ".internal", ".localhost")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." not in host  # a bare LAN name such as "gpu-box"
    return address.is_loopback or address.is_private or address.is_link_local


def _zone(name: str) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"unknown time zone '{name}'; use an IANA name like Asia/Shanghai"
        ) from None


def _flatten(data: Mapping[str, object], where: Path) -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                flat[f"{key}.{sub}"] = inner
        else:
            flat[key] = value
    unknown = sorted(set(flat) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting '{unknown[0]}'; known: {', '.join(sorted(KEYS))}"
        )
    return flat


def _read_file(path: Path, explicit: bool) -> dict[str, object]:
    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return {}
    try:
        with path.open("rb") as handle:
            return _flatten(tomllib.load(handle), path)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    except OSError as err:
        raise ConfigError(f"{path}: cannot read: {err.strerror}") from None


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false, got '{value}'")


def read_env_file(path: Path) -> dict[str, str]:
    """The variables of a job's env file (`reviewer cron` writes it): `NAME=value` lines.

    It holds secrets (the API key, the SMTP password), so it must be the user's own regular
    file that no one else can read; anything else is refused rather than trusted."""
    import stat

    try:
        info = path.lstat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: the env file is not a regular file")
        if info.st_mode & 0o077 or info.st_uid != os.getuid():
            raise ConfigError(
                f"{path}: the env file holds secrets but others can read it: chmod 600 {path}"
            )
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: env file not found; run `reviewer cron` again") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read the env file: {err}") from None
    values: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, equals, value = line.partition("=")
        if not equals or name.strip() not in KEYS.values():
            raise ConfigError(f"{path}:{number}: expected NAME=value with a reviewer setting")
        values[name.strip()] = value
    return values


def load_settings(
    env: Mapping[str, str] | None = None,
    config_path: Path | None = None,
    env_file: Path | None = None,
) -> Settings:
    """Settings from the config file, overridden by the env file, overridden by the
    environment."""
    env = os.environ if env is None else env
    if env_file is not None:
        env = {**read_env_file(env_file), **env}
    explicit = config_path is not None
    path = config_path or app_dir("config", env) / "config.toml"
    values = _read_file(path, explicit)
    for key, var in KEYS.items():
        if var in env:
            values[key] = env[var]

    def text(key: str, default: str = "") -> str:
        value = values.get(key, default)
        return str(value).strip() if value is not None else default

    today = None
    if text("today"):
        try:
            today = date.fromisoformat(text("today"))
        except ValueError:
            raise ConfigError(
                f"REVIEWER_TODAY / today: '{text('today')}' is not an ISO date (2020-02-24)"
            ) from None
    port_text = text("smtp.port", "0") or "0"
    if not port_text.isdigit():
        raise ConfigError(f"REVIEWER_SMTP_PORT / smtp.port: '{port_text}' is not a port number")
    security = text("smtp.security", "starttls").lower() or "starttls"
    if security not in {"none", "starttls", "ssl"}:
        raise ConfigError(
            f"REVIEWER_SMTP_SECURITY / smtp.security: '{security}' is not none, starttls or ssl"
        )
    timeout_text = text("llm.timeout", "0") or "0"
    try:
        timeout = float(timeout_text)
    except ValueError:
        timeout = -1.0
    if not 0 <= timeout <= 86400:  # NaN fails too
        raise ConfigError(
            f"REVIEWER_LLM_TIMEOUT / llm.timeout: '{timeout_text}' is not a number of seconds "
            "(e.g. 300; 0 picks a default by endpoint)"
        )
    when_quiet = text("mail.when_quiet", "once").lower() or "once"
    if when_quiet not in WHEN_QUIET:
        raise ConfigError(
            f"REVIEWER_MAIL_WHEN_QUIET / mail.when_quiet: '{when_quiet}' is not "
            + ", ".join(WHEN_QUIET)
        )
    journal = text("journal")
    recipients = values.get("mail.to", "")
    if isinstance(recipients, list):
        to = tuple(str(r).strip() for r in recipients if str(r).strip())
    else:
        to = tuple(r.strip() for r in str(recipients).split(",") if r.strip())
    settings = Settings(
        journal=Path(journal).expanduser() if journal else None,
        timezone=text("timezone"),
        today=today,
        offline=_bool(values.get("llm.offline", False), "REVIEWER_OFFLINE / llm.offline"),
        api_key=text("llm.api_key"),
        base_url=text("llm.base_url"),
        model=text("llm.model") or DEFAULT_MODEL,
        smtp_host=text("smtp.host"),
        smtp_port=int(port_text),
        smtp_security=security,
        smtp_user=text("smtp.user"),
        smtp_password=text("smtp.password"),
        mail_from=text("mail.from"),
        mail_to=to,
        mail_subject=text("mail.subject"),
        mail_when_quiet=when_quiet,
        llm_timeout=timeout,
        config_path=path if path.exists() else None,
        cache_dir=app_dir("cache", env),
        data_dir=app_dir("data", env),
        state_dir=app_dir("state", env),
        prompts_dir=app_dir("config", env) / "prompts",
    )
    _zone(settings.timezone)  # fail early on a bad time zone
    return settings
