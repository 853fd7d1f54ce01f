"""A parsed journal as bytes to keep, and back; an edited journal parsed again only where it
changed (pure).

Parsing 30 years of daily entries takes a quarter of a second, on every run, though the file
has changed by one entry since the last one, or not at all. A snapshot holds what the parse
found in one file's bytes: every entry's line numbers, level, heading, dates and the digest of
its text, the sections, the diagnostics, and the places (preamble, entries, sections) that
tile the file, each with a digest of its bytes. It does not hold the journal's text: an
entry's text is where `span` says in the file's bytes, which `thaw` decodes it from.

`thaw` gives the journal of the very bytes the snapshot was made of: it knows them by the
SHA-256 of four pieces (up to the first entry's heading, from there to the heading nearest
halfway to the last entry's, on to the last one's, and the rest), one pass over the bytes (its
halves at once, on two cores). `reparse` gives the journal of edited bytes: the
places before the first change and after the last are found by their digests (the ones
after it moved by as many bytes and lines as were added), and only the stretch between them
is scanned again, from a Markdown date heading (whose entry depends on no line before it)
to the next one that is unchanged. It gives up (None: parse it all) whenever the result
could differ from a whole parse: a stretch that ends inside a code fence, a journal whose
dates the parse repaired or found out of order, a diagnostic that names a line that moved.
`tests/test_snapshot.py` checks both against `parse_journal`.

A snapshot is sealed (`files.seal`): one of another parser, damaged or cut is refused
(ValueError, by `opened`). Whoever keeps snapshots (`source.py`) then parses the whole file
again.
"""

from __future__ import annotations

import hashlib
import os
import sys
import threading
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, partial
from itertools import pairwise, repeat
from operator import and_
from typing import cast

from reviewer import __version__
from reviewer.files import code_digest, seal, sealed_parts, unseal
from reviewer.journal import dates, outline, parse
from reviewer.journal.parse import (
    Columns,
    Diagnostic,
    Entry,
    EntryTable,
    Journal,
    Section,
    finish,
    front_matter_end,
    normalized,
    scan,
)

__all__ = ["Kept", "Reparsed", "freeze", "opened", "reparse", "thaw", "worth_keeping"]

FORMAT = 7
_KIND = "journal-snapshot"

# line, end_line, level, heading, title, start, end (ordinals), span, flags (_REPAIRED,
# _WRITTEN), text digest
_EntryRow = tuple[int, int, int, str, str, int, int, int, int, int, str]
_SectionRow = tuple[int, int, str, int, int, bool]  # line, end_line, heading, span, has body
_DiagnosticRow = tuple[int, str, str, str]  # line, severity, code, message
# What tiles the file, in order: kind ("p"reamble, "e"ntry, "s"ection, "u"ndatable), the
# offset of its first line, that line, and a digest of its bytes (up to the next place).
_Place = tuple[str, int, int, bytes]
# As kept: entries, the sections and diagnostics, the line count, places (in columns: a 64 MB
# journal has 80,000 entries, and a tuple of eleven objects for each took more memory than the
# journal's own text), the length of the bytes, and their pieces.
_Entries = tuple[bytes, list[str], list[str], bytes]  # 8 ints each, headings, titles, digests
_Places = tuple[str, bytes, bytes, bytes]  # kinds, offsets, lines, digests
_Packed = tuple[
    _Entries,
    _SectionRow | None,
    list[_SectionRow],
    list[_SectionRow],
    list[_DiagnosticRow],
    int,
    _Places,
    int,
    "_Pieces",
]
# The bytes in four pieces, cut where three places start (`freeze`: the first entry's heading,
# the one nearest halfway to the last, and the last one's), as the three offsets and the
# SHA-256 of each piece. All four name the bytes (`thaw`): the same length and digests, the
# same bytes, for one pass over them, whose two halves are hashed at once on two cores
# (`_shas`). An entry written on top of a newest-first journal leaves the last three true,
# moved, and one below an oldest-first journal the first three: those then check 30 years of
# places at once (`reparse`), and are kept for the next run with a new digest of the small
# piece alone.
_Pieces = tuple[tuple[int, ...], bytes]
Kept = _Packed  # a snapshot `opened`: what `thaw` and `reparse` read
_INTS = 8  # of an entry: line, end_line, level, start, end, span, flags
_REPAIRED, _WRITTEN = 1, 2  # an entry's flags: `repaired`, `has_content`
_LOW = 0 if sys.byteorder == "little" else 7  # the byte of an 8-byte value with its low bits
_WRITTEN_TABLE = bytes(1 if flag & _WRITTEN else 0 for flag in range(256))
_DIGEST = 16  # bytes of an entry's text digest (`text_digest`)
_CHECK = 8  # bytes of a place's digest
_SHA = 32  # bytes of a piece's digest

