"""The `git` command line, the one way this package reads a repository (the I/O edge).

Why the git CLI and not dulwich: git is on every machine that has a repository to read (the
journal's author commits with it), dulwich is not installed here and is a pure-Python
reimplementation whose `blame` walks every commit in Python (seconds for 5,000 commits, where
`git blame` takes a fraction of that). Every call runs without a shell, with a timeout, in the
journal's folder, with the caller's `GIT_*` variables removed (a `GIT_DIR` or `GIT_WORK_TREE`
left in a cron job's environment must not point us at another repository), with prompts off
and `core.quotepath=off` (paths in output stay UTF-8, not octal escapes).

Any failure is `GitError` with a short reason; callers turn it into "history: off (reason)".
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "GIT_TIMEOUT",
    "GitError",
    "Tracked",
    "blame",
    "commit_before",
    "file_at",
    "head",
    "is_ancestor",
    "locate",
    "run_git",
]

GIT_TIMEOUT = 20.0  # seconds for one git call; a 5,000-commit blame takes about 2 s here


class GitError(Exception):
    """git is missing, failed or timed out; `str(err)` says why in a few words."""


@dataclass(frozen=True, slots=True)
class Tracked:
    """A journal file tracked in a repository: its top folder, its path there, and HEAD."""

    root: Path
    path: str  # relative to root, "/"-separated, as git names it
    head: str  # commit id of HEAD


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_OPTIONAL_LOCKS="0",  # never take the index lock: the user may be committing
        LC_ALL="C",  # messages we read (`fatal: ...`) in one language
    )
    return env


def run_git(cwd: Path, *args: str, timeout: float = GIT_TIMEOUT) -> str:
    """The standard output of `git ARGS` run in `cwd` (UTF-8, undecodable bytes replaced)."""
    return _run(cwd, args, timeout).decode("utf-8", "replace")


def _run(cwd: Path, args: tuple[str, ...], timeout: float) -> bytes:
    git = shutil.which("git")
    if git is None:
        raise GitError("git not found")
    try:
        done = subprocess.run(  # a fixed program and argument list, no shell
            [git, "-c", "core.quotepath=off", *args],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            timeout=timeout,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took longer than {timeout:g} s") from None
    except OSError as err:
        raise GitError(f"git could not run: {err.strerror or err}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        # The first `fatal:` line says what; hints (`Use '--' to separate ...`) follow it.
        fatal = [line for line in said if line.startswith(("fatal:", "error:"))]
        raise GitError((fatal or said or [f"git {args[0]} failed ({done.returncode})"])[0])
    return done.stdout


def locate(journal: Path, check_tracked: bool = True) -> Tracked:
    """The repository that tracks the journal file, or GitError saying why there is none;
    without `check_tracked`, one git call (a later blame fails on an untracked file)."""
    if journal.is_dir():
        raise GitError("a folder of notes (history reads a single journal file)")
    folder = journal.resolve().parent
    if not _may_be_in_repository(folder):
        raise GitError("not in a git repository")
    try:
        out = run_git(folder, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD")
    except GitError as err:
        if "not a git repository" in str(err):
            raise GitError("not in a git repository") from None
        if "unknown revision" in str(err) or "ambiguous argument 'HEAD'" in str(err):
            raise GitError("the repository has no commits yet") from None
        raise
    top, shallow, commit = [*out.splitlines(), "", "", ""][:3]
    if shallow.strip() == "true":
        raise GitError("a shallow clone: its history is cut off (git fetch --unshallow)")
    root = Path(top.strip())
    rel = journal.resolve().relative_to(root.resolve()).as_posix()
    if check_tracked and not run_git(root, "ls-files", "--", rel).strip():
        raise GitError(f"{rel} is not tracked by git (git add it)")
    return Tracked(root=root, path=rel, head=commit.strip())


def _may_be_in_repository(folder: Path) -> bool:
    """Whether git, looking from `folder` up, could find a repository: a `.git` (a folder, or
    a file naming one) in `folder` or above, or a folder above that is one (a bare
    repository: HEAD, objects, refs). Where there is none, git is not run to say so (a
    process for every review of a journal outside any repository: ~10 ms)."""
    for at in (folder, *folder.parents):
        if os.path.lexists(at / ".git") or all(
            os.path.lexists(at / part) for part in ("HEAD", "objects", "refs")
        ):
            return True
    return False


def head(root: Path) -> str:
    """The commit id of HEAD."""
    return run_git(root, "rev-parse", "--verify", "-q", "HEAD^{commit}").strip()


def is_ancestor(root: Path, old: str, new: str) -> bool:
    """True when commit `old` is an ancestor of `new` (HEAD moved forward from it)."""
    try:
        run_git(root, "merge-base", "--is-ancestor", old, new)
    except GitError:
        return False
    return True


def blame(root: Path, path: str, rev: str = "", since: str = "") -> str:
    """`git blame --line-porcelain` of `path`: of the working tree file when `rev` is "",
    else of `rev`'s file; with `since`, lines unchanged since that commit are `boundary`."""
    spec = f"{since}..{rev or 'HEAD'}" if since else rev
    args = ["blame", "--line-porcelain"]
    if spec:
        args.append(spec)
    return run_git(root, *args, "--", path)


def commit_before(root: Path, path: str, moment: int) -> tuple[str, str] | None:
    """The last commit at or before `moment` (Unix seconds, committer time) that has the file
    now at `path`, and the file's path in it (renames followed); None before its first."""
    out = run_git(
        root,
        "log",
        "--follow",
        "--name-status",
        "--format=%x00%H %ct",
        "HEAD",
        "--",
        path,
    )
    # Newest first; each record: "\0<id> <time>\n\n<status>\t<path>[\t<new path>]".
    for record in out.split("\0")[1:]:
        lines = [line for line in record.splitlines() if line.strip()]
        commit, _, when = lines[0].partition(" ")
        if int(when) > moment:
            continue
        fields = lines[1].split("\t") if len(lines) > 1 else []
        if fields and fields[0].startswith("D"):
            return None  # deleted then: the journal did not exist at that moment
        name = fields[-1] if fields else path
        return commit, name
    return None


def file_at(root: Path, commit: str, path: str) -> bytes:
    """The bytes of `path` as committed in `commit`."""
    return _run(root, ("cat-file", "blob", f"{commit}:{path}"), GIT_TIMEOUT)
