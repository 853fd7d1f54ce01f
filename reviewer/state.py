"""Small JSON state files in the XDG state directory (the I/O edge of the ledger).

The question/TODO ledger keeps each item's id and wording, so that ids survive edits to the
journal. Files are written atomically; the directory is private (0700).
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

__all__ = ["load_ids", "save_ids"]


def _ledger_path(state_dir: Path, journal: str) -> Path:
    # One ledger per journal: two journals (or profiles) never share ids.
    tag = hashlib.sha256(os.path.abspath(journal).encode()).hexdigest()[:12]
    return state_dir / f"ledger-{tag}.json"


def load_ids(state_dir: Path, journal: str, kind: str) -> dict[str, str]:
    """The stored {id: text} of `kind` ("questions" or "todos"); empty when there is none or it
    is unreadable (ids are then derived afresh; nothing else depends on them)."""
    try:
        data = json.loads(_ledger_path(state_dir, journal).read_text(encoding="utf-8"))
        stored = data.get(kind, {})
        return {str(k): str(v) for k, v in stored.items()} if isinstance(stored, dict) else {}
    except (OSError, ValueError, AttributeError):
        return {}


def save_ids(state_dir: Path, journal: str, kind: str, ids: dict[str, str]) -> None:
    """Store {id: text} of `kind`, keeping the other kinds; best effort (a read-only state dir
    must not stop a review)."""
    path = _ledger_path(state_dir, journal)
    try:
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                data = {}
        except (OSError, ValueError):
            data = {}
        if data.get(kind) == ids:
            return  # as stored (a review of an unchanged journal): not written again
        data[kind] = ids
        fd, tmp = tempfile.mkstemp(dir=state_dir, prefix=".ledger-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
        os.replace(tmp, path)
    except OSError:
        return
