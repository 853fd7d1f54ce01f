"""Hand messages to an SMTP server, retrying what may pass later (I/O; the connection injectable).

    MailError(ReviewerError)     one line for the user
      exit 75 (EX_TEMPFAIL)      connection refused or dropped, timeout, 4xx replies: retried
                                 with backoff first, then given up for this run
      exit 69 (EX_UNAVAILABLE)   5xx replies, certificate or STARTTLS problems: retrying
                                 cannot help
      exit 78 (EX_CONFIG)        the server refused the login (535): fix user or password

Each message goes to one recipient in its own transaction, and `on_sent` is called the moment
the server has accepted it (250 after DATA), so the caller's ledger never records a message the
server did not take, and a retry resends only what is still pending.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Protocol

from reviewer.errors import EXIT_CONFIG, EXIT_TEMPFAIL, EXIT_UNAVAILABLE, ReviewerError

__all__ = [
    "BACKOFF",
    "Connection",
    "MailError",
    "Outgoing",
    "SmtpServer",
    "connect",
    "send_all",
]

log = logging.getLogger("reviewer.delivery.smtp")

# Seconds to wait before the 2nd, 3rd and 4th attempt: long enough for greylisting's usual
# first-retry window and a server restart, short enough for a cron job (2.5 minutes at most).
BACKOFF: tuple[float, ...] = (5.0, 30.0, 120.0)
DEFAULT_PORTS = {"ssl": 465, "starttls": 587, "none": 25}


class MailError(ReviewerError):
    """A message could not be handed over; the exit code says whether to try again later."""

    exit_code = EXIT_TEMPFAIL


class Connection(Protocol):
    """The part of smtplib.SMTP used here, so tests can pass their own."""

    def send_message(
        self,
        msg: EmailMessage,
        from_addr: str | None = ...,
        to_addrs: str | Sequence[str] | None = ...,
    ) -> object: ...

    def quit(self) -> object: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class SmtpServer:
    """Where and how to connect. `context` verifies certificates (tests pass their own CA)."""

    host: str
    port: int = 0
    security: str = "starttls"  # none | starttls | ssl
    user: str = ""
    password: str = field(default="", repr=False)
    timeout: float = 30.0
    context: ssl.SSLContext | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        """host:port as connected to."""
        return f"{self.host}:{self.port or DEFAULT_PORTS[self.security]}"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message for one recipient."""

    message: EmailMessage
    sender: str
    recipient: str


def connect(server: SmtpServer) -> smtplib.SMTP:
    """An open, secured and logged-in connection to `server`."""
    port = server.port or DEFAULT_PORTS[server.security]
    # Never smtplib's default of no verification (NOTES: the Airflow bug).
    context = server.context or ssl.create_default_context()
    conn: smtplib.SMTP
    if server.security == "ssl":
        conn = smtplib.SMTP_SSL(server.host, port, timeout=server.timeout, context=context)
    else:
        conn = smtplib.SMTP(server.host, port, timeout=server.timeout)
    try:
        if server.security == "starttls":
            conn.ehlo()
            if not conn.has_extn("starttls"):
                raise MailError(
                    f"SMTP {server.address}: the server does not offer STARTTLS; set "
                    "REVIEWER_SMTP_SECURITY=ssl (port 465) if it speaks TLS from the start",
                    EXIT_UNAVAILABLE,
                )
            conn.starttls(context=context)
            conn.ehlo()
        if server.user:
            conn.login(server.user, server.password)
    except BaseException:
        conn.close()
        raise
    return conn


def probe(server: SmtpServer) -> str:
    """Connect, secure and log in as a send would, then hang up without sending: what was
    done, or MailError saying what failed."""
    try:
        conn = connect(server)
        try:
            conn.noop()
        finally:
            conn.quit()
    except MailError:
        raise
    except (smtplib.SMTPException, OSError) as err:
        raise _classify(err, server, "connecting") from None
    secured = {"none": "no TLS (loopback)", "starttls": "STARTTLS", "ssl": "TLS"}[server.security]
    login = f", logged in as {server.user}" if server.user else ""
    return (
        f"{server.address}: {secured}{login}, certificate verified"
        if (server.security != "none")
        else f"{server.address}: connected{login} without TLS"
    )


