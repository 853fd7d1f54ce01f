"""The facts cache: what extraction found in each entry, kept between runs (the I/O edge).

A 30-year journal has about 11,000 entries, and reading questions, TODOs and reflections out
of each is most of a review's cost. An entry's facts depend on its text alone (`EntryFacts`),
so they are kept in `$XDG_CACHE_HOME/reviewer/facts/`, one file per journal, keyed by a digest
of each entry's text (`Entry.digest`, worked out by the parse or kept in its snapshot); the
next run reads again only the entries whose text changed (a run with a thousand or more to
read shares them with a second process, started before the parse when the journal is parsed
whole: `parallel`). The cycle collector is paused while they are read and kept: tens of
thousands of tuples, none in a cycle. Beside it, `history-*.kept` holds
the question and TODO ledgers folded over the journal's older entries (`tracking.Checkpoint`)
and the facts of the entries since: a week's review reads those and the recent entries alone
(`remember_history`), not the facts of every entry.

The file is sealed (`files.seal`) with the extractor that wrote it (a digest of the extraction
code and the version): facts written by other rules, or a file that is unreadable, damaged or
cut, are never trusted; the file is then rebuilt. Writing is best effort (a read-only cache
must not stop a review). The folder is private (0700) and the file 0600: it holds journal text.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from reviewer import __version__
from reviewer.errors import ReviewerError
from reviewer.facts import extract, tracking
from reviewer.facts.extract import EntryFacts, entry_digest, facts_read, know
from reviewer.facts.parallel import Ahead, extract_in_order
from reviewer.facts.tracking import Checkpoint, History
from reviewer.files import (
    code_digest,
    paused_gc,
    per_journal,
    read_head,
    read_regular,
    remove_files,
    seal,
    sealed,
    unseal,
    write_private,
)
from reviewer.journal import outline
from reviewer.journal.parse import Entry, Journal

__all__ = [
    "clear_facts",
    "extractor_version",
    "facts_kept",
    "history_version",
    "load_facts",
    "remember_facts",
    "remember_history",
    "remember_words",
    "save_facts",
    "words_version",
]

log = logging.getLogger(__name__)

FORMAT = 3
_KIND = "facts"
_DAY = timedelta(days=1)
_MAX = 1 << 30  # a bound on reading it back (30 years of facts are a few MB)


@cache
def extractor_version() -> str:
    """A digest of the rules that extract facts: their code and the release."""
    return code_digest(f"{FORMAT} {__version__}", (extract, outline))


def _path(cache_dir: Path, journal: str) -> Path:
    return per_journal(cache_dir / "facts", "facts", journal, "kept")


def clear_facts(cache_dir: Path) -> int:
    """Remove every journal's kept facts and history (`reviewer cache clear`); how many
    files."""
    return remove_files(cache_dir / "facts", "facts-*") + remove_files(
        cache_dir / "facts", "history-*"
    )


def facts_kept(cache_dir: Path, journal: str) -> bool:
    """Whether an earlier run kept this journal's facts, by these extraction rules (read from
    the file's first line: the rest may still be damaged, which `load_facts` tells)."""
    try:
        head = read_head(_path(cache_dir, journal), 512)
    except (OSError, ReviewerError):
        return False
    return sealed(head, _KIND, extractor_version())


def load_facts(cache_dir: Path, journal: str) -> dict[str, EntryFacts]:
    """The facts an earlier run kept for this journal (text digest -> facts); empty when
    there are none, or when the file is unreadable, damaged or written by other extraction
    rules."""
    path = _path(cache_dir, journal)
    try:
        if not path.exists():
            return {}
        with paused_gc():
            rows: Any = unseal(read_regular(path, _MAX), _KIND, extractor_version(), "-")
            return facts_read(rows)
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
    cache_dir: Path,
    journal: str,
    entries: Sequence[Entry],
    keep: bool = True,
    ahead: Ahead | None = None,
) -> None:
    """Read the facts of every entry, from the cache where its text is unchanged, and (with
    `keep`) keep them for the next run when anything changed (`ahead`: a second process
    started on the journal's bytes extracts some of them). A past state of the journal
    (`--as-of`) is read through the cache but not kept: it would replace the facts of the
    journal as it is."""
    with paused_gc():  # (tens of thousands of tuples, none in a cycle)
        known = load_facts(cache_dir, journal)
        know(known)
        current = dict(extract_in_order(entries, ahead))
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
        digest = entry_digest(entry)
        count = known.get(digest)
        counts[digest] = count_words(entry.text) if count is None else count
    if keep and counts.keys() != known.keys():
        try:
            write_private(path, seal("words", words_version(), "-", counts))
        except (OSError, ReviewerError) as err:
            log.info("words cache %s not written: %s", path, err)
    return counts


# The kept history's first day not folded in: this long before the day a week's review folds
# to (its last weeks are read again from their entries; older weeks come from the kept folds),
# and kept again once the day it keeps is more than twice as long before.
_BACK = timedelta(days=35)


def remember_history(
    cache_dir: Path,
    journal: str,
    loaded: Journal,
    through: date,
    keep: bool = True,
    ahead: Ahead | None = None,
) -> None:
    """Read the question and TODO history of `loaded` for ledgers up to `through` (a week's
    end): from the folds of its older entries an earlier run kept (`Checkpoint`), when those
    entries are unchanged, and the entries since; else from every entry's facts
    (`remember_facts`), keeping (with `keep`) the folds for the next run. Best effort, as the
    facts: a checkpoint that is unreadable, damaged, of other code or of other entries is not
    taken. (`ahead` as for `remember_facts`.)"""
    path = per_journal(cache_dir / "facts", "history", journal, "kept")
    with paused_gc():
        if _resumed(path, loaded, through, keep):
            return
        remember_facts(cache_dir, journal, loaded.entries, keep, ahead)
        if keep:
            _save_checkpoint(path, History.of(loaded).checkpoint(through - _BACK))


def _resumed(path: Path, loaded: Journal, through: date, keep: bool) -> bool:
    """Whether the history of `loaded` is read from the checkpoint kept in `path`."""
    kept = _load_checkpoint(path)
    due = through - _BACK
    if kept is not None and due - _BACK <= date.fromordinal(kept.day) <= through + _DAY:
        try:
            know(facts_read(kept.facts))
            resumed = History.resume(loaded, kept)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError, OverflowError) as err:
            log.info("history %s ignored: %s", path, err)
            resumed = False
        if resumed:
            if keep and date.fromordinal(kept.day) < due - _BACK / 2:
                _save_checkpoint(path, History.of(loaded).checkpoint(due))
            return True
    return False


def _load_checkpoint(path: Path) -> Checkpoint | None:
    try:
        if not path.exists():
            return None
        kept: Any = unseal(read_regular(path, _MAX), "history", history_version(), "-")
        return Checkpoint._make(kept)
    except (OSError, ReviewerError, ValueError, TypeError) as err:
        log.info("history %s ignored: %s", path, err)
        return None


def _save_checkpoint(path: Path, checkpoint: Checkpoint) -> None:
    try:
        write_private(path, seal("history", history_version(), "-", tuple(checkpoint)))
    except (OSError, ReviewerError, ValueError) as err:
        log.info("history %s not written: %s", path, err)


@cache
def history_version() -> str:
    """A digest of what a kept history depends on: the extraction rules and the ledger's."""
    # The byte order too: a checkpoint keeps its mentions' places as arrays of numbers.
    return code_digest(f"{FORMAT} {__version__} {sys.byteorder}", (extract, outline, tracking))
