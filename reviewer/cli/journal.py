"""Commands about the journal itself: lint, entries, the question and TODO ledgers, stats."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reviewer.cli.app import (
    AsOfOpt,
    ConfigOpt,
    EncodingOpt,
    Format,
    JournalOpt,
    VerboseOpt,
    app,
    as_of_day,
    choose_backend,
    dry_run_backend,
    emit,
    handles_errors,
    load_config,
    preview_text,
    read_journal,
    setup_logging,
)
from reviewer.errors import EXIT_DEGRADED, EXIT_LINT, EXIT_OK

if TYPE_CHECKING:
    from reviewer.config import Settings
    from reviewer.llm.chat import ChatBackend


@app.command()
@handles_errors
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
    setup_logging(verbose)
    import json

    settings = load_config(config)
    loaded = read_journal(settings, journal, encoding, strict=False)
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
        from reviewer.render.labels import plural

        errors = sum(d.severity == "error" for d in found)
        typer.echo(
            f"{loaded.source or journal}: {plural(len(loaded.entries), 'entry', 'entries')}, "
            f"{plural(loaded.line_count, 'line')}, {plural(errors, 'error')}, "
            f"{plural(len(found) - errors, 'warning')}",
            err=True,
        )
        from reviewer.history.store import history_status

        status = history_status(journal or settings.journal, settings.history)
        typer.echo(f"history: {status}", err=True)
    raise typer.Exit(EXIT_LINT if loaded.errors else EXIT_OK)


@app.command()
@handles_errors
def entries(
    journal: JournalOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of entries.")] = False,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """List the journal's dated entries as parsed (dates after repair)."""
    setup_logging(verbose)
    import json

    settings = load_config(config)
    loaded = read_journal(settings, journal, encoding, strict=False)
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


class QuestionKind(StrEnum):
    ask = "ask"
    wonder = "wonder"


SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since", metavar="DATE", help="Only from this date on (YYYY-MM-DD).", show_default=False
    ),
]


def _since(value: str | None) -> date | None:
    from reviewer.facts.calendar import parse_day

    return parse_day(value) if value else None


def _ledger_command(
    kind: str,
    journal: Path | None,
    only_open: bool,
    since: str | None,
    fmt: Format,
    config: Path | None,
    encoding: str | None,
    suggest: bool = False,
    dry_run: bool = False,
    kind_filter: str | None = None,
    dormant: bool = False,
    as_of: str | None = None,
) -> None:
    from reviewer.review.reports import render_ledger
    from reviewer.review.week import ledger
    from reviewer.state import load_ids, save_ids

    if dry_run and not suggest:
        from reviewer.errors import UsageError

        raise UsageError("--dry-run only makes sense with --suggest-answers")
    settings = load_config(config)
    # Refuse before any work; a dry run needs no LLM, only the cache.
    backend = _suggesting_backend(settings) if suggest and not dry_run else None
    past = as_of_day(as_of)
    today = past or settings.now_date()
    start = _since(since)
    # The ledger as of now goes on from the folds of the older entries a week's review keeps
    # (`remember_history`); asking for answers reads entries' facts: every entry's, then.
    through = today if past is None and not suggest else None
    loaded = read_journal(settings, journal, encoding, facts=True, as_of=past, through=through)
    stored = load_ids(settings.state_dir, loaded.source, kind)
    tracked, ids = ledger(loaded, kind, stored)
    if past is None:  # the ledger as of a past day must not replace today's
        save_ids(settings.state_dir, loaded.source, kind, ids)
    if only_open:
        tracked = [t for t in tracked if t.status in {"open", "delayed"}]
    if kind_filter:
        tracked = [t for t in tracked if (t.kind or "wonder") == kind_filter]
    if dormant:
        tracked = [t for t in tracked if t.dormant(today, settings.dormant_weeks)]
    if start is not None:
        tracked = [t for t in tracked if t.first is not None and t.first >= start]
    tracked.sort(key=lambda t: (t.first or date.max, t.line))
    # Asks only: a wondering aloud (是不是…？) is not worth tokens to look for an answer to.
    open_ = [t for t in tracked if t.status == "open" and t.kind == "ask"]
    if dry_run:
        from reviewer.llm.dryrun_across import suggest_preview

        dry = dry_run_backend(settings, offline=False)
        emit(preview_text(suggest_preview(dry, open_, loaded.entries), fmt), None)
        return
    if backend is None:
        emit(render_ledger(tracked, today, fmt.value, kind), None)
        return
    found = backend.suggest_answers(open_, loaded.entries)
    emit(render_ledger(tracked, today, fmt.value, kind, found.found), None)
    how = "from the cache" if found.cached else f"{found.calls} call(s)"
    typer.echo(
        f"reviewer: {len(found.found)} suggested answer(s) for {len(open_)} open ask(s), "
        f"not applied; {found.rejected} of {found.proposed} proposal(s) rejected for citing "
        f"no later entry; {how}, {found.prompt_tokens}+{found.completion_tokens} tokens, "
        f"≈${found.cost_usd:.4f}",
        err=True,
    )
    if found.degraded_reason:
        typer.echo(f"reviewer: degraded, no answers suggested: {found.degraded_reason}", err=True)
        raise typer.Exit(EXIT_DEGRADED)


