"""Deliver a digest: archive it, decide per recipient from the ledger, send, record.

The order is the point: the digest is on disk before anything is sent; the ledger lock is
held from the decision to the last record, so two runs at once send once; a recipient is
recorded only after the server accepted the message for them.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from reviewer.delivery.archive import archive_week
from reviewer.delivery.message import Address, build_message, message_id, parse_address, subject_for
from reviewer.delivery.sent import Ledger, Sent
from reviewer.delivery.smtp import Connection, Outgoing, SmtpServer, connect, send_all
from reviewer.errors import ConfigError
from reviewer.models import Digest
from reviewer.render.render import render

__all__ = ["Report", "Transport", "check_server", "deliver"]


@dataclass(frozen=True, slots=True)
class Transport:
    """How messages leave: tests swap the connection, the backoff and the sleep."""

    open_connection: Callable[[SmtpServer], Connection] = connect
    backoff: Sequence[float] | None = None  # None: smtp.BACKOFF
    sleep: Callable[[float], None] | None = None  # None: time.sleep
    lock_timeout: float = 600.0


@dataclass(slots=True)
class Report:
    """What a delivery did."""

    archive: Path
    sent: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def check_server(server: SmtpServer) -> None:
    """Refuse server settings that cannot work or would leak the password."""
    if not server.host:
        raise ConfigError(
            "no SMTP server: set REVIEWER_SMTP_HOST (or host under [smtp] in config.toml)"
        )
    if server.user and server.security == "none" and not _loopback(server.host):
        raise ConfigError(
            f"refusing to send the SMTP password unencrypted to {server.host}: set "
            "REVIEWER_SMTP_SECURITY to starttls or ssl"
        )


def deliver(
    digest: Digest,
    *,
    server: SmtpServer,
    sender: str,
    recipients: Sequence[str],
    subject_template: str,
    data_dir: Path,
    state_dir: Path,
    now: Callable[[], datetime],
    force: bool = False,
    quiet_since: str = "",
    transport: Transport = Transport(),  # frozen: one shared default is safe
    say: Callable[[str], None] = lambda _: None,
) -> Report:
    """Archive `digest`, then mail it to each recipient the ledger says has not had it.

    `quiet_since` (an ISO week) marks `digest` as the note for a quiet journal whose last
    entry is in that week: a recipient who had any mail for a later week has had the note."""
    week = digest.week.iso
    stem, digest_hash, renderings = archive_week(digest, data_dir)
    html = renderings["html"]
    say(f"archived {week} to {stem}.{{md,html,json}}")
    report = Report(archive=stem)

    # Checked after archiving: a bad mail setting must not cost the week's digest.
    check_server(server)
    from_addr = parse_address(sender, "REVIEWER_MAIL_FROM / mail.from") if sender else None
    if from_addr is None:
        raise ConfigError("no sender: set REVIEWER_MAIL_FROM (or from under [mail])")
    if not recipients:
        raise ConfigError("no recipient: pass --to ADDRESS or set REVIEWER_MAIL_TO")
    to = _unique([parse_address(r, "recipient (--to / REVIEWER_MAIL_TO)") for r in recipients])
    subject = subject_for(digest, subject_template)
    text = render(digest, "text")

    ledger = Ledger(state_dir)
    with ledger.locked(transport.lock_timeout):
        outgoing: list[Outgoing] = []
        for rcpt in to:
            if quiet_since and not force and ledger.sent_after(quiet_since, rcpt.addr):
                say(
                    f"{week}: the journal is quiet since {quiet_since} and {rcpt.addr} "
                    "had the note already: nothing sent"
                )
                report.skipped.append(rcpt.addr)
                continue
            previous = ledger.last_sent(week, rcpt.addr)
            if previous is not None and not force:
                say(_why_not(week, rcpt.addr, previous, digest_hash))
                report.skipped.append(rcpt.addr)
                continue
            msg_id = message_id(week, digest_hash, rcpt.addr, from_addr)
            message = build_message(
                subject=subject,
                sender=from_addr,
                recipient=rcpt,
                text=text,
                html=html,
                msg_id=msg_id,
                week=week,
                now=now(),
            )
            outgoing.append(Outgoing(message, from_addr.addr, rcpt.addr))

        def on_sent(item: Outgoing) -> None:
            ledger.record(
                Sent(
                    week=week,
                    recipient=item.recipient,
                    digest_hash=digest_hash,
                    message_id=str(item.message["Message-ID"]),
                    sent_at=now().isoformat(timespec="seconds"),
                    forced=force,
                )
            )
            report.sent.append(item.recipient)
            say(f"sent {week} to {item.recipient} ({item.message['Message-ID']})")

        if outgoing:
            send_all(
                outgoing,
                server,
                on_sent,
                open_connection=transport.open_connection,
                backoff=transport.backoff,
                sleep=transport.sleep,
                say=say,
            )
    return report


def _why_not(week: str, recipient: str, previous: Sent, digest_hash: str) -> str:
    if previous.digest_hash == digest_hash:
        return (
            f"{week} was already sent to {recipient} on {previous.sent_at}; --force sends it again"
        )
    return (
        f"{week} was sent to {recipient} on {previous.sent_at}, but the digest has changed "
        "since (the journal was edited?); not resending: --force sends the new one"
    )


def _unique(addresses: list[Address]) -> list[Address]:
    seen: set[str] = set()
    kept = []
    for address in addresses:
        if address.addr.lower() not in seen:
            seen.add(address.addr.lower())
            kept.append(address)
    return kept


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
