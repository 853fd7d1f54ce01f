"""The question ledger and TODO lifecycle across weeks."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reviewer.facts.calendar import Week
from reviewer.facts.extract import extract_questions, extract_todos, undated_todos
from reviewer.facts.tracking import (
    Wordings,
    ids_by_mention,
    reconcile,
    similar,
    track_questions,
    track_todos,
)
from reviewer.journal.parse import parse_journal
from reviewer.review.week import open_longest, question_ledger

from .conftest import FIXTURE

JOURNAL = """\
### 2020-03-04
* 需要问的问题
  * ~~inner controller 的 sample 数是怎么定的~~
* 改好bug （👌）
### 2020-02-26
* 需要问的问题
  * inner controller的sample数是怎么定的
  * default dict的问题
* TODO: 改好bug
### 2020-02-18
* 需要问的问题
  * inner controller的sample数是怎么定的？
  * train_ratio只有0.1?
* TODO: 改好bug
* TODO: 写周报
"""


def _journal():  # type: ignore[no-untyped-def]
    return parse_journal(JOURNAL)


def test_similar_wordings() -> None:
    assert similar(
        "inner controller的sample数是怎么定的？", "inner controller 的 sample 数是怎么定的"
    )
    assert not similar("default dict的问题", "train_ratio只有0.1?")
    assert not similar("改图", "改表")  # too short to call similar unless equal


def test_question_carries_over_until_answered_later() -> None:
    journal = _journal()
    tracked = track_questions(extract_questions(journal.entries))
    inner = next(t for t in tracked if t.text.startswith("inner"))
    assert (inner.first, inner.last, inner.mentions) == (
        date(2020, 2, 18),
        date(2020, 3, 4),
        3,
    )
    assert (inner.status, inner.closed_on) == ("answered", date(2020, 3, 4))
    # As of the week of 2020-02-24 it was still open.
    as_then = track_questions(extract_questions(journal.entries), as_of=date(2020, 3, 1))
    assert next(t for t in as_then if t.text.startswith("inner")).status == "open"


def test_week_review_lists_earlier_open_questions_once_with_age() -> None:
    journal = _journal()
    carried, ids = question_ledger(journal, Week.containing(date(2020, 2, 24)))
    # Re-asked on 02-26, so it is this week's question, not a carried one.
    assert [(q.text, q.date, q.age_days) for q in carried] == [
        ("train_ratio只有0.1?", date(2020, 2, 18), 12)
    ]
    assert all(q.carried_over and q.status == "open" for q in carried)
    assert len(set(ids.values())) == 3
    carried_next, _ = question_ledger(journal, Week.containing(date(2020, 3, 4)))
    assert [q.text for q in carried_next] == [
        "train_ratio只有0.1?",
        "default dict的问题",
    ]


def test_todo_lifecycle() -> None:
    journal = _journal()
    tracked = {t.text: t for t in track_todos(extract_todos(journal.entries))}
    assert (tracked["改好bug"].status, tracked["改好bug"].closed_on) == ("done", date(2020, 3, 4))
    assert tracked["改好bug"].mentions == 3
    assert tracked["写周报"].status == "open"
    stale = open_longest(journal, Week.containing(date(2020, 2, 24)))
    assert [(t.text, t.age_days, t.carried_over) for t in stale] == [("写周报", 12, True)]


def test_undated_lists_apply_now_only() -> None:
    text = "### 2020-02-24\n* TODO: 写finetune\n## Done\n#### ShortTerm\n* ~~写finetune~~\n"
    journal = parse_journal(text)
    written = extract_todos(journal.entries) + undated_todos(journal.sections)
    (now,) = track_todos(written)
    assert (now.status, now.lists, now.first) == ("done", ["ShortTerm"], date(2020, 2, 24))
    (then,) = track_todos(written, as_of=date(2020, 3, 1))
    assert then.status == "open"


def test_ids_survive_a_reworded_question() -> None:
    before = track_questions(
        extract_questions(parse_journal("### 2020-02-18\n* 为什么loss会下降?\n").entries)
    )
    stored = reconcile(before, {})
    after = track_questions(
        extract_questions(parse_journal("### 2020-02-18\n* 为什么训练loss会下降呢?\n").entries)
    )
    new = reconcile(after, stored)
    assert after[0].id == before[0].id and list(new) == list(stored)
    assert before[0].id.startswith("q-20200218-")


def test_fixture_carry_over(journal_text: str) -> None:
    journal = parse_journal(journal_text)
    carried, _ = question_ledger(journal, Week.containing(date(2020, 2, 24)))
    texts = {q.text: q for q in carried}
    # Asked 2020-02-17 under 需要问的问题, still open in the next week's review.
    assert texts["predictor train不用调？"].age_days == 13
    # Struck through on 2019-12-12: answered, never carried.
    assert not any("TTQ的正负WQ" in t for t in texts)


def test_wonders_are_not_carried_over() -> None:
    journal = parse_journal(
        "### 2020-02-25\n* 写了点东西\n### 2020-02-18\n* 是不是学习率太大了？\n"
        "* 需要问的问题\n  * 数据集怎么划分\n"
    )
    carried, _ = question_ledger(journal, Week.containing(date(2020, 2, 25)))
    assert [(q.text, q.kind) for q in carried] == [("数据集怎么划分", "ask")]


# Wordings finds what comparing with every text finds: drawn from few characters and words,
# so that near and exact matches are common (random text would almost never match).
_wording = st.lists(
    st.sampled_from(["ab", "cd", "ef", "的", "问题", " ", "?", "sample", "x"]), max_size=8
).map("".join)


@settings(max_examples=300, deadline=None)
@given(st.lists(_wording, max_size=25), st.lists(_wording, min_size=1, max_size=10))
def test_wordings_find_exactly_the_similar_texts(texts: list[str], probes: list[str]) -> None:
    wordings = Wordings((text, n) for n, text in enumerate(texts))
    for probe in probes:
        assert wordings.similar_to(probe) == [
            n for n, text in enumerate(texts) if similar(text, probe)
        ]


_DAYS = ["2020-02-18", "2020-02-26", "2020-03-04", "2020-02-18 ~ 2020-02-20"]
_ITEMS = [
    "* TODO: 改好bug",
    "* ~~改好bug~~",
    "* 需要问的问题\n  * default dict的问题",
    "* 需要问的问题\n  * ~~default dict的问题~~ —— 用 get",
    "* Q: train_ratio只有0.1?",
    "* TODO: 写周报 [DROP]",
    "* [x] 写周报",
]
_UNDATED = "## Questions to ask\n* default dict的问题？\n## Done\n#### Today\n* ~~改好bug~~\n"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(_DAYS), st.lists(st.sampled_from(_ITEMS), max_size=4)),
        min_size=1,
        max_size=8,
    ),
    st.integers(-1, 8),
    st.sampled_from([None, date(2020, 2, 26), date(2020, 3, 1), date(9999, 12, 31)]),
)
def test_the_one_history_pass_folds_as_each_ledger_alone(
    entries: list[tuple[str, list[str]]], lists: int, as_of: date | None
) -> None:
    """`History` sorts the mentions once and folds a part of them for each day; the plain
    functions sort what they are given: the same ledgers, undated lists included."""
    from reviewer.facts.extract import undated_questions
    from reviewer.facts.tracking import History

    parts = [f"### {day}\n" + "\n".join(items) + "\n" for day, items in entries]
    if lists >= 0:  # the undated lists, anywhere among the entries
        parts.insert(min(lists, len(parts)), _UNDATED)
    journal = parse_journal("".join(parts))
    history = History(journal.entries)
    questions, todos = extract_questions(journal.entries), extract_todos(journal.entries)
    if as_of is None:
        questions += undated_questions(journal.sections)
        todos += undated_todos(journal.sections)
    undated_q = undated_questions(journal.sections) if as_of is None else []
    undated_t = undated_todos(journal.sections) if as_of is None else []
    assert history.track_questions(as_of, undated_q) == track_questions(questions, as_of)
    assert history.track_todos(as_of, undated_t) == track_todos(todos, as_of)


def test_undated_mentions_sort_by_line_among_those_of_the_last_day() -> None:
    """Undated mentions sort as of `date.max`: after every dated one, but by line among any
    dated that day (no parsed heading is, but `History` folds what it is given)."""
    from reviewer.facts.tracking import _Mention, _order, _then

    last = _Mention("a", date.max, "open", 9, "")
    undated = [_Mention("b", None, "done", 5, ""), _Mention("c", None, "open", 2, "")]
    earlier = _Mention("d", date(2020, 1, 1), "open", 20, "")
    assert _then([earlier, last], undated) == sorted([earlier, last, *undated], key=_order)
    assert _then([earlier], undated) == [earlier, *sorted(undated, key=_order)]


def test_the_history_is_in_order_as_made() -> None:
    """`History` folds its mentions as they come (entries by date, each one's mentions by
    line), without sorting them: on every journal of the corpus, that is sorted order."""
    from pathlib import Path

    from reviewer.facts.tracking import History, _order

    from .conftest import FIXTURE

    for path in [FIXTURE, *sorted(Path(__file__).parent.glob("**/*.md"))]:
        history = History(parse_journal(path.read_bytes(), source=str(path)).entries)
        assert history.questions == sorted(history.questions, key=_order), path
        assert history.todos == sorted(history.todos, key=_order), path


def _kept(checkpoint):  # type: ignore[no-untyped-def]
    """A checkpoint as the next run reads it: sealed to bytes and back (plain values only)."""
    from reviewer.facts.tracking import Checkpoint
    from reviewer.files import seal, unseal

    return Checkpoint._make(
        unseal(seal("history", "v", "-", tuple(checkpoint)), "history", "v", "-")
    )


def _ledgers(history, journal, days):  # type: ignore[no-untyped-def]
    from reviewer.facts.extract import undated_questions

    return [(history.track_questions(day), history.track_todos(day)) for day in days] + [
        history.track_questions(undated=undated_questions(journal.sections)),
        history.track_todos(undated=undated_todos(journal.sections)),
    ]


def test_a_kept_history_of_several_files_goes_on_as_a_fold_of_every_entry() -> None:
    """A folder of notes: the checkpoint keeps each mention's place by the entry of its own
    file (mentions in one file are placed by C calls; an item mentioned in several files,
    one by one), and the ledgers read back are those of every entry."""
    from reviewer.facts.tracking import History

    def note(day: str, asked: str) -> str:
        return f"### {day}\n* TODO: 写周报\n* 需要问的问题\n  * {asked}\n"

    entries = [
        *parse_journal(note("2020-02-24", "数据集怎么划分？"), source="notes/a.md").entries,
        *parse_journal(note("2020-02-25", "学习率怎么定？"), source="notes/b.md").entries,
        *parse_journal(note("2020-02-26", "数据集怎么划分？"), source="notes/c.md").entries,
        *parse_journal(note("2020-03-02", "为什么？"), source="notes/d.md").entries,
    ]
    kept = _kept(History(entries).checkpoint(date(2020, 3, 1)))
    resumed = History(entries, kept)
    assert resumed.resumed
    fresh = History(entries)
    for day in (date(2020, 3, 1), date(2020, 3, 2), date(2020, 3, 9)):
        assert resumed.track_questions(day) == fresh.track_questions(day)
        assert resumed.track_todos(day) == fresh.track_todos(day)
    (todo,) = fresh.track_todos(date(2020, 3, 9))
    assert {source for source, _ in todo.mentioned_at} == {f"notes/{n}.md" for n in "abcd"}


def test_a_kept_history_goes_on_as_a_fold_of_every_entry() -> None:
    """The folds of the entries before a day, kept and read back by the next run after an
    entry was written above the others (every line below it moved), give the
    ledgers of a history read from every entry: items, statuses, lines and mentions alike."""
    from pathlib import Path

    from reviewer.facts.tracking import History

    from .conftest import FIXTURE

    for path in [FIXTURE, *sorted(Path(__file__).parent.glob("eval/**/*.md"))]:
        text = path.read_text(encoding="utf-8")
        journal = parse_journal(text, source="j.md")
        if len(journal.entries) < 4:
            continue
        starts = sorted(e.start for e in journal.entries)
        day = starts[len(starts) // 2]
        kept = _kept(History(journal.entries).checkpoint(day))
        lines = text.split("\n")
        top = min(journal.entries, key=lambda e: e.line)  # above it, as written there
        mark = "#" * top.level
        added = [f"{mark} 2099-01-01", "* TODO: 新的一天", "* 需要问的问题", "  * 为什么？", ""]
        later = "\n".join([*lines[: top.line - 1], *added, *lines[top.line - 1 :]])
        now = parse_journal(later, source="j.md")
        resumed = History(now.entries, kept)
        assert resumed.resumed, path
        days = [day - timedelta(days=1), day, starts[-1], date(2099, 1, 1)]
        assert _ledgers(resumed, now, days) == _ledgers(History(now.entries), now, days), path
        for when in days:  # each mention's id, asked place by place as a week's review does
            ids = ids_by_mention(History(now.entries, kept).track_questions(when))
            expected = dict(ids_by_mention(History(now.entries).track_questions(when)))
            assert {at: ids.get(at) for at in expected} == expected, (path, when)
            assert ids.get(("elsewhere", 0)) is None and dict(ids) == expected, (path, when)
        # The history that made a checkpoint goes on from it, and from every entry again for
        # a day before it.
        made = History(now.entries)
        made.checkpoint(day)
        earlier = [*days, starts[0]]  # the last: before the checkpoint
        assert _ledgers(made, now, earlier) == _ledgers(History(now.entries), now, earlier), path


def test_a_resumed_week_unpacks_the_kept_places_only_when_asked_for_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A week after the checkpoint's day names its questions by the places fed since it: the
    kept places of 30 years are not unpacked for it. A place before the day unpacks them."""
    from reviewer.facts import tracking
    from reviewer.facts.tracking import History

    journal = parse_journal(FIXTURE.read_text(encoding="utf-8"), source="j.md")
    questions = extract_questions(journal.entries)
    week = Week.containing(max(q.date for q in questions if q.date))
    kept = _kept(History(journal.entries).checkpoint(week.start))
    unpacked: list[bytes] = []
    real = tracking._unpacked
    monkeypatch.setattr(
        tracking, "_unpacked", lambda packed, *rest: unpacked.append(packed) or real(packed, *rest)
    )
    resumed = History(journal.entries, kept)
    fresh = History(journal.entries)
    asked = [q for q in questions if q.date and q.date in week]
    ids = ids_by_mention(resumed.track_questions(week.end))
    expected = ids_by_mention(fresh.track_questions(week.end))
    assert [ids[q.source, q.line] for q in asked] == [expected[q.source, q.line] for q in asked]
    assert asked and unpacked == []
    early = next(at for at in dict(expected) if at not in {(q.source, q.line) for q in asked})
    assert ids[early] == expected[early] and unpacked


