"""The static site: every reviewed week as HTML pages that open from disk (pure, plus one
writer at the edge).

    index.html            a heatmap of journaled days (a year per row), a line per week
    weeks/2020-W09.html   the week's digest, every item shown once (no budgets: it is a page)
    months/2020-02.html   the month: its weeks, highlights, asks and TODOs done
    questions.html        the question ledger: open, dormant, answered, by age
    todos.html            the TODO lifecycle: open, delayed, done, dropped

No scripts, no external resource (styles are inline, charts are inline SVG), relative links
only, so the folder works from a file manager, a USB stick or any static host. Pages are
rewritten only when their text changed, so a rebuild touches what is new.
"""

from __future__ import annotations

import calendar
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from reviewer.facts.calendar import Week, streaks
from reviewer.facts.tracking import Tracked
from reviewer.models import Digest
from reviewer.render.labels import count, labels_for
from reviewer.render.render import environment
from reviewer.render.sections import UNLIMITED, sections

__all__ = ["DORMANT_DAYS", "SiteInput", "heatmap", "site_pages", "write_site"]

DORMANT_DAYS = 28  # an open ask not mentioned for four weeks has gone dormant
_CELL, _GAP, _LEFT, _TOP = 11, 2, 30, 14


@dataclass(frozen=True, slots=True)
class SiteInput:
    """Everything the site shows: the weeks' digests and the journal's ledgers."""

    title: str
    lang: str
    today: date
    digests: list[Digest]  # one per week, oldest first
    journaled: frozenset[date]
    questions: list[Tracked]
    todos: list[Tracked]


@dataclass(frozen=True, slots=True)
class Cell:
    """One day of the heatmap."""

    x: int
    y: int
    day: date
    href: str  # its week's page, "" when the day is not journaled or has no page


@dataclass(frozen=True, slots=True)
class YearMap:
    """One row of the heatmap: a year of days, Monday on top."""

    year: int
    width: int
    height: int
    cells: list[Cell]
    months: list[tuple[int, str]]  # (x, label)
    days: int  # journaled that year


def heatmap(journaled: Iterable[date], pages: Mapping[str, str]) -> list[YearMap]:
    """A year per row, newest first, like a contribution graph: columns are weeks, rows
    weekdays; `pages` maps an ISO week to its page, for the journaled days to link to."""
    days = set(journaled)
    if not days:
        return []
    years: list[YearMap] = []
    for year in range(max(days).year, min(days).year - 1, -1):
        first = date(year, 1, 1)
        origin = first - timedelta(days=first.weekday())  # the Monday of its first column
        cells, months = [], []
        day = first
        while day.year == year:
            column = (day - origin).days // 7
            x, y = _LEFT + column * (_CELL + _GAP), _TOP + day.weekday() * (_CELL + _GAP)
            href = pages.get(Week.containing(day).iso, "") if day in days else ""
            cells.append(Cell(x, y, day, href))
            if day.day == 1:
                months.append((x, calendar.month_abbr[day.month]))
            day += timedelta(days=1)
        width = max(c.x for c in cells) + _CELL + 2
        years.append(
            YearMap(
                year=year,
                width=width,
                height=_TOP + 7 * (_CELL + _GAP),
                cells=cells,
                months=months,
                days=sum(1 for d in days if d.year == year),
            )
        )
    return years


def _months_of(digest: Digest) -> list[str]:
    """The months ("2020-02") a week's days fall in."""
    start = digest.week.start
    return sorted({(start + timedelta(days=n)).strftime("%Y-%m") for n in range(7)})


def _longest(days: set[date]) -> int:
    return max(((b - a).days + 1 for a, b in streaks(days)), default=0)


def site_pages(site: SiteInput) -> dict[str, str]:
    """Every page of the site: relative path -> HTML."""
    env = environment()
    t = labels_for(site.lang)
    common = {
        "t": t,
        "site": site,
        "count": lambda n, noun: count(n, noun, site.lang),
        "s_": SITE_LABELS.get(site.lang, SITE_LABELS["en"]),
    }
    week_pages = {d.week.iso: f"weeks/{d.week.iso}.html" for d in site.digests}
    by_month: dict[str, list[Digest]] = {}
    for digest in site.digests:
        for month in _months_of(digest):
            by_month.setdefault(month, []).append(digest)
    pages: dict[str, str] = {}
    newest_first = site.digests[::-1]
    pages["index.html"] = env.get_template("site_index.html.j2").render(
        root="",
        weeks=newest_first,
        years=heatmap(site.journaled, week_pages),
        months=sorted(by_month, reverse=True),
        longest=_longest(set(site.journaled)),
        open_questions=sum(1 for q in site.questions if q.status == "open" and q.kind == "ask"),
        open_todos=sum(1 for td in site.todos if td.status in {"open", "delayed"}),
        **common,
    )
    week_template = env.get_template("site_week.html.j2")
    for n, digest in enumerate(site.digests):
        pages[week_pages[digest.week.iso]] = week_template.render(
            root="../",
            d=digest,
            s=sections(digest, UNLIMITED),
            prev=site.digests[n - 1] if n else None,
            next=site.digests[n + 1] if n + 1 < len(site.digests) else None,
            months=_months_of(digest),
            **common,
        )
    month_template = env.get_template("site_month.html.j2")
    for month, digests in by_month.items():
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
        last = date(year, number, calendar.monthrange(year, number)[1])
        pages[f"months/{month}.html"] = month_template.render(
            root="../",
            month=month,
            weeks=digests,
            days=sum(1 for d in site.journaled if first <= d <= last),
            days_in_month=last.day,
            asked=[q for q in site.questions if q.first and first <= q.first <= last],
            done=[td for td in site.todos if td.closed_on and first <= td.closed_on <= last],
            **common,
        )
    pages["questions.html"] = env.get_template("site_questions.html.j2").render(
        root="", groups=_question_groups(site), **common
    )
    pages["todos.html"] = env.get_template("site_todos.html.j2").render(
        root="", groups=_todo_groups(site), **common
    )
    return pages


