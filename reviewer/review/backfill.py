"""Backfill: review a range of weeks into the archive, concurrently and resumably.

Facts are extracted in the calling thread (fast, CPU); the backends' summaries, which wait on
the network, run in a bounded pool; each finished week is rendered and archived at once, so an
interrupted run keeps what it finished. A week whose inputs (its facts and the backend's
identity) are unchanged since its archived digest is skipped without asking the backend.

Archive index, beside the digests `archive.py` writes: `archive/2020-W09/latest.json` holds
{"input": fingerprint, "digest": content hash, "degraded": bool, "reask": bool}.

A week is asked again on the next run, even when its inputs are unchanged, when it was
degraded or when its answer was useless: the offline review stood in for the summary or the
highlights and the answer was not one from the cache (a useless answer is never cached, so
asking again is a real second chance; a cached one would only come back the same).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from reviewer.delivery.archive import archive_week, write_atomic
from reviewer.facts.calendar import Week
from reviewer.facts.tracking import DORMANT_WEEKS
from reviewer.journal.parse import Entry, Journal
from reviewer.llm.base import Backend, Summary, WeekFacts
from reviewer.models import Digest
from reviewer.review.week import build_digest, ensure_usable, week_facts

__all__ = ["WeekResult", "backfill", "fingerprint", "weeks_between"]


@dataclass(frozen=True, slots=True)
class WeekResult:
    """What happened to one week of a backfill."""

    week: str
    status: str  # "reviewed" | "skipped" (archived and unchanged)
    archive: Path | None = None
    degraded: bool = False
    reason: str = ""
    cached: bool = False
    reasked: bool = False  # archived before with a useless answer, asked again
    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


def weeks_between(first: date, last: date) -> list[Week]:
    """ISO weeks from the one containing `first` to the one containing `last`."""
    weeks, week = [], Week.containing(first)
    while week.start <= last:
        weeks.append(week)
        week = week.shifted(1)
    return weeks


def _jsonable(value: Any) -> Any:
    """`value` as JSON, a dataclass or an entry by the fields its equality compares (not where
    an entry's text is in the file: an edit above it must not change the week's facts)."""
    if isinstance(value, Entry):  # a tuple, by the fields it is compared by
        return {name: _jsonable(v) for name, v in value.compared().items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _jsonable(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.compare
        }
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def fingerprint(facts: WeekFacts, backend_key: str) -> str:
    """sha256 of everything a week's digest is made from: its facts and the backend."""
    canonical = json.dumps(
        {"facts": _jsonable(facts), "backend": backend_key},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _index_path(data_dir: Path, week: str) -> Path:
    return data_dir / "archive" / week / "latest.json"


def _archived(data_dir: Path, week: str) -> dict[str, Any]:
    try:
        index = json.loads(_index_path(data_dir, week).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return index if isinstance(index, dict) else {}


def _unchanged(index: Mapping[str, Any], key: str) -> bool:
    return index.get("input") == key and not index.get("degraded") and not index.get("reask")


def _useless(summary: Summary) -> bool:
    """Whether the offline review stood in for the answer's summary or highlights, with an
    answer not from the cache (the next-week list alone is no reason to ask again)."""
    stood_in = any(not f.startswith("next week") for f in summary.fallbacks)
    return stood_in and not summary.cached


def backfill(
    journal: Journal,
    weeks: list[Week],
    today: date,
    backend: Backend,
    data_dir: Path,
    *,
    ids: Mapping[str, str] | None = None,
    concurrency: int = 4,
    force: bool = False,
    dormant_weeks: int = DORMANT_WEEKS,
    on_done: Callable[[WeekResult], None] = lambda _: None,
    adjust: Callable[[Digest], Digest] | None = None,
) -> list[WeekResult]:
    """Review `weeks` into the archive under `data_dir`; results in week order; `adjust`
    completes each digest before it is archived (with what the journal's history adds)."""
    ensure_usable(journal)
    backend_key = getattr(backend, "key", backend.name)
    results: dict[str, WeekResult] = {}
    pending: dict[Future[Summary], tuple[WeekFacts, str]] = {}
    reasking: set[str] = set()

    def finish(facts: WeekFacts, key: str, summary: Summary) -> None:
        digest = build_digest(journal, facts, summary)
        if adjust is not None:
            digest = adjust(digest)
        stem, digest_hash, _ = archive_week(digest, data_dir)
        index = {
            "input": key,
            "digest": digest_hash,
            "degraded": summary.degraded,
            "reask": _useless(summary),
        }
        write_atomic(_index_path(data_dir, digest.week.iso), json.dumps(index) + "\n")
        result = WeekResult(
            week=digest.week.iso,
            status="reviewed",
            archive=stem,
            degraded=summary.degraded,
            reason=summary.degraded_reason,
            cached=summary.cached,
            reasked=digest.week.iso in reasking,
            calls=summary.calls,
            prompt_tokens=summary.prompt_tokens,
            completion_tokens=summary.completion_tokens,
        )
        results[result.week] = result
        on_done(result)

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        try:
            for week in weeks:
                facts = week_facts(journal, week, today, ids, dormant_weeks=dormant_weeks)
                key = fingerprint(facts, backend_key)
                archived = _archived(data_dir, week.iso)
                if not force and _unchanged(archived, key):
                    results[week.iso] = WeekResult(week=week.iso, status="skipped")
                    on_done(results[week.iso])
                    continue
                if archived.get("input") == key and archived.get("reask"):
                    reasking.add(week.iso)
                # Keep at most `concurrency` summaries in flight: facts for later weeks are
                # computed while earlier ones wait on the backend, without queueing them all.
                while len(pending) >= max(1, concurrency):
                    _drain(pending, finish)
                pending[pool.submit(backend.summarize, facts)] = (facts, key)
            while pending:
                _drain(pending, finish)
        except BaseException:
            for future in pending:
                future.cancel()
            raise
    return [results[w.iso] for w in weeks if w.iso in results]


def _drain(
    pending: dict[Future[Summary], tuple[WeekFacts, str]],
    finish: Callable[[WeekFacts, str, Summary], None],
) -> None:
    """Wait for at least one summary, then archive every finished week."""
    done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
    for future in done:
        facts, key = pending.pop(future)
        finish(facts, key, future.result())
