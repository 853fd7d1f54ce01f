"""Progress and the closing summary of a backfill (terminal I/O; rich is imported here only)."""

from __future__ import annotations

import json
import sys
from types import TracebackType
from typing import TYPE_CHECKING

from reviewer.render.labels import plural
from reviewer.review.backfill import WeekResult

if TYPE_CHECKING:
    from pathlib import Path

    from rich.progress import Progress, TaskID

__all__ = ["WeekProgress", "summary_table"]


class WeekProgress:
    """A progress bar on a terminal; one line per week otherwise (cron logs)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.tty = sys.stderr.isatty()
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> WeekProgress:
        if self.tty:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self._bar = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[last]}"),
                console=Console(stderr=True),
                transient=False,
            )
            self._bar.start()
            self._task = self._bar.add_task("weeks", total=self.total, last="")
        return self

    def advance(self, result: WeekResult) -> None:
        """Count a finished week."""
        self.done += 1
        note = result.status + (" (degraded)" if result.degraded else "")
        if self._bar is not None and self._task is not None:
            self._bar.update(self._task, advance=1, last=f"{result.week} {note}")
        else:
            print(f"[{self.done}/{self.total}] {result.week} {note}", file=sys.stderr, flush=True)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._bar is not None:
            self._bar.stop()


def summary_table(results: list[WeekResult], archive: Path, fmt: str) -> str:
    """Weeks, calls, cache hits, tokens and degraded weeks of a backfill."""
    reviewed = [r for r in results if r.status == "reviewed"]
    degraded = [r.week for r in results if r.degraded]
    reasked = [r.week for r in results if r.reasked]
    totals = {
        "weeks": len(results),
        "reviewed": len(reviewed),
        "skipped": len(results) - len(reviewed),
        "calls": sum(r.calls for r in results),
        "cache_hits": sum(1 for r in reviewed if r.cached),
        "reasked": len(reasked),
        "prompt_tokens": sum(r.prompt_tokens for r in results),
        "completion_tokens": sum(r.completion_tokens for r in results),
    }
    if fmt == "json":
        rows = [
            {
                "week": r.week,
                "status": r.status,
                "degraded": r.degraded,
                "reason": r.reason,
                "cached": r.cached,
                "reasked": r.reasked,
                "calls": r.calls,
                "prompt_tokens": r.prompt_tokens,
                "completion_tokens": r.completion_tokens,
                "archive": str(r.archive) if r.archive else None,
            }
            for r in results
        ]
        summary = {"totals": totals | {"degraded": degraded, "archive": str(archive)}}
        return json.dumps(summary | {"weeks": rows}, ensure_ascii=False, indent=2) + "\n"
    lines = [
        f"{'week':<9} {'status':<9} {'calls':>5} {'tokens':>8}  note",
        *(
            f"{r.week:<9} {r.status:<9} {r.calls:>5} {r.prompt_tokens + r.completion_tokens:>8}"
            f"  {'cached' if r.cached else ''}{'DEGRADED: ' + r.reason if r.degraded else ''}"
            for r in results
        ),
        "",
        f"{plural(totals['weeks'], 'week')}: {totals['reviewed']} reviewed, "
        f"{totals['skipped']} skipped (archived, unchanged); {plural(totals['calls'], 'call')}, "
        f"{plural(totals['cache_hits'], 'cache hit')}, "
        f"{totals['prompt_tokens']}+{totals['completion_tokens']} tokens; "
        f"{len(degraded)} degraded" + (f" ({', '.join(degraded)})" if degraded else ""),
        *(
            [
                f"{plural(len(reasked), 'week')} asked again (last answer useless): "
                + ", ".join(reasked)
            ]
            if reasked
            else []
        ),
        f"archive: {archive}",
    ]
    if fmt == "md":
        return "```\n" + "\n".join(lines) + "\n```\n"
    return "\n".join(line.rstrip() for line in lines) + "\n"
