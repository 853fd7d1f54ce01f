"""An entry's body as an outline: its lines as items nested by indentation (pure).

Also the text helpers every extractor shares: `clean` (item text for a digest) and `plain`
(text with code, links and URLs removed, where marker words are looked for).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import NamedTuple

__all__ = [
    "DELAY_MARK",
    "DONE_MARK",
    "DONE_PREFIX",
    "FENCE",
    "OPEN_BOX",
    "TODO_PREFIX",
    "Item",
    "ancestors",
    "children",
    "clean",
    "items",
    "plain",
    "section_members",
    "struck",
]

_BULLET = re.compile(r"^(?:([*+-])|(\d{1,3}[.)]))(?:[ \t\u3000]+|$)")
FENCE = re.compile(r"^[ \t]*(```|~~~)")  # a code fence line (shared with the parser)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)]*)\)")
_CODE = re.compile(r"`+[^`]*`+")
_URL = re.compile(r"https?://\S+")

DONE_MARK = re.compile(r"[（(]\s*👌\s*[)）]|👌|\[DONE\]|\[x\]|[（(]tick[)）]", re.IGNORECASE)
DELAY_MARK = re.compile(r"\[DELAY(?:ED)?\]", re.IGNORECASE)
OPEN_BOX = re.compile(r"^\[ ?\]\s*[-:：]?\s*")
# `TODO: x`, and the task keywords of Logseq and org-mode (`TODO x`, `LATER x`, `NOW x`).
TODO_PREFIX = re.compile(r"^(?:(?:TODO|todo|Todo)\s*[:：]\s*|(?:TODO|LATER|NOW|DOING|WAITING)\s+)")
DONE_PREFIX = re.compile(r"^(?:(?:DONE|Done)\s*[:：]\s*|DONE\s+)")
_WHOLE_STRIKE = re.compile(r"^~~(.+?)~~[\s.。,，;；]*$")

# "1. ", "2) ", "3、", "1.1 " written inside a bullet's text: list numbering, not content.
_NUMBERING = re.compile(r"^\d{1,2}(?:[.)、]\s*|\.\d{1,2}\)?\s+)")


class Item(NamedTuple):
    """One non-blank line of an entry, placed in the outline by its indentation."""

    line: int
    indent: int
    bullet: str  # "*", "-", "1.", "#" for a heading, "" for a plain line
    text: str  # the line without indentation and bullet
    parent: int | None  # index of the enclosing item in the entry's item list
    gap_before: bool  # a blank line precedes it


def _indent_width(prefix: str) -> int:
    if "\t" not in prefix and "\u3000" not in prefix:
        return len(prefix)  # spaces only: the common case, one column each
    width = 0
    for char in prefix:
        width += 4 - width % 4 if char == "\t" else 2 if char == "\u3000" else 1
    return width


# Cheap tests that rule a regex out before it runs (this runs on every line of every entry):
# a fence needs three backticks or tildes; a bullet is one of "*+-" followed by a space (read
# here without the regex) or a digit (`\d` is any Unicode decimal digit: isdigit() holds).
_BULLET_MARKS = frozenset("*+-")
_BULLET_GAPS = frozenset({"", " ", "\t", "\u3000"})  # what _BULLET takes after a mark
_RULES = frozenset({"---", "***", "___", "* * *"})
_GAP_RULES = frozenset({"---", "***", "___"})


def items(numbered: Iterable[tuple[int, str]]) -> list[Item]:
    """Outline an entry's body: non-blank lines outside code fences, nested by indentation."""
    found: list[Item] = []
    stack: list[tuple[int, int]] = []  # (indent, index)
    in_fence = False
    gap = False
    new = tuple.__new__  # Item(...) without NamedTuple's Python-level __new__: same tuple
    for lineno, raw in numbered:
        if "```" in raw or "~~~" in raw:
            fence = FENCE.match(raw)
            if fence and raw.count(fence.group(1)) % 2 == 1:
                in_fence = not in_fence
                continue
        body = raw.lstrip(" \t\u3000")
        stripped = body.rstrip(" \t\u3000")
        if in_fence or not stripped or stripped in _RULES:
            gap = gap or not stripped or stripped in _GAP_RULES
            continue
        indent = len(raw) - len(body)
        if indent and ("\t" in raw[:indent] or "\u3000" in raw[:indent]):
            indent = _indent_width(raw[:indent])
        first = body[0]
        if first == "#":
            bullet, text = "#", body.lstrip("#").strip()
            indent = 0
            stack.clear()
        elif first in _BULLET_MARKS and body[1:2] in _BULLET_GAPS:
            bullet, text = first, body[1:].strip()
        elif first.isdigit() or first in _BULLET_MARKS:
            match = _BULLET.match(body)
            if match:
                bullet = match.group(1) or match.group(2)
                text = body[match.end() :].strip()
            else:
                bullet, text = "", body.strip()
        else:
            bullet, text = "", body.strip()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        stack.append((indent, len(found)))
        found.append(new(Item, (lineno, indent, bullet, text, parent, gap)))
        gap = False
    return found


