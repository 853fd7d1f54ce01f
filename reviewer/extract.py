"""Questions, reflections, lessons and TODOs from entries, in code and deterministically (pure).

An entry's body is first read into items (one per non-blank line outside code fences) nested by
indentation, so that "the children of `* 需要问的问题`" means what the journal means by it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import NamedTuple

from reviewer.journal import Entry, Section
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

_BULLET = re.compile(r"^(?:([*+-])|(\d{1,3}[.)]))(?:[ \t\u3000]+|$)")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_CODE = re.compile(r"`+[^`]*`+")
_URL = re.compile(r"https?://\S+")

_DONE_MARK = re.compile(r"[（(]\s*👌\s*[)）]|👌|\[DONE\]|\[x\]|[（(]tick[)）]", re.IGNORECASE)
_DELAY_MARK = re.compile(r"\[DELAY(?:ED)?\]", re.IGNORECASE)
_DROP_MARK = re.compile(r"\[DROP(?:PED)?\]|搁置|不做了|放弃了", re.IGNORECASE)
_OPEN_BOX = re.compile(r"^\[ ?\]\s*[-:：]?\s*")
_TODO_PREFIX = re.compile(r"^(?:TODO|todo|Todo)\s*[:：]\s*")
# An item a TODO list leaves unticked but that says it is finished ("文字调整做了").
_DONE_WORDS = re.compile(r"(?:做了|做完了|完成了|搞定了|改好了|更新了|解决了)[\s。.!！]*$")
_WHOLE_STRIKE = re.compile(r"^~~(.+?)~~[\s.。,，;；]*$")

_QUESTION_SECTION = re.compile(
    r"^(?:需要(?:问的问题|问的东西|问的|请教的?|搞清楚的问题)|要请教的|待解决的问题|questions?|问题)"
    r"\s*[:：]?$",
    re.IGNORECASE,
)
_INLINE_QUESTION = re.compile(r"[?？]|问一下|请教|需不需要|是不是|要不要|是否")
# "1. ", "2) ", "3、", "1.1 " written inside a bullet's text: list numbering, not content.
_NUMBERING = re.compile(r"^\d{1,2}(?:[.)、]\s*|\.\d{1,2}\)?\s+)")
_ASIDE = re.compile(r"^[（(][^（()）]*[)）]$")  # "（这里是搜每个模块是不是用Conv）": a remark
_ANSWER = re.compile(r"\s(?:--|——)\s*|——")
_TODO_SECTION = re.compile(
    r"^(?:关键的)?todo\s*[:：]?$|^需要(?:做|fix|加|改|完成)[^，,。]{0,12}[:：]?$"
    r"|^(?:晚上|今天|明天|下午|上午)?需要做[^，,。]{0,8}[:：]?$",
    re.IGNORECASE,
)
# Cheap pre-check before the costlier clean() + label match on every item.
_LABEL_HINT = re.compile(r"需要|请教|问|待|todo|question", re.IGNORECASE)
_REFLECTION = re.compile(r"自省|反思|反省")
_LESSON = re.compile(r"训诫|📌")
_LABEL_LEFTOVER = re.compile(r"[\s:：!！🤔*_#]+")


class Item(NamedTuple):
    """One non-blank line of an entry, placed in the outline by its indentation."""

    line: int
    indent: int
    bullet: str  # "*", "-", "1.", "#" for a heading, "" for a plain line
    text: str  # the line without indentation and bullet
    parent: int | None  # index of the enclosing item in the entry's item list
    gap_before: bool  # a blank line precedes it


def _indent_width(prefix: str) -> int:
    width = 0
    for char in prefix:
        width += 4 - width % 4 if char == "\t" else 2 if char == "\u3000" else 1
    return width


def items(numbered: Iterable[tuple[int, str]]) -> list[Item]:
    """Outline an entry's body: non-blank lines outside code fences, nested by indentation."""
    found: list[Item] = []
    stack: list[tuple[int, int]] = []  # (indent, index)
    in_fence = False
    gap = False
    for lineno, raw in numbered:
        fence = _FENCE.match(raw)
        if fence and raw.count(fence.group(1)) % 2 == 1:
            in_fence = not in_fence
            continue
        stripped = raw.strip(" \t\u3000")
        if in_fence or not stripped or stripped in {"---", "***", "___", "* * *"}:
            gap = gap or not stripped or stripped in {"---", "***", "___"}
            continue
        body = raw.lstrip(" \t\u3000")
        indent = _indent_width(raw[: len(raw) - len(body)])
        bullet = ""
        if body.startswith("#"):
            bullet, text = "#", body.lstrip("#").strip()
            indent = 0
            stack.clear()
        else:
            match = _BULLET.match(body)
            if match:
                bullet = match.group(1) or match.group(2)
                text = body[match.end() :].strip()
            else:
                text = body.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        found.append(Item(lineno, indent, bullet, text, parent, gap))
        stack.append((indent, len(found) - 1))
        gap = False
    return found


