"""The typer app and what every command shares: options, settings, the journal, the backend,
output, and the one place where the package's errors become messages and exit codes.

Imports stay light at module level (typer and the error module): `reviewer --help` must not pay
for pydantic, jinja2 or openai. Each command imports what it uses when it runs.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import gc
import logging
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
import typer.exceptions
from typer.core import TyperArgument, TyperGroup

from reviewer import __version__
from reviewer.errors import EXIT_CANT_CREATE, EXIT_DEGRADED, EXIT_SOFTWARE, ReviewerError

if TYPE_CHECKING:
    from datetime import date

    from typer import _click as click

    from reviewer.config import Settings
    from reviewer.facts.calendar import Week
    from reviewer.facts.parallel import Ahead
    from reviewer.history.store import JournalAt, LineDates
    from reviewer.journal.parse import Journal
    from reviewer.llm.base import Backend
    from reviewer.llm.dryrun_across import DryRunBackend
    from reviewer.llm.redact import Rules
    from reviewer.models import Digest, MonthDigest

__all__ = [
    "DEFAULT_PROMPT_BUDGET",
    "Commands",
    "ConfigOpt",
    "EncodingOpt",
    "ForceOpt",
    "Format",
    "JournalOpt",
    "Lang",
    "OfflineOpt",
    "OutputOpt",
    "ToOpt",
    "VerboseOpt",
    "app",
    "choose_backend",
    "dry_run_backend",
    "emit",
    "exit_if_degraded",
    "handles_errors",
    "load_config",
    "main",
    "preview_text",
    "read_journal",
    "redaction_rules",
    "review_and_keep_ids",
    "setup_logging",
    "use_user_prompts",
    "write_stdout",
]

log = logging.getLogger("reviewer")


def _argument_type(self: TyperArgument, ctx: Any) -> str | None:
    """An argument with a metavar (WEEK, MONTH) names itself; typer would append its Python
    type to it in the help (`WEEK <str>`), which tells a user nothing."""
    return None if self.metavar else _typer_argument_type(self, ctx)


_typer_argument_type = TyperArgument.display_type_rich
TyperArgument.display_type_rich = _argument_type  # type: ignore[method-assign,assignment]


def _first_paragraph(text: str) -> str:
    """A command's help line: its docstring's first paragraph, whole, on one line."""
    return " ".join(text.strip().split("\n\n")[0].split())


class Commands(TyperGroup):
    """The command group. Each command's line in `reviewer --help` is its docstring's first
    paragraph in full (click cuts it to the terminal at a word, mid-sentence); `reviewer`
    alone prints a short usage (the commands, not every option and variable) on stderr and
    exits 2, as click does for a missing command."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and command.short_help is None and command.help:
                command.short_help = _first_paragraph(command.help)
        super().format_commands(ctx, formatter)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args and not ctx.resilient_parsing:
            formatter = ctx.make_formatter()
            self.format_usage(ctx, formatter)
            self.format_commands(ctx, formatter)
            formatter.write_paragraph()
            formatter.write_text(
                f"Try '{ctx.command_path} --help' for the options, "
                f"'{ctx.command_path} COMMAND --help' for a command's."
            )
            typer.echo(formatter.getvalue().rstrip("\n"), err=True)
            ctx.exit(2)
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=Commands,
    name="reviewer",
    help="Turn a daily Markdown research journal into a weekly review.\n\n"
    "Environment: REVIEWER_JOURNAL, REVIEWER_OFFLINE, OPENAI_API_KEY, OPENAI_BASE_URL, "
    "REVIEWER_MODEL, REVIEWER_TZ, REVIEWER_TODAY, REVIEWER_SMTP_HOST, REVIEWER_SMTP_PORT, "
    "REVIEWER_SMTP_SECURITY, REVIEWER_SMTP_USER, REVIEWER_SMTP_PASSWORD, REVIEWER_MAIL_FROM, "
    "REVIEWER_MAIL_TO, REVIEWER_MAIL_SUBJECT, XDG_CONFIG_HOME, XDG_CACHE_HOME, "
    "XDG_DATA_HOME, XDG_STATE_HOME (see the README).",
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
        metavar="PATH",
        help="Journal file or folder of daily notes [env: REVIEWER_JOURNAL].",
        show_default=False,
    ),
]
ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        metavar="PATH",
        help="Config file [default: $XDG_CONFIG_HOME/reviewer/config.toml].",
        show_default=False,
    ),
]
EncodingOpt = Annotated[
    str | None,
    typer.Option(
        metavar="NAME",
        help="Force the journal's encoding (e.g. gbk); detected by default.",
        show_default=False,
    ),
]
VerboseOpt = Annotated[
    int,
    typer.Option(
        "--verbose", "-v", count=True, help="Log to stderr (-vv: debug).", show_default=False
    ),
]
ToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--to",
        metavar="EMAIL",
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
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        metavar="PATH",
        help="Write to a file instead of stdout.",
        show_default=False,
    ),
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never call an LLM [env: REVIEWER_OFFLINE=1].")
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="The journal as it stood at the end of DATE: its last commit by then (git).",
        show_default=False,
    ),
]

