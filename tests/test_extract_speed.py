"""The shortcuts that make extraction fast answer as the plain rules do.

Each fast path (a cheap test that rules a regex out, a word looked for in `text.lower()` in
place of a case-blind search) is checked against the straightforward version it replaced, kept
here as the reference, on text made of the very marks and words the rules look for.
`bench/bench_extract.py` compares whole entries with the commit before the shortcuts.
"""

from __future__ import annotations

import re
import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.facts import extract
from reviewer.journal import outline
from reviewer.journal.outline import (
    _BULLET,
    _CODE,
    _IMAGE,
    _LINK,
    _NUMBERING,
    _URL,
    _WHOLE_STRIKE,
    DELAY_MARK,
    DONE_MARK,
    DONE_PREFIX,
    FENCE,
    OPEN_BOX,
    TODO_PREFIX,
    Item,
)

MANY = settings(max_examples=400, deadline=None)

# What the rules look for, and what could trip a shortcut: marks, words in odd cases (the
# dotted and dotless i, the long s and the Kelvin sign fold to ASCII letters), brackets,
# white space of every kind, numbering, links, code and fences.
BITS = [
    *"[]()（）!！?？:：~`#*-+.、 \t\u3000\n",
    "👌", "📌", "🤔", "(tick)", "（TİCK）", "(tıck)", "~~", "```", "~~~", "---",
    "[x]", "[X]", "[ ]", "[DONE]", "[DELAY]", "[DELAYED]", "[DROP]", "[DROPPED]",
    "DONE", "Done", "DONE: ", "TODO", "todo", "Todo", "TODO: ", "LATER ", "NOW ", "DOING ",
    "WAITING ", "CANCELED ", "CANCELLED ", "搁置", "不做了", "放弃了", "做了", "完成了",
    "需要", "还需要", "需要做", "need to", "NEED TO", "ſtill need to", "still ", "nеed",
    "todo", "TODO", "question", "queſtion", "QUESTİON", "action", "actıon", "ask", "asK", "aſk",
    "问", "问一下", "请教", "待", "计划", "是不是", "但是不是", "是否", "看是否", "还是", "是",
    "要不要", "需不需要", "Q: ", "问：", "A: ", "答：", "to ask", "will ask", "Must aſk",
    "问问", "咨询", "需要问", "要问", " -- ", "——", " -> done", "→ fixed", "~~问~~ 答",
    "lesson", "Lessons learned", "takeaway", "reflection", "Self-reflection", "note to self",
    "ſelf reflection", "训诫", "教训", "自省", "反思", "反省",
    "1. ", "12) ", "3、", "1.1 ", "１. ", "²",
    "![a](b.png)", "[text](http://x.org)", "[](u)", "`code`", "https://x.org/a", "http",
    "a", "K", "x", "模型", "今天", "。",
]  # fmt: skip
texts = st.lists(st.sampled_from(BITS) | st.characters(), max_size=10).map("".join)
ODD = "\u0130\u0131\u017f"  # İ ı ſ


