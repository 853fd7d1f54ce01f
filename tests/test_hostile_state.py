"""Tampered state: the question index, the send ledger and its lock, the response cache, and
text that would reorder or hide what the reader sees."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import date
from pathlib import Path

import pytest

from reviewer.delivery.sent import Ledger, Sent
from reviewer.errors import ReviewerError
from reviewer.facts.tracking import _grams, _Index, _key, similar
from reviewer.llm.cache import ResponseCache
from reviewer.models import Question
from reviewer.render.render import render

from .conftest import FIXTURE
from .hostile import run

DECAY = "learning rate decay 要不要改成 cosine decay 呢"
WARMUP = "learning rate warmup 要不要改成 linear warmup 呢"


def _jaccard(a: str, b: str) -> float:
    ga, gb = _grams(_key(a)), _grams(_key(b))
    return len(ga & gb) / len(ga | gb)


def test_repeats_add_no_postings_so_similarity_never_passes_the_truth() -> None:
    assert _jaccard(DECAY, WARMUP) < 0.6 and not similar(DECAY, WARMUP)
    index = _Index()
    for _ in range(20):  # the same question re-listed every day for weeks
        index.add(DECAY, 0)
    assert index.find(WARMUP) is None
    assert all(posting.count(0) == 1 for posting in index.postings.values())


def test_tracking_keeps_different_questions_apart_however_often_asked() -> None:
    from reviewer.facts.tracking import track_questions

    asked = [
        Question(text=DECAY, date=date(2020, 1, day), status="open", line=day, source="j")
        for day in range(1, 25)
    ]
    asked.append(Question(text=WARMUP, date=date(2020, 2, 1), status="open", line=99, source="j"))
    assert len(track_questions(asked)) == 2


@pytest.fixture
def state(_isolated: Path) -> Path:
    folder = _isolated / ".local/state/reviewer"
    folder.mkdir(parents=True)
    return folder


def _sent(week: str = "2020-W09") -> dict[str, object]:
    return {
        "week": week,
        "recipient": "me@example.org",
        "digest_hash": "a" * 64,
        "message_id": "<m@x>",
        "sent_at": "2020-03-01T20:00:00+08:00",
        "forced": False,
    }


def test_bad_ledger_lines_are_skipped_with_a_warning(
    state: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lines = [
        b"\xff\xfe\x00binary\x00",
        json.dumps(_sent() | {"recipient": 5}).encode(),
        json.dumps(_sent() | {"week": None}).encode(),
        b"[1, 2, 3]",
        b'{"week": "2020-W09"',
        json.dumps(_sent("2020-W08")).encode(),
    ]
    (state / "sent.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    ledger = Ledger(state)
    assert ledger.last_sent("2020-W09", "me@example.org") is None
    found = ledger.last_sent("2020-W08", "ME@example.org")
    assert isinstance(found, Sent) and found.message_id == "<m@x>"
    assert caplog.text.count("unreadable ledger line skipped") >= 5


def test_a_folder_in_place_of_the_ledger_is_a_clear_error(state: Path) -> None:
    (state / "sent.jsonl").mkdir()
    with pytest.raises(ReviewerError) as caught:
        Ledger(state).last_sent("2020-W09", "me@example.org")
    assert caught.value.exit_code == 73 and "not a regular file" in str(caught.value)


def test_deleting_files_in_the_state_dir_cannot_break_the_send_lock(state: Path) -> None:
    (state / "send.lock").write_text("")
    holding, release = threading.Event(), threading.Event()

    def first() -> None:
        with Ledger(state).locked():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    for leftover in state.iterdir():  # whatever lock file a user or cleaner removes
        leftover.unlink()
    with pytest.raises(ReviewerError) as caught, Ledger(state).locked(timeout=0.3, poll=0.05):
        pass
    assert caught.value.exit_code == 75
    release.set()
    thread.join(10)
    with Ledger(state).locked(timeout=1):
        pass


def test_cache_clear_repairs_a_tampered_cache(_isolated: Path) -> None:
    root = _isolated / ".cache/reviewer"
    cache = ResponseCache(root)
    cache.set("k", {"content": "x"})
    cache.close()
    with sqlite3.connect(root / "responses" / "cache.db") as db:
        db.execute("UPDATE Settings SET value = 'evil' WHERE key = 'eviction_policy'")
    broken = ResponseCache(root)
    assert broken.get("k") is None  # a review goes on without the cache
    stats = run("cache", "stats")
    assert stats.exit_code == 78 and "cache clear" in stats.stderr
    assert run("cache", "clear").exit_code == 0
    assert run("cache", "stats").exit_code == 0
    fresh = ResponseCache(root)
    fresh.set("k", {"content": "y"})
    assert fresh.get("k") == {"content": "y"}
    fresh.close()


RLO, ZWSP, LRI = "\u202e", "\u200b", "\u2066"


def test_bidi_controls_and_invisible_characters_never_reach_the_reader(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "j.md"
    journal.write_text(
        f"### 2020-02-24\n\n* opened invoice{RLO}fdp.exe from the mail today\n"
        f"* the pay{ZWSP}pal{LRI} login failed twice this morning\n"
        "* 需要问的问题：<script>alert(1)</script> 怎么办？\n",
        encoding="utf-8",
    )
    for fmt in ("md", "html", "text"):
        result = run("week", "2020-02-24", "--offline", "-j", str(journal), "-f", fmt)
        assert result.exit_code == 0
        for char in (RLO, ZWSP, LRI):
            assert char not in result.stdout, fmt
        if fmt != "text":  # plain text is never read as markup
            assert "<script>" not in result.stdout, fmt
    shown = run("week", "2020-02-24", "--offline", "-j", str(journal), "-f", "md").stdout
    assert "invoicefdp.exe" in shown and "paypal login" in shown


def test_markdown_keeps_code_spans_and_emoji_joiners() -> None:
    from reviewer.render.render import _inert_tags, _visible

    assert _inert_tags("a `vector<int>` and <b>x</b>") == "a `vector<int>` and &lt;b>x&lt;/b>"
    family = "👨\u200d👩\u200d👧"
    assert _visible(family) == family


def test_the_fixture_renders_as_before() -> None:
    from reviewer.facts.calendar import parse_week
    from reviewer.journal.parse import parse_journal
    from reviewer.llm.offline import OfflineBackend
    from reviewer.review.week import review_week

    journal = parse_journal(FIXTURE.read_text(encoding="utf-8"), "journal.md")
    today = date(2020, 3, 1)
    digest = review_week(journal, parse_week("2020-02-24", today), today, OfflineBackend())
    assert "&lt;" not in render(digest, "md")
