"""`reviewer doctor`: every prerequisite of the Sunday job checked, a line each with the fix.

Read-only, but for one tiny request to the LLM endpoint (no journal text in it) and an SMTP
login that sends nothing. Exit 1 when something the job needs fails; warnings alone exit 0.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from reviewer.cli.app import (
    ConfigOpt,
    EncodingOpt,
    JournalOpt,
    VerboseOpt,
    app,
    handles_errors,
    load_config,
    setup_logging,
)
from reviewer.errors import EXIT_LINT, ReviewerError

if TYPE_CHECKING:
    from reviewer.config import Settings

__all__ = ["Check", "doctor"]

MARKS = {"ok": "✓", "warn": "!", "fail": "✗"}


@dataclass(frozen=True, slots=True)
class Check:
    """One line of the doctor's report."""

    part: str
    status: str  # ok | warn | fail
    detail: str
    fix: str = ""

    def line(self) -> str:
        fix = f" → {self.fix}" if self.fix and self.status != "ok" else ""
        return f"{MARKS[self.status]} {self.part:<9} {self.detail}{fix}"


@app.command()
@handles_errors
def doctor(
    journal: JournalOpt = None,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Check everything the Sunday job needs: journal, config, LLM, SMTP, schedule, folders."""
    setup_logging(verbose)
    try:
        settings = load_config(config)
    except ReviewerError as err:
        _report([Check("config", "fail", str(err), "fix the setting it names")])
        return
    checks = [
        _config(settings),
        _journal(settings, journal, encoding),
        _history(settings, journal),
        *_folders(settings),
        _llm(settings),
        _smtp(settings),
        *_schedule(settings, journal),
    ]
    _report(checks)


def _report(checks: list[Check]) -> None:
    for check in checks:
        typer.echo(check.line())
    failed = [c.part for c in checks if c.status == "fail"]
    if failed:
        typer.echo(f"The Sunday job cannot work until this is fixed: {', '.join(failed)}.")
        raise typer.Exit(EXIT_LINT)
    warned = sum(c.status == "warn" for c in checks)
    typer.echo("Ready for Sunday." + (f" ({warned} warning(s) above)" if warned else ""))


def _config(settings: Settings) -> Check:
    if settings.config_path is None:
        return Check("config", "ok", "no config file: settings from the environment only")
    return Check("config", "ok", f"{settings.config_path}: valid")


def _journal(settings: Settings, journal: Path | None, encoding: str | None) -> Check:
    from reviewer.cli.app import read_journal

    try:
        loaded = read_journal(settings, journal, encoding, strict=False)
    except ReviewerError as err:
        return Check("journal", "fail", str(err), "pass --journal PATH or set REVIEWER_JOURNAL")
    where = journal or settings.journal
    if not loaded.entries:
        return Check("journal", "fail", f"{where}: no dated entries", "`reviewer check` says why")
    errors = len(loaded.errors)
    warnings = sum(d.severity == "warning" for d in loaded.diagnostics)
    last = max(e.end for e in loaded.entries)
    detail = (
        f"{where}: {len(loaded.entries)} entries, the last on {last}, "
        f"{warnings} warning{'' if warnings == 1 else 's'}"
    )
    if errors:
        return Check(
            "journal",
            "warn",
            f"{detail}, {errors} headings that cannot be dated (left out of reviews)",
            "`reviewer check` names the lines",
        )
    return Check("journal", "ok", detail)


def _history(settings: Settings, journal: Path | None) -> Check:
    # Never a failure: without history the reviews are what they always were.
    from reviewer.history.store import history_status

    return Check("history", "ok", history_status(journal or settings.journal, settings.history))


def _folders(settings: Settings) -> list[Check]:
    checks = []
    for part, folder in (
        ("cache", settings.cache_dir),
        ("archive", settings.data_dir),
        ("state", settings.state_dir),
    ):
        existing = folder
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not os.access(existing, os.W_OK | os.X_OK):
            checks.append(Check(part, "fail", f"{folder}: cannot be written", f"fix {existing}"))
        elif existing != folder:
            checks.append(Check(part, "ok", f"{folder}: created (0700) on first use"))
        elif stat.S_IMODE(folder.stat().st_mode) & 0o077:
            checks.append(
                Check(
                    part,
                    "warn",
                    f"{folder}: others can read it and it holds journal text",
                    f"chmod 700 {folder}",
                )
            )
        else:
            checks.append(Check(part, "ok", f"{folder}: writable, private (0700)"))
    return checks


def _llm(settings: Settings) -> Check:
    if settings.offline:
        return Check("llm", "warn", "offline is set: digests are written without an LLM")
    if not settings.llm_configured:
        return Check(
            "llm",
            "warn",
            "no LLM configured: digests are written offline",
            "set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)",
        )
    from urllib.parse import urlsplit

    from reviewer.cli.app import choose_backend
    from reviewer.llm.chat import CallFailed, endpoint_url
    from reviewer.llm.openai_backend import OpenAIBackend, probe

    parts = urlsplit(endpoint_url(settings.base_url))
    where = f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"
    backend = choose_backend(settings, offline=False)
    assert isinstance(backend, OpenAIBackend)
    try:
        known, mode = probe(backend)
    except CallFailed as err:
        return Check(
            "llm",
            "fail",
            f"{where}: {err.reason}",
            "check OPENAI_BASE_URL, OPENAI_API_KEY and REVIEWER_MODEL",
        )
    status = "ok" if "is served" in known or "does not list" in known else "warn"
    detail = (
        f"{where}: key accepted, {known}, structured output: {mode}, "
        f"timeout {settings.request_timeout:g}s"
    )
    return Check("llm", status, detail, "set REVIEWER_MODEL to a model the endpoint serves")


def _smtp(settings: Settings) -> Check:
    from reviewer.cli.delivery import smtp_server
    from reviewer.delivery.send import check_server
    from reviewer.delivery.smtp import probe

    server = smtp_server(settings)
    try:
        check_server(server)
        if not settings.mail_from or not settings.mail_to:
            return Check(
                "smtp",
                "fail",
                "no sender or no recipient",
                "set REVIEWER_MAIL_FROM and REVIEWER_MAIL_TO",
            )
        detail = probe(server)
    except ReviewerError as err:
        return Check("smtp", "fail", str(err), "check the REVIEWER_SMTP_* settings")
    return Check("smtp", "ok", f"{detail}; nothing sent")


def _schedule(settings: Settings, journal: Path | None) -> list[Check]:
    from reviewer.delivery.schedule import installed_jobs, self_command

    checks = []
    env_file = settings.prompts_dir.parent / "job.env"
    if env_file.exists():
        mode = stat.S_IMODE(env_file.lstat().st_mode)
        if mode & 0o077:
            checks.append(
                Check(
                    "schedule", "fail", f"{env_file}: others can read it", f"chmod 600 {env_file}"
                )
            )
    jobs = installed_jobs(os.environ)
    if not jobs:
        checks.append(
            Check(
                "schedule",
                "warn",
                "no cron or systemd job found (fine if you schedule it another way)",
                "`reviewer cron` prints one",
            )
        )
        return checks
    binary = self_command()[0]
    path = journal or settings.journal
    wanted = str(path.expanduser().absolute()) if path else ""
    if not any(binary in job for job in jobs):
        checks.append(
            Check(
                "schedule",
                "warn",
                f"the job runs another reviewer than this one ({binary})",
                "run `reviewer cron` again and replace the line",
            )
        )
    elif wanted and not any(wanted in job for job in jobs):
        checks.append(
            Check(
                "schedule",
                "warn",
                f"the job reviews another journal than {wanted}",
                "run `reviewer cron` again and replace the line",
            )
        )
    else:
        checks.append(Check("schedule", "ok", f"a job runs {binary} send"))
    return checks
