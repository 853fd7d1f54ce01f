"""One frozen settings object, from the config file and the environment (the environment wins).

Config file: `$XDG_CONFIG_HOME/reviewer/config.toml` or `--config PATH`. Every key and every
environment variable is listed in `KEYS` and documented in the README.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewer.errors import ConfigError

__all__ = ["KEYS", "Settings", "app_dir", "load_settings"]

# config-file key (section.name) -> environment variable that overrides it
KEYS: dict[str, str] = {
    "journal": "REVIEWER_JOURNAL",
    "timezone": "REVIEWER_TZ",
    "today": "REVIEWER_TODAY",
    "llm.offline": "REVIEWER_OFFLINE",
    "llm.api_key": "OPENAI_API_KEY",
    "llm.base_url": "OPENAI_BASE_URL",
    "llm.model": "REVIEWER_MODEL",
    "smtp.host": "REVIEWER_SMTP_HOST",
    "smtp.port": "REVIEWER_SMTP_PORT",
    "smtp.security": "REVIEWER_SMTP_SECURITY",
    "smtp.user": "REVIEWER_SMTP_USER",
    "smtp.password": "REVIEWER_SMTP_PASSWORD",
    "mail.from": "REVIEWER_MAIL_FROM",
    "mail.to": "REVIEWER_MAIL_TO",
    "mail.subject": "REVIEWER_MAIL_SUBJECT",
}
# Keys of the config file only (no environment variable): lists of strings.
LIST_KEYS = ("redact.terms", "redact.patterns")
DEFAULT_MODEL = "gpt-4o-mini"
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
    # [redact]: the user's own terms and patterns; never shown (they are the private values)
    redact_terms: tuple[str, ...] = field(default=(), repr=False)
    redact_patterns: tuple[str, ...] = field(default=(), repr=False)
    config_path: Path | None = None
    cache_dir: Path = Path()
    data_dir: Path = Path()
    state_dir: Path = Path()

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
    unknown = sorted(set(flat) - set(KEYS) - set(LIST_KEYS))
    if unknown:
        known = ", ".join(sorted([*KEYS, *LIST_KEYS]))
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}'; known: {known}")
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


def _strings(value: object, name: str) -> tuple[str, ...]:
    """A list of strings from the config file; anything else is a ConfigError that says so."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f'{name}: expected a list of strings, like {name.split(".")[1]} = ["…"]')
    return tuple(item for item in value if item.strip())


def _patterns(value: object) -> tuple[str, ...]:
    """`redact.patterns`: each must compile; a bad one is named by its position, not shown
    (it may spell out the private value it was written for)."""
    patterns = _strings(value, "redact.patterns")
    for number, pattern in enumerate(patterns, start=1):
        try:
            re.compile(pattern)
        except re.error as err:
            raise ConfigError(
                f"redact.patterns: pattern {number} of {len(patterns)} is not a valid regular "
                f"expression: {err.msg} at position {err.pos}"
            ) from None
    return patterns


def load_settings(
    env: Mapping[str, str] | None = None, config_path: Path | None = None
) -> Settings:
    """Settings from the config file, overridden by the environment."""
    env = os.environ if env is None else env
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
        redact_terms=_strings(values.get("redact.terms", []), "redact.terms"),
        redact_patterns=_patterns(values.get("redact.patterns", [])),
        config_path=path if path.exists() else None,
        cache_dir=app_dir("cache", env),
        data_dir=app_dir("data", env),
        state_dir=app_dir("state", env),
    )
    _zone(settings.timezone)  # fail early on a bad time zone
    return settings
