"""What a week digest shows, section by section: budgets and one home per item (pure).

A digest read in two minutes: each section shows at most its budget and says how many more
there are, the longest-open asks first where age matters; and an item appears in one section
only. Questions, TODOs and reflections own their lines; a highlight that repeats one of them is
dropped, except a TODO done this week, which stays a highlight (ticked) and leaves the Done
list; Next week points at the items listed above by number instead of repeating them, and
lists in full only what is not shown anywhere above.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from reviewer.models import Digest, Highlight, NextItem, Question, Reflection, Todo

__all__ = ["BUDGETS", "Budgets", "Line", "Sections", "Shown", "normalized", "sections"]

T = TypeVar("T", Highlight, Question, Reflection, Todo)
_COMPARE = re.compile(r"[\s`*_~，,。.;；:：!！?？…]+")
_STATUSES = ("done", "open", "delayed", "dropped")


def normalized(text: str) -> str:
    """An item's text for comparing across sections: no markup, spacing or end punctuation."""
    return _COMPARE.sub("", text).lower()


@dataclass(frozen=True, slots=True)
class Budgets:
    """How many items each section shows; the rest are counted ("…and N more")."""

    highlights: int = 7
    questions: int = 6
    carried: int = 4
    reflections: int = 6
    done: int = 5
    open: int = 6
    delayed: int = 3
    dropped: int = 3
    stale: int = 3
    next_week: int = 5


BUDGETS = Budgets()
UNLIMITED = Budgets(*(10**9 for _ in range(10)))


@dataclass(slots=True)
class Line(Generic[T]):
    """One item as shown: `ref` is the number Next week points at it by (0: none)."""

    item: T
    ref: int = 0
    done: bool = False  # a highlight that is a TODO done this week

    @property
    def text(self) -> str:
        """The item's text."""
        return self.item.text


@dataclass(slots=True)
class Shown(Generic[T]):
    """A section's lines within budget, and how many more there are."""

    lines: list[Line[T]] = field(default_factory=list)
    more: int = 0

    def __bool__(self) -> bool:
        return bool(self.lines)


@dataclass(slots=True)
class Sections:
    """The digest as shown, in reading order."""

    highlights: Shown[Highlight]
    questions: Shown[Question]
    carried: Shown[Question]
    reflections: Shown[Reflection]
    todos: dict[str, Shown[Todo]]  # by status: done, open, delayed, dropped
    done_in_highlights: int
    stale: Shown[Todo]
    next_refs: list[int]  # Next week: the numbered items above, in its order
    next_items: list[NextItem]  # Next week: what is not shown above

    def texts(self) -> list[str]:
        """Every item text shown, in reading order (the test of "one section only")."""
        shown: list[str] = []
        for section in (self.highlights, self.questions, self.carried, self.reflections):
            shown += [line.text for line in section.lines]
        for status in _STATUSES:
            shown += [line.text for line in self.todos[status].lines]
        shown += [line.text for line in self.stale.lines]
        return shown + [n.text for n in self.next_items]

    def any_todos(self) -> bool:
        """Whether the TODO section has anything to show."""
        return any(self.todos.values()) or self.done_in_highlights > 0


def _within(lines: Iterable[Line[T]], seen: set[str], budget: int) -> Shown[T]:
    """The lines whose text is not shown yet, the first `budget` of them (marked seen)."""
    fresh: list[Line[T]] = []
    for line in lines:
        key = normalized(line.text)
        if key and key not in seen and key not in {normalized(f.text) for f in fresh}:
            fresh.append(line)
    shown = fresh[:budget]
    seen.update(normalized(line.text) for line in shown)
    return Shown(shown, len(fresh) - len(shown))


def sections(digest: Digest, budgets: Budgets = BUDGETS) -> Sections:
    """The digest's sections as shown, within `budgets` (UNLIMITED: everything, once)."""
    asked = [q for q in digest.questions if not q.carried_over]
    # Open asks first (they need something), then the answered ones.
    asked.sort(key=lambda q: q.status != "open")
    carried = sorted(
        (q for q in digest.questions if q.carried_over), key=lambda q: (-q.age_days, q.date)
    )
    week_todos = [t for t in digest.todos if not t.carried_over]
    stale = sorted((t for t in digest.todos if t.carried_over), key=lambda t: -t.age_days)

    owned = {normalized(q.text) for q in digest.questions}
    owned |= {normalized(t.text) for t in digest.todos if t.status != "done"}
    owned |= {normalized(r.text) for r in digest.reflections}
    done_keys = {normalized(t.text) for t in week_todos if t.status == "done"}

    seen: set[str] = set()
    highlights = _within(
        (
            Line(h, done=normalized(h.text) in done_keys)
            for h in digest.highlights
            if normalized(h.text) not in owned
        ),
        seen,
        budgets.highlights,
    )
    done_in_highlights = sum(line.done for line in highlights.lines)
    questions = _within((Line(q) for q in asked), seen, budgets.questions)
    carried_shown = _within((Line(q) for q in carried), seen, budgets.carried)
    reflections = _within((Line(r) for r in digest.reflections), seen, budgets.reflections)
    todos = {
        status: _within(
            (Line(t) for t in week_todos if t.status == status),
            seen,
            getattr(budgets, status),
        )
        for status in _STATUSES
    }
    stale_shown = _within((Line(t) for t in stale), seen, budgets.stale)

    pointable: dict[str, Line[Question] | Line[Todo]] = {}
    for section in (questions, carried_shown, todos["open"], todos["delayed"], stale_shown):
        for line in section.lines:
            pointable.setdefault(normalized(line.text), line)
    refs: list[int] = []
    extra: list[NextItem] = []
    for item in digest.next_week:
        if len(refs) + len(extra) >= budgets.next_week:
            break
        key = normalized(item.text)
        target = pointable.get(key)
        if target is not None:
            if not target.ref:
                target.ref = len(refs) + 1
                refs.append(target.ref)
        elif key and key not in seen:
            seen.add(key)
            extra.append(item)
    return Sections(
        highlights=highlights,
        questions=questions,
        carried=carried_shown,
        reflections=reflections,
        todos=todos,
        done_in_highlights=done_in_highlights,
        stale=stale_shown,
        next_refs=refs,
        next_items=extra,
    )


def circled(n: int) -> str:
    """①…⑳ for the numbers Next week points by, a plain (n) past twenty."""
    return chr(0x2460 + n - 1) if 1 <= n <= 20 else f"({n})"


def ref_list(refs: Sequence[int]) -> str:
    """The numbers Next week points at, as shown: "① ② ③"."""
    return " ".join(circled(n) for n in refs)
