"""Command line: typer commands only. Build settings, call the pipeline, map errors to exit codes.

Imports stay light at module level (typer and the error module): `reviewer --help` must not pay
for pydantic, jinja2 or openai. Each command imports what it uses when it runs.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from reviewer import __version__
from reviewer.errors import EXIT_DEGRADED, EXIT_LINT, EXIT_OK, ReviewerError

if TYPE_CHECKING:
    from datetime import date

    from reviewer.config import Settings
    from reviewer.journal import Journal
    from reviewer.llm.base import Backend
    from reviewer.models import Digest
    from reviewer.weeks import Week

__all__ = ["app", "main"]

log = logging.getLogger("reviewer")

app = typer.Typer(
    name="reviewer",
    help="Turn a daily Markdown research journal into a weekly review.\n\n"
    "Environment: REVIEWER_JOURNAL, REVIEWER_OFFLINE, OPENAI_API_KEY, OPENAI_BASE_URL, "
    "REVIEWER_MODEL, REVIEWER_TZ, REVIEWER_TODAY, REVIEWER_SMTP_HOST, REVIEWER_SMTP_PORT, "
    "REVIEWER_SMTP_SECURITY, REVIEWER_SMTP_USER, REVIEWER_SMTP_PASSWORD, REVIEWER_MAIL_FROM, "
    "REVIEWER_MAIL_TO, REVIEWER_MAIL_SUBJECT, XDG_CONFIG_HOME, XDG_CACHE_HOME, "
    "XDG_DATA_HOME, XDG_STATE_HOME (see the README).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    # Plain click help: rich's help renderer costs ~80 ms of imports on every --help.
    rich_markup_mode=None,
)


class Format(StrEnum):
    md = "md"
    html = "html"
    text = "text"
    json = "json"


class Lang(StrEnum):
    auto = "auto"
    zh = "zh"
    en = "en"


# Mirrors reviewer.llm.plan.DEFAULT_BUDGET, which this module must not import to stay light.
DEFAULT_PROMPT_BUDGET = 6000


JournalOpt = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        "-j",
        help="Journal file or folder of daily notes [env: REVIEWER_JOURNAL].",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        help="Config file [default: $XDG_CONFIG_HOME/reviewer/config.toml].",
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(help="Force the journal's encoding (e.g. gbk); detected by default."),
]
VerboseOpt = Annotated[int, typer.Option("--verbose", "-v", count=True, help="Log to stderr.")]
ToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        help="Send to this address instead of REVIEWER_MAIL_TO (repeat, or separate with commas).",
        show_default=False,
    ),
]
ForceOpt = Annotated[
    bool,
    typer.Option(
        "--force", help="Send even to recipients the send ledger says already have this week."
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never call an LLM [env: REVIEWER_OFFLINE=1].")
]

F = TypeVar("F", bound=Callable[..., Any])


def _handles_errors(func: F) -> F:
    """Turn the package's foreseen errors into one line on stderr and their exit code."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ReviewerError as err:
            typer.echo(f"reviewer: {err}", err=True)
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            typer.echo("reviewer: interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def _setup_logging(verbose: int) -> None:
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="reviewer: %(levelname)s %(message)s",
            stream=sys.stderr,
        )


def _settings(config: Path | None) -> Settings:
    from reviewer.config import load_settings

    return load_settings(config_path=config)


