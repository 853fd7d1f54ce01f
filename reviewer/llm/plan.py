"""From a week's facts to the exact requests to send: redacted, trimmed, within the budget.

One call for the week when its prompt fits the token budget; otherwise one map call per day
(an entry spanning days is one part) and a reduce call over the day summaries. Pure apart from
the token count, which is only asked for when a cheap byte bound cannot prove the fit (the
OpenAI backend remembers counts in its cache, so a warm run loads no tokenizer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from reviewer.journal.parse import Entry
from reviewer.llm.base import WeekFacts
from reviewer.llm.budget import byte_bound, trim_lines
from reviewer.llm.prompts import LANGUAGES, detect_lang, render_prompt
from reviewer.llm.redact import Redactor, Rules
from reviewer.llm.schema import DayAnswer

__all__ = [
    "DEFAULT_BUDGET",
    "Call",
    "Plan",
    "build_plan",
    "cut_to_budget",
    "entry_block",
    "entry_heading",
    "fits",
    "week_redactor",
]

DEFAULT_BUDGET = 6000  # prompt tokens per call; small enough for a local 8k-context model
WEEK_MAX_TOKENS = 1500
MAP_MAX_TOKENS = 500
_OPEN_ITEMS = 12
_CARRIED = 6  # carried-over asks sent: the two oldest and the newest; the rest only counted
_CARRIED_CHARS = 100  # of one ask or TODO: enough to recognise it, not its whole paragraph

Message = dict[str, str]
Count = Callable[[list[Message]], int]  # prompt tokens of a request's messages
# Done items carry their own marks in the text (👌, ~~…~~, 做了): no tag spent on them.
_TODO_TAGS = {"open": "[TODO]", "done": "", "delayed": "[DELAYED]", "dropped": "[DROPPED]"}


@dataclass(frozen=True, slots=True)
class Call:
    """One chat request: what it is for, its messages, and its completion limit."""

    task: str  # "week" | "map" | "reduce" | "month" | "suggest"
    messages: list[Message]
    max_tokens: int
    label: str = ""  # the part of the week a map call covers


@dataclass(slots=True)
class Plan:
    """The calls for a week, and what is needed to make and check their answers."""

    facts: WeekFacts
    lang: str
    calls: list[Call]  # the week call, or the map calls
    reduce: bool  # a reduce call over the map answers follows
    redactor: Redactor
    allowed: set[date]  # days a highlight may cite
    open_items: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    also: set[date] = field(default_factory=set)  # days of the asks and TODOs sent from before
    earlier: dict[str, list[str] | int] = field(default_factory=dict)  # the templates' asks, ...

    def reduce_call(self, answers: list[DayAnswer]) -> Call:
        """The reduce request built from the map answers, in the order of the map calls."""
        days = [
            {
                "label": label,
                "summary": self.redactor.redact(answer.summary),
                "highlights": [
                    self.redactor.redact(f"{h.text} ({', '.join(h.dates)})")
                    for h in answer.highlights
                ],
            }
            for label, answer in zip(self.labels, answers, strict=True)
        ]
        user = render_prompt(
            "reduce",
            **_week_vars(self.facts),
            days=days,
            open_items=self.open_items,
            **self.earlier,
        )
        return Call("reduce", [self._system("reduce"), _user(user)], WEEK_MAX_TOKENS)

    def _system(self, task: str) -> Message:
        return {"role": "system", "content": _system_text(self.facts, self.lang, task)}


def _user(content: str) -> Message:
    return {"role": "user", "content": content}


def _week_vars(facts: WeekFacts) -> dict[str, str]:
    week = facts.week
    return {"iso": week.iso, "start": str(week.start), "end": str(week.end)}


def _system_text(facts: WeekFacts, lang: str, task: str) -> str:
    return render_prompt(
        "system", task=task, lang=lang, language=LANGUAGES[lang], **_week_vars(facts)
    )


def _tags(facts: WeekFacts) -> dict[tuple[str, int], str]:
    """Line -> the tag that says what extraction found on it."""
    tags: dict[tuple[str, int], str] = {}
    for todo in facts.todos:
        tags[(todo.source, todo.line)] = _TODO_TAGS[todo.status]
    for question in facts.questions:
        open_ = question.status == "open"
        tags[(question.source, question.line)] = "[Q]" if open_ else "[Q answered]"
    for reflection in facts.reflections:
        tags[(reflection.source, reflection.line)] = (
            "[LESSON]" if reflection.kind == "lesson" else "[REFLECTION]"
        )
    return tags


def entry_heading(entry: Entry, redactor: Redactor) -> str:
    """An entry's heading as sent: its dates as parsed and repaired, not as written (a model
    citing `2020-2-1` of a heading repaired to 2021-02-01 would have its claim dropped), then
    its title, redacted."""
    span = str(entry.start) if entry.start == entry.end else f"{entry.start} ~ {entry.end}"
    return f"## {span} {redactor.redact(entry.title)}".rstrip()


def entry_block(entry: Entry, redactor: Redactor, tags: dict[tuple[str, int], str]) -> str:
    """An entry as sent: its heading, then its lines redacted, trimmed and tagged."""
    lines = redactor.redact("\n".join(entry.body)).split("\n")
    if len(lines) != len(entry.body):  # a rule swallowed a line break: keep text, lose tags
        tags = {}
    numbered = list(enumerate(lines, start=entry.line + 1))
    out = [entry_heading(entry, redactor)]
    for line_no, text in trim_lines(numbered):
        tag = tags.get((entry.source, line_no))
        out.append(f"{text} {tag}" if tag else text)
    return "\n".join(out)


def _compact(text: str, redactor: Redactor) -> str:
    """One line of an ask or TODO, redacted, cut to _CARRIED_CHARS."""
    line = " ".join(redactor.redact(text).split())
    return line if len(line) <= _CARRIED_CHARS else line[: _CARRIED_CHARS - 1].rstrip() + "…"


def earlier_items(facts: WeekFacts, redactor: Redactor) -> dict[str, list[str] | int]:
    """What is still open from before the week, compactly, with its age: the asks carried
    over (the newest _CARRIED; the rest counted) and the TODOs open longest. Next week's picks
    are drawn from these as much as from the week."""
    # carried asks come from dated entries; an undated one would sort first
    asks = sorted(facts.carried, key=lambda q: q.date or facts.week.start)
    # The newest (still fresh) and the two oldest (open for longest): both are worth a pick.
    recent = asks if len(asks) <= _CARRIED else asks[:2] + asks[2 - _CARRIED :]
    return {
        "asks": [f"{q.date} ({q.age_days} days) {_compact(q.text, redactor)}" for q in recent],
        "asks_older": len(asks) - len(recent),  # "…and 12 more asks"
        "long_open": [
            f"{t.date} ({t.age_days} days){' [DELAYED]' if t.status == 'delayed' else ''} "
            f"{_compact(t.text, redactor)}"
            for t in facts.stale_todos
            if t.date is not None
        ],
    }


def fits(messages: list[Message], budget: int, count: Count) -> bool:
    """True when the request's prompt is within `budget` tokens."""
    if byte_bound(messages) <= budget:
        return True  # proven without a tokenizer
    return count(messages) <= budget


