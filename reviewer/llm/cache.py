"""The response cache (diskcache) and the memory of which output mode each endpoint accepts.

Keys are sha256 digests of everything that shapes an answer; values are JSON text, never
pickles (diskcache unpickles what it reads, so a pickle in a writable directory runs code). The
directory is created 0700. The API key is no part of any key or value: the same journal
reviewed with a rotated key is the same answer.

    $XDG_CACHE_HOME/reviewer/responses/   diskcache: key -> {"content", "usage", ...} as JSON,
                                          and token counts of prompts over the byte bound
    $XDG_CACHE_HOME/reviewer/endpoints.json  "base_url model" -> the response_format mode
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reviewer.errors import ConfigError, ReviewerError

if TYPE_CHECKING:
    import diskcache

__all__ = ["CACHE_VERSION", "EndpointModes", "ResponseCache", "cache_key"]

log = logging.getLogger("reviewer")

CACHE_VERSION = 1
_RESPONSES = "responses"
_ENDPOINTS = "endpoints.json"


def cache_key(material: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of `material` (sorted keys, no whitespace)."""
    text = json.dumps(
        {"cache_version": CACHE_VERSION, **material},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


class PickleRefused(ValueError):
    """The cache held a pickled value: not written by reviewer, and never loaded."""


def _disk() -> type[diskcache.Disk]:
    """A diskcache Disk that refuses to unpickle: whoever could write a pickle into the
    cache could otherwise run code in the next review (CVE-2025-69872)."""
    import diskcache

    class NoPickleDisk(diskcache.Disk):  # type: ignore[misc]
        def fetch(self, mode: int, filename: str, value: Any, read: bool) -> Any:
            if mode == diskcache.core.MODE_PICKLE:
                raise PickleRefused("a pickled value in the response cache was refused")
            return super().fetch(mode, filename, value, read)

    return NoPickleDisk


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path, 0o700)  # mkdir's mode is masked by umask; the cache holds journal prose


