"""The words a digest is made of besides the journal's own, in the journal's language (pure).

A Chinese journal gets Chinese section titles and labels, an English one English (`--lang`
overrides): the digest's `lang`. Counts are spelled by `count`, so "1 day", never "1 days".
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["LABELS", "count", "labels_for", "plural"]

# Nouns that take a count: (singular, plural) in English, the measure word in Chinese.
_NOUNS: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "en": {
        "day": ("day", "days"),
        "entry": ("entry", "entries"),
        "week": ("week", "weeks"),
        "question": ("question", "questions"),
        "todo": ("TODO", "TODOs"),
        "item": ("item", "items"),
        "line": ("line", "lines"),
    },
    "zh": {
        "day": ("天", "天"),
        "entry": ("篇日志", "篇日志"),
        "week": ("周", "周"),
        "question": ("个问题", "个问题"),
        "todo": ("项待办", "项待办"),
        "item": ("项", "项"),
        "line": ("行", "行"),
    },
}

LABELS: Mapping[str, Mapping[str, str]] = {
    "en": {
        "html_lang": "en",
        "weekly_review": "Weekly review",
        "week_title": "Week {iso}",
        "range": "{start} – {end}",
        "days_journaled": "days journaled",
        "streak": "day streak",
        "streak_md": "streak",
        "entries": "entries",
        "entry": "entry",
        "chart": "days journaled per week, {first} to {last}",
        "degraded": "Degraded",
        "no_entries": "No entries in this week.",
        "summary": "Summary",
        "highlights": "Highlights",
        "questions": "Questions",
        "open": "open",
        "answered": "answered",
        "no_questions": "No questions this week.",
        "history": "From the journal's history",
        "history_done": "Ticked this week in earlier entries and lists",
        "history_answered": "Answered this week",
        "history_edited": "Earlier entries edited this week",
        "edited": "edited",
        "carried": "Still open from earlier weeks, longest first",
        "open_for": "open {days}",
        "more": "…and {n} more",
        "more_newer": "…and {n} more, opened later",
        "reflections": "Reflections",
        "no_reflections": "No reflections or lessons this week.",
        "undated": "undated",
        "todos": "TODOs",
        "done": "Done",
        "still_open": "Still open",
        "delayed": "Delayed",
        "dropped": "Dropped",
        "in_highlights": "{n} more in Highlights (✓)",
        "no_todos": "No TODOs this week.",
        "stale": "Open longest",
        "since": "since {date} · {days}",
        "next_week": "Next week",
        "pick_up": "Pick up first: ",
        "marked_above": "(marked above)",
        "nothing_open": "Nothing left open.",
        "kind_todo": "TODO",
        "kind_question": "question",
        "kind_suggestion": "suggestion",
        "journal_warnings": "Journal warnings",
        "fix_journal": "Fix in your journal",
        "fix_journal_why": "the review goes on without these entries",
        "lesson": "lesson",
        "review_title": "Review {label}",
        "monthly_review": "Monthly review",
        "term_review": "Term review",
        "longest_run": "longest run",
        "words": "words",
        "weeks": "Weeks",
        "week_degraded": "degraded",
        "no_questions_period": "No questions asked in this period.",
        "no_reflections_period": "No reflections or lessons in this period.",
        "no_todos_period": "No TODOs in this period.",
        "open_before": "Still open from before ({n}; the longest open)",
        "finished": "Finished",
    },
    "zh": {
        "html_lang": "zh-CN",
        "weekly_review": "每周回顾",
        "week_title": "{iso} 周回顾",
        "range": "{start} 至 {end}",
        "days_journaled": "天有记录",
        "streak": "天连续",
        "streak_md": "连续",
        "entries": "篇日志",
        "entry": "篇日志",
        "chart": "每周记录天数，{first} 至 {last}",
        "degraded": "已降级",
        "no_entries": "本周没有日志。",
        "summary": "概要",
        "highlights": "亮点",
        "questions": "问题",
        "open": "待解",
        "answered": "已答",
        "no_questions": "本周没有提问。",
        "history": "来自日志的修改历史",
        "history_done": "本周在旧日志和清单里勾掉的待办",
        "history_answered": "本周回答的问题",
        "history_edited": "本周改过的旧日志",
        "edited": "改过",
        "carried": "前几周仍未解决（最久的在前）",
        "open_for": "已 {days}",
        "more": "…另有 {n} 条",
        "more_newer": "…另有 {n} 条较新的",
        "reflections": "反思",
        "no_reflections": "本周没有反思或训诫。",
        "undated": "未注日期",
        "todos": "待办",
        "done": "已完成",
        "still_open": "未完成",
        "delayed": "推迟",
        "dropped": "放弃",
        "in_highlights": "另有 {n} 项见亮点（✓）",
        "no_todos": "本周没有待办。",
        "stale": "搁置最久",
        "since": "{date} 起 · {days}",
        "next_week": "下周",
        "pick_up": "优先处理：",
        "marked_above": "（见上文标记）",
        "nothing_open": "没有未完成的事。",
        "kind_todo": "待办",
        "kind_question": "问题",
        "kind_suggestion": "建议",
        "journal_warnings": "日志警告",
        "fix_journal": "请修正日志",
        "fix_journal_why": "这些条目暂不计入回顾",
        "lesson": "训诫",
        "review_title": "{label} 回顾",
        "monthly_review": "月度回顾",
        "term_review": "阶段回顾",
        "longest_run": "最长连续",
        "words": "字词",
        "weeks": "各周",
        "week_degraded": "已降级",
        "no_questions_period": "这段时间没有提问。",
        "no_reflections_period": "这段时间没有反思或训诫。",
        "no_todos_period": "这段时间没有待办。",
        "open_before": "之前仍未解决（共 {n} 条，最久的在前）",
        "finished": "已完成",
    },
}


def labels_for(lang: str) -> Mapping[str, str]:
    """The labels of `lang` ("zh" or "en"; anything else, e.g. an old digest's "", is en)."""
    return LABELS.get(lang, LABELS["en"])


def plural(n: int, singular: str, many: str = "") -> str:
    """`n` and an English noun agreeing: plural(1, "file") is "1 file", plural(2, "file")
    "2 files", plural(2, "entry", "entries") "2 entries"."""
    return f"{n} {singular if n == 1 else many or singular + 's'}"


def count(n: int, noun: str, lang: str = "en") -> str:
    """`n` and `noun` agreeing: "1 day", "2 days", "3 天"."""
    forms = _NOUNS.get(lang, _NOUNS["en"])[noun]
    word = forms[0] if n == 1 else forms[1]
    return f"{n} {word}"