F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(func: F) -> F:
    """Turn the package's foreseen errors into one line on stderr and their exit code, and
    anything unforeseen into one line, a pointer to -v and exit 70 (never a traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ReviewerError as err:
            _say(f"reviewer: {_scrubbed(str(err))}")
            raise typer.Exit(err.exit_code) from None
        except KeyboardInterrupt:
            _say("reviewer: interrupted")
            raise typer.Exit(130) from None
        except (typer.Exit, typer.Abort, typer.exceptions.TyperException):
            raise
        except BrokenPipeError:
            raise  # main() ends a `reviewer week | head` quietly
        except Exception as err:  # the one place that catches everything: never a traceback
            raise typer.Exit(internal_error(err)) from None

    return wrapper  # type: ignore[return-value]


def internal_error(err: BaseException) -> int:
    """Report an unforeseen exception in one line (the traceback with -v) and return 70."""
    if _verbosity or log.isEnabledFor(logging.INFO):
        import traceback

        _say(_scrubbed("".join(traceback.format_exception(err))).rstrip())
    what = _scrubbed(f"{type(err).__name__}: {err}")[:300].replace("\n", " ")
    _say(
        f"reviewer: internal error ({what}); this is a bug: run again with -v for the "
        "traceback and report it"
    )
    return EXIT_SOFTWARE


def _say(line: str) -> None:
    """One line on stderr, even when stderr cannot take it."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        typer.echo(line, err=True)


def _scrubbed(text: str) -> str:
    """`text` with the API key and any credential of OPENAI_BASE_URL hidden."""
    from reviewer.credentials import scrub

    return scrub(text)


_verbosity = 0  # -v given to this run: an internal error then shows its traceback


def setup_logging(verbose: int) -> None:
    """-v: info logs on stderr; -vv: debug."""
    global _verbosity
    _verbosity = verbose
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="reviewer: %(levelname)s %(message)s",
            stream=sys.stderr,
        )
        for handler in logging.getLogger().handlers:
            handler.addFilter(_scrub_record)


def _scrub_record(record: logging.LogRecord) -> bool:
    """Hide credentials in every log line (httpx logs request URLs, errors quote bodies)."""
    try:
        message = record.getMessage()
    except (TypeError, ValueError):
        return True
    record.msg, record.args = _scrubbed(message), None
    return True


def load_config(config: Path | None, env_file: Path | None = None) -> Settings:
    """Settings from the config file (`--config` or the XDG one), the scheduled job's env
    file when given, and the environment."""
    from reviewer.config import load_settings

    return load_settings(config_path=config, env_file=env_file)


