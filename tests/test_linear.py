"""Linear and incremental (issue 12), pinned by counting operations, never by timing.

1. Linear: every command makes at most 3.3x the Python function calls (beyond those of any
   run) on a journal three times as long (a pass per pair of entries makes about 9x).
2. Incremental: a cold run extracts every entry once; a second run, with one entry added,
   extracts that entry alone (the rest come from the facts cache on disk), and scans the
   lines of that entry alone (the rest come from the journal's snapshot); a second run on
   the same bytes scans none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from types import FrameType

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.facts import extract, tracking
from reviewer.journal import parse, snapshot

runner = CliRunner()
END = date(2020, 6, 28)  # a Sunday
GROWTH = 3.3


def _journal(days: int) -> str:
    """A newest-first journal of `days` entries, each its own words: a question (every fourth
    asked again a week later, then answered), a TODO (half ticked), a reflection, narrative."""
    parts = ["# 日知录\n"]
    for n in range(days):
        day = END - timedelta(days=n)
        again = day + timedelta(days=7)
        parts.append(
            f"\n### {day}\n\n* 读了 paper {n}，做了实验 {n * 7 % 13}。\n"
            f"* 需要问的问题\n  * 第 {n} 个实验的 learning rate 是怎么定的？\n"
            + (f"  * 第 {n + 7} 个实验的 learning rate 是怎么定的？（👌）\n" if n % 4 == 0 else "")
            + f"* TODO: 整理第 {n} 组结果{' ✅' if n % 2 else ''}\n"
            f"* 自省：第 {n} 天应该早点看代码 ({again:%m-%d})\n"
        )
    parts.append("\n## 🤔自省🤔\n\n* 应该早点看代码\n* 不要拖延\n")
    return "".join(parts)


def _fresh() -> None:
    """Forget what this process has seen, as a new process would (the disk cache stays)."""
    extract._known.clear()
    extract.EXTRACTED.clear()
    tracking._last = None


def _calls(argv: list[str]) -> int:
    """Python function calls made by one CLI run in a fresh state (it must succeed)."""
    _fresh()
    count = 0

    def profile(frame: FrameType, event: str, arg: object) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        result = runner.invoke(app, argv)
    finally:
        sys.setprofile(None)
    assert result.exit_code in (0, 3), result.output
    return count


COMMANDS = {
    "week": ["week", "2020-06-22", "-f", "json"],
    "month": ["month", "2020-06", "-f", "json"],
    "stats": ["stats"],
    "questions": ["questions", "--open"],
    "todos": ["todos", "--open"],
    "check": ["check"],
    "reflections": ["reflections"],
}


@pytest.fixture
def journals(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[int, Path]]:
    monkeypatch.setenv("REVIEWER_OFFLINE", "1")
    monkeypatch.setenv("REVIEWER_TODAY", str(END))
    paths = {}
    for days in (5, 120, 360):
        paths[days] = tmp_path / f"journal-{days}.md"
        paths[days].write_text(_journal(days), encoding="utf-8")
    yield paths


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_is_linear_in_the_entries(journals: dict[int, Path], command: str) -> None:
    argv = COMMANDS[command]
    _calls([*argv, "--journal", str(journals[5])])  # lazy imports and templates, once
    # What any run costs (the CLI, rendering), then the two sizes: each on a cache of its
    # own, a cold run. Linear work grows (360 - 5) / (120 - 5) = 3.09x; n² grows 9x.
    base = _calls([*argv, "--journal", str(journals[5])])
    small = _calls([*argv, "--journal", str(journals[120])]) - base
    large = _calls([*argv, "--journal", str(journals[360])]) - base
    assert small > 0
    assert large <= GROWTH * small, f"{command}: {large} calls vs {small} ({large / small:.2f}x)"


def test_a_second_run_extracts_only_the_entry_added(
    journals: dict[int, Path], tmp_path: Path
) -> None:
    path = journals[360]
    _calls(["week", "2020-06-22", "--journal", str(path)])
    assert extract.EXTRACTED == {"extracted": 360}  # each entry once, though read by 3 passes

    _calls(["week", "2020-06-22", "--journal", str(path)])
    assert extract.EXTRACTED == {}  # the kept history's folds and facts: nothing extracted

    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n### ")
    path.write_text(f"{head}\n### {END + timedelta(days=1)}\n\n* 新的一天\n\n### {rest}", "utf-8")
    _calls(["week", "2020-06-22", "--journal", str(path)])
    assert extract.EXTRACTED == {"extracted": 1}

    _calls(["questions", "--journal", str(path)])  # the ledger now: the kept history's
    assert extract.EXTRACTED == {"extracted": 1}  # folds again, and the entry added

    _calls(["reflections", "--journal", str(path)])  # every entry's: the facts cache
    assert extract.EXTRACTED == {"known": 360, "extracted": 1}


def test_a_second_week_reads_the_facts_of_its_last_weeks_only(
    journals: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A week's review folds 30 years of questions and TODOs from the folds an earlier run
    kept: the facts of the entries of the last five weeks are read, not those of every entry
    (nor the facts cache of every entry); its ledgers are those of a cold run."""
    from reviewer.facts import cache

    path = journals[360]
    read: list[str] = []
    real_facts_of, real_load = tracking.facts_of, cache.load_facts

    def facts_of(entry: parse.Entry) -> extract.EntryFacts:
        read.append(entry.digest)
        return real_facts_of(entry)

    def load_facts(cache_dir: Path, journal: str) -> dict[str, extract.EntryFacts]:
        read.append("the facts cache")
        return real_load(cache_dir, journal)

    monkeypatch.setattr(tracking, "facts_of", facts_of)
    monkeypatch.setattr(cache, "load_facts", load_facts)
    argv = ["week", "2020-06-22", "--journal", str(path), "-f", "json"]
    _fresh()
    first = runner.invoke(app, argv)
    assert "the facts cache" in read and len(read) > 360
    read.clear()
    _fresh()
    again = runner.invoke(app, argv)
    assert again.output == first.output
    assert "the facts cache" not in read and len(read) == 36  # 2020-05-24 to 2020-06-28