def test_ascii_words_match_case_blind_exactly_where_lower_holds_them() -> None:
    """The premise of `_may_be_label` and `_may_need_doing`: outside İ, ı and ſ, a character
    matches an ASCII letter under re.IGNORECASE exactly when lower() makes it that letter, and
    lower() makes no ASCII letter of anything else."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    changed = [c for c in every if c.lower() != c]  # what lower() changes at all
    for letter in "abcdefghijklmnopqrstuvwxyz":
        caseless = set(re.findall(letter, every, re.IGNORECASE)) - set(ODD)
        assert caseless == {letter} | {c for c in changed if c.lower() == letter}
    for char in changed:
        if char not in ODD and re.search("[a-z]", char.lower()):
            assert len(char.lower()) == 1


# The straightforward versions the fast ones replaced (commit 55e1ea9).


def clean_reference(text: str) -> str:
    text = _IMAGE.sub("", text)
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    text = DONE_MARK.sub("", text)
    text = DELAY_MARK.sub("", text)
    text = OPEN_BOX.sub("", text)
    text = TODO_PREFIX.sub("", text)
    text = DONE_PREFIX.sub("", text)
    text = text.replace("📌", "")
    text = _NUMBERING.sub("", text.strip())
    text = text.rstrip("\\ \t\u3000")
    return " ".join(text.split())


def plain_reference(text: str) -> str:
    text = _IMAGE.sub(" ", text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _CODE.sub(" ", text)
    return _URL.sub(" ", text)


def struck_reference(text: str) -> str | None:
    match = _WHOLE_STRIKE.match(text.strip())
    if match and "~~" not in match.group(1):
        return match.group(1).strip()
    return None


def items_reference(numbered: list[tuple[int, str]]) -> list[Item]:
    found: list[Item] = []
    stack: list[tuple[int, int]] = []
    in_fence = False
    gap = False
    for lineno, raw in numbered:
        fence = FENCE.match(raw)
        if fence and raw.count(fence.group(1)) % 2 == 1:
            in_fence = not in_fence
            continue
        stripped = raw.strip(" \t\u3000")
        if in_fence or not stripped or stripped in {"---", "***", "___", "* * *"}:
            gap = gap or not stripped or stripped in {"---", "***", "___"}
            continue
        body = raw.lstrip(" \t\u3000")
        width = 0
        for char in raw[: len(raw) - len(body)]:
            width += 4 - width % 4 if char == "\t" else 2 if char == "\u3000" else 1
        indent = width
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


def todo_status_reference(text: str) -> str | None:
    if DELAY_MARK.search(text):
        return "delayed"
    if extract._DROP_MARK.search(text):
        return "dropped"
    if (
        DONE_MARK.search(text)
        or DONE_PREFIX.match(text)
        or struck_reference(text) is not None
        or (TODO_PREFIX.match(text) and extract._DONE_IN_PLACE.search(text))
    ):
        return "done"
    if TODO_PREFIX.match(text) or OPEN_BOX.match(text):
        return "open"
    return None


def asks_something_reference(text: str) -> bool:
    bare = extract._CHECK_WHETHER.sub("", extract._NOT_A_QUESTION.sub("", text))
    return bool(extract._INLINE_QUESTION.search(bare) or extract._EITHER_OR.search(bare))


def reflection_kind_reference(text: str) -> str | None:
    if extract._LESSON.search(text):
        return "lesson"
    if extract._REFLECTION.search(text):
        return "reflection"
    return None


@MANY
@given(texts)
def test_text_helpers_answer_as_the_plain_rules(text: str) -> None:
    assert outline.clean(text) == clean_reference(text)
    assert outline.plain(text) == plain_reference(text)
    assert outline.struck(text) == struck_reference(text)


@MANY
@given(texts)
def test_rule_shortcuts_answer_as_the_plain_rules(text: str) -> None:
    assert extract._may_be_label(text) == bool(extract._LABEL_HINT.search(text))
    assert extract._todo_status(text) == todo_status_reference(text)
    assert extract._asks_something(text) == asks_something_reference(text)
    assert extract._reflection_kind(text) == reflection_kind_reference(text)
    assert extract._asks_someone(text) == bool(extract._TO_ASK.search(text))
    assert extract._done_marked(text) == bool(DONE_MARK.search(text))
    cleaned = outline.clean(text)
    assert extract._needs_doing(cleaned) == bool(extract._NEED_TO.match(cleaned))
    if extract._needs_doing(cleaned):
        assert extract._may_need_doing(text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["", " ", "  ", "\t", "\u3000", "    "]), texts)))
def test_outline_is_the_plain_outline(lines: list[tuple[str, str]]) -> None:
    numbered = [(n, indent + text) for n, (indent, text) in enumerate(lines, start=1)]
    assert outline.items(numbered) == items_reference(numbered)


@MANY
@given(st.lists(st.tuples(st.sampled_from(["", "* ", "  * ", "# ", "1. "]), texts), max_size=8))
def test_one_pass_over_an_entry_finds_every_line_each_rule_takes(
    lines: list[tuple[str, str]],
) -> None:
    found = outline.items(enumerate((bullet + text for bullet, text in lines), start=1))
    seen = extract._Lines(found)
    every = range(len(found))
    assert seen.hinted == [i for i in every if extract._LABEL_HINT.search(found[i].text)]
    assert seen.statuses == {
        i: status for i in every if (status := todo_status_reference(found[i].text)) is not None
    }
    assert seen.asking == [i for i in every if extract._QUESTION_CHARS.search(found[i].text)]
    needing = [i for i in every if extract._NEED_TO.match(clean_reference(found[i].text))]
    assert set(seen.needing) >= set(needing)
    reflecting = [i for i in every if reflection_kind_reference(found[i].text) is not None]
    assert set(seen.reflecting) >= set(reflecting)