def read_journal(
    settings: Settings,
    journal: Path | None,
    encoding: str | None,
    strict: bool = True,
    facts: bool = False,
    as_of: date | None = None,
    through: date | None = None,
) -> Journal:
    """Read the journal given, or the configured one; with `strict`, refuse one with errors;
    with `facts`, read every entry's questions, TODOs and reflections through the facts cache
    (commands that look across the whole history), or, with `through` too (a week's review,
    whose ledgers go up to that day, or the ledgers as of today), the question and TODO
    history through the history cache; with `as_of`, as it stood at the end of that day
    (its git history)."""
    from reviewer.errors import ConfigError
    from reviewer.journal.source import load_journal

    path = journal or settings.journal
    if path is None:
        raise ConfigError(
            "no journal given: pass --journal PATH, set REVIEWER_JOURNAL, or put "
            'journal = "PATH" in $XDG_CONFIG_HOME/reviewer/config.toml'
        )
    if as_of is not None:
        loaded = _journal_as_of(settings, path, encoding, as_of)
        return _said_and_read(settings, path, loaded, strict, facts, as_of, through)
    snapshots = settings.cache_dir / "journal"
    if not facts:
        loaded = load_journal(path, encoding, settings.journal_max_bytes, snapshots)
        return _said_and_read(settings, path, loaded, strict, facts, as_of, through)
    from reviewer.facts.cache import facts_kept
    from reviewer.facts.parallel import Ahead

    # A journal parsed whole (no snapshot of it yet) with no facts kept for it (its first run)
    # has them read by a second process from before the parse (`parallel.Ahead`), which is
    # stopped if no facts are read after all.
    with Ahead() as ahead:

        def parsing(data: bytes) -> None:
            if not facts_kept(settings.cache_dir, str(path)):
                ahead.start(data)

        loaded = load_journal(
            path, encoding, settings.journal_max_bytes, snapshots, parsing=parsing
        )
        return _said_and_read(settings, path, loaded, strict, facts, as_of, through, ahead)


def _said_and_read(
    settings: Settings,
    path: Path,
    loaded: Journal,
    strict: bool,
    facts: bool,
    as_of: date | None,
    through: date | None,
    ahead: Ahead | None = None,
) -> Journal:
    """`read_journal` once the journal is read: what it says about it, and its facts."""
    log.info("read %s: %d entries, %d lines", path, len(loaded.entries), loaded.line_count)
    skipped = [d.source for d in loaded.diagnostics if d.code == "skipped-file"]
    if skipped:
        shown = ", ".join(skipped[:5]) + (
            f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
        )
        from reviewer.render.labels import plural

        typer.echo(
            f"reviewer: note: skipped {plural(len(skipped), 'file')} in {path}: {shown}", err=True
        )
    for finding in loaded.diagnostics:
        if finding.code == "unreadable-file":
            typer.echo(f"reviewer: warning: {path}/{finding.message}", err=True)
    if strict:
        from reviewer.review.week import ensure_usable, journal_problems

        ensure_usable(loaded)
        # Said by every command that reads the journal (a week's digest shows it at the top).
        problems = journal_problems(loaded)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            typer.echo(f"reviewer: warning: {problems[0]}{more}", err=True)
    if facts and through is not None and as_of is None:
        from reviewer.facts.cache import remember_history

        remember_history(settings.cache_dir, str(path), loaded, through, ahead=ahead)
    elif facts:
        from reviewer.facts.cache import remember_facts

        remember_facts(
            settings.cache_dir, str(path), loaded.entries, keep=as_of is None, ahead=ahead
        )
    return loaded


# The journal as of a day, read once per run (the review asks again for its line dates).
_AS_OF: dict[tuple[str, date], JournalAt] = {}


def _journal_at(settings: Settings, path: Path, as_of: date) -> JournalAt:
    from reviewer.errors import EXIT_NO_INPUT, InputError
    from reviewer.history.git import GitError
    from reviewer.history.store import journal_at

    key = (str(path), as_of)
    if key not in _AS_OF:
        if settings.history == "off":
            raise InputError(
                f"{path}: --as-of needs the journal's git history, which is turned off "
                '(history = "off" or REVIEWER_HISTORY=off)',
                EXIT_NO_INPUT,
            )
        try:
            _AS_OF[key] = journal_at(path, settings.cache_dir, as_of, settings.zone)
        except GitError as err:
            raise InputError(
                f"{path}: no journal as of {as_of}: history is off ({err})", EXIT_NO_INPUT
            ) from None
    return _AS_OF[key]


