"""Backfill benchmark (issue 5), side by side in one run.

The fixture's 21 weeks (2019-10-07 to 2020-03-01) against a local OpenAI-compatible mock that
takes 0.5 s a call: concurrency 4 against concurrency 1 (target: at least 3.2x faster), then a
fully cached rerun (target: no requests, under 2 s).

Measured two ways, each with an empty cache and archive per run:
- the backfill itself (`backfill()` in this process, the client library already imported):
  what concurrency buys;
- the whole CLI in a subprocess (`reviewer weeks`), as a user runs it: this adds a fixed
  start-up (Python, importing openai and the tokenizer: about a second) to both sides, which
  caps the ratio (21 calls in 6 rounds of 4: 3.5x at zero overhead).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from bench_core import user_env
from openai_server import MockEndpoint

ROOT = Path(__file__).resolve().parent.parent
REVIEWER = Path(sys.executable).parent / "reviewer"
RANGE = ["--from", "2019-10-07", "--to", "2020-03-01"]


def _env(home: Path, url: str) -> dict[str, str]:
    return user_env(
        home,
        OPENAI_BASE_URL=url,
        OPENAI_API_KEY="sk-bench-not-a-key",
        REVIEWER_TODAY="2020-03-08",
    )


def _run(env: dict[str, str], *extra: str) -> float:
    start = time.perf_counter()
    subprocess.run(
        [str(REVIEWER), "weeks", *RANGE, "-j", str(ROOT / "fixtures" / "journal.md"), *extra],
        check=True,
        capture_output=True,
        env=env,
    )
    return time.perf_counter() - start


def _in_process(url: str, concurrency: int, home: Path) -> float:
    from datetime import date

    from reviewer.journal.source import load_journal
    from reviewer.llm.cache import EndpointModes, ResponseCache
    from reviewer.llm.openai_backend import OpenAIBackend
    from reviewer.review.backfill import backfill, weeks_between

    journal = load_journal(ROOT / "fixtures" / "journal.md")
    backend = OpenAIBackend(
        "gpt-4o-mini",
        url,
        "sk-bench-not-a-key",
        cache=ResponseCache(home / "cache"),
        modes=EndpointModes(home / "cache"),
        concurrency=concurrency,
    )
    start = time.perf_counter()
    backfill(
        journal,
        weeks_between(date(2019, 10, 7), date(2020, 3, 1)),
        date(2020, 3, 8),
        backend,
        home / "data",
        concurrency=concurrency,
    )
    return time.perf_counter() - start


def main() -> None:
    """Print the backfill benchmark."""
    print("== backfill of 21 weeks against a mock endpoint taking 0.5 s a call ==")
    sys.path.insert(0, str(ROOT))
    import openai  # noqa: F401  (imported before timing: the in-process rows time the backfill)

    with MockEndpoint(delay=0.5) as mock, tempfile.TemporaryDirectory() as tmp:
        inner = {c: _in_process(mock.url, c, Path(tmp) / f"in{c}") for c in (1, 4)}
        print(
            f"  backfill()  concurrency 1 {inner[1]:6.2f} s, concurrency 4 {inner[4]:6.2f} s: "
            f"{inner[1] / inner[4]:.2f}x   (target >= 3.2x)"
        )
        rows = []
        for concurrency in (1, 4):
            home = Path(tmp) / f"c{concurrency}"
            before = mock.requests
            mock.peak = 0
            seconds = _run(_env(home, mock.url), "--concurrency", str(concurrency))
            rows.append((concurrency, seconds, mock.requests - before, mock.peak))
        for concurrency, seconds, requests, peak in rows:
            print(
                f"  reviewer weeks --concurrency {concurrency}  {seconds:6.2f} s   "
                f"{requests} requests, at most {peak} at once"
            )
        speedup = rows[0][1] / rows[1][1]
        print(f"  CLI speed-up                      {speedup:6.2f}x   (start-up included)")
        before = mock.requests
        warm = [_run(_env(Path(tmp) / "c4", mock.url)) for _ in range(3)]
        warm.sort()
        requests = mock.requests - before
        print(
            f"  cached rerun (CLI, median of 3)   {warm[1]:6.2f} s   {requests} requests "
            "(targets: 0 requests, < 2 s)"
        )


if __name__ == "__main__":
    main()
