"""When each line of the journal was last written, from `git blame` output (pure).

A line's time is its commit's committer time (when it entered the repository: a commit made
on Sunday for Wednesday's edits counts on Sunday, as git says); `None` is a line not committed
yet, which counts as today. A tick, a strike-through or an answer changes its line, so a
line's time is also when its status changed.
"""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo

__all__ = [
    "Blamed",
    "carry_over",
    "line_hashes",
    "map_lines",
    "parse_porcelain",
    "written_dates",
]

_UNCOMMITTED = "0" * 40


@dataclass(frozen=True, slots=True)
class Blamed:
    """One line of `git blame --line-porcelain`: its commit time (None: not committed yet),
    whether git stopped at the boundary commit, its line number in that commit's file, and its
    text."""

    time: int | None
    boundary: bool
    original: int
    text: str


def parse_porcelain(text: str) -> list[Blamed]:
    """The lines of `git blame --line-porcelain` output, in the file's order."""
    found: list[Blamed] = []
    commit = ""
    original = 0
    time: int | None = None
    boundary = False
    for line in text.split("\n"):
        if line.startswith("\t"):
            found.append(
                Blamed(None if commit == _UNCOMMITTED else time, boundary, original, line[1:])
            )
            commit, time, boundary = "", None, False
            continue
        key, _, value = line.partition(" ")
        if len(key) == 40 and not commit:
            commit = key
            original = int(value.split(" ")[0])
        elif key == "committer-time":
            time = int(value)
        elif key == "boundary":
            boundary = True
    return found


def carry_over(blamed: Sequence[Blamed], before: Sequence[int | None]) -> list[int | None]:
    """Line times from a blame since an earlier commit: a boundary line (unchanged since then)
    takes the time it had in that commit's file (`before`, by line), the others their own."""
    times: list[int | None] = []
    for line in blamed:
        if line.boundary and 0 < line.original <= len(before):
            times.append(before[line.original - 1])
        else:
            times.append(line.time)
    return times


def line_hashes(lines: Sequence[str]) -> list[str]:
    """A short digest of each line: enough to match a file's lines with another's."""
    return [hashlib.blake2b(line.encode(), digest_size=6).hexdigest() for line in lines]


def map_lines(
    committed: Sequence[str], times: Sequence[int | None], current: Sequence[str]
) -> list[int | None]:
    """Times for the lines of `current` given those of the committed file (both as line
    hashes): a line the two share keeps its time, any other is not committed yet (None)."""
    if list(committed) == list(current):
        return list(times)
    mapped: list[int | None] = [None] * len(current)
    matcher = difflib.SequenceMatcher(None, committed, current, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            mapped[block.b + k] = times[block.a + k]
    return mapped


def written_dates(
    times: Sequence[int | None], today: date, zone: tzinfo | None
) -> Mapping[int, date]:
    """{line number (1-based): the day it was last written, in the user's time zone}."""
    days: dict[int, date] = {}
    cache: dict[int, date] = {}
    for number, time in enumerate(times, start=1):
        if time is None:
            days[number] = today
            continue
        day = cache.get(time)
        if day is None:
            moment = datetime.fromtimestamp(time, zone) if zone else datetime.fromtimestamp(time)
            day = cache[time] = moment.date()
        days[number] = day
    return days
