"""Hostile files and paths: `-o` writes only what it was asked to, journals are read only from
regular files within a bound, stdout failures are one line, encodings read wrong are said."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewer import files
from reviewer.delivery.archive import archive_digest
from reviewer.errors import ReviewerError
from reviewer.journal.source import load_journal

from .conftest import FIXTURE
from .hostile import run, run_process

WEEK = ("week", "2020-02-24", "--offline", "-j", str(FIXTURE))


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")


def test_output_to_dev_null_writes_through_and_leaves_the_device() -> None:
    result = run(*WEEK, "-o", "/dev/null")
    assert result.exit_code == 0
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_output_keeps_the_mode_and_never_follows_a_planted_temp_link(tmp_path: Path) -> None:
    out = tmp_path / "review.md"
    out.write_text("old")
    out.chmod(0o600)
    victim = tmp_path / "victim"
    victim.write_text("precious")
    for planted in (f"{out.name}.tmp", f".{out.name}.tmp", f".{out.name}.{os.getpid()}.tmp"):
        (tmp_path / planted).symlink_to(victim)
    result = run(*WEEK, "-o", str(out))
    assert result.exit_code == 0
    assert "2020-W09" in out.read_text(encoding="utf-8")
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert victim.read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir() if not p.is_symlink()) == [
        "review.md",
        "victim",
    ]


def test_output_through_a_symlink_replaces_the_file_it_names(tmp_path: Path) -> None:
    real = tmp_path / "real.md"
    real.write_text("old")
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert run(*WEEK, "-o", str(link)).exit_code == 0
    assert link.is_symlink() and "2020-W09" in real.read_text(encoding="utf-8")


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_output_to_a_folder_or_an_unread_fifo_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    target = tmp_path / kind
    if kind == "folder":
        target.mkdir()
    else:
        os.mkfifo(target)
    started = time.monotonic()
    result = run(*WEEK, "-o", str(target))
    assert result.exit_code == 73
    assert time.monotonic() - started < 10
    assert result.stderr.count("\n") == 1 and str(target) in result.stderr
    assert stat.S_ISDIR(target.stat().st_mode) or stat.S_ISFIFO(target.stat().st_mode)


def test_a_full_disk_leaves_no_temporary_and_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "review.md"
    out.write_text("old")

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "write", full)
    with pytest.raises(ReviewerError) as caught:
        files.write_output(out, "new text")
    assert caught.value.exit_code == 73 and "No space left" in str(caught.value)
    assert [p.name for p in tmp_path.iterdir()] == ["review.md"]
    assert out.read_text() == "old"


def test_an_interrupt_while_writing_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(fd: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(files.os, "fsync", interrupted)
    with pytest.raises(KeyboardInterrupt):
        files.write_atomic(tmp_path / "x.md", "text")
    assert list(tmp_path.iterdir()) == []


def test_a_digest_waits_for_the_disk_and_a_cache_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(files.os, "fsync", synced.append)
    files.write_atomic(tmp_path / "digest.md", "a week")
    assert len(synced) == 1  # what the user keeps: on the disk before it replaces the old one
    cache = tmp_path / "cache" / "journal.snapshot"
    files.write_private(cache, (b"header\n", b"derived"))  # parts, one after the other
    assert len(synced) == 1  # a cache: worked out again when a crash loses it
    assert cache.read_bytes() == b"header\nderived" and cache.stat().st_mode & 0o777 == 0o600
    sealed = files.sealed_parts("kind", "v1", "-", [1, "two"])
    assert b"".join(sealed) == files.seal("kind", "v1", "-", [1, "two"])
    files.write_private(cache, sealed)
    assert files.unseal(cache.read_bytes(), "kind", "v1", "-") == [1, "two"]
    assert cache.parent.stat().st_mode & 0o777 == 0o700


def test_stdout_full_or_closed_is_one_line_and_exit_73(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = run_process(*WEEK, stdout=full.fileno())
    assert done.returncode == 73
    assert done.stderr.strip().count("\n") == 0 and "No space left" in done.stderr
    closed = subprocess.run(
        ["/bin/sh", "-c", 'exec "$0" -m reviewer "$@" >&-', sys.executable, *WEEK],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert closed.returncode == 73, closed.stderr
    assert closed.stderr.strip() == "reviewer: cannot write the output: stdout is closed"


@pytest.mark.parametrize("kind", ["device", "fifo"])
def test_a_journal_that_is_no_regular_file_is_refused_at_once(tmp_path: Path, kind: str) -> None:
    path = Path("/dev/zero")
    if kind == "fifo":
        path = tmp_path / "journal.md"
        os.mkfifo(path)
    started = time.monotonic()
    result = run("week", "2020-02-24", "-j", str(path))
    assert time.monotonic() - started < 10
    assert result.exit_code == 66
    assert "not a regular file" in result.stderr and result.stderr.count("\n") == 1


def test_the_journal_size_bound_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_JOURNAL_MAX_MB", "0.01")
    result = run(*WEEK)
    assert result.exit_code == 65
    assert "larger than 0.01 MB" in result.stderr and "REVIEWER_JOURNAL_MAX_MB" in result.stderr
    monkeypatch.setenv("REVIEWER_JOURNAL_MAX_MB", "lots")
    assert run(*WEEK).exit_code == 78


def test_a_bound_that_the_file_outgrows_while_read_still_holds(tmp_path: Path) -> None:
    path = tmp_path / "journal.md"
    path.write_bytes(b"x" * 5000)
    with pytest.raises(files.FileTooLarge):
        files.read_regular(path, 4096)
    assert files.read_regular(path, 5000) == b"x" * 5000


def test_an_unreadable_journal_exits_66(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "journal.md"
    path.write_bytes(FIXTURE.read_bytes())
    real_open = os.open

    def denied(name: object, *args: object, **kwargs: object) -> int:
        if str(name) == str(path):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_open(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(files.os, "open", denied)
    result = run("week", "2020-02-24", "--offline", "-j", str(path))
    assert result.exit_code == 66 and "Permission denied" in result.stderr


def test_a_folder_skips_notes_it_cannot_read_with_a_warning(tmp_path: Path) -> None:
    (tmp_path / "2020-02-24.md").write_text("* wrote the intro\n", encoding="utf-8")
    (tmp_path / "2020-02-25.md").symlink_to(tmp_path / "gone.md")
    os.mkfifo(tmp_path / "2020-02-26.md")
    (tmp_path / "2020-02-27.md").symlink_to("/dev/zero")
    started = time.monotonic()
    result = run("week", "2020-02-24", "--offline", "-j", str(tmp_path))
    assert time.monotonic() - started < 10
    assert result.exit_code == 0 and "wrote the intro" in result.stdout
    for name in ("2020-02-25.md", "2020-02-26.md", "2020-02-27.md"):
        assert f"warning: {tmp_path}/{name}: skipped" in result.stderr


def test_a_dangling_link_as_the_journal_is_no_such_file(tmp_path: Path) -> None:
    link = tmp_path / "journal.md"
    link.symlink_to(tmp_path / "gone.md")
    result = run("week", "2020-02-24", "-j", str(link))
    assert result.exit_code == 66 and "no such file" in result.stderr


TEXT = "### 2020-02-24\n\n* {}\n* {}\n"
JAPANESE = TEXT.format(
    "今日は実験の結果を確認した。明日は論文を書く予定です。", "学習率はどうする？"
)
TRADITIONAL = TEXT.format(
    "今天檢查了實驗的結果。明天要寫論文，還需要問老師。", "這個模型為什麼會過擬合？"
)
SIMPLIFIED = TEXT.format(
    "今天检查了实验的结果。明天要写论文，还需要问老师。", "这个模型为什么会过拟合？"
)


@pytest.mark.parametrize(("text", "encoding"), [(JAPANESE, "shift_jis"), (TRADITIONAL, "big5")])
def test_shift_jis_and_big5_are_not_read_as_gbk_gibberish(
    tmp_path: Path, text: str, encoding: str
) -> None:
    path = tmp_path / "journal.md"
    path.write_bytes(text.encode(encoding))
    result = run("week", "2020-02-24", "--offline", "-j", str(path))
    assert result.exit_code == 65
    assert f"--encoding {encoding}" in result.stderr and result.stderr.count("\n") == 1
    assert (
        run("week", "2020-02-24", "--offline", "-j", str(path), "--encoding", encoding).exit_code
        == 0
    )


def test_gbk_and_gb18030_with_emoji_still_read(tmp_path: Path) -> None:
    path = tmp_path / "journal.md"
    path.write_bytes((SIMPLIFIED + "* 👌 完成\n").encode("gb18030"))
    assert "过拟合" in load_journal(path).entries[0].body[-2]


def test_a_line_break_in_a_path_never_reaches_a_crontab(tmp_path: Path) -> None:
    path = tmp_path / "a\n0 * * * * touch pwned #"
    path.write_bytes(FIXTURE.read_bytes())
    for extra in ([], ["--systemd"]):
        result = run("cron", "--journal", str(path), *extra)
        assert result.exit_code == 78
        assert "control character" in result.stderr and "pwned" not in result.stdout


def test_the_archive_is_private(tmp_path: Path) -> None:
    old = tmp_path / "archive" / "2020-W09"
    old.mkdir(parents=True, mode=0o755)
    old.chmod(0o755)
    stem = archive_digest("2020-W09", "a" * 64, {"md": "x", "json": "{}"}, tmp_path)
    assert stat.S_IMODE(old.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "archive").stat().st_mode) == 0o700
    for suffix in (".md", ".json"):
        assert stat.S_IMODE(stem.with_name(stem.name + suffix).stat().st_mode) == 0o600
