"""The journal's line dates from its repository, read once per commit and kept (the I/O edge).

`git blame` of a long journal with years of commits is the slow part (a second or more), and
its answer for a commit never changes, so it is kept in `$XDG_CACHE_HOME/reviewer/history/`,
one JSON file per journal holding the blames of its last few commits (the commit id, the
file's path in it, each line's commit time and a short digest of its text). When HEAD has moved
forward from a kept commit, only the commits since are blamed (`git blame KEPT..HEAD`: lines
unchanged since KEPT are `boundary` lines and take the time they had there). The working tree's
uncommitted edits are matched against HEAD's lines: a line HEAD does not have is today's.

A file that is unreadable, corrupt or of another format is ignored and rebuilt; writing is best
effort. The folder is private (0700), the file 0600 (it holds digests of journal lines, not
the lines).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

from reviewer.errors import ReviewerError
from reviewer.files import per_journal, remove_files, write_private
from reviewer.history import git
from reviewer.history.blame import (
    carry_over,
    line_hashes,
    map_lines,
    parse_porcelain,
    written_dates,
)
from reviewer.history.git import GitError, Tracked

__all__ = [
    "JournalAt",
    "LineDates",
    "clear_history",
    "history_status",
    "journal_at",
    "line_dates",
]

log = logging.getLogger(__name__)

FORMAT = 2
KEPT = 6  # blames kept per journal: HEAD's and a few before it (a backfill walks forward)


@dataclass(frozen=True, slots=True)
class LineDates:
    """When each line of the journal was last written: {line (1-based): day}, from `commit`."""

    dates: Mapping[int, date]
    commit: str


@dataclass(frozen=True, slots=True)
class JournalAt:
    """The journal as it stood at a moment: the file's bytes in the last commit before it,
    and its line dates as of that commit."""

    data: bytes
    lines: LineDates


def clear_history(cache_dir: Path) -> int:
    """Remove every journal's kept history (`reviewer cache clear`); how many files."""
    return remove_files(cache_dir / "history", "history-*.json")


def _cache_path(cache_dir: Path, journal: Path) -> Path:
    return per_journal(cache_dir / "history", "history", journal, "json")


def _load(path: Path) -> list[dict[str, object]]:
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as err:
        log.info("history cache %s ignored: %s", path, err)
        return []
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return []
    kept = data.get("blames")
    if not isinstance(kept, list):
        return []
    good = []
    for blame in kept:
        if (
            isinstance(blame, dict)
            and isinstance(blame.get("commit"), str)
            and isinstance(blame.get("path"), str)
            and isinstance(blame.get("times"), list)
            and isinstance(blame.get("hashes"), list)
            and isinstance(blame.get("digest"), str)
            and len(blame["times"]) == len(blame["hashes"])
            and all(t is None or isinstance(t, int) for t in blame["times"])
            and all(isinstance(h, str) for h in blame["hashes"])
        ):
            good.append(blame)
    return good


def _save(path: Path, blames: list[dict[str, object]]) -> None:
    try:
        text = json.dumps({"format": FORMAT, "blames": blames[:KEPT]}, separators=(",", ":"))
        write_private(path, text)
    except (OSError, ReviewerError) as err:
        log.info("history cache %s not written: %s", path, err)


def _blame_at(
    root: Path, commit: str, path: str, cache_file: Path
) -> tuple[list[int | None], list[str], str]:
    """Each line's commit time and text digest in `commit`'s file `path`, and the digest of
    the whole text: kept, or blamed since a kept ancestor, or blamed in full."""
    kept = _load(cache_file)
    for blame in kept:
        if blame["commit"] == commit and blame["path"] == path:
            return (
                list(blame["times"]),  # type: ignore[call-overload]
                list(blame["hashes"]),  # type: ignore[call-overload]
                str(blame["digest"]),
            )
    times: list[int | None] | None = None
    for blame in kept:
        old = str(blame["commit"])
        if old != commit and git.is_ancestor(root, old, commit):
            blamed = parse_porcelain(git.blame(root, path, rev=commit, since=old))
            times = carry_over(blamed, blame["times"])  # type: ignore[arg-type]
            log.info("history: blamed %s since %s", commit[:12], old[:12])
            break
    if times is None:
        blamed = parse_porcelain(git.blame(root, path, rev=commit))
        times = [b.time for b in blamed]
        log.info("history: blamed %s in full (%d lines)", commit[:12], len(blamed))
    texts = [b.text for b in blamed]
    hashes = line_hashes(texts)
    digest = _text_digest("".join(f"{line}\n" for line in texts))
    fresh: dict[str, object] = {
        "commit": commit,
        "path": path,
        "times": times,
        "hashes": hashes,
        "digest": digest,
    }
    _save(cache_file, [fresh, *(b for b in kept if b["commit"] != commit)])
    return times, hashes, digest


def _file_lines(text: str) -> list[str]:
    # As git blame splits its output: on "\n", the last line's end optional.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def line_dates(
    journal: Path, cache_dir: Path, today: date, zone: tzinfo | None, max_bytes: int
) -> LineDates:
    """When each line of the journal file (as it is on disk now) was last written: committed
    lines by their commit, uncommitted ones today. GitError when history is off."""
    tracked = git.locate(journal, check_tracked=False)
    try:
        times, hashes, digest = _blame_at(
            tracked.root, tracked.head, tracked.path, _cache_path(cache_dir, journal)
        )
    except GitError as err:
        if "no such path" in str(err):
            raise GitError(f"{tracked.path} is not tracked by git (git add it)") from None
        raise
    with journal.open("rb") as handle:
        text = handle.read(max_bytes + 1).decode("utf-8", "replace")
    # A file as committed (the usual Sunday) needs no matching: one digest says so.
    if _text_digest(text) == digest:
        return LineDates(written_dates(times, today, zone), tracked.head)
    current = line_hashes(_file_lines(text))
    return LineDates(written_dates(map_lines(hashes, times, current), today, zone), tracked.head)


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def journal_at(journal: Path, cache_dir: Path, day: date, zone: tzinfo | None) -> JournalAt:
    """The journal as it stood at the end of `day` (the user's time zone): the file in the last
    commit before then, with its line dates. GitError when history is off or the journal did
    not exist yet."""
    tracked = git.locate(journal)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    if zone is None:
        end = end.astimezone()
    found = git.commit_before(tracked.root, tracked.path, int(end.timestamp()) - 1)
    if found is None:
        raise GitError(f"{tracked.path} has no commit on or before {day}")
    commit, path = found
    times, _, _ = _blame_at(tracked.root, commit, path, _cache_path(cache_dir, journal))
    data = git.file_at(tracked.root, commit, path)
    return JournalAt(data, LineDates(written_dates(times, day, zone), commit))


def history_status(journal: Path | None, setting: str) -> str:
    """ "on (N commits of PATH)" or "off (why)", for `reviewer doctor` and `check`."""
    if setting == "off":
        return 'off (turned off: history = "off" in the config, or REVIEWER_HISTORY=off)'
    if journal is None:
        return "off (no journal configured)"
    try:
        tracked: Tracked = git.locate(journal)
        count = git.run_git(tracked.root, "rev-list", "--count", "HEAD", "--", tracked.path)
    except GitError as err:
        return f"off ({err})"
    return f"on ({count.strip()} commits of {tracked.path} in {tracked.root})"
