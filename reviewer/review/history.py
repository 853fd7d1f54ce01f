"""The week review with the journal's git history: one optional step after the digest is built.

Kept apart from the pipeline in week.py so that a review without history (no repository,
history off) is exactly what it was: `with_history` is only called when line dates exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from reviewer.facts.calendar import Week
from reviewer.facts.written import week_history, written_reflections
from reviewer.journal.parse import Journal
from reviewer.models import Digest, Question, Todo

__all__ = ["with_history"]


def with_history(
    journal: Journal, week: Week, digest: Digest, written: Mapping[int, date], commit: str
) -> Digest:
    """The digest with what the line dates tell: TODOs ticked and questions answered in earlier
    entries or undated lists, earlier entries edited, undated reflections written in the week
    (added to the week's reflections, dated by their commit); and the week's own TODOs and
    questions as they stood at its end: one whose tick or answer came in a later week was
    still open then (it is done in the week of the tick, and in no other)."""
    history = week_history(journal, week, written, commit)
    later = {line for line, day in written.items() if day > week.end}
    todos = [_open_todo(t) if _closed_later(t, later, "done") else t for t in digest.todos]
    questions = [
        _open_question(q) if _closed_later(q, later, "answered") else q for q in digest.questions
    ]
    mine = [t for t in todos if not t.carried_over]
    stats = digest.stats.model_copy(
        update={
            "todos_done": sum(t.status == "done" for t in mine) + len(history.done),
            "todos_open": sum(t.status == "open" for t in mine),
            "questions_open": sum(q.status == "open" and not q.carried_over for q in questions),
        }
    )
    reflections = [*digest.reflections, *written_reflections(journal, week, written)]
    return digest.model_copy(
        update={
            "history": history,
            "reflections": reflections,
            "todos": todos,
            "questions": questions,
            "stats": stats,
        }
    )


def _closed_later(item: Todo | Question, later: set[int], closed: str) -> bool:
    return item.status == closed and not item.carried_over and item.line in later


def _open_todo(todo: Todo) -> Todo:
    return todo.model_copy(update={"status": "open"})


def _open_question(question: Question) -> Question:
    return question.model_copy(update={"status": "open", "answer": "", "answered_on": None})
