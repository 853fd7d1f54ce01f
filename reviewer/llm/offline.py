"""The offline backend: a deterministic, extractive review built from the facts alone.

It is what runs with no API key, with `--offline`, in the tests, and as the fallback when the
LLM fails; the same input always gives the same digest.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from itertools import pairwise

from reviewer import __version__
from reviewer.facts.extract import Item, clean, is_label, items
from reviewer.journal.parse import Entry, parse_date_heading
from reviewer.llm.base import Summary, WeekFacts
from reviewer.models import Highlight, NextItem

__all__ = ["OfflineBackend", "highlights_of", "topics_of"]

_PER_ENTRY = 3
_NEXT_LIMIT = 10
_NEXT_TODOS = 6  # leave room for questions
_MAX_TEXT = 140
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#]*(?:[-_][A-Za-z0-9]+)*")
_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|https?://\S+|`[^`]*`")
_STOP = frozenset(
    re.findall(
        r"\w+",
        """
        a an and are as at be but by can do for from has have in is it its of on or so that the
        this to was we with not no yes if then than also just like very more most some any all
        one two our my i you he she they them their there here what which who how why when where
        will would should could may might png jpg img raw github com www http https md todo done
        check ok the
        """,
    )
)


class OfflineBackend:
    """Extractive summary, highlights from each day's top-level bullets, next week = open items."""

    name = "offline"
    model = ""
    # What shapes its output besides the facts: its code, i.e. the release.
    key = f"offline/{__version__}"

    def __init__(self, notice: str = "") -> None:
        self.notice = notice

    def summarize(self, facts: WeekFacts) -> Summary:
        """Build the review from the facts; never fails, never calls out."""
        return Summary(
            summary=summary_text(facts),
            highlights=highlights_of(facts),
            next_week=next_items(facts),
            backend=self.name,
            themes=[word for word, _ in topics_of(facts.entries)],
            notice=self.notice,
        )


def _truncate(text: str) -> str:
    return text if len(text) <= _MAX_TEXT else text[: _MAX_TEXT - 1].rstrip() + "…"


def _in_week(entry: Entry, facts: WeekFacts) -> list[date]:
    return [day for day in entry.days if day in facts.week]


def _width(text: str) -> int:
    """Display width: a CJK character counts as two, as it carries about a word."""
    return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)


def _worth_highlighting(item: Item) -> bool:
    text = clean(item.text)
    if item.bullet == "#" and parse_date_heading(text) is not None:
        return False  # a daily note's own "# 2020-02-24" title
    return _width(text) >= 4 and not is_label(text) and not text.startswith("```")


def highlights_of(facts: WeekFacts) -> list[Highlight]:
    """Each entry's first top-level bullets (headings inside an entry count), citing its dates;
    an entry whose top level is only labels (`需要问的问题`) gives its first nested items."""
    found: list[Highlight] = []
    for entry in facts.entries:
        outline = items(entry.numbered_body())
        picked = [i for i in outline if i.parent is None and _worth_highlighting(i)]
        if not picked:
            picked = [i for i in outline if _worth_highlighting(i)]
        picked = picked[:_PER_ENTRY]
        for item in picked:
            found.append(Highlight(text=_truncate(clean(item.text)), dates=_in_week(entry, facts)))
    return found


def _terms(line: str) -> list[tuple[str, str]]:
    """(key, spelling) of the line's terms, and of each pair of terms written side by side
    ("sample eff"), so that a two-word term can stand for its words."""
    kept: list[tuple[str, str, int, int]] = []
    for match in _WORD.finditer(_NOISE.sub(" ", line)):
        word = match.group()
        key = word.lower()
        # Short lowercase tokens are noise ("th"); short capitals are acronyms ("DA").
        if key in _STOP or len(key) < 2 or (len(key) < 3 and not word.isupper()):
            continue
        kept.append((key, word, match.start(), match.end()))
    terms = [(key, word) for key, word, _, _ in kept]
    for (k1, w1, _, end), (k2, w2, start, _) in pairwise(kept):
        if start - end == 1:  # one space apart
            terms.append((f"{k1} {k2}", f"{w1} {w2}"))
    return terms


def topics_of(entries: list[Entry], limit: int = 5) -> list[tuple[str, int]]:
    """Latin-script terms written on at least two days, by the number of days they appear on;
    a two-word term found on as many days as its words replaces them."""
    days: Counter[str] = Counter()
    spelling: dict[str, Counter[str]] = {}
    for entry in entries:
        seen: set[str] = set()
        for line in entry.body:
            for key, word in _terms(line):
                spelling.setdefault(key, Counter())[word] += 1
                seen.add(key)
        days.update(seen)
    covered = {
        part
        for key, n in days.items()
        if " " in key and n >= 2
        for part in key.split(" ")
        if days[part] == n
    }
    ranked = sorted(
        (
            key
            for key, n in days.items()
            if n >= 2 and key not in covered and (" " not in key or set(key.split()) <= covered)
        ),
        key=lambda k: (-days[k], -sum(spelling[k].values()), k),
    )
    return [(spelling[key].most_common(1)[0][0], days[key]) for key in ranked[:limit]]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_text(facts: WeekFacts) -> str:
    """A few factual sentences about the week, made from counts."""
    if not facts.entries:
        return (
            f"Nothing was journaled in {facts.week.iso} ({facts.week.start} to {facts.week.end})."
        )
    parts = [
        f"{facts.days_journaled} of 7 days journaled"
        + (f", a streak of {_plural(facts.streak_days, 'day')}." if facts.streak_days else ".")
    ]
    sizes = [(sum(1 for ln in e.body if ln.strip()), e) for e in facts.entries]
    lines, busiest = max(sizes, key=lambda pair: (pair[0], pair[1].start))
    if lines:
        label = busiest.heading if busiest.start != busiest.end else str(busiest.start)
        parts.append(f"Most written on {label} ({_plural(lines, 'line')}).")
    topics = topics_of(facts.entries)
    if topics:
        parts.append(
            "Recurring topics: " + ", ".join(f"{w} ({_plural(n, 'day')})" for w, n in topics) + "."
        )
    done = sum(t.status == "done" for t in facts.todos)
    still = sum(t.status == "open" for t in facts.todos)
    answered = sum(q.status == "answered" for q in facts.questions)
    lessons = len(facts.reflections)
    parts.append(
        f"{_plural(done, 'TODO')} done, {still} still open; "
        f"{_plural(len(facts.questions), 'question')} asked ({answered} answered), "
        f"{len(facts.carried)} carried over; {_plural(lessons, 'reflection')} noted."
    )
    return " ".join(parts)


def next_items(facts: WeekFacts) -> list[NextItem]:
    """The week's open TODOs, then its open questions, then the newest carried-over ones."""
    picked: list[NextItem] = []
    for todo in facts.todos:
        if todo.status in {"open", "delayed"} and todo.date is not None:
            picked.append(NextItem(text=_truncate(todo.text), dates=[todo.date], kind="todo"))
    picked = picked[:_NEXT_TODOS]
    for question in facts.questions + facts.carried[::-1][:3]:
        if question.status == "open":
            picked.append(
                NextItem(
                    text=_truncate(question.text),
                    dates=[question.date] if question.date else [],
                    kind="question",
                )
            )
    return picked[:_NEXT_LIMIT]
