"""LLM benchmark: tokens sent for a week, and a warm-cache run against an offline one.

    python bench/bench_llm.py [--runs 7]

1. Prompt tokens of the request for week 2020-02-24 against the week's raw text (target
   <= 1.1x) and against sending the whole journal.
2. Wall time of `reviewer week 2020-02-24` with a warm cache against `--offline` (target
   <= 1.2x), medians of subprocess runs taken alternately, side by side.
3. Requests the warm runs made (target 0), counted by a local mock endpoint on 127.0.0.1 that
   would have answered them.

Everything runs in a temporary HOME/XDG tree; no request leaves the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
JOURNAL = ROOT / "fixtures" / "journal.md"
WEEK = "2020-02-24"
TODAY = "2020-03-08"

ANSWER = {
    "summary": "A week of plots and paper edits.",
    "highlights": [{"text": "sample efficiency experiments nearly done", "dates": ["2020-02-26"]}],
    "themes": ["DSA"],
    "next_week": [{"text": "fix the bug", "dates": ["2020-02-24"], "kind": "todo"}],
}


class _Endpoint(BaseHTTPRequestHandler):
    """A chat-completions endpoint that answers every request the same, and counts them."""

    requests = 0

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length", 0))
        self.rfile.read(length)
        type(self).requests += 1
        body = json.dumps(
            {
                "id": "bench",
                "object": "chat.completion",
                "created": 0,
                "model": "gpt-4o-mini",
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": json.dumps(ANSWER)},
                    }
                ],
                "usage": {"prompt_tokens": 2400, "completion_tokens": 120, "total_tokens": 2520},
            }
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        return


def token_table() -> list[tuple[str, str, str]]:
    import reviewer.llm.budget as budget
    from reviewer.facts.calendar import parse_week
    from reviewer.journal.source import load_journal
    from reviewer.llm.budget import counter_for
    from reviewer.llm.plan import DEFAULT_BUDGET, build_plan
    from reviewer.review.week import week_facts

    budget.download_allowed = False  # no network here: the offline encoding, as users get
    counter = counter_for("gpt-4o-mini")
    journal = load_journal(JOURNAL)
    facts = week_facts(journal, parse_week(WEEK, date.fromisoformat(TODAY)), date(2020, 3, 8))
    raw = "\n".join(
        "#" * e.level + " " + e.heading + "\n" + "\n".join(e.body) for e in facts.entries
    )
    plan = build_plan(facts, "auto", DEFAULT_BUDGET, counter.count_messages)
    sent = sum(counter.count_messages(call.messages) for call in plan.calls)
    week_tokens = counter.count(raw)
    whole = counter.count(JOURNAL.read_text(encoding="utf-8"))
    ratio = sent / week_tokens
    return [
        ("tokenizer", counter.name, ""),
        ("calls for the week", str(len(plan.calls)), ""),
        ("prompt tokens sent", str(sent), ""),
        ("raw week text tokens", str(week_tokens), ""),
        ("sent / raw week", f"{ratio:.3f}x", _verdict(ratio <= 1.1, "<= 1.1x")),
        ("whole journal tokens", str(whole), ""),
        ("sent / whole journal", f"{sent / whole:.3f}x", ""),
    ]


def _verdict(ok: bool, target: str) -> str:
    return f"{'ok' if ok else 'MISSED'} (target {target})"


def _command() -> list[str]:
    script = Path(sys.executable).parent / "reviewer"
    return [str(script)] if script.exists() else [sys.executable, "-m", "reviewer"]


def _run(args: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(
        [*_command(), *args], env=env, capture_output=True, text=True, check=False, cwd=ROOT
    )
    return time.perf_counter() - start, done


def timing_table(runs: int) -> tuple[list[tuple[str, str, str]], bool]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    with tempfile.TemporaryDirectory() as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "XDG_CONFIG_HOME": f"{home}/config",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_STATE_HOME": f"{home}/state",
            "REVIEWER_TODAY": TODAY,
            "OPENAI_API_KEY": "sk-bench-not-a-real-key",
            "OPENAI_BASE_URL": f"http://127.0.0.1:{port}/v1",
        }
        week = ["week", WEEK, "--journal", str(JOURNAL)]
        cold_s, cold = _run([*week, "--format", "json"], env)
        if cold.returncode != 0:
            raise SystemExit(f"cold run failed ({cold.returncode}): {cold.stderr}")
        cold_requests = _Endpoint.requests
        warm_times: list[float] = []
        offline_times: list[float] = []
        for _ in range(runs):  # alternate, so drift in machine load hits both alike
            warm_times.append(_run(week, env)[0])
            offline_times.append(_run([*week, "--offline"], env)[0])
        _, last = _run([*week, "--format", "json"], env)
        meta = json.loads(last.stdout)["meta"]
        warm_requests = _Endpoint.requests - cold_requests
    server.shutdown()
    warm, offline = statistics.median(warm_times), statistics.median(offline_times)
    rows = [
        ("cold run (1 request)", f"{cold_s * 1000:.0f} ms", f"{cold_requests} request(s)"),
        (f"warm run, median of {runs}", f"{warm * 1000:.0f} ms", ""),
        (f"offline run, median of {runs}", f"{offline * 1000:.0f} ms", ""),
        ("warm / offline", f"{warm / offline:.2f}x", _verdict(warm / offline <= 1.2, "<= 1.2x")),
        (
            "requests on warm runs",
            str(warm_requests),
            _verdict(warm_requests == 0 and meta["calls"] == 0, "0"),
        ),
        ("warm meta", f"cached={meta['cached']} calls={meta['calls']}", ""),
    ]
    return rows, warm_requests == 0


def _print(title: str, rows: list[tuple[str, str, str]]) -> None:
    print(f"\n{title}")
    width = max(len(r[0]) for r in rows)
    value_width = max(len(r[1]) for r in rows)
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>{value_width}}  {note}".rstrip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="subprocess runs of each kind")
    args = parser.parse_args()
    _print(f"bench_llm: prompt tokens, week {WEEK}", token_table())
    rows, no_requests = timing_table(args.runs)
    _print(f"bench_llm: warm cache vs offline, `reviewer week {WEEK}`", rows)
    if not no_requests:  # a correctness failure, unlike a slow machine
        raise SystemExit("bench_llm: the warm run made requests")


if __name__ == "__main__":
    main()