def cut_to_budget(
    block: str, make: Callable[[str], list[Message]], budget: int, count: Count
) -> str:
    """The longest head of `block` (whole lines) whose call fits the budget."""
    lines = block.split("\n")
    low, high = 1, len(lines)
    while low < high:
        middle = (low + high + 1) // 2
        if count(make("\n".join(lines[:middle]) + "\n…")) <= budget:
            low = middle
        else:
            high = middle - 1
    return "\n".join(lines[:low]) + "\n…"


def week_redactor(entries: list[Entry], rules: Rules | None = None) -> Redactor:
    """A redactor that has learned every value of `entries`: numbering follows the journal, and
    a host named in a command is hidden wherever it appears, even above the command."""
    redactor = Redactor(rules)
    redactor.learn("\n".join(e.heading + "\n" + "\n".join(e.body) for e in entries))
    return redactor


def build_plan(
    facts: WeekFacts,
    lang: str,
    budget: int,
    count: Count,
    rules: Rules | None = None,
) -> Plan:
    """The requests for `facts`: one week call, or map calls then a reduce (`lang`: zh|en|auto);
    `rules` are the user's own redaction terms and patterns."""
    if lang == "auto":
        lang = detect_lang(line for entry in facts.entries for line in entry.body)
    redactor = week_redactor(facts.entries, rules)
    tags = _tags(facts)
    parts: dict[tuple[date, date], list[str]] = {}  # the map step's unit: a day, or a range
    for entry in sorted(facts.entries, key=lambda e: (e.start, e.end, e.line)):
        parts.setdefault((entry.start, entry.end), []).append(entry_block(entry, redactor, tags))
    blocks = ["\n".join(part) for part in parts.values()]
    allowed = {day for e in facts.entries for day in e.days if day in facts.week}
    system = {"role": "system", "content": _system_text(facts, lang, "week")}
    earlier = earlier_items(facts, redactor)
    week_user = render_prompt("week", **_week_vars(facts), entries=blocks, **earlier)
    messages = [system, _user(week_user)]
    plan = Plan(facts, lang, [], False, redactor, allowed, earlier=earlier)
    plan.also = {q.date for q in facts.carried if q.date is not None} | {
        t.date for t in facts.stale_todos if t.date is not None
    }
    if fits(messages, budget, count):
        plan.calls = [Call("week", messages, WEEK_MAX_TOKENS)]
        return plan

    map_system = {"role": "system", "content": _system_text(facts, lang, "map")}

    def map_messages(block: str) -> list[Message]:
        return [map_system, _user(render_prompt("map", **_week_vars(facts), block=block))]

    for (start, end), block in zip(parts, blocks, strict=True):
        label = str(start) if start == end else f"{start} ~ {end}"
        if not fits(map_messages(block), budget, count):
            block = cut_to_budget(block, map_messages, budget, count)
        plan.calls.append(Call("map", map_messages(block), MAP_MAX_TOKENS, label))
        plan.labels.append(label)
    plan.reduce = True
    plan.open_items = [
        redactor.redact(f"{_TODO_TAGS[t.status]} {t.date} {t.text}")
        for t in facts.todos
        if t.status in {"open", "delayed"}
    ][:_OPEN_ITEMS] + [
        redactor.redact(f"[Q] {q.date} {q.text}") for q in facts.questions if q.status == "open"
    ][:_OPEN_ITEMS]
    return plan
