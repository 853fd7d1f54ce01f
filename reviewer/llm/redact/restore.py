"""The placeholder format and the restore side: a model's answer back to the journal's
values for the digest (secrets masked), bent placeholders repaired, broken ones counted."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from reviewer.llm.redact.redactor import Redactor

MASK = "••••"  # what a secret becomes in a digest: a digest is mailed, a secret never is
_SECRET_KINDS = frozenset({"SECRET", "PASSWORD", "PRIVATE-KEY"})
_KIND = (
    r"(?:ip|host|user|port|email|secret|password|private[-_ ]?key|private|literal|account|id"
    r"|name|path|phone)"
)
# A placeholder as models bend it: any case, `_` or a space for `-`, full-width or no brackets.
_BENT = re.compile(
    rf"(?:(?P<open>[<＜〈‹《])\s*)?(?<![A-Za-z0-9])(?P<kind>{_KIND})(?P<sep>[-_ ]?)(?P<n>[0-9]+)"
    r"(?![A-Za-z0-9])(?:\s*(?P<close>[>＞〉›》]))?",
    re.IGNORECASE,
)
# A bracketed kind with no usable number (`<IP>`, `<IP-?>`), or a kind that was never issued.
_HOLE = re.compile(
    rf"[<＜](?:\s*{_KIND}\s*[-_ ]?[?？xX#]*\s*|(?-i:(?:[A-Z]+-)+[0-9]+))[>＞]", re.IGNORECASE
)


class Restored:
    """An answer's text with its placeholders restored, and what that took."""

    __slots__ = ("broken", "repaired", "text")

    def __init__(self, text: str, repaired: int, broken: int) -> None:
        self.text = text
        self.repaired = repaired  # bent placeholders read as the one they could only mean
        self.broken = broken  # placeholders that stand for nothing: the text must not be shown


def _canonical(match: re.Match[str]) -> str:
    kind = re.sub(r"[-_ ]", "-", match.group("kind").upper())
    if kind == "PRIVATEKEY":
        kind = "PRIVATE-KEY"
    return f"<{kind}-{int(match.group('n'))}>"


def _escape_literals(self: Redactor, text: str) -> str:
    """Text that already looks like a placeholder, as the journal wrote it, becomes a
    placeholder of its own (`<LITERAL-1>` for `<IP-1>`), so it is restored as written and never
    taken for a redacted value. The model's own placeholders, sent back in a reduce call, are
    kept (or straightened, when bent) instead."""

    def escape(match: re.Match[str]) -> str:
        found = match.group()
        if not (match.group("open") or match.group("close")):
            self._bare.add(found.lower())  # `IP-1` in prose: never "repaired" to a value
            return found
        literal = self._by_value.get(("LITERAL", found))
        if literal is not None:
            return literal
        canonical = _canonical(match)
        if found == canonical and canonical in self._originals:
            return found
        if canonical in self._originals and self._journal_read:
            return canonical
        return self.placeholder("LITERAL", found)

    return _BENT.sub(escape, text)


def _restore_answer(self: Redactor, text: str) -> Restored:
    """`text` from a model's answer with placeholders restored for a digest: bent ones
    repaired when they can only mean one, secrets masked, and the ones that stand for nothing
    counted as broken (the caller drops the text)."""
    repaired = broken = 0

    def restore(match: re.Match[str]) -> str:
        nonlocal repaired, broken
        found = match.group()
        bracketed = bool(match.group("open") or match.group("close"))
        canonical = _canonical(match)
        if canonical not in self._originals:
            broken += bracketed
            return found
        if not bracketed and (match.group("sep") == " " or found.lower() in self._bare):
            return found  # prose that happens to read like one: ambiguous, left as written
        repaired += found.strip() != canonical
        kind = canonical[1:].rsplit("-", 1)[0]
        value = self._originals[canonical]
        return MASK if kind in _SECRET_KINDS else value

    broken += len(_HOLE.findall(_BENT.sub(" ", text)))
    restored = _BENT.sub(restore, text)
    return Restored(restored, repaired, broken)
