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
from reviewer.journal.outline import DONE_MARK, struck
from reviewer.journal.parse import Entry, parse_date_heading
from reviewer.llm.base import Summary, WeekFacts
from reviewer.models import Highlight, NextItem

__all__ = ["HIGHLIGHTS", "OfflineBackend", "highlights_of", "normalized", "topics_of"]

HIGHLIGHTS = 7  # the digest's budget: a list a reader takes in at a glance
NEXT = 5
_PER_ENTRY = 2
_THEMES = 5  # recurring terms named as the week's themes (and in its summary)
_TOPICS = 10  # recurring terms a highlight scores higher for
_MAX_TEXT = 140
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9+#]*(?:[-_][A-Za-z0-9]+)*")
_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\]\([^)]*\)|https?://\S+|`[^`]*`")
_COMPARE = re.compile(r"[\s`*_~，,。.;；:：!！?？…]+")
_MARKED = re.compile(r"📌|训诫|[!！]")
_RESULT = re.compile(
    r"\d|结果|完成|做完|搞定|终于|提升|提高|下降|发现|解决|result|finish|done|works?\b|fixed",
    re.IGNORECASE,
)
_CONTAINER = re.compile(r"[:：]\s*$")
_WONDER = re.compile(r"[?？]")
_UNFINISHED = re.compile(r"[,，、]\s*$")
_TOKEN = re.compile(r"[\x21-\x7e]+")
_COMMAND = re.compile(r"^\$ |^[A-Z_]{3,}=|(?:^|\s)--[a-z]|(?:[\w.-]+/){2,}[\w.-]+\.\w+")
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
    """Extractive summary, the week's most telling lines as highlights, next week = the open
    items to pick up first."""

    name = "offline"
    model = ""
    # What shapes its output besides the facts: its code, i.e. the release.
    key = f"offline/{__version__}"

    def __init__(self, notice: str = "") -> None:
        self.notice = notice

    def summarize(self, facts: WeekFacts) -> Summary:
        """Build the review from the facts; never fails, never calls out."""
        topics = topics_of(facts.entries, limit=_TOPICS)  # the week's terms, read once
        return Summary(
            summary=summary_text(facts, topics[:_THEMES]),
            highlights=highlights_of(facts, topics=topics),
            next_week=next_items(facts),
            backend=self.name,
            themes=[word for word, _ in topics[:_THEMES]],
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


def normalized(text: str) -> str:
    """An item's text for comparing across sections: no markup, spacing or end punctuation."""
    return _COMPARE.sub("", clean(text).replace("~~", "")).lower()


def _score(text: str, done: bool, top_level: bool, topics: list[str]) -> float:
    """How much a line tells a reader about the week, from signals any journal gives: a
    sentence beats a fragment, a marked or finished line beats a plain one, a result (a
    number, a word like 结果/搞定/finished) and a recurring topic beat a passing note."""
    width = _width(text)
    score = -3.0 if width < 8 else -1.0 if width < 16 else 1.0 if width <= 100 else 0.5
    if _MARKED.search(text):
        score += 2
    if _RESULT.search(text):
        score += 1.5
    if done:
        score += 2
    lowered = text.lower()
    score += min(2, sum(1 for topic in topics if topic in lowered))
    if top_level:
        score += 0.5
    if _CONTAINER.search(text):  # "减少空间：": the items under it say what
        score -= 2
    elif _UNFINISHED.search(text):  # "随机sample 200个架构过predictor，": goes on below
        score -= 1
    if _TOKEN.fullmatch(text) or _COMMAND.search(text):  # a file name or a shell command
        score -= 3
    if _WONDER.search(text):  # questions belong to the Questions section
        score -= 1
    return score


def highlights_of(
    facts: WeekFacts, limit: int = HIGHLIGHTS, topics: list[tuple[str, int]] | None = None
) -> list[Highlight]:
    """The week's `limit` most telling lines, chosen by `_score` (at most two per entry, so
    one busy day does not fill the list), in date order, each citing its entry's dates.

    Lines that another section owns (questions, open TODOs, reflections) are left to it; a
    TODO done this week may be a highlight, and the digest then shows it there only.
    `topics`: the week's `topics_of` (_TOPICS of them), when worked out already.
    """
    owned = {normalized(q.text) for q in facts.questions + facts.carried}
    owned |= {normalized(t.text) for t in facts.todos + facts.stale_todos if t.status != "done"}
    owned |= {normalized(r.text) for r in facts.reflections}
    done = {normalized(t.text) for t in facts.todos if t.status == "done"}
    if topics is None:
        topics = topics_of(facts.entries, limit=_TOPICS)
    words = [word.lower() for word, _ in topics[:_TOPICS]]
    per_entry: list[list[tuple[float, int, int, Highlight]]] = []
    for order, entry in enumerate(facts.entries):
        seen: set[str] = set()
        scored: list[tuple[float, int, int, Highlight]] = []
        for item in items(entry.numbered_body()):
            if not _worth_highlighting(item):
                continue
            text = clean(item.text)
            key = normalized(text)
            if not key or key in owned or key in seen:
                continue
            seen.add(key)
            is_done = key in done or bool(DONE_MARK.search(item.text))
            is_done = is_done or struck(item.text) is not None
            score = _score(text, is_done, item.parent is None, words)
            highlight = Highlight(text=_truncate(text), dates=_in_week(entry, facts))
            scored.append((score, order, item.line, highlight))
        scored.sort(key=lambda s: (-s[0], s[2]))
        per_entry.append(scored[:_PER_ENTRY])
    # Every day first gets its best line (what was done that day), then the best seconds.
    chosen: list[tuple[float, int, int, Highlight]] = []
    for rank in range(_PER_ENTRY):
        rest = sorted(
            (lines[rank] for lines in per_entry if len(lines) > rank and lines[rank][0] > 0),
            key=lambda r: (-r[0], r[1], r[2]),
        )
        chosen += rest[: limit - len(chosen)]
    if not chosen:  # a sparse week of short notes: its days' best lines are still its story
        chosen = [lines[0] for lines in per_entry if lines][:limit]
    chosen.sort(key=lambda r: (min(r[3].dates, default=facts.week.start), r[1], r[2]))
    return [r[3] for r in chosen]


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


def topics_of(entries: list[Entry], limit: int = _THEMES) -> list[tuple[str, int]]:
    """Latin-script terms written on at least two days, by the number of days they appear on;
    a two-word term found on as many days as its words replaces them.

    Chinese words are not segmented: tried with jieba 0.42 on the fixture (2026-11), its
    recurring words for W09 were mostly generic (最后, 结果, 方法, 问题, 表示; one real
    topic, 画图) while loading its dictionary took 1 to 4 s per process, more than the whole
    site build's budget. Not worth a dependency until a segmenter does measurably better."""
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


def summary_text(facts: WeekFacts, topics: list[tuple[str, int]] | None = None) -> str:
    """A few factual sentences about the week, made from counts, in the digest's language
    (`topics`: the week's themes, `topics_of`, when worked out already)."""
    zh = facts.lang == "zh"
    if not facts.entries:
        if zh:
            return f"{facts.week.iso}（{facts.week.start} 至 {facts.week.end}）没有记日志。"
        return (
            f"Nothing was journaled in {facts.week.iso} ({facts.week.start} to {facts.week.end})."
        )
    sizes = [(sum(1 for ln in e.body if ln.strip()), e) for e in facts.entries]
    lines, busiest = max(sizes, key=lambda pair: (pair[0], pair[1].start))
    label = busiest.heading if busiest.start != busiest.end else str(busiest.start)
    if topics is None:
        topics = topics_of(facts.entries, limit=_THEMES)
    done = sum(t.status == "done" for t in facts.todos)
    still = sum(t.status == "open" for t in facts.todos)
    answered = sum(q.status == "answered" for q in facts.questions)
    asked, carried, lessons = len(facts.questions), len(facts.carried), len(facts.reflections)
    if zh:
        parts = [
            f"7 天中记了 {facts.days_journaled} 天"
            + (f"，已连续 {facts.streak_days} 天。" if facts.streak_days else "。")
        ]
        if lines:
            parts.append(f"{label} 写得最多（{lines} 行）。")
        if topics:
            parts.append("反复出现的话题：" + "、".join(f"{w}（{n} 天）" for w, n in topics) + "。")
        parts.append(
            f"完成 {done} 项 TODO，{still} 项未完成；提出 {asked} 个问题（{answered} 个已回答），"
            f"{carried} 个延续自前几周；反思 {lessons} 条。"
        )
        return "".join(parts)
    parts = [
        f"{facts.days_journaled} of 7 days journaled"
        + (f", a streak of {_plural(facts.streak_days, 'day')}." if facts.streak_days else ".")
    ]
    if lines:
        parts.append(f"Most written on {label} ({_plural(lines, 'line')}).")
    if topics:
        parts.append(
            "Recurring topics: " + ", ".join(f"{w} ({_plural(n, 'day')})" for w, n in topics) + "."
        )
    parts.append(
        f"{_plural(done, 'TODO')} done, {still} still open; "
        f"{_plural(asked, 'question')} asked ({answered} answered), "
        f"{carried} carried over; {_plural(lessons, 'reflection')} noted."
    )
    return " ".join(parts)


def next_items(facts: WeekFacts, limit: int = NEXT) -> list[NextItem]:
    """What to pick up first: the week's open TODOs (newest first: the freshest plans), then
    the ask open longest and the TODO open longest, which most need a decision. The digest
    points at them where they are listed rather than repeating them."""
    picked: list[NextItem] = []
    fresh = [
        t
        for t in facts.todos
        if t.status in {"open", "delayed"} and t.date is not None and not _CONTAINER.search(t.text)
    ]
    fresh.sort(key=lambda t: t.date or facts.week.start, reverse=True)
    for todo in fresh[: max(1, limit - 2)]:
        picked.append(
            NextItem(text=_truncate(todo.text), dates=[todo.date or facts.week.start], kind="todo")
        )
    asks = [q for q in facts.questions if q.status == "open" and q.kind == "ask"]
    for question in facts.carried[:1] or asks[:1]:
        picked.append(
            NextItem(
                text=_truncate(question.text),
                dates=[question.date] if question.date else [],
                kind="question",
            )
        )
    for todo in facts.stale_todos[:1]:
        picked.append(
            NextItem(text=_truncate(todo.text), dates=[todo.date or facts.week.start], kind="todo")
        )
    return picked[:limit]
