"""Render a digest as Markdown, HTML, plain text or JSON (pure: digest in, str out).

Digest templates live in `reviewer/render/templates/`; HTML ones are autoescaped, since journal text
and LLM text are untrusted. Jinja2 is imported here and only here, when a digest is rendered.
"""

from __future__ import annotations

import functools
import re
from functools import cache
from typing import TYPE_CHECKING

from reviewer.models import Digest, MonthDigest, Todo, WeekStats
from reviewer.render.labels import count, labels_for
from reviewer.render.sections import BUDGETS, Budgets, circled, ref_list, sections

if TYPE_CHECKING:
    import jinja2
    from markupsafe import Markup

__all__ = ["FORMATS", "environment", "render", "render_month"]

FORMATS = ("md", "html", "text", "json")
# Strike-through stays in plain text (`~~…~~`): a struck line dropped its meaning with its marks.
_EMPHASIS = re.compile(r"(\*\*|__|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*]))")
# Inline Markdown the journal uses, applied to already-escaped text (so `&lt;` etc. are inert).
_CODE = re.compile(r"`+([^`]+?)`+")
_BOLD = re.compile(r"\*\*(\S(?:.*?\S)?)\*\*")
_STRIKE = re.compile(r"~~\s*(\S(?:.*?\S)?)\s*~~")
# No placeholder (\x00) inside a URL: a code span there would end up inside the href.
_LINK = re.compile(r"(?<!!)\[([^\]]*)\]\((https?://[^)\s\x00]+)\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_CODE_STYLE = (
    "font-family:SFMono-Regular,Menlo,Consolas,monospace;font-size:90%;"
    "background:#f3f4f6;border-radius:3px;padding:0 3px"
)


_SPARK = "·▁▂▃▄▅▆█"  # 0 to 7 days journaled

# Bidi controls reorder what a reader sees (an RTL override makes "gpj.exe" look like
# "exe.jpg"), and invisible characters hide text or split words; journal and model text is
# untrusted, so every value a template prints loses them. ZWJ/ZWNJ stay: emoji sequences and
# some scripts need them.
_INVISIBLE = dict.fromkeys(
    map(
        ord,
        "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
        "\u200b\u2060\u180e\ufeff",
    ),
)
# In Markdown, `<tag` is raw HTML to any renderer; outside code spans it is escaped.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_CODE_SPAN = re.compile(r"(`[^`\n]*`)")


def spark(weeks: list[WeekStats]) -> str:
    """Days journaled per week as a one-line chart, oldest first."""
    return "".join(_SPARK[max(0, min(7, w.days))] for w in weeks)


def _visible(value: object) -> object:
    """A printed value without bidi controls or invisible characters (Markup stays Markup)."""
    if not isinstance(value, str):
        return value
    cleaned = value.translate(_INVISIBLE)
    if cleaned == value:
        return value
    from markupsafe import Markup

    return Markup(cleaned) if isinstance(value, Markup) else cleaned


def _inert_tags(markdown: str) -> str:
    """Markdown in which no text can be raw HTML: `<script>` becomes `&lt;script>` outside
    code spans (the templates write no HTML of their own)."""
    if "<" not in markdown:
        return markdown
    lines = []
    for line in markdown.split("\n"):
        parts = _CODE_SPAN.split(line)
        parts[::2] = [_TAG_START.sub("&lt;", part) for part in parts[::2]]
        lines.append("".join(parts))
    return "\n".join(lines)


def _plain(text: str) -> str:
    """Markdown emphasis removed, for the plain-text format."""
    return _EMPHASIS.sub("", text)


def _inline_html(text: str) -> Markup:
    """Journal Markdown (code, bold, strike-through, http links) as safe HTML; the rest escaped.

    The text is escaped first and the patterns only add fixed tags around escaped text, so
    nothing the journal or an LLM wrote can become markup; links keep to http(s).
    """
    from markupsafe import Markup, escape

    html = str(escape(_IMAGE.sub("[image]", text.replace("\x00", ""))))
    codes: list[str] = []

    def stash(match: re.Match[str]) -> str:  # code spans are literal: no emphasis inside
        codes.append(f'<code style="{_CODE_STYLE}">{match[1]}</code>')
        return f"\x00{len(codes) - 1}\x00"

    html = _CODE.sub(stash, html)
    html = _BOLD.sub(r"<strong>\1</strong>", html)
    html = _STRIKE.sub(r'<s style="color:#6b7280">\1</s>', html)
    html = _LINK.sub(r'<a href="\2" style="color:#2563eb">\1</a>', html)
    html = re.sub("\x00(\\d+)\x00", lambda m: codes[int(m[1])], html)
    return Markup(html)


def environment() -> jinja2.Environment:
    """The digest templates' environment (HTML autoescaped), shared with the static site."""
    return _environment()


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reviewer.render", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_visible,
    )
    env.filters["plain"] = _plain
    env.filters["inline"] = _inline_html
    env.filters["dates"] = lambda days: ", ".join(str(d) for d in days)
    env.filters["spark"] = spark
    env.filters["circled"] = circled
    env.filters["refs"] = ref_list
    return env


def render(digest: Digest, fmt: str, budgets: Budgets = BUDGETS) -> str:
    """The digest in `fmt` (one of FORMATS); md, html and text show each section within
    `budgets` (the JSON holds everything)."""
    if fmt == "json":
        # `history` only when the journal's git history was read: without it the JSON is what
        # it was before history existed.
        unread = {"history"} if digest.history is None else None
        return digest.model_dump_json(indent=2, exclude=unread) + "\n"
    template = _environment().get_template(f"week.{fmt}.j2")
    text = template.render(
        d=digest,
        s=sections(digest, budgets),
        t=labels_for(digest.lang),
        count=functools.partial(count, lang=digest.lang),
    )
    return _inert_tags(text) if fmt == "md" else text


def _by_status(todos: list[Todo]) -> dict[str, list[Todo]]:
    return {
        status: [t for t in todos if t.status == status]
        for status in ("done", "open", "delayed", "dropped")
    }


def render_month(digest: MonthDigest, fmt: str) -> str:
    """The month (or term) review in `fmt` (one of FORMATS)."""
    if fmt == "json":
        return digest.model_dump_json(indent=2) + "\n"
    template = _environment().get_template(f"month.{fmt}.j2")
    text = template.render(
        d=digest,
        asked=[q for q in digest.questions if not q.carried_over],
        carried=[q for q in digest.questions if q.carried_over],
        todos=_by_status(digest.todos),
        t=labels_for(digest.lang),
        count=functools.partial(count, lang=digest.lang),
    )
    return _inert_tags(text) if fmt == "md" else text
