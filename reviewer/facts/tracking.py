"""Across weeks: the question ledger and the TODO lifecycle (pure).

Every mention of a question or TODO in the journal is an occurrence; occurrences that say the
same thing (same words, give or take small edits) are one tracked item. Read oldest first, the
latest mention decides the status: a question re-listed later with 👌, struck through or
answered in place is answered on that later date; a TODO ticked off later is done then.

An item's id is `q-YYYYMMDD-xxxx` / `t-YYYYMMDD-xxxx` from its first mention; `reconcile`
carries ids over from a stored ledger so that an edit to the wording keeps the id.
"""

from __future__ import annotations

import hashlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from itertools import chain, repeat
from operator import add, attrgetter, sub
from typing import Any, Generic, NamedTuple, TypeVar, overload

from reviewer.facts.extract import entry_digest, facts_of, wording_key
from reviewer.journal.parse import Entry, EntryTable, Journal, by_start, columns_of
from reviewer.models import Question, Todo

__all__ = [
    "DORMANT_WEEKS",
    "Checkpoint",
    "History",
    "Places",
    "Tracked",
    "Wordings",
    "ids_by_mention",
    "reconcile",
    "similar",
    "track_questions",
    "track_todos",
]

# An ask untouched this many weeks goes dormant: out of the weekly carry-over, listed in the
# month review and `questions --dormant`, until it is mentioned again.
DORMANT_WEEKS = 8

_SAME = 0.6  # Jaccard similarity of character bigrams above which two texts are one item
_COMMON = 400  # bigrams in more items than this are too common to find candidates by


def _key(text: str) -> str:
    """The words of a wording as compared (lower case, no spaces or punctuation); a question
    asked every week is one wording, worked out once per process."""
    key = _KEYS.get(text)
    if key is None:
        key = _KEYS[text] = wording_key(text)
    return key


# Wordings seen in this process: as many as the journal has distinct questions and TODOs.
_KEYS: dict[str, str] = {}


def _grams(key: str) -> frozenset[str]:
    return frozenset(key[i : i + 2] for i in range(len(key) - 1)) if len(key) > 1 else frozenset()


def similar(a: str, b: str) -> bool:
    """True when two wordings are the same question or TODO, give or take small edits."""
    ka, kb = _key(a), _key(b)
    if ka == kb:
        return True
    ga, gb = _grams(ka), _grams(kb)
    if len(ga) < 4 or len(gb) < 4:
        return False
    return len(ga & gb) / len(ga | gb) >= _SAME


T = TypeVar("T")


class Wordings(Generic[T]):
    """Texts, each with a value, searched for every text `similar` to a wording without
    comparing it with each (which made two lists of n items cost n² comparisons).

    Exact: same key, or a bigram Jaccard similarity of at least _SAME. Two bigram sets with
    similarity s share at least s·|g| of either's |g| bigrams, so a match holds one of any
    |g| - floor(s·|g|) + 1 of them: only the texts posted under the wording's rarest bigrams
    are candidates, and each candidate is checked as `similar` would (prefix filtering).
    """

    def __init__(self, texts: Iterable[tuple[str, T]]) -> None:
        self._texts: list[tuple[str, frozenset[str], T]] = []
        self._by_key: dict[str, list[int]] = {}
        self._postings: dict[str, list[int]] = {}
        for text, value in texts:
            key = _key(text)
            grams = _grams(key)
            index = len(self._texts)
            self._texts.append((key, grams, value))
            self._by_key.setdefault(key, []).append(index)
            if len(grams) >= 4:
                for gram in grams:
                    self._postings.setdefault(gram, []).append(index)

    def similar_to(self, text: str) -> list[T]:
        """The values of every text similar to `text`, in the order they were given."""
        key = _key(text)
        found = set(self._by_key.get(key, ()))
        grams = _grams(key)
        if len(grams) >= 4:
            need = len(grams) - int(_SAME * len(grams)) + 1
            rarest = sorted(grams, key=lambda gram: len(self._postings.get(gram, ())))[:need]
            for gram in rarest:
                for index in self._postings.get(gram, ()):
                    if index in found:
                        continue
                    other = self._texts[index][1]
                    if len(grams & other) / len(grams | other) >= _SAME:
                        found.add(index)
        return [self._texts[index][2] for index in sorted(found)]


