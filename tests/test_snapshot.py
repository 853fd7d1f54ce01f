"""The journal snapshot (issue 12): a journal whose bytes did not change since the last run is
not parsed again, and what the snapshot gives is exactly what the parse would have given.

Checked the way the product reads: `load_journal` with a snapshot folder, on the fixture,
every journal of the corpus, generated journals (hypothesis), BOM and CRLF files; and every
way a kept snapshot can be wrong (other bytes, another parser, damaged, cut, not a file)."""

from __future__ import annotations

import os
import stat
import threading
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.journal import snapshot
from reviewer.journal.parse import _TEXT, Journal, parse_journal
from reviewer.journal.source import clear_snapshots, load_journal

from .conftest import FIXTURE
from .test_hostile_properties import journal_text, line

CORPUS = sorted(Path(__file__).parent.glob("**/*.md"))


def _same(a: Journal, b: Journal) -> None:
    """Equal, and equal in what equality leaves out (where each text is in the bytes)."""
    assert a == b
    assert [e.span for e in a.entries] == [e.span for e in b.entries]
    assert [(e.source, e.text) for e in a.entries] == [(e.source, e.text) for e in b.entries]
    places = [a.preamble, *a.sections, *a.undatable]
    others = [b.preamble, *b.sections, *b.undatable]
    assert [p.span if p else None for p in places] == [p.span if p else None for p in others]
    assert [e.digest for e in a.entries] == [e.digest for e in b.entries]
    assert [e.has_content for e in a.entries] == [e.has_content for e in b.entries]  # kept


def _load_twice(path: Path, folder: Path) -> tuple[Journal, Journal]:
    """The journal as parsed (and kept), then as thawed from the snapshot."""
    first = load_journal(path, snapshots=folder)
    assert list(folder.glob("journal-*.snapshot")), "no snapshot was kept"
    return first, load_journal(path, snapshots=folder)


@pytest.mark.parametrize("path", [FIXTURE, *CORPUS], ids=lambda p: p.name)
def test_a_kept_journal_is_the_journal_parsed(path: Path, tmp_path: Path) -> None:
    try:
        plain = load_journal(path)
    except Exception:
        pytest.skip("not a journal the parser takes")
    first, again = _load_twice(path, tmp_path)
    assert first == plain
    _same(first, again)
    # Thawed, each entry holds its bytes, decoded when its text is read.
    assert all(isinstance(tuple.__getitem__(e, _TEXT), memoryview) for e in again.entries)
    assert all(e.written is not None for e in again.entries)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal_text, st.sampled_from(["", "\ufeff"]), st.sampled_from(["\n", "\r\n", "\r"]))
def test_any_journal_thaws_as_it_parsed(text: str, bom: str, newline: str) -> None:
    data = (bom + text.replace("\n", newline)).encode("utf-8", "surrogatepass")
    body = data[3:] if bom else data
    parsed = parse_journal(body, source="j.md")
    kept = snapshot.opened(snapshot.freeze(parsed, body))
    thawed = snapshot.thaw(kept, body, "j.md")
    assert thawed is not None
    _same(thawed, parsed)


