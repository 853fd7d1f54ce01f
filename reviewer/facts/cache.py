"""The facts cache: what extraction found in each entry, kept between runs (the I/O edge).

A 30-year journal has about 11,000 entries, and reading questions, TODOs and reflections out
of each is most of a review's cost. An entry's facts depend on its text alone (`EntryFacts`),
so they are kept in `$XDG_CACHE_HOME/reviewer/facts/`, one file per journal, keyed by a digest
of each entry's body; the next run reads again only the entries whose text changed. The file
also names the parse it was written from (`Journal.digest`) and each entry's digest in order:
a run on the same bytes takes every entry's facts without digesting its text again.

The file is sealed (`files.seal`) with the extractor that wrote it (a digest of the extraction
code and the version): facts written by other rules, or a file that is unreadable, damaged or
cut, are never trusted; the file is then rebuilt. Writing is best effort (a read-only cache
must not stop a review). The folder is private (0700) and the file 0600: it holds journal text.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from reviewer import __version__
from reviewer.errors import ReviewerError
from reviewer.facts import extract
from reviewer.facts.extract import EntryFacts, facts_in_order, know, recall
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

__all__ = [
    "Kept",
    "clear_facts",
    "extractor_version",
    "load_facts",
    "remember_facts",
    "save_facts",
]

log = logging.getLogger(__name__)

FORMAT = 2
_KIND = "facts"
_MAX = 1 << 30  # a bound on reading it back (30 years of facts are a few MB)


@cache
def extractor_version() -> str:
    """A digest of the rules that extract facts: their code and the release."""
    return code_digest(f"{FORMAT} {__version__}", (extract, outline))


@dataclass(frozen=True, slots=True)
class Kept:
    """What an earlier run kept of a journal's facts."""

    journal: str = ""  # the parse they were found in (`Journal.digest`), "" when unknown
    order: tuple[str, ...] = ()  # each entry's body digest, in the journal's order
    facts: Mapping[str, EntryFacts] = field(default_factory=dict)  # body digest -> facts


def _path(cache_dir: Path, journal: str) -> Path:
    return per_journal(cache_dir / "facts", "facts", journal, "kept")


def clear_facts(cache_dir: Path) -> int:
    """Remove every journal's kept facts (`reviewer cache clear`); how many files."""
    return remove_files(cache_dir / "facts", "facts-*")


def load_facts(cache_dir: Path, journal: str) -> Kept:
    """The facts an earlier run kept for this journal; none when there are none, or when the
    file is unreadable, damaged or written by other extraction rules."""
    path = _path(cache_dir, journal)
    try:
        if not path.exists():
            return Kept()
        value: Any = unseal(read_regular(path, _MAX), _KIND, extractor_version(), "-")
        parse, order, rows = value
        if not isinstance(parse, str) or not isinstance(order, tuple):
            raise ValueError("not in the expected form")
        facts = {
            digest: EntryFacts(questions=q, todos=t, reflections=r)
            for digest, (q, t, r) in rows.items()
        }
        return Kept(parse, order, facts)
    except (OSError, ReviewerError, ValueError, TypeError, AttributeError) as err:
        log.info("facts cache %s ignored: %s", path, err)
        return Kept()


def save_facts(cache_dir: Path, journal: str, kept: Kept) -> None:
    """Keep `kept` (only these facts: entries no longer in the journal are dropped); best
    effort."""
    path = _path(cache_dir, journal)
    rows = {digest: (f.questions, f.todos, f.reflections) for digest, f in kept.facts.items()}
    try:
        write_private(path, seal(_KIND, extractor_version(), "-", (kept.journal, kept.order, rows)))
        path.with_suffix(".json").unlink(missing_ok=True)  # the JSON of releases before
    except (OSError, ReviewerError) as err:
        log.info("facts cache %s not written: %s", path, err)


def remember_facts(
    cache_dir: Path, journal: str, texts: Sequence[str], keep: bool = True, parse: str = ""
) -> None:
    """Read the facts of every entry's text, from the cache where it is unchanged (all of
    them at once when `parse`, the journal's `digest`, is the one they were kept from), and
    (with `keep`) keep them for the next run when anything changed. A past state of the
    journal (`--as-of`) is read through the cache but not kept: it would replace the facts of
    the journal as it is."""
    kept = load_facts(cache_dir, journal)
    if parse and parse == kept.journal and recall(texts, kept.order, kept.facts):
        return
    know(kept.facts)
    found = facts_in_order(texts)
    order = tuple(digest for digest, _ in found)
    if keep and (parse != kept.journal or order != kept.order):
        save_facts(cache_dir, journal, Kept(parse, order, dict(found)))
