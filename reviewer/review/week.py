"""The pipeline, one readable function per command: journal -> week -> facts -> summary -> digest.

Dependencies (the backend, today's date) are passed in; nothing here reads the clock, the
environment or the disk.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from itertools import compress, repeat
from operator import lt

from reviewer import __version__
from reviewer.errors import InputError
from reviewer.facts.calendar import Journaled, Week
from reviewer.facts.extract import (
    extract_questions,
    extract_reflections,
    extract_todos,
    undated_questions,
    undated_todos,
)
from reviewer.facts.stats import journal_stats
from reviewer.facts.tracking import (
    DORMANT_WEEKS,
    History,
    Tracked,
    ids_by_mention,
    reconcile,
)
from reviewer.journal.parse import Entry, Journal, columns_of
from reviewer.llm.base import Backend, Summary, WeekFacts
from reviewer.llm.prompts import detect_lang
from reviewer.models import (
    Digest,
    EntryRef,
    Meta,
    Question,
    Stats,
    Todo,
    WeekInfo,
    WeekStats,
)

__all__ = [
    "build_digest",
    "ensure_usable",
    "journal_lang",
    "journal_problems",
    "last_entry_before",
    "ledger",
    "open_longest",
    "question_ledger",
    "quiet_note",
    "review_week",
    "week_facts",
]


def ensure_usable(journal: Journal) -> None:
    """Refuse only a journal with nothing to review (no dated entry at all). Any other problem,
    such as a heading whose date cannot be read, leaves that entry out and is shown at the top
    of the digest (`problems`): one typo must not stop the Sunday review."""
    if not journal.entries:
        first = journal.errors[0] if journal.errors else None
        line = first.line if first else 1
        message = first.message if first else "no dated entries"
        where = f"{(first.source if first else '') or journal.source or 'journal'}:{line}"
        raise InputError(f"{where}: {message}; `reviewer check` lists every problem")


MAX_PROBLEMS = 5  # shown at the top of a digest; `reviewer check` lists them all


def journal_problems(journal: Journal) -> list[str]:
    """The journal's errors, each a line for the top of the digest: what is wrong and where."""
    shown = [
        f"line {d.line}{f' of {d.source}' if d.source and d.source != journal.source else ''}: "
        f"{d.message}; until then that entry is left out of every review"
        for d in journal.errors[:MAX_PROBLEMS]
    ]
    if len(journal.errors) > MAX_PROBLEMS:
        shown.append(f"and {len(journal.errors) - MAX_PROBLEMS} more: `reviewer check` lists them")
    return shown


def question_ledger(
    journal: Journal,
    week: Week,
    ids: Mapping[str, str] | None = None,
    dormant_weeks: int = DORMANT_WEEKS,
) -> tuple[list[Question], Mapping[tuple[str, int], str]]:
    """Questions to ask (not wonderings) raised before the week, still open at its end, not
    raised again in it and not dormant (oldest first, aged to the week's end), and the ledger
    id of every question mention."""
    tracked = History.of(journal).track_questions(as_of=week.end)
    if ids is not None:
        reconcile(tracked, ids)
    carried = [
        Question(
            text=t.text,
            date=t.first,
            status="open",
            carried_over=True,
            age_days=t.age_days(week.end),
            line=t.line,
            source=t.source,
            id=t.id,
            kind="ask",
        )
        for t in tracked
        if t.status == "open"
        and t.kind == "ask"
        and t.first
        and t.last
        and t.last < week.start
        and not t.dormant(week.start, dormant_weeks)
    ]
    return carried, ids_by_mention(tracked)


def ledger(
    journal: Journal, kind: str, stored: Mapping[str, str]
) -> tuple[list[Tracked], dict[str, str]]:
    """Every question or TODO (`kind`) of the journal as of now, with ids carried over from the
    stored ledger, and the ledger to store. Undated lists (`## Questions to ask`, `## Done`)
    count too."""
    history = History.of(journal)
    if kind == "questions":
        tracked = history.track_questions(undated=undated_questions(journal.sections))
    else:
        tracked = history.track_todos(undated=undated_todos(journal.sections))
    return tracked, reconcile(tracked, stored)


def open_longest(journal: Journal, week: Week, limit: int = 5) -> list[Todo]:
    """TODOs open since before the week and not mentioned in it, the oldest `limit` of them."""
    tracked = History.of(journal).track_todos(as_of=week.end)
    stale = [
        t
        for t in tracked
        if t.status in {"open", "delayed"} and t.first and t.last and t.last < week.start
    ]
    return [
        Todo(
            text=t.text,
            date=t.first,
            status="delayed" if t.status == "delayed" else "open",
            line=t.line,
            source=t.source,
            id=t.id,
            carried_over=True,
            age_days=t.age_days(week.end),
        )
        for t in stale[:limit]
    ]


def journal_lang(journal: Journal, week: Week, sample: int = 20_000) -> str:
    """The journal's language as of the week: "zh" or "en", from its latest writing up to the
    week's end (about `sample` characters: the journal's, not one week's, so that an
    English-heavy week keeps the digest's language; bounded, so that a 30-year journal costs
    no more than a short one)."""
    lines: list[str] = []
    size = 0
    for entry in Journaled.of(journal).latest_first(week.end):
        lines.extend(entry.body)
        size += sum(len(line) for line in entry.body)
        if size >= sample:
            break
    return detect_lang(lines)


