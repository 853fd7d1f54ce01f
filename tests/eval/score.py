"""Precision and recall of the extraction on the hand-labelled corpus (`make eval`).

Each folder beside this file holds a journal and its `labels.txt` (the format is in README.md);
the extraction runs as the product runs it (load, parse, extract, track across weeks), and each
kind of fact is compared with the labels by its place (line, or file:line in a notes folder).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from reviewer.facts.extract import (
    extract_questions,
    extract_reflections,
    extract_todos,
    undated_questions,
    undated_reflections,
    undated_todos,
)
from reviewer.facts.tracking import track_questions, track_todos
from reviewer.journal.parse import Journal
from reviewer.journal.source import load_journal

__all__ = ["KINDS", "Labels", "Score", "evaluate", "main", "read_labels", "score_journal"]

HERE = Path(__file__).resolve().parent
KINDS = (
    "headings",
    "questions",
    "question kind",
    "question status",
    "todos",
    "todo status",
    "reflections",
)

Place = str  # "LINE" in a file, "FILE:LINE" in a folder of notes
Fact = tuple[object, ...]


@dataclass
class Labels:
    """What a human reader says the journal holds, and where."""

    journal: Path
    lines: tuple[int, int] | None = None
    headings: set[Fact] = field(default_factory=set)
    questions: dict[Place, tuple[str, str, date | None, bool]] = field(default_factory=dict)
    todos: dict[Place, tuple[str, date | None]] = field(default_factory=dict)
    reflections: dict[Place, date | None] = field(default_factory=dict)
    unsure: dict[str, set[Place]] = field(default_factory=dict)  # "Q"/"T"/"R" -> places


def _day(text: str) -> date | None:
    return None if text == "-" else date.fromisoformat(text)


def read_labels(folder: Path) -> Labels:
    """The labels of one corpus folder."""
    path = folder / "labels.txt"
    journal = next(
        (
            p
            for p in (folder / "journal.md", folder / "journal.txt", folder / "notes")
            if p.exists()
        ),
        None,
    )
    labels = Labels(journal=journal or folder)
    for raw in path.read_text(encoding="utf-8").splitlines():
        text = raw.split("|", 1)[0].strip()
        if not text or text.startswith("#"):
            continue
        tag, *rest = text.split()
        if tag == "@journal":
            labels.journal = (folder / rest[0]).resolve()
        elif tag == "@lines":
            labels.lines = (int(rest[0]), int(rest[1]))
        elif tag.startswith("?"):
            labels.unsure.setdefault(tag[1:], set()).add(rest[0])
        elif tag == "H":
            start, _, end = rest[1].partition("..")
            labels.headings.add(
                (rest[0], date.fromisoformat(start), date.fromisoformat(end or start))
            )
        elif tag == "Q":
            closed = _day(rest[3]) if len(rest) > 3 else None
            labels.questions[rest[0]] = (rest[1], rest[2], closed, "prose" in rest[4:])
        elif tag == "T":
            closed = _day(rest[2]) if len(rest) > 2 else None
            labels.todos[rest[0]] = (rest[1], closed)
        elif tag == "R":
            labels.reflections[rest[0]] = _day(rest[1])
        else:
            raise ValueError(f"{path}: unknown label {raw!r}")
    return labels


@dataclass
class Score:
    """Counts of one kind: found by the code, labelled, and both."""

    found: int = 0
    labelled: int = 0
    both: int = 0
    misses: list[str] = field(default_factory=list)  # what went wrong, for the reader

    def add(self, found: set[Fact], labelled: set[Fact], where: str) -> None:
        self.found += len(found)
        self.labelled += len(labelled)
        self.both += len(found & labelled)
        self.misses += [f"{where}: extra {f}" for f in sorted(found - labelled, key=str)]
        self.misses += [f"{where}: missed {f}" for f in sorted(labelled - found, key=str)]

    @property
    def precision(self) -> float:
        return self.both / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.both / self.labelled if self.labelled else 1.0


def _place(source: str, line: int, journal: Journal) -> Place:
    return f"{source}:{line}" if source and source != journal.source else str(line)


def score_journal(labels: Labels, scores: dict[str, Score], where: str) -> None:
    """Add one journal's comparison to `scores`."""
    journal = load_journal(labels.journal)
    first, last = labels.lines or (0, 10**9)

    def inside(place: Place) -> bool:
        return ":" in place or first <= int(place) <= last

    def keep(kind: str, found: set[Fact]) -> set[Fact]:
        unsure = labels.unsure.get(kind, set())
        return {f for f in found if inside(str(f[0])) and f[0] not in unsure}

    headings = {(_place(e.source, e.line, journal), e.start, e.end) for e in journal.entries}
    scores["headings"].add({h for h in headings if inside(str(h[0]))}, labels.headings, where)

    asked = extract_questions(journal.entries) + undated_questions(journal.sections)
    ledger = {at: item for item in track_questions(asked) for at in item.mentioned_at}
    found_q = {(_place(q.source, q.line, journal),): q for q in asked}
    gold_q = {(p,) for p in labels.questions}
    scores["questions"].add(keep("Q", set(found_q)), keep("Q", gold_q), where)
    both = keep("Q", set(found_q)) & gold_q
    kind_found, kind_gold, status_found, status_gold = set(), set(), set(), set()
    for key in both:
        place = str(key[0])
        question = found_q[key]
        item = ledger[(question.source, question.line)]
        kind, status, closed, prose = labels.questions[place]
        kind_found.add((place, item.kind or question.kind))
        kind_gold.add((place, kind))
        if prose:
            continue  # answered in words no rule can link; --suggest-answers' job
        if item.status == "answered":
            status_found.add((place, "answered", item.closed_on))
        if status == "answered":
            status_gold.add((place, "answered", closed))
    scores["question kind"].add(
        {f for f in kind_found if f[1] == "ask"}, {f for f in kind_gold if f[1] == "ask"}, where
    )
    scores["question status"].add(status_found, status_gold, where)

    written = extract_todos(journal.entries) + undated_todos(journal.sections)
    todo_ledger = {at: item for item in track_todos(written) for at in item.mentioned_at}
    found_t = {(_place(t.source, t.line, journal),): t for t in written}
    gold_t = {(p,) for p in labels.todos}
    scores["todos"].add(keep("T", set(found_t)), keep("T", gold_t), where)
    closed_found, closed_gold = set(), set()
    for key in keep("T", set(found_t)) & gold_t:
        place = str(key[0])
        todo = found_t[key]
        item = todo_ledger[(todo.source, todo.line)]
        if item.status != "open":
            closed_found.add((place, item.status, item.closed_on))
        status, closed = labels.todos[place]
        if status != "open":
            closed_gold.add((place, status, closed))
    scores["todo status"].add(closed_found, closed_gold, where)

    reflections = extract_reflections(journal.entries) + undated_reflections(journal.sections)
    found_r = {(_place(r.source, r.line, journal), r.date) for r in reflections}
    gold_r = {(p, d) for p, d in labels.reflections.items()}
    scores["reflections"].add(keep("R", found_r), keep("R", gold_r), where)


