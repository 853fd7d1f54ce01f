"""Answers to open questions proposed by the model from later entries, only when asked.

    build_suggest_plan(questions, entries)
      the open questions (redacted), in groups of at most half the budget, and for each group
      the entries written after its oldest question (trimmed, redacted), cut into batches that
      fit the budget; a batch carries only the questions asked before its last day
    ground_suggestions(answer, batch)
      a proposal is kept only when it names a question of its batch and cites a day of an
      entry sent in that batch, after the day the question was asked

Nothing here changes a question's status: the ledger shows the proposals beside the open
questions, and the journal's own marks (👌, strike-through, `-- answer`) still decide.
Pure apart from the token count, as in `plan`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from reviewer.facts.tracking import Tracked
from reviewer.journal.parse import Entry
from reviewer.llm.budget import trim_lines
from reviewer.llm.cited import cited_days, plain_prose
from reviewer.llm.plan import Call, Count, Message, cut_to_budget, entry_block, fits
from reviewer.llm.prompts import LANGUAGES, detect_lang, render_prompt
from reviewer.llm.redact import Redactor, Restored, Rules
from reviewer.llm.schema import SuggestAnswer
from reviewer.models import SuggestedAnswer

__all__ = [
    "SUGGEST_MAX_TOKENS",
    "Batch",
    "SuggestPlan",
    "Suggestions",
    "build_suggest_plan",
    "ground_suggestions",
]

SUGGEST_MAX_TOKENS = 1000
_ANSWER_MAX = 300  # characters of a proposed answer that are shown
_MESSAGE_OVERHEAD = 7  # what count() adds to one message besides its text (budget.py)
_JOIN = 2  # tokens a block costs in the template besides its own (blank line, heading mark)


@dataclass(frozen=True, slots=True)
class Batch:
    """One request, and what its answer may cite."""

    call: Call
    asked: dict[str, date]  # id -> day asked, of the questions sent
    days: frozenset[date]  # days of the entries sent


@dataclass(slots=True)
class SuggestPlan:
    """Every request of a `--suggest-answers` run, and the redactor to restore their answers."""

    batches: list[Batch]
    redactor: Redactor
    lang: str


@dataclass(frozen=True, slots=True)
class Suggestions:
    """What the model proposed, what was kept, and what it cost."""

    found: dict[str, SuggestedAnswer] = field(default_factory=dict)  # by question id
    proposed: int = 0
    rejected: int = 0  # proposals citing no later entry of their batch, or no question of it
    calls: int = 0  # HTTP requests made, retries included
    cached: bool = False
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0  # estimated, at list prices, as a week's
    degraded_reason: str = ""


@dataclass(frozen=True, slots=True)
class _Row:
    id: str
    asked: date
    text: str  # redacted
    tokens: int


@dataclass(frozen=True, slots=True)
class _Part:
    entry: Entry
    block: str  # redacted, trimmed
    tokens: int


def _heading(entry: Entry, redactor: Redactor) -> str:
    # The dates as parsed, not as written: a repaired heading's wrong year would be cited.
    span = str(entry.start) if entry.start == entry.end else f"{entry.start} ~ {entry.end}"
    return f"## {span} {redactor.redact(entry.title)}".rstrip()


def _block(entry: Entry, redactor: Redactor) -> str:
    lines = entry_block(entry, redactor, {}).split("\n")
    return "\n".join([_heading(entry, redactor), *lines[1:]])


def _one_line(text: str) -> str:
    trimmed = trim_lines([(0, line) for line in text.split("\n")])
    return " ".join(line.strip() for _, line in trimmed)


class _Requests:
    """Builds the messages of a batch; knows the fixed cost of one."""

    def __init__(self, lang: str, count: Count) -> None:
        self.system: Message = {
            "role": "system",
            "content": render_prompt("suggest_system", language=LANGUAGES[lang]),
        }
        self.count = count
        self.fixed = count(self.messages([], []))

    def messages(self, rows: Sequence[_Row], blocks: Sequence[str]) -> list[Message]:
        questions = [{"id": r.id, "date": str(r.asked), "text": r.text} for r in rows]
        user = render_prompt("suggest", questions=questions, entries=list(blocks))
        return [self.system, {"role": "user", "content": user}]

    def tokens(self, text: str) -> int:
        return max(0, self.count([{"role": "user", "content": text}]) - _MESSAGE_OVERHEAD)


def _groups(rows: list[_Row], limit: int) -> list[list[_Row]]:
    """Questions, oldest first, in runs of at most `limit` tokens (at least one each)."""
    groups: list[list[_Row]] = []
    size = 0
    for row in rows:
        if not groups or size + row.tokens > limit:
            groups.append([])
            size = 0
        groups[-1].append(row)
        size += row.tokens
    return groups


def _asked_before(rows: list[_Row], parts: Sequence[_Part]) -> list[_Row]:
    last = max(part.entry.end for part in parts)
    return [row for row in rows if row.asked < last]


def _batches(rows: list[_Row], parts: list[_Part], requests: _Requests, budget: int) -> list[Batch]:
    """The entries after the group's oldest question, greedily cut into calls by an estimate
    (each piece counted once), then each call checked and split while it does not fit."""
    first = rows[0].asked
    later = [part for part in parts if part.entry.end > first]
    runs: list[list[_Part]] = []
    run: list[_Part] = []
    for part in later:
        trial = [*run, part]
        asked = _asked_before(rows, trial)
        estimate = (
            requests.fixed + sum(r.tokens for r in asked) + sum(p.tokens + _JOIN for p in trial)
        )
        if run and estimate > budget:
            runs.append(run)
            trial = [part]
        run = trial
    if run:
        runs.append(run)
    return [batch for run in runs for batch in _settle(rows, run, requests, budget)]


def _settle(rows: list[_Row], run: list[_Part], requests: _Requests, budget: int) -> list[Batch]:
    asked = _asked_before(rows, run)
    blocks = [part.block for part in run]
    messages = requests.messages(asked, blocks)
    if not fits(messages, budget, requests.count):
        if len(run) > 1:
            middle = len(run) // 2
            return _settle(rows, run[:middle], requests, budget) + _settle(
                rows, run[middle:], requests, budget
            )

        def alone(block: str) -> list[Message]:
            return requests.messages(asked, [block])

        messages = alone(cut_to_budget(blocks[0], alone, budget, requests.count))
    days = frozenset(day for part in run for day in part.entry.days)
    call = Call("suggest", messages, SUGGEST_MAX_TOKENS, label=f"{run[0].entry.start}")
    return [Batch(call, {row.id: row.asked for row in asked}, days)]


def build_suggest_plan(
    questions: Sequence[Tracked],
    entries: Sequence[Entry],
    lang: str,
    budget: int,
    count: Count,
    rules: Rules | None = None,
) -> SuggestPlan:
    """The requests that ask which later entry answers each open question (`lang`: zh|en|auto)."""
    asked = sorted(
        (q for q in questions if q.first is not None and q.status == "open"),
        key=lambda q: (q.first or date.min, q.line),
    )
    if not asked:
        return SuggestPlan([], Redactor(rules), "en" if lang == "auto" else lang)
    oldest = asked[0].first or date.min
    later = sorted((e for e in entries if e.end > oldest), key=lambda e: (e.start, e.end, e.line))
    if lang == "auto":
        lang = detect_lang([q.text for q in asked] + [ln for e in later for ln in e.body])
    redactor = Redactor(rules)
    # Learn every value first, as for a week: the same placeholder in every batch, and a host
    # named in a command hidden wherever else it is written.
    redactor.learn(
        "\n".join(q.text for q in asked)
        + "\n"
        + "\n".join(e.heading + "\n" + "\n".join(e.body) for e in later)
    )
    requests = _Requests(lang, count)
    rows = []
    for q in asked:
        text = _one_line(redactor.redact(q.text))
        line = f"- {q.id} (asked {q.first}): {text}"
        rows.append(_Row(q.id, q.first or oldest, text, requests.tokens(line)))
    parts = []
    for entry in later:
        block = _block(entry, redactor)
        parts.append(_Part(entry, block, requests.tokens(block)))
    # Questions take at most half a request, so that entries always have room.
    groups = _groups(rows, budget // 2)
    batches = [b for group in groups for b in _batches(group, parts, requests, budget)]
    return SuggestPlan(batches, redactor, lang)


def ground_suggestions(
    answer: SuggestAnswer, batch: Batch, restore: Callable[[str], Restored | str]
) -> tuple[list[SuggestedAnswer], int]:
    """The proposals that name a question of the batch and cite a day of one of its entries
    after the question was asked (answers restored, secrets masked), and how many were
    rejected; one whose placeholder stands for nothing is rejected too."""
    kept: list[SuggestedAnswer] = []
    rejected = 0
    for proposal in answer.suggestions:
        question = proposal.question.strip()
        asked = batch.asked.get(question)
        found = cited_days(proposal.date, asked, asked) if asked else None
        day = found.days[0] if found and len(found.days) == 1 else None
        restored = restore(proposal.answer)
        if isinstance(restored, Restored):
            if restored.broken:
                rejected += 1
                continue
            restored = restored.text
        text = " ".join(plain_prose(restored).split())  # one line in every format
        if asked is None or day is None or day not in batch.days or day <= asked or not text:
            rejected += 1
            continue
        if len(text) > _ANSWER_MAX:
            text = text[: _ANSWER_MAX - 1].rstrip() + "…"
        kept.append(SuggestedAnswer(question=question, date=day, answer=text))
    return kept, rejected
