"""Questions, reflections, lessons and TODOs from entries, in code and deterministically (pure).

An entry's body is first read into items (one per non-blank line outside code fences) nested by
indentation, so that "the children of `* 需要问的问题`" means what the journal means by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from reviewer.journal.outline import (
    DELAY_MARK,
    DONE_MARK,
    OPEN_BOX,
    TODO_PREFIX,
    Item,
    ancestors,
    clean,
    items,
    plain,
    section_members,
    struck,
)
from reviewer.journal.parse import Entry, Section
from reviewer.models import Question, Reflection, Todo

__all__ = [
    "Item",
    "clean",
    "extract_questions",
    "extract_reflections",
    "extract_todos",
    "is_label",
    "items",
    "undated_reflections",
    "undated_todos",
]

_DROP_MARK = re.compile(r"\[DROP(?:PED)?\]|搁置|不做了|放弃了", re.IGNORECASE)
# An item a TODO list leaves unticked but that says it is finished ("文字调整做了").
_DONE_WORDS = re.compile(r"(?:做了|做完了|完成了|搞定了|改好了|更新了|解决了)[\s。.!！]*$")
_QUESTION_SECTION = re.compile(
    r"^(?:需要(?:问的问题|问的东西|问的|请教的?|搞清楚的问题)|要请教的|待解决的问题|questions?|问题)"
    r"\s*[:：]?$",
    re.IGNORECASE,
)
_INLINE_QUESTION = re.compile(r"[?？]|问一下|请教|需不需要|是不是|要不要|是否")
# Words that make a line a question to put to someone, not just a wondering aloud.
_TO_ASK = re.compile(r"问一下|问问|请教|咨询|需要问|\bask\b", re.IGNORECASE)
_ASIDE = re.compile(r"^[（(][^（()）]*[)）]$")  # "（这里是搜每个模块是不是用Conv）": a remark
_ANSWER = re.compile(r"\s(?:--|——)\s*|——")
_TODO_SECTION = re.compile(
    r"^(?:关键的)?todo\s*[:：]?$|^需要(?:做|fix|加|改|完成)[^，,。]{0,12}[:：]?$"
    r"|^(?:晚上|今天|明天|下午|上午)?需要做[^，,。]{0,8}[:：]?$"
    r"|^需要做的事情?\s*[,，:：]",  # "需要做的事情,过文献": a label with a gloss
    re.IGNORECASE,
)
# Cheap pre-check before the costlier clean() + label match on every item.
_LABEL_HINT = re.compile(r"需要|请教|问|待|todo|question", re.IGNORECASE)
_REFLECTION = re.compile(r"自省|反思|反省")
_LESSON = re.compile(r"训诫|📌")
_LABEL_LEFTOVER = re.compile(r"[\s:：!！🤔*_#]+")


@lru_cache(maxsize=8192)
def _outline(entry: Entry) -> tuple[list[Item], dict[int, bool]]:
    """An entry's items and its question indices, computed once for all extractors."""
    found = items(entry.numbered_body())
    return found, _question_indices(found)


def _is_content(text: str) -> bool:
    return bool(_LABEL_LEFTOVER.sub("", clean(text)))


def _question_indices(found: list[Item]) -> dict[int, bool]:
    """Indices of question items, with True for those listed under a question section."""
    picked: dict[int, bool] = {}
    labels: set[int] = set()
    for i, item in enumerate(found):
        if _LABEL_HINT.search(item.text) and _QUESTION_SECTION.match(clean(item.text)):
            labels.add(i)
            for member in section_members(found, i):
                picked[member] = True
    for i, item in enumerate(found):
        if i in picked or i in labels or item.bullet == "#":
            continue
        bare = plain(item.text).strip()
        if not _INLINE_QUESTION.search(bare) or _ASIDE.match(bare):
            continue
        # Notes under a listed question explain it; they are not questions of their own.
        if any(a in picked or a in labels for a in ancestors(found, i)):
            continue
        picked[i] = False
    return picked


def _question(item: Item, entry: Entry, in_section: bool) -> Question | None:
    text = item.text
    inner = struck(text)
    answered = inner is not None or bool(DONE_MARK.search(text))
    if inner is not None:
        text = inner
    answer = ""
    split = _ANSWER.search(text)
    if split and split.start() > 0:
        answer = clean(text[split.end() :])
        text = text[: split.start()]
        answered = answered or bool(answer)
    if not in_section:
        # A strike through the question mark itself answers the question.
        for span in re.findall(r"~~(.+?)~~", text):
            if _INLINE_QUESTION.search(span):
                answered = True
    body = clean(text.replace("~~", ""))
    if not _is_content(body):
        return None
    return Question(
        text=body,
        date=entry.start,
        status="answered" if answered else "open",
        answer=answer,
        line=item.line,
        source=entry.source,
        kind="ask" if in_section or _TO_ASK.search(plain(item.text)) else "wonder",
    )


def extract_questions(entries: Iterable[Entry]) -> list[Question]:
    """Questions asked in the entries, in file order: the question sections' items and inline
    questions (?, 问一下, 请教, 需不需要, 是不是 ...), answered or open."""
    questions: list[Question] = []
    for entry in entries:
        found, picked = _outline(entry)
        for index, in_section in sorted(picked.items()):
            question = _question(found[index], entry, in_section)
            if question is not None:
                questions.append(question)
    return questions