def test_a_kept_history_is_not_taken_for_other_entries_nor_for_earlier_days() -> None:
    """An older entry edited since: the checkpoint is of other entries, and every entry is
    read. A ledger as of a day the checkpoint is past: every entry is read again."""
    from reviewer.facts.tracking import History

    journal = _journal()
    kept = _kept(History(journal.entries).checkpoint(date(2020, 2, 27)))
    edited = parse_journal(JOURNAL.replace("default dict的问题", "default dict 的问题？"))
    assert not History(edited.entries, kept).resumed
    resumed = History(journal.entries, kept)
    assert resumed.resumed and len(resumed.questions) == 1  # the entry of 2020-03-04 alone
    early = date(2020, 2, 20)
    assert resumed.track_questions(early) == History(journal.entries).track_questions(early)
    assert not resumed.resumed


def test_the_ledger_of_near_identical_questions_is_the_same_in_every_process() -> None:
    """Questions alike but for a number ("第 3 个实验的 learning rate 是怎么定的？") tie as
    the most similar item; the latest wins, not the order Python's hash seed gave a set."""
    import subprocess
    import sys

    days = "".join(
        f"### 2020-{1 + n // 28:02d}-{1 + n % 28:02d}\n* 需要问的问题\n"
        f"  * 第 {n} 个实验的 learning rate 是怎么定的？\n* TODO: 整理第 {n} 组结果\n"
        for n in range(120)
    )
    code = (
        "import sys, hashlib\n"
        "from reviewer.facts.tracking import History\n"
        "from reviewer.journal.parse import parse_journal\n"
        "h = History(parse_journal(sys.stdin.read()).entries)\n"
        "print(hashlib.sha256(repr((h.track_questions(), h.track_todos())).encode()).hexdigest())"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code],
            input=days,
            capture_output=True,
            text=True,
            env={**__import__("os").environ, "PYTHONHASHSEED": seed},
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(seen) == 1, seen


