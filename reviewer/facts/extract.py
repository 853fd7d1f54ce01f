"""Questions, reflections, lessons and TODOs from entries, in code and deterministically (pure).

An entry's body is first read into items (one per non-blank line outside code fences) nested by
indentation, so that "the children of `* 需要问的问题`" means what the journal means by it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import NamedTuple

from reviewer.journal.outline import (
    DELAY_MARK,
    DONE_MARK,
    DONE_PREFIX,
    OPEN_BOX,
    TODO_PREFIX,
    Item,
    ancestors,
    children,
    clean,
    items,
    plain,
    section_members,
    struck,
)
from reviewer.journal.parse import Entry, Section, text_digest
from reviewer.models import Question, Reflection, Todo

__all__ = [
    "EXTRACTED",
    "EntryFacts",
    "Item",
    "body_digest",
    "clean",
    "entry_digest",
    "extract_questions",
    "extract_reflections",
    "extract_text",
    "extract_todos",
    "facts_in_order",
    "facts_of",
    "facts_read",
    "is_known",
    "is_label",
    "items",
    "know",
    "undated_questions",
    "undated_reflections",
    "undated_todos",
    "wording_key",
]

_DROP_MARK = re.compile(r"\[DROP(?:PED)?\]|搁置|不做了|放弃了|^CANCELL?ED\s")
# An item a TODO list leaves unticked but that says it is finished ("文字调整做了").
_DONE_WORDS = re.compile(r"(?:做了|做完了|完成了|搞定了|改好了|更新了|解决了)[\s。.!！]*$")
_QUESTION_SECTION = re.compile(
    r"^(?:需要(?:问的问题|问的东西|问的|请教的?|搞清楚的问题)|要请教的|待解决的问题|问题"
    r"|(?:open |pending |unanswered )?questions?(?: to ask| for \w+)?|to ask)"
    r"\s*[:：]?$",
    re.IGNORECASE,
)
_INLINE_QUESTION = re.compile(r"[?？]|问一下|请教|需不需要|是不是|要不要|是否")
# "但是不是…", "还是不是…": 是不是 across a word boundary is no question.
_NOT_A_QUESTION = re.compile(r"(?<=[但可还于就总要倒只真正硬都也像凡])是不是")
# "看是否…", "确认是否…", "check whether": a how-to note names what to check; it asks nothing.
_CHECK_WHETHER = re.compile(
    r"(?:看|查|确认|检查|判断|测试|试试|知道|确定)[^，,。；;？?]{0,20}?是否"
)
# "是用acc还是用epochs": an alternative question, with or without a question mark.
_EITHER_OR = re.compile(r"(?:^|(?<=[，,。；;：:\s]))是[^，,。；;！!的]{1,12}?还是")
# Meeting notes: `Q: …` and the `A: …` that follows it.
_Q_PREFIX = re.compile(r"^(?:Q|问)\s*[:：]\s*")
_A_PREFIX = re.compile(r"^(?:A|答)\s*[:：]\s*")
# Words that make a line a question to put to someone, not just a wondering aloud.
_TO_ASK = re.compile(
    r"问一下|问问|请教|咨询|需要问|要问|(?:^|\bto |\bwill |\bshould |\bmust )ask\b", re.IGNORECASE
)
_TO_ASK_CHARS = re.compile("[问请咨\u017f]")  # in each of _TO_ASK's words but "ask" (ſ: an s)
_STRIKE_SPAN = re.compile(r"~~(.+?)~~")
_ASIDE = re.compile(r"^[（(][^（()）]*[)）]$")  # "（这里是搜每个模块是不是用Conv）": a remark
_ANSWER = re.compile(r"\s(?:--|——)\s*|——")
# "~~组会改到周几~~ 周四": the question struck through, its answer after it.
_STRUCK_THEN_ANSWER = re.compile(r"^~~(.+?)~~\s*(\S.*)$")
# "TODO: the table -- done, all five models": finished in place.
_DONE_IN_PLACE = re.compile(r"\s(?:--|——|->|→)\s*(?:done|finished|fixed|完成|做完|搞定)", re.I)
_TODO_SECTION = re.compile(
    r"^(?:关键的)?todo\s*[:：]?$|^需要(?:做|fix|加|改|完成)[^，,。]{0,12}[:：]?$"
    r"|^(?:今日|今天|明日|明天|本周|下周)?计划\s*[:：]?$|^action items?\s*[:：]?$"
    r"|^(?:晚上|今天|明天|下午|上午)?需要做[^，,。]{0,8}[:：]?$"
    r"|^需要做的事情?\s*[,，:：]",  # "需要做的事情,过文献": a label with a gloss
    re.IGNORECASE,
)
# Cheap pre-check before the costlier clean() + label match on every item.
_LABEL_HINT = re.compile(r"需要|请教|问|待|todo|question|计划|action|ask", re.IGNORECASE)
# re.IGNORECASE also matches i with İ and ı and s with ſ, which str.lower() leaves as they are
# (and K, the Kelvin sign, which lower() turns into k): a text with one of these three is left
# to the regex; in any other text an ASCII word matches case-blind exactly where it is a part of
# text.lower() (checked over every code point by tests/test_extract_speed.py).
# So _LABEL_HINT is searched only where a first character of its words without case, or one of
# those three, is found. (A search for one class of characters is fast; one for alternatives
# that do not all start with a fixed character tries each of them at every position.)
_LABEL_CHARS = re.compile("[需请问待计\u0130\u0131\u017f]")
# What a line needs to ask anything: each of _INLINE_QUESTION's and _EITHER_OR's words and
# _Q_PREFIX hold one of these (plain() and _asks_something only delete text or add spaces).
_QUESTION_CHARS = re.compile(r"[?？问请是要Q]")
_REFLECTION = re.compile(
    r"自省|反思|反省|^(?:self[- ]?)?reflections?(?=\s*(?:[:：]|$))|^note to self\b", re.IGNORECASE
)
_LESSON = re.compile(
    r"训诫|📌|教训|^(?:lessons?(?: learned| learnt)?|takeaways?)(?=\s*(?:[:：]|$))", re.IGNORECASE
)
# Without one of these words, or a first letter that _LESSON's or _REFLECTION's English words
# start with (IGNORECASE also takes the long s ſ for s), a line is neither: one fast test in
# place of two case-blind searches on every line.
_REFLECTION_CHARS = re.compile(r"[训📌教自反]")  # the first characters of those words
_REFLECTION_WORDS = re.compile(r"训诫|📌|教训|自省|反思|反省")
_REFLECTION_INITIALS = frozenset("lLtTsSſrRnN")
# "需要加一个…的图", "还需要拿出一个箱图", "Need to renew the visa": a line that says what is
# still to be done; not "需要参考的文章" (a label: the articles to read).
_NEED_TO = re.compile(
    r"^(?:还|也|都)?需要(?!有|[^，,。；;]{0,8}的(?:文章|论文|问题|东西|内容|事情?|工作|资料)?[:：]?$)"
    r"|^(?:still )?need to\b",
    re.I,
)
# A first word or a character without which _todo_status finds nothing: DELAY_MARK, OPEN_BOX and
# bracketed marks need a "[", DONE_MARK a 👌, a "[" or a bracket ("(tick)"), struck() a "~",
# _DROP_MARK the first character of one of its words or a first word (CANCELED).
_STATUS_CHARS = re.compile(r"[~\[👌搁不放(（]")
# The same, to the word: a search for alternatives that are all plain words is as fast as one
# for a class of characters, and 不 or a bracket alone is common in narrative.
_STATUS_WORDS = re.compile(r"~~|\[|👌|搁置|不做了|放弃了")
_STATUS_KEYWORDS = (
    "CANCEL",
    "DONE",
    "Done",
    "TODO",
    "todo",
    "Todo",
    "LATER",
    "NOW",
    "DOING",
    "WAITING",
)
# First letters _NEED_TO's English can start a line with (IGNORECASE: ſ is an s too).
_NEED_INITIALS = frozenset("sSſnN")
_NEED_CHARS = re.compile(r"[需\[👌📌]")  # 需要, or a mark clean() may delete (_may_need_doing)
# Every character of the five classes above (_LABEL_CHARS, _QUESTION_CHARS, _STATUS_CHARS,
# _REFLECTION_CHARS, _NEED_CHARS): a line without any is out of reach of all but English words.


def _chars(chars: re.Pattern[str]) -> frozenset[str]:
    """The characters of a pattern that is one class of characters (`[~\\[👌]`)."""
    return frozenset(chars.pattern[1:-1].replace("\\", ""))


_LABEL_SET = _chars(_LABEL_CHARS)
_QUESTION_SET = _chars(_QUESTION_CHARS)
_STATUS_SET = _chars(_STATUS_CHARS)
_REFLECTION_SET = _chars(_REFLECTION_CHARS)
_NEED_SET = _chars(_NEED_CHARS)
_ODD_SET = frozenset("\u0130\u0131\u017f")  # İ ı ſ: see _LABEL_CHARS
_STATUS_MARKS = frozenset("~[👌搁放")  # of _STATUS_SET, those every one of _STATUS_WORDS needs
_TRIGGERS = re.compile(
    "["
    + "".join(
        chars.pattern[1:-1]  # each is one class: "[...]"
        for chars in (_LABEL_CHARS, _QUESTION_CHARS, _STATUS_CHARS, _REFLECTION_CHARS, _NEED_CHARS)
    )
    + "]"
)
_TICKED_BOX = re.compile(r"^\[[xX]\]")
# The undated lists whose items are TODOs (`## Done` with Today / ShortTerm / LongTerm).
_TODO_LIST = re.compile(
    r"todo|to-do|tasks?|done|today|short\s*term|long\s*term|backlog|待办|计划|要做", re.IGNORECASE
)
_LABEL_LEFTOVER = re.compile(r"[\s:：!！🤔*_#]+")


class EntryFacts(NamedTuple):
    """What extraction finds in one entry's body, each with its line counted from the entry's
    heading (the heading is 0). Depends on the body alone, so an entry keeps its facts when
    lines are added above it or its date is corrected: what the facts cache keeps per entry.
    (A tuple: a 30-year journal's 11,000 are read back from the cache on every run.)"""

    questions: tuple[tuple[int, str, str, str, str], ...] = ()  # line, text, status, answer, kind
    todos: tuple[tuple[int, str, str], ...] = ()  # line, text, status
    reflections: tuple[tuple[int, str, str], ...] = ()  # line, text, kind
    # The wording of each question, then of each TODO, as the ledger compares them
    # (`wording_key`): worked out once with the facts, not on every run that tracks them.
    keys: tuple[str, ...] = ()


def facts_read(rows: Mapping[str, Sequence[object]]) -> dict[str, EntryFacts]:
    """The facts of `rows` (text digest -> the fields of `EntryFacts`, as kept or sent by
    another process), made by C code (`map`), not `EntryFacts._make` for each; TypeError when
    a row has another number of fields."""
    if any(len(row) != _FIELDS for row in rows.values()):
        raise TypeError("facts of another form")
    return dict(zip(rows.keys(), map(_as_facts, rows.values()), strict=True))


_FIELDS = len(EntryFacts._fields)
_as_facts = partial(tuple.__new__, EntryFacts)  # EntryFacts(...) without a Python call


# The facts of every entry text known in this process, by the text's digest: found by an
# earlier run (the facts cache on disk: `know`) or extracted in this one. Unbounded on purpose:
# one process reads one journal, so it holds one result per entry, while a cap (8,192 was here)
# silently turned into misses on every pass once a journal was longer (30 years are about
# 11,000 entries: NOTES).
_known: dict[str, EntryFacts] = {}
EXTRACTED = Counter[str]()  # entries extracted / found known in this process (for tests, bench)


def body_digest(text: str) -> str:
    """The digest of an entry's text (`text_digest` of its UTF-8): what facts are kept by."""
    return text_digest(text.encode("utf-8", "surrogatepass"))


def entry_digest(entry: Entry) -> str:
    """The digest of `entry`'s text: the one its parse worked out, else `body_digest`."""
    return entry.digest or body_digest(entry.text)


def know(facts: Mapping[str, EntryFacts]) -> None:
    """Take facts found by an earlier run (text digest -> facts), so that only entries whose
    text changed since are read again."""
    _known.update(facts)


def facts_in_order(
    entries: Iterable[Entry],
    extracted: Mapping[str, EntryFacts] | None = None,
    claim: Callable[[int, Entry], bool] | None = None,
) -> list[tuple[str, EntryFacts]]:
    """(text digest, facts) of each entry, in order, extracting those not known yet (each is
    counted in EXTRACTED as extracted or known); `extracted` holds facts of some of them
    extracted in this run by another process (`parallel`), taken as they are. With `claim`,
    asked before each entry (its number and itself), the first entry it refuses and those
    after it are left to that other process: the pairs of the entries before it."""
    found: list[tuple[str, EntryFacts]] = []
    for n, entry in enumerate(entries):
        if claim is not None and not claim(n, entry):
            break
        digest = entry_digest(entry)
        if digest in _known:
            EXTRACTED["known"] += 1
        elif extracted and digest in extracted:
            _known[digest] = extracted[digest]
            EXTRACTED["extracted"] += 1
        found.append((digest, _facts(digest, entry)))
    return found


def is_known(digest: str) -> bool:
    """Whether the facts of the entry text with this digest are known in this process."""
    return digest in _known


def facts_of(entry: Entry) -> EntryFacts:
    """The facts of one entry, extracted once per process (or known from the cache)."""
    return _facts(entry_digest(entry), entry)


def extract_text(text: str) -> EntryFacts:
    """The facts of an entry's text, extracted (not looked up, not kept, not counted): what a
    second process sends back (`parallel`)."""
    return _extract(text.split("\n"))


def _facts(digest: str, entry: Entry) -> EntryFacts:
    facts = _known.get(digest)
    if facts is None:  # the text is read (decoded, for a snapshot's entry) only here
        facts = _known[digest] = _extract(entry.text.split("\n"))
        EXTRACTED["extracted"] += 1
    return facts


def _extract(body: Sequence[str]) -> EntryFacts:
    """Every question, TODO and reflection of one entry's body (lines counted from 1)."""
    found = items(enumerate(body, start=1))
    lines = _Lines(found)
    picked = _question_indices(lines)
    answers = _answers(lines, picked)
    questions = []
    for index, in_section in sorted(picked.items()):
        reply = found[answers[index]] if index in answers else None
        question = _question(found[index], in_section, reply)
        if question is not None:
            questions.append(question)
    todos = _todos(lines, set(picked))
    return EntryFacts(
        questions=tuple(questions),
        todos=todos,
        reflections=_reflections(lines),
        keys=tuple(wording_key(q[1]) for q in questions) + tuple(wording_key(t[1]) for t in todos),
    )


_NOISE = re.compile(r"[\W_]+", re.UNICODE)


def wording_key(text: str) -> str:
    """The words of a question or TODO as the ledger compares them: lower case, without
    spaces or punctuation."""
    return _NOISE.sub("", text.lower())


class _Lines:
    """An entry's items and what the rules ask of each item's text, worked out in one pass:
    the items each rule has to look at (in order), their TODO marks, and their clean() text
    (on demand). Most lines are narrative that no rule takes: one search for the characters
    the rules' marks and words start with rules most of them out of every rule at once."""

    __slots__ = ("_cleaned", "asking", "found", "hinted", "needing", "reflecting", "statuses")

    def __init__(self, found: list[Item]) -> None:
        self.found = found
        self._cleaned: list[str | None] = [None] * len(found)
        self.hinted: list[int] = []  # _LABEL_HINT finds something
        self.asking: list[int] = []  # may ask something or be a `Q:` line (_QUESTION_CHARS)
        self.needing: list[int] = []  # _may_need_doing
        self.reflecting: list[int] = []  # may be a reflection or a lesson
        self.statuses: dict[int, str] = {}  # _todo_status, where it is not None
        for i, item in enumerate(found):
            text = item.text
            lower = text.lower()
            marks = _TRIGGERS.findall(text)
            if not marks:
                # No character of _LABEL_CHARS, _QUESTION_CHARS, _NEED_CHARS, _STATUS_CHARS
                # or _REFLECTION_CHARS: only their English words and first words are left.
                if "todo" in lower or "question" in lower or "action" in lower or "ask" in lower:
                    self.hinted.append(i)
                if "need" in lower:
                    self.needing.append(i)
                if text[:1] in _REFLECTION_INITIALS:
                    self.reflecting.append(i)
                if not text.startswith(_STATUS_KEYWORDS):
                    continue
            else:
                # Each rule's own test, where the line holds one of its characters.
                present = set(marks)
                words = "todo" in lower or "question" in lower or "action" in lower
                if present.isdisjoint(_LABEL_SET):
                    if words or "ask" in lower:
                        self.hinted.append(i)
                elif not present.isdisjoint(_ODD_SET):
                    if _LABEL_HINT.search(text) is not None:
                        self.hinted.append(i)
                elif (  # _LABEL_HINT's words, as plain words (no İ, ı or ſ: see above)
                    words
                    or "ask" in lower
                    or "问" in present
                    or "待" in present
                    or "需要" in text
                    or "请教" in text
                    or "计划" in text
                ):
                    self.hinted.append(i)
                if not present.isdisjoint(_QUESTION_SET):
                    self.asking.append(i)
                # A "(tick)" (`_ticked` without a "[" or a 👌, which _NEED_SET holds) has a
                # "ck" in any case: lower() makes C and K (and the Kelvin sign) c and k.
                tick = ("(" in present or "（" in present) and "ck" in lower
                if not present.isdisjoint(_NEED_SET) or "need" in lower or (tick and _ticked(text)):
                    self.needing.append(i)
                if text[:1] in _REFLECTION_INITIALS or (
                    not present.isdisjoint(_REFLECTION_SET)
                    and _REFLECTION_WORDS.search(text) is not None
                ):
                    self.reflecting.append(i)
                # _todo_status finds nothing without one of _STATUS_WORDS, a first keyword or
                # a "(tick)": a bracket or a 不 alone is common in narrative.
                if not (
                    tick
                    or not present.isdisjoint(_STATUS_MARKS)
                    or ("不" in present and "不做了" in text)
                    or text.startswith(_STATUS_KEYWORDS)
                ):
                    continue
            status = _todo_status(text)
            if status is not None:
                self.statuses[i] = status

    def clean(self, index: int) -> str:
        cleaned = self._cleaned[index]
        if cleaned is None:
            cleaned = self._cleaned[index] = clean(self.found[index].text)
        return cleaned


def _may_be_label(text: str) -> bool:
    """Whether _LABEL_HINT finds something in text: the same answer, in a fraction of its time
    (a case-blind regex search costs about 1.5 us a line)."""
    if _LABEL_CHARS.search(text) is not None:
        return _LABEL_HINT.search(text) is not None
    lower = text.lower()
    return "todo" in lower or "question" in lower or "action" in lower or "ask" in lower


def _asks_something(text: str) -> bool:
    """True when a line's words ask a question (not `但是不是`, not `看是否…` in a how-to)."""
    if _QUESTION_CHARS.search(text) is None:
        return False
    # Each substitution and _EITHER_OR need these words; most lines have none of them.
    bare = _NOT_A_QUESTION.sub("", text) if "是不是" in text else text
    if "是否" in bare:
        bare = _CHECK_WHETHER.sub("", bare)
    return bool(_INLINE_QUESTION.search(bare) or ("还是" in bare and _EITHER_OR.search(bare)))


def _answers(lines: _Lines, picked: dict[int, bool]) -> dict[int, int]:
    """Question index -> the item that answers it: the `A: …` line after a `Q: …`, or, for a
    question in passing, the child line under it that is no question itself."""
    found = lines.found
    answers: dict[int, int] = {}
    for i in picked:
        text = found[i].text
        if _Q_PREFIX.match(text):
            nxt = i + 1
            if nxt < len(found) and _A_PREFIX.match(found[nxt].text):
                answers[i] = nxt
            continue
        if picked[i] or _asks_someone(plain(text)):
            # Under a question to ask someone, child lines say where it stands ("发了邮件，
            # 等着回复"); only a question in passing is answered by the line under it.
            continue
        kids = list(children(found, i))
        if kids and kids[0] not in picked and _has_content(lines.clean(kids[0])):
            answers[i] = kids[0]
    return answers


def _asks_someone(text: str) -> bool:
    """Whether _TO_ASK finds something in text, ruled out first where it cannot: each of its
    words holds one of _TO_ASK_CHARS or is "ask" in any case (lower() turns K into k)."""
    if _TO_ASK_CHARS.search(text) is None and "ask" not in text.lower():
        return False
    return _TO_ASK.search(text) is not None


def _done_marked(text: str) -> bool:
    """Whether DONE_MARK finds something: each of its forms needs a "[", a 👌 or a bracket."""
    if "[" in text or "👌" in text or "(" in text or "（" in text:
        return DONE_MARK.search(text) is not None
    return False


def _is_content(text: str) -> bool:
    return _has_content(clean(text))


def _has_content(cleaned: str) -> bool:
    """_is_content of a text already clean()ed."""
    return bool(_LABEL_LEFTOVER.sub("", cleaned))


def _question_indices(lines: _Lines) -> dict[int, bool]:
    """Indices of question items, with True for those listed under a question section."""
    found = lines.found
    picked: dict[int, bool] = {}
    labels: set[int] = set()
    for i in lines.hinted:
        if _QUESTION_SECTION.match(lines.clean(i)):
            labels.add(i)
            for member in section_members(found, i):
                picked[member] = True
    # Only lines with a question character can ask or be a `Q:` line (an `A:` line is
    # skipped anyway).
    for i in lines.asking:
        item = found[i]
        if i in picked or i in labels or item.bullet == "#":
            continue
        bare = plain(item.text).strip()
        if _A_PREFIX.match(bare):
            continue
        if _Q_PREFIX.match(bare):
            picked[i] = False
            continue
        if not _asks_something(bare) or _ASIDE.match(bare):
            continue
        # Notes under a listed question explain it; they are not questions of their own.
        if any(a in picked or a in labels for a in ancestors(found, i)):
            continue
        picked[i] = False
    return picked


def _question(
    item: Item, in_section: bool, reply: Item | None = None
) -> tuple[int, str, str, str, str] | None:
    text = _Q_PREFIX.sub("", item.text)
    inner = struck(text)
    answered = inner is not None or _done_marked(text)
    if inner is not None:
        text = inner
    answer = ""
    late = _STRUCK_THEN_ANSWER.match(text) if text.startswith("~~") else None
    if late and inner is None:
        text, answer, answered = late[1], clean(late[2]), True
    if reply is not None:
        answer, answered = clean(_A_PREFIX.sub("", reply.text)), True
    split = _ANSWER.search(text) if "--" in text or "——" in text else None
    if split and split.start() > 0:
        answer = clean(text[split.end() :])
        text = text[: split.start()]
        answered = answered or bool(answer)
    if not in_section:
        # A strike through the question mark itself answers the question.
        for span in _STRIKE_SPAN.findall(text) if "~~" in text else ():
            if _INLINE_QUESTION.search(span):
                answered = True
    body = clean(text.replace("~~", ""))
    if _Q_PREFIX.match(item.text):
        body = body.rstrip(":：")  # "Q: 数据保留多久：" asks without a question mark
    if not _is_content(body):
        return None
    asks = in_section or _Q_PREFIX.match(item.text) or _asks_someone(plain(item.text))
    return (
        item.line,
        body,
        "answered" if answered else "open",
        answer,
        "ask" if asks else "wonder",
    )


def extract_questions(entries: Iterable[Entry]) -> list[Question]:
    """Questions asked in the entries, in file order: the question sections' items and inline
    questions (?, 问一下, 请教, 需不需要, 是不是 ...), answered or open."""
    return [question for entry in entries for question in _entry_questions(entry)]


def _entry_questions(entry: Entry) -> list[Question]:
    return [
        Question(
            text=text,
            date=entry.start,
            status=status,  # type: ignore[arg-type]
            answer=answer,
            line=entry.line + line,
            source=entry.source,
            kind=kind,  # type: ignore[arg-type]
        )
        for line, text, status, answer, kind in facts_of(entry).questions
    ]


def _reflection_kind(text: str) -> str | None:
    if text[:1] not in _REFLECTION_INITIALS and _REFLECTION_WORDS.search(text) is None:
        return None
    if _LESSON.search(text):
        return "lesson"
    if _REFLECTION.search(text):
        return "reflection"
    return None


def extract_reflections(entries: Iterable[Entry]) -> list[Reflection]:
    """Self-reflections (自省, 反思, 反省) and lessons (训诫, 📌) in the entries."""
    return [
        Reflection(
            text=text,
            date=entry.start,
            kind=kind,  # type: ignore[arg-type]
            line=entry.line + line,
            source=entry.source,
        )
        for entry in entries
        for line, text, kind in facts_of(entry).reflections
    ]


def _reflections(lines: _Lines) -> tuple[tuple[int, str, str], ...]:
    found = lines.found
    reflections: list[tuple[int, str, str]] = []
    taken: set[int] = set()
    for i in lines.reflecting:
        item = found[i]
        kind = _reflection_kind(item.text)
        if kind is None or i in taken:
            continue
        label_only = not _is_content(_LESSON.sub("", _REFLECTION.sub("", item.text)))
        members = section_members(found, i) if label_only else [i]
        for member in members:
            taken.add(member)
            text = clean(found[member].text.replace("~~", ""))
            if _is_content(text):
                reflections.append((found[member].line, text, kind))
    return tuple(reflections)


def undated_reflections(sections: Iterable[Section]) -> list[Reflection]:
    """The items of undated self-reflection sections (`## 🤔自省🤔`, `## Reflections`)."""
    found: list[Reflection] = []
    for section in sections:
        kind = _reflection_kind(section.heading.strip("#*_ 🤔"))
        if kind is None:
            continue
        for item in items(enumerate(section.body, start=section.line + 1)):
            if item.parent is None and item.bullet != "#" and _is_content(item.text):
                found.append(
                    Reflection(
                        text=clean(item.text),
                        date=None,
                        kind=kind,  # type: ignore[arg-type]
                        line=item.line,
                    )
                )
    return found


def _is_question_list(heading: str) -> bool:
    return bool(_QUESTION_SECTION.match(_LABEL_LEFTOVER.sub(" ", clean(heading)).strip()))


def undated_questions(sections: Iterable[Section]) -> list[Question]:
    """The questions of undated sections: every item of a question list (`## 需要问的问题`,
    `## Questions to ask`), and the lines of other undated sections that ask something; undated
    (`date` None), since nobody knows when they were written."""
    found: list[Question] = []
    for section in sections:
        listed = _is_question_list(section.heading)
        if not listed and (_reflection_kind(section.heading) or not section.heading):
            continue
        for item in items(enumerate(section.body, start=section.line + 1)):
            if item.parent is not None or item.bullet == "#":
                continue
            if not listed and not _asks_something(plain(item.text)):
                continue
            inner = struck(item.text)
            text = clean(inner if inner is not None else item.text)
            if _is_content(text):
                found.append(
                    Question(
                        text=text,
                        date=None,
                        status="answered"
                        if inner is not None or DONE_MARK.search(item.text)
                        else "open",
                        line=item.line,
                        kind="ask",
                    )
                )
    return found


def is_label(text: str) -> bool:
    """True for an item that only introduces a list (`需要问的问题`, `需要做的事情`, `todo`)."""
    return _is_clean_label(clean(text))


def _is_clean_label(cleaned: str) -> bool:
    """is_label of a text already clean()ed."""
    return bool(_QUESTION_SECTION.match(cleaned) or _TODO_SECTION.search(cleaned))


def _todo_status(text: str) -> str | None:
    """The status a marker gives an item, or None when it carries no TODO marker."""
    if (
        _STATUS_WORDS.search(text) is None
        and not text.startswith(_STATUS_KEYWORDS)
        and not _ticked(text)
    ):
        return None
    if DELAY_MARK.search(text):
        return "delayed"
    if _DROP_MARK.search(text):
        return "dropped"
    if (
        DONE_MARK.search(text)
        or DONE_PREFIX.match(text)
        or struck(text) is not None
        or (TODO_PREFIX.match(text) and _DONE_IN_PLACE.search(text))
    ):
        return "done"
    if TODO_PREFIX.match(text) or OPEN_BOX.match(text):
        return "open"
    return None


def _todo_text(text: str) -> str:
    inner = struck(text)
    text = inner if inner is not None else text
    finished = _DONE_IN_PLACE.search(text)
    return clean(text[: finished.start()] if finished else text)


def _unticked(cleaned: str) -> str:
    """The status of an unticked item of a TODO list, from its clean() text."""
    return "done" if _DONE_WORDS.search(cleaned) else "open"


def _may_need_doing(text: str) -> bool:
    """False only where _needs_doing(clean(text)) is: without a "[", a 👌, a 📌 or a "(tick)",
    clean(text) is a part of text with runs of white space made one space, so its `需要` or
    `need` (any case: n, e and d have no other case than N, E and D) is in text too."""
    return _NEED_CHARS.search(text) is not None or "need" in text.lower() or _ticked(text)


def _ticked(text: str) -> bool:
    """A bracketed DONE_MARK without "[" or 👌: "(tick)", which clean() deletes."""
    return ("(" in text or "（" in text) and DONE_MARK.search(text) is not None


def _needs_doing(cleaned: str) -> bool:
    """_NEED_TO on a clean() text, ruled out first by what it has to start with."""
    if "需要" not in cleaned[:3] and cleaned[:1] not in _NEED_INITIALS:
        return False
    return _NEED_TO.match(cleaned) is not None


def _todo_indices(lines: _Lines, questions: set[int]) -> dict[int, str]:
    """Item index -> status of every TODO of an entry's items."""
    found = lines.found
    marked: dict[int, str] = {}
    for i, status in lines.statuses.items():
        if i not in questions or TODO_PREFIX.match(found[i].text):
            marked[i] = status
    picked = dict(marked)
    for i in lines.needing:
        # `需要…` deep in an outline describes a method ("需要一个评估标准"); near the top it
        # is a note to self of what is left to do.
        item = found[i]
        parent = item.parent
        shallow = parent is None or found[parent].parent is None
        if (
            shallow
            and item.bullet not in {"", "#"}
            and i not in questions
            and _may_need_doing(item.text)
            and _needs_doing(lines.clean(i))
            and not _is_clean_label(lines.clean(i))
        ):
            picked.setdefault(i, _unticked(lines.clean(i)))
    for i in lines.hinted:
        if _TODO_SECTION.search(lines.clean(i)):
            picked.pop(i, None)  # the label itself is no TODO
            for member in section_members(found, i):
                if member not in questions and not _TODO_SECTION.search(lines.clean(member)):
                    _pick_unticked(lines, member, questions, marked, picked)
    # A list with enough items ticked off (👌, ~~…~~, [DONE]) is a TODO list: its unticked
    # items are open. A list that marks open items too (`[ ]`, `TODO:`) marks every TODO, so
    # its unmarked lines are narrative.
    for members in _lists(found) if marked else ():  # no list is ticked without a mark
        ticked = [m for m in members if m in marked]
        if not ticked:
            continue  # the common case, decided before the costlier tests below
        marks_open = any(
            OPEN_BOX.match(found[m].text)
            or TODO_PREFIX.match(found[m].text)
            or _TICKED_BOX.match(found[m].text)
            or DONE_PREFIX.match(found[m].text)
            for m in members
        )
        # Half ticked, or a short list of two or three with a tick (👌, [DONE]) in it ("开发"
        # with "加一个random (👌)"); a strike alone may only delete words from notes.
        enough = 2 * len(ticked) >= len(members) or (
            len(members) <= 3 and any(DONE_MARK.search(found[m].text) for m in ticked)
        )
        if marks_open or not enough:
            continue
        for member in members:
            text = found[member].text
            if (
                member in questions
                or len(clean(plain(text))) < 4
                or _is_clean_label(lines.clean(member))
            ):
                continue
            if _reflection_kind(text) is not None:
                continue  # a lesson among the tasks is still a lesson
            _pick_unticked(lines, member, questions, marked, picked)
    return picked


def _pick_unticked(
    lines: _Lines,
    member: int,
    questions: set[int],
    marked: dict[int, str],
    picked: dict[int, str],
) -> None:
    """Take an unticked item of a TODO list as a TODO; a line ending in a colon with a sub-list
    ("减少空间：") heads the sub-list, whose items are the TODOs."""
    kids = list(children(lines.found, member))
    if kids and member not in marked and lines.clean(member).endswith((":", "：")):
        picked.pop(member, None)
        for kid in kids:
            if kid not in questions:
                picked.setdefault(kid, marked.get(kid) or _unticked(lines.clean(kid)))
        return
    picked.setdefault(member, _unticked(lines.clean(member)))


def _lists(found: list[Item]) -> list[list[int]]:
    """The entry's lists: runs of bulleted items under the same parent, broken by a heading
    or a plain line (`今日计划：`, `Action items:`) at their depth."""
    runs: dict[tuple[int | None, int], list[int]] = {}
    breaks: dict[int | None, int] = {}
    for i, item in enumerate(found):
        if item.bullet in {"", "#"}:
            if item.bullet == "#":
                breaks.clear()
                breaks[None] = i + 1
            else:
                breaks[item.parent] = i + 1
            continue
        runs.setdefault((item.parent, breaks.get(item.parent, 0)), []).append(i)
    return list(runs.values())


def extract_todos(entries: Iterable[Entry]) -> list[Todo]:
    """TODOs with their status: done (👌, ~~…~~, [DONE]), delayed ([DELAY]), dropped, open."""
    return [todo for entry in entries for todo in _entry_todos(entry)]


def _entry_todos(entry: Entry) -> list[Todo]:
    return [
        Todo(
            text=text,
            date=entry.start,
            status=status,  # type: ignore[arg-type]
            line=entry.line + line,
            source=entry.source,
        )
        for line, text, status in facts_of(entry).todos
    ]


def _todos(lines: _Lines, questions: set[int]) -> tuple[tuple[int, str, str], ...]:
    found = lines.found
    todos: list[tuple[int, str, str]] = []
    for index, status in sorted(_todo_indices(lines, questions).items()):
        text = _todo_text(found[index].text)
        if _is_content(text):
            todos.append((found[index].line, text, status))
    return tuple(todos)


def undated_todos(sections: Iterable[Section]) -> list[Todo]:
    """TODOs of the undated `## Done` lists (Today / ShortTerm / LongTerm)."""
    todos: list[Todo] = []
    for section in sections:
        if _reflection_kind(section.heading) is not None or _is_question_list(section.heading):
            continue
        found = items(enumerate(section.body, start=section.line + 1))
        # Only TODO lists (`## Done`, `## Tasks`) or sections that mark their items as TODOs;
        # `## 读书笔记` or `## Ideas` hold notes.
        if not _TODO_LIST.search(section.heading) and not any(
            _todo_status(item.text) for item in found
        ):
            continue
        current = ""
        for item in found:
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
