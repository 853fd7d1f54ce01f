"""Commands that deliver: email a week's review, and print the Sunday job."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reviewer.cli.app import (
    ConfigOpt,
    EncodingOpt,
    ForceOpt,
    JournalOpt,
    OfflineOpt,
    ToOpt,
    VerboseOpt,
    app,
    choose_backend,
    exit_if_degraded,
    handles_errors,
    journal_history,
    load_config,
    read_journal,
    review_and_keep_ids,
    setup_logging,
)

if TYPE_CHECKING:
    from reviewer.config import Settings
    from reviewer.delivery.smtp import SmtpServer
    from reviewer.journal.parse import Journal
    from reviewer.models import Digest

__all__ = ["deliver_digest", "smtp_server"]


def smtp_server(settings: Settings) -> SmtpServer:
    """The mail server of the settings, verified against the system's CAs (SSL_CERT_FILE and
    SSL_CERT_DIR are honoured)."""
    from reviewer.delivery.smtp import SmtpServer

    return SmtpServer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_user,
        settings.smtp_password,
    )


def deliver_digest(
    settings: Settings,
    digest: Digest,
    to: list[str] | None,
    force: bool,
    journal: Journal | None = None,
) -> None:
    """Archive and email `digest` (status lines on stderr). With the `journal`, a week after
    it went quiet is sent as one short note, once (or always, or never: mail.when_quiet)."""
    from reviewer.delivery.send import deliver

    quiet_since = ""
    if journal is not None and settings.mail_when_quiet != "always" and not force:
        from reviewer.facts.calendar import Week
        from reviewer.review.week import last_entry_before, quiet_note

        last = last_entry_before(journal, Week.containing(digest.week.start))
        if last is not None:
            if settings.mail_when_quiet == "never":
                typer.echo(
                    f"reviewer: {digest.week.iso}: nothing journaled since {last}: nothing "
                    "sent (mail.when_quiet = never)",
                    err=True,
                )
                return
            quiet_since = Week.containing(last).iso
            digest = quiet_note(digest, last)

    recipients = (
        [a.strip() for item in to for a in item.split(",") if a.strip()]
        if to
        else list(settings.mail_to)
    )
    server = smtp_server(settings)
    deliver(
        digest,
        server=server,
        sender=settings.mail_from,
        recipients=recipients,
        subject_template=settings.mail_subject,
        data_dir=settings.data_dir,
        state_dir=settings.state_dir,
        quiet_since=quiet_since,
        now=settings.now,
        force=force,
        say=lambda line: typer.echo(line, err=True),
    )


@app.command()
@handles_errors
def send(
    when: Annotated[
        str,
        typer.Argument(
            metavar="WEEK",
            help="A date in the week, an ISO week (2020-W09), 'this', 'last', or 'sunday': "
            "the week of the latest Sunday (this week on a Sunday, else last week).",
        ),
    ] = "sunday",
    journal: JournalOpt = None,
    to: ToOpt = None,
    force: ForceOpt = False,
    offline: OfflineOpt = False,
    config: ConfigOpt = None,
    env_file: Annotated[
        Path | None,
        typer.Option(
            "--env-file",
            metavar="PATH",
            help="Read settings (NAME=value lines, mode 0600) that the scheduled job cannot "
            "get from a shell; `reviewer cron` writes it.",
            show_default=False,
        ),
    ] = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Archive the week's review and email it, once per recipient (what the Sunday job runs).

    A week already sent to a recipient is not sent again; --force sends it anyway.

    Exit 75: try again later; 69: refused for good; 78: settings (see the README).
    """
    setup_logging(verbose)
    from reviewer.facts.calendar import parse_week

    settings = load_config(config, env_file)
    today = settings.now_date()
    chosen = parse_week(when, today)
    loaded = read_journal(settings, journal, encoding, facts=True, through=chosen.end)
    backend = choose_backend(settings, offline)
    history = journal_history(settings, journal, today)
    digest = review_and_keep_ids(settings, loaded, chosen, today, backend, history=history)
    deliver_digest(settings, digest, to, force, loaded)
    exit_if_degraded(digest)


@app.command()
@handles_errors
def cron(
    journal: JournalOpt = None,
    systemd: Annotated[
        bool, typer.Option("--systemd", help="Print a systemd user service and timer instead.")
    ] = False,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            metavar="ZONE",
            help="Time zone of 'Sunday 20:00' and of the week (IANA name) [env: REVIEWER_TZ].",
            show_default=False,
        ),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Print the crontab entry (or systemd timer) that emails the review every Sunday at 20:00."""
    import os

    from reviewer.delivery.schedule import crontab, plan_job, systemd_units, write_env_file

    settings = load_config(config)
    if tz is not None:
        from dataclasses import replace

        settings = replace(settings, timezone=tz.strip())
        settings.now()  # a ConfigError now for an unknown zone, not every Sunday
    job = plan_job(settings, journal, config, os.environ)
    typer.echo(systemd_units(job) if systemd else crontab(job), nl=False)
    if job.env_file is not None:
        # Settings that only live in this shell would be gone in the job: kept for it in a
        # private file, never in the crontab line or the unit.
        names = write_env_file(job.env_file, os.environ)
        typer.echo(
            f"note: wrote {', '.join(names)} from this shell to {job.env_file} (mode 0600), "
            "which the job reads; run `reviewer cron` again after changing them",
            err=True,
        )
    if not (settings.smtp_host and settings.mail_from and settings.mail_to):
        typer.echo(
            "note: mail is not configured yet (smtp host, mail from, mail to): see the README",
            err=True,
        )