def _journal_as_of(settings: Settings, path: Path, encoding: str | None, as_of: date) -> Journal:
    from reviewer.errors import InputError
    from reviewer.journal.parse import parse_journal
    from reviewer.journal.source import decode

    data = _journal_at(settings, path, as_of).data
    if not data.strip():
        raise InputError(f"{path}: the file was empty on {as_of}")
    return parse_journal(decode(data, str(path), encoding), source=str(path))


def journal_history(
    settings: Settings, journal: Path | None, today: date, as_of: date | None = None
) -> LineDates | None:
    """When each line of the journal was last written (its git history), as of `as_of` or
    now; None when history is off (the reason is logged: `reviewer doctor` says it)."""
    from reviewer.history.git import GitError
    from reviewer.history.store import line_dates

    path = journal or settings.journal
    if path is None or settings.history == "off":
        return None
    if as_of is not None:
        return _journal_at(settings, path, as_of).lines
    try:
        return line_dates(
            path, settings.cache_dir, today, settings.zone, settings.journal_max_bytes
        )
    except (GitError, OSError) as err:
        log.info("history: off (%s)", err)
        return None


def as_of_day(value: str | None) -> date | None:
    """The day of `--as-of`, checked."""
    if value is None:
        return None
    from reviewer.facts.calendar import parse_day

    return parse_day(value)


def redaction_rules(settings: Settings) -> Rules:
    """The user's own redaction terms and patterns (`[redact]` in the config file)."""
    from reviewer.llm.redact import Rules

    return Rules(terms=settings.redact_terms, patterns=settings.redact_patterns)


def choose_backend(
    settings: Settings,
    offline: bool,
    model: str = "",
    lang: str = "auto",
    refresh: bool = False,
    budget: int = DEFAULT_PROMPT_BUDGET,
    concurrency: int = 4,
) -> Backend:
    """The offline backend when asked or when no endpoint is configured, else the LLM."""
    from reviewer.llm.offline import OfflineBackend

    if offline or settings.offline:
        return OfflineBackend()
    if not settings.llm_configured:
        return OfflineBackend(
            notice="offline: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server) "
            "to have an LLM write the summary"
        )
    # Neither import loads openai: the backend imports it only when it must send a request.
    from reviewer.config import local_endpoint
    from reviewer.llm.cache import EndpointModes, ResponseCache
    from reviewer.llm.openai_backend import OpenAIBackend

    use_user_prompts(settings)
    return OpenAIBackend(
        model or settings.model,
        settings.base_url,
        settings.api_key,
        cache=ResponseCache(settings.cache_dir),
        modes=EndpointModes(settings.cache_dir),
        lang=lang,
        refresh=refresh,
        budget=budget,
        concurrency=concurrency,
        redaction=redaction_rules(settings),
        timeout=settings.request_timeout,
        retry_timeouts=not local_endpoint(settings.base_url),
    )


def use_user_prompts(settings: Settings) -> None:
    """The user's own prompt templates override the shipped ones for this run."""
    from reviewer.llm.prompts import use_user_templates

    use_user_templates(settings.prompts_dir)


def dry_run_backend(
    settings: Settings,
    offline: bool,
    model: str = "",
    lang: str = "auto",
    refresh: bool = False,
    budget: int = DEFAULT_PROMPT_BUDGET,
) -> DryRunBackend:
    """A backend that reads the response cache and sends nothing: no key is needed. Offline
    set does not stop a dry run (as for `week`), but is said, since a real run would send
    nothing at all."""
    from reviewer.llm.cache import ResponseCache
    from reviewer.llm.dryrun_across import DryRunBackend

    if offline or settings.offline:
        typer.echo(
            "reviewer: note: offline is set, so a real run sends nothing; "
            "shown is what an LLM would be sent",
            err=True,
        )
    use_user_prompts(settings)
    return DryRunBackend(
        model or settings.model,
        settings.base_url,
        cache=ResponseCache(settings.cache_dir),
        lang=lang,
        refresh=refresh,
        budget=budget,
        redaction=redaction_rules(settings),
    )


