"""The recorded-answer corpus, served through the real openai client, and what each answer gives.

    cases.json       one row per recorded answer: journal, week, quality, the slips it makes,
                     the highlights it gets right (a substring of each), what the digest must
                     show and must never show
    answers/*.reply  the answer exactly as the model sent it (the message content)

`run_case` starts a loopback OpenAI-compatible server that answers every chat completion with
the recorded reply, runs the week review through `OpenAIBackend` (the real openai client, the
real prompt, redaction, checks and fallbacks), renders md, text and html, and measures. No
instruction-following model is reachable from these machines: the answers were written for
the exact requests `reviewer` sends (see `reviewer week … --dry-run`), as an excellent model
answers and as mediocre ones do.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

from reviewer.facts.calendar import parse_week
from reviewer.journal.source import load_journal
from reviewer.llm.budget import counter_for
from reviewer.llm.cache import EndpointModes, ResponseCache
from reviewer.llm.openai_backend import OpenAIBackend
from reviewer.llm.schema import AnswerError, WeekAnswer, parse_answer
from reviewer.render.render import render
from reviewer.review.week import build_digest, week_facts
from tests import llm_support  # noqa: F401  (no tokenizer download: offline counts)

__all__ = ["CASES", "Case", "Outcome", "run_case", "serve", "table"]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
MODEL = "gpt-4o-mini"
FORMATS = ("md", "text", "html")
# A placeholder as it would reach a reader, bent or not, in text or escaped in HTML.
_SHOWN_PLACEHOLDER = re.compile(
    r"(?:<|＜|&lt;)\s*(?:ip|host|user|port|email|secret|password|private[-_ ]?key|private|literal"
    r"|account|id|name|path|phone)"
    r"(?:[-_ ]?[0-9]+)?\s*(?:>|＞|&gt;)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Case:
    name: str
    journal: str
    week: str
    today: str
    quality: str
    slips: list[str]
    correct: list[str]  # a substring of each highlight the answer gets right
    must_show: list[str] = field(default_factory=list)  # in every format
    must_not_show: list[str] = field(default_factory=list)  # in no format

    @property
    def reply(self) -> str:
        return (HERE / "answers" / f"{self.name}.reply").read_text(encoding="utf-8")


def _cases() -> list[Case]:
    rows = json.loads((HERE / "cases.json").read_text(encoding="utf-8"))
    return [Case(**row) for row in rows]


CASES = _cases()


@dataclass
class Outcome:
    """What one recorded answer gave, as `make eval-llm` prints it."""

    case: Case
    claims: int  # highlights and next-week items in the answer as parsed
    kept: int
    dropped: int
    repaired: int
    placeholder_errors: int  # bent placeholders that stood for nothing (their claims dropped)
    correct_lost: list[str]  # correct highlights that did not reach the digest
    broken_shown: int  # placeholders a reader would see, over md, text and html
    wrong_restored: list[str]  # what must never be shown and was, or must be and was not
    fallbacks: list[str]
    footer_says_drops: bool  # every format's footer reports the drops, when there are any
    requests: int
    rendered: dict[str, str]


class _Handler(BaseHTTPRequestHandler):
    reply = ""
    requests: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        type(self).requests.append(json.loads(self.rfile.read(length)))
        body = {
            "id": "chatcmpl-recorded",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": MODEL,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": type(self).reply},
                }
            ],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 400, "total_tokens": 1400},
        }
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        return


@contextmanager
def serve(reply: str) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A loopback OpenAI-compatible endpoint answering every request with `reply`."""
    handler = type("Recorded", (_Handler,), {"reply": reply, "requests": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1", handler.requests
    finally:
        server.shutdown()
        server.server_close()


def _claims(reply: str) -> int:
    try:
        answer = parse_answer(reply, "week")
    except AnswerError:
        return 0
    assert isinstance(answer, WeekAnswer)
    return len(answer.highlights) + len(answer.next_week)


def _literals(journal_text: str) -> set[str]:
    """Placeholder-like text the journal itself writes: shown as written, never an error."""
    found = set(_SHOWN_PLACEHOLDER.findall(journal_text))
    return found | {t.replace("<", "&lt;").replace(">", "&gt;") for t in found}


def run_case(case: Case, cache_dir: Path) -> Outcome:
    """The recorded answer of `case` through the real client, checked and rendered."""
    path = ROOT / case.journal
    journal = load_journal(path)
    today = date.fromisoformat(case.today)
    facts = week_facts(journal, parse_week(case.week, today), today)
    with serve(case.reply) as (base_url, requests):
        backend = OpenAIBackend(
            MODEL,
            base_url,
            "sk-recorded-0123456789abcdef",
            cache=ResponseCache(cache_dir),
            modes=EndpointModes(cache_dir),
            counter=lambda: counter_for(MODEL),
            sleep=lambda seconds: None,
        )
        summary = backend.summarize(facts)
    digest = build_digest(journal, facts, summary)
    rendered = {fmt: render(digest, fmt) for fmt in FORMATS}
    literals = _literals(path.read_text(encoding="utf-8"))
    broken = sum(
        1
        for text in rendered.values()
        for token in _SHOWN_PLACEHOLDER.findall(text)
        if token.replace("&lt;", "<").replace("&gt;", ">") not in literals
    )
    texts = [h.text for h in summary.highlights]
    lost = [c for c in case.correct if not any(c in t for t in texts)]
    wrong = [f"shown: {s}" for s in case.must_not_show if any(s in r for r in rendered.values())]
    wrong += [
        f"not shown as written: {s}"
        for s in case.must_show
        if not all(s in r or _escaped(s) in r or _inert(s) in r for r in rendered.values())
    ]
    claims = _claims(case.reply)
    # The footer is the end of each format (the html's closes a table after it).
    footer_ok = not summary.dropped_claims or all(
        f"{summary.dropped_claims} claim" in text[-1500:] for text in rendered.values()
    )
    return Outcome(
        case=case,
        claims=claims,
        kept=claims - summary.dropped_claims if not summary.degraded else 0,
        dropped=summary.dropped_claims,
        repaired=summary.repaired_claims,
        placeholder_errors=summary.placeholder_errors,
        correct_lost=lost,
        broken_shown=broken,
        wrong_restored=wrong,
        fallbacks=summary.fallbacks + ([summary.degraded_reason] if summary.degraded else []),
        footer_says_drops=footer_ok,
        requests=len(requests),
        rendered=rendered,
    )


def _inert(text: str) -> str:
    """As the md digest writes it: a `<` that could open a tag is `&lt;`."""
    return text.replace("<", "&lt;")


def _escaped(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def table(outcomes: list[Outcome]) -> str:
    """The eval table: one row per recorded answer, then the targets."""
    head = (
        f"{'answer':<28} {'quality':<9} {'claims':>6} {'kept':>4} {'drop':>4} {'rep':>3} "
        f"{'ph.err':>6} {'lost':>4} {'broken':>6} {'wrong':>5}  fallbacks"
    )
    lines = [head, "-" * len(head)]
    for o in outcomes:
        lines.append(
            f"{o.case.name:<28} {o.case.quality:<9} {o.claims:>6} {o.kept:>4} {o.dropped:>4} "
            f"{o.repaired:>3} {o.placeholder_errors:>6} {len(o.correct_lost):>4} "
            f"{o.broken_shown:>6} {len(o.wrong_restored):>5}  {'; '.join(o.fallbacks)[:70]}"
        )
    correct = sum(len(o.case.correct) for o in outcomes)
    lost = sum(len(o.correct_lost) for o in outcomes)
    lines += [
        "",
        f"correct highlights kept: {correct - lost}/{correct} (target: all)",
        f"broken placeholders reaching the reader: {sum(o.broken_shown for o in outcomes)}"
        " (target: 0)",
        f"wrong restorations: {sum(len(o.wrong_restored) for o in outcomes)} (target: 0)",
        f"answers whose footer misses its drops: "
        f"{sum(not o.footer_says_drops for o in outcomes)} (target: 0)",
    ]
    for o in outcomes:
        for miss in o.correct_lost:
            lines.append(f"  {o.case.name}: lost correct highlight {miss!r}")
        for miss in o.wrong_restored:
            lines.append(f"  {o.case.name}: {miss}")
    return "\n".join(lines)
