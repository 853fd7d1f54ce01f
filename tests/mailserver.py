"""A real SMTP server in the test process (aiosmtpd on a free loopback port) and a test CA."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "me", "s3cret"


def free_port() -> int:
    """A loopback port nobody listens on (aiosmtpd's Controller cannot take port 0)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Handler:
    """Records what arrives; `replies` scripts the answers to DATA, one per message.

    A scripted reply is an SMTP reply line ("421 busy"), "drop" (close the connection after the
    data arrived, before answering) or "slow" (wait `delay` s, then accept).
    """

    replies: list[str] = field(default_factory=list)
    refuse_rcpt: dict[str, str] = field(default_factory=dict)
    received: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    data_attempts: int = 0
    delay: float = 0.0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.data_attempts += 1
        reply = self.replies.pop(0) if self.replies else "250 OK"
        if reply == "drop":
            server.transport.close()
            return "250 never seen"
        if self.delay:
            await asyncio.sleep(self.delay)
        if reply.startswith("250"):
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return reply

    def messages(self) -> list[EmailMessage]:
        """What arrived, parsed."""
        return [
            message_from_bytes(raw, policy=policy.default)  # type: ignore[misc]
            for _, _, raw in self.received
        ]


def _authenticate(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> Any:
    ok = (
        isinstance(data, LoginPassword)
        and data.login == USER.encode()
        and data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class Server:
    handler: Handler
    port: int
    host: str = "127.0.0.1"

    def env(self, security: str = "none") -> dict[str, str]:
        """The settings that point reviewer at this server."""
        return {
            "REVIEWER_SMTP_HOST": self.host,
            "REVIEWER_SMTP_PORT": str(self.port),
            "REVIEWER_SMTP_SECURITY": security,
            "REVIEWER_MAIL_FROM": "Reviewer <reviewer@example.org>",
            "REVIEWER_MAIL_TO": "me@example.org",
        }


@contextmanager
def running(
    handler: Handler | None = None,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    auth: bool = False,
) -> Iterator[Server]:
    """An SMTP server on a free loopback port, for the duration of the block."""
    handler = handler or Handler()
    port = free_port()
    kwargs: dict[str, Any] = {}
    if starttls is not None:
        kwargs.update(tls_context=starttls, require_starttls=True)
    if auth:
        kwargs.update(authenticator=_authenticate, auth_require_tls=starttls is not None)
    if implicit_tls is not None:
        kwargs.update(ssl_context=implicit_tls)
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    try:
        yield Server(handler, port)
    finally:
        controller.stop()


@contextmanager
def silent_server() -> Iterator[int]:
    """A port that accepts connections and never says a word (for timeouts)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(4)
        yield int(sock.getsockname()[1])
