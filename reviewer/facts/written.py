"""What a week changed in the journal, from when each line was last written (pure).

The line dates come from the journal's git history (reviewer.history); here they are just a
mapping {line: day}. A tick, a strike-through or an answer rewrites its line, so a line's day
is when its status last changed:
- a TODO done in an earlier entry or an undated list (`## Done`, Today / ShortTerm / LongTerm)
  whose line was written in the week was ticked in the week, and in no other;
- a line of the undated 自省 section written in the week is one of the week's reflections;
- an answered question of an earlier entry or an undated list whose line was written in the
  week was answered in the week;
- an earlier entry with lines written in the week was edited in the week.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from reviewer.facts.calendar import Week
from reviewer.facts.extract import (
    extract_questions,
    extract_todos,
    undated_questions,
    undated_reflections,
    undated_todos,
)
from reviewer.journal.parse import Journal
from reviewer.models import EditedEntry, Question, Reflection, Todo, WeekHistory

__all__ = ["week_history", "written_reflections"]


def written_reflections(
    journal: Journal, week: Week, written: Mapping[int, date]
) -> list[Reflection]:
    """Lines of the undated self-reflection section written during the week, dated by it."""
    return [
        r.model_copy(update={"date": written[r.line]})
        for r in undated_reflections(journal.sections)
        if written.get(r.line) in week
    ]


def week_history(
    journal: Journal, week: Week, written: Mapping[int, date], commit: str
) -> WeekHistory:
    """TODOs ticked, questions answered and earlier entries edited during the week."""
    # Only entries with a line written in the week can hold a tick or an answer of the week:
    # extracting from those alone keeps this step small on a journal of thousands of entries.
    start, end = week.start, week.end
    in_week = {line for line, day in written.items() if start <= day <= end}
    earlier = [
        e
        for e in journal.entries
        if e.start < week.start and any(n in in_week for n in range(e.line, e.end_line + 1))
    ]
    done: list[Todo] = [
        t.model_copy(update={"date": written[t.line]})
        for t in undated_todos(journal.sections)
        if t.status == "done" and written.get(t.line) in week
    ]
    done += [
        # `date` is the day of the tick, as for the undated lists; `age_days` how long it was
        # open (from its entry's date).
        t.model_copy(
            update={
                "date": written[t.line],
                "age_days": (written[t.line] - t.date).days if t.date else 0,
            }
        )
        for t in extract_todos(earlier)
        if t.status == "done" and written.get(t.line) in week
    ]
    answered: list[Question] = [
        q.model_copy(update={"answered_on": written[q.line]})
        for q in [*extract_questions(earlier), *undated_questions(journal.sections)]
        if q.status == "answered" and written.get(q.line) in week
    ]
    edited: list[EditedEntry] = []
    for entry in earlier:
        days = [written[n] for n in range(entry.line, entry.end_line + 1) if n in in_week]
        if days:
            edited.append(
                EditedEntry(
                    line=entry.line,
                    heading=entry.heading,
                    start=entry.start,
                    lines=len(days),
                    last=max(days),
                )
            )
    return WeekHistory(commit=commit, done=done, answered=answered, edited=edited)
