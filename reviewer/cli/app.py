"""The typer app and what every command shares: options, settings, the journal, the backend,
output, and the one place where the package's errors become messages and exit codes.

Imports stay light at module level (typer and the error module): `reviewer --help` must not pay
for pydantic, jinja2 or openai. Each command imports what it uses when it runs.
"""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from reviewer import __version__
from reviewer.errors import EXIT_DEGRADED, ReviewerError

if TYPE_CHECKING:
    from datetime import date

    from reviewer.config import Settings
    from reviewer.facts.calendar import Week
    from reviewer.journal.parse import Journal
    from reviewer.llm.base import Backend
    from reviewer.llm.dryrun_across import DryRunBackend
    from reviewer.models import Digest, MonthDigest

__all__ = [
    "DEFAULT_PROMPT_BUDGET",
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
    "review_and_keep_ids",
    "setup_logging",
    "use_user_prompts",
]

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
OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write to a file instead of stdout.")
]
OfflineOpt = Annotated[
    bool, typer.Option("--offline", help="Never call an LLM [env: REVIEWER_OFFLINE=1].")
]

F = TypeVar("F", bound=Callable[..., Any])


def handles_errors(func: F) -> F:
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


def setup_logging(verbose: int) -> None:
    """-v: info logs on stderr; -vv: debug."""
    if verbose:
        logging.basicConfig(
            level=logging.DEBUG if verbose > 1 else logging.INFO,
            format="reviewer: %(levelname)s %(message)s",
            stream=sys.stderr,
        )


def load_config(config: Path | None, env_file: Path | None = None) -> Settings:
    """Settings from the config file (`--config` or the XDG one), the scheduled job's env
    file when given, and the environment."""
    from reviewer.config import load_settings

    return load_settings(config_path=config, env_file=env_file)


def read_journal(
    settings: Settings, journal: Path | None, encoding: str | None, strict: bool = True
) -> Journal:
    """Read the journal given, or the configured one; with `strict`, refuse one with errors."""
    from reviewer.errors import ConfigError
    from reviewer.journal.source import load_journal

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
        from reviewer.review.week import ensure_usable

        ensure_usable(loaded)
    return loaded


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
    )


def preview_text(data: dict[str, Any], fmt: Format) -> str:
    """A month or suggest dry run as JSON, or as text for any other format."""
    import json

    from reviewer.llm.dryrun_across import format_across

    if fmt is Format.json:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return format_across(data)


def review_and_keep_ids(
    settings: Settings, loaded: Journal, week: Week, today: date, backend: Backend
) -> Digest:
    """The week's digest, with question ids from the stored ledger, which is then updated."""
    from reviewer.review.week import ledger, review_week
    from reviewer.state import load_ids, save_ids

    stored = load_ids(settings.state_dir, loaded.source, "questions")
    digest = review_week(loaded, week, today, backend, stored)
    save_ids(settings.state_dir, loaded.source, "questions", ledger(loaded, "questions", stored)[1])
    return digest


def exit_if_degraded(digest: Digest | MonthDigest) -> None:
    """A digest made offline after the LLM failed: say why, and exit 3 for cron to see.
    Journal problems shown at the top of a week's digest are said on stderr too (exit 0:
    the review was made and sent; the digest itself tells the user what to fix), and so is an
    LLM answer only partly usable (its footer says it as well; exit unchanged)."""
    problems = getattr(digest, "problems", [])
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        typer.echo(
            f"reviewer: warning: {problems[0]}{more}; shown at the top of the digest", err=True
        )
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
    """Write `text` to stdout, or atomically to `output`."""
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
    try:
        app()
    except BrokenPipeError:  # `reviewer week | head`
        sys.stderr.close()
        sys.exit(0)
