"""Commands that review: a week, a month or term, and a backfill of many weeks."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated

import typer

from reviewer.cli.app import (
    DEFAULT_PROMPT_BUDGET,
    AsOfOpt,
    ConfigOpt,
    EncodingOpt,
    ForceOpt,
    Format,
    JournalOpt,
    Lang,
    OfflineOpt,
    OutputOpt,
    ToOpt,
    VerboseOpt,
    app,
    as_of_day,
    choose_backend,
    dry_run_backend,
    emit,
    exit_if_degraded,
    handles_errors,
    journal_history,
    load_config,
    preview_text,
    read_journal,
    redaction_rules,
    review_and_keep_ids,
    setup_logging,
    use_user_prompts,
)
from reviewer.errors import EXIT_DEGRADED

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import date
    from pathlib import Path

    from reviewer.config import Settings
    from reviewer.facts.calendar import Week
    from reviewer.journal.parse import Journal
    from reviewer.models import Digest
    from reviewer.review.backfill import WeekResult


ModelOpt = Annotated[
    str,
    typer.Option(
        "--model",
        "-m",
        metavar="NAME",
        help="LLM model [env: REVIEWER_MODEL].",
        show_default=False,
    ),
]
LangOpt = Annotated[
    Lang,
    typer.Option(
        "--lang", help="Language of the review (titles, labels, prose); auto follows the journal."
    ),
]
RefreshOpt = Annotated[
    bool, typer.Option("--refresh", help="Ask the LLM again instead of reading the cache.")
]


@app.command()
@handles_errors
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
    output: OutputOpt = None,
    offline: OfflineOpt = False,
    email: Annotated[
        bool,
        typer.Option("--email", help="Also archive the digest and email it (like `send`)."),
    ] = False,
    to: ToOpt = None,
    force: ForceOpt = False,
    model: ModelOpt = "",
    lang: LangOpt = Lang.auto,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the exact requests (after redaction), calls, tokens and cost; "
            "send nothing.",
        ),
    ] = False,
    refresh: RefreshOpt = False,
    max_prompt_tokens: Annotated[
        int,
        typer.Option(
            "--max-prompt-tokens",
            metavar="N",
            min=500,
            help="Token budget of one request; a longer week is summarized day by day first.",
        ),
    ] = DEFAULT_PROMPT_BUDGET,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Review one ISO week (Monday to Sunday) of the journal.

    Exit 0 when the review is complete, 3 when the LLM failed and the offline review was
    written instead (degraded).
    """
    setup_logging(verbose)
    if (to or force) and not email:
        from reviewer.errors import UsageError

        raise UsageError("--to and --force only make sense with --email")
    if email and as_of:
        from reviewer.errors import UsageError

        raise UsageError("--email sends this week's review; --as-of reviews the past: not both")
    from reviewer.facts.calendar import parse_week
    from reviewer.render.render import render

    settings = load_config(config)
    past = as_of_day(as_of)
    today = past or settings.now_date()  # as of a day, that day is today
    chosen = parse_week(when, today)
    loaded = read_journal(settings, journal, encoding, facts=True, as_of=past, through=chosen.end)
    if dry_run:
        emit(_dry_run(settings, loaded, chosen, today, model, lang, max_prompt_tokens, fmt), output)
        return
    backend = choose_backend(settings, offline, model, lang.value, refresh, max_prompt_tokens)
    history = journal_history(settings, journal, today, past)
    digest = review_and_keep_ids(
        settings, loaded, chosen, today, backend, lang.value, history, keep=past is None
    )
    emit(render(digest, fmt.value), output)
    if email:
        from reviewer.cli.delivery import deliver_digest

        deliver_digest(settings, digest, to, force, loaded)
    exit_if_degraded(digest)


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
    from reviewer.review.week import week_facts

    use_user_prompts(settings)
    name = model or settings.model
    data = preview(
        week_facts(loaded, chosen, today),
        name,
        endpoint_url(settings.base_url),
        lang.value,
        budget,
        lambda: counter_for(name),
        redaction_rules(settings),
    )
    if fmt is Format.json:
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return format_preview(data)