def _question_groups(site: SiteInput) -> list[tuple[str, list[Tracked]]]:
    """Open asks (mentioned in the last four weeks), dormant ones, answered ones; the oldest
    first in each, since the longest-open need attention most."""
    asks = [q for q in site.questions if q.kind == "ask"]
    cutoff = site.today - timedelta(days=DORMANT_DAYS)

    def oldest(items: Iterable[Tracked]) -> list[Tracked]:
        return sorted(items, key=lambda q: (q.first or site.today, q.id))

    still = [q for q in asks if q.status == "open"]
    return [
        ("open", oldest(q for q in still if q.last and q.last >= cutoff)),
        ("dormant", oldest(q for q in still if not q.last or q.last < cutoff)),
        ("answered", sorted((q for q in asks if q.status != "open"), key=_closed, reverse=True)),
    ]


def _closed(item: Tracked) -> date:
    return item.closed_on or item.last or date.min


def _todo_groups(site: SiteInput) -> list[tuple[str, list[Tracked]]]:
    """Open and delayed TODOs oldest first, then done and dropped ones, latest first."""
    by_status: dict[str, list[Tracked]] = {}
    for todo in site.todos:
        by_status.setdefault(todo.status, []).append(todo)
    groups = []
    for status in ("open", "delayed"):
        items = by_status.get(status, [])
        groups.append((status, sorted(items, key=lambda x: (x.first or site.today, x.id))))
    for status in ("done", "dropped"):
        groups.append((status, sorted(by_status.get(status, []), key=_closed, reverse=True)))
    return groups


def write_site(pages: Mapping[str, str], out: Path) -> tuple[int, int]:
    """Write the pages under `out`, skipping those whose content is unchanged (same sha256);
    (written, unchanged)."""
    written = unchanged = 0
    for name, html in sorted(pages.items()):
        path = out / name
        data = html.encode("utf-8")
        try:
            same = hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(data).digest()
        except OSError:
            same = False
        if same:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        # Beside the page, then renamed over it: a browser never sees half a page.
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        written += 1
    return written, unchanged


SITE_LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "archive": "Journal archive",
        "weeks": "Weeks",
        "months": "Months",
        "ledger": "Question ledger",
        "todos": "TODO lifecycle",
        "journaled": "days journaled",
        "longest": "longest streak",
        "open_asks": "open asks",
        "open_todos": "open TODOs",
        "heatmap": "Journaled days",
        "index": "Index",
        "prev": "← previous week",
        "next": "next week →",
        "asked": "asked",
        "done_n": "done",
        "q_open": "Open",
        "q_dormant": "Dormant (not mentioned for four weeks)",
        "q_answered": "Answered",
        "t_open": "Open",
        "t_delayed": "Delayed",
        "t_done": "Done",
        "t_dropped": "Dropped",
        "first": "first",
        "last": "last",
        "mentions": "mentions",
        "none": "Nothing here.",
        "in_month": "Asked this month",
        "done_month": "TODOs done this month",
        "of": "of",
        "made_by": "made by reviewer from the archived digests",
    },
    "zh": {
        "archive": "日志档案",
        "weeks": "每周",
        "months": "每月",
        "ledger": "问题账本",
        "todos": "待办的一生",
        "journaled": "天有记录",
        "longest": "最长连续",
        "open_asks": "个待解问题",
        "open_todos": "项未完成待办",
        "heatmap": "记录的日子",
        "index": "首页",
        "prev": "← 上一周",
        "next": "下一周 →",
        "asked": "个问题",
        "done_n": "项完成",
        "q_open": "待解",
        "q_dormant": "沉寂（四周未再提起）",
        "q_answered": "已答",
        "t_open": "未完成",
        "t_delayed": "推迟",
        "t_done": "已完成",
        "t_dropped": "放弃",
        "first": "首次",
        "last": "最近",
        "mentions": "次提及",
        "none": "暂无。",
        "in_month": "本月提出的问题",
        "done_month": "本月完成的待办",
        "of": "/",
        "made_by": "由 reviewer 根据归档的周报生成",
    },
}