# Diagnostics of the whole journal's order (repairs, dates out of order) or of no entry at
# all: a journal with any is parsed whole again when edited.
_WHOLE = frozenset({"date-repaired", "out-of-order", "invalid-date", "no-entries"})
# Diagnostics whose message names another line (the entry a heading was read into).
_NAMES_A_LINE = frozenset({"date-unread"})
_HASH = ord("#")
_LF = ord("\n")


@cache
def _parser() -> str:
    """A digest of the parser's code and the release: what else decides a parse."""
    return code_digest(
        f"{FORMAT} {__version__} {sys.byteorder}", (parse, dates, outline, sys.modules[__name__])
    )


def freeze(journal: Journal, data: bytes) -> bytes:
    """The snapshot of `journal`, parsed from `data` (after any BOM)."""
    data = normalized(data)
    places = _place_columns(_places(journal, data))
    return seal(
        _KIND,
        _parser(),
        str(len(data)),
        (
            _entry_columns(_entry_row(e) for e in journal.entries),
            _section_row(journal.preamble) if journal.preamble else None,
            [_section_row(s) for s in journal.sections],
            [_section_row(s) for s in journal.undatable],
            [(d.line, d.severity, d.code, d.message) for d in journal.diagnostics],
            journal.line_count,
            places,
            len(data),
            _pieces(data, places[0], _ints(places[1])),
        ),
    )


