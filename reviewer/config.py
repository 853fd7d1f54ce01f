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
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reviewer.credentials import credentials_of_url, public_url, register
from reviewer.errors import ConfigError, ReviewerError
from reviewer.journal.dates import YEARS

__all__ = ["KEYS", "Settings", "app_dir", "load_settings"]

# config-file key (section.name) -> environment variable that overrides it
KEYS: dict[str, str] = {
    "journal": "REVIEWER_JOURNAL",
    "journal_max_mb": "REVIEWER_JOURNAL_MAX_MB",
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
    journal_max_mb: float = 64.0  # a larger file is refused: /dev/zero must not fill memory
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
    config_path: Path | None = None
    cache_dir: Path = Path()
    data_dir: Path = Path()
    state_dir: Path = Path()

    @property
    def journal_max_bytes(self) -> int:
        """The most bytes of journal read (a file, or a folder's notes together)."""
        return int(self.journal_max_mb * 2**20)

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
    unknown = sorted(set(flat) - set(KEYS))
    if unknown:
        raise ConfigError(
            f"{where}: unknown setting '{unknown[0]}'; known: {', '.join(sorted(KEYS))}"
        )
    return flat


def _read_file(path: Path, explicit: bool) -> dict[str, object]:
    from reviewer.files import read_regular

    if not path.exists():
        if explicit:
            raise ConfigError(f"{path}: config file not found")
        return {}
    try:
        data = read_regular(path, 2**20)
    except ReviewerError as err:
        raise ConfigError(str(err)) from None
    try:
        # Windows editors save UTF-8 with a BOM, which TOML does not allow: accept it.
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not a TOML file (not UTF-8 text)") from None
    try:
        return _flatten(tomllib.loads(text), path)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None


# One-line settings: a line break (or any control character) in them would end up in a
# header, a URL or a crontab line as something else.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ConfigError(f"{name}: expected true or false, got '{value}'")


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
        if value is None:
            return default
        name = f"{KEYS[key]} / {key}"
        if isinstance(value, (dict, list)):
            kind = "a table" if isinstance(value, dict) else "a list"
            raise ConfigError(f"{name}: expected a single value, got {kind}")
        value = str(value).strip()
        # The mail settings are checked when a message is built, after the digest is archived.
        if _CONTROL.search(value) and not key.startswith("mail."):
            raise ConfigError(f"{name}: contains line breaks or other control characters")
        return value

    today = None
    if text("today"):
        try:
            today = date.fromisoformat(text("today"))
            if today.year not in YEARS:
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"REVIEWER_TODAY / today: '{text('today')}' is not an ISO date (2020-02-24) "
                f"in the years {YEARS.start} to {YEARS.stop - 1}"
            ) from None
    port_text = text("smtp.port", "0") or "0"
    if not (port_text.isascii() and port_text.isdigit()) or int(port_text) > 65535:
        raise ConfigError(
            f"REVIEWER_SMTP_PORT / smtp.port: '{port_text}' is not a port number (1-65535)"
        )
    max_text = text("journal_max_mb", "64") or "64"
    try:
        journal_max_mb = float(max_text)
    except ValueError:
        journal_max_mb = -1.0
    if not 0 < journal_max_mb < 2**20:  # also refuses nan and inf
        raise ConfigError(
            f"REVIEWER_JOURNAL_MAX_MB / journal_max_mb: '{max_text}' is not a size in MB"
        )
    base_url = text("llm.base_url")
    _check_url(base_url)
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
        journal=_journal_path(journal) if journal else None,
        journal_max_mb=journal_max_mb,
        timezone=text("timezone"),
        today=today,
        offline=_bool(values.get("llm.offline", False), "REVIEWER_OFFLINE / llm.offline"),
        api_key=text("llm.api_key"),
        base_url=base_url,
        model=text("llm.model") or DEFAULT_MODEL,
        smtp_host=text("smtp.host"),
        smtp_port=int(port_text),
        smtp_security=security,
        smtp_user=text("smtp.user"),
        smtp_password=text("smtp.password"),
        mail_from=text("mail.from"),
        mail_to=to,
        mail_subject=text("mail.subject"),
        config_path=path if path.exists() else None,
        cache_dir=app_dir("cache", env),
        data_dir=app_dir("data", env),
        state_dir=app_dir("state", env),
    )
    _zone(settings.timezone)  # fail early on a bad time zone
    register(settings.api_key, *credentials_of_url(base_url))
    return settings


def _journal_path(text: str) -> Path:
    try:
        return Path(text).expanduser()
    except RuntimeError:  # ~nouser/x: no such user's home
        raise ConfigError(
            f"REVIEWER_JOURNAL / journal: '{text}': cannot expand ~ (no such user or no home)"
        ) from None


def _check_url(url: str) -> None:
    """Refuse a base URL the client could not use, at once and in one line."""
    if not url:
        return
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        ok = parts.scheme in {"http", "https"} and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise ConfigError(
            f"OPENAI_BASE_URL / llm.base_url: '{public_url(url)}' is not an http(s) URL like "
            "https://api.openai.com/v1"
        )
