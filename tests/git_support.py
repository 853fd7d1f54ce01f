"""Real git repositories for tests and the bench: commits dated by GIT_AUTHOR_DATE and
GIT_COMMITTER_DATE, a fixed identity, no global or system git config."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

__all__ = ["Repo"]


class Repo:
    """A repository in `root` with a journal file at `name`."""

    def __init__(self, root: Path, name: str = "journal.md") -> None:
        self.root = root
        self.name = name
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    @property
    def journal(self) -> Path:
        """The journal file in the working tree."""
        return self.root / self.name

    def env(self, when: str = "2020-01-01T12:00:00+08:00") -> dict[str, str]:
        """The environment git runs in: no user config, commits dated `when`."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
        env.update(
            HOME=str(self.root.parent),
            GIT_CONFIG_NOSYSTEM="1",
            GIT_CONFIG_GLOBAL="/dev/null",
            GIT_AUTHOR_DATE=when,
            GIT_COMMITTER_DATE=when,
        )
        return env

    def git(self, *args: str, when: str = "2020-01-01T12:00:00+08:00") -> str:
        """Run git in the repository; its output."""
        return subprocess.run(
            ["git", "-c", "user.name=Journal", "-c", "user.email=j@example.org", *args],
            cwd=self.root,
            env=self.env(when),
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def commit(self, text: str, when: str, message: str = "journal") -> str:
        """Write the journal and commit it at `when` (ISO 8601 with an offset); its id."""
        self.journal.write_text(text, encoding="utf-8")
        self.git("add", self.name)
        self.git("commit", "-q", "-m", message, when=when)
        return self.git("rev-parse", "HEAD").strip()

    def rename(self, name: str, when: str) -> None:
        """`git mv` the journal to `name` and commit."""
        (self.root / name).parent.mkdir(parents=True, exist_ok=True)
        self.git("mv", self.name, name)
        self.name = name
        self.git("commit", "-q", "-m", "rename", when=when)
