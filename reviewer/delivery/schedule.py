"""The Sunday job as text: a crontab entry or a systemd user timer.

`plan_job` gathers the paths (and creates the state dir); `crontab` and `systemd_units` are
pure: a Job in, text out.

Both run `reviewer send sunday` with absolute paths (cron and systemd start with a bare PATH
and another working directory), the environment that decides where the archive and ledger
live, and output appended to a log in the XDG state dir. `sunday` rather than `this`: a run
that fires late (a missed timer caught up on Monday) still reviews the week that ended.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewer.config import KEYS, Settings, app_dir
from reviewer.errors import EXIT_CANT_CREATE, EXIT_NO_INPUT, ConfigError, ReviewerError

__all__ = [
    "Job",
    "crontab",
    "installed_jobs",
    "plan_job",
    "self_command",
    "shell_only_settings",
    "systemd_units",
    "write_env_file",
]

UNIT = "reviewer-week"
_XDG = ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME")
# Handled by the job itself (--journal, REVIEWER_TZ) or meant for one run only.
_CARRIED = {"REVIEWER_JOURNAL", "REVIEWER_TZ", "REVIEWER_TODAY"}


@dataclass(frozen=True, slots=True)
class Job:
    """What the scheduler runs, and where."""

    command: Sequence[str]  # absolute argv, e.g. /venv/bin/reviewer send sunday --journal /j.md
    env: Mapping[str, str]  # REVIEWER_TZ and the XDG_*_HOME the user has set
    log: Path
    lock: Path  # held by flock(1) around the cron run; not the ledger's own lock
    timezone: str = ""  # IANA name; "" means the machine's local time
    flock: str = "flock"
    env_file: Path | None = None  # settings only the shell had (the API key...), mode 0600


def plan_job(
    settings: Settings, journal: Path | None, config: Path | None, environ: Mapping[str, str]
) -> Job:
    """The job for these settings: absolute paths, the XDG locations of this shell, the log
    and lock in the state dir (created now, so the first Sunday's log redirection works)."""
    path = journal or settings.journal
    if path is None:
        raise ConfigError("no journal given: pass --journal PATH or set REVIEWER_JOURNAL")
    path = path.expanduser().absolute()
    if not path.exists():
        raise ReviewerError(f"{path}: no such file or folder", EXIT_NO_INPUT)
    command = [*self_command(), "send", "sunday", "--journal", str(path)]
    if config is not None:
        command += ["--config", str(config.expanduser().absolute())]
    env_file = None
    if shell_only_settings(environ):
        env_file = app_dir("config", environ) / "job.env"
        command += ["--env-file", str(env_file)]
    # Cron and systemd start with almost no environment: carry what decides where the
    # config, archive and ledger are, so the job uses the same ones as this shell.
    env = {name: environ[name] for name in _XDG if os.path.isabs(environ.get(name, ""))}
    if settings.timezone:
        env["REVIEWER_TZ"] = settings.timezone
    try:
        settings.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        raise ReviewerError(
            f"{settings.state_dir}: cannot create: {err.strerror}", EXIT_CANT_CREATE
        ) from None
    return Job(
        command=command,
        env=env,
        log=settings.state_dir / "cron.log",
        lock=settings.state_dir / "cron.lock",
        timezone=settings.timezone,
        flock=shutil.which("flock") or "/usr/bin/flock",
        env_file=env_file,
    )


def write_env_file(path: Path, environ: Mapping[str, str]) -> list[str]:
    """Write the shell-only settings of `environ` to `path`, readable by the user alone;
    the names written. The file is created 0600 before any secret goes in, and replaced
    whole (a temp file renamed), so no moment exists where others could read it."""
    names = shell_only_settings(environ)
    lines = ["# Written by `reviewer cron`: settings the scheduled job cannot get from a shell."]
    for name in names:
        value = environ[name]
        if any(ord(c) < 32 or c == "\x7f" for c in value):
            raise ConfigError(f"{name}: a control character in the value; fix the variable")
        lines.append(f"{name}={value}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
            os.replace(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
    except OSError as err:
        raise ReviewerError(f"{path}: cannot write: {err.strerror}", EXIT_CANT_CREATE) from None
    return names


def shell_only_settings(environ: Mapping[str, str]) -> list[str]:
    """reviewer's variables set in `environ` that the scheduled job will not see."""
    return [name for name in KEYS.values() if name in environ and name not in _CARRIED]


def self_command() -> list[str]:
    """How a scheduler should start this same reviewer: an absolute path, not PATH lookup."""
    beside = Path(sys.executable).parent / "reviewer"  # the venv's (or pipx's) entry point
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside.absolute())]
    found = shutil.which("reviewer")
    if found:
        return [str(Path(found).absolute())]
    return [str(Path(sys.executable).absolute()), "-m", "reviewer"]


def crontab(job: Job) -> str:
    """A crontab entry (with comments) for Sundays at 20:00."""
    where = f"20:00 {job.timezone}" if job.timezone else "20:00 local time"
    env = " ".join(f"{k}={shlex.quote(v)}" for k, v in sorted(job.env.items()))
    parts = [
        env,
        shlex.quote(job.flock),
        "-n -E 75",  # an overlapping run exits 75 (try later) instead of queueing up
        shlex.quote(str(job.lock)),
        shlex.join(job.command),
        ">>",
        shlex.quote(str(job.log)),
        "2>&1",
    ]
    # cron turns an unescaped % into a newline (stdin for the command).
    line = " ".join(p for p in parts if p).replace("%", "\\%")
    lines = [
        f"# reviewer: email the weekly review every Sunday at {where}.",
        "# Add with `crontab -e`; output goes to the log named at the end of the line.",
    ]
    if job.timezone:
        lines += [
            "# CRON_TZ makes cronie (Fedora, Arch) read the times of every entry below it in",
            "# this zone, so keep these lines last. Debian's and Ubuntu's cron may ignore it",
            "# and use the system's zone: `reviewer cron --systemd` is exact everywhere.",
            f"CRON_TZ={job.timezone}",
        ]
    lines.append(f"0 20 * * 0 {line}")
    return "\n".join(lines) + "\n"


def systemd_units(job: Job) -> str:
    """A user service and timer (Sundays 20:00, caught up after downtime), as two files."""
    calendar = f"Sun 20:00 {job.timezone}" if job.timezone else "Sun 20:00"
    env = [
        f"Environment={_systemd_quote(f'{k}={v}', dollars=False)}"
        for k, v in sorted(job.env.items())
    ]
    service = [
        "[Unit]",
        "Description=Email the weekly review of the journal (reviewer)",
        "",
        "[Service]",
        "Type=oneshot",
        *env,
        f"ExecStart={' '.join(_systemd_quote(arg) for arg in job.command)}",
        f"StandardOutput=append:{_systemd_escape(str(job.log), dollars=False)}",
        f"StandardError=append:{_systemd_escape(str(job.log), dollars=False)}",
    ]
    timer = [
        "[Unit]",
        "Description=The weekly review by email, Sundays at 20:00",
        "",
        "[Timer]",
        f"OnCalendar={calendar}",
        # A Sunday missed (machine off or asleep) runs at the next boot or wake-up.
        "Persistent=true",
        "",
        "[Install]",
        "WantedBy=timers.target",
    ]
    return (
        "\n".join(
            [
                f"# ~/.config/systemd/user/{UNIT}.service",
                *service,
                "",
                f"# ~/.config/systemd/user/{UNIT}.timer",
                *timer,
                "",
                "# Then: systemctl --user daemon-reload && systemctl --user enable --now "
                f"{UNIT}.timer",
                "# and, to run while you are logged out: loginctl enable-linger $USER",
            ]
        )
        + "\n"
    )


def _systemd_escape(text: str, dollars: bool = True) -> str:
    # `%` starts a specifier anywhere in a unit file, `$` a variable in ExecStart= only;
    # doubled, they are literal.
    text = text.replace("%", "%%")
    return text.replace("$", "$$") if dollars else text


def _systemd_quote(arg: str, dollars: bool = True) -> str:
    escaped = _systemd_escape(arg, dollars)
    if arg and not any(c in arg for c in " \t\"'\\;"):
        return escaped
    return '"' + escaped.replace("\\", "\\\\").replace('"', '\\"') + '"'


def installed_jobs(environ: Mapping[str, str]) -> list[str]:
    """The scheduled reviewer jobs found: lines of the user's crontab that run `reviewer send`,
    and the ExecStart of the systemd user unit this module prints."""
    import subprocess

    found: list[str] = []
    crontab_cmd = shutil.which("crontab")
    if crontab_cmd:
        try:
            listed = subprocess.run(
                [crontab_cmd, "-l"], capture_output=True, text=True, timeout=10, check=False
            ).stdout
        except (OSError, subprocess.SubprocessError):
            listed = ""
        found += [
            line.strip()
            for line in listed.splitlines()
            if not line.lstrip().startswith("#") and "reviewer" in line and " send " in line
        ]
    unit = app_dir("config", environ).parent / "systemd" / "user" / f"{UNIT}.service"
    with contextlib.suppress(OSError, UnicodeDecodeError):  # no unit: not scheduled so
        found += [
            line.strip()
            for line in unit.read_text(encoding="utf-8").splitlines()
            if line.startswith("ExecStart=")
        ]
    return found
