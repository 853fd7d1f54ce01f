"""Month and term reviews, built from the weekly digests (hierarchical: weeks -> month).

Each ISO week that overlaps the period is reviewed as usual (so an LLM backend answers from its
cache for weeks already reviewed); the month then gathers the weeks' summaries, the highlights
dated inside the period, the questions still open at its end, the TODOs finished in it, and
statistics computed in code. A backend that can (`PeriodBackend`) then writes the month's
summary and highlights from the weeks' ones in one more call; when it cannot, or fails, the
month is the one assembled in code. Pure: the backend and today are passed in.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta

from reviewer import __version__
from reviewer.errors import UsageError
from reviewer.facts.calendar import (
    Journaled,
    Week,
    check_supported,
    streaks,
)
from reviewer.facts.extract import (
    extract_reflections,
    undated_reflections,
)
from reviewer.facts.stats import count_words
from reviewer.facts.tracking import DORMANT_WEEKS, History, Tracked, Wordings
from reviewer.journal.parse import Journal
from reviewer.llm.base import Backend, PeriodBackend, PeriodFacts, PeriodSummary
from reviewer.models import (
    Digest,
    Meta,
    MonthDigest,
    MonthHighlight,
    MonthStats,
    PeriodInfo,
    Question,
    Reflection,
    Todo,
    WeekLine,
)
from reviewer.review.week import ensure_usable, review_week

__all__ = ["parse_month", "review_period", "standing_reflections", "weeks_overlapping"]

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_HIGHLIGHTS_PER_WEEK = 3


def parse_month(text: str, today: date) -> tuple[date, date]:
    """`2020-02`, `this` or `last` to the first and last day of that month."""
    word = text.strip().lower()
    check_supported(today, f"today ({today})")
    if word in {"this", "last"}:
        first = today.replace(day=1)
        if word == "last":
            first = (first - timedelta(days=1)).replace(day=1)
        return first, _month_end(first)
    match = _MONTH.match(word)
    if not match or not 1 <= int(match[2]) <= 12:
        raise UsageError(f"'{text}' is not a month; use YYYY-MM (2020-02), this or last")
    first = check_supported(date(int(match[1]), int(match[2]), 1), text)
    return first, _month_end(first)


def _month_end(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def weeks_overlapping(start: date, end: date) -> list[Week]:
    """ISO weeks that share at least one day with the period, oldest first."""
    weeks = []
    week = Week.containing(start)
    while week.start <= end:
        weeks.append(week)
        week = week.shifted(1)
    return weeks


def _label(start: date, end: date) -> str:
    first, last = start.strftime("%Y-%m"), end.strftime("%Y-%m")
    return first if first == last else f"{first}..{last}"


def review_period(
    journal: Journal,
    start: date,
    end: date,
    today: date,
    backend: Backend,
    ids: Mapping[str, str] | None = None,
    lang: str = "auto",
    dormant_weeks: int = DORMANT_WEEKS,
) -> MonthDigest:
    """The review of a month (or a term of months) from its weekly digests, with the asks gone
    dormant by its end and the journal's standing (undated) reflections; `lang` (zh|en|auto)
    the language of its titles and labels."""
    ensure_usable(journal)
    if end < start:
        raise UsageError(f"the period ends ({end}) before it starts ({start})")
    weeks = weeks_overlapping(start, end)
    digests = [
        _outline(
            review_week(journal, w, today, backend, ids, lang=lang, dormant_weeks=dormant_weeks)
        )
        for w in weeks
    ]
    inside = [e for e in journal.entries if e.start <= end and e.end >= start]
    journaled = Journaled.of(journal)
    days = {d for d in journaled.days if start <= d <= end}
    runs = [(max(a, start), min(b, end)) for a, b in streaks(days)]
    longest = max(((b - a).days + 1 for a, b in runs), default=0)
    questions, dormant = _questions(journal, start, end, dormant_weeks)
    todos = _todos(journal, start, end)
    highlights = [h for d in digests for h in _highlights(d, start, end)]
    label = _label(start, end)
    stats = MonthStats(
        days_journaled=len(days),
        days_in_period=(end - start).days + 1,
        entries=len(inside),
        words=sum(count_words(e.text) for e in inside),
        longest_streak=longest,
        streak_days=journaled.streak_ending(min(end, today)),
        questions_asked=sum(1 for q in questions if not q.carried_over),
        questions_open=sum(1 for q in questions if q.status == "open"),
        todos_done=sum(1 for t in todos if t.status == "done"),
    )
    lang_of_digest = digests[-1].lang if digests else ""
    # The model is asked in English whatever the journal's language: it gets the English
    # numbers; the reader gets them in the digest's language, as the week's offline summary.
    numbers = _summary(label, stats, digests, "en")
    summary = _summary(label, stats, digests, lang_of_digest)
    meta = _meta(digests)
    # Asked only on top of complete weeks: after a week's call failed, the endpoint is likely
    # down, and a month written over an offline week would hide that week's failure.
    if isinstance(backend, PeriodBackend) and inside and not meta.degraded:
        # The weeks' summaries may name anything of their weeks' entries, which reach outside
        # the period: the redactor must learn every one of them.
        seen = [e for e in journal.entries if e.start <= weeks[-1].end and e.end >= weeks[0].start]
        facts = PeriodFacts(label, start, end, seen, digests, numbers=numbers)
        written = backend.summarize_period(facts)
        meta = _with_period(meta, written)
        if not written.degraded:
            summary = written.summary
            # Highlights all dropped in grounding: the weeks' own, rather than none.
            highlights = written.highlights or highlights
    return MonthDigest(
        period=PeriodInfo(label=label, start=start, end=end),
        journal=journal.source,
        weeks=[_week_line(d) for d in digests],
        summary=summary,
        highlights=highlights,
        questions=questions,
        reflections=[r for r in extract_reflections(inside) if r.date and start <= r.date <= end],
        todos=todos,
        stats=stats,
        meta=meta,
        lang=lang_of_digest,
        dormant=dormant,
        standing_reflections=standing_reflections(journal, end),
    )


def standing_reflections(journal: Journal, as_of: date | None = None) -> list[Reflection]:
    """The undated self-reflection sections' items, each with the date it was first written in
    an entry when the same words appear in one (up to `as_of`), else undated."""
    first_written: dict[str, tuple[str, date]] = {}  # one per wording: its earliest date
    for r in extract_reflections(journal.entries):
        if r.date is not None and (as_of is None or r.date <= as_of):
            earliest = first_written.get(r.text)
            if earliest is None or r.date < earliest[1]:
                first_written[r.text] = (r.text, r.date)
    wordings = Wordings(first_written.values())
    return [
        item.model_copy(update={"date": min(wordings.similar_to(item.text), default=None)})
        for item in undated_reflections(journal.sections)
    ]


# What a month reads of its weeks' digests is their week, summary, highlights, stats, meta and
# language: the rest is dropped as each week is done, not held for every week of a term.
_UNREAD = ("entries", "questions", "reflections", "todos", "next_week", "warnings", "problems")


def _outline(digest: Digest) -> Digest:
    """The week's digest without the lists the month does not read."""
    return digest.model_copy(
        update={**{name: [] for name in _UNREAD}, "recent_weeks": [], "history": None}
    )


