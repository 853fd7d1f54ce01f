"""The prompt templates: loading, rendering, and their digest for the cache key.

Prompts are plain text for a model, so no autoescape; StrictUndefined makes a template that
names a missing variable fail in the tests rather than send a hole. They ship inside the
package (`reviewer/llm/templates/`, which the checkout's top-level `prompts/` links to, so
that is where they are edited), so a wheel or pipx install has them too.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.errors import ConfigError

if TYPE_CHECKING:
    import jinja2

__all__ = [
    "LANGUAGES",
    "PROMPTS_DIR",
    "detect_lang",
    "render_prompt",
    "task_digest",
    "templates_digest",
]

PROMPTS_DIR = Path(__file__).resolve().parent / "templates"
TEMPLATES = ("system.j2", "week.j2", "map.j2", "reduce.j2", "_earlier.j2")  # the week's calls
# Templates of the calls made across weeks. They are hashed apart from TEMPLATES: a week's
# answer does not depend on them, so editing them must not invalidate every cached week.
TASK_TEMPLATES = {
    "month": ("month_system.j2", "month.j2"),
    "suggest": ("suggest_system.j2", "suggest.j2"),
}
LANGUAGES = {"zh": "Simplified Chinese (简体中文)", "en": "English"}
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]+")


def _missing() -> ConfigError:
    return ConfigError(
        f"prompt templates not found in {PROMPTS_DIR}: the installation is incomplete; "
        "reinstall reviewer (`pipx reinstall reviewer` or `pip install --force-reinstall`)"
    )


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    if not PROMPTS_DIR.is_dir():
        raise _missing()
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(PROMPTS_DIR),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )


@cache
def templates_digest() -> str:
    """sha256 over every week template's source: editing a prompt changes every cache key."""
    return _digest(TEMPLATES)


@cache
def task_digest(task: str) -> str:
    """sha256 over the own templates of a task made across weeks ("" for a week's task)."""
    names = TASK_TEMPLATES.get(task)
    return _digest(names) if names else ""


def _digest(names: tuple[str, ...]) -> str:
    digest = hashlib.sha256()
    for name in names:
        try:
            digest.update(name.encode() + b"\0" + (PROMPTS_DIR / name).read_bytes() + b"\0")
        except OSError:
            raise _missing() from None
    return digest.hexdigest()


def render_prompt(name: str, **context: Any) -> str:
    """Render `prompts/<name>.j2` with `context`."""
    import jinja2

    try:
        return _environment().get_template(f"{name}.j2").render(**context).strip()
    except jinja2.TemplateNotFound:
        raise _missing() from None


def detect_lang(texts: Iterable[str]) -> str:
    """ "zh" when Chinese characters make up a fair share of the writing, else "en".

    A Chinese character carries about a word's meaning, so characters are weighed against
    Latin words; technical English inside Chinese notes then does not flip the choice.
    """
    cjk = latin = 0
    for text in texts:
        cjk += len(_CJK.findall(text))
        latin += len(_LATIN.findall(text))
    return "zh" if cjk and cjk >= latin else "en"
