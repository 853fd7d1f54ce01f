"""Command line: typer commands only. Build settings, call the pipeline, map errors to exit codes.

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
from reviewer.errors import EXIT_DEGRADED, EXIT_LINT, EXIT_OK, ReviewerError

if TYPE_CHECKING:
    from datetime import date

    from reviewer.config import Settings
    from reviewer.journal import Journal
    from reviewer.llm.base import Backend
    from reviewer.weeks import Week

__all__ = ["app", "main"]

log = logging.getLogger("reviewer")

app = typer.Typer(
    name="reviewer",
    help="Turn a daily Markdown research journal into a weekly review.\n\n"
    "Environment: REVIEWER_JOURNAL, REVIEWER_OFFLINE, OPENAI_API_KEY, OPENAI_BASE_URL, "
    "REVIEWER_MODEL, REVIEWER_TZ, REVIEWER_TODAY, XDG_CONFIG_HOME, XDG_CACHE_HOME, "
    "XDG_DATA_HOME, XDG_STATE_HOME (see the README).",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
)


class Format(StrEnum):
    md = "md"
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
    offline: Annotated[
        bool, typer.Option("--offline", help="Never call an LLM [env: REVIEWER_OFFLINE=1].")
    ] = False,
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
    from reviewer.render import render
    from reviewer.review import review_week
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
    digest = review_week(loaded, chosen, today, backend)
    _emit(render(digest, fmt.value), output)
    if digest.meta.degraded:
        typer.echo(
            f"reviewer: degraded, offline review written: {digest.meta.degraded_reason}", err=True
        )
        raise typer.Exit(EXIT_DEGRADED)


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
            | ({"source": d.source} if d.source else {})
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


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except BrokenPipeError:  # `reviewer week | head`
        sys.stderr.close()
        sys.exit(0)
