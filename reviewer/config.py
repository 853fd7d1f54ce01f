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

__all__ = ["KEYS", "Settings", "app_dir", "load_settings", "local_endpoint", "read_env_file"]

# config-file key (section.name) -> environment variable that overrides it
KEYS: dict[str, str] = {
    "journal": "REVIEWER_JOURNAL",
    "journal_max_mb": "REVIEWER_JOURNAL_MAX_MB",
    "timezone": "REVIEWER_TZ",
    "today": "REVIEWER_TODAY",
    "history": "REVIEWER_HISTORY",
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
    "questions.dormant_weeks": "REVIEWER_DORMANT_WEEKS",
    "mail.when_quiet": "REVIEWER_MAIL_WHEN_QUIET",
}
# Keys of the config file only (no environment variable): lists of strings.
LIST_KEYS = ("redact.terms", "redact.patterns")
DEFAULT_MODEL = "gpt-4o-mini"
# Seconds one LLM request may take. A hosted API answers a week in seconds; a model on the
# user's own CPU (llama.cpp, Ollama on loopback or the LAN) takes minutes: llama.cpp with
# Gemma 3 270M on 2 cores needs 100-110 s for week 2020-W09, so 60 s would always time out.
TIMEOUT_REMOTE_S = 60.0
TIMEOUT_LOCAL_S = 300.0
WHEN_QUIET = ("once", "always", "never")
HISTORY = ("auto", "off")  # auto: read the journal's git history when it has one
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
    # [redact]: the user's own terms and patterns; never shown (they are the private values)
    redact_terms: tuple[str, ...] = field(default=(), repr=False)
    redact_patterns: tuple[str, ...] = field(default=(), repr=False)
    mail_when_quiet: str = "once"
    llm_timeout: float = 0.0  # 0: chosen by where the endpoint is (see `request_timeout`)
    config_path: Path | None = None
    cache_dir: Path = Path()
    data_dir: Path = Path()
    state_dir: Path = Path()
    dormant_weeks: int = 8  # an ask untouched this long leaves the weekly carry-over
    prompts_dir: Path = Path()  # the user's own prompt templates, overriding the shipped ones
    history: str = "auto"  # "off": never read the journal's git history

    @property
    def request_timeout(self) -> float:
        """Seconds one LLM request may take: the setting, or a default for where it runs."""
        if self.llm_timeout > 0:
            return self.llm_timeout
        return TIMEOUT_LOCAL_S if local_endpoint(self.base_url) else TIMEOUT_REMOTE_S

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

    @property
    def zone(self) -> ZoneInfo | None:
        """The configured time zone; None: the machine's."""
        return _zone(self.timezone)

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
    unknown = sorted(set(flat) - set(KEYS) - set(LIST_KEYS))
    if unknown:
        known = ", ".join(sorted([*KEYS, *LIST_KEYS]))
        raise ConfigError(f"{where}: unknown setting '{unknown[0]}'; known: {known}")
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
    dormant_text = text("questions.dormant_weeks", "8") or "8"
    if not dormant_text.isdigit() or int(dormant_text) < 1:
        raise ConfigError(
            f"REVIEWER_DORMANT_WEEKS / questions.dormant_weeks: '{dormant_text}' is not a "
            "number of weeks (1 or more)"
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
    history = text("history", "auto").lower() or "auto"
    if history not in HISTORY:
        raise ConfigError(f"REVIEWER_HISTORY / history: '{history}' is not auto or off")
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
        redact_terms=_strings(values.get("redact.terms", []), "redact.terms"),
        redact_patterns=_patterns(values.get("redact.patterns", [])),
        mail_when_quiet=when_quiet,
        llm_timeout=timeout,
        config_path=path if path.exists() else None,
        cache_dir=app_dir("cache", env),
        data_dir=app_dir("data", env),
        state_dir=app_dir("state", env),
        dormant_weeks=int(dormant_text),
        prompts_dir=app_dir("config", env) / "prompts",
        history=history,
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