def _highlights(digest: Digest, start: date, end: date) -> list[MonthHighlight]:
    """The week's first highlights dated inside the period."""
    found = []
    for highlight in digest.highlights:
        dated = [day for day in highlight.dates if start <= day <= end]
        if dated:
            found.append(MonthHighlight(text=highlight.text, dates=dated, week=digest.week.iso))
    return found[:_HIGHLIGHTS_PER_WEEK]


def _week_line(digest: Digest) -> WeekLine:
    return WeekLine(
        iso=digest.week.iso,
        start=digest.week.start,
        end=digest.week.end,
        days_journaled=digest.stats.days_journaled,
        summary=digest.summary,
        degraded=digest.meta.degraded,
    )


def _questions(
    journal: Journal, start: date, end: date, dormant_weeks: int
) -> tuple[list[Question], list[Question]]:
    """Questions asked in the period (open or answered by its end), then older questions to
    ask still open at its end, oldest first; and apart, the asks dormant at its end."""
    found, dormant = [], []
    for t in History.of(journal).track_questions(as_of=end):
        if t.first is None or (t.first < start and (t.status != "open" or t.kind != "ask")):
            continue
        if t.dormant(end, dormant_weeks):
            dormant.append(_as_question(t, end, carried=True))
            continue
        found.append(_as_question(t, end, carried=t.first < start))
    return found, dormant


