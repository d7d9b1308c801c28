"""The audit record (spec/records.md, part 3) through the real CLI: a hash chain that names the
line where it breaks, survives concurrent runs and torn writes, and is never rewritten."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema

from conftest import EXAMPLES, TEST_RULES, manifest, permit
from mineralcheck.schemas import schema

TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]
RECORD = jsonschema.Draft202012Validator(schema("record"))


def batch(directory: Path, count: int = 3) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    licensed = manifest(
        items="  - description: Gallium metal\n    mineral: gallium\n    quantity: 10 kg\n"
        "    permits: [P-1]\n",
        permits=permit(extra="    quantity: 100 kg\n"),
    )
    for index in range(count):
        (directory / f"m{index}.yaml").write_text(licensed.replace("T-1", f"T-{index}"))
    return directory


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_each_manifest_gets_a_chained_line_with_what_an_auditor_needs(
    cli: Any, tmp_path: Path
) -> None:
    record = tmp_path / "audit" / "record.jsonl"
    manifests = batch(tmp_path / "m")
    run = cli(["verify", str(manifests), "-f", "json", "--record", str(record), *TEST_ONLY])
    assert run.code == 0 and "recorded 3 line(s)" in run.err
    entries = lines(record)
    assert [e["manifest_id"] for e in entries] == ["T-0", "T-1", "T-2"]
    raw = record.read_bytes().splitlines()
    assert entries[0]["prev"] is None
    for before, entry in zip(raw, entries[1:], strict=False):
        assert entry["prev"] == "sha256:" + hashlib.sha256(before).hexdigest()
    first = entries[0]
    RECORD.validate(first)
    assert first["sha256"] == hashlib.sha256((manifests / "m0.yaml").read_bytes()).hexdigest()
    assert first["ship_date"] == "2025-04-01" and first["verdict"] == "pass"
    assert first["permits"] == [{"number": "P-1", "quantity": "10 kg"}]
    assert first["findings"] == ["test-measure/gallium"]
    assert first["rules"].startswith("sha256:") and len({e["rules"] for e in entries}) == 1
    verify = cli(["record", "verify", str(record)])
    assert verify.code == 0 and "3 line(s), the chain is intact" in verify.err


def test_a_record_is_appended_to_never_rewritten(cli: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    manifests = batch(tmp_path / "m", 2)
    cli(["verify", str(manifests), "--record", str(record), *TEST_ONLY])
    before = record.read_bytes()
    cli(["verify", str(manifests), "--record", str(record), *TEST_ONLY])
    after = record.read_bytes()
    assert after.startswith(before) and after.count(b"\n") == 4
    assert cli(["record", "verify", str(record)]).code == 0


def test_a_changed_line_breaks_the_chain_at_the_next_line(cli: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    cli(["verify", str(batch(tmp_path / "m", 4)), "--record", str(record), *TEST_ONLY])
    raw = record.read_bytes().split(b"\n")
    raw[1] = raw[1].replace(b'"verdict":"pass"', b'"verdict":"fail"')
    record.write_bytes(b"\n".join(raw))
    run = cli(["record", "verify", str(record)])
    assert run.code == 1
    assert run.out.startswith(f"{record}:3: prev is ")  # line 3 no longer follows line 2
    del raw[1]  # a removed line
    record.write_bytes(b"\n".join(raw))
    assert cli(["record", "verify", str(record)]).out.startswith(f"{record}:2: prev is ")


def test_a_line_with_a_missing_or_odd_field_is_named(cli: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    cli(["verify", str(batch(tmp_path / "m", 2)), "--record", str(record), *TEST_ONLY])
    entries = lines(record)
    del entries[0]["verdict"]
    record.write_text("\n".join(json.dumps(e) for e in entries) + "\n")
    run = cli(["record", "verify", str(record)])
    assert run.code == 1 and f"{record}:1: missing verdict" in run.out


def test_a_torn_last_line_is_found_and_never_built_on(cli: Any, tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    manifests = batch(tmp_path / "m", 2)
    cli(["verify", str(manifests), "--record", str(record), *TEST_ONLY])
    with record.open("ab") as handle:
        handle.write(b'{"record":1,"time":"2026-')  # a crash in the middle of a write
    torn = cli(["record", "verify", str(record)])
    assert torn.code == 1 and f"{record}:3: a torn last line" in torn.out
    cli(["verify", str(manifests), "--record", str(record), *TEST_ONLY])
    entries = record.read_bytes().split(b"\n")
    assert entries[2] == b'{"record":1,"time":"2026-'  # kept, as a line of its own
    note = json.loads(entries[3])
    assert note["torn"]["line"] == 3 and note["prev"] == lines_prev(entries[1])
    RECORD.validate(note)
    assert cli(["record", "verify", str(record)]).code == 0  # the torn line is accounted for


def lines_prev(line: bytes) -> str:
    return "sha256:" + hashlib.sha256(line).hexdigest()


def test_two_concurrent_runs_leave_an_intact_chain(tmp_path: Path) -> None:
    record = tmp_path / "record.jsonl"
    manifests = batch(tmp_path / "m", 60)
    command = [sys.executable, "-m", "mineralcheck", "verify", str(manifests), "--no-cache"]
    command += ["--jobs", "1", "--record", str(record), *TEST_ONLY]
    runs = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    for run in runs:
        run.communicate(timeout=120)
        assert run.returncode == 0
    assert record.read_bytes().count(b"\n") == 120
    check = subprocess.run(
        [sys.executable, "-m", "mineralcheck", "record", "verify", str(record)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout


def test_an_unreadable_record_is_exit_2(cli: Any, tmp_path: Path) -> None:
    assert cli(["record", "verify", str(tmp_path / "missing.jsonl")]).code == 2


def test_a_cached_run_records_the_same_facts(cli: Any, tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    manifests = EXAMPLES / "pass"
    cli(["verify", str(manifests), "--record", str(first)])  # fills the cache
    cli(["verify", str(manifests), "--record", str(second)])  # answered from it
    strip = ("time", "prev")
    a = [{k: v for k, v in e.items() if k not in strip} for e in lines(first)]
    b = [{k: v for k, v in e.items() if k not in strip} for e in lines(second)]
    assert a == b and any(e["permits"] for e in a)