@dataclass(slots=True)
class Tracked:
    """One question or TODO across all its mentions."""

    id: str
    text: str  # the latest wording
    first: date | None  # first mentioned (None: only in an undated list)
    last: date | None  # last mentioned
    status: str
    closed_on: date | None = None  # when it was answered / done / dropped
    answer: str = ""
    line: int = 0  # line of the first mention
    source: str = ""
    mentions: int = 1
    lists: list[str] = field(default_factory=list)  # undated lists it appears in
    # (source, line) of each mention: a list, or `Places` for an item a checkpoint kept
    mentioned_at: list[tuple[str, int]] | Places = field(default_factory=list)
    kind: str = ""  # questions: "ask" once any mention asks it, else "wonder"

    def dormant(self, as_of: date, weeks: int = DORMANT_WEEKS) -> bool:
        """An open ask not mentioned for more than `weeks` weeks before `as_of`."""
        return (
            self.status == "open"
            and self.kind == "ask"
            and self.last is not None
            and (as_of - self.last).days > 7 * weeks
        )

    def age_days(self, as_of: date) -> int:
        """Days from the first mention to `as_of` (or to when it was closed)."""
        if self.first is None:
            return 0
        end = self.closed_on if self.closed_on and self.closed_on <= as_of else as_of
        return max(0, (end - self.first).days)


class Places:
    """Where an item was mentioned, (source, line) each, as a list: those a checkpoint kept
    (`_packed`: an entry's index and a line within it), unpacked when first read, then those
    fed since. A 30-year checkpoint keeps 26,000 of them; a week's review reads the places of
    the week's mentions alone (`ids_by_mention`), all fed since, and unpacking every kept one
    took 4 ms of each warm run."""

    __slots__ = ("_fresh", "_lines", "_packed", "_sources")

    def __init__(
        self,
        packed: bytes,
        sources: list[str],
        lines: Sequence[int],
        fresh: list[tuple[str, int]] | None = None,
    ) -> None:
        self._packed, self._sources, self._lines = packed, sources, lines
        self._fresh: list[tuple[str, int]] = fresh if fresh is not None else []

    @property
    def fresh(self) -> list[tuple[str, int]]:
        """The places not kept packed: fed since the checkpoint, or all once unpacked."""
        return self._fresh

    def append(self, place: tuple[str, int]) -> None:
        self._fresh.append(place)

    def copy(self) -> Places:
        return Places(self._packed, self._sources, self._lines, self._fresh.copy())

    def _all(self) -> list[tuple[str, int]]:
        if self._packed:
            self._fresh[:0] = _unpacked(self._packed, self._sources, self._lines)
            self._packed = b""
        return self._fresh

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._packed) // _PAIR + len(self._fresh)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Places):
            other = other._all()
        return isinstance(other, list) and self._all() == other

    __hash__ = None  # type: ignore[assignment]  # changes as mentions are fed

    def __repr__(self) -> str:
        return repr(self._all())


_PAIR = 16  # bytes of a packed (entry, offset) pair


class _Index:
    """Finds the tracked item an occurrence belongs to, by exact key or bigram overlap."""

    __slots__ = ("by_key", "grams", "postings", "shared")

    def __init__(self) -> None:
        self.by_key: dict[str, int] = {}
        self.grams: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = {}
        self.shared: set[str] = set()  # postings whose lists a copy shares: copied on change

    def copy(self) -> _Index:
        """An index that changes apart from this one (both copy a shared posting before
        adding to it: a 30-year ledger's postings are not copied for a week's mentions)."""
        other = _Index()
        other.by_key, other.grams = self.by_key.copy(), self.grams.copy()
        other.postings = self.postings.copy()
        self.shared = set(self.postings)
        other.shared = set(self.shared)
        return other

    def find(self, key: str) -> int | None:
        """The item `key` belongs to: the same key, or the item whose bigrams are the most
        like its own (Jaccard similarity of at least _SAME, counting only the bigrams posted
        for at most _COMMON items; among equals, the latest item)."""
        if key in self.by_key:
            return self.by_key[key]
        grams = _grams(key)
        if len(grams) < 4:
            return None
        postings = self.postings
        counted = [g for g in grams if 0 < len(postings.get(g, ())) <= _COMMON]
        # A match shares at least `need` counted bigrams (its similarity is at most what it
        # shares over len(grams)), so it is posted under one of the len(counted) - need + 1
        # rarest of them: only those postings are read (prefix filtering), not every item
        # sharing a common word (30 years of "…是怎么定的？" took minutes).
        need = int(_SAME * len(grams))
        if len(counted) < max(need, 1):
            return None
        counted.sort(key=lambda g: len(postings[g]))
        found: set[int] = set()
        for gram in counted[: len(counted) - need + 1]:
            found.update(postings[gram])
        wanted = frozenset(counted)
        best, best_score = None, _SAME
        for index in sorted(found):
            other = self.grams[index]
            union = len(grams | other)
            score = len(wanted & other) / union if union else 0.0
            if score >= best_score:
                best, best_score = index, score
        return best

    def add(self, key: str, index: int) -> None:
        if self.by_key.get(key) == index:
            return  # the same words again: nothing new to post (a question asked every week)
        self.by_key.setdefault(key, index)
        grams = _grams(key)
        while len(self.grams) <= index:
            self.grams.append(frozenset())
        # Post only the item's new bigrams: a gram posted twice would count twice in `find`'s
        # overlap and merge unrelated items that share a word ("ablation").
        fresh = grams - self.grams[index]
        self.grams[index] = self.grams[index] | grams
        postings, shared = self.postings, self.shared
        for gram in fresh:
            if gram in shared:
                postings[gram] = [*postings[gram], index]
                shared.discard(gram)
            else:
                postings.setdefault(gram, []).append(index)


