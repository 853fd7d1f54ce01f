"""The digest as an email message (pure: values in, an EmailMessage out).

Addresses and the subject come from config files, the environment and the command line, so
they are checked here before any header is built: a CR or LF in them would let a value add
headers of its own (header injection). Sending is smtp.py's job; this module never connects.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from email import headerregistry, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses

from reviewer.errors import ConfigError
from reviewer.models import Digest

__all__ = [
    "DEFAULT_SUBJECT",
    "Address",
    "build_message",
    "message_id",
    "parse_address",
    "subject_for",
]

DEFAULT_SUBJECT = "Weekly review {week}: {start} – {end}"
# Any control character, not only CR/LF: none belongs in a header value.
# U+0085, U+2028 and U+2029 are line breaks to Python's email package as well.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_LOCAL_PART = re.compile(r"^[^\s@<>()\[\],;:\"]+$")
_DOMAIN = re.compile(r"^[^\W_](?:[\w.-]*[^\W_])?$")


@dataclass(frozen=True, slots=True)
class Address:
    """One mailbox: a display name (may be empty) and the address the envelope uses."""

    name: str
    addr: str

    def header(self) -> headerregistry.Address:
        """For a From/To header: the policy quotes and encodes the name (`"Doe, J" <a@b>`)."""
        local, _, domain = self.addr.rpartition("@")
        return headerregistry.Address(display_name=self.name, username=local, domain=domain)

    @property
    def domain(self) -> str:
        """The part after the @."""
        return self.addr.rpartition("@")[2]


def parse_address(value: str, where: str) -> Address:
    """A single mailbox from `value` (`a@b` or `Name <a@b>`); ConfigError naming `where`."""
    if _CONTROL.search(value):
        raise ConfigError(f"{where}: an address may not contain line breaks or control characters")
    pairs = getaddresses([value.strip()]) if value.strip() else []
    if len(pairs) != 1 or not pairs[0][1]:
        raise ConfigError(f"{where}: '{value.strip()}' is not one email address")
    name, addr = pairs[0]
    local, _, domain = addr.rpartition("@")
    if not local or not _LOCAL_PART.match(local) or not _DOMAIN.match(domain) or ".." in domain:
        raise ConfigError(f"{where}: '{value.strip()}' is not a valid email address")
    return Address(name=name, addr=addr)


def subject_for(digest: Digest, template: str = "") -> str:
    """The subject line from `template` ({week} {start} {end} {days} {streak} are filled in)."""
    template = template or DEFAULT_SUBJECT
    if _CONTROL.search(template):
        raise ConfigError(
            "REVIEWER_MAIL_SUBJECT / mail.subject: the subject may not contain line breaks "
            "or control characters"
        )
    fields = {
        "week": digest.week.iso,
        "start": digest.week.start.isoformat(),
        "end": digest.week.end.isoformat(),
        "days": str(digest.stats.days_journaled),
        "streak": str(digest.stats.streak_days),
    }

    # Plain substitution, not str.format: a config value must not reach attributes or indexes.
    def fill(match: re.Match[str]) -> str:
        if match[1] not in fields:
            raise ConfigError(
                f"REVIEWER_MAIL_SUBJECT / mail.subject: unknown placeholder '{{{match[1]}}}'; "
                f"known: {', '.join('{' + k + '}' for k in fields)}"
            )
        return fields[match[1]]

    return _PLACEHOLDER.sub(fill, template)


def message_id(week: str, digest_hash: str, recipient: str, sender: Address) -> str:
    """The same Message-ID for the same week, content and recipient, on every run.

    A resend of the same digest (`--force`) keeps it, so a client that already has the
    message shows one copy; a changed digest gets a new one.
    """
    rcpt = hashlib.sha256(recipient.lower().encode()).hexdigest()[:8]
    try:
        domain = sender.domain.encode("idna").decode("ascii")
    except UnicodeError:  # a header must be ASCII; the id's domain only needs to be unique-ish
        domain = "reviewer.invalid"
    return f"<reviewer.{week}.{digest_hash[:12]}.{rcpt}@{domain}>"


def build_message(
    *,
    subject: str,
    sender: Address,
    recipient: Address,
    text: str,
    html: str,
    msg_id: str,
    week: str,
    now: datetime,
) -> EmailMessage:
    """A multipart/alternative message: plain text first, HTML preferred by clients that can."""
    if _CONTROL.search(subject):
        raise ConfigError("the subject may not contain line breaks or control characters")
    # policy.SMTP: CRLF line ends and RFC 2047 encoded words for a Chinese subject or name, so
    # the message passes any server, SMTPUTF8 or not.
    message = EmailMessage(policy=policy.SMTP)
    message["Subject"] = subject
    message["From"] = sender.header()
    message["To"] = recipient.header()
    message["Date"] = format_datetime(now)
    message["Message-ID"] = msg_id
    # RFC 3834: a machine sent this, so vacation responders stay quiet.
    message["Auto-Submitted"] = "auto-generated"
    message["X-Reviewer-Week"] = week
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message