@lru_cache(maxsize=8192)
def _outline(entry: Entry) -> tuple[list[Item], dict[int, bool]]:
    """An entry's items and its question indices, computed once for all extractors."""
    found = items(entry.numbered_body())
    return found, _question_indices(found)


def clean(text: str) -> str:
    """Item text for a digest: no images, links as their text, no status markers."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = _DONE_MARK.sub("", text)
    text = _DELAY_MARK.sub("", text)
    text = _OPEN_BOX.sub("", text)
    text = _TODO_PREFIX.sub("", text)
    text = text.replace("📌", "")
    text = _NUMBERING.sub("", text.strip())
    text = text.rstrip("\\ \t\u3000")
    return " ".join(text.split())


def _plain(text: str) -> str:
    """Text with code, links, images and URLs removed: where question words are looked for."""
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _CODE.sub(" ", text)
    return _URL.sub(" ", text)


def _struck(text: str) -> str | None:
    """The inner text when the whole item is struck through (`~~done~~`), else None."""
    match = _WHOLE_STRIKE.match(text.strip())
    if match and "~~" not in match.group(1):
        return match.group(1).strip()
    return None


def _children(found: list[Item], index: int) -> Iterator[int]:
    for i in range(index + 1, len(found)):
        if found[i].parent == index:
            yield i
        elif found[i].indent <= found[index].indent or found[i].bullet == "#":
            return


def _section_members(found: list[Item], index: int) -> list[int]:
    """The items a label introduces: its children, or, for a label with none (`Questions:`
    followed by a list at the same depth), its following siblings up to the next blank line."""
    kids = list(_children(found, index))
    if kids:
        return kids
    members = []
    for i in range(index + 1, len(found)):
        item = found[i]
        if item.gap_before or item.parent != found[index].parent or item.bullet in {"", "#"}:
            break
        members.append(i)
    return members


def _is_content(text: str) -> bool:
    return bool(_LABEL_LEFTOVER.sub("", clean(text)))


def _question_indices(found: list[Item]) -> dict[int, bool]:
    """Indices of question items, with True for those listed under a question section."""
    picked: dict[int, bool] = {}
    labels: set[int] = set()
    for i, item in enumerate(found):
        if _LABEL_HINT.search(item.text) and _QUESTION_SECTION.match(clean(item.text)):
            labels.add(i)
            for member in _section_members(found, i):
                picked[member] = True
    for i, item in enumerate(found):
        if i in picked or i in labels or item.bullet == "#":
            continue
        plain = _plain(item.text).strip()
        if not _INLINE_QUESTION.search(plain) or _ASIDE.match(plain):
            continue
        # Notes under a listed question explain it; they are not questions of their own.
        if any(a in picked or a in labels for a in _ancestors(found, i)):
            continue
        picked[i] = False
    return picked


def _ancestors(found: list[Item], index: int) -> Iterator[int]:
    parent = found[index].parent
    while parent is not None:
        yield parent
        parent = found[parent].parent


def _question(item: Item, entry: Entry, in_section: bool) -> Question | None:
    text = item.text
    struck = _struck(text)
    answered = struck is not None or bool(_DONE_MARK.search(text))
    if struck is not None:
        text = struck
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
            members = _section_members(found, i) if label_only else [i]
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
    if _DELAY_MARK.search(text):
        return "delayed"
    if _DROP_MARK.search(text):
        return "dropped"
    if _DONE_MARK.search(text) or _struck(text) is not None:
        return "done"
    if _TODO_PREFIX.match(text) or _OPEN_BOX.match(text):
        return "open"
    return None


def _todo_text(text: str) -> str:
    struck = _struck(text)
    return clean(struck if struck is not None else text)


def _unticked(text: str) -> str:
    return "done" if _DONE_WORDS.search(clean(text)) else "open"


def _todo_indices(found: list[Item], questions: set[int]) -> dict[int, str]:
    marked: dict[int, str] = {}
    for i, item in enumerate(found):
        status = _todo_status(item.text)
        if status is not None and (i not in questions or _TODO_PREFIX.match(item.text)):
            marked[i] = status
    picked = dict(marked)
    for i, item in enumerate(found):
        if _LABEL_HINT.search(item.text) and _TODO_SECTION.search(clean(item.text)):
            picked.pop(i, None)  # the label itself is no TODO
            for member in _section_members(found, i):
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
                if member not in questions and len(clean(_plain(text))) >= 4 and not is_label(text):
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