def _new_id(prefix: str, day: date | None, text: str) -> str:
    digest = hashlib.sha1(_key(text).encode()).hexdigest()[:4]
    stamp = day.strftime("%Y%m%d") if day else "undated"
    return f"{prefix}-{stamp}-{digest}"


class _Mention(NamedTuple):
    """A question or TODO as written in one place (a tuple: a 30-year journal has tens of
    thousands, made on every run)."""

    text: str
    date: date | None
    status: str
    line: int
    source: str
    answer: str = ""
    list: str = ""
    kind: str = ""
    key: str = ""  # _key(text), worked out once per mention


# _Mention(...) without NamedTuple's Python-level __new__, from all nine fields: the same tuple
# (a cold 30-year run makes 26,000 of them).
_mention = partial(tuple.__new__, _Mention)


def _order(m: _Mention) -> tuple[date, str, int]:
    """Oldest first (undated last). Newest-first journals list later days at smaller line
    numbers; within a day, file order."""
    return (m.date or date.max, m.source, m.line)


def _track(mentions: Iterable[_Mention], prefix: str, closing: frozenset[str]) -> list[Tracked]:
    """Group mentions into tracked items, oldest first; the latest mention sets the status
    until one of the `closing` statuses (answered, done, dropped) closes the item."""
    return _fold(sorted(mentions, key=_order), prefix, closing)


def _fold(ordered: Iterable[_Mention], prefix: str, closing: frozenset[str]) -> list[Tracked]:
    """`_track` of mentions already in `_order`."""
    fold = _Fold(prefix, closing)
    fold.feed(ordered)
    return fold.tracked


class _Fold:
    """Tracked items and their index after some of the mentions in `_order`: `_fold`'s work,
    which can go on with later mentions. A copy goes on without changing the original, so
    that a fold kept from an earlier run (`Checkpoint`) serves every ledger of this one."""

    __slots__ = ("closing", "index", "prefix", "tracked")

    def __init__(
        self,
        prefix: str,
        closing: frozenset[str],
        tracked: list[Tracked] | None = None,
        index: _Index | None = None,
    ) -> None:
        self.prefix, self.closing = prefix, closing
        self.tracked: list[Tracked] = tracked if tracked is not None else []
        self.index = index if index is not None else _Index()

    def copy(self) -> _Fold:
        return _Fold(self.prefix, self.closing, [_copy(t) for t in self.tracked], self.index.copy())

    def feed(self, ordered: Iterable[_Mention]) -> None:
        """Take `ordered` (in `_order`, none before what was fed already) into the items."""
        tracked, index, closing, prefix = self.tracked, self.index, self.closing, self.prefix
        by_key = index.by_key
        for m in ordered:
            key = m.key or _key(m.text)
            found = by_key.get(key)  # the same words again (most mentions): nothing to post
            if found is None and (found := index.find(key)) is not None:
                index.add(key, found)  # like words: posted under this item too
            if found is None:
                index.add(key, len(tracked))
                tracked.append(
                    Tracked(
                        id=_new_id(prefix, m.date, m.text),
                        text=m.text,
                        first=m.date,
                        last=m.date,
                        status=m.status,
                        closed_on=m.date if m.status in closing else None,
                        answer=m.answer,
                        line=m.line,
                        source=m.source,
                        lists=[m.list] if m.list else [],
                        mentioned_at=[(m.source, m.line)],
                        kind=m.kind,
                    )
                )
                continue
            item = tracked[found]
            item.mentions += 1
            item.mentioned_at.append((m.source, m.line))
            if m.list and m.list not in item.lists:
                item.lists.append(m.list)
            if m.kind == "ask":
                item.kind = "ask"
            if m.date is not None:
                item.last, item.text = m.date, m.text
            if m.status != item.status and item.status not in closing:
                item.status = m.status
                if m.status in closing:
                    item.closed_on, item.answer = m.date, m.answer