def send_all(
    outgoing: Sequence[Outgoing],
    server: SmtpServer,
    on_sent: Callable[[Outgoing], None],
    *,
    open_connection: Callable[[SmtpServer], Connection] = connect,
    backoff: Sequence[float] | None = None,
    sleep: Callable[[float], None] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    """Send every message, retrying temporary failures; MailError if any is left unsent.

    `backoff` (default BACKOFF, read at call time so tests can shorten it) gives the waits
    between attempts; `sleep` (default time.sleep) does the waiting.
    """
    backoff = BACKOFF if backoff is None else backoff
    sleep = sleep or time.sleep
    pending = list(outgoing)
    refused: list[str] = []
    for attempt in range(len(backoff) + 1):
        try:
            _one_attempt(pending, server, on_sent, open_connection, refused)
        except MailError as err:
            if err.exit_code != EXIT_TEMPFAIL or attempt == len(backoff):
                raise
            say(f"{err}; retrying in {backoff[attempt]:g} s")
            sleep(backoff[attempt])
            continue
        break
    if refused:
        raise MailError("; ".join(refused), EXIT_UNAVAILABLE)


def _one_attempt(
    pending: list[Outgoing],
    server: SmtpServer,
    on_sent: Callable[[Outgoing], None],
    open_connection: Callable[[SmtpServer], Connection],
    refused: list[str],
) -> None:
    """Send what is pending over one connection, taking each message off `pending` once the
    server accepted it (or refused it for good, noted in `refused`); a temporary failure
    raises, and what is left on `pending` is what the next attempt sends."""
    try:
        conn = open_connection(server)
    except MailError:
        raise
    except Exception as err:
        raise _classify(err, server, "connecting") from None
    try:
        while pending:
            item = pending[0]
            try:
                conn.send_message(item.message, item.sender, [item.recipient])
            except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as err:
                failure = _classify(err, server, f"sending to {item.recipient}")
                if failure.exit_code == EXIT_TEMPFAIL:
                    raise failure from None
                refused.append(str(failure))  # this recipient only; the others still go
                pending.pop(0)
                continue
            except Exception as err:
                raise _classify(err, server, f"sending to {item.recipient}") from None
            pending.pop(0)
            on_sent(item)
    finally:
        try:
            conn.quit()
        except Exception:  # the server may be gone already; the outcome is decided
            conn.close()


def _classify(err: BaseException, server: SmtpServer, doing: str) -> MailError:
    """One line and an exit code for whatever smtplib, ssl or the socket raised."""
    where = f"SMTP {server.address}"
    if isinstance(err, smtplib.SMTPAuthenticationError):
        code = err.smtp_code
        reply = _reply(err.smtp_error)
        if 400 <= code < 500:
            return MailError(f"{where}: login failed for now ({code} {reply})", EXIT_TEMPFAIL)
        return MailError(
            f"{where}: login refused ({code} {reply}); check REVIEWER_SMTP_USER and "
            "REVIEWER_SMTP_PASSWORD",
            EXIT_CONFIG,
        )
    if isinstance(err, smtplib.SMTPRecipientsRefused):
        code, raw = next(iter(err.recipients.values()), (550, b"refused"))
        return _by_code(code, _reply(raw), where, doing)
    if isinstance(err, smtplib.SMTPResponseException):
        return _by_code(err.smtp_code, _reply(err.smtp_error), where, doing)
    if isinstance(err, smtplib.SMTPServerDisconnected) and isinstance(
        err.__context__, TimeoutError
    ):  # smtplib turns a read timeout into "Connection unexpectedly closed: timed out"
        err = err.__context__
    if isinstance(err, smtplib.SMTPServerDisconnected):
        return MailError(f"{where}: the server closed the connection while {doing}")
    if isinstance(err, smtplib.SMTPNotSupportedError):
        return MailError(f"{where}: {err}", EXIT_UNAVAILABLE)
    if isinstance(err, ssl.SSLCertVerificationError):
        return MailError(
            f"{where}: certificate not trusted ({err.verify_message}); the mail was not sent",
            EXIT_UNAVAILABLE,
        )
    if isinstance(err, ssl.SSLError):
        return MailError(f"{where}: TLS failed ({err.reason or err})", EXIT_UNAVAILABLE)
    if isinstance(err, ConnectionRefusedError):
        return MailError(f"{where}: connection refused (is the server up? is the port right?)")
    if isinstance(err, TimeoutError):
        return MailError(f"{where}: timed out after {server.timeout:g} s while {doing}")
    if isinstance(err, socket.gaierror):
        return MailError(f"{where}: cannot resolve host ({err.strerror})")
    if isinstance(err, OSError):
        return MailError(f"{where}: {err.strerror or err} while {doing}")
    if isinstance(err, smtplib.SMTPException):
        return MailError(f"{where}: {err} while {doing}")
    return MailError(f"{where}: {type(err).__name__}: {err} while {doing}", EXIT_UNAVAILABLE)


def _by_code(code: int, reply: str, where: str, doing: str) -> MailError:
    if 400 <= code < 500:
        return MailError(f"{where}: temporary failure {doing} ({code} {reply})", EXIT_TEMPFAIL)
    return MailError(f"{where}: refused {doing} ({code} {reply})", EXIT_UNAVAILABLE)


def _reply(raw: bytes | str) -> str:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    return " ".join(text.split())[:200]