class ResponseCache:
    """Successful answers by key; opened lazily so a run that never asks never touches disk.

    `get` and `set` never fail a review: a cache that cannot be used is reported once and
    skipped (the review then costs a request). `stats` and `clear` do raise.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._cache: diskcache.Cache | None = None
        self._unusable = False

    def _open(self) -> diskcache.Cache:
        if self._cache is None:
            import diskcache

            path = self.root / _RESPONSES
            try:
                _private_dir(self.root)
                _private_dir(path)
                # str keys and str values are stored as text: nothing we write is pickled
                self._cache = diskcache.Cache(str(path), disk=_disk(), size_limit=256 * 2**20)
            except (OSError, sqlite3.Error, diskcache.Timeout) as err:
                raise ConfigError(f"{path}: cannot open the response cache: {err}") from None
            except Exception as err:  # a tampered Settings table: KeyError, ValueError, ...
                raise ConfigError(
                    f"{path}: the response cache is damaged ({type(err).__name__}: {err}); "
                    "`reviewer cache clear` repairs it"
                ) from None
        return self._cache

    def _skip(self, err: Exception) -> None:
        if not self._unusable:
            log.warning("response cache unusable, going without: %s", err)
        self._unusable = True

    def get(self, key: str) -> dict[str, Any] | None:
        """The stored answer for `key`, or None (also when the entry or cache is unreadable)."""
        if self._unusable:
            return None
        try:
            value = self._open().get(key)
        except PickleRefused as err:
            log.warning("%s (key %s…); ignoring it", err, key[:12])
            return None
        except Exception as err:  # a cache, however broken, never fails a review
            self._skip(err)
            return None
        if not isinstance(value, str):
            return None
        try:
            data = json.loads(value)
        except json.JSONDecodeError:
            return None
        return data if isinstance(data, dict) else None

    def set(self, key: str, value: dict[str, Any]) -> None:
        """Store a successful answer (or go without, if the cache cannot be written)."""
        if self._unusable:
            return
        try:
            self._open().set(key, json.dumps(value, ensure_ascii=False, sort_keys=True))
        except Exception as err:  # a cache, however broken, never fails a review
            self._skip(err)

    def stats(self) -> dict[str, Any]:
        """Entries, bytes on disk and where the cache lives."""
        exists = (self.root / _RESPONSES).is_dir()
        count = len(self._open()) if exists else 0
        size = self._open().volume() if exists else 0
        return {"path": str(self.root / _RESPONSES), "entries": count, "bytes": size}

    def clear(self) -> int:
        """Remove every cached answer; return how many there were. A cache too damaged to
        open or clear (tampered settings, a corrupt database) is removed whole: clearing is
        how a user repairs it, so it must always work."""
        path = self.root / _RESPONSES
        if not path.is_dir():
            return 0
        try:
            return int(self._open().clear())
        except Exception as err:  # whatever is wrong with it, the remedy is the same
            log.warning("the response cache is damaged (%s); removing it", err)
            self.close_quietly()
            try:
                if path.is_symlink():
                    path.unlink()
                else:
                    shutil.rmtree(path)
            except OSError as failure:
                raise ConfigError(
                    f"{path}: cannot remove the damaged cache: {failure.strerror}"
                ) from None
            return 0

    def close_quietly(self) -> None:
        """Close the database, ignoring what a damaged one raises."""
        with contextlib.suppress(Exception):
            self.close()
        self._cache = None

    def close(self) -> None:
        """Close the database, if it was opened."""
        if self._cache is not None:
            self._cache.close()
            self._cache = None


def _stored_name(name: str) -> str:
    """A name read from endpoints.json, renamed when an older version stored the URL with its
    credentials (names written now have none, and are kept as they are)."""
    url, _, model = name.rpartition(" ")
    return _endpoint_name(url, model) if "@" in url or "?" in url else name


def _endpoint_name(base_url: str, model: str) -> str:
    """How endpoints.json names an endpoint: its URL without user, password or query (a
    gateway's key may sit there), and a digest of the whole so two such URLs stay apart."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(base_url)
    if "@" not in parts.netloc and not parts.query and not parts.fragment:
        return f"{base_url} {model}"
    shown = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    return f"{shown}#{hashlib.sha256(base_url.encode()).hexdigest()[:12]} {model}"


class EndpointModes:
    """Remembers, per base URL and model, the response_format mode the server accepted."""

    def __init__(self, root: Path) -> None:
        self.path = root / _ENDPOINTS

    def _load(self) -> dict[str, str]:
        from reviewer.files import read_regular

        try:
            data = json.loads(read_regular(self.path, 2**20))
        except (ReviewerError, ValueError):  # missing, not a file, not JSON: nothing remembered
            return {}
        if not isinstance(data, dict):
            return {}
        # an older file may hold a URL with its credentials: never shown or written back
        return {_stored_name(str(k)): str(v) for k, v in data.items()}

    def all(self) -> dict[str, str]:
        """Every remembered endpoint ("base_url model") and its mode."""
        return self._load()

    def get(self, base_url: str, model: str) -> str | None:
        """The mode that worked last time for this endpoint, if one is remembered."""
        return self._load().get(_endpoint_name(base_url, model))

    def remember(self, base_url: str, model: str, mode: str) -> None:
        """Record that this endpoint accepted `mode`; a failure to write only costs a retry."""
        from reviewer.files import write_atomic

        data = self._load()
        data[_endpoint_name(base_url, model)] = mode
        try:
            _private_dir(self.path.parent)
            # a random temporary per writer: map calls may remember at once
            write_atomic(self.path, json.dumps(data, indent=2, sort_keys=True), mode=0o600)
        except (OSError, ReviewerError) as err:
            log.warning("cannot remember the endpoint's mode in %s: %s", self.path, err)

    def forget(self) -> int:
        """Forget every endpoint; return how many were remembered."""
        count = len(self._load())
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        return count