def _copy(t: Tracked) -> Tracked:
    return Tracked(
        t.id,
        t.text,
        t.first,
        t.last,
        t.status,
        t.closed_on,
        t.answer,
        t.line,
        t.source,
        t.mentions,
        list(t.lists),
        t.mentioned_at.copy(),
        t.kind,
    )


def track_questions(questions: Iterable[Question], as_of: date | None = None) -> list[Tracked]:
    """The question ledger: one tracked question per distinct question, status as of `as_of`."""
    mentions = (
        _Mention(q.text, q.date, q.status, q.line, q.source, answer=q.answer, kind=q.kind)
        for q in questions
        if as_of is None or (q.date is not None and q.date <= as_of)
    )
    return _track(mentions, "q", frozenset({"answered"}))


def track_todos(todos: Iterable[Todo], as_of: date | None = None) -> list[Tracked]:
    """TODO lifecycle: open -> done / delayed / dropped across mentions. Undated list items
    (Today / ShortTerm / LongTerm) are the journal's current state: they apply last, and only
    when `as_of` is None (now), since nobody knows when they were ticked off."""
    mentions = (
        _Mention(t.text, t.date, t.status, t.line, t.source, list=t.list)
        for t in todos
        if as_of is None or (t.date is not None and t.date <= as_of)
    )
    return _track(mentions, "t", frozenset({"done", "dropped"}))