def _journal(
    settings: Settings, journal: Path | None, encoding: str | None, strict: bool = True
) -> Journal:
    from reviewer.errors import ConfigError
    from reviewer.source import load_journal

    path = journal or settings.journal
    if path is None:
        raise ConfigError(
            "no journal given: pass --journal PATH, set REVIEWER_JOURNAL, or put "
            'journal = "PATH" in $XDG_CONFIG_HOME/reviewer/config.toml'
        )
    loaded = load_journal(path, encoding)
    log.info("read %s: %d entries, %d lines", path, len(loaded.entries), loaded.line_count)
    skipped = [d.source for d in loaded.diagnostics if d.code == "skipped-file"]
    if skipped:
        shown = ", ".join(skipped[:5]) + (
            f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        typer.echo(f"reviewer: note: skipped {len(skipped)} file(s) in {path}: {shown}", err=True)
    if strict:
        from reviewer.review import ensure_usable

        ensure_usable(loaded)
    return loaded


def _backend(
    settings: Settings,
    offline: bool,
    model: str = "",
    lang: str = "auto",
    refresh: bool = False,
    budget: int = DEFAULT_PROMPT_BUDGET,
) -> Backend:
    from reviewer.llm.offline import OfflineBackend

    if offline or settings.offline:
        return OfflineBackend()
    if not settings.llm_configured:
        return OfflineBackend(
            notice="offline: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server) "
            "to have an LLM write the summary"
        )
    # Neither import loads openai: the backend imports it only when it must send a request.
    from reviewer.llm.cache import EndpointModes, ResponseCache
    from reviewer.llm.openai_backend import OpenAIBackend

    return OpenAIBackend(
        model or settings.model,
        settings.base_url,
        settings.api_key,
        cache=ResponseCache(settings.cache_dir),
        modes=EndpointModes(settings.cache_dir),
        lang=lang,
        refresh=refresh,
        budget=budget,
    )


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from reviewer.errors import ReviewerError

    tmp = output.with_name(output.name + ".tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(output)
    except OSError as err:
        raise ReviewerError(f"{output}: cannot write: {err.strerror}", 73) from None
    typer.echo(f"wrote {output}", err=True)


def _deliver(settings: Settings, digest: Digest, to: list[str] | None, force: bool) -> None:
    """Archive and email `digest` (status lines on stderr); exit 3 when it is degraded."""
    from reviewer.deliver import deliver
    from reviewer.smtp import SmtpServer

    recipients = (
        [a.strip() for item in to for a in item.split(",") if a.strip()]
        if to
        else list(settings.mail_to)
    )
    server = SmtpServer(
        settings.smtp_host,
        settings.smtp_port,
        settings.smtp_security,
        settings.smtp_user,
        settings.smtp_password,
        context=None,  # the system's CAs (SSL_CERT_FILE / SSL_CERT_DIR are honoured)
    )
    deliver(
        digest,
        server=server,
        sender=settings.mail_from,
        recipients=recipients,
        subject_template=settings.mail_subject,
        data_dir=settings.data_dir,
        state_dir=settings.state_dir,
        now=settings.now,
        force=force,
        say=lambda line: typer.echo(line, err=True),
    )
    if digest.meta.degraded:
        raise typer.Exit(EXIT_DEGRADED)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reviewer {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Turn a daily Markdown research journal into a weekly review."""


@app.command()
@_handles_errors
def week(
    when: Annotated[
        str,
        typer.Argument(
            metavar="WEEK",
            help="A date in the week (2020-02-24), an ISO week (2020-W09), 'this' or 'last'.",
        ),
    ] = "this",
    journal: JournalOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    offline: OfflineOpt = False,
    email: Annotated[
        bool,
        typer.Option("--email", help="Also archive the digest and email it (like `send`)."),
    ] = False,
    to: ToOpt = None,
    force: ForceOpt = False,
    model: Annotated[
        str, typer.Option("--model", "-m", help="LLM model (env: REVIEWER_MODEL).")
    ] = "",
    lang: Annotated[
        Lang, typer.Option("--lang", help="Language of the LLM's prose; auto follows the journal.")
    ] = Lang.auto,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the exact requests (after redaction), calls, tokens and cost; "
            "send nothing.",
        ),
    ] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask the LLM again instead of reading the cache.")
    ] = False,
    max_prompt_tokens: Annotated[
        int,
        typer.Option(
            "--max-prompt-tokens",
            min=500,
            help="Token budget of one request; a longer week is summarized day by day first.",
        ),
    ] = DEFAULT_PROMPT_BUDGET,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Review one ISO week (Monday to Sunday) of the journal.

    Exit 0 when the review is complete, 3 when the LLM failed and the offline review was
    written instead (degraded).
    """
    _setup_logging(verbose)
    if (to or force) and not email:
        from reviewer.errors import UsageError

        raise UsageError("--to and --force only make sense with --email")
    from reviewer.render import render
    from reviewer.review import ledger, review_week
    from reviewer.state import load_ids, save_ids
    from reviewer.weeks import parse_week

    settings = _settings(config)
    today = settings.now_date()
    chosen = parse_week(when, today)
    loaded = _journal(settings, journal, encoding)
    if dry_run:
        _emit(
            _dry_run(settings, loaded, chosen, today, model, lang, max_prompt_tokens, fmt), output
        )
        return
    backend = _backend(settings, offline, model, lang.value, refresh, max_prompt_tokens)
    stored = load_ids(settings.state_dir, loaded.source, "questions")
    digest = review_week(loaded, chosen, today, backend, stored)
    save_ids(settings.state_dir, loaded.source, "questions", ledger(loaded, "questions", stored)[1])
    _emit(render(digest, fmt.value), output)
    if email:
        _deliver(settings, digest, to, force)  # exits 3 itself when degraded
    if digest.meta.degraded:
        typer.echo(
            f"reviewer: degraded, offline review written: {digest.meta.degraded_reason}", err=True
        )
        raise typer.Exit(EXIT_DEGRADED)


@app.command()
@_handles_errors
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
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Archive the week's review and email it, once per recipient (what the Sunday job runs).

    A week already sent to a recipient is not sent again; --force sends it anyway.

    Exit 75: try again later; 69: refused for good; 78: settings (see the README).
    """
    _setup_logging(verbose)
    from reviewer.review import review_week
    from reviewer.weeks import parse_week

    settings = _settings(config)
    today = settings.now_date()
    chosen = parse_week(when, today)
    loaded = _journal(settings, journal, encoding)
    digest = review_week(loaded, chosen, today, _backend(settings, offline))
    _deliver(settings, digest, to, force)


@app.command()
@_handles_errors
def cron(
    journal: JournalOpt = None,
    systemd: Annotated[
        bool, typer.Option("--systemd", help="Print a systemd user service and timer instead.")
    ] = False,
    tz: Annotated[
        str | None,
        typer.Option(
            "--tz",
            help="Time zone of 'Sunday 20:00' and of the week (IANA name) [env: REVIEWER_TZ].",
            show_default=False,
        ),
    ] = None,
    config: ConfigOpt = None,
) -> None:
    """Print the crontab entry (or systemd timer) that emails the review every Sunday at 20:00."""
    import os

    from reviewer.cron import crontab, plan_job, shell_only_settings, systemd_units

    settings = _settings(config)
    if tz is not None:
        from dataclasses import replace

        settings = replace(settings, timezone=tz.strip())
        settings.now()  # a ConfigError now for an unknown zone, not every Sunday
    job = plan_job(settings, journal, config, os.environ)
    typer.echo(systemd_units(job) if systemd else crontab(job), nl=False)
    # Settings that only live in this shell are gone in the job: say so now, not on Sunday.
    only_env = shell_only_settings(os.environ)
    if only_env:
        typer.echo(
            f"note: {', '.join(only_env)} set in this shell will not reach the job; "
            f"put them in {settings.config_path or '$XDG_CONFIG_HOME/reviewer/config.toml'}",
            err=True,
        )
    elif not (settings.smtp_host and settings.mail_from and settings.mail_to):
        typer.echo(
            "note: mail is not configured yet (smtp host, mail from, mail to): see the README",
            err=True,
        )


def _dry_run(
    settings: Settings,
    loaded: Journal,
    chosen: Week,
    today: date,
    model: str,
    lang: Lang,
    budget: int,
    fmt: Format,
) -> str:
    import json

    from reviewer.llm.budget import counter_for
    from reviewer.llm.chat import endpoint_url
    from reviewer.llm.dryrun import format_preview, preview
    from reviewer.review import week_facts

    name = model or settings.model
    data = preview(
        week_facts(loaded, chosen, today),
        name,
        endpoint_url(settings.base_url),
        lang.value,
        budget,
        lambda: counter_for(name),
    )
    if fmt is Format.json:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return format_preview(data)


cache_app = typer.Typer(
    help="The LLM response cache in $XDG_CACHE_HOME/reviewer.", no_args_is_help=True
)
app.add_typer(cache_app, name="cache")


@cache_app.command("stats")
@_handles_errors
def cache_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show where the cache is, how many answers it holds, and what each endpoint accepts."""
    import json

    from reviewer.llm.cache import EndpointModes, ResponseCache

    settings = _settings(config)
    cache = ResponseCache(settings.cache_dir)
    stats = cache.stats() | {"endpoints": EndpointModes(settings.cache_dir).all()}
    cache.close()
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    typer.echo(
        f"{stats['path']}: {stats['entries']} entries (answers and token counts), "
        f"{stats['bytes']} bytes"
    )
    for endpoint, mode in stats["endpoints"].items():
        typer.echo(f"  {endpoint}: {mode}")


@cache_app.command("clear")
@_handles_errors
def cache_clear(config: ConfigOpt = None) -> None:
    """Remove every cached answer and forget what each endpoint accepts."""
    from reviewer.llm.cache import EndpointModes, ResponseCache

    settings = _settings(config)
    cache = ResponseCache(settings.cache_dir)
    removed = cache.clear()
    cache.close()
    forgotten = EndpointModes(settings.cache_dir).forget()
    typer.echo(f"removed {removed} cached answer(s); forgot {forgotten} endpoint mode(s)")


@app.command()
@_handles_errors
def check(
    journal: JournalOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per finding.")] = False,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Lint the journal: dates repaired or out of order, invalid dates, odd ranges.

    Exit 0 when there are only warnings, 1 when there are errors.
    """
    _setup_logging(verbose)
    import json

    settings = _settings(config)
    loaded = _journal(settings, journal, encoding, strict=False)
    found = loaded.diagnostics
    if as_json:
        rows = [
            {"line": d.line, "severity": d.severity, "code": d.code, "message": d.message}
            | ({"source": d.source} if d.source and d.source != loaded.source else {})
            for d in found
        ]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        for d in found:
            typer.echo(
                f"{d.source or loaded.source}:{d.line}: {d.severity}: {d.message} [{d.code}]"
            )
        errors = sum(d.severity == "error" for d in found)
        typer.echo(
            f"{loaded.source or journal}: {len(loaded.entries)} entries, "
            f"{loaded.line_count} lines, {errors} error(s), {len(found) - errors} warning(s)",
            err=True,
        )
    raise typer.Exit(EXIT_LINT if loaded.errors else EXIT_OK)


@app.command()
@_handles_errors
def entries(
    journal: JournalOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of entries.")] = False,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """List the journal's dated entries as parsed (dates after repair)."""
    _setup_logging(verbose)
    import json

    settings = _settings(config)
    loaded = _journal(settings, journal, encoding, strict=False)
    rows = [
        {
            "line": e.line,
            "end_line": e.end_line,
            "heading": e.heading,
            "title": e.title,
            "start": e.start.isoformat(),
            "end": e.end.isoformat(),
            "repaired": e.repaired,
        }
        | ({"source": e.source} if e.source and e.source != loaded.source else {})
        for e in loaded.entries
    ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        span = row["start"] if row["start"] == row["end"] else f"{row['start']}..{row['end']}"
        mark = "  (repaired)" if row["repaired"] else ""
        typer.echo(f"{row['line']:>6}  {span:<22}  {row['heading']}{mark}")


@app.command()
@_handles_errors
def month(
    when: Annotated[
        str,
        typer.Argument(metavar="MONTH", help="A month (2020-02), 'this' or 'last'."),
    ] = "last",
    start: Annotated[
        str | None,
        typer.Option("--from", help="First month of a term (YYYY-MM).", show_default=False),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option("--to", help="Last month of a term (YYYY-MM).", show_default=False),
    ] = None,
    journal: JournalOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
    ] = None,
    offline: Annotated[
        bool, typer.Option("--offline", help="Never call an LLM [env: REVIEWER_OFFLINE=1].")
    ] = False,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Review a month (or a term: --from 2020-01 --to 2020-03) from its weekly digests."""
    _setup_logging(verbose)
    from reviewer.monthly import parse_month, review_period
    from reviewer.render import render_month
    from reviewer.state import load_ids

    settings = _settings(config)
    today = settings.now_date()
    first, last = parse_month(start or when, today)
    if end is not None:
        last = parse_month(end, today)[1]
    loaded = _journal(settings, journal, encoding)
    stored = load_ids(settings.state_dir, loaded.source, "questions")
    digest = review_period(loaded, first, last, today, _backend(settings, offline), stored)
    _emit(render_month(digest, fmt.value), output)


@app.command()
@_handles_errors
def weeks(
    start: Annotated[str, typer.Option("--from", help="A date in the first week (YYYY-MM-DD).")],
    end: Annotated[
        str | None,
        typer.Option("--to", help="A date in the last week [default: today].", show_default=False),
    ] = None,
    concurrency: Annotated[
        int, typer.Option("--concurrency", "-c", min=1, max=32, help="Weeks summarized at once.")
    ] = 4,
    force: Annotated[
        bool, typer.Option("--force", help="Review weeks already archived and unchanged too.")
    ] = False,
    journal: JournalOpt = None,
    offline: OfflineOpt = False,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Format of the summary table.")
    ] = Format.text,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Backfill: review every week in a range into the archive, several at once.

    Resumable: weeks already archived whose journal text and settings are unchanged are
    skipped. Prints a summary (weeks, calls, cache hits, tokens, degraded weeks); exit 3 when
    a week is degraded.
    """
    _setup_logging(verbose)
    from reviewer.backfill import backfill, weeks_between
    from reviewer.errors import EXIT_DEGRADED
    from reviewer.progress import WeekProgress, summary_table
    from reviewer.state import load_ids
    from reviewer.weeks import parse_day

    settings = _settings(config)
    today = settings.now_date()
    first, last = parse_day(start), parse_day(end) if end else today
    chosen = weeks_between(first, last)
    if not chosen:
        from reviewer.errors import UsageError

        raise UsageError(f"--to {last} is before --from {first}")
    loaded = _journal(settings, journal, encoding)
    stored = load_ids(settings.state_dir, loaded.source, "questions")
    with WeekProgress(len(chosen)) as progress:
        results = backfill(
            loaded,
            chosen,
            today,
            _backend(settings, offline),
            settings.data_dir,
            ids=stored,
            concurrency=concurrency,
            force=force,
            on_done=progress.advance,
        )
    _emit(summary_table(results, settings.data_dir / "archive", fmt.value), None)
    if any(r.degraded for r in results):
        raise typer.Exit(EXIT_DEGRADED)


SinceOpt = Annotated[
    str | None,
    typer.Option("--since", help="Only from this date on (YYYY-MM-DD).", show_default=False),
]


def _since(value: str | None) -> date | None:
    from reviewer.weeks import parse_day

    return parse_day(value) if value else None


def _ledger_command(
    kind: str,
    journal: Path | None,
    only_open: bool,
    since: str | None,
    fmt: Format,
    config: Path | None,
    encoding: str | None,
) -> None:
    from reviewer.reports import render_ledger
    from reviewer.review import ledger
    from reviewer.state import load_ids, save_ids

    settings = _settings(config)
    today = settings.now_date()
    start = _since(since)
    loaded = _journal(settings, journal, encoding)
    stored = load_ids(settings.state_dir, loaded.source, kind)
    tracked, ids = ledger(loaded, kind, stored)
    save_ids(settings.state_dir, loaded.source, kind, ids)
    if only_open:
        tracked = [t for t in tracked if t.status in {"open", "delayed"}]
    if start is not None:
        tracked = [t for t in tracked if t.first is not None and t.first >= start]
    tracked.sort(key=lambda t: (t.first or date.max, t.line))
    _emit(render_ledger(tracked, today, fmt.value, kind), None)


@app.command()
@_handles_errors
def questions(
    journal: JournalOpt = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only questions still open.")] = False,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """The question ledger: every question asked, oldest first, open or answered (and when)."""
    _setup_logging(verbose)
    _ledger_command("questions", journal, only_open, since, fmt, config, encoding)


@app.command()
@_handles_errors
def todos(
    journal: JournalOpt = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only TODOs still open.")] = False,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Every TODO across weeks (and the undated Today / ShortTerm / LongTerm lists), oldest
    first, with its status: open, done, delayed or dropped."""
    _setup_logging(verbose)
    _ledger_command("todos", journal, only_open, since, fmt, config, encoding)


@app.command()
@_handles_errors
def stats(
    journal: JournalOpt = None,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """How long you have kept it up: days journaled, streaks, silences, a chart per week."""
    _setup_logging(verbose)
    from reviewer.reports import render_stats
    from reviewer.stats import journal_stats

    settings = _settings(config)
    loaded = _journal(settings, journal, encoding)
    result = journal_stats(list(loaded.entries), settings.now_date(), _since(since))
    _emit(render_stats(result, fmt.value), None)


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:  # `reviewer week | head`
        sys.stderr.close()
        sys.exit(0)
