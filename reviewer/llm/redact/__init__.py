"""Redaction of what leaves the machine: private values become stable placeholders.

Pure: a `Redactor` finds the private spans of a text (`find`), replaces each by a placeholder
such as `<IP-1>` (`redact`), the same value by the same placeholder in every message of a week
(the model can still tell "the jump host" from "the GPU box"), and `restore` puts the originals
back into the model's answer for the local digest.

How spans are found: every rule below proposes spans on the original text, in order of
priority; a character claimed by an earlier rule stays with it, and what a later rule adds
around it becomes a placeholder of its own, so a value is never left half in the clear. Rules
use explicit ASCII classes and lookarounds, never `\\w` or `\\b`: in Python both treat CJK as
letters, so `用户名123@qq.com` would hide nothing. Hosts named in commands or ssh config are
learned and hidden wherever else they appear; `Rules` adds the user's own terms (names) and
regular expressions.

Bump RULES_VERSION whenever a rule changes: it is part of `Rules.digest`, which is part of the
response-cache key, so a stricter rule never serves an answer computed on leakier text.
The corpus in tests/privacy/ measures the rules (recall 100%, precision >= 99%).
"""

from __future__ import annotations

from reviewer.llm.redact.patterns import PLACEHOLDER, RULES_VERSION
from reviewer.llm.redact.redactor import Hidden, Redactor, Suspect
from reviewer.llm.redact.restore import MASK, Restored
from reviewer.llm.redact.terms import Rules

__all__ = [
    "MASK",
    "PLACEHOLDER",
    "RULES_VERSION",
    "Hidden",
    "Redactor",
    "Restored",
    "Rules",
    "Suspect",
]