def test_ledgers_asked_one_after_another_are_each_a_fold_of_its_own() -> None:
    """A month's weeks and a backfill's years ask one History for ledger after ledger: each
    goes on from the fold of the last one asked for, when that covers fewer mentions, and is
    the ledger a History asked once gives, in any order of days, with the ledgers handed out
    before changed by their callers (ids given, mentions added), undated lists too, and from
    a kept checkpoint."""
    from pathlib import Path

    from reviewer.facts.extract import undated_questions
    from reviewer.facts.tracking import History

    from .conftest import FIXTURE

    for path in [FIXTURE, *sorted(Path(__file__).parent.glob("eval/**/*.md"))]:
        journal = parse_journal(path.read_text(encoding="utf-8"), source="j.md")
        if len(journal.entries) < 4:
            continue
        starts = sorted(e.start for e in journal.entries)
        days = [starts[len(starts) * k // 8] for k in range(8)] + [starts[-1]]
        undated_q, undated_t = undated_questions(journal.sections), undated_todos(journal.sections)
        order: list[date | None] = [*days, None, *reversed(days), days[3], None, days[5]]
        middle = starts[len(starts) // 2]
        for history in (
            History(journal.entries),
            History(journal.entries, _kept(History(journal.entries).checkpoint(middle))),
        ):
            for day in order:
                alone = History(journal.entries)
                expected = (
                    alone.track_questions(day, undated_q if day is None else ()),
                    alone.track_todos(day, undated_t if day is None else ()),
                )
                got = (
                    history.track_questions(day, undated_q if day is None else ()),
                    history.track_todos(day, undated_t if day is None else ()),
                )
                assert got == expected, (path, day)
                for ledger in got:  # what callers do with a ledger handed to them
                    for t in ledger:
                        t.id = "x"
                        t.mentions += 1
                        t.mentioned_at.append(("elsewhere", 0))
