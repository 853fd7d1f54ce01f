"""Memory on a journal at the size cap: peak RSS <= 2x the journal's size + 200 MB (issue 10).

Run with `make bench` (or `python bench/bench_memory.py [--mb 62]`). The journal is the
fixture repeated up to just under the default cap of 64 MB (so every date is written many
times: a hostile shape, not a career). Each command runs as a user runs it, through the
installed console script in a fresh process, offline; peak memory is the child's own max RSS
(wait4). Exits 1 when a command goes over the bound.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import BIN, FIXTURE

COMMANDS: dict[str, list[str]] = {
    "week": ["week", "2020-02-24", "-f", "json"],
    "month": ["month", "2020-02", "-f", "json"],
    "stats": ["stats"],
    "questions --open": ["questions", "--open"],
    "todos --open": ["todos", "--open"],
    "check": ["check"],
}
MB = 1_000_000


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (bytes) of one command run in a fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    if code not in (0, 1, 3):  # check exits 1 on a journal with warnings
        raise SystemExit(f"{' '.join(argv)} exited {code}: {err.strip()[-300:]}")
    return seconds, usage.ru_maxrss * 1024


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
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(work),
            "XDG_CACHE_HOME": str(work / "cache"),
            "XDG_CONFIG_HOME": str(work / "config"),
            "XDG_STATE_HOME": str(work / "state"),
            "XDG_DATA_HOME": str(work / "data"),
            "REVIEWER_JOURNAL": str(journal),
            "REVIEWER_OFFLINE": "1",
            "REVIEWER_TZ": "UTC",
        }
        print(f"== a journal at the size cap: {size / MB:.1f} MB, bound {bound / MB:.0f} MB ==")
        over = []
        for name, argv in COMMANDS.items():
            seconds, peak = _run([str(BIN / "reviewer"), *argv], env)
            print(f"  {name:<18} {seconds:6.1f} s  peak {peak / MB:5.0f} MB")
            if peak > bound:
                over.append(f"{name} {peak / MB:.0f} MB")
    if over:
        print("  NOT MET: " + "; ".join(over))
        raise SystemExit(1)
    print("  every command within the bound")


if __name__ == "__main__":
    main()
