"""The facts cache: what extraction found in each entry, kept between runs (the I/O edge).

A 30-year journal has about 11,000 entries, and reading questions, TODOs and reflections out
of each is most of a review's cost. An entry's facts depend on its text alone (`EntryFacts`),
so they are kept in `$XDG_CACHE_HOME/reviewer/facts/`, one file per journal, keyed by a digest
of each entry's text (`Entry.digest`, worked out by the parse or kept in its snapshot); the
next run reads again only the entries whose text changed.

The file is sealed (`files.seal`) with the extractor that wrote it (a digest of the extraction
code and the version): facts written by other rules, or a file that is unreadable, damaged or
cut, are never trusted; the file is then rebuilt. Writing is best effort (a read-only cache
must not stop a review). The folder is private (0700) and the file 0600: it holds journal text.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from reviewer import __version__
from reviewer.errors import ReviewerError
from reviewer.facts import extract
from reviewer.facts.extract import EntryFacts, body_digest, facts_in_order, know
from reviewer.files import (
    code_digest,
    per_journal,
    read_regular,
    remove_files,
    seal,
    unseal,
    write_private,
)
from reviewer.journal import outline
from reviewer.journal.parse import Entry

__all__ = [
    "clear_facts",
    "extractor_version",
    "load_facts",
    "remember_facts",
    "remember_words",
    "save_facts",
    "words_version",
]

log = logging.getLogger(__name__)

FORMAT = 3
_KIND = "facts"
_MAX = 1 << 30  # a bound on reading it back (30 years of facts are a few MB)


@cache
def extractor_version() -> str:
    """A digest of the rules that extract facts: their code and the release."""
    return code_digest(f"{FORMAT} {__version__}", (extract, outline))


def _path(cache_dir: Path, journal: str) -> Path:
    return per_journal(cache_dir / "facts", "facts", journal, "kept")


def clear_facts(cache_dir: Path) -> int:
    """Remove every journal's kept facts (`reviewer cache clear`); how many files."""
    return remove_files(cache_dir / "facts", "facts-*")


def load_facts(cache_dir: Path, journal: str) -> dict[str, EntryFacts]:
    """The facts an earlier run kept for this journal (text digest -> facts); empty when
    there are none, or when the file is unreadable, damaged or written by other extraction
    rules."""
    path = _path(cache_dir, journal)
    try:
        if not path.exists():
            return {}
        rows: Any = unseal(read_regular(path, _MAX), _KIND, extractor_version(), "-")
        make = EntryFacts._make
        return {digest: make(row) for digest, row in rows.items()}
    except (OSError, ReviewerError, ValueError, TypeError, AttributeError) as err:
        log.info("facts cache %s ignored: %s", path, err)
        return {}


def save_facts(cache_dir: Path, journal: str, facts: Mapping[str, EntryFacts]) -> None:
    """Keep `facts` (only these: entries no longer in the journal are dropped); best effort."""
    path = _path(cache_dir, journal)
    rows = {digest: tuple(f) for digest, f in facts.items()}
    try:
        write_private(path, seal(_KIND, extractor_version(), "-", rows))
        path.with_suffix(".json").unlink(missing_ok=True)  # the JSON of releases before
    except (OSError, ReviewerError) as err:
        log.info("facts cache %s not written: %s", path, err)


def remember_facts(
    cache_dir: Path, journal: str, entries: Iterable[Entry], keep: bool = True
) -> None:
    """Read the facts of every entry, from the cache where its text is unchanged, and (with
    `keep`) keep them for the next run when anything changed. A past state of the journal
    (`--as-of`) is read through the cache but not kept: it would replace the facts of the
    journal as it is."""
    known = load_facts(cache_dir, journal)
    know(known)
    current = dict(facts_in_order(entries))
    if keep and current.keys() != known.keys():
        save_facts(cache_dir, journal, current)


@cache
def words_version() -> str:
    """A digest of the rule that counts an entry's words: its code and the release."""
    from reviewer.facts import stats

    return code_digest(f"{FORMAT} {__version__}", (stats,))


def remember_words(
    cache_dir: Path, journal: str, entries: Iterable[Entry], keep: bool = True
) -> dict[str, int]:
    """The words of every entry (`count_words`), by the digest of its text: counted again
    only where the text changed since an earlier run kept them, and (with `keep`) kept for
    the next run when anything changed; best effort, as the facts."""
    from reviewer.facts.stats import count_words

    path = per_journal(cache_dir / "facts", "facts", journal, "words")
    known: dict[str, int] = {}
    try:
        if path.exists():
            kept: Any = unseal(read_regular(path, _MAX), "words", words_version(), "-")
            if isinstance(kept, dict):
                known = kept
    except (OSError, ReviewerError, ValueError) as err:
        log.info("words cache %s ignored: %s", path, err)
    counts: dict[str, int] = {}
    for entry in entries:
        digest = entry.digest or body_digest(entry.text)
        count = known.get(digest)
        counts[digest] = count_words(entry.text) if count is None else count
    if keep and counts.keys() != known.keys():
        try:
            write_private(path, seal("words", words_version(), "-", counts))
        except (OSError, ReviewerError) as err:
            log.info("words cache %s not written: %s", path, err)
    return counts
