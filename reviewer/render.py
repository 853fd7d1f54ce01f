"""Render a digest as Markdown, plain text or JSON (pure: digest in, str out).

Digest templates live in `reviewer/templates/`; HTML ones are autoescaped, since journal text
and LLM text are untrusted. Jinja2 is imported here and only here, when a digest is rendered.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

from reviewer.models import Digest, MonthDigest, Todo

if TYPE_CHECKING:
    import jinja2

__all__ = ["FORMATS", "render", "render_month"]

FORMATS = ("md", "text", "json")
_EMPHASIS = re.compile(r"(\*\*|__|~~|(?<![\w*])\*(?=\S)|(?<=\S)\*(?![\w*]))")


def _plain(text: str) -> str:
    """Markdown emphasis removed, for the plain-text format."""
    return _EMPHASIS.sub("", text)


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("reviewer", "templates"),
        autoescape=jinja2.select_autoescape(["html", "html.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["plain"] = _plain
    env.filters["dates"] = lambda days: ", ".join(str(d) for d in days)
    return env


def render(digest: Digest, fmt: str) -> str:
    """The digest in `fmt` (one of FORMATS)."""
    if fmt == "json":
        return digest.model_dump_json(indent=2) + "\n"
    template = _environment().get_template(f"week.{fmt}.j2")
    questions = [q for q in digest.questions if not q.carried_over]
    carried = [q for q in digest.questions if q.carried_over]
    return template.render(
        d=digest,
        questions=questions,
        carried=carried[::-1][:10],
        carried_more=max(0, len(carried) - 10),
        todos=_by_status([t for t in digest.todos if not t.carried_over]),
        stale=[t for t in digest.todos if t.carried_over],
    )


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
    return template.render(
        d=digest,
        asked=[q for q in digest.questions if not q.carried_over],
        carried=[q for q in digest.questions if q.carried_over],
        todos=_by_status(digest.todos),
    )
