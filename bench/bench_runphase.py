"""A warm week's own work, beyond imports, with little of the VM's noise (issue 12).

Run with `make bench` (or `python bench/bench_runphase.py [--trials N]`). `bench_scale.py`
times whole processes. On a shared 2-core VM its medians move 20-30% from run to run (steal
time; `reviewer --version` alone took 92-154 ms in one session), which is more than 30 years add
to a warm week. So `bench_scale` cannot tell a 10 ms change from noise. Here the CLI is
imported once, and each trial is a child forked from this process that runs `reviewer week`
on caches an earlier run filled. A trial is then the command's own work (reading the journal
and its caches, the ledgers, the review, the rendering), and the least of many trials is that
work with the least noise.

It prints, for the fixture and a generated 30-year journal: the run phase of a warm `week` and
of a warm+1 one (an entry added on top, its caches restored for each trial), as min and median,
and what 30 years add to each. It sets no target; it shows by how much a change moved the warm
week. Each ratio in `bench_scale` is (imports + this) / (imports + the fixture's).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import pkgutil
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import FIXTURE, compile_package, generate_journal, user_env

ARGV = ["reviewer", "week", "2029-12-31", "-f", "json"]  # bench_scale's week
ADDED = "\n### 2030-01-01\n\n* one more day: a new entry\n"


def _import_all() -> None:
    """Import every module of the package, and what typer imports to read the arguments
    (pydantic), once: each trial forks from here, so that none of it is in a trial."""
    import reviewer

    for module in pkgutil.walk_packages(reviewer.__path__, "reviewer."):
        if module.name != "reviewer.__main__":
            importlib.import_module(module.name)
    importlib.import_module("typer._adapters")


def _trial() -> float:
    """Seconds one `reviewer week` takes in a child forked from this process."""
    from reviewer.cli.app import main

    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: runs the command, says how long it took, and leaves
        os.close(read_end)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        sys.stdout, sys.argv = io.StringIO(), list(ARGV)
        start = time.perf_counter()
        with contextlib.suppress(SystemExit):
            main()
        os.write(write_end, repr(time.perf_counter() - start).encode())
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        said = answer.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not said:
        raise SystemExit(f"a trial failed (status {status})")
    return float(said)


def _phases(text: str, home: Path, trials: int) -> tuple[list[float], list[float]]:
    """The warm and warm+1 trials of one journal."""
    journal = home / "journal.md"
    journal.write_text(text, encoding="utf-8")
    os.environ.update(
        user_env(
            home,
            REVIEWER_JOURNAL=str(journal),
            REVIEWER_OFFLINE="1",
            REVIEWER_TODAY="2030-01-01",
            REVIEWER_TZ="UTC",
        )
    )
    _trial()  # cold: fills the caches
    warm = [_trial() for _ in range(trials)]
    head, _, rest = text.partition("\n### ")
    journal.write_text(f"{head}{ADDED}\n### {rest}", encoding="utf-8")
    cache, kept = home / "cache", home / "cache-warm"
    shutil.copytree(cache, kept)
    plus = []
    for _ in range(trials):
        shutil.rmtree(cache)
        shutil.copytree(kept, cache)
        plus.append(_trial())
    return warm, plus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=15)
    args = parser.parse_args()
    compile_package()
    _import_all()

    texts = {
        "fixture": FIXTURE.read_text(encoding="utf-8"),
        "30y": generate_journal(365 * 30),
    }
    print("== a warm week's run phase (imports done once; min / median of forked trials) ==")
    found: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory(prefix="reviewer-runphase-") as tmp:
        for label, text in texts.items():
            home = Path(tmp) / label
            home.mkdir()
            warm, plus = _phases(text, home, args.trials)
            found[label] = (min(warm), min(plus))
            print(
                f"  {label:<8} warm {min(warm) * 1000:6.1f} / {statistics.median(warm) * 1000:6.1f}"
                f" ms   warm+1 {min(plus) * 1000:6.1f} / {statistics.median(plus) * 1000:6.1f} ms"
            )
    (fixture_warm, _), (warm30, plus30) = found["fixture"], found["30y"]
    print(
        f"  30 years add (min): warm {(warm30 - fixture_warm) * 1000:.1f} ms, "
        f"warm+1 {(plus30 - fixture_warm) * 1000:.1f} ms over the fixture's warm week"
    )


if __name__ == "__main__":
    main()