class History:
    """Every question and TODO mentioned in a journal's dated entries, oldest first, read once
    (from each entry's facts, not as models): the one pass over the whole journal that the
    week review, the month review and the ledgers all track from, each up to its own date.

    With a `Checkpoint` of the same older entries (kept by an earlier run), their folds stand
    in for their mentions: only the entries since are read, and each ledger goes on from the
    kept folds (a week's review of a 30-year journal reads its last weeks, not 30 years)."""

    def __init__(self, entries: Iterable[Entry], resume: Checkpoint | None = None) -> None:
        ordered = sorted(entries, key=_entry_order)
        self._begin(ordered, resume, _cut(ordered, resume) if resume is not None else None)

    def _begin(
        self,
        ordered: Sequence[Entry],
        resume: Checkpoint | None,
        cut: int | None,
        placed: tuple[Sequence[int], list[str]] | None = None,
    ) -> None:
        """Read `ordered` (in `_entry_order`) from `resume`'s folds of the first `cut`, whose
        lines and sources are `placed` when known (else read from the entries)."""
        self._entries = ordered
        self._base: tuple[_Fold, _Fold] | None = None
        self._folds: dict[str, tuple[int, _Fold]] = {}  # see `_fold`
        self._asked: set[str] = set()
        self.since = date.min  # mentions before this day are in the kept folds (_base)
        read = ordered
        if resume is not None and cut is not None:
            if placed is None:
                before = read[:cut]
                placed = list(map(_line, before)), list(map(_source, before))
            lines, sources = placed
            self._base = (
                _thaw(resume.questions, "q", _ANSWERED, lines, sources),
                _thaw(resume.todos, "t", _FINISHED, lines, sources),
            )
            self.since, read = date.fromordinal(resume.day), read[cut:]
        self._read(read)

    def _read(self, entries: Iterable[Entry]) -> None:
        self.questions: list[_Mention] = []
        self.todos: list[_Mention] = []
        questions, todos = self.questions, self.todos
        for entry in entries:
            facts = facts_of(entry)
            day, source, at = entry.start, entry.source, entry.line
            keys, asked = facts.keys, len(facts.questions)
            for (line, text, status, answer, kind), key in zip(
                facts.questions, keys[:asked], strict=True
            ):
                mention = (text, day, status, at + line, source, answer, "", kind, key)
                questions.append(_mention(mention))
            for (line, text, status), key in zip(facts.todos, keys[asked:], strict=True):
                todos.append(_mention((text, day, status, at + line, source, "", "", "", key)))
        # In `_order` as made: entries by (start, source, line), each one's mentions by line
        # (`test_the_history_is_in_order_as_made` holds it to the sort). Every fold takes a
        # part of them, up to its `as_of` day.
        self._question_days = [m.date or date.max for m in self.questions]
        self._todo_days = [m.date or date.max for m in self.todos]

    @property
    def resumed(self) -> bool:
        """True when a kept checkpoint stands in for the older entries."""
        return self._base is not None

    def _reach(self, as_of: date | None) -> None:
        """Read every entry again when a ledger asks for a day the kept folds are past."""
        if self._base is not None and as_of is not None and as_of < self.since - _DAY:
            self._base, self.since = None, date.min
            self._folds.clear()
            self._read(self._entries)

    @classmethod
    def of(cls, journal: Journal) -> History:
        """The history of `journal`, read once however many weeks are reviewed from it."""
        global _last
        if _last is None or _last[0] is not journal:
            _last = (journal, cls(journal.entries))
        return _last[1]

    @classmethod
    def resume(cls, journal: Journal, checkpoint: Checkpoint) -> bool:
        """Read `journal`'s history from `checkpoint` (`History.of` answers with it), when it
        holds the folds of the journal's older entries as they are; False when it does not.
        ValueError, TypeError, IndexError, AttributeError or OverflowError for a checkpoint
        that is not one."""
        global _last
        # From the journal's columns: entries are made for the days after the cut alone
        # (read back from a snapshot, 30 years' entries are not made on every run).
        entries = journal.entries
        columns = columns_of(entries)
        starts, sources, lines = columns.starts, columns.sources, columns.lines
        one_file = not sources or _one_file(sources)
        # `_entry_order` (start, source, line): in one file, lines follow the indexes.
        order: Sequence[int]
        if one_file:
            order = by_start(entries)  # an array, worked out once: read, never changed
        else:
            keys = list(zip(starts, sources, lines, strict=True))
            order = sorted(range(len(entries)), key=keys.__getitem__)
        # The entries before its day: `order` is by start (bisection, not a pass over 30 years)
        cut = bisect_left(order, checkpoint.day, key=starts.__getitem__)
        before = order[:cut]
        in_file = (
            sorted(before)
            if one_file
            else sorted(before, key=list(zip(sources, lines, strict=True)).__getitem__)
        )
        if _named_in(entries, in_file) != checkpoint.key:
            return False  # nothing read: the caller reads every entry's facts first
        history = cls.__new__(cls)
        placed = (
            array("q", map(lines.__getitem__, before)),
            [sources[0]] * cut if one_file else list(map(sources.__getitem__, before)),
        )
        history._begin(_Ordered(entries, order), checkpoint, cut, placed)
        _last = (journal, history)
        return True

    def _start(self, kind: str) -> _Fold:
        if self._base is None:
            return _Fold(kind, _ANSWERED if kind == "q" else _FINISHED)
        return (self._base[0] if kind == "q" else self._base[1]).copy()

    def _fold(self, kind: str, upto: int, undated: list[_Mention]) -> _Fold:
        """A fold of the first `upto` mentions of `kind` ("q" or "t") and then of `undated`
        ones, the caller's own. From the second ledger of a kind on, the fold of the dated
        mentions is kept and the next one that asks for as many or more goes on from it: a
        month's weeks, or a backfill's years, fold each mention once, not once per week."""
        mentions = self.questions if kind == "q" else self.todos
        if undated and upto and mentions[upto - 1].date == date.max:
            fold = self._start(kind)  # undated ones sort among these by line (`_then`)
            fold.feed(_then(mentions[:upto], undated))
            return fold
        fold = self._dated(kind, mentions, upto)
        fold.feed(sorted(undated, key=_order))
        return fold

    def _dated(self, kind: str, mentions: list[_Mention], upto: int) -> _Fold:
        kept = self._folds.get(kind)
        if kept is not None and kept[0] <= upto:
            done, fold = kept
            fold.feed(mentions[done:upto])
            self._folds[kind] = (upto, fold)
            return fold.copy()
        fold = self._start(kind)
        fold.feed(mentions[:upto])
        if kept is None and kind not in self._asked:
            self._asked.add(kind)  # one ledger (a week's review): no copy kept
            return fold
        self._folds[kind] = (upto, fold)
        return fold.copy()

    def track_questions(
        self, as_of: date | None = None, undated: Iterable[Question] = ()
    ) -> list[Tracked]:
        """The question ledger as of `as_of` (None: now, the undated lists applied last)."""
        self._reach(as_of)
        upto = len(self.questions) if as_of is None else bisect_right(self._question_days, as_of)
        later = [
            _Mention(q.text, None, q.status, q.line, q.source, q.answer, kind=q.kind)
            for q in (undated if as_of is None else ())
        ]
        return self._fold("q", upto, later).tracked

    def track_todos(self, as_of: date | None = None, undated: Iterable[Todo] = ()) -> list[Tracked]:
        """The TODO lifecycle as of `as_of` (None: now, the undated lists applied last)."""
        self._reach(as_of)
        upto = len(self.todos) if as_of is None else bisect_right(self._todo_days, as_of)
        later = [
            _Mention(t.text, None, t.status, t.line, t.source, list=t.list)
            for t in (undated if as_of is None else ())
        ]
        return self._fold("t", upto, later).tracked

    def checkpoint(self, day: date) -> Checkpoint:
        """The folds of every entry before `day`, to keep for the next run; this history's
        ledgers go on from them too (as of `day` or later: they are not folded twice)."""
        self._reach(day - _DAY)
        cut = bisect_left(list(map(_start, self._entries)), day)
        before = self._entries[:cut]
        asked, listed = bisect_left(self._question_days, day), bisect_left(self._todo_days, day)
        questions, todos = self._start("q"), self._start("t")
        questions.feed(self.questions[:asked])
        todos.feed(self.todos[:listed])
        kept = Checkpoint(
            day.toordinal(),
            _entries_key(before),
            _kept(questions, before),
            _kept(todos, before),
            {entry_digest(e): tuple(facts_of(e)) for e in self._entries[cut:]},
        )
        self._base, self.since = (questions, todos), day
        self._folds.clear()  # of mentions no longer in the lists
        del self.questions[:asked], self._question_days[:asked]
        del self.todos[:listed], self._todo_days[:listed]
        return kept