def _pieces(data: bytes, kinds: str, heads: array[int]) -> _Pieces:
    """The pieces of `data`, whose places are `kinds` at `heads` (one per kind): cut at the
    first entry's heading, at the entry's nearest halfway from there to the last one's, and
    at the last one's (with no entry, the last piece is all of it)."""
    first, last = kinds.find("e"), kinds.rfind("e")
    if first < 0:
        cuts = (0, 0, 0)
    else:
        begin, end = heads[first], heads[last]
        halfway = kinds.find("e", bisect_left(heads, (begin + end) // 2, first, last), last)
        cuts = (begin, heads[halfway] if halfway >= 0 else end, end)
    bounds = [0, *cuts, len(data)]
    return cuts, _shas(memoryview(data), list(pairwise(bounds)))


def _sha(data: memoryview) -> bytes:
    return hashlib.sha256(data).digest()


def _shas(view: memoryview, spans: list[tuple[int, int]]) -> bytes:
    """The SHA-256 of each stretch of `view` (begin, end), one after the other; the first of
    those of _PARALLEL bytes or more hashed by a second thread while this one hashes the
    rest, on a machine with two cores or more (hashlib lets go of the interpreter's lock: the
    two halves of 30 years, 7 ms in one thread, take 3.5). Computing only: nothing is read or
    written, and the thread is gone when this returns."""
    found = [b""] * len(spans)

    def hash_one(n: int) -> None:
        begin, end = spans[n]
        found[n] = _sha(view[begin:end])

    large = [n for n, (begin, end) in enumerate(spans) if end - begin >= _PARALLEL]
    helper = None
    if len(large) > 1 and _cores() > 1:
        helper = threading.Thread(target=hash_one, args=(large[0],), daemon=True)
        try:
            helper.start()
        except RuntimeError:  # no thread to be had (a process limit): all in this one
            helper = None
    for n in range(len(spans)):
        if helper is None or n != large[0]:
            hash_one(n)
    if helper is not None:
        helper.join()
    return b"".join(found)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


_PARALLEL = 1 << 20  # bytes of a stretch worth a second thread (hashed in ~0.5 ms here)
_GROWN = 1 << 20  # bytes written at one end of a journal before its pieces are cut anew


def _same_pieces(view: memoryview, at: int, cuts: tuple[int, ...], digests: bytes) -> bool:
    """Whether the bytes of `view` from `at` on, cut at the offsets `cuts` from there, have the
    SHA-256 `digests` (one for each piece between `at`, the cuts and the end); the small ones
    first, so that a change there is found without reading the rest, then the large ones at
    once (`_shas`)."""
    bounds = [at, *(at + cut for cut in cuts), len(view)]
    if at < 0 or bounds != sorted(bounds) or len(digests) != (len(bounds) - 1) * _SHA:
        return False
    spans = list(pairwise(bounds))
    small = [n for n, (begin, end) in enumerate(spans) if end - begin < _PARALLEL]
    if not all(_shas(view, [spans[n]]) == digests[n * _SHA : (n + 1) * _SHA] for n in small):
        return False
    large = [n for n in range(len(spans)) if n not in small]
    return _shas(view, [spans[n] for n in large]) == b"".join(
        digests[n * _SHA : (n + 1) * _SHA] for n in large
    )


def worth_keeping(journal: Journal, size: int) -> bool:
    """Whether a snapshot of `journal` (parsed from `size` bytes) is worth its memory: not
    when the parse is mostly warnings (a date written on hundreds of headings), whose
    messages would make it nearly as large as the journal, and little faster to read back."""
    return sum(40 + len(d.message) for d in journal.diagnostics) <= max(size // 8, 1 << 16)


def opened(snapshot: bytes) -> Kept:
    """What `snapshot` keeps, for `thaw` or `reparse`; ValueError when it is not a snapshot of
    this parser, whole."""
    return cast(_Packed, unseal(snapshot, _KIND, _parser(), None))


def thaw(kept: Kept, data: bytes, source: str) -> Journal | None:
    """The journal a snapshot holds when `data` (a journal file's bytes after any BOM) are the
    very bytes it was made of, its texts read from them; None when they are not. ValueError
    when the snapshot is not in the expected form."""
    data = normalized(data)
    try:
        cuts, digests = kept[8]
        if kept[7] != len(data) or not _same_pieces(memoryview(data), 0, tuple(cuts), digests):
            return None
        return _journal(kept, data, source)
    except (TypeError, ValueError, IndexError, OverflowError) as err:
        raise ValueError(f"a snapshot not in the expected form ({err})") from None


@dataclass(frozen=True, slots=True)
class Reparsed:
    """An edited journal, parsed again where it changed."""

    journal: Journal
    sealed: tuple[bytes, bytes]  # its own snapshot, to keep for the next run, in two parts
    changed: tuple[int, int]  # the stretch of the bytes (line ends made LF) parsed again

    @property
    def snapshot(self) -> bytes:
        """The snapshot as one string of bytes (`freeze` gives the same)."""
        return b"".join(self.sealed)


def reparse(kept: Kept, data: bytes, source: str) -> Reparsed | None:
    """The journal of `data` (a journal file's bytes after any BOM), parsed again only where
    they differ from those the snapshot was made of; None when the whole file must be parsed
    (see the module's notes). ValueError when the snapshot is not in the expected form."""
    data = normalized(data)
    try:
        spliced = _spliced(kept, data, source)
    except (TypeError, ValueError, IndexError, OverflowError) as err:
        raise ValueError(f"a snapshot not in the expected form ({err})") from None
    if spliced is None:
        return None
    packed, changed, ints = spliced
    journal = _journal(packed, data, source, ints)
    return Reparsed(journal, sealed_parts(_KIND, _parser(), str(len(data)), packed), changed)


def _spliced(
    kept: _Packed, data: bytes, source: str
) -> tuple[_Packed, tuple[int, int], array[int]] | None:
    """The snapshot of `data`, made of the kept one's columns where the bytes are those it
    was made of (moved by the lines and bytes an edit added), and of a scan of the rest.
    Column by column, as `array` slices and `map`: an entry written on top of a newest-first
    journal moves all 11,000 entries of 30 years below it."""
    entry_columns, preamble, section_rows, undatable_rows, diagnostic_rows, line_total = kept[:6]
    (kinds, packed_heads, packed_lines, checks), length = kept[6], kept[7]
    if undatable_rows or any(row[2] in _WHOLE for row in diagnostic_rows):
        return None
    heads, place_lines = _ints(packed_heads), _ints(packed_lines)
    count = len(kinds)
    if len(heads) != count or len(place_lines) != count or len(checks) != count * _CHECK:
        raise ValueError("place columns of different lengths")
    heads.append(length)
    view = memoryview(data)
    moved = len(data) - length

    # The places whose bytes are where they were, from the top; the stretch to parse again
    # starts at the last of them that a Markdown date heading starts (or the file's start).
    cuts, digests = kept[8]
    first_cut, last_cut = cuts[0], cuts[-1]
    held_head = held_tail = False  # three pieces found true: kept as they are
    same = 0
    while (
        same < count
        and heads[same + 1] <= len(data)
        and _digest(view[heads[same] : heads[same + 1]])
        == checks[same * _CHECK : (same + 1) * _CHECK]
    ):
        same += 1
        if same == _TRIED:  # the first three pieces: once, past the first places
            at = _place_at(heads, count, last_cut)
            if (
                at is not None
                and at > same
                and last_cut <= len(data)
                and _same_pieces(view[:last_cut], 0, tuple(cuts[:-1]), digests[:-_SHA])
            ):
                same, held_head = at, True  # every place before `at` is as it was
    first = max(same - 1, 0)
    while first > 0 and not (kinds[first] == "e" and data[heads[first]] == _HASH):
        first -= 1
    if first and _opens_front_matter(data):
        # An edit up to the front matter's closing line (or one that closes it) changes what
        # every line after the opening one is: parsed from the top.
        closing = front_matter_end(data)
        if not closing:
            return None  # opened, never closed: every "---" line below could close it
        if heads[same] < _line_offset(data, closing):  # where the first change is
            first = 0
    begin = heads[first] if first else 0

    # The places whose bytes moved by `moved`, from the bottom; the stretch ends at the first
    # of them that a Markdown date heading starts (or the file's end).
    last = count
    while (
        last - 1 > first
        and heads[last - 1] + moved > begin
        and _digest(view[heads[last - 1] + moved : heads[last] + moved])
        == checks[(last - 1) * _CHECK : last * _CHECK]
    ):
        last -= 1
        if count - last == _TRIED:  # the last three pieces, moved, as the first three above
            at = _place_at(heads, count, first_cut)
            since = first_cut + moved
            later = tuple(cut - first_cut for cut in cuts[1:])
            if (
                at is not None
                and first < at < last
                and since > begin
                and _same_pieces(view, since, later, digests[_SHA:])
            ):
                last, held_tail = at, True  # every place from `at` on is as it was, moved
    while last < count and not (kinds[last] == "e" and data[heads[last] + moved] == _HASH):
        last += 1
    end = heads[last] + moved if last < count else len(data)

    # Lines: the stretch's first is where it was; after it, lines moved by `shift`.
    top = 1 if first == 0 else place_lines[first]
    old_bottom = place_lines[last] if last < count else line_total + 1
    scanned = scan(data, source, begin, end, top - 1)
    bottom = top + data.count(b"\n", begin, end)
    shift = bottom - old_bottom
    if last < count and scanned.in_fence:
        return None  # the next heading would be read as code
    if shift and any(row[2] in _NAMES_A_LINE for row in diagnostic_rows if row[0] >= old_bottom):
        return None

    # The kept entries are in file order: those before the stretch and those after it.
    packed_ints, headings, titles, digests = entry_columns
    ints = _ints(packed_ints)
    kept_count = len(headings)
    if len(ints) != kept_count * _INTS or len(titles) != kept_count:
        raise ValueError("entry columns of different lengths")
    entry_lines = ints[0::_INTS]
    before, after = bisect_left(entry_lines, top), bisect_left(entry_lines, old_bottom)
    kept_starts = ints[3::_INTS]
    starts = [
        *kept_starts[:before],
        *(d.start.toordinal() if d.start else -1 for d in scanned.drafts),
        *kept_starts[after:],
    ]
    if not _in_order(starts):
        return None  # the whole journal's order decides repairs: parse it all

    found: list[Diagnostic] = scanned.diagnostics

    def report(line: int, severity: str, code: str, message: str) -> None:
        found.append(Diagnostic(line, severity, code, message, source))

    entries, _ = finish(scanned.drafts, report, source, data)
    if last < count:  # the file ends in the unchanged lines after the stretch
        line_count = line_total + shift
    else:
        line_count = bottom - 1 + (1 if end > begin and data[end - 1] != _LF else 0)
    if not entries and not before and after == kept_count and line_count:
        return None
    diagnostics = sorted(
        [row for row in diagnostic_rows if row[0] < top]
        + [(d.line, d.severity, d.code, d.message) for d in found]
        + [(row[0] + shift, *row[1:]) for row in diagnostic_rows if row[0] >= old_bottom],
        key=lambda row: (row[0], row[1]),
    )
    if first == 0:
        kept_preamble = _section_row(scanned.preamble) if scanned.preamble else None
    else:
        kept_preamble = preamble  # before the stretch, as it was
    window = Journal(
        tuple(entries),
        scanned.preamble if first == 0 else None,
        tuple(scanned.sections),
        (),
        (),
        0,
    )
    new_ints, new_headings, new_titles, new_digests = _entry_columns(map(_entry_row, entries))
    # The entries' numbers: those before the stretch, the stretch's, and those after it read
    # from the kept bytes and moved where they are (one array made, not a copy per step).
    spliced_ints = ints[: before * _INTS]
    spliced_ints.frombytes(new_ints)
    below = len(spliced_ints) // _INTS
    spliced_ints.frombytes(memoryview(packed_ints)[after * _INTS * ints.itemsize :])
    _moved_columns(spliced_ints, _INTS, {0: shift, 1: shift, 5: moved, 6: moved}, below)
    new_kinds, new_heads, new_lines, new_checks = _place_columns(_places(window, data, end))
    spliced_kinds = kinds[:first] + new_kinds + kinds[last:]
    spliced_heads = (
        heads[:first] + _ints(new_heads) + _moved_columns(heads[last:count], 1, {0: moved})
    )
    spliced_places = (
        spliced_kinds,
        spliced_heads.tobytes(),
        (
            place_lines[:first]
            + _ints(new_lines)
            + _moved_columns(place_lines[last:], 1, {0: shift})
        ).tobytes(),
        checks[: first * _CHECK] + new_checks + checks[last * _CHECK :],
    )
    spliced: _Packed = (
        (
            spliced_ints.tobytes(),
            headings[:before] + new_headings + headings[after:],
            titles[:before] + new_titles + titles[after:],
            digests[: before * _DIGEST] + new_digests + digests[after * _DIGEST :],
        ),
        kept_preamble,
        [row for row in section_rows if row[0] < top]
        + [_section_row(s) for s in scanned.sections]
        + [_moved_section(row, shift, moved) for row in section_rows if row[0] >= old_bottom],
        [],
        diagnostics,
        line_count,
        spliced_places,
        len(data),
        _spliced_pieces(data, spliced_kinds, spliced_heads, kept[8], (held_head, held_tail), moved),
    )
    return spliced, (begin, end), spliced_ints


def _ints(packed: bytes) -> array[int]:
    ints = array("q")
    ints.frombytes(packed)
    return ints


def _moved_columns(ints: array[int], width: int, by: dict[int, int], first: int = 0) -> array[int]:
    """`ints`, rows of `width` columns, with `by[column]` added to each of those columns from
    row `first` on (in place).

    A column is added to as one number: its 8-byte values side by side are the digits of an
    integer in base 2**64, and adding `delta` to each is adding `delta` times the number whose
    digits are all 1 (C code, where a Python int for each value took 5 ms for the 11,000
    entries of 30 years that an entry written on top moves). No digit carries into the
    next: every value here is an offset or a line of the file, before and after, within 0 and
    2**63; one that would go below 0 (a snapshot that is not one) sets its sign bit, and is
    refused (ValueError)."""
    for column, delta in by.items():
        if delta:
            values = ints[first * width + column :: width]
            count = len(values)
            ones = int.from_bytes(_ONE_DIGIT * count, sys.byteorder)
            moved = int.from_bytes(values.tobytes(), sys.byteorder) + delta * ones
            try:
                raw = moved.to_bytes(8 * count, sys.byteorder)
            except OverflowError:  # the sum below 0, or over: of no file
                raise ValueError("a column with values out of place") from None
            if raw[_SIGN::8].translate(None, _UNSIGNED):  # a value below 0 borrowed a digit
                raise ValueError("a column with values out of place")
            ints[first * width + column :: width] = _ints(raw)
    return ints


_ONE_DIGIT = (1).to_bytes(8, sys.byteorder)
_SIGN = 7 if sys.byteorder == "little" else 0  # the byte of each value with its sign bit
_UNSIGNED = bytes(range(128))  # the bytes without it


_TRIED = 2  # places checked one by one from an end before the pieces there are tried


def _place_at(heads: array[int], count: int, offset: int) -> int | None:
    """The index of the place that starts at `offset`, if one does."""
    at = bisect_left(heads, offset, 0, count)
    return at if at < count and heads[at] == offset else None


def _spliced_pieces(
    data: bytes,
    kinds: str,
    heads: array[int],
    kept: _Pieces,
    held: tuple[bool, bool],
    moved: int,
) -> _Pieces:
    """The pieces of a spliced snapshot. When the first three were found true (`held`: an
    entry written below), or the last three (moved by `moved`: an entry written on top),
    their digests are kept and only the other piece's is worked out, as long as each cut is
    still where a place starts (the splice may have moved a place's start, parsing the places
    near the edit again) and that piece is small; else all four are worked out again (and
    cut anew: a journal that grew by a megabyte at one end since is halved again)."""
    cuts, digests = kept
    held_head, held_tail = held
    count = len(heads)
    view = memoryview(data)
    if held_head or held_tail:
        if not held_head:
            cuts = tuple(cut + moved for cut in cuts)
        first_cut, last_cut = cuts[0], cuts[-1]
        new = (last_cut, len(data)) if held_head else (0, first_cut)
        if (
            all(_place_at(heads, count, cut) is not None for cut in cuts)
            and new[1] - new[0] < _GROWN
        ):
            if held_head:
                return cuts, digests[:-_SHA] + _shas(view, [new])
            return cuts, _shas(view, [new]) + digests[_SHA:]
    return _pieces(data, kinds, heads)


def _opens_front_matter(data: bytes) -> bool:
    """Whether the first line may open a front matter (`front_matter_end` decides)."""
    return b"---" in data[: data.find(b"\n")] if b"\n" in data else b"---" in data


def _line_offset(data: bytes, index: int) -> int:
    """The offset of line `index` (0-based) of `data`; its length when it has fewer lines."""
    offset = 0
    for _ in range(index):
        stop = data.find(b"\n", offset)
        if stop < 0:
            return len(data)
        offset = stop + 1
    return offset


def _in_order(starts: list[int]) -> bool:
    """Whether every date is valid and they run one way (as the parse's repair reads the
    journal's order: then it repairs nothing and reports nothing)."""
    if not starts or min(starts) < 0:
        return not starts
    # Sorted the way the ends say (one that runs one way is either way sorted when they are
    # equal): a sort of 30 years' dates, already in order, is one pass of C code.
    return sorted(starts, reverse=starts[0] > starts[-1]) == starts


def _digest(data: memoryview) -> bytes:
    """A place's check: SHA-256 (by the CPU's own instructions, where blake2b is C code: twice
    as fast here), its first _CHECK bytes."""
    return _sha(data)[:_CHECK]


def _places(journal: Journal, data: bytes, end: int = -1) -> list[_Place]:
    """The places of `journal` that tile `data` (up to `end`), in order, each with the
    offset of its first line."""
    view = memoryview(data)
    found: list[tuple[int, str, int]] = []  # (first line, kind, offset)
    if journal.preamble is not None:
        found.append((1, "p", 0))
    for kind, places in (("e", journal.entries), ("s", journal.sections), ("u", journal.undatable)):
        for place in places:
            found.append((place.line, kind, _line_start(data, place.span[0])))
    found.sort()
    heads = [offset for _, _, offset in found] + [len(data) if end < 0 else end]
    return [
        (kind, offset, line, _digest(view[offset : heads[n + 1]]))
        for n, (line, kind, offset) in enumerate(found)
    ]


def _line_start(data: bytes, after: int) -> int:
    """The offset of a heading line, from where the lines after it start (`after`: the end of
    the file when it is the last line and has no newline)."""
    if after == len(data) and not data.endswith(b"\n"):
        return data.rfind(b"\n") + 1
    return data.rfind(b"\n", 0, after - 1) + 1


def _entry_row(e: Entry) -> _EntryRow:
    return (
        e.line,
        e.end_line,
        e.level,
        e.heading,
        e.title,
        e.start.toordinal(),
        e.end.toordinal(),
        e.span[0],
        e.span[1],
        (_REPAIRED if e.repaired else 0) | (_WRITTEN if e.has_content else 0),
        e.digest,
    )


def _section_row(section: Section) -> _SectionRow:
    return (
        section.line,
        section.end_line,
        section.heading,
        section.span[0],
        section.span[1],
        bool(section.body),
    )


def _moved_section(row: _SectionRow, lines: int, offset: int) -> _SectionRow:
    line, end_line, heading, s, e, has_body = row
    return (line + lines, end_line + lines, heading, s + offset, e + offset, has_body)


def _entry_columns(rows: Iterable[_EntryRow]) -> _Entries:
    ints = array("q")
    headings: list[str] = []
    titles: list[str] = []
    digests = bytearray()
    for line, end_line, level, heading, title, start, end, s, e, repaired, digest in rows:
        ints.extend((line, end_line, level, start, end, s, e, repaired))
        headings.append(heading)
        titles.append(title)
        digests += bytes.fromhex(digest)
    return ints.tobytes(), headings, titles, bytes(digests)


def _place_columns(places: Iterable[_Place]) -> _Places:
    kinds: list[str] = []
    heads, lines = array("q"), array("q")
    checks = bytearray()
    for kind, head, line, check in places:
        kinds.append(kind)
        heads.append(head)
        lines.append(line)
        checks += check
    return "".join(kinds), heads.tobytes(), lines.tobytes(), bytes(checks)


def _journal(packed: _Packed, data: bytes, source: str, ints: array[int] | None = None) -> Journal:
    """The journal `packed` keeps (`ints`: its entries' numbers as an array, when at hand)."""
    entry_columns, preamble, section_rows, undatable_rows, diagnostic_rows, line_count = packed[:6]
    return Journal(
        entries=_entries(entry_columns, data, source, ints),
        preamble=_section(preamble, data) if preamble is not None else None,
        sections=tuple(_section(row, data) for row in section_rows),
        undatable=tuple(_section(row, data) for row in undatable_rows),
        diagnostics=tuple(
            Diagnostic(line, severity, code, message, source)
            for line, severity, code, message in diagnostic_rows
        ),
        line_count=line_count,
        source=source,
    )


def _entries(
    columns: _Entries, data: bytes, source: str, ints: array[int] | None = None
) -> EntryTable:
    """The entries kept in `columns`, their texts read from `data`, as a table that makes
    each entry when it is asked for; those of a stretch are made column by column, by C code
    (`map`, `zip`), not a Python loop (30 years: 11,000 entries). `ints`: the numbers of
    `columns` as an array already (a splice's), not read from its bytes again."""
    packed, headings, titles, digests = columns
    if ints is None:
        ints = _ints(packed)
    count = len(headings)
    if len(ints) != count * _INTS or len(titles) != count or len(digests) != count * _DIGEST:
        raise ValueError("entry columns of different lengths")
    lines, end_lines, levels, starts, ends, begins, stops, flags = (
        ints[n::_INTS] for n in range(_INTS)
    )
    hexes = digests.hex()
    view = memoryview(data)  # each entry's text, decoded from `span` when read (`Entry`)
    day, width = date.fromordinal, 2 * _DIGEST

    def make(first: int, end: int) -> Iterable[Entry]:
        names = map(
            hexes.__getitem__,
            map(
                slice,
                range(width * first, width * end, width),
                range(width * (first + 1), width * end + 1, width),
            ),
        )
        marks = flags[first:end]
        rows = zip(
            lines[first:end],
            end_lines[first:end],
            levels[first:end],
            headings[first:end],
            titles[first:end],
            map(day, starts[first:end]),
            map(day, ends[first:end]),
            repeat(view),
            map(bool, map(and_, marks, repeat(_REPAIRED))),
            repeat(source),
            zip(begins[first:end], stops[first:end], strict=True),
            names,
            map(bool, map(and_, marks, repeat(_WRITTEN))),
            strict=False,  # `repeat` has no end: the lengths are checked above
        )
        # Entry(...) without NamedTuple's Python-level __new__: the same tuple.
        return map(partial(tuple.__new__, Entry), rows)

    # `written`: each flag's low byte (a flag is under 256) read as 1 or 0 by a table, C code
    written = flags.tobytes()[_LOW::8].translate(_WRITTEN_TABLE)
    kept = Columns(starts, ends, lines, written, [source] * count)
    return EntryTable(count, make, kept, hexes)


def _section(row: _SectionRow, data: bytes) -> Section:
    line, end_line, heading, s, e, has_body = row
    body = tuple(data[s:e].decode("utf-8", "surrogatepass").split("\n")) if has_body else ()
    return Section(line, end_line, heading, body, (s, e))
