"""A hostile OpenAI-compatible server on the loopback interface: it drips, floods, answers
HTML or bad bytes, and echoes the API key back, as a careless or malicious endpoint might."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

WEEK = {
    "summary": "A week of plots.",
    "highlights": [{"text": "sample eff plot", "dates": ["2020-02-26"]}],
    "themes": ["plots"],
    "next_week": [{"text": "fix the bug", "dates": ["2020-02-24"], "kind": "todo"}],
}


def _completion(content: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-hostile",
            "object": "chat.completion",
            "created": 0,
            "model": "gpt-4o-mini",
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": content},
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
        }
    ).encode()


class Hostile(ThreadingHTTPServer):
    daemon_threads = True
    mode = "ok"
    requests: list[dict[str, Any]]


class _Handler(BaseHTTPRequestHandler):
    server: Hostile

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        key = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        self.server.requests.append({"path": self.path, "key": key, "body": body})
        mode = self.server.mode
        try:
            if mode == "drip":
                self._drip()
            elif mode == "drip-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                while True:
                    self.wfile.write(b"X")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif mode == "huge":  # declared: refused before it is read
                self._send(_completion("x" * (4 * 2**20)))
            elif mode == "huge-stream":  # no content-length: read until the bound
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"choices": [{"message": {"content": "')
                for _ in range(64):
                    self.wfile.write(b"x" * 2**16)
            elif mode == "html":
                self._send(b"<!doctype html><html><body>Open WebUI</body></html>", "text/html")
            elif mode == "bad-bytes":
                self._send(b'{"id": "\xff\xfe\xfa", "choices": [\xc3\x28]}')
            elif mode == "bad-bytes-text":
                self._send(b"\xff\xfe\xfa\xc3\x28 not json", "text/plain")
            elif mode == "key-error":
                message = f"Incorrect API key provided: {key}. Find your key at ..."
                self._send(json.dumps({"error": {"message": message}}).encode(), status=400)
            elif mode == "key-answer":
                week = dict(WEEK, summary=f"Your key is {key}, and a week of plots.")
                self._send(_completion(json.dumps(week)))
            else:
                self._send(_completion(json.dumps(WEEK)))
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _send(self, data: bytes, kind: str = "application/json", status: int = 200) -> None:
        self.send_response(status)
        self.send_header("content-type", kind)
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _drip(self) -> None:
        data = _completion(json.dumps(WEEK))
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        for byte in data:
            self.wfile.write(bytes([byte]))
            self.wfile.flush()
            time.sleep(0.2)


@contextmanager
def hostile_server(mode: str = "ok") -> Iterator[Hostile]:
    """A server on 127.0.0.1 answering in `mode` (set `.mode` to change it); `.base_url`."""
    server = Hostile(("127.0.0.1", 0), _Handler)
    server.mode = mode
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def base_url(server: Hostile) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}/v1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