class Checkpoint(NamedTuple):
    """The question and TODO folds of a journal's entries before a day, kept between runs
    (plain values: `files.seal` keeps them). `key` names those entries (text, day and file of
    each, in `_order`): a checkpoint is taken only for the same entries. Lines are kept as
    (entry, line within it), since an entry added above (a newest-first journal) moves every
    line below it. The facts of the entries from that day on come along: the next run reads
    them from here, not from the facts cache of every entry."""

    day: int  # date.toordinal() of the first day not folded in
    key: str
    questions: tuple[Any, ...]
    todos: tuple[Any, ...]
    facts: dict[str, tuple[Any, ...]]  # text digest -> `EntryFacts` of the later entries


_entry_order = attrgetter("start", "source", "line")  # of entries, as `_order` of mentions
_start = attrgetter("start")
_line = attrgetter("line")
_source = attrgetter("source")
_digest = attrgetter("digest")
_in_file = attrgetter("source", "line")


def _cut(entries: list[Entry], checkpoint: Checkpoint) -> int | None:
    """How many of `entries` (in order) `checkpoint` holds the folds of; None when it holds
    those of other entries."""
    cut = bisect_left(list(map(_start, entries)), date.fromordinal(checkpoint.day))
    return cut if _entries_key(entries[:cut]) == checkpoint.key else None


def _entries_key(folded: Sequence[Entry]) -> str:
    """A name for the entries a checkpoint folded: the text, day and file of each, in file
    order (by file, then line), which fixes their `_entry_order` too. In one file they are
    then in a row, and their digests one slice of a kept journal's column (`resume`)."""
    entries = sorted(folded, key=_in_file)
    digests = list(map(_digest, entries))  # as the parse worked them out: C calls, not Python
    if "" in digests:  # an entry made otherwise (`entry_digest` works it out from the text)
        digests = list(map(entry_digest, entries))
    days = map(date.toordinal, map(_start, entries))
    return _named("".join(digests), days, list(map(_source, entries)))


def _named_in(entries: Sequence[Entry], indexes: list[int]) -> str:
    """`_entries_key` of the entries at `indexes` (in file order), from the journal's columns:
    an `EntryTable`'s digests from its own, without making the entries; entries in a row
    (one file's) as slices of each column, not one by one."""
    columns = columns_of(entries)
    in_row = bool(indexes) and indexes == list(range(indexes[0], indexes[-1] + 1))
    first, end = (indexes[0], indexes[-1] + 1) if in_row else (0, 0)
    if in_row:
        days, sources = columns.starts[first:end], columns.sources[first:end]
    else:
        days = array("q", map(columns.starts.__getitem__, indexes))
        sources = list(map(columns.sources.__getitem__, indexes))
    if not isinstance(entries, EntryTable):
        digests = "".join(map(entry_digest, map(entries.__getitem__, indexes)))
    elif in_row:
        digests = entries.digests[first * _HEX : end * _HEX]
    else:
        hexes = entries.digests
        digests = "".join([hexes[n * _HEX : (n + 1) * _HEX] for n in indexes])
    return _named(digests, days, sources)


