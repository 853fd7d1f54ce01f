"""The response cache: JSON strings under sha256 keys, a private directory, no secrets."""

from __future__ import annotations

import stat
from pathlib import Path

import diskcache
import pytest

from reviewer.errors import ConfigError
from reviewer.llm.cache import EndpointModes, ResponseCache, cache_key


def test_round_trip_stores_json_text_not_pickles(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "reviewer")
    key = cache_key({"messages": [{"role": "user", "content": "周一"}]})
    assert cache.get(key) is None
    cache.set(key, {"content": '{"summary": "好"}', "usage": {"prompt_tokens": 3}})
    assert cache.get(key) == {"content": '{"summary": "好"}', "usage": {"prompt_tokens": 3}}
    cache.close()
    raw = diskcache.Cache(str(tmp_path / "reviewer" / "responses"))
    stored = raw.get(key)
    raw.close()
    assert isinstance(stored, str) and stored.startswith("{")


def test_a_pickled_value_is_never_loaded(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    cache = ResponseCache(tmp_path)
    cache.set("warm", {"content": "{}"})
    cache.close()
    raw = diskcache.Cache(str(tmp_path / "responses"))
    raw.set("planted", {"content": "{}"})  # diskcache pickles a dict
    raw.close()
    assert ResponseCache(tmp_path).get("planted") is None
    assert "pickled value in the response cache was refused" in caplog.text
    assert ResponseCache(tmp_path).get("warm") == {"content": "{}"}


def test_directory_is_private(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path / "reviewer")
    cache.set(cache_key({"x": 1}), {"content": "{}"})
    for path in (tmp_path / "reviewer", tmp_path / "reviewer" / "responses"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700


def test_unreadable_entries_are_misses(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    cache._open().set("k1", "not json")
    cache._open().set("k2", "[1, 2]")
    assert cache.get("k1") is None and cache.get("k2") is None


def test_key_is_canonical_and_covers_every_part() -> None:
    base = {"model": "m", "base_url": "u", "messages": [{"role": "user", "content": "a"}]}
    assert cache_key(base) == cache_key(dict(reversed(list(base.items()))))
    assert len(cache_key(base)) == 64
    for change in ({"model": "m2"}, {"base_url": "u2"}, {"messages": []}, {"templates": "x"}):
        assert cache_key(base | change) != cache_key(base)


def test_stats_and_clear(tmp_path: Path) -> None:
    cache = ResponseCache(tmp_path)
    assert cache.stats()["entries"] == 0 and cache.clear() == 0
    for n in range(3):
        cache.set(cache_key({"n": n}), {"content": "{}"})
    stats = cache.stats()
    assert stats["entries"] == 3 and stats["bytes"] > 0
    assert stats["path"] == str(tmp_path / "responses")
    assert cache.clear() == 3
    assert cache.stats()["entries"] == 0


def test_unusable_directory_is_skipped_in_a_review(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    cache = ResponseCache(blocker / "reviewer")
    assert cache.get("k") is None
    cache.set("k", {"content": "{}"})
    assert "response cache unusable" in caplog.text
    assert cache.stats()["entries"] == 0


def test_broken_database_is_a_config_error_for_the_cache_commands(tmp_path: Path) -> None:
    (tmp_path / "responses").mkdir()
    (tmp_path / "responses" / "cache.db").write_bytes(b"not a database" * 100)
    with pytest.raises(ConfigError, match="cannot open the response cache"):
        ResponseCache(tmp_path).stats()


def test_endpoint_modes(tmp_path: Path) -> None:
    modes = EndpointModes(tmp_path)
    assert modes.get("http://x/v1", "m") is None
    modes.remember("http://x/v1", "m", "json_object")
    modes.remember("http://y/v1", "m", "prompt")
    assert EndpointModes(tmp_path).get("http://x/v1", "m") == "json_object"
    assert modes.all() == {"http://x/v1 m": "json_object", "http://y/v1 m": "prompt"}
    assert modes.forget() == 2 and modes.get("http://x/v1", "m") is None
    (tmp_path / "endpoints.json").write_text("{broken")
    assert modes.get("http://x/v1", "m") is None
