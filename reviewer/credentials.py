"""Credentials that must appear in no output, file, log or mail, and the scrubber for them.

The API key, and any credential written into OPENAI_BASE_URL (`https://user:pass@host/v1`,
`?api-key=...`), are registered when the settings are read; `scrub` hides every registered
value (and the environment's, for an error raised before the settings exist). Every exit point
scrubs: error lines, degraded reasons, model answers, files written, mails.

`public_url` is the form of a base URL that may be shown or stored: no user, password, query
or fragment.
"""

from __future__ import annotations

import base64
import os
import threading
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

__all__ = ["HIDDEN", "credentials_of_url", "public_url", "register", "scrub"]

HIDDEN = "[credential hidden]"
# Shorter values are not hidden: "v1" or "true" in a query is no secret, and hiding it would
# garble ordinary text. Keys and tokens are far longer.
_MIN_LENGTH = 6

_lock = threading.Lock()
_registered: set[str] = set()


def credentials_of_url(url: str) -> list[str]:
    """The user, password and query values written into `url`."""
    try:
        parts = urlsplit(url)
        found = [parts.username or "", parts.password or ""]
    except ValueError:  # a malformed port or bracket: take the userinfo by hand
        netloc = url.split("//", 1)[-1].split("/", 1)[0]
        userinfo = netloc.rpartition("@")[0]
        found = list(userinfo.partition(":")[::2])
        parts = None
    query = parts.query if parts is not None else url.partition("?")[2]
    found += [value for _name, value in parse_qsl(query, keep_blank_values=False)]
    found += [unquote(value) for value in found]
    if found[0] or found[1]:  # sent as HTTP basic auth, which a server may echo back
        pair = f"{unquote(found[0])}:{unquote(found[1])}".encode()
        found.append(base64.b64encode(pair).decode())
    return [value for value in found if value]


def register(*values: str) -> None:
    """Remember secrets to hide from now on (the API key, credentials of a base URL)."""
    with _lock:
        for value in values:
            value = value.strip()
            if len(value) >= _MIN_LENGTH:
                _registered.add(value)


def _known() -> list[str]:
    found = set(_registered)
    key = os.environ.get("OPENAI_API_KEY", "").strip()
    if len(key) >= _MIN_LENGTH:
        found.add(key)
    for value in credentials_of_url(os.environ.get("OPENAI_BASE_URL", "")):
        if len(value) >= _MIN_LENGTH:
            found.add(value)
    # longest first, so a secret that contains another is hidden whole
    return sorted(found, key=len, reverse=True)


def scrub(text: str, *extra: str) -> str:
    """`text` with every known credential (and `extra` ones) replaced by HIDDEN."""
    secrets = _known() + [value for value in extra if len(value) >= _MIN_LENGTH]
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, HIDDEN)
    return text


def public_url(url: str) -> str:
    """`url` as it may be shown or stored: no user, password, query or fragment."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return scrub(url.split("?", 1)[0].split("#", 1)[0])
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
