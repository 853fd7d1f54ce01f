"""The pipeline, one readable function per command: journal -> week -> facts -> summary -> digest.

Dependencies (the backend, today's date) are passed in; nothing here reads the clock, the
environment or the disk.
"""

from __future__ import annotations

from datetime import date

from reviewer import __version__
from reviewer.errors import InputError
from reviewer.extract import extract_questions, extract_reflections, extract_todos
from reviewer.journal import Journal
from reviewer.llm.base import Backend, WeekFacts
from reviewer.models import Digest, EntryRef, Meta, Question, Stats, WeekInfo
from reviewer.weeks import Week, entries_in, journaled_days, streak_ending

__all__ = ["carried_questions", "ensure_usable", "review_week", "week_facts"]


def ensure_usable(journal: Journal) -> None:
    """Refuse a journal with errors (undatable headings, no entries), naming the first one."""
    errors = journal.errors
    if errors:
        first = errors[0]
        where = f"{first.source or journal.source or 'journal'}:{first.line}"
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise InputError(f"{where}: {first.message}{more}; `reviewer check` lists every problem")


def carried_questions(journal: Journal, week: Week) -> list[Question]:
    """Questions asked before the week and still open, oldest first, aged to the week's end."""
    earlier = [e for e in journal.entries if e.start < week.start]
    carried = [
        q.model_copy(update={"carried_over": True, "age_days": (week.end - q.date).days})
        for q in extract_questions(earlier)
        if q.status == "open"
    ]
    return sorted(carried, key=lambda q: (q.date, q.line))


def week_facts(journal: Journal, week: Week, today: date) -> WeekFacts:
    """Everything code can tell about the week."""
    entries = entries_in(journal.entries, week)
    days = journaled_days(journal.entries)
    questions = [
        q.model_copy(update={"age_days": (week.end - q.date).days})
        for q in extract_questions(entries)
    ]
    return WeekFacts(
        week=week,
        entries=entries,
        questions=questions,
        carried=carried_questions(journal, week),
        reflections=extract_reflections(entries),
        todos=extract_todos(entries),
        days_journaled=sum(1 for d in week.days if d in days),
        streak_days=streak_ending(days, min(week.end, today)),
    )


def review_week(journal: Journal, week: Week, today: date, backend: Backend) -> Digest:
    """The week review of `journal` for `week`, written by `backend`."""
    ensure_usable(journal)
    facts = week_facts(journal, week, today)
    summary = backend.summarize(facts)
    lines = {line for e in facts.entries for line in range(e.line, e.end_line + 1)}
    warnings = [
        f"line {d.line}: {d.message}"
        for d in journal.diagnostics
        if d.line in lines and d.severity != "info"
    ]
    return Digest(
        week=WeekInfo(iso=week.iso, start=week.start, end=week.end),
        journal=journal.source,
        entries=[
            EntryRef(
                line=e.line,
                heading=e.heading,
                title=e.title,
                start=e.start,
                end=e.end,
                days_in_week=[d for d in e.days if d in week],
                repaired=e.repaired,
                source=e.source if e.source != journal.source else "",
            )
            for e in facts.entries
        ],
        summary=summary.summary,
        highlights=summary.highlights,
        questions=facts.questions + facts.carried,
        reflections=facts.reflections,
        todos=facts.todos,
        next_week=summary.next_week,
        stats=Stats(
            days_journaled=facts.days_journaled,
            streak_days=facts.streak_days,
            entries=len(facts.entries),
            lines=sum(1 for e in facts.entries for ln in e.body if ln.strip()),
            todos_done=sum(t.status == "done" for t in facts.todos),
            todos_open=sum(t.status == "open" for t in facts.todos),
            questions_open=sum(q.status == "open" for q in facts.questions),
        ),
        meta=Meta(
            backend=summary.backend,
            model=summary.model,
            cached=summary.cached,
            degraded=summary.degraded,
            degraded_reason=summary.degraded_reason,
            prompt_tokens=summary.prompt_tokens,
            completion_tokens=summary.completion_tokens,
            calls=summary.calls,
            dropped_claims=summary.dropped_claims,
            offline_hint=summary.notice,
            version=__version__,
        ),
        warnings=warnings,
    )
