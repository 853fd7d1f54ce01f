"""The prompt templates: loading, rendering, and their digest for the cache key.

Prompts are plain text for a model, so no autoescape; StrictUndefined makes a template that
names a missing variable fail in the tests rather than send a hole. They ship inside the
package (`reviewer/llm/templates/`, which the checkout's top-level `prompts/` links to, so
that is where they are edited), so a wheel or pipx install has them too. A user's own
`$XDG_CONFIG_HOME/reviewer/prompts/<name>.j2` overrides the shipped template of that name
(`use_user_templates`); what is used is hashed into the cache key either way.
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
    "use_user_templates",
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
_CJK_RUN = re.compile(_CJK.pattern + "+")
_LATIN = re.compile(r"[A-Za-z]+")


def _missing() -> ConfigError:
    return ConfigError(
        f"prompt templates not found in {PROMPTS_DIR}: the installation is incomplete; "
        "reinstall reviewer (`pipx reinstall reviewer` or `pip install --force-reinstall`)"
    )


_user_dir: Path | None = None


def use_user_templates(folder: Path | None) -> None:
    """Let the templates in `folder` (when it exists) override the shipped ones of their name."""
    global _user_dir
    chosen = folder if folder is not None and folder.is_dir() else None
    if chosen != _user_dir:
        _user_dir = chosen
        _environment.cache_clear()
        templates_digest.cache_clear()
        task_digest.cache_clear()


def _source(name: str) -> Path:
    """The file a template is read from: the user's override, else the shipped one."""
    if _user_dir is not None and (_user_dir / name).is_file():
        return _user_dir / name
    return PROMPTS_DIR / name


@cache
def _environment() -> jinja2.Environment:
    import jinja2

    if not PROMPTS_DIR.is_dir():
        raise _missing()
    folders = [PROMPTS_DIR] if _user_dir is None else [_user_dir, PROMPTS_DIR]
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folders),
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
            digest.update(name.encode() + b"\0" + _source(name).read_bytes() + b"\0")
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
    except jinja2.TemplateError as err:
        source = _source(f"{name}.j2")
        if source.parent == PROMPTS_DIR:
            raise  # a shipped template is broken: a bug, for the tests to catch
        line = getattr(err, "lineno", None)
        where = f"{source}:{line}" if line else str(source)
        raise ConfigError(
            f"{where}: your prompt template does not work ({err.message or err}); "
            f"fix it or remove it to use the shipped one"
        ) from None


def detect_lang(texts: Iterable[str]) -> str:
    """ "zh" when Chinese characters make up a fair share of the writing, else "en".

    A Chinese character carries about a word's meaning, so characters are weighed against
    Latin words; technical English inside Chinese notes then does not flip the choice.
    """
    writing = "\n".join(texts)
    cjk = sum(map(len, _CJK_RUN.findall(writing)))  # runs, not a match per character
    latin = len(_LATIN.findall(writing))
    return "zh" if cjk and cjk >= latin else "en"
