"""Memory on a journal at the size cap: peak RSS <= 2x the journal's size + 200 MB (issue 10).

Run with `make bench` (or `python bench/bench_memory.py [--mb 62]`). The journal is the
fixture repeated up to just under the default cap of 64 MB (so every date is written many
times: a hostile shape, not a career). Each command runs as a user runs it, through the
installed console script in a fresh process, offline; peak memory is the command's own max RSS
(`run_measured`). Exits 1 when a command goes over the bound.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import BIN, FIXTURE, run_measured, user_env, verdict

COMMANDS: dict[str, list[str]] = {
    "week": ["week", "2020-02-24", "-f", "json"],
    "month": ["month", "2020-02", "-f", "json"],
    "stats": ["stats"],
    "questions --open": ["questions", "--open"],
    "todos --open": ["todos", "--open"],
    "check": ["check"],
}
MB = 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=float, default=62.0, help="journal size in MB")
    args = parser.parse_args()
    fixture = FIXTURE.read_bytes()
    with tempfile.TemporaryDirectory(prefix="reviewer-memory-") as tmp:
        work = Path(tmp)
        journal = work / "journal.md"
        journal.write_bytes(fixture * max(1, int(args.mb * MB) // len(fixture)))
        size = journal.stat().st_size
        bound = 2 * size + 200 * MB
        env = user_env(work, REVIEWER_JOURNAL=str(journal), REVIEWER_OFFLINE="1")
        print(f"== a journal at the size cap: {size / MB:.1f} MB, bound {bound / MB:.0f} MB ==")
        over = []
        for name, argv in COMMANDS.items():
            # check exits 1 on a journal with warnings (every date is written many times)
            seconds, peak = run_measured([str(BIN / "reviewer"), *argv], env, ok=(0, 1, 3))
            print(f"  {name:<18} {seconds:6.1f} s  peak {peak / MB:5.0f} MB")
            if peak > bound:
                over.append(f"{name} {peak / MB:.0f} MB")
    verdict(over, "every command within the bound")


if __name__ == "__main__":
    main()
