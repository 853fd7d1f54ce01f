"""Keep every digest that is delivered, on disk, before it leaves (I/O at the edge).

Layout, under the XDG data dir (`$XDG_DATA_HOME/reviewer`):

    archive/2020-W09/3f2a9c01b7de.md      one set per distinct digest of the week, named by
    archive/2020-W09/3f2a9c01b7de.html    its content hash: a rerun with the same content
    archive/2020-W09/3f2a9c01b7de.json    rewrites the same files, a changed journal adds a set

so what was mailed is still there after the journal (or the prompt, or the model) changes.
The archive holds the journal's own (unredacted) words: folders are 0700, files 0600.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from reviewer import files
from reviewer.errors import EXIT_CANT_CREATE, ReviewerError
from reviewer.models import Digest

__all__ = ["archive_digest", "archive_week", "content_hash", "write_atomic"]

# How the run was made, not what the week holds: a cached second run must hash the same.
_VOLATILE = {"meta"}


def content_hash(digest: Digest) -> str:
    """sha256 of what the digest says about the week (not of how it was made)."""
    data = digest.model_dump(mode="json", exclude=_VOLATILE)
    canonical = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to `path` (0600: an archive holds the journal's own words) so a reader
    (or a crash) never sees half a file."""
    files.write_atomic(path, text, mode=0o600)


def archive_digest(
    week: str, digest_hash: str, renderings: Mapping[str, str], data_dir: Path
) -> Path:
    """Write each rendering (format -> text) of the week's digest; the path without suffix."""
    folder = data_dir / "archive" / week
    try:
        for part in (data_dir, data_dir / "archive", folder):
            part.mkdir(parents=True, exist_ok=True, mode=0o700)
        for part in (data_dir / "archive", folder):
            os.chmod(part, 0o700)  # mkdir's mode is masked by umask, and older runs made 0755
    except OSError as err:
        raise ReviewerError(
            f"{folder}: cannot create the archive: {err.strerror}", EXIT_CANT_CREATE
        ) from None
    stem = folder / digest_hash[:12]
    # json last: its presence means the set is complete.
    for fmt in sorted(renderings, key=lambda f: f == "json"):
        write_atomic(stem.with_name(f"{stem.name}.{fmt}"), renderings[fmt])
    return stem


def archive_week(digest: Digest, data_dir: Path) -> tuple[Path, str, dict[str, str]]:
    """Archive the week's digest as md, html and json: (path without suffix, content hash,
    the renderings, for a caller that mails them)."""
    from reviewer.render.render import render

    digest_hash = content_hash(digest)
    renderings = {fmt: render(digest, fmt) for fmt in ("md", "html", "json")}
    return (
        archive_digest(digest.week.iso, digest_hash, renderings, data_dir),
        digest_hash,
        renderings,
    )
