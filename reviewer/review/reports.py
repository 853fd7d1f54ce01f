"""The across-weeks reports: question ledger, TODO list and journal statistics, as md / text /
JSON (pure: values in, str out)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date

from reviewer.facts.stats import JournalStats
from reviewer.facts.tracking import Tracked
from reviewer.models import Reflection, SuggestedAnswer

__all__ = ["render_ledger", "render_reflections", "render_stats", "week_chart"]

_BLOCKS = " ▁▂▃▄▅▆▇█"


def _ledger_row(item: Tracked, today: date) -> dict[str, object]:
    return {
        "id": item.id,
        "text": item.text,
        "date": item.first.isoformat() if item.first else None,
        "status": item.status,
        **({"kind": item.kind} if item.kind else {}),
        "age_days": item.age_days(today),
        "closed_on": item.closed_on.isoformat() if item.closed_on else None,
        "answer": item.answer,
        "mentions": item.mentions,
        "last_mentioned": item.last.isoformat() if item.last else None,
        "lists": item.lists,
        "line": item.line,
        "source": item.source,
    }


def render_ledger(
    items: list[Tracked],
    today: date,
    fmt: str,
    noun: str,
    suggested: Mapping[str, SuggestedAnswer] | None = None,
) -> str:
    """Questions or TODOs (`noun`), one line each, oldest first; with `suggested` (by id),
    the answers an LLM proposed, shown apart from the status, which they do not change."""
    if fmt == "json":
        rows = [_ledger_row(i, today) for i in items]
        if suggested is not None:
            for row, item in zip(rows, items, strict=True):
                found = suggested.get(item.id)
                row["suggested"] = (
                    {"date": found.date.isoformat(), "answer": found.answer} if found else None
                )
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if not items:
        return f"No {noun} match.\n"
    lines = []
    # Questions carry a kind (ask / wonder); TODOs do not.
    kinds = noun == "questions"
    if fmt == "md":
        if kinds:
            lines += [
                f"| age | asked | kind | status | {noun[:-1]} |",
                "| ---: | --- | --- | --- | --- |",
            ]
        else:
            lines += [f"| age | asked | status | {noun[:-1]} |", "| ---: | --- | --- | --- |"]
    for item in items:
        kind = (item.kind or "wonder") if kinds else ""
        when = item.first.isoformat() if item.first else "undated"
        status = item.status + (f" {item.closed_on}" if item.closed_on else "")
        text = item.text + (f" — {item.answer}" if item.answer else "")
        text += f" [{', '.join(item.lists)}]" if item.lists else ""
        found = suggested.get(item.id) if suggested else None
        if fmt == "md":
            if found:
                text += f"<br>_suggested answer ({found.date}): {found.answer}_"
            kind_cell = f" {kind} |" if kinds else ""
            lines.append(f"| {item.age_days(today)}d | {when} |{kind_cell} {status} | {text} |")
        else:
            kind_col = f"{kind:<7} " if kinds else ""
            lines.append(f"{item.age_days(today):>5}d  {when:<10}  {kind_col}{status:<19}  {text}")
            if found:
                pad = 49 if kinds else 41
                lines.append(f"{'':{pad}}suggested answer ({found.date}): {found.answer}")
    return "\n".join(lines) + "\n"


def render_reflections(dated: list[Reflection], standing: list[Reflection], fmt: str) -> str:
    """Reflections and lessons by date, then the standing (undated) ones."""
    if fmt == "json":
        rows = [
            {
                "text": r.text,
                "date": r.date.isoformat() if r.date else None,
                "kind": r.kind,
                "standing": standing_one,
                "line": r.line,
                "source": r.source,
            }
            for rows_of, standing_one in ((dated, False), (standing, True))
            for r in rows_of
        ]
        return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"
    if not dated and not standing:
        return "No reflections or lessons found.\n"
    lines = ["## Reflections and lessons", ""] if fmt == "md" else []
    for r in dated:
        mark = ("📌 " if fmt == "md" else "[lesson] ") if r.kind == "lesson" else ""
        lines.append(f"- {r.date}  {mark}{r.text}" if fmt == "md" else f"{r.date}  {mark}{r.text}")
    if standing:
        title = "Standing reflections (the undated 自省 section)"
        lines += ["", f"## {title}" if fmt == "md" else title, ""]
        for r in standing:
            when = f" ({r.date})" if r.date else ""
            lines.append(f"- {r.text}{when}" if fmt == "md" else f"  * {r.text}{when}")
    return "\n".join(lines) + "\n"


def week_chart(stats: JournalStats, last: int | None = None) -> list[str]:
    """One line per week: days journaled as a bar of seven cells, entries and words."""
    weeks = stats.weeks[-last:] if last else stats.weeks
    top = max((w.words for w in weeks), default=0) or 1
    rows = []
    for w in weeks:
        bar = "█" * w.days + "·" * (7 - w.days)
        level = _BLOCKS[round(w.words / top * (len(_BLOCKS) - 1))]
        entries = "entry  " if w.entries == 1 else "entries"
        rows.append(
            f"{w.iso}  {bar}  {w.days}/7  {w.entries:>2} {entries}  {w.words:>6} words {level}"
        )
    return rows


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def render_stats(stats: JournalStats, fmt: str) -> str:
    """Journal statistics with a per-week chart."""
    if fmt == "json":
        return stats.model_dump_json(indent=2) + "\n"
    lines = [
        f"days journaled   {stats.days_journaled}"
        + (f" ({stats.first_day} to {stats.last_day})" if stats.first_day else ""),
        f"entries          {stats.entries}",
        f"words            {stats.words}",
        f"longest streak   {_days(stats.longest_streak)}"
        + (
            f" ({stats.longest_streak_from} to {stats.longest_streak_to})"
            if stats.longest_streak_from
            else ""
        ),
        f"current streak   {_days(stats.current_streak)}",
    ]
    if stats.gaps:
        lines += ["", "longest silences"]
        for gap in stats.gaps:
            note = " (ongoing)" if gap.ongoing else ""
            unit = "day " if gap.days == 1 else "days"
            lines.append(f"{gap.days:>5} {unit}  {gap.start} to {gap.end}{note}")
    if stats.weeks:
        lines += ["", "weeks"]
        lines += week_chart(stats)
    title = f"Journal statistics as of {stats.as_of}"
    body = "\n".join(lines)
    if fmt == "md":
        # A code block keeps the aligned columns and the chart monospaced when rendered.
        return f"## {title}\n\n```\n{body}\n```\n"
    return f"{title}\n\n{body}\n"