def _as_question(t: Tracked, end: date, carried: bool) -> Question:
    return Question(
        text=t.text,
        date=t.first,
        status="answered" if t.status == "answered" else "open",
        carried_over=carried,
        age_days=t.age_days(end),
        answer=t.answer,
        line=t.line,
        source=t.source,
        id=t.id,
        answered_on=t.closed_on,
        kind="ask" if t.kind == "ask" else "wonder",
    )


def _todos(journal: Journal, start: date, end: date) -> list[Todo]:
    """TODOs finished in the period, and those written in it still open at its end."""
    found = []
    for t in History.of(journal).track_todos(as_of=end):
        closed_inside = t.closed_on is not None and start <= t.closed_on <= end
        opened_inside = t.first is not None and start <= t.first <= end
        if t.first is None or not (closed_inside or opened_inside):
            continue
        if not closed_inside and t.status in {"done", "dropped"}:
            continue
        found.append(
            Todo(
                text=t.text,
                date=t.first,
                status=t.status,  # type: ignore[arg-type]
                line=t.line,
                source=t.source,
                id=t.id,
                carried_over=t.first < start,
                age_days=t.age_days(end),
            )
        )
    return found


def _summary(label: str, stats: MonthStats, digests: list[Digest], lang: str) -> str:
    """The period in numbers, in `lang` (zh, else English)."""
    busiest = max(digests, key=lambda d: (d.stats.lines, d.week.start), default=None)
    fullest = busiest is not None and busiest.stats.lines
    if lang == "zh":
        parts = [
            f"{label}：{stats.days_in_period} 天中记了 {stats.days_journaled} 天，"
            f"共 {stats.entries} 篇（{stats.words} 字）；最长连续 {stats.longest_streak} 天。"
        ]
        if busiest is not None and fullest:
            parts.append(f"写得最多的一周：{busiest.week.iso}（{busiest.stats.lines} 行）。")
        parts.append(
            f"完成 {stats.todos_done} 项 TODO；提出 {stats.questions_asked} 个问题，"
            f"期末仍有 {stats.questions_open} 个未回答。"
        )
        return "".join(parts)
    parts = [
        f"{label}: {stats.days_journaled} of {stats.days_in_period} days journaled "
        f"in {stats.entries} entr{'y' if stats.entries == 1 else 'ies'} ({stats.words} words); "
        f"the longest run was {stats.longest_streak} day{'' if stats.longest_streak == 1 else 's'}."
    ]
    if busiest is not None and fullest:
        parts.append(f"Fullest week: {busiest.week.iso} ({busiest.stats.lines} lines).")
    parts.append(
        f"{stats.todos_done} TODOs finished; {stats.questions_asked} questions asked, "
        f"{stats.questions_open} open at the end of the period."
    )
    return " ".join(parts)


def _meta(digests: list[Digest]) -> Meta:
    metas = [d.meta for d in digests]
    degraded = [m.degraded_reason for m in metas if m.degraded]
    return Meta(
        backend=metas[0].backend if metas else "offline",
        model=metas[0].model if metas else "",
        cached=bool(metas) and all(m.cached for m in metas),
        degraded=bool(degraded),
        degraded_reason="; ".join(sorted(set(degraded))),
        prompt_tokens=sum(m.prompt_tokens for m in metas),
        completion_tokens=sum(m.completion_tokens for m in metas),
        calls=sum(m.calls for m in metas),
        dropped_claims=sum(m.dropped_claims for m in metas),
        estimated_cost_usd=round(sum(m.estimated_cost_usd for m in metas), 4),
        offline_hint=metas[0].offline_hint if metas else "",
        version=__version__,
    )


def _with_period(meta: Meta, written: PeriodSummary) -> Meta:
    """The weeks' meta with the month's own call added."""
    reasons = [r for r in (meta.degraded_reason, written.degraded_reason) if r]
    return meta.model_copy(
        update={
            "backend": written.backend,
            "model": written.model,
            "cached": meta.cached and written.cached,
            "degraded": meta.degraded or written.degraded,
            "degraded_reason": "; ".join(reasons),
            "prompt_tokens": meta.prompt_tokens + written.prompt_tokens,
            "completion_tokens": meta.completion_tokens + written.completion_tokens,
            "calls": meta.calls + written.calls,
            "dropped_claims": meta.dropped_claims + written.dropped_claims,
            "estimated_cost_usd": round(meta.estimated_cost_usd + written.cost_usd, 4),
        }
    )
