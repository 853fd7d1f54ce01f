"""The Sunday job as text: a crontab entry or a systemd user timer (pure: values in, str out).

Both run `reviewer send sunday` with absolute paths (cron and systemd start with a bare PATH
and another working directory), the environment that decides where the archive and ledger
live, and output appended to a log in the XDG state dir. `sunday` rather than `this`: a run
that fires late (a missed timer caught up on Monday) still reviews the week that ended.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Job", "crontab", "systemd_units"]

UNIT = "reviewer-week"


@dataclass(frozen=True, slots=True)
class Job:
    """What the scheduler runs, and where."""

    command: Sequence[str]  # absolute argv, e.g. /venv/bin/reviewer send sunday --journal /j.md
    env: Mapping[str, str]  # REVIEWER_TZ and the XDG_*_HOME the user has set
    log: Path
    lock: Path  # held by flock(1) around the cron run; not the ledger's own lock
    timezone: str = ""  # IANA name; "" means the machine's local time
    flock: str = "flock"


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