def _named(digests: str, days: Iterable[int], sources: Sequence[str]) -> str:
    """`_entries_key` of the entries whose text digests (joined), day ordinals and files
    these are. The files as one name and a count when they are all one (a journal file: its
    name 11,000 times was a third of the bytes hashed), else every name; each form tagged."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(digests.encode())
    digest.update(array("q", days).tobytes())
    if _one_file(sources):
        files = f"1\0{sources[0]}\0{len(sources)}"
    else:
        files = "n\0" + "\0".join(sources)
    digest.update(files.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _one_file(sources: Sequence[str]) -> bool:
    """Whether there are entries and they are all of one file (C calls: 11,000 of them)."""
    return bool(sources) and sources.count(sources[0]) == len(sources)


class _Ordered(Sequence[Entry]):
    """A journal's entries in another order (`order`: their indexes), each made when read
    (`EntryTable`): a resumed history holds them all, and reads those after its cut."""

    __slots__ = ("_entries", "_order")

    def __init__(self, entries: Sequence[Entry], order: Sequence[int]) -> None:
        self._entries, self._order = entries, order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if not isinstance(index, slice):
            return self._entries[self._order[index]]
        picked = self._order[index]
        entries = self._entries
        if len(picked) > _FEW and isinstance(entries, EntryTable):
            entries = entries.all()  # made at once, not one by one
        return list(map(entries.__getitem__, picked))

    def __iter__(self) -> Iterator[Entry]:
        return iter(self[:])


_FEW = 64  # entries of a resumed history made one by one; more are made all at once
_HEX = 32  # hex digits of a text digest (`text_digest`)


def _kept(fold: _Fold, entries: Sequence[Entry]) -> tuple[Any, ...]:
    """A fold of the mentions in `entries` as plain values, each line as (entry, offset)."""
    sources, numbers = list(map(_source, entries)), list(map(_line, entries))
    order = sorted(range(len(entries)), key=list(zip(sources, numbers, strict=True)).__getitem__)
    lines: dict[str, tuple[list[int], list[int]]] = {}  # source -> entries' lines, indexes
    if _one_file(sources):  # as C calls
        lines[sources[0]] = (list(map(numbers.__getitem__, order)), order)
    else:
        for k in order:
            starts, ks = lines.setdefault(sources[k], ([], []))
            starts.append(numbers[k])
            ks.append(k)

    def where(source: str, line: int) -> tuple[int, int]:
        starts, ks = lines[source]
        n = bisect_right(starts, line) - 1
        return ks[n], line - starts[n]

    def placed(mentioned: list[tuple[str, int]] | Places) -> bytes:
        """`_packed(map(where, ...))`: an item asked about every week of 30 years has 1,500
        mentions, each found by C calls (`map`) when they are all in one file."""
        if not mentioned:
            return b""
        at, line_of = zip(*mentioned, strict=True)
        if at.count(at[0]) != len(at):
            return _packed(map(where, at, line_of))
        starts, ks = lines[at[0]]
        n = list(map(sub, map(partial(bisect_right, starts), line_of), repeat(1)))
        offsets = map(sub, line_of, map(starts.__getitem__, n))
        return array(
            "q", chain.from_iterable(zip(map(ks.__getitem__, n), offsets, strict=True))
        ).tobytes()

    def day(d: date | None) -> int:
        return d.toordinal() if d else 0

    rows = tuple(
        (
            t.id,
            t.text,
            day(t.first),
            day(t.last),
            t.status,
            day(t.closed_on),
            t.answer,
            where(t.source, t.line),
            t.mentions,
            tuple(t.lists),
            placed(t.mentioned_at),
            t.kind,
        )
        for t in fold.tracked
    )
    index = fold.index
    return rows, index.by_key, tuple(index.grams), index.postings


def _thaw(
    kept: tuple[Any, ...],
    prefix: str,
    closing: frozenset[str],
    lines: Sequence[int],
    sources: list[str],
) -> _Fold:
    """The fold `_kept` made, its lines where the entries it was made of are now (the line
    and the source of each, in order)."""
    rows, by_key, grams, postings = kept
    day = date.fromordinal
    tracked = [
        Tracked(
            id,
            text,
            day(first),
            day(last),
            status,
            day(closed) if closed else None,
            answer,
            lines[k] + off,
            sources[k],
            mentions,
            list(listed),
            Places(mentioned, sources, lines),
            kind,
        )
        for (
            id,
            text,
            first,
            last,
            status,
            closed,
            answer,
            (k, off),
            mentions,
            listed,
            mentioned,
            kind,
        ) in rows
    ]
    # Every item the index names is one of the fold's: a checkpoint that names others is not
    # one (and would fail a week's review halfway).
    count = len(tracked)
    named = [*by_key.values(), *chain.from_iterable(postings.values())]
    if len(grams) != count or (named and not 0 <= min(named) <= max(named) < count):
        raise ValueError("a fold whose index names other items")
    index = _Index()
    index.by_key, index.grams, index.postings = by_key, list(grams), postings
    return _Fold(prefix, closing, tracked, index)


def _packed(places: Iterable[tuple[int, int]]) -> bytes:
    """(entry, offset) pairs as the bytes of one array: an item asked about every week of 30
    years has 1,500 mentions, and a tuple for each was most of reading a checkpoint back."""
    return array("q", [n for place in places for n in place]).tobytes()


def _unpacked(packed: bytes, sources: list[str], lines: Sequence[int]) -> list[tuple[str, int]]:
    """The (source, line) of each pair `_packed` kept, its entry's lines where they are now."""
    pairs = array("q")
    pairs.frombytes(packed)
    entries = pairs[0::2]
    return list(
        zip(
            map(sources.__getitem__, entries),
            map(add, map(lines.__getitem__, entries), pairs[1::2]),
            strict=True,
        )
    )


