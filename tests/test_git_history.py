"""The journal's git history: real repositories, commits dated by GIT_COMMITTER_DATE."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.history import git, store
from reviewer.history.blame import carry_over, map_lines, parse_porcelain, written_dates

from .git_support import Repo

runner = CliRunner()

V1 = """# Journal

## 2020-02-03
* TODO: write the intro
* 需要问的问题
  * 数据增强要不要关掉？

## 🤔自省🤔
* 先写代码再看消息

## Done

#### Today
* 读完 DINOv2 论文
* 跑 baseline
"""
# Wednesday of 2020-W07: a new entry, and a Today-list TODO ticked.
V2 = V1.replace("# Journal\n", "# Journal\n\n## 2020-02-10\n* 训练了一个模型\n").replace(
    "* 读完 DINOv2 论文", "* ~~读完 DINOv2 论文~~"
)
# Friday of 2020-W08: a new entry, a 自省 line, and the old question answered in place.
V3 = (
    V2.replace("# Journal\n", "# Journal\n\n## 2020-02-17\n* 写了周报\n")
    .replace("* 先写代码再看消息\n", "* 先写代码再看消息\n* 早点睡觉\n")
    .replace("  * 数据增强要不要关掉？", "  * 数据增强要不要关掉？ -- 要关")
)
WHEN = ("2020-02-03T21:00:00+08:00", "2020-02-12T22:00:00+08:00", "2020-02-21T23:00:00+08:00")


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Repo:
    monkeypatch.setenv("REVIEWER_HISTORY", "auto")
    monkeypatch.setenv("REVIEWER_TZ", "Asia/Shanghai")
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")
    made = Repo(tmp_path / "blog")
    for text, when in zip((V1, V2, V3), WHEN, strict=True):
        made.commit(text, when)
    return made


def _week(journal: Path, week: str, *more: str) -> dict[str, Any]:
    result = runner.invoke(app, ["week", week, "-j", str(journal), "-f", "json", *more])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _done(data: dict[str, Any]) -> list[tuple[str, str]]:
    history = data.get("history") or {}
    return [(t["text"], t["date"]) for t in history.get("done", [])]


def test_a_tick_on_wednesday_is_done_in_that_week_and_no_other(repo: Repo) -> None:
    weeks = {w: _week(repo.journal, w) for w in ("2020-02-03", "2020-02-10", "2020-02-17")}
    assert _done(weeks["2020-02-10"]) == [("读完 DINOv2 论文", "2020-02-12")]
    assert _done(weeks["2020-02-03"]) == []
    assert _done(weeks["2020-02-17"]) == []
    assert weeks["2020-02-10"]["stats"]["todos_done"] == 1


def test_a_reflection_added_on_friday_shows_in_that_week(repo: Repo) -> None:
    friday = _week(repo.journal, "2020-02-17")["reflections"]
    assert {"text": "早点睡觉", "date": "2020-02-21"}.items() <= friday[-1].items()
    earlier = _week(repo.journal, "2020-02-10")["reflections"]
    assert all(r["text"] != "早点睡觉" for r in earlier)


def test_an_old_question_answered_later_is_answered_that_week(repo: Repo) -> None:
    history = _week(repo.journal, "2020-02-17")["history"]
    [answered] = history["answered"]
    assert (answered["text"], answered["answer"]) == ("数据增强要不要关掉？", "要关")
    assert (answered["date"], answered["answered_on"]) == ("2020-02-03", "2020-02-21")
    assert history["edited"] == [
        {
            "line": 9,
            "heading": "2020-02-03",
            "start": "2020-02-03",
            "lines": 1,
            "last": "2020-02-21",
        }
    ]
    md = runner.invoke(app, ["week", "2020-02-17", "-j", str(repo.journal)]).stdout
    assert "本周回答的问题" in md and "数据增强要不要关掉？ — 要关 (2020-02-21)" in md


def test_uncommitted_edits_are_today(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-02-26")
    repo.journal.write_text(V3.replace("* 跑 baseline", "* ~~跑 baseline~~"), encoding="utf-8")
    assert _done(_week(repo.journal, "this")) == [("跑 baseline", "2020-02-26")]


def test_as_of_a_sunday_equals_the_review_of_the_file_checked_out_then(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    as_of = _week(repo.journal, "2020-02-10", "--as-of", "2020-02-16")
    monkeypatch.setenv("REVIEWER_TODAY", "2020-02-16")
    repo.git("checkout", "-q", "HEAD~1")  # the commit of Wednesday 2020-02-12: the last by then
    then = _week(repo.journal, "2020-02-10")
    assert then["history"]["done"]  # the comparison covers what history adds
    as_of.pop("meta")
    then.pop("meta")
    assert as_of == then


def test_as_of_follows_a_renamed_file(repo: Repo) -> None:
    repo.rename("_posts/2020-01-01-journal.md", "2020-02-25T09:00:00+08:00")
    data = _week(repo.journal, "2020-02-10", "--as-of", "2020-02-16")
    assert _done(data) == [("读完 DINOv2 论文", "2020-02-12")]
    assert [e["heading"] for e in data["entries"]] == ["2020-02-10"]
    now = _week(repo.root / "_posts/2020-01-01-journal.md", "2020-02-10")
    assert _done(now) == [("读完 DINOv2 论文", "2020-02-12")]


def test_a_renamed_heading_counts_as_an_edit(repo: Repo) -> None:
    repo.commit(V3.replace("## 2020-02-10", "## 2020-02-10 开组会"), "2020-02-25T09:00:00+08:00")
    edited = _week(repo.journal, "2020-02-24")["history"]["edited"]
    assert [(e["heading"], e["lines"]) for e in edited] == [("2020-02-10 开组会", 1)]


def test_as_of_before_the_first_commit_or_without_history_is_one_line(
    repo: Repo, tmp_path: Path
) -> None:
    result = runner.invoke(
        app, ["week", "2020-01-27", "-j", str(repo.journal), "--as-of", "2020-02-01"]
    )
    assert result.exit_code == 66
    assert result.stderr.count("\n") == 1 and "no commit on or before 2020-02-01" in result.stderr
    loose = tmp_path / "loose.md"
    loose.write_text(V1, encoding="utf-8")
    result = runner.invoke(app, ["week", "2020-02-03", "-j", str(loose), "--as-of", "2020-02-09"])
    assert result.exit_code == 66
    assert "history is off (not in a git repository)" in result.stderr


def test_shallow_clone_not_a_repo_and_off_say_why_and_review_as_before(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(shallow)],
        check=True,
        env=repo.env(),
    )
    loose = tmp_path / "loose.md"
    loose.write_text(V3, encoding="utf-8")
    for journal, why in (
        (shallow / "journal.md", "history: off (a shallow clone"),
        (loose, "history: off (not in a git repository)"),
    ):
        check = runner.invoke(app, ["check", "-j", str(journal)])
        assert why in check.stderr
        doctor = runner.invoke(app, ["doctor", "-j", str(journal)])
        assert why.replace("history: ", "history   ") in doctor.stdout
        assert "history" not in _week(journal, "2020-02-10")
    doctor = runner.invoke(app, ["doctor", "-j", str(repo.journal)])
    assert "history   on (3 commits of journal.md" in doctor.stdout
    monkeypatch.setenv("REVIEWER_HISTORY", "off")
    assert "history" not in _week(repo.journal, "2020-02-10")
    monkeypatch.setenv("REVIEWER_HISTORY", "sometimes")
    bad = runner.invoke(app, ["week", "2020-02-10", "-j", str(repo.journal)])
    assert bad.exit_code == 78 and "is not auto or off" in bad.stderr


def test_blame_is_kept_per_commit_and_carried_forward(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = git.blame

    def counted(root: Path, path: str, rev: str = "", since: str = "") -> str:
        calls.append(since)
        return real(root, path, rev, since)

    monkeypatch.setattr(git, "blame", counted)
    cache = tmp_path / "cache"
    first = store.line_dates(repo.journal, cache, date(2020, 3, 1), None, 2**20)
    again = store.line_dates(repo.journal, cache, date(2020, 3, 1), None, 2**20)
    assert calls == [""] and first == again  # the second run reads the cache
    kept = next((cache / "history").iterdir())
    assert kept.stat().st_mode & 0o777 == 0o600
    assert (cache / "history").stat().st_mode & 0o777 == 0o700
    repo.commit(V3 + "* 新的一行\n", "2020-02-28T09:00:00+08:00")
    moved = store.line_dates(repo.journal, cache, date(2020, 3, 1), None, 2**20)
    assert calls == ["", first.commit]  # only the commits since the kept one were blamed
    full = parse_porcelain(real(repo.root, "journal.md"))
    assert [moved.dates[n + 1] for n in range(len(full))] == [
        written_dates([b.time for b in full], date(2020, 3, 1), None)[n + 1]
        for n in range(len(full))
    ]
    kept.write_text("{not json", encoding="utf-8")  # corrupt: ignored, rebuilt
    assert store.line_dates(repo.journal, cache, date(2020, 3, 1), None, 2**20) == moved
    assert json.loads(kept.read_text(encoding="utf-8"))["format"] == store.FORMAT


def test_git_missing_or_failing_is_history_off(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(git.shutil, "which", lambda _: None)
    assert store.history_status(repo.journal, "auto") == "off (git not found)"
    assert "history" not in _week(repo.journal, "2020-02-10")


def test_porcelain_carry_over_and_line_mapping() -> None:
    one = "a" * 40
    text = (
        f"{one} 3 1 1\ncommitter-time 100\nboundary\nfilename j.md\n\tx\n"
        f"{'0' * 40} 2 2\ncommitter-time 999\nfilename j.md\n\ty\n"
    )
    blamed = parse_porcelain(text)
    assert [(b.time, b.boundary, b.original, b.text) for b in blamed] == [
        (100, True, 3, "x"),
        (None, False, 2, "y"),
    ]
    assert carry_over(blamed, [5, 6, 7]) == [7, None]
    assert map_lines(["a", "b", "c"], [1, 2, 3], ["a", "new", "c"]) == [1, None, 3]


def test_weeks_as_of_each_sunday_archives_each_week_as_it_stood_then(repo: Repo) -> None:
    result = runner.invoke(
        app,
        [
            *("weeks", "--from", "2020-01-27", "--to", "2020-02-23", "-j", str(repo.journal)),
            *("--offline", "--as-of-each-sunday"),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "1 week(s) left out" in result.stderr and "2020-W05" in result.stderr
    archive = Path(os.environ["XDG_DATA_HOME"]) / "reviewer" / "archive"
    archived = _archived(archive / "2020-W07")
    as_of = _week(repo.journal, "2020-02-10", "--as-of", "2020-02-16")
    archived.pop("meta")
    as_of.pop("meta")
    assert archived == as_of
    # W06 as it stood on its Sunday: nothing was ticked or written after it yet.
    w06 = _archived(archive / "2020-W06")
    assert [e["heading"] for e in w06["entries"]] == ["2020-02-03"]
    assert w06["history"]["done"] == []


def _archived(folder: Path) -> dict[str, Any]:
    latest = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
    data: dict[str, Any] = json.loads(
        (folder / f"{latest['digest'][:12]}.json").read_text(encoding="utf-8")
    )
    return data


def test_the_sunday_send_carries_history(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-02-16")
    repo.git("checkout", "-q", "HEAD~1")
    result = runner.invoke(app, ["send", "this", "-j", str(repo.journal), "--offline"])
    assert result.exit_code == 78  # archived first; no SMTP server configured here
    folder = Path(os.environ["XDG_DATA_HOME"]) / "reviewer" / "archive" / "2020-W07"
    [path] = folder.glob("*.json")
    archived = json.loads(path.read_text(encoding="utf-8"))
    assert _done(archived) == [("读完 DINOv2 论文", "2020-02-12")]


def test_an_entry_todo_ticked_weeks_later_was_open_at_the_end_of_its_week(repo: Repo) -> None:
    repo.commit(
        V3.replace("* TODO: write the intro", "* ~~TODO: write the intro~~"),
        "2020-02-25T09:00:00+08:00",
    )
    own = _week(repo.journal, "2020-02-03")
    [todo] = [t for t in own["todos"] if t["text"] == "write the intro"]
    assert todo["status"] == "open" and own["stats"]["todos_done"] == 0
    [question] = own["questions"]  # answered on 2020-02-21, in W08: open at the end of W06
    assert (question["status"], question["answer"]) == ("open", "")
    assert own["stats"]["questions_open"] == 1
    ticked = _week(repo.journal, "2020-02-24")
    assert _done(ticked) == [("write the intro", "2020-02-25")]
    assert ticked["history"]["done"][0]["age_days"] == 22  # open since its entry of 02-03
    assert ticked["stats"]["todos_done"] == 1


def test_untracked_empty_repository_and_timeout_are_history_off(tmp_path: Path) -> None:
    empty = Repo(tmp_path / "empty")
    empty.journal.write_text(V1, encoding="utf-8")
    assert store.history_status(empty.journal, "auto") == "off (the repository has no commits yet)"
    empty.commit("# other\n", "2020-02-03T21:00:00+08:00", "first")  # commits journal.md
    stray = empty.root / "stray.md"
    stray.write_text(V1, encoding="utf-8")
    assert (
        store.history_status(stray, "auto") == "off (stray.md is not tracked by git (git add it))"
    )
    with pytest.raises(git.GitError, match="not tracked"):
        store.line_dates(stray, tmp_path / "cache", date(2020, 3, 1), None, 2**20)
    with pytest.raises(git.GitError, match="took longer than"):
        git.run_git(empty.root, "log", timeout=0.000001)


def test_as_of_is_not_emailed(repo: Repo) -> None:
    args = ["week", "2020-02-10", "-j", str(repo.journal), "--as-of", "2020-02-16", "--email"]
    result = runner.invoke(app, args)
    assert result.exit_code == 2 and "not both" in result.stderr


def test_git_runs_only_where_a_repository_could_be(
    repo: Repo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A journal with no `.git` (folder or file) and no bare repository at or above its
    folder is not in a repository, said without running git; a journal in a folder of a
    repository, in a linked worktree (whose `.git` is a file) or beside a bare repository's
    files is looked up by git as before."""
    repo.commit(V1, "2020-02-03T21:00:00+08:00")
    nested = repo.root / "notes" / "deep"
    nested.mkdir(parents=True)
    (nested / "j.md").write_text(V1, encoding="utf-8")
    linked = tmp_path / "linked"
    repo.git("worktree", "add", "-q", str(linked))
    assert (linked / ".git").is_file()
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "init", "-q", "--bare", str(bare)], check=True, env=repo.env())
    (bare / "j.md").write_text(V1, encoding="utf-8")
    loose = tmp_path / "loose" / "j.md"
    loose.parent.mkdir()
    loose.write_text(V1, encoding="utf-8")

    runs: list[Path] = []
    real = git.run_git

    def counted(cwd: Path, *args: str, timeout: float = git.GIT_TIMEOUT) -> str:
        runs.append(cwd)
        return real(cwd, *args, timeout=timeout)

    monkeypatch.setattr(git, "run_git", counted)
    assert git.locate(linked / "journal.md").path == "journal.md"
    assert store.history_status(nested / "j.md", "auto").startswith("off (notes/deep/j.md is not")
    with pytest.raises(git.GitError):
        git.locate(bare / "j.md")  # git's own answer: a bare repository has no work tree
    assert len(runs) >= 3
    runs.clear()
    with pytest.raises(git.GitError, match=r"^not in a git repository$"):
        git.locate(loose)
    assert runs == []
