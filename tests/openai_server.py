"""A loopback OpenAI-compatible endpoint for clients in another process: answers every chat
completion after a fixed delay with a valid week answer citing a date from the request, and
counts requests.

Loopback only; used where the client is a separate process (the crontab line, the installed
wheel in `make install-check`) and by the bench; in-process tests use respx instead.
"""

from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_HEADING_DATE = re.compile(r"^#+ (\d{4}-\d{2}-\d{2})", re.MULTILINE)


class MockEndpoint:
    """`with MockEndpoint(delay=0.5) as mock:` then point OPENAI_BASE_URL at `mock.url`."""

    def __init__(self, delay: float = 0.5) -> None:
        self.delay = delay
        self.requests = 0
        self.bodies: list[dict[str, Any]] = []  # every request, in order
        self.in_flight = 0
        self.peak = 0
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with endpoint._lock:
                    endpoint.requests += 1
                    endpoint.bodies.append(body)
                    endpoint.in_flight += 1
                    endpoint.peak = max(endpoint.peak, endpoint.in_flight)
                try:
                    time.sleep(endpoint.delay)
                    reply = endpoint.answer(body)
                finally:
                    with endpoint._lock:
                        endpoint.in_flight -= 1
                data = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """A chat completion whose content is a week answer grounded in the request's dates."""
        text = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
        # The week's entries are sent under their date headings: a highlight for each of the
        # first three, as a good answer has (one citing a date from elsewhere in the request
        # is dropped, and an answer with too few highlights is asked again by `weeks`).
        days = list(dict.fromkeys(_HEADING_DATE.findall(text)))[:3]
        dates = _DATE.findall(text)
        cited = days[:1] or dates[-1:]
        highlights = [
            {"text": f"Worked on the paper's figures, part {n}.", "dates": [day]}
            for n, day in enumerate(days, start=1)
        ] or [{"text": "Worked on the paper's figures.", "dates": cited}]
        content = {
            "summary": "A week of experiments and writing.",
            "highlights": highlights,
            "themes": ["writing"],
            "next_week": [{"text": "Finish the figures.", "dates": cited, "kind": "todo"}],
        }
        return {
            "id": f"chatcmpl-{self.requests}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": body.get("model", "mock"),
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": json.dumps(content)},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
        }

    def __enter__(self) -> MockEndpoint:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