def test_the_snapshot_holds_no_journal_text(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text("### 2020-02-24\n* 和导师讨论 secret-project-x 的进展\n", "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    (kept,) = (tmp_path / "kept").iterdir()
    assert b"secret-project-x" not in kept.read_bytes()
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert stat.S_IMODE(kept.parent.stat().st_mode) == 0o700
    assert clear_snapshots(tmp_path / "kept") == 1
    assert not list((tmp_path / "kept").iterdir())


def test_an_edited_journal_is_parsed_again(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text("### 2020-02-24\n* one\n", "utf-8")
    load_journal(journal, snapshots=tmp_path)
    journal.write_text("### 2020-02-25\n* two\n\n### 2020-02-24\n* one\n", "utf-8")
    again = load_journal(journal, snapshots=tmp_path)
    _same(again, load_journal(journal))
    assert [e.text for e in again.entries] == ["* two\n", "* one"]


def _damaged(blob: bytes) -> list[bytes]:
    header, _, payload = blob.partition(b"\n")
    flipped = bytearray(payload)
    flipped[len(flipped) // 2] ^= 0x40
    fields = header.split(b" ")
    other = b" ".join([*fields[:3], b"0" * len(fields[3]), *fields[4:]])
    return [
        b"",
        b"garbage",
        blob[: len(blob) // 2],  # cut
        header + b"\n" + bytes(flipped),  # a bit flipped
        other + b"\n" + payload,  # another parser's
        blob.replace(b"journal-snapshot", b"facts-kept", 1),
    ]


@pytest.mark.parametrize("case", range(6))
def test_a_wrong_snapshot_is_never_trusted(case: int, tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_bytes(FIXTURE.read_bytes())
    expected = load_journal(journal, snapshots=tmp_path / "kept")
    (kept,) = (tmp_path / "kept").iterdir()
    kept.write_bytes(_damaged(kept.read_bytes())[case])
    _same(load_journal(journal, snapshots=tmp_path / "kept"), expected)
    assert load_journal(journal, snapshots=tmp_path / "kept") == expected  # and kept again


@pytest.mark.parametrize("where", ["preamble", "first", "middle", "last"])
def test_a_snapshot_of_other_bytes_is_not_used(where: str, tmp_path: Path) -> None:
    """Same length, one character changed, in any of the four pieces the snapshot names the
    bytes by (the three entries head the last three): their digests tell them apart."""
    journal = tmp_path / "j.md"
    old = "# 日志\n\n" + "".join(f"### 2020-02-{day}\n* 问题一？\n\n" for day in (24, 25, 26))
    journal.write_text(old, "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    at = {"preamble": 2, "first": 25, "middle": 47, "last": 69}[where]
    new = (
        old[:at] + old[at:].replace("一", "二", 1)
        if where != "preamble"
        else old.replace("日", "月")
    )
    assert len(new) == len(old) and new != old
    journal.write_text(new, "utf-8")
    _same(load_journal(journal, snapshots=tmp_path / "kept"), load_journal(journal))


def test_line_ends_and_a_bom_added_keep_the_snapshot(tmp_path: Path) -> None:
    """The snapshot names the bytes as parsed (after a BOM, line ends made LF): the same
    journal with CRLF line ends and a BOM thaws from it, and reads as it parses."""
    journal = tmp_path / "j.md"
    text = "### 2020-02-24\n* one\n\n### 2020-02-25\n* two\n"
    journal.write_text(text, "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    (kept,) = (tmp_path / "kept").iterdir()
    before = kept.read_bytes()
    journal.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    _same(load_journal(journal, snapshots=tmp_path / "kept"), load_journal(journal))
    assert kept.read_bytes() == before  # thawed: not written again


@pytest.mark.parametrize("edit", ["none", "on top", "below"])
@pytest.mark.parametrize("threads", [1, 2])
def test_a_run_reads_the_journal_bytes_through_sha256_once(
    edit: str, threads: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unchanged, or an entry written at the growing end of a 300-entry journal: the bytes
    are hashed once (the four pieces, or the three an edit left true and the new one), not
    once to name them and again to check them (30 years: 7 ms a pass); the large pieces by
    two threads at once (here every piece counts as large), or by one on one core."""
    import hashlib
    from datetime import date

    monkeypatch.setattr(snapshot, "_PARALLEL", 0)
    monkeypatch.setattr(snapshot, "_cores", lambda: threads)
    started = []
    real_thread = snapshot.threading.Thread

    def thread(*args: object, **kwargs: object) -> object:
        started.append(1)
        return real_thread(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(snapshot.threading, "Thread", thread)

    days = [date.fromordinal(737000 + n) for n in range(300)]
    newest_first = edit == "on top"
    ordered = days[::-1] if newest_first else days
    old = "# log\n\n" + "".join(f"### {day}\n* worked on {n}\n\n" for n, day in enumerate(ordered))
    new_day = "### 2030-01-01\n* a new day\n\n"
    new = {
        "none": old,
        "on top": old.replace("# log\n\n", "# log\n\n" + new_day),
        "below": old + new_day,
    }[edit]
    journal = tmp_path / "j.md"
    journal.write_text(old, "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    journal.write_text(new, "utf-8")
    hashed = []

    class Counting:
        @staticmethod
        def sha256(data: memoryview) -> object:
            hashed.append(len(data))
            return hashlib.sha256(data)

    monkeypatch.setattr(snapshot, "hashlib", Counting())
    started.clear()
    loaded = load_journal(journal, snapshots=tmp_path / "kept")
    monkeypatch.undo()
    _same(loaded, load_journal(journal))
    size = len(new.encode())
    assert size <= sum(hashed) <= size * 1.1, (sum(hashed), size)
    assert bool(started) == (threads > 1)
    assert threading.active_count() == 1  # the helper is gone when the hashes are in


def test_a_fifo_in_place_of_the_snapshot_does_not_hang(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text("### 2020-02-24\n* one\n", "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    (kept,) = (tmp_path / "kept").iterdir()
    kept.unlink()
    os.mkfifo(kept)
    done: list[Journal] = []
    worker = threading.Thread(
        target=lambda: done.append(load_journal(journal, snapshots=kept.parent)), daemon=True
    )
    worker.start()
    worker.join(10)
    assert done and done[0].entries[0].text == "* one"


def test_a_journal_in_another_encoding_is_read_without_a_snapshot(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_bytes("### 2020-02-24\n* 读论文，问老师问题？\n".encode("gbk"))
    read = load_journal(journal, snapshots=tmp_path / "kept")
    assert read.entries[0].text == "* 读论文，问老师问题？"
    assert not (tmp_path / "kept").exists()


def test_an_unwritable_snapshot_folder_does_not_stop_the_read(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text("### 2020-02-24\n* one\n", "utf-8")
    blocked = tmp_path / "file"
    blocked.write_text("not a folder", "utf-8")
    assert load_journal(journal, snapshots=blocked / "kept").entries[0].text == "* one"


# An edited journal: parsed again only where it changed, and then exactly as a whole parse.


def _kept(text: str) -> bytes:
    data = text.encode("utf-8", "surrogatepass")
    return snapshot.freeze(parse_journal(data), data)


def _reparsed(old: str, new: str) -> Journal | None:
    """The edited journal as `reparse` gives it, checked against a whole parse when given,
    and its snapshot against the one of a whole parse."""
    data = new.encode("utf-8", "surrogatepass")
    spliced = snapshot.reparse(snapshot.opened(_kept(old)), data, "j.md")
    if spliced is None:
        return None
    whole = parse_journal(data, source="j.md")
    _same(spliced.journal, whole)
    kept = snapshot.opened(spliced.snapshot)
    assert kept[:8] == snapshot.opened(snapshot.freeze(whole, data))[:8]
    _pieces_hold(kept, data)
    return spliced.journal


def _pieces_hold(kept: tuple, data: bytes) -> None:  # type: ignore[type-arg]
    """A snapshot's pieces are true of `data`: each digest is of the bytes it names, and each
    cut is where a place starts (or 0, with no place); the snapshot thaws into a journal."""
    import hashlib

    data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    heads = snapshot._ints(kept[6][1])
    cuts, digests = kept[8]
    assert len(cuts) == 3 and 0 <= cuts[0] <= cuts[1] <= cuts[2] <= len(data)
    assert all(cut in heads or cut == 0 for cut in cuts)
    bounds = [0, *cuts, len(data)]
    assert digests == b"".join(
        hashlib.sha256(data[begin:end]).digest() for begin, end in pairwise(bounds)
    )
    assert snapshot.thaw(kept, data, "j.md") is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(journal_text, st.integers(0, 60), st.integers(0, 3), st.lists(line, max_size=6))
def test_any_edit_reparses_as_the_whole_journal_parses(
    text: str, at: int, cut: int, inserted: list[str]
) -> None:
    lines = text.split("\n")
    at = min(at, len(lines))
    edited = "\n".join(lines[:at] + inserted + lines[at + cut :])
    _reparsed(text, edited)


def _days(first: int, count: int, step: int) -> list[str]:
    return [
        f"### 2020-{1 + (first + n * step) // 28:02d}-{1 + (first + n * step) % 28:02d}\n\n"
        f"* 第 {first + n * step} 天：实验 {n}，问老师 lr 怎么定？\n* TODO: 画图\n\n"
        for n in range(count)
    ]


NEWEST_FIRST = "# 日知录\n\n> 看看自己能够坚持多久\n\n" + "".join(_days(200, 150, -1))
OLDEST_FIRST = "---\ntitle: log\n---\n\n" + "".join(_days(0, 150, 1))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # The day's entry, written on top of a newest-first journal, under the title.
        (NEWEST_FIRST, NEWEST_FIRST.replace("### ", "### 2020-08-06\n\n* new day\n\n### ", 1)),
        # Written at the end of an oldest-first one (with front matter).
        (OLDEST_FIRST, OLDEST_FIRST + "### 2020-06-11\n\n* new day\n"),
        # A line added to the latest entry, and one to an entry in the middle.
        (NEWEST_FIRST, NEWEST_FIRST.replace("* TODO: 画图\n", "* TODO: 画图\n* 又一行\n", 1)),
        (OLDEST_FIRST, OLDEST_FIRST.replace("实验 70，", "实验 70，改了又改，")),
        # An entry removed from the middle; a section added at the end.
        (NEWEST_FIRST, NEWEST_FIRST.replace(_days(200, 150, -1)[40], "")),
        (OLDEST_FIRST, OLDEST_FIRST + "## 🤔自省🤔\n\n* 不要拖延\n"),
    ],
    ids=["top", "end", "latest", "middle", "removed", "section"],
)
def test_the_usual_edits_are_parsed_again_only_where_they_changed(old: str, new: str) -> None:
    assert old != new
    assert _reparsed(old, new) is not None


@pytest.mark.parametrize(
    ("old", "new"),
    [
        # An unclosed fence above the rest: every heading below it turns to code.
        (NEWEST_FIRST, NEWEST_FIRST.replace("### ", "### 2020-08-06\n\n```\n\n### ", 1)),
        # A date out of the journal's order: the whole order decides what is repaired.
        (NEWEST_FIRST, NEWEST_FIRST.replace("### ", "### 2020-01-03\n\n* oops\n\n### ", 1)),
        # A journal with a repaired date stays parsed whole.
        (
            NEWEST_FIRST.replace("### 2020-04-01", "### 2002-04-01"),
            NEWEST_FIRST.replace("### 2020-04-01", "### 2002-04-01") + "* more\n",
        ),
    ],
    ids=["fence", "out-of-order", "repaired"],
)
def test_an_edit_that_could_change_the_rest_is_parsed_whole(old: str, new: str) -> None:
    assert _reparsed(old, new) is None


@pytest.mark.parametrize("path", [FIXTURE, *CORPUS[:12]], ids=lambda p: p.name)
def test_edits_to_real_journals_reparse_as_they_parse(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="surrogateescape")
    lines = text.split("\n")
    for at in range(0, len(lines), max(1, len(lines) // 25)):
        for inserted in (["### 2030-01-01", "", "* new"], ["```"], ["## Notes", "* a"], []):
            edited = lines[:at] + inserted + lines[at + (0 if inserted else 1) :]
            _reparsed(text, "\n".join(edited))


def test_a_journal_edited_between_runs_is_read_as_parsed(tmp_path: Path) -> None:
    journal = tmp_path / "j.md"
    journal.write_text(NEWEST_FIRST, "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    edited = NEWEST_FIRST.replace("### ", "### 2020-08-06\n\n* new day\n\n### ", 1)
    journal.write_text(edited, "utf-8")
    _same(load_journal(journal, snapshots=tmp_path / "kept"), load_journal(journal))
    _same(load_journal(journal, snapshots=tmp_path / "kept"), load_journal(journal))


def test_a_journal_that_is_mostly_warnings_is_not_kept(tmp_path: Path) -> None:
    """Every heading out of order: the snapshot would be nearly the journal's size."""
    journal = tmp_path / "j.md"
    journal.write_text(NEWEST_FIRST, "utf-8")
    load_journal(journal, snapshots=tmp_path / "kept")
    assert list((tmp_path / "kept").iterdir())
    days = "".join(f"### 2020-0{1 + n % 9}-1{n % 7}\n* x\n" for n in range(3000))
    journal.write_text(days, "utf-8")
    assert len(load_journal(journal).diagnostics) > 1000
    _same(load_journal(journal, snapshots=tmp_path / "kept"), load_journal(journal))
    assert not list((tmp_path / "kept").iterdir())  # the old one, of other bytes, is gone


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("---\n### 2020-02-24", "---\n### 2020-02-24\n---"),  # the edit closes a front matter
        ("---\na: 1\n---\n### 2020-02-24\n* x\n", "---\na: 1\n### 2020-02-24\n* x\n"),  # opens
        ("---\na: 1\n---\n### 2020-02-24\n* x\n", "---\na: 2\n---\n### 2020-02-24\n* x\n"),
        (
            "---\na: 1\n---\n### 2020-02-25\n\n### 2020-02-24\n",
            "---\na: 1\n---\n### 2020-02-25\n* y\n\n### 2020-02-24\n",
        ),
    ],
)
def test_an_edit_of_the_front_matter_reparses_from_the_top(old: str, new: str) -> None:
    """The front matter runs from a first `---` line to the next `---`: an edit that opens,
    closes or changes it changes what the lines below are (found by hypothesis)."""
    _reparsed(old, new)


@pytest.mark.parametrize("newest_first", [True, False])
def test_an_entry_written_at_the_growing_end_is_checked_by_one_digest(
    newest_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's entry, on top of a newest-first journal or below an oldest-first one: the
    places of the 200 entries it leaves as they were are checked by the digests of two of the
    snapshot's pieces, not one by one; the parse is the whole parse's, and the pieces hold
    for the next day."""
    import hashlib
    from datetime import date

    days = [date.fromordinal(737000 + n) for n in range(200)]
    if newest_first:
        days.reverse()
    old = "# log\n\n" + "".join(f"### {day}\n* worked on {n}\n\n" for n, day in enumerate(days))
    new_day = "### 2030-01-01\n* a new day\n\n"
    new = old.replace("# log\n\n", "# log\n\n" + new_day) if newest_first else old + new_day
    calls = []

    class Counting:
        @staticmethod
        def sha256(data: object = b"") -> object:
            calls.append(1)
            return hashlib.sha256(data)  # type: ignore[arg-type]

        def __getattr__(self, name: str) -> object:
            return getattr(hashlib, name)

    data = new.encode()
    kept = _kept(old)
    monkeypatch.setattr(snapshot, "hashlib", Counting())
    spliced = snapshot.reparse(snapshot.opened(kept), data, "j.md")
    monkeypatch.undo()
    assert spliced is not None
    assert len(calls) < 12, len(calls)  # of 202 places
    _same(spliced.journal, parse_journal(data, source="j.md"))
    _pieces_hold(snapshot.opened(spliced.snapshot), data)
    again = new.replace("# log\n\n", "# log\n\n" + new_day) if newest_first else new + new_day
    assert _reparsed(new, again) is not None


def test_what_a_paused_collector_saw_made_is_not_scanned_as_young_after() -> None:
    """`paused_gc` (reading a journal, its snapshot and caches back): the collector runs again
    afterwards, as before, with none of the objects made meanwhile left in its youngest
    generation (the first collection after would scan them all), and nothing left frozen."""
    import gc

    from reviewer.files import paused_gc

    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        made = [(n, str(n)) for n in range(50_000)]
        assert gc.get_count()[0] > 10_000
    assert gc.isenabled() and gc.get_freeze_count() == 0
    assert gc.get_count()[0] < 1_000 and gc.is_tracked(made[0])
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.integers(0, 2**62), min_size=0, max_size=60),
    st.integers(1, 4),
    st.integers(-(2**20), 2**20),
    st.integers(0, 20),
)
def test_columns_move_as_each_value_would(
    values: list[int], width: int, delta: int, first: int
) -> None:
    """An edit's splice adds to whole columns at once (as one number in base 2**64), from a
    row on: the same as adding to each value there, the rows above left as they were, and
    a value that would go below 0 is refused, not borrowed from its neighbour."""
    from array import array

    rows = array("q", values[: len(values) - len(values) % width])
    column = len(rows) and len(values) % width
    at = first * width + column
    moved = array("q", rows)
    if any(v + delta < 0 for v in rows[at::width]):
        with pytest.raises(ValueError):
            snapshot._moved_columns(moved, width, {column: delta}, first)
        return
    expected = array("q", rows)
    expected[at::width] = array("q", [v + delta for v in rows[at::width]])
    assert snapshot._moved_columns(moved, width, {column: delta}, first) == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-1, 4), max_size=12))
def test_dates_are_in_order_when_they_run_one_way(starts: list[int]) -> None:
    """What a splice takes for a journal whose order the parse would not repair: every date
    valid (an ordinal from 0) and none against the way the others run; equal days anywhere."""
    valid = all(day >= 0 for day in starts)
    pairs = list(pairwise(starts))
    one_way = all(a <= b for a, b in pairs) or all(a >= b for a, b in pairs)
    assert snapshot._in_order(starts) == (valid and one_way)


@pytest.mark.parametrize("grown", [0, 1 << 20])
def test_pieces_are_cut_anew_once_a_journal_has_grown_at_one_end(
    grown: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The three pieces an entry written on top leaves true keep their cuts (moved), and the
    new piece is the top one; once what was written there since is `_GROWN` bytes or more,
    the pieces are cut anew, the middle one at the entry heading nearest halfway again."""
    from datetime import date

    days = [date.fromordinal(737000 + n) for n in range(200)][::-1]
    old = "# log\n\n" + "".join(f"### {day}\n* worked on {n}\n\n" for n, day in enumerate(days))
    new = old.replace("# log\n\n", "# log\n\n### 2030-01-01\n* a new day\n\n")
    monkeypatch.setattr(snapshot, "_GROWN", grown)
    spliced = snapshot.reparse(snapshot.opened(_kept(old)), new.encode(), "j.md")
    assert spliced is not None
    kept = snapshot.opened(spliced.snapshot)
    _pieces_hold(kept, new.encode())
    moved = len(new) - len(old)
    before = snapshot.opened(_kept(old))[8][0]
    afresh = snapshot.opened(_kept(new))[8][0]
    assert kept[8][0] == (afresh if grown == 0 else tuple(cut + moved for cut in before))
    assert afresh != tuple(cut + moved for cut in before)  # the new top entry: cut there
    first, middle, last = afresh
    assert abs(middle - (first + last) // 2) < 40  # an entry is ~30 bytes