def _reflection_kind(text: str) -> str | None:
    if _LESSON.search(text):
        return "lesson"
    if _REFLECTION.search(text):
        return "reflection"
    return None


def extract_reflections(entries: Iterable[Entry]) -> list[Reflection]:
    """Self-reflections (自省, 反思, 反省) and lessons (训诫, 📌) in the entries."""
    found_all: list[Reflection] = []
    for entry in entries:
        found = _outline(entry)[0]
        taken: set[int] = set()
        for i, item in enumerate(found):
            kind = _reflection_kind(item.text)
            if kind is None or i in taken:
                continue
            label_only = not _is_content(_LESSON.sub("", _REFLECTION.sub("", item.text)))
            members = section_members(found, i) if label_only else [i]
            for member in members:
                taken.add(member)
                text = clean(found[member].text.replace("~~", ""))
                if _is_content(text):
                    found_all.append(
                        Reflection(
                            text=text,
                            date=entry.start,
                            kind=kind,  # type: ignore[arg-type]
                            line=found[member].line,
                            source=entry.source,
                        )
                    )
    return found_all


def undated_reflections(sections: Iterable[Section]) -> list[Reflection]:
    """The items of undated self-reflection sections (`## 🤔自省🤔`)."""
    found: list[Reflection] = []
    for section in sections:
        if _reflection_kind(section.heading) is None:
            continue
        for item in items(enumerate(section.body, start=section.line + 1)):
            if item.parent is None and _is_content(item.text):
                found.append(
                    Reflection(text=clean(item.text), date=None, kind="reflection", line=item.line)
                )
    return found


def is_label(text: str) -> bool:
    """True for an item that only introduces a list (`需要问的问题`, `需要做的事情`, `todo`)."""
    plain = clean(text)
    return bool(_QUESTION_SECTION.match(plain) or _TODO_SECTION.search(plain))


def _todo_status(text: str) -> str | None:
    """The status a marker gives an item, or None when it carries no TODO marker."""
    if DELAY_MARK.search(text):
        return "delayed"
    if _DROP_MARK.search(text):
        return "dropped"
    if DONE_MARK.search(text) or struck(text) is not None:
        return "done"
    if TODO_PREFIX.match(text) or OPEN_BOX.match(text):
        return "open"
    return None


def _todo_text(text: str) -> str:
    inner = struck(text)
    return clean(inner if inner is not None else text)


def _unticked(text: str) -> str:
    return "done" if _DONE_WORDS.search(clean(text)) else "open"


def _todo_indices(found: list[Item], questions: set[int]) -> dict[int, str]:
    marked: dict[int, str] = {}
    for i, item in enumerate(found):
        status = _todo_status(item.text)
        if status is not None and (i not in questions or TODO_PREFIX.match(item.text)):
            marked[i] = status
    picked = dict(marked)
    for i, item in enumerate(found):
        if _LABEL_HINT.search(item.text) and _TODO_SECTION.search(clean(item.text)):
            picked.pop(i, None)  # the label itself is no TODO
            for member in section_members(found, i):
                if member not in questions and not _TODO_SECTION.search(clean(found[member].text)):
                    picked.setdefault(member, _unticked(found[member].text))
    # A list whose items are mostly ticked off is a TODO list: its unticked items are open.
    groups: dict[int | None, list[int]] = {}
    for i, item in enumerate(found):
        if item.bullet not in {"", "#"}:
            groups.setdefault(item.parent, []).append(i)
    for members in groups.values():
        ticked = [m for m in members if m in marked]
        if len(ticked) >= 2 and 2 * len(ticked) >= len(members):
            for member in members:
                text = found[member].text
                if member not in questions and len(clean(plain(text))) >= 4 and not is_label(text):
                    picked.setdefault(member, _unticked(found[member].text))
    return picked


def extract_todos(entries: Iterable[Entry]) -> list[Todo]:
    """TODOs with their status: done (👌, ~~…~~, [DONE]), delayed ([DELAY]), dropped, open."""
    todos: list[Todo] = []
    for entry in entries:
        found, picked = _outline(entry)
        questions = set(picked)
        for index, status in sorted(_todo_indices(found, questions).items()):
            text = _todo_text(found[index].text)
            if _is_content(text):
                todos.append(
                    Todo(
                        text=text,
                        date=entry.start,
                        status=status,  # type: ignore[arg-type]
                        line=found[index].line,
                        source=entry.source,
                    )
                )
    return todos


def undated_todos(sections: Iterable[Section]) -> list[Todo]:
    """TODOs of the undated `## Done` lists (Today / ShortTerm / LongTerm)."""
    todos: list[Todo] = []
    for section in sections:
        if _reflection_kind(section.heading) is not None:
            continue
        current = ""
        for item in items(enumerate(section.body, start=section.line + 1)):
            if item.bullet == "#":
                current = _LABEL_LEFTOVER.sub(" ", clean(item.text)).strip()
                current = re.sub(r"^[^\w]+", "", current)
                continue
            if item.bullet == "" and not _todo_status(item.text):
                continue
            status = _todo_status(item.text) or "open"
            text = _todo_text(item.text)
            if _is_content(text):
                todos.append(
                    Todo(
                        text=text,
                        date=None,
                        status=status,  # type: ignore[arg-type]
                        line=item.line,
                        list=current or section.heading,
                    )
                )
    return todos


def undated_questions(sections: Iterable[Section]) -> list[Question]:
    """Questions listed in undated sections: none yet."""
    return []