def preview_text(data: dict[str, Any], fmt: Format) -> str:
    """A month or suggest dry run as JSON, or as text for any other format."""
    import json

    from reviewer.llm.dryrun_across import format_across

    if fmt is Format.json:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return format_across(data)


def review_and_keep_ids(
    settings: Settings,
    loaded: Journal,
    week: Week,
    today: date,
    backend: Backend,
    lang: str = "auto",
    history: LineDates | None = None,
    keep: bool = True,
) -> Digest:
    """The week's digest, with question ids from the stored ledger, which is then updated
    (unless not `keep`: a review of the past must not rewrite today's ledger); with `history`,
    what the journal's git history adds."""
    from reviewer.review.week import ledger, review_week
    from reviewer.state import load_ids, save_ids

    stored = load_ids(settings.state_dir, loaded.source, "questions")
    digest = review_week(
        loaded, week, today, backend, stored, lang=lang, dormant_weeks=settings.dormant_weeks
    )
    if history is not None:
        from reviewer.review.history import with_history

        digest = with_history(loaded, week, digest, history.dates, history.commit)
    if keep:
        ids = ledger(loaded, "questions", stored)[1]
        save_ids(settings.state_dir, loaded.source, "questions", ids)
    return digest


def exit_if_degraded(digest: Digest | MonthDigest) -> None:
    """A digest made offline after the LLM failed: say why, and exit 3 for cron to see. An
    LLM answer only partly usable is said on stderr too (its footer says it as well; exit
    unchanged)."""
    meta = digest.meta
    if meta.dropped_claims and not meta.degraded:
        reasons = f": {', '.join(meta.drop_reasons)}" if meta.drop_reasons else ""
        typer.echo(
            f"reviewer: {meta.dropped_claims} claim(s) of the LLM's answer dropped{reasons}",
            err=True,
        )
    for fallback in meta.fallbacks:
        typer.echo(f"reviewer: offline stood in: {fallback}", err=True)
    if digest.meta.degraded:
        typer.echo(
            f"reviewer: degraded, offline review written: {digest.meta.degraded_reason}", err=True
        )
        raise typer.Exit(EXIT_DEGRADED)


def emit(text: str, output: Path | None) -> None:
    """Write `text` to stdout (also for `-o -`), or to `output`: a regular file is replaced
    atomically, a device or FIFO (/dev/null) written through, anything else refused."""
    if output is None or str(output) == "-":
        write_stdout(text)
        return
    from reviewer.files import write_output

    write_output(output, text)
    typer.echo(f"wrote {output}", err=True)


def write_stdout(text: str) -> None:
    """`text` on stdout; a closed or full stdout is a ReviewerError (73), not a traceback."""
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise ReviewerError("cannot write the output: stdout is closed", EXIT_CANT_CREATE)
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError as err:
        _silence_stdout()
        raise ReviewerError(
            f"cannot write the output to stdout: {err.strerror or err}", EXIT_CANT_CREATE
        ) from None


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so the interpreter's final flush of what could not be
    written raises nothing more at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real fd (a test's buffer): nothing to do
        pass


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


def main() -> None:
    """Console-script entry point."""
    # When the interpreter ends, after the other exit handlers: every object left is moved
    # out of the collector's reach. Its last collection would scan them all, only for the
    # process to end (42 ms after a week of the fixture, 68 ms after one of 30 years; 11 and
    # 12 ms with this). None of them holds anything to write: outputs and caches are written
    # and closed by then, and the standard streams are flushed after this as before.
    atexit.unregister(gc.freeze)  # (once, however many times main runs in one process)
    atexit.register(gc.freeze)
    try:
        app()
    except BrokenPipeError:  # `reviewer week | head`
        _silence_stdout()
        sys.exit(0)
    except KeyboardInterrupt:
        _say("reviewer: interrupted")
        sys.exit(130)
    except OSError as err:  # typer writing help or an error to a full or closed stream
        _silence_stdout()
        _say(f"reviewer: cannot write the output: {err.strerror or err}")
        sys.exit(EXIT_CANT_CREATE)
    except Exception as err:  # raised outside any command (typer itself)
        sys.exit(internal_error(err))