@pytest.mark.parametrize("kind", ["questions", "todos"])
def test_the_ledger_now_goes_on_from_the_kept_history(
    journals: dict[int, Path], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """`questions` and `todos` (the ledgers as of today) read the facts of the last weeks'
    entries from the history a week's review kept, not the facts cache of every entry, and
    print the ledger of a cold run; as of a past day, or asking for answers, every entry's."""
    from reviewer.facts import cache

    path = journals[360]
    read: list[str] = []
    real_load = cache.load_facts

    def load_facts(cache_dir: Path, journal: str) -> dict[str, extract.EntryFacts]:
        read.append("the facts cache")
        return real_load(cache_dir, journal)

    monkeypatch.setattr(cache, "load_facts", load_facts)
    argv = [kind, "--journal", str(path), "-f", "json"]
    _fresh()
    cold = runner.invoke(app, argv)
    assert cold.exit_code == 0 and read == ["the facts cache"], cold.output
    for again in (argv, [*argv, "--open"]):
        read.clear()
        _fresh()
        result = runner.invoke(app, again)
        assert result.exit_code == 0 and read == [], result.output
        assert extract.EXTRACTED == {}
    _fresh()
    assert runner.invoke(app, argv).output == cold.output
    if kind == "questions":  # asking for answers reads the entries after each question
        read.clear()
        _fresh()
        asked = runner.invoke(app, [*argv, "--suggest-answers", "--dry-run"])
        assert asked.exit_code == 0 and read == ["the facts cache"], asked.output


def test_a_corrupt_facts_cache_is_rebuilt_not_trusted(journals: dict[int, Path]) -> None:
    path = journals[120]
    first = runner.invoke(app, ["reflections", "--journal", str(path), "-f", "json"])
    cached = list(Path(tmp := __import__("os").environ["XDG_CACHE_HOME"]).glob("reviewer/facts/*"))
    assert len(cached) == 1, tmp
    cached[0].write_text('{"extractor": "x", "entries": {"a": [1]}}', encoding="utf-8")
    _fresh()
    again = runner.invoke(app, ["reflections", "--journal", str(path), "-f", "json"])
    assert again.output == first.output
    assert extract.EXTRACTED == {"extracted": 120}


def test_facts_kept_are_told_by_their_first_line_alone(tmp_path: Path) -> None:
    """What decides whether a first run's second process starts before the parse: facts of
    these rules, from the header; nothing else counts, nothing hangs (a FIFO)."""
    from reviewer.facts import cache

    journal = str(tmp_path / "journal.md")
    assert not cache.facts_kept(tmp_path, journal)  # none
    cache.save_facts(tmp_path, journal, {"digest": extract.EntryFacts()})
    assert cache.facts_kept(tmp_path, journal)
    kept = cache._path(tmp_path, journal)
    kept.write_bytes(kept.read_bytes()[:40])  # cut: the header is gone with it
    assert not cache.facts_kept(tmp_path, journal)
    cache.save_facts(tmp_path, journal, {"digest": extract.EntryFacts()})
    kept.write_bytes(kept.read_bytes().replace(cache.extractor_version().encode(), b"x" * 8))
    assert not cache.facts_kept(tmp_path, journal)  # other rules
    kept.unlink()
    os.mkfifo(kept)
    assert not cache.facts_kept(tmp_path, journal)


def test_a_second_run_scans_only_the_lines_that_changed(
    journals: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = journals[360]
    scanned: list[int] = []  # bytes scanned by each pass of the parser
    real = parse.scan

    def counting(
        data: bytes, source: str = "", begin: int = 0, end: int = -1, index: int = 0
    ) -> parse.Scanned:
        scanned.append((len(data) if end < 0 else end) - begin)
        return real(data, source, begin, end, index)

    monkeypatch.setattr(parse, "scan", counting)
    monkeypatch.setattr(snapshot, "scan", counting)
    week = ["week", "2020-06-22", "--journal", str(path)]
    _calls(week)
    assert scanned == [path.stat().st_size]  # the whole file, once
    scanned.clear()
    _calls(week)
    assert scanned == []  # the same bytes: the snapshot is the parse

    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n### ")
    added = f"\n### {END + timedelta(days=1)}\n\n* 新的一天\n"
    path.write_text(f"{head}{added}\n### {rest}", "utf-8")
    scanned.clear()
    _calls(week)
    # The title and the new entry (the title is the place the new entry was written under).
    assert scanned == [len(head.encode()) + len(added.encode()) + 1]


def test_a_second_stats_counts_only_the_words_of_the_entry_added(
    journals: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    from reviewer.facts import stats as stats_module

    path = journals[120]
    counted: list[str] = []
    real = stats_module.count_words

    def counting(text: str) -> int:
        counted.append(text)
        return real(text)

    monkeypatch.setattr(stats_module, "count_words", counting)
    argv = ["stats", "--journal", str(path), "-f", "json"]
    first = runner.invoke(app, argv)
    assert len(counted) == 120
    counted.clear()
    assert runner.invoke(app, argv).output == first.output and counted == []

    (kept,) = Path(os.environ["XDG_CACHE_HOME"], "reviewer", "facts").glob("facts-*.words")
    kept.write_bytes(b"reviewer words damaged")
    assert runner.invoke(app, argv).output == first.output and len(counted) == 120

    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("\n### ")
    path.write_text(f"{head}\n### {END + timedelta(days=1)}\n\n* 新的一天\n\n### {rest}", "utf-8")
    counted.clear()
    runner.invoke(app, argv)
    assert counted == ["\n* 新的一天\n"]  # the new entry alone


def test_a_damaged_or_foreign_history_is_rebuilt_not_trusted(journals: dict[int, Path]) -> None:
    """A kept history that is cut, damaged, inconsistent or of other entries (an old entry
    edited since) is not taken: the week is read from every entry's facts, and the history
    kept again."""
    path = journals[120]
    argv = ["week", "2020-06-22", "--journal", str(path), "-f", "json"]
    _fresh()
    first = runner.invoke(app, argv)
    (kept,) = Path(os.environ["XDG_CACHE_HOME"], "reviewer", "facts").glob("history-*.kept")
    assert kept.stat().st_mode & 0o777 == 0o600
    whole = kept.read_bytes()
    from reviewer.facts import cache
    from reviewer.files import seal, unseal

    # Sealed whole, but naming items the fold does not hold (written by hand, not by us).
    version = cache.history_version()
    day, key, questions, todos, facts = unseal(whole, "history", version, "-")  # type: ignore[misc]
    rows, by_key, grams, postings = questions
    crafted = {gram: [*items, len(rows) + 7] for gram, items in postings.items()}
    lying = seal("history", version, "-", (day, key, (rows, by_key, grams, crafted), todos, facts))
    for damaged in (whole[: len(whole) // 2], whole[:-9] + b"damaged!!", b"reviewer", lying):
        kept.write_bytes(damaged)
        _fresh()
        assert runner.invoke(app, argv).output == first.output
        assert extract.EXTRACTED == {"known": 120}  # from the facts cache, every entry
        assert kept.read_bytes() == whole  # kept again

    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("读了 paper 100，", "读了 paper 100 and more，"), "utf-8")
    _fresh()
    edited = runner.invoke(app, argv)
    assert extract.EXTRACTED == {"known": 119, "extracted": 1}
    _fresh()
    assert runner.invoke(app, argv).output == edited.output and extract.EXTRACTED == {}


def test_a_second_week_decodes_the_texts_of_its_last_weeks_only(
    journals: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot's entries hold their bytes, decoded when read: a second week's review reads
    the texts it shows (the week, the eight weeks of its chart, about 20,000 characters of
    the latest writing for the language), as many on 1,080 entries as on 360."""
    read: set[int] = set()
    real = parse._text

    def counting(entry: parse.Entry) -> str:
        read.add(entry.line)
        return real(entry)

    def second(patch: pytest.MonkeyPatch) -> None:
        patch.setattr(parse.Entry, "text", property(counting))
        read.clear()

    counts = _second_weeks(journals, monkeypatch, second, lambda: len(read))
    assert 7 <= counts[0] == counts[1] < 360 / 2, counts


def _second_weeks(
    journals: dict[int, Path],
    monkeypatch: pytest.MonkeyPatch,
    second: Callable[[pytest.MonkeyPatch], None],
    counted: Callable[[], int],
) -> list[int]:
    """What `counted` says after a second week's review (patched by `second`) of 360 entries
    and of 1,080, each the same review as the first."""
    longer = journals[360].with_name("journal-1080.md")
    longer.write_text(_journal(1080), encoding="utf-8")
    counts = []
    for path in (journals[360], longer):
        argv = ["week", "2020-06-22", "--journal", str(path), "-f", "json"]
        _fresh()
        first = runner.invoke(app, argv)
        with monkeypatch.context() as patch:
            second(patch)
            _fresh()
            assert runner.invoke(app, argv).output == first.output
        counts.append(counted())
    return counts


def test_a_second_week_makes_the_entries_of_its_last_weeks_only(
    journals: dict[int, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read back from a snapshot, a journal's entries are columns (`EntryTable`), and an entry
    is made when a review reads it: a second week's review makes those of the week, of the
    weeks of its chart and of its kept history's last weeks, and a few read for the language;
    as many on 1,080 entries as on 360, and never all of them. The review is the first's."""
    made: list[int] = []
    real = parse.EntryTable._one

    def counting(table: parse.EntryTable, index: int) -> parse.Entry:
        made.append(index)
        return real(table, index)

    def every(table: parse.EntryTable) -> tuple[parse.Entry, ...]:
        raise AssertionError("every entry made")

    def second(patch: pytest.MonkeyPatch) -> None:
        patch.setattr(parse.EntryTable, "_one", counting)
        patch.setattr(parse.EntryTable, "all", every)
        made.clear()

    counts = _second_weeks(journals, monkeypatch, second, lambda: len(set(made)))
    assert 7 <= counts[0] == counts[1] < 360 / 2, counts


def test_what_a_run_leaves_at_exit_is_not_scanned_by_the_collector(tmp_path: Path) -> None:
    """A run's last step, when the interpreter ends: every object left is moved out of the
    collector's reach (`gc.freeze`), after the other exit handlers, so that its last
    collection does not scan a 30-year journal's objects only for the process to end; the
    command's output is still all there."""
    import subprocess

    journal = tmp_path / "j.md"
    journal.write_text("### 2020-02-24\n* 问题：为什么？\n", encoding="utf-8")
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count(), file=sys.stderr))\n"
        "from reviewer.cli import main\n"
        "sys.argv = ['reviewer', 'week', '2020-02-24', '-f', 'json']\n"
        "main()\n"
    )
    env = {
        **os.environ,
        "REVIEWER_JOURNAL": str(journal),
        "REVIEWER_OFFLINE": "1",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert '"week"' in done.stdout and done.stdout.endswith("}\n")
    frozen = int(done.stderr.rsplit("frozen ", 1)[1].split()[0])
    assert frozen > 10_000, done.stderr  # the modules and the run's objects, not a few


def test_facts_read_back_are_the_facts_kept_and_of_their_form_only() -> None:
    """Facts read back (from the cache, a checkpoint or the second process) are made at once
    from their rows, the same as `EntryFacts._make` of each; a row of another length is
    refused (the cache is then rebuilt), not made into facts that fail later."""
    rows = {
        "a" * 32: ((), ((3, "整理结果", "open"),), (), ("整理结果",)),
        "b" * 32: ((), (), (), ()),
    }
    made = extract.facts_read(rows)
    assert made == {d: extract.EntryFacts._make(row) for d, row in rows.items()}
    assert all(type(f) is extract.EntryFacts for f in made.values())
    assert made["a" * 32].todos[0][1] == "整理结果"
    with pytest.raises(TypeError):
        extract.facts_read({"c" * 32: ((), ())})