def _is_fixture(folder: Path) -> bool:
    return folder.name.startswith("fixture")


def evaluate(root: Path = HERE) -> tuple[dict[str, Score], dict[str, Score]]:
    """Scores over the corpus and over the labelled weeks of the fixture."""
    corpus = {kind: Score() for kind in KINDS}
    fixture = {kind: Score() for kind in KINDS}
    for folder in sorted(p for p in root.iterdir() if (p / "labels.txt").exists()):
        target = fixture if _is_fixture(folder) else corpus
        score_journal(read_labels(folder), target, folder.name)
    return corpus, fixture


def _table(title: str, scores: dict[str, Score]) -> list[str]:
    rows = [f"{title:<18} precision  recall   found  labelled"]
    for kind, s in scores.items():
        rows.append(
            f"  {kind:<16} {s.precision:>9.2f} {s.recall:>7.2f} {s.found:>7} {s.labelled:>9}"
        )
    return rows


def main(argv: list[str]) -> int:
    """Print the tables (and with -v, every miss); exit 0."""
    corpus, fixture = evaluate()
    folders = [p for p in HERE.iterdir() if (p / "labels.txt").exists()]
    weeks = sorted(p.name.removeprefix("fixture_").upper() for p in folders if _is_fixture(p))
    journals = len(folders) - len(weeks)
    print(f"Extraction on {journals} corpus journals and the fixture's labelled weeks")
    print("\n".join(_table("corpus", corpus)))
    print("\n".join(_table(f"fixture ({', '.join(weeks)})", fixture)))
    if "-v" in argv:
        for kind, scores in (("corpus", corpus), ("fixture", fixture)):
            for name, s in scores.items():
                for miss in s.misses:
                    print(f"{kind} {name}: {miss}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
