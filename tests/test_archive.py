"""The archive: every delivered digest on disk first, one set per distinct content."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.delivery.archive import archive_digest, content_hash, write_atomic
from reviewer.errors import ReviewerError
from reviewer.facts.calendar import parse_week
from reviewer.journal.parse import parse_journal
from reviewer.llm.offline import OfflineBackend
from reviewer.models import Digest
from reviewer.review.week import review_week

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "journal.md"


@pytest.fixture(scope="module")
def digest() -> Digest:
    journal = parse_journal(FIXTURE.read_text(encoding="utf-8"), "journal.md")
    today = date(2020, 3, 1)
    return review_week(journal, parse_week("2020-02-24", today), today, OfflineBackend())


def test_the_hash_ignores_how_the_digest_was_made(digest: Digest) -> None:
    cached = digest.model_copy(
        update={"meta": digest.meta.model_copy(update={"cached": True, "prompt_tokens": 9})}
    )
    assert content_hash(cached) == content_hash(digest)
    edited = digest.model_copy(update={"summary": digest.summary + " More."})
    assert content_hash(edited) != content_hash(digest)


def test_a_rerun_rewrites_the_same_set_and_a_change_adds_one(
    digest: Digest, tmp_path: Path
) -> None:
    renderings = {"md": "# md", "html": "<p>html</p>", "json": "{}"}
    stem = archive_digest("2020-W09", content_hash(digest), renderings, tmp_path)
    assert stem == tmp_path / "archive" / "2020-W09" / content_hash(digest)[:12]
    again = archive_digest("2020-W09", content_hash(digest), renderings, tmp_path)
    assert again == stem
    archive_digest("2020-W09", "f" * 64, renderings, tmp_path)
    names = sorted(p.name for p in stem.parent.iterdir())
    assert len(names) == 6  # two sets of md/html/json, no temp files left behind
    assert stem.with_name(stem.name + ".html").read_text() == "<p>html</p>"


def test_an_unwritable_archive_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(ReviewerError) as caught:
        archive_digest("2020-W09", "0" * 64, {"md": "x"}, blocker)
    assert caught.value.exit_code == 73
    with pytest.raises(ReviewerError, match="cannot write"):
        write_atomic(blocker / "x.md", "x")


def test_the_archive_holds_what_was_mailed_even_when_sending_fails(
    _isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")  # no SMTP settings at all
    result = CliRunner().invoke(app, ["send", "2020-02-24", "--journal", str(FIXTURE)])
    assert result.exit_code == 78
    folder = _isolated / ".local/share/reviewer/archive/2020-W09"
    [saved] = folder.glob("*.json")
    assert f"archived 2020-W09 to {saved.with_suffix('')}.{{md,html,json}}" in result.stderr
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["week"]["iso"] == "2020-W09"
    assert saved.with_suffix(".md").read_text(encoding="utf-8").startswith("# 2020-W09 周回顾")
    assert "<!DOCTYPE html>" in saved.with_suffix(".html").read_text(encoding="utf-8")