def week_facts(
    journal: Journal,
    week: Week,
    today: date,
    ids: Mapping[str, str] | None = None,
    lang: str = "auto",
    dormant_weeks: int = DORMANT_WEEKS,
) -> WeekFacts:
    """Everything code can tell about the week; `lang` (zh|en|auto) is the digest's language,
    auto following the journal."""
    journaled = Journaled.of(journal)
    entries = journaled.entries_in(week)
    carried, question_ids = question_ledger(journal, week, ids, dormant_weeks)
    questions = [
        q.model_copy(
            update={
                "age_days": (week.end - q.date).days if q.date else 0,
                "id": question_ids.get((q.source, q.line), ""),
            }
        )
        for q in extract_questions(entries)
    ]
    return WeekFacts(
        week=week,
        entries=entries,
        questions=questions,
        carried=carried,
        reflections=extract_reflections(entries),
        todos=extract_todos(entries),
        stale_todos=open_longest(journal, week),
        days_journaled=sum(map(journaled.written_on, week.days)),
        streak_days=journaled.streak_ending(min(week.end, today)),
        lang=journal_lang(journal, week) if lang not in {"zh", "en"} else lang,
    )


def review_week(
    journal: Journal,
    week: Week,
    today: date,
    backend: Backend,
    ids: Mapping[str, str] | None = None,
    lang: str = "auto",
    dormant_weeks: int = DORMANT_WEEKS,
) -> Digest:
    """The week review of `journal` for `week`, written by `backend`; `ids` is the stored
    question ledger, so that questions keep their ids across edits; `lang` the digest's."""
    ensure_usable(journal)
    facts = week_facts(journal, week, today, ids, lang=lang, dormant_weeks=dormant_weeks)
    return build_digest(journal, facts, backend.summarize(facts))


def build_digest(journal: Journal, facts: WeekFacts, summary: Summary) -> Digest:
    """The digest of a week from its facts and a backend's summary."""
    week = facts.week
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
        todos=facts.todos + facts.stale_todos,
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
            drop_reasons=summary.drop_reasons,
            repaired_claims=summary.repaired_claims,
            placeholder_errors=summary.placeholder_errors,
            fallbacks=summary.fallbacks,
            estimated_cost_usd=summary.cost_usd,
            offline_hint=summary.notice,
            version=__version__,
        ),
        warnings=warnings,
        problems=journal_problems(journal),
        recent_weeks=recent_weeks(journal, week),
        lang=facts.lang,
    )


def recent_weeks(journal: Journal, week: Week, count: int = 8) -> list[WeekStats]:
    """Days, entries and words of the `count` weeks ending with `week`, oldest first."""
    first, last = week.shifted(1 - count).start, week.end
    near = list(
        map(journal.entries.__getitem__, sorted(Journaled.of(journal).between(first, last)))
    )
    stats = journal_stats(near, week.end, since=first)
    by_iso = {w.iso: w for w in stats.weeks}
    weeks = [week.shifted(n - count + 1) for n in range(count)]
    return [
        by_iso.get(w.iso) or WeekStats(iso=w.iso, start=w.start, days=0, entries=0, words=0)
        for w in weeks
    ]


def last_entry_before(journal: Journal, week: Week) -> date | None:
    """The last day written before `week`, when nothing is written in the week (else None).
    An empty heading is not writing: it counts as little as it does for days journaled."""
    journaled = Journaled.of(journal)
    if any(_written(e) for e in journaled.entries_in(week)):
        return None
    # The latest first: the texts of 30 years are not read (nor their entries made) to find it.
    entries, ends = journal.entries, columns_of(journal.entries).ends
    before = sorted(
        compress(range(len(ends)), map(lt, ends, repeat(week.start.toordinal()))),
        key=ends.__getitem__,
    )
    return next((e.end for e in map(entries.__getitem__, reversed(before)) if _written(e)), None)


def _written(entry: Entry) -> bool:
    return bool(entry.text.strip())


def quiet_note(digest: Digest, last_entry: date) -> Digest:
    """The short note for a week after the journal went quiet: when it was last written, and
    nothing repeated from earlier weeks (they would come back unchanged every Sunday)."""
    days = (digest.week.end - last_entry).days
    asks = sum(q.carried_over and q.status == "open" for q in digest.questions)
    todos = sum(t.status == "open" for t in digest.todos)
    waiting = (
        f" {asks} questions and {todos} TODOs stay open: `reviewer questions --open` and "
        "`reviewer todos --open` list them."
        if asks or todos
        else ""
    )
    summary = (
        f"Nothing was journaled this week; the last entry is from {last_entry} "
        f"({days} days ago). This is the only mail until you write again.{waiting}"
    )
    return digest.model_copy(
        update={
            "summary": summary,
            "highlights": [],
            "questions": [],
            "reflections": [],
            "todos": [],
            "next_week": [],
        }
    )