_TODO_KEYWORDS = ("TODO", "todo", "Todo", "LATER", "NOW", "DOING", "WAITING")  # TODO_PREFIX's
_DONE_KEYWORDS = ("DONE", "Done")  # DONE_PREFIX's


def clean(text: str) -> str:
    """Item text for a digest: no images, links as their text, no status markers."""
    # Images, links, DELAY_MARK and OPEN_BOX need a "[", DONE_MARK a "[", a 👌 or "(tick)";
    # most lines have none, and skipping five regexes there is most of clean()'s cost.
    if (
        "[" in text
        or "👌" in text
        or (("(" in text or "（" in text) and DONE_MARK.search(text) is not None)
    ):
        text = _IMAGE.sub("", text)
        text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
        text = DONE_MARK.sub("", text)
        text = DELAY_MARK.sub("", text)
        text = OPEN_BOX.sub("", text)
    if text.startswith(_TODO_KEYWORDS):
        text = TODO_PREFIX.sub("", text)
    if text.startswith(_DONE_KEYWORDS):
        text = DONE_PREFIX.sub("", text)
    if "📌" in text:
        text = text.replace("📌", "")
    text = text.strip()
    if text[:1].isdigit():  # `\d` is a Unicode decimal digit: isdigit() holds for each
        text = _NUMBERING.sub("", text)
    text = text.rstrip("\\ \t\u3000")
    return " ".join(text.split())


def plain(text: str) -> str:
    """Text with code, links, images and URLs removed: where question words are looked for."""
    if "](" not in text and "`" not in text and "http" not in text:
        return text  # none of the four patterns can match
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _CODE.sub(" ", text)
    return _URL.sub(" ", text)


def struck(text: str) -> str | None:
    """The inner text when the whole item is struck through (`~~done~~`), else None."""
    if "~~" not in text:
        return None
    match = _WHOLE_STRIKE.match(text.strip())
    if match and "~~" not in match.group(1):
        return match.group(1).strip()
    return None


def children(found: list[Item], index: int) -> Iterator[int]:
    for i in range(index + 1, len(found)):
        if found[i].parent == index:
            yield i
        elif found[i].indent <= found[index].indent or found[i].bullet == "#":
            return


def section_members(found: list[Item], index: int) -> list[int]:
    """The items a label introduces: its children, or, for a label with none (`Questions:`
    followed by a list at the same depth), its following siblings up to the next blank line."""
    if found[index].bullet == "#":
        # A heading introduces everything up to the next heading.
        members = []
        for i in range(index + 1, len(found)):
            if found[i].bullet == "#":
                break
            if found[i].parent is None:
                members.append(i)
        return members
    kids = list(children(found, index))
    if kids:
        return kids
    members = []
    for i in range(index + 1, len(found)):
        item = found[i]
        if item.gap_before or item.parent != found[index].parent or item.bullet in {"", "#"}:
            break
        members.append(i)
    return members


def ancestors(found: list[Item], index: int) -> Iterator[int]:
    parent = found[index].parent
    while parent is not None:
        yield parent
        parent = found[parent].parent