def _then(ordered: list[_Mention], undated: list[_Mention]) -> list[_Mention]:
    """Mentions in `_order` followed by undated ones: all in `_order` (sorted whole only when
    a dated one is dated the last day there is, where undated ones sort by line)."""
    if not undated:
        return ordered
    if ordered and ordered[-1].date == date.max:
        return sorted(ordered + undated, key=_order)
    return ordered + sorted(undated, key=_order)


_last: tuple[Journal, History] | None = None
_ANSWERED = frozenset({"answered"})
_DAY = timedelta(1)
_FINISHED = frozenset({"done", "dropped"})


def reconcile(tracked: list[Tracked], stored: Mapping[str, str]) -> dict[str, str]:
    """Give tracked items the ids a stored ledger ({id: text}) knew them by; return the new
    ledger. Matched by text first, whatever the id's date: the same words keep their id when
    the author corrects the heading's date (`q-20191012-…` stays, though now asked on the 13th);
    then a reworded item keeps the id of a similar stored text, preferring one of its own date."""
    keep = {item.id for item in tracked if item.id in stored}
    free = {old_id: text for old_id, text in stored.items() if old_id not in keep}
    by_key: dict[str, list[str]] = {}
    for old_id, text in free.items():
        by_key.setdefault(_key(text), []).append(old_id)
    taken: set[str] = set(keep)
    pending: list[Tracked] = []
    for item in tracked:
        if item.id in keep:
            continue
        exact = [i for i in by_key.get(_key(item.text), []) if i not in taken]
        if exact:
            item.id = exact[0]
            taken.add(item.id)
        else:
            pending.append(item)
    wordings = Wordings((text, old_id) for old_id, text in free.items())
    for item in pending:
        stamp = item.id.rsplit("-", 1)[0]
        near = [i for i in wordings.similar_to(item.text) if i not in taken]
        near.sort(key=lambda i: i.rsplit("-", 1)[0] != stamp)
        if near:
            item.id = near[0]
        while item.id in taken:  # two items with the same first date and wording hash
            item.id += "x"
        taken.add(item.id)
    return {item.id: item.text for item in tracked}


def ids_by_mention(tracked: Iterable[Tracked]) -> Mapping[tuple[str, int], str]:
    """(source, line) of every mention -> the id of the item it belongs to."""
    return _MentionIds([(item.id, item.mentioned_at) for item in tracked])


class _MentionIds(Mapping[tuple[str, int], str]):
    """`ids_by_mention`: the places fed since a checkpoint first, which are every place a
    review of a week after it asks about; the kept ones (`Places`) are unpacked only when a
    place is not among those (a week before the checkpoint's day), or for the whole map."""

    def __init__(self, items: list[tuple[str, list[tuple[str, int]] | Places]]) -> None:
        self._items = items  # (id, places) of each item, in order: a later one wins a place
        self._ids = {
            at: id
            for id, places in items
            for at in (places.fresh if isinstance(places, Places) else places)
        }
        self._whole = not any(isinstance(places, Places) for _, places in items)

    def _every(self) -> dict[tuple[str, int], str]:
        if not self._whole:
            self._ids = {at: id for id, places in self._items for at in places}
            self._whole = True
        return self._ids

    def __getitem__(self, at: tuple[str, int]) -> str:
        found = self._ids.get(at)
        return found if found is not None else self._every()[at]

    def __iter__(self) -> Iterator[tuple[str, int]]:
        return iter(self._every())

    def __len__(self) -> int:
        return len(self._every())
