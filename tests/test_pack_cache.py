"""The compiled-pack cache: used when sealed and current, rebuilt when stale, torn or forged, and
never a reason for a different report."""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, TEST_RULES, count_calls, manifest
from packs import overlapping_pack

ONE = str(EXAMPLES / "fail" / "cn-2023-23-gallium-day-effective-no-permit.yaml")


def entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("pack-*.bin"))


@pytest.fixture
def cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    directory = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(directory))
    return directory


def loads_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the times the pack is built from YAML."""
    from mineralcheck.ruleset import loader

    return count_calls(monkeypatch, loader, "load_pack")


def test_a_second_run_reads_the_compiled_pack_and_reports_the_same(
    cli: Any, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = loads_counted(monkeypatch)
    first = cli(["verify", "--no-cache", "-f", "json", ONE])
    assert calls == [1] and len(entries(cache_dir)) == 1
    second = cli(["verify", "--no-cache", "-f", "json", ONE])
    assert calls == [1]  # not built again
    assert second.out == first.out and second.code == first.code == 1


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty"])
def test_a_torn_or_altered_entry_is_rebuilt(
    cli: Any, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    first = cli(["verify", "--no-cache", "-f", "json", ONE])
    (entry,) = entries(cache_dir)
    data = bytearray(entry.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 3]
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    calls = loads_counted(monkeypatch)
    again = cli(["verify", "--no-cache", "-f", "json", ONE])
    assert calls == [1] and again.out == first.out
    assert entry.read_bytes() != bytes(data)  # rewritten whole


class _Payload:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


def test_a_forged_entry_is_never_unpickled(cli: Any, cache_dir: Path, tmp_path: Path) -> None:
    cli(["verify", "--no-cache", "-f", "json", ONE])
    (entry,) = entries(cache_dir)
    marker = tmp_path / "owned"
    body = pickle.dumps(_Payload(marker))
    entry.write_bytes(b"\0" * 32 + body)  # anyone who can write the cache, without the key
    run = cli(["verify", "--no-cache", "-f", "json", ONE])
    assert run.code == 1 and not marker.exists()


def test_an_edited_rule_file_is_never_served_from_an_old_entry(
    cli: Any, cache_dir: Path, tmp_path: Path
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    rule = (TEST_RULES / "test-measure.yaml").read_text()
    (rules / "test-measure.yaml").write_text(rule)
    path = tmp_path / "m.yaml"
    path.write_text(manifest())
    args = ["verify", "--no-cache", "--no-bundled-rules", "--rules", str(rules), str(path)]
    assert cli(args).code == 1  # gallium needs a licence
    (rules / "test-measure.yaml").write_text(
        rule.replace("requires: permit", "requires: review", 1)
    )
    assert cli(args).code == 0  # now a review: a warning, not the old entry's failure
    assert len(entries(cache_dir)) == 2


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), files=st.integers(1, 6))
def test_the_compiled_pack_equals_the_pack_loaded_from_yaml(seed: int, files: int) -> None:
    """Over generated rule files: the pack read back from the cache decides every manifest as
    the pack just built from the YAML does, and describes itself the same."""
    import tempfile
    from unittest import mock

    from mineralcheck import packcache
    from mineralcheck.pipeline import Checker, Options

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        overlapping_pack(root / "rules", files=files, per_file=8, seed=seed)
        options = Options(rule_paths=(root / "rules",), bundled=True, pack_cache_dir=root / "c")
        built = Checker(options)
        compiled = built._compiled  # built from the YAML, and stored
        assert packcache.load(root / "c", packcache.entry_name(built._fingerprint, None))
        served = Checker(options)
        with mock.patch("mineralcheck.ruleset.loader.load_pack", side_effect=AssertionError):
            assert served._compiled is not compiled  # read back, not built: load_pack unused
        assert served.pack.hash == built.pack.hash
        assert [r for _, r in served.pack.rules] == [r for _, r in built.pack.rules]
        assert served.pack.vocabulary.spellings == built.pack.vocabulary.spellings
        assert served.info() == built.info()
        for path in sorted(EXAMPLES.glob("*/*.yaml")):
            raw = path.read_bytes()
            assert served.check_bytes("m", raw) == built.check_bytes("m", raw), path


def test_the_code_fingerprint_covers_every_source_file_and_changes_with_one() -> None:
    """Compiled packs and verdicts are keyed by a digest of mineralcheck's own sources (path,
    size, modification time), worked out once per process: it is the digest of every ``.py``
    file under the package, in path order, and a file touched gives another."""
    import hashlib
    import os

    from mineralcheck import cache

    package = Path(cache.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        status = path.stat()
        digest.update(
            f"{path.relative_to(package)}|{status.st_size}|{status.st_mtime_ns}\n".encode()
        )
    assert cache.code_fingerprint.__wrapped__() == digest.hexdigest()
    assert cache.code_fingerprint() == cache.code_fingerprint()  # once per process

    deepest = max(package.rglob("*.py"), key=lambda p: len(p.parts))  # in a subpackage
    assert deepest.parent != package
    status = deepest.stat()
    try:
        os.utime(deepest, ns=(status.st_atime_ns, status.st_mtime_ns + 1_000_000_000))
        assert cache.code_fingerprint.__wrapped__() != digest.hexdigest()
    finally:
        os.utime(deepest, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert cache.code_fingerprint.__wrapped__() == digest.hexdigest()
