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
from reviewer.models import Digest

__all__ = ["with_history"]


def with_history(
    journal: Journal, week: Week, digest: Digest, written: Mapping[int, date], commit: str
) -> Digest:
    """The digest with what the line dates tell: TODOs ticked and questions answered in earlier
    entries or undated lists, earlier entries edited, and undated reflections written in the
    week (added to the week's reflections, dated by their commit)."""
    history = week_history(journal, week, written, commit)
    reflections = [*digest.reflections, *written_reflections(journal, week, written)]
    stats = digest.stats.model_copy(
        update={"todos_done": digest.stats.todos_done + len(history.done)}
    )
    return digest.model_copy(
        update={"history": history, "reflections": reflections, "stats": stats}
    )
