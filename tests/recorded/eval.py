"""`make eval-llm`: every recorded answer through the real client, and the table of what it gave."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.recorded.harness import CASES, run_case, table


def main() -> int:
    """Print the table; exit 1 when a target is missed."""
    with tempfile.TemporaryDirectory() as tmp:
        outcomes = [run_case(case, Path(tmp) / case.name) for case in CASES]
    print(table(outcomes))
    missed = any(
        o.correct_lost or o.broken_shown or o.wrong_restored or not o.footer_says_drops
        for o in outcomes
    )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
