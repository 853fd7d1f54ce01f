"""The redaction corpus (corpus.tsv): its cases, and recall and precision of a Redactor on them.

Shared by the tests (a failing case is a failing test) and `bench/bench_privacy.py`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from reviewer.llm.redact import Redactor, Rules

__all__ = ["CORPUS", "Case", "Score", "load", "score", "score_case"]

CORPUS = Path(__file__).with_name("corpus.tsv")
_MARK = re.compile(r"⟦(.*?)⟧")
# Letters and digits (any script): what must be replaced for a span to count as hidden.
_SIGNIFICANT = re.compile(r"[^\W_]")


@dataclass(frozen=True, slots=True)
class Case:
    """One line of journal text, its private spans (start, end), and where it is in the file."""

    line: int
    kind: str
    text: str
    private: tuple[tuple[int, int], ...]

    @property
    def values(self) -> list[str]:
        return [self.text[a:b] for a, b in self.private]


@dataclass(slots=True)
class Score:
    """Spans hidden out of spans marked, characters kept out of public characters."""

    spans: int = 0
    hidden: int = 0
    public_chars: int = 0
    kept_chars: int = 0
    missed: list[str] = field(default_factory=list)  # values left in the clear
    touched: list[str] = field(default_factory=list)  # public text that was replaced

    @property
    def recall(self) -> float:
        return self.hidden / self.spans if self.spans else 1.0

    @property
    def precision(self) -> float:
        return self.kept_chars / self.public_chars if self.public_chars else 1.0

    def add(self, other: Score) -> None:
        self.spans += other.spans
        self.hidden += other.hidden
        self.public_chars += other.public_chars
        self.kept_chars += other.kept_chars
        self.missed += other.missed
        self.touched += other.touched


def load(path: Path = CORPUS) -> tuple[list[Case], Rules]:
    """The cases of the corpus, and the user rules (`%terms`, `%patterns`) it is run with."""
    cases: list[Case] = []
    terms: list[str] = []
    patterns: list[str] = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not raw or raw.startswith("#"):
            continue
        kind, _, marked = raw.partition("\t")
        if kind == "%terms":
            terms += marked.split("\t")
            continue
        if kind == "%patterns":
            patterns += marked.split("\t")
            continue
        text, spans, position = [], [], 0
        for match in _MARK.finditer(marked):
            text.append(marked[position : match.start()])
            start = sum(len(t) for t in text)
            text.append(match.group(1))
            spans.append((start, start + len(match.group(1))))
            position = match.end()
        text.append(marked[position:])
        cases.append(Case(number, kind, "".join(text), tuple(spans)))
    return cases, Rules(terms=tuple(terms), patterns=tuple(patterns))


def score_case(case: Case, rules: Rules) -> Score:
    """How one case fares with a fresh Redactor built on `rules`."""
    covered = [False] * len(case.text)
    for hidden in Redactor(rules).find(case.text):
        for i in range(hidden.start, hidden.end):
            covered[i] = True
    result = Score()
    private = [False] * len(case.text)
    for start, end in case.private:
        result.spans += 1
        for i in range(start, end):
            private[i] = True
        significant = [i for i in range(start, end) if _SIGNIFICANT.match(case.text[i])]
        if all(covered[i] for i in significant):
            result.hidden += 1
        else:
            result.missed.append(case.text[start:end])
    run: list[str] = []
    for i, char in enumerate(case.text):
        if private[i]:
            continue
        result.public_chars += 1
        if covered[i]:
            run.append(char)
        else:
            result.kept_chars += 1
    if run:
        result.touched.append("".join(run))
    return result


def score(cases: list[Case], rules: Rules) -> dict[str, Score]:
    """Scores per class of case, and the total under "all"."""
    scores: dict[str, Score] = {"all": Score()}
    for case in cases:
        one = score_case(case, rules)
        scores.setdefault(case.kind, Score()).add(one)
        scores["all"].add(one)
    return scores