def _suggesting_backend(settings: Settings) -> ChatBackend:
    """The LLM that proposes answers; a config error when there is none, since offline there
    is nothing to propose and a ledger printed without the proposals would look like none."""
    from reviewer.errors import ConfigError
    from reviewer.llm.chat import ChatBackend

    backend = choose_backend(settings, offline=False)
    if isinstance(backend, ChatBackend):
        return backend
    if settings.offline:
        raise ConfigError(
            "--suggest-answers needs an LLM, and REVIEWER_OFFLINE=1 (or offline = true) "
            "turns it off"
        )
    raise ConfigError(
        "--suggest-answers needs an LLM: set OPENAI_API_KEY (or OPENAI_BASE_URL for a local server)"
    )


@app.command()
@handles_errors
def questions(
    journal: JournalOpt = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only questions still open.")] = False,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    suggest: Annotated[
        bool,
        typer.Option(
            "--suggest-answers",
            help="Ask the LLM which later entry answers each open question; its proposals are "
            "shown with the date they cite, never applied (needs an LLM).",
        ),
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="With --suggest-answers: print the requests (after redaction), calls, tokens "
            "and cost instead of the ledger; send nothing (no key needed).",
        ),
    ] = False,
    kind: Annotated[
        QuestionKind | None,
        typer.Option(
            "--kind",
            help="Only asks (to put to someone: listed under 需要问的问题, Questions:, Q:, "
            "问一下…) or only wonders (a question in passing).",
            show_default=False,
        ),
    ] = None,
    dormant: Annotated[
        bool,
        typer.Option(
            "--dormant",
            help="Only asks gone dormant: open and not mentioned for the dormancy period "
            "(questions.dormant_weeks, default 8). Mentioning one again wakes it.",
        ),
    ] = False,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """The question ledger: every question asked, oldest first, open or answered (and when),
    ask or wonder.

    With --suggest-answers: exit 3 when the LLM failed (the ledger is printed without
    proposals), 78 when no LLM is configured.
    """
    setup_logging(verbose)
    _ledger_command(
        "questions",
        journal,
        only_open,
        since,
        fmt,
        config,
        encoding,
        suggest,
        dry_run,
        kind.value if kind else None,
        dormant,
        as_of,
    )


@app.command()
@handles_errors
def reflections(
    journal: JournalOpt = None,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Every self-reflection and lesson (自省, 反思, 📌, Reflection:, Lesson learned:, Note to
    self), oldest first, then the journal's undated 自省 section (dated when an entry says the
    same)."""
    setup_logging(verbose)
    from reviewer.facts.extract import extract_reflections
    from reviewer.review.month import standing_reflections
    from reviewer.review.reports import render_reflections

    settings = load_config(config)
    loaded = read_journal(settings, journal, encoding, facts=True)
    start = _since(since)
    dated = [
        r
        for r in extract_reflections(loaded.entries)
        if r.date is not None and (start is None or r.date >= start)
    ]
    dated.sort(key=lambda r: (r.date or date.min, r.line))
    emit(render_reflections(dated, standing_reflections(loaded), fmt.value), None)


@app.command()
@handles_errors
def todos(
    journal: JournalOpt = None,
    only_open: Annotated[bool, typer.Option("--open", help="Only TODOs still open.")] = False,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Every TODO across weeks (and the undated Today / ShortTerm / LongTerm lists), oldest
    first, with its status: open, done, delayed or dropped."""
    setup_logging(verbose)
    _ledger_command("todos", journal, only_open, since, fmt, config, encoding, as_of=as_of)


@app.command()
@handles_errors
def stats(
    journal: JournalOpt = None,
    since: SinceOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.text,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """How long you have kept it up: days journaled, streaks, silences, a chart per week."""
    setup_logging(verbose)
    from reviewer.facts.cache import remember_words
    from reviewer.facts.stats import journal_stats
    from reviewer.review.reports import render_stats

    settings = load_config(config)
    past = as_of_day(as_of)
    loaded = read_journal(settings, journal, encoding, as_of=past)
    path = str(journal or settings.journal)
    words = remember_words(settings.cache_dir, path, loaded.entries, keep=past is None)
    result = journal_stats(list(loaded.entries), past or settings.now_date(), _since(since), words)
    emit(render_stats(result, fmt.value), None)