@app.command()
@handles_errors
def month(
    when: Annotated[
        str,
        typer.Argument(metavar="MONTH", help="A month (2020-02), 'this' or 'last'."),
    ] = "last",
    start: Annotated[
        str | None,
        typer.Option(
            "--from", metavar="MONTH", help="First month of a term (YYYY-MM).", show_default=False
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="MONTH", help="Last month of a term (YYYY-MM).", show_default=False
        ),
    ] = None,
    journal: JournalOpt = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.md,
    output: OutputOpt = None,
    offline: OfflineOpt = False,
    model: ModelOpt = "",
    lang: LangOpt = Lang.auto,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Print the requests the weeks not yet cached and the month would send "
            "(after redaction), calls, tokens and cost; send nothing.",
        ),
    ] = False,
    refresh: RefreshOpt = False,
    as_of: AsOfOpt = None,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Review a month (or a term: --from 2020-01 --to 2020-03) from its weekly digests.

    With an LLM, each week is reviewed (from the cache when it was already) and one more call
    writes the period from the weeks' summaries. Exit 0 when complete, 3 when a call failed and
    what it would have written was made offline instead (degraded).
    """
    setup_logging(verbose)
    from reviewer.render.render import render_month
    from reviewer.review.month import parse_month, review_period
    from reviewer.state import load_ids

    settings = load_config(config)
    past = as_of_day(as_of)
    today = past or settings.now_date()
    first, last = parse_month(start or when, today)
    if end is not None:
        last = parse_month(end, today)[1]
    loaded = read_journal(settings, journal, encoding, facts=True, as_of=past)
    stored = load_ids(settings.state_dir, loaded.source, "questions")
    if dry_run:
        from reviewer.llm.dryrun_across import month_preview

        # The same review as a real run, on a backend that sends nothing.
        dry = dry_run_backend(settings, offline, model, lang.value, refresh)
        previewed = review_period(
            loaded,
            first,
            last,
            today,
            dry,
            stored,
            lang=lang.value,
            dormant_weeks=settings.dormant_weeks,
        )
        emit(preview_text(month_preview(previewed.period.label, dry), fmt), output)
        return
    backend = choose_backend(settings, offline, model, lang.value, refresh)
    digest = review_period(
        loaded,
        first,
        last,
        today,
        backend,
        stored,
        lang=lang.value,
        dormant_weeks=settings.dormant_weeks,
    )
    emit(render_month(digest, fmt.value), output)
    exit_if_degraded(digest)


@app.command()
@handles_errors
def weeks(
    start: Annotated[
        str,
        typer.Option("--from", metavar="DATE", help="A date in the first week (YYYY-MM-DD)."),
    ],
    end: Annotated[
        str | None,
        typer.Option(
            "--to",
            metavar="DATE",
            help="A date in the last week [default: the week of the last entry].",
            show_default=False,
        ),
    ] = None,
    concurrency: Annotated[
        int,
        typer.Option(
            "--concurrency",
            "-c",
            metavar="N",
            min=1,
            max=32,
            help="Weeks summarized at once (1 to 32).",
        ),
    ] = 4,
    force: Annotated[
        bool, typer.Option("--force", help="Review weeks already archived and unchanged too.")
    ] = False,
    journal: JournalOpt = None,
    offline: OfflineOpt = False,
    fmt: Annotated[
        Format, typer.Option("--format", "-f", help="Format of the summary table.")
    ] = Format.text,
    each_sunday: Annotated[
        bool,
        typer.Option(
            "--as-of-each-sunday",
            help="Review each week from the journal as it stood that Sunday (git history).",
        ),
    ] = False,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Backfill: review every week in a range into the archive, several at once.

    Resumable: weeks already archived whose journal text and settings are unchanged are
    skipped. Prints a summary (weeks, calls, cache hits, tokens, degraded weeks); exit 3 when
    a week is degraded.
    """
    setup_logging(verbose)
    from reviewer.cli.progress import WeekProgress, summary_table
    from reviewer.facts.calendar import parse_day
    from reviewer.review.backfill import backfill, weeks_between
    from reviewer.state import load_ids

    settings = load_config(config)
    today = settings.now_date()
    loaded = read_journal(settings, journal, encoding, facts=True)
    # Without --to, up to the week of the last entry: weeks after it would all be empty.
    newest = max(e.end for e in loaded.entries)
    first, last = parse_day(start), parse_day(end) if end else min(today, newest)
    chosen = weeks_between(first, last)
    if not chosen:
        from reviewer.errors import UsageError

        raise UsageError(f"--to {last} is before --from {first}")
    stored = load_ids(settings.state_dir, loaded.source, "questions")
    if each_sunday:
        results = _each_sunday(
            settings, journal, encoding, chosen, offline, concurrency, force, stored
        )
        emit(summary_table(results, settings.data_dir / "archive", fmt.value), None)
        if any(r.degraded for r in results):
            raise typer.Exit(EXIT_DEGRADED)
        return
    with WeekProgress(len(chosen)) as progress:
        results = backfill(
            loaded,
            chosen,
            today,
            choose_backend(settings, offline, concurrency=concurrency),
            settings.data_dir,
            ids=stored,
            concurrency=concurrency,
            force=force,
            dormant_weeks=settings.dormant_weeks,
            on_done=progress.advance,
        )
    emit(summary_table(results, settings.data_dir / "archive", fmt.value), None)
    if any(r.degraded for r in results):
        raise typer.Exit(EXIT_DEGRADED)


def _each_sunday(
    settings: Settings,
    journal: Path | None,
    encoding: str | None,
    chosen: list[Week],
    offline: bool,
    concurrency: int,
    force: bool,
    stored: dict[str, str],
) -> list[WeekResult]:
    """Backfill each week from the journal as it stood at the end of its Sunday, with the line
    dates of that commit; weeks before the journal's first commit (or with no dated entry yet)
    are left out, and said so."""
    from reviewer.cli.progress import WeekProgress
    from reviewer.errors import InputError
    from reviewer.review.backfill import backfill

    backend = choose_backend(settings, offline, concurrency=concurrency)
    results: list[WeekResult] = []
    before: list[str] = []
    with WeekProgress(len(chosen)) as progress:
        for week in chosen:
            try:
                then = read_journal(settings, journal, encoding, facts=True, as_of=week.end)
            except InputError:
                before.append(week.iso)
                continue
            lines = journal_history(settings, journal, week.end, week.end)
            adjust = (
                None
                if lines is None
                else functools.partial(
                    _with_history, then=then, week=week, dates=lines.dates, commit=lines.commit
                )
            )
            results += backfill(
                then,
                [week],
                week.end,
                backend,
                settings.data_dir,
                ids=stored,
                force=force,
                dormant_weeks=settings.dormant_weeks,
                on_done=progress.advance,
                adjust=adjust,
            )
    if before:
        typer.echo(
            f"reviewer: note: {len(before)} week(s) left out, before the journal's first "
            f"commit or its first dated entry: {before[0]}..{before[-1]}",
            err=True,
        )
    return results


def _with_history(
    digest: Digest, *, then: Journal, week: Week, dates: Mapping[int, date], commit: str
) -> Digest:
    from reviewer.review.history import with_history

    return with_history(then, week, digest, dates, commit)
