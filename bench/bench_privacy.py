"""Redaction measured on the labelled corpus (tests/privacy/corpus.tsv).

Run with `make privacy` (and `make bench`). Prints, per class of case and in total, recall (private
spans whose every letter and digit was hidden) and precision (characters of public text left
untouched), the cases that miss, and the time per line. Targets (issue 9): recall 100%,
precision >= 99%; exits 1 when they are not met.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reviewer.llm.redact import Redactor  # noqa: E402
from tests.privacy.corpus import load, score, score_case  # noqa: E402


def main() -> int:
    cases, rules = load()
    scores = score(cases, rules)
    start = time.perf_counter()
    for _ in range(5):
        for case in cases:
            Redactor(rules).redact(case.text)
    per_line = (time.perf_counter() - start) / (5 * len(cases))
    print(f"privacy: {len(cases)} cases in {ROOT / 'tests/privacy/corpus.tsv'}")
    print(f"  {'class':<10} {'cases':>5} {'spans':>5} {'recall':>8} {'precision':>10}")
    for kind, result in sorted(scores.items(), key=lambda item: item[0] == "all"):
        count = len(cases) if kind == "all" else sum(c.kind == kind for c in cases)
        print(
            f"  {kind:<10} {count:>5} {result.spans:>5} {result.recall:>8.1%} "
            f"{result.precision:>10.2%}"
        )
    for case in cases:
        one = score_case(case, rules)
        if one.missed or one.touched:
            print(f"  line {case.line} [{case.kind}]: missed {one.missed}, touched {one.touched}")
    total = scores["all"]
    print(f"  {per_line * 1e6:.0f} µs per line")
    met = total.recall == 1.0 and total.precision >= 0.99
    print(
        f"privacy: recall {total.recall:.1%} (target 100%), precision {total.precision:.2%} "
        f"(target >= 99%): {'met' if met else 'NOT MET'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
