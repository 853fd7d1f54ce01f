"""The facts cache: what extraction found in each entry, kept between runs (the I/O edge).

A 30-year journal has about 11,000 entries, and reading questions, TODOs and reflections out
of each is most of a review's cost. An entry's facts depend on its text alone (`EntryFacts`),
so they are kept in `$XDG_CACHE_HOME/reviewer/facts/`, one JSON file per journal, keyed by a
digest of each entry's body; the next run reads again only the entries whose text changed.

The file names the extractor that wrote it (a digest of the extraction code and the version):
facts written by other rules are never trusted. A file that is unreadable, corrupt or of
another extractor is ignored and replaced; writing is best effort (a read-only cache must not
stop a review). The folder is private (0700) and the file 0600: it holds journal text.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

from reviewer import __version__
from reviewer.errors import ReviewerError
from reviewer.facts import extract
from reviewer.facts.extract import EntryFacts, facts_of, know
from reviewer.files import remove_files, write_atomic
from reviewer.journal import outline

__all__ = ["clear_facts", "extractor_version", "load_facts", "remember_facts", "save_facts"]

log = logging.getLogger(__name__)

FORMAT = 1


@cache
def extractor_version() -> str:
    """A digest of the rules that extract facts: their code and the release."""
    digest = hashlib.blake2b(f"{FORMAT} {__version__}".encode(), digest_size=12)
    for module in (extract, outline):
        with contextlib.suppress(OSError, TypeError):
            digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def _path(cache_dir: Path, journal: str) -> Path:
    tag = hashlib.sha256(os.path.abspath(journal).encode()).hexdigest()[:12]
    return cache_dir / "facts" / f"facts-{tag}.json"


def clear_facts(cache_dir: Path) -> int:
    """Remove every journal's kept facts (`reviewer cache clear`); how many files."""
    return remove_files(cache_dir / "facts", "facts-*.json")


_WIDTHS = (5, 3, 3)  # a question row, a TODO row, a reflection row: a line, then strings


def _facts(value: object) -> EntryFacts | None:
    """Facts from their JSON form, or None when it is not exactly that form. (Tight loops of
    type checks: 30 years are 11,000 entries, read on every run.)"""
    if type(value) is not list or len(value) != 3:
        return None
    kinds = []
    for rows, width in zip(value, _WIDTHS, strict=True):
        if type(rows) is not list:
            return None
        for row in rows:
            if type(row) is not list or len(row) != width or type(row[0]) is not int:
                return None
            for cell in row[1:]:
                if type(cell) is not str:
                    return None
        kinds.append(tuple(map(tuple, rows)))
    return EntryFacts(questions=kinds[0], todos=kinds[1], reflections=kinds[2])


def load_facts(cache_dir: Path, journal: str) -> dict[str, EntryFacts]:
    """The facts an earlier run kept for this journal (body digest -> facts); empty when there
    are none, or when the file is unreadable, corrupt or written by other extraction rules."""
    path = _path(cache_dir, journal)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as err:
        log.info("facts cache %s ignored: %s", path, err)
        return {}
    if not isinstance(data, dict) or data.get("extractor") != extractor_version():
        log.info("facts cache %s ignored: written by other extraction rules", path)
        return {}
    entries = data.get("entries")
    if not isinstance(entries, dict):
        return {}
    known: dict[str, EntryFacts] = {}
    for digest, value in entries.items():
        facts = _facts(value)
        if facts is None:
            log.info("facts cache %s ignored: not in the expected form", path)
            return {}
        known[digest] = facts
    return known


def save_facts(cache_dir: Path, journal: str, facts: Mapping[str, EntryFacts]) -> None:
    """Keep `facts` (only these: entries no longer in the journal are dropped); best effort."""
    path = _path(cache_dir, journal)
    data = {
        "extractor": extractor_version(),
        "entries": {digest: [f.questions, f.todos, f.reflections] for digest, f in facts.items()},
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(path.parent, 0o700)  # mkdir's mode is masked by umask
        write_atomic(path, json.dumps(data, ensure_ascii=False, separators=(",", ":")), 0o600)
    except (OSError, ReviewerError) as err:
        log.info("facts cache %s not written: %s", path, err)


def remember_facts(cache_dir: Path, journal: str, texts: Iterable[str], keep: bool = True) -> None:
    """Read the facts of every entry's text, from the cache where it is unchanged, and (with
    `keep`) keep them for the next run when anything changed. A past state of the journal
    (`--as-of`) is read through the cache but not kept: it would replace the facts of the
    journal as it is."""
    known = load_facts(cache_dir, journal)
    know(known)
    current = facts_of(texts)
    if keep and current.keys() != known.keys():
        save_facts(cache_dir, journal, current)
