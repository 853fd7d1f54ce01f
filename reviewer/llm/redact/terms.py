"""The user's own rules from `[redact]`: terms and regular expressions, and their digest."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field

from reviewer.errors import ConfigError
from reviewer.llm.redact.patterns import RULES_VERSION


@dataclass(frozen=True, slots=True)
class Rules:
    """The user's own rules from `[redact]`: terms (people's names, projects) hidden wherever
    they appear, and regular expressions whose matches are hidden."""

    # Kept out of repr: the terms are the private values themselves.
    terms: tuple[str, ...] = field(default=(), repr=False)
    patterns: tuple[str, ...] = field(default=(), repr=False)

    @property
    def digest(self) -> str:
        """What identifies these rules with the built-in ones, for cache keys: a hash, so the
        terms themselves never appear in key material."""
        text = json.dumps([RULES_VERSION, sorted(self.terms), list(self.patterns)])
        return f"{RULES_VERSION}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"

    def compiled(self) -> list[re.Pattern[str]]:
        """The patterns compiled; a bad one is a ConfigError that names it."""
        out = []
        for number, pattern in enumerate(self.patterns, start=1):
            try:
                out.append(re.compile(pattern))
            except re.error as err:
                raise ConfigError(  # by position: the pattern may spell out a private value
                    f"redact.patterns: pattern {number} of {len(self.patterns)} is not a valid "
                    f"regular expression: {err.msg} at position {err.pos}"
                ) from None
        return out
