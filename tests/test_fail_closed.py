"""Fail closed: no path, file or rule is skipped without a word, and nothing is read unbounded.

Each test tries to make ``verify`` say pass, exit 0, for something it did not check.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT, TEST_RULES, manifest, permit
from mineralcheck.discovery import MAX_BYTES

PASSING = manifest(ship_date="2025-03-01")
FAILING = manifest()
TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]
TEST_RULE_FILE = TEST_RULES / "test-measure.yaml"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def results(run: Any) -> dict[str, dict[str, Any]]:
    """The JSON report's results by path."""
    return {r["path"]: r for r in json.loads(run.out)["results"]}


def mineralcheck(
    *args: str, stdin: Any = subprocess.DEVNULL, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """The installed CLI in a child process (for what could hang or exhaust memory)."""
    return subprocess.run(
        [sys.executable, "-m", "mineralcheck", *args],
        stdin=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# -- 1. every path that cannot be listed or read is an error result of its own --------------


def test_a_directory_that_cannot_be_listed_is_an_error_and_the_batch_goes_on(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path / "a.yaml", PASSING)
    locked = tmp_path / "locked"
    write(locked / "failing.yaml", FAILING)
    write(tmp_path / "z.yaml", PASSING)
    real_scandir = os.scandir

    def scandir(path: Any) -> Any:  # as for a directory without read permission (root reads all)
        if os.fspath(path) == str(locked):
            raise PermissionError(errno.EACCES, "Permission denied", str(locked))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    run = cli(["verify", str(tmp_path), "-f", "json", *TEST_ONLY])
    assert run.code == 2
    found = results(run)
    assert [found[str(tmp_path / n)]["verdict"] for n in ("a.yaml", "z.yaml")] == ["pass"] * 2
    error = found[str(locked)]
    assert error["verdict"] == "error"
    assert "cannot list directory: Permission denied" in error["findings"][0]["message"]


@pytest.mark.parametrize("kind", ["loop", "ancestor", "broken"])
def test_bad_links_are_errors_not_gaps_or_crashes(cli: Any, tmp_path: Path, kind: str) -> None:
    write(tmp_path / "a.yaml", PASSING)
    if kind == "loop":
        os.symlink(tmp_path / "loop-b.yaml", tmp_path / "loop-a.yaml")
        os.symlink(tmp_path / "loop-a.yaml", tmp_path / "loop-b.yaml")
        bad = ["loop-a.yaml", "loop-b.yaml"]
        reason = "symbolic link loop"
    elif kind == "ancestor":
        (tmp_path / "sub").mkdir()
        os.symlink(tmp_path, tmp_path / "sub" / "up")
        bad = ["sub/up"]
        reason = "symbolic link loop"
    else:
        os.symlink(tmp_path / "gone.yaml", tmp_path / "broken.yaml")
        bad = ["broken.yaml"]
        reason = "broken symbolic link"
    run = cli(["verify", str(tmp_path), "-f", "json", *TEST_ONLY])
    assert run.code == 2, run.err
    found = results(run)
    assert found[str(tmp_path / "a.yaml")]["verdict"] == "pass"
    for name in bad:
        error = found[str(tmp_path / name)]
        assert error["verdict"] == "error"
        assert reason in error["findings"][0]["message"]
    assert len(found) == 1 + len(bad)


def test_a_link_to_a_directory_is_followed(cli: Any, tmp_path: Path) -> None:
    write(tmp_path / "real" / "f.yaml", FAILING)
    top = tmp_path / "top"
    top.mkdir()
    os.symlink(tmp_path / "real", top / "linked")
    run = cli(["verify", str(top), "-f", "json", *TEST_ONLY])
    assert run.code == 1
    assert results(run)[str(top / "linked" / "f.yaml")]["verdict"] == "fail"


# -- 2. nothing is read unbounded; FIFOs and devices are never opened in a walk ---------------


def _special_files(directory: Path) -> list[str]:
    os.mkfifo(directory / "pipe.yaml")
    os.symlink("/dev/zero", directory / "device.yaml")
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(directory / "sock.yaml"))
    server.close()
    return ["pipe.yaml", "device.yaml", "sock.yaml"]


def test_fifos_devices_and_sockets_in_a_walk_are_errors_at_once(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", PASSING)
    names = _special_files(tmp_path)
    run = mineralcheck("verify", str(tmp_path), "-f", "json", *TEST_ONLY, timeout=30)
    assert run.returncode == 2, run.stderr
    found = {r["path"]: r for r in json.loads(run.stdout)["results"]}
    for name in names:
        assert found[str(tmp_path / name)]["verdict"] == "error"
        assert (
            "not a manifest file: not read" in found[str(tmp_path / name)]["findings"][0]["message"]
        )
    assert found[str(tmp_path / "a.yaml")]["verdict"] == "pass"


@pytest.mark.parametrize("name", ["pipe.yaml", "device.yaml", "sock.yaml"])
def test_a_named_special_file_is_an_error_at_once(tmp_path: Path, name: str) -> None:
    _special_files(tmp_path)
    run = mineralcheck("verify", str(tmp_path / name), "-f", "json", *TEST_ONLY, timeout=30)
    assert run.returncode == 2
    (result,) = json.loads(run.stdout)["results"]
    assert result["verdict"] == "error"


def test_endless_stdin_is_cut_at_the_limit(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        run = mineralcheck("verify", "-", "-f", "json", *TEST_ONLY, stdin=zero, timeout=60)
    assert run.returncode == 2
    (result,) = json.loads(run.stdout)["results"]
    assert result["verdict"] == "error"
    assert f"more than the limit of {MAX_BYTES} bytes" in result["findings"][0]["message"]


def test_a_huge_sparse_file_is_refused_by_its_size(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(5 * 1024**3)
    run = mineralcheck("verify", str(huge), "-f", "json", *TEST_ONLY, timeout=60)
    assert run.returncode == 2
    message = json.loads(run.stdout)["results"][0]["findings"][0]["message"]
    assert f"file is {5 * 1024**3} bytes, more than the limit" in message


def test_a_file_at_the_limit_is_read_and_one_byte_more_is_not(cli: Any, tmp_path: Path) -> None:
    body = FAILING.encode()
    at_limit = write(tmp_path / "at.yaml", "")
    at_limit.write_bytes(body + b"#" * (MAX_BYTES - len(body)))
    over = tmp_path / "over.yaml"
    over.write_bytes(at_limit.read_bytes() + b"#")
    found = results(cli(["verify", str(tmp_path), "-f", "json", *TEST_ONLY]))
    assert found[str(at_limit)]["verdict"] == "fail"  # read and checked
    assert found[str(over)]["verdict"] == "error"


# -- 3. a rule set with no controls checks nothing: it is an error ---------------------------


@pytest.mark.parametrize("content", [{}, {"README.txt": "notes"}, {"rules.json": "{}"}])
def test_a_rule_set_without_controls_is_a_rules_error(
    cli: Any, tmp_path: Path, content: dict[str, str]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    for name, text in content.items():
        write(rules / name, text)
    write(tmp_path / "m.yaml", FAILING)
    run = cli(["verify", str(tmp_path / "m.yaml"), "--no-bundled-rules", "--rules", str(rules)])
    assert run.code == 2
    assert "nothing would be checked" in run.err and "nothing was checked" in run.err
    assert run.out == ""
    lint = cli(["rules", "lint", str(rules)])
    assert lint.code == 2
    assert "nothing was checked" in lint.err and "no problems" not in lint.err


def test_upper_case_rule_files_are_loaded(cli: Any, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    shutil.copy(TEST_RULE_FILE, rules / "NO18.YAML")
    write(tmp_path / "m.yaml", FAILING)
    run = cli(["verify", str(tmp_path / "m.yaml"), "--no-bundled-rules", "--rules", str(rules)])
    assert run.code == 1
    assert cli(["rules", "lint", str(rules)]).code == 0


# -- 4. upper-case extensions are manifests; what a walk skips is counted --------------------


def test_upper_case_extensions_are_checked_and_skips_are_reported(cli: Any, tmp_path: Path) -> None:
    for name in ("A.YAML", "b.Yml", "c.JSON"):
        write(tmp_path / name, FAILING if name == "A.YAML" else PASSING)
    write(tmp_path / ".hidden.yaml", FAILING)
    write(tmp_path / ".git" / "x.yaml", FAILING)
    write(tmp_path / "notes.txt", "text")
    write(tmp_path / "drafts" / "d.yaml", FAILING)
    run = cli(["verify", str(tmp_path), "-f", "json", *TEST_ONLY])
    assert sorted(Path(p).name for p in results(run)) == ["A.YAML", "b.Yml", "c.JSON", "d.yaml"]
    assert run.code == 1
    assert "skipped in directories: 2 hidden, 1 other extension" in run.err
    with_config = tmp_path / "mineralcheck.toml"
    with_config.write_text('exclude = ["drafts/*"]\n', encoding="utf-8")
    again = cli(["verify", str(tmp_path), "-f", "json", "--config", str(with_config), *TEST_ONLY])
    assert "2 hidden, 1 excluded, 2 other extension" in again.err


def test_a_walk_that_finds_nothing_says_what_it_skipped(cli: Any, tmp_path: Path) -> None:
    write(tmp_path / ".only-hidden.yaml", FAILING)
    run = cli(["verify", str(tmp_path), *TEST_ONLY])
    assert run.code == 2
    assert "no manifests found" in run.err and "skipped 1 hidden" in run.err


# -- 13. rule files that would crash or abuse the run are rejected by lint and verify --------

GOOD_RULES = TEST_RULE_FILE.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("edit", "needle"),
    [
        (
            lambda t: t.replace(
                "minerals:\n  - name: graphite\n",
                "minerals:\n  - name: alpha\n    contains: [beta]\n"
                "  - name: beta\n    contains: [alpha]\n  - name: graphite\n",
            ),
            "contains itself: alpha -> beta -> alpha",
        ),
        (lambda t: t.replace("ends: 2025-12-31", "ends: 9999-12-31"), "after 2999-12-31"),
        (lambda t: t.replace("until: 2025-06-30", "until: 9999-12-31"), "after 2999-12-31"),
        (
            lambda t: t.replace('"{item} needs a licence"', '"{item:>300000000}"'),
            "placeholder {item:>300000000} is not allowed",
        ),
        (
            lambda t: t.replace('"{item} needs a licence"', '"{item.__class__}"'),
            "placeholder {item.__class__} is not allowed",
        ),
        (
            lambda t: t.replace('"{item} needs a licence"', '"{item!r} {nope}"'),
            "placeholder {item!r} is not allowed",
        ),
        (lambda t: t.replace('"{item} needs a licence"', '"{0}"'), "placeholder {0}"),
        (lambda t: t.replace('"{item} needs a licence"', '"{item"'), "not a valid template"),
    ],
)
def test_lint_and_verify_reject_rules_that_would_crash_or_abuse(
    cli: Any, tmp_path: Path, edit: Any, needle: str
) -> None:
    rules = tmp_path / "rules"
    write(rules / "bad.yaml", edit(GOOD_RULES))
    lint = cli(["rules", "lint", "--no-bundled-rules", str(rules)])
    assert lint.code == 1 and needle in lint.out, lint.out
    write(tmp_path / "m.yaml", FAILING)
    run = cli(["verify", str(tmp_path / "m.yaml"), "--no-bundled-rules", "--rules", str(rules)])
    assert run.code == 2 and needle in run.err
    assert "internal error" not in run.err and run.out == ""


def test_allowed_placeholders_still_fill_in(cli: Any, tmp_path: Path) -> None:
    write(tmp_path / "m.yaml", FAILING)
    run = cli(["verify", str(tmp_path / "m.yaml"), *TEST_ONLY])
    assert "Gallium metal to DE needs a licence (9Z001) since 2025-03-10" in run.out


# -- 14. a rule file is linted in the context of the pack it runs with ------------------------


def test_a_bundled_rule_file_lints_clean_on_its_own_path(cli: Any) -> None:
    no46 = ROOT / "rules" / "cn" / "mofcom-2024-46.yaml"
    run = cli(["rules", "lint", str(no46)])
    assert run.code == 0, run.out
    assert "1 rule file(s) checked with the bundled pack" in run.err


def test_an_edited_copy_replaces_the_bundled_file_of_its_id(cli: Any, tmp_path: Path) -> None:
    text = (ROOT / "rules" / "cn" / "mofcom-2024-46.yaml").read_text(encoding="utf-8")
    copy = write(tmp_path / "rules" / "cn" / "mofcom-2024-46.yaml", text + "\n# edited\n")
    assert cli(["rules", "lint", str(copy)]).code == 0  # not a duplicate of the bundled id
    alone = cli(["rules", "lint", "--no-bundled-rules", str(copy)])
    assert alone.code == 1 and "items_of names" in alone.out  # what it leans on is elsewhere
    broken = write(
        tmp_path / "b" / "46.yaml", text.replace("effective:", "effective: 1999-01-01\n#", 1)
    )
    assert cli(["rules", "lint", str(broken)]).code == 1


def test_the_published_rules_hook_passes_on_the_bundled_pack(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "rules").rglob("*.yaml"))
    run = cli(["rules", "lint", *files])
    assert run.code == 0, run.out


# -- 15. quantities are compared exactly --------------------------------------------------------


def _with_permit_of_1000_kg(quantities: list[str]) -> str:
    items = "".join(
        f"  - description: Gallium metal\n    mineral: gallium\n    quantity: {q}\n"
        f"    permits: [P-1]\n"
        for q in quantities
    )
    return manifest(items=items, permits=permit(extra="    quantity: 1000 kg\n"))


@pytest.mark.parametrize(
    ("quantities", "verdict", "needle"),
    [
        (["1000 kg"], "pass", ""),
        (["1000.000000000000000000000001 kg"], "fail", "use 1000.000000000000000000000001 kg"),
        (["999.999999999999999999999999 kg", "0.000000000000000000000002 kg"], "fail", "use"),
        (["1000.00000000000000000000000001 kg"], "fail", "use"),  # the case
        (["1000.000000000000000000000000001 kg"], "error", "more than 30 digits"),
        (["1 t"], "pass", ""),
        (["1000000.000000000000000000001 g"], "fail", "use"),
    ],
)
def test_quantities_against_a_permit_are_exact(
    quantities: list[str], verdict: str, needle: str
) -> None:
    from conftest import check
    from mineralcheck.pipeline import Checker, Options

    checker = Checker(Options(rule_paths=(TEST_RULES,), bundled=False))
    result = check(checker, _with_permit_of_1000_kg(quantities))
    assert result.verdict == verdict, result.findings
    assert all(needle in f.message for f in result.findings if f.severity.rank >= 2)


# -- 16. the verdict cache cannot be forged by whoever can write it ----------------------------


def _verdicts(cli: Any, directory: Path) -> dict[str, str]:
    run = cli(["verify", str(directory), "-f", "json", *TEST_ONLY])
    return {Path(p).name: r["verdict"] for p, r in results(run).items()}


def _entries(cache: Path) -> list[tuple[str, bytes]]:
    import sqlite3

    with sqlite3.connect(cache / "results.sqlite3") as db:
        return list(db.execute("SELECT key, value FROM results"))


def test_a_forged_cache_entry_is_a_miss_never_a_verdict(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3
    import zlib

    cache = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache))
    write(tmp_path / "m" / "bad.yaml", FAILING)
    write(tmp_path / "m" / "good.yaml", PASSING)
    assert _verdicts(cli, tmp_path / "m") == {"bad.yaml": "fail", "good.yaml": "pass"}
    entries = _entries(cache)
    assert len(entries) == 2 and all(isinstance(value, bytes) for _, value in entries)
    by_verdict = {value[64:].split(b"\t", 1)[0]: (key, value) for key, value in entries}
    bad_key, bad_value = by_verdict[b"fail"]
    _, good_value = by_verdict[b"pass"]
    with sqlite3.connect(cache / "results.sqlite3") as db:
        # a forger rewrites the verdict and re-seals it as a checksum would be
        forged = bad_value[64:].replace(b"fail", b"pass")
        for seal in (f"{zlib.crc32(forged):08x}".ljust(64, "0").encode(), bad_value[:64]):
            db.execute("UPDATE results SET value = ? WHERE key = ?", (seal + forged, bad_key))
            db.commit()
            assert _verdicts(cli, tmp_path / "m")["bad.yaml"] == "fail"
        # or copies the sealed entry of a passing manifest onto the failing one's key
        db.execute("UPDATE results SET value = ? WHERE key = ?", (good_value, bad_key))
        db.commit()
        assert _verdicts(cli, tmp_path / "m")["bad.yaml"] == "fail"
        # or stores it as text, as an older version of the cache did: not an entry at all
        text = good_value.decode()
        db.execute("UPDATE results SET value = ? WHERE key = ?", (text, bad_key))
        db.commit()
        assert _verdicts(cli, tmp_path / "m")["bad.yaml"] == "fail"
        # and bytes that are not UTF-8, even under a seal that matches (only the key's holder
        # could make one), are a miss, not a crash
        import hashlib
        import hmac
        import os

        secret = bytes.fromhex(Path(os.environ["MINERALCHECK_CACHE_KEY"]).read_text())
        broken = bad_value[64:] + b"\xff\xfe"
        seal = hmac.digest(secret, bad_key.encode() + b"\0" + broken, hashlib.sha256)
        db.execute(
            "UPDATE results SET value = ? WHERE key = ?", (seal.hex().encode() + broken, bad_key)
        )
        db.commit()
    assert _verdicts(cli, tmp_path / "m")["bad.yaml"] == "fail"


def test_the_cache_key_is_private_and_outside_the_cache(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache, key = tmp_path / "cache", tmp_path / "secret" / "cache.key"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache))
    monkeypatch.setenv("MINERALCHECK_CACHE_KEY", str(key))
    write(tmp_path / "m" / "bad.yaml", FAILING)
    _verdicts(cli, tmp_path / "m")
    assert key.stat().st_mode & 0o777 == 0o600 and len(_entries(cache)) == 1
    key.chmod(0o644)  # a key others can read is no key: the cache is not used
    (cache / "results.sqlite3").unlink()
    _verdicts(cli, tmp_path / "m")
    assert not (cache / "results.sqlite3").exists()
    inside = cache / "cache.key"  # a key restored along with the cache is no key either
    monkeypatch.setenv("MINERALCHECK_CACHE_KEY", str(inside))
    assert _verdicts(cli, tmp_path / "m") == {"bad.yaml": "fail"}
    assert not inside.exists() and not (cache / "results.sqlite3").exists()
