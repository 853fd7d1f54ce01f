"""Journaling statistics: days, streaks, gaps, entries and words per week (pure).

"看看自己能够坚持多久" (how long can I keep it up) is the journal's own subtitle; these are the
numbers that answer it, computed in code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from itertools import pairwise

from pydantic import BaseModel, ConfigDict

from reviewer.facts.calendar import Week, journaled_days, streak_ending, streaks
from reviewer.journal.parse import Entry
from reviewer.models import WeekStats

__all__ = ["Gap", "JournalStats", "WeekStats", "count_words", "journal_stats"]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(_CJK.pattern + "+")
_LATIN = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")
_IMAGE_OR_URL = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)|https?://\S+")
_GAPS = 5


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Gap(_Model):
    start: date  # first silent day
    end: date  # last silent day
    days: int
    ongoing: bool = False  # the silence up to today, not yet broken


class JournalStats(_Model):
    first_day: date | None
    last_day: date | None
    days_journaled: int
    entries: int
    words: int
    longest_streak: int
    longest_streak_from: date | None
    longest_streak_to: date | None
    current_streak: int
    as_of: date
    gaps: list[Gap]  # the longest silences, longest first
    weeks: list[WeekStats]  # every ISO week from the first journaled day, oldest first


def count_words(text: str) -> int:
    """Words as a reader counts them: each Chinese character, each Latin word or number (in
    an entry's text: no pattern reaches past a line's end, so it counts as line by line)."""
    text = _IMAGE_OR_URL.sub(" ", text)
    # Runs of Chinese characters, each counted by its length: a list of every character as a
    # match of its own was most of `stats` on a long journal.
    return sum(map(len, _CJK_RUN.findall(text))) + len(_LATIN.findall(text))


def journal_stats(
    entries: list[Entry],
    today: date,
    since: date | None = None,
    words: Mapping[str, int] | None = None,
) -> JournalStats:
    """Statistics of the entries (those ending on or after `since`), as of `today`; `words`
    holds entries' word counts by the digest of their text, where they are known."""
    chosen = [e for e in entries if since is None or e.end >= since]
    days = journaled_days(chosen)
    if since is not None:
        days = {d for d in days if d >= since}
    runs = streaks(days)
    longest = max(runs, key=lambda r: ((r[1] - r[0]).days, r[1]), default=None)
    gaps = [
        Gap(start=a[1] + timedelta(1), end=b[0] - timedelta(1), days=(b[0] - a[1]).days - 1)
        for a, b in pairwise(runs)
    ]
    if days and (today - max(days)).days > 1:
        silent = max(days) + timedelta(1)
        gaps.append(Gap(start=silent, end=today, days=(today - silent).days + 1, ongoing=True))
    gaps.sort(key=lambda g: (-g.days, g.start))
    known = words or {}
    words_by_entry = {
        id(e): known[e.digest] if e.digest in known else count_words(e.text) for e in chosen
    }
    weeks: list[WeekStats] = []
    if days:
        week = Week.containing(min(days))
        last = Week.containing(max(days))
        by_week: dict[Week, list[Entry]] = {}  # one pass: a long journal has ~10,000 entries
        for entry in chosen:
            by_week.setdefault(Week.containing(entry.start), []).append(entry)
        while week.start <= last.start:
            starting = by_week.get(week, [])
            weeks.append(
                WeekStats(
                    iso=week.iso,
                    start=week.start,
                    days=sum(1 for d in week.days if d in days),
                    entries=len(starting),
                    words=sum(words_by_entry[id(e)] for e in starting),
                )
            )
            week = week.shifted(1)
    return JournalStats(
        first_day=min(days) if days else None,
        last_day=max(days) if days else None,
        days_journaled=len(days),
        entries=len(chosen),
        words=sum(words_by_entry.values()),
        longest_streak=(longest[1] - longest[0]).days + 1 if longest else 0,
        longest_streak_from=longest[0] if longest else None,
        longest_streak_to=longest[1] if longest else None,
        current_streak=streak_ending(days, today),
        as_of=today,
        gaps=gaps[:_GAPS],
        weeks=weeks,
    )
