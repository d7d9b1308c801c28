"""The licence register (spec/records.md, part 1) through the real CLI: licences drawn down over
a whole run in ship-date order, whatever the file order or --jobs; the pre-commit case."""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
from decimal import Context, Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TEST_RULES, count_calls
from mineralcheck.cli import main

TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]


def register(path: Path, *licences: str) -> Path:
    path.write_text("register: 1\npermits:\n" + "".join(licences), encoding="utf-8")
    return path


def licence(number: str, *, route: str = "general", quantity: str | None = None,
            extra: str = "") -> str:  # fmt: skip
    text = (
        f"  - number: {number}\n    route: {route}\n    valid_from: 2025-01-01\n"
        f"    valid_until: 2025-12-31\n    destination: [DE, FR]\n    covers: [gallium]\n"
    )
    if quantity:
        text += f"    quantity: {quantity}\n"
    return text + extra


def shipment(directory: Path, ident: str, day: str, quantity: str, number: str) -> Path:
    text = f"""id: {ident}
ship_date: 2025-04-{day}
exporter: {{name: Example Export Co. Ltd., country: CN}}
consignee: {{name: Example Buyer GmbH, country: DE}}
items:
  - description: Gallium metal
    mineral: gallium
    quantity: {quantity}
    permits: [{number}]
"""
    path = directory / f"{ident}.yaml"
    directory.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run(args: list[str]) -> tuple[int, dict[str, dict[str, Any]], str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([*args, "-f", "json", *TEST_ONLY])
    results = {r["manifest_id"]: r for r in json.loads(out.getvalue())["results"]}
    return code, results, err.getvalue()


def messages(result: dict[str, Any]) -> str:
    return " ".join(f["message"] for f in result["findings"])


def test_a_general_licence_is_drawn_down_in_ship_date_order(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="25 kg"))
    for ident, day in (("T-3", "03"), ("T-1", "01"), ("T-2", "02")):
        shipment(tmp_path / "m", ident, day, "10 kg", "L-GEN")
    code, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert code == 1
    assert [results[i]["verdict"] for i in ("T-1", "T-2", "T-3")] == ["pass", "pass", "fail"]
    failed = messages(results["T-3"])
    assert "licence L-GEN has 5 kg left of 25 kg; item 1 needs 10 kg" in failed
    assert "used before by T-1" in failed and "T-2" in failed


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.permutations(range(10)), st.sampled_from([1, 2]))
def test_draw_down_does_not_depend_on_file_order_or_jobs(order: list[int], jobs: int) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        reg = register(root / "register.yaml", licence("L-GEN", quantity="35 kg"),
                       licence("L-ONE", route="single"))  # fmt: skip
        paths = [
            shipment(root / "m", f"T-{i}", f"{i + 1:02d}", "10 kg", "L-GEN" if i % 2 else "L-ONE")
            for i in range(10)
        ]  # ten manifests: with --jobs 2, worker processes check them
        given_paths = [str(paths[i]) for i in order]
        _, results, _ = run(["verify", *given_paths, "--permits", str(reg), "-j", str(jobs)])
    verdicts = [results[f"T-{i}"]["verdict"] for i in range(10)]
    # L-ONE (even): only T-0, the first; L-GEN (odd), 35 kg: T-1, T-3, T-5 use 30 kg
    expected = ["pass", "pass", "fail", "pass", "fail", "pass", "fail", "fail", "fail", "fail"]
    assert verdicts == expected


def test_a_single_licence_serves_one_shipment(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-ONE", route="single"))
    shipment(tmp_path / "m", "T-1", "01", "1 kg", "L-ONE")
    shipment(tmp_path / "m", "T-2", "02", "1 kg", "L-ONE")
    _, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert results["T-1"]["verdict"] == "pass" and results["T-2"]["verdict"] == "fail"
    assert "serves 1 shipment(s), already used by T-1" in messages(results["T-2"])


def test_the_quantity_edge_in_mixed_units(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="1 t"))
    shipment(tmp_path / "m", "T-1", "01", "500 kg", "L-GEN")
    shipment(tmp_path / "m", "T-2", "02", "500000 g", "L-GEN")  # exactly at the limit
    _, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert {r["verdict"] for r in results.values()} == {"pass"}
    shipment(tmp_path / "m", "T-3", "03", "1 g", "L-GEN")  # one gram over
    _, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert results["T-3"]["verdict"] == "fail"
    assert "has 0 kg left of 1 t; item 1 needs 0.001 kg" in messages(results["T-3"])


def test_the_pre_commit_case_counts_manifests_it_does_not_report(
    tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    register(tmp_path / "register.yaml", licence("L-ONE", route="single"))
    (tmp_path / "mineralcheck.toml").write_text(
        'paths = ["manifests"]\npermits = ["register.yaml"]\n', encoding="utf-8"
    )
    shipment(tmp_path / "manifests", "T-1", "01", "1 kg", "L-ONE")
    later = shipment(tmp_path / "manifests", "T-2", "02", "1 kg", "L-ONE")
    code, results, _ = run(["verify", str(later)])  # a hook names only the changed file
    assert code == 1 and list(results) == ["T-2"]
    assert "already used by T-1" in messages(results["T-2"])


def test_a_licence_that_is_not_valid_covers_nothing(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", extra="    status: revoked\n"))
    shipment(tmp_path / "m", "T-1", "01", "1 kg", "L-GEN")
    _, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert results["T-1"]["verdict"] == "fail"
    assert "permit L-GEN is revoked in the register" in messages(results["T-1"])


def test_a_number_in_both_with_other_terms_or_in_neither_is_an_error(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN"))
    path = shipment(tmp_path / "m", "T-1", "01", "1 kg", "L-GEN")
    path.write_text(
        path.read_text() + "permits:\n  - number: L-GEN\n    valid_from: 2025-01-01\n"
        "    valid_until: 2025-06-30\n    destination: DE\n    covers: [gallium]\n"
    )
    _, results, _ = run(["verify", str(path), "--permits", str(reg)])
    assert results["T-1"]["verdict"] == "error"
    assert "defined in the manifest and in the register with different terms" in messages(
        results["T-1"]
    )
    other = shipment(tmp_path / "n", "T-2", "01", "1 kg", "L-NONE")
    _, results, _ = run(["verify", str(other), "--permits", str(reg)])
    assert "no register holds" in messages(results["T-2"])


def test_the_cache_never_hides_a_changed_register_or_another_manifest(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="25 kg"))
    shipment(tmp_path / "m", "T-1", "01", "10 kg", "L-GEN")
    shipment(tmp_path / "m", "T-2", "02", "10 kg", "L-GEN")
    args = ["verify", str(tmp_path / "m"), "--permits", str(reg)]
    assert {r["verdict"] for r in run(args)[1].values()} == {"pass"}  # cached now
    register(tmp_path / "register.yaml", licence("L-GEN", quantity="15 kg"))
    assert run(args)[1]["T-2"]["verdict"] == "fail"  # the register changed
    register(tmp_path / "register.yaml", licence("L-GEN", quantity="25 kg"))
    shipment(tmp_path / "m", "T-1", "01", "20 kg", "L-GEN")  # another manifest changed
    assert run(args)[1]["T-2"]["verdict"] == "fail"


def test_a_bad_register_names_file_line_and_field(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", extra="    holder: X\n"))
    shipment(tmp_path / "m", "T-1", "01", "1 kg", "L-GEN")
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["verify", str(tmp_path / "m"), "--permits", str(reg), *TEST_ONLY])
    assert code == 2 and out.getvalue() == ""
    assert f"{reg}:9:5: unknown key 'holder' [permits[0].holder]" in err.getvalue()
    assert "the licence register is invalid; nothing was checked" in err.getvalue()


def test_every_report_shows_what_a_licence_had_left(tmp_path: Path, cli: Any) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="25 kg"))
    shipment(tmp_path / "m", "T-1", "01", "10 kg", "L-GEN")
    shipment(tmp_path / "m", "T-2", "02", "10 kg", "L-GEN")
    text = cli(["verify", str(tmp_path / "m"), "--permits", str(reg), *TEST_ONLY])
    assert "drew on licence L-GEN (general): 15 kg left of 25 kg" in text.out  # without -v
    assert "drew on licence L-GEN (general): 5 kg left of 25 kg" in text.out
    markdown = cli(
        ["verify", str(tmp_path / "m"), "-f", "markdown", "--permits", str(reg), *TEST_ONLY]
    )
    assert "5 kg left of 25 kg" in markdown.out


def test_the_permits_command_gives_balances_users_and_expiry(tmp_path: Path, cli: Any) -> None:
    reg = register(
        tmp_path / "register.yaml",
        licence("L-GEN", quantity="25 kg"),
        licence("L-ONE", route="single"),
    )
    shipment(tmp_path / "m", "T-1", "01", "10 kg", "L-GEN")
    shipment(tmp_path / "m", "T-2", "02", "1 kg", "L-ONE")
    args = ["permits", str(tmp_path / "m"), "--permits", str(reg), "--as-of", "2025-12-15"]
    run = cli([*args, "--format", "json", *TEST_ONLY])
    assert run.code == 0
    rows = {r["number"]: r for r in json.loads(run.out)["permits"]}
    assert rows["L-GEN"]["left"] == "15 kg" and rows["L-GEN"]["used_by"] == ["T-1"]
    assert rows["L-ONE"]["shipments_left"] == 0 and rows["L-ONE"]["used_by"] == ["T-2"]
    assert (rows["L-GEN"]["used"], rows["L-ONE"]["used"]) == ("10 kg", "1 kg")  # with, without
    assert rows["L-GEN"]["expires_within_30_days"] is True  # valid until 2025-12-31
    text = cli([*args, *TEST_ONLY])
    assert "L-GEN (general, valid) valid 2025-01-01 to 2025-12-31 expires soon" in text.out


def test_a_copy_of_a_licence_in_a_manifest_is_drawn_down_too(tmp_path: Path) -> None:
    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="15 kg"))
    copy = (
        "permits:\n  - number: L-GEN\n    valid_from: 2025-01-01\n    valid_until: 2025-12-31\n"
        "    destination: [DE, FR]\n    covers: [gallium]\n    quantity: 15 kg\n"
    )
    for ident, day in (("T-1", "01"), ("T-2", "02")):
        path = shipment(tmp_path / "m", ident, day, "10 kg", "L-GEN")
        path.write_text(path.read_text() + copy)
    alone = run(["verify", str(tmp_path / "m")])[1]  # each manifest alone is within 15 kg
    assert {r["verdict"] for r in alone.values()} == {"pass"}
    _, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert results["T-2"]["verdict"] == "fail"  # with the register: 5 kg left for 10 kg


RECORDS = Path(__file__).parent.parent / "examples" / "records"


def test_the_records_example_runs_a_licence_out_and_reuses_a_single_one(cli: Any) -> None:
    args = ["verify", str(RECORDS), "-f", "json", "--permits", str(RECORDS / ".register.yaml")]
    args += ["--reviews", str(RECORDS / ".reviews.yaml")]
    run = cli(args)
    verdicts = {r["manifest_id"]: r["verdict"] for r in json.loads(run.out)["results"]}
    assert verdicts == {
        "REC-2025-0602-A": "pass",
        "REC-2025-0609-B": "fail",  # the general licence runs out
        "REC-2025-0603-C": "pass",
        "REC-2025-0610-D": "fail",  # the single licence, used again
        "REC-2025-0610-E": "pass",  # a valid review
        "REC-2025-0610-F": "warn",  # an expired review
        "REC-2025-0610-G": "warn",  # a review of other bytes
    }
    alone = cli(["verify", str(RECORDS), "-f", "json"])  # each manifest checks on its own too
    assert {r["verdict"] for r in json.loads(alone.out)["results"]} == {"pass", "warn"}
    assert "2 hidden" in alone.err  # the register and the reviews are never taken for manifests
    assert cli(["record", "verify", str(RECORDS / "record.jsonl")]).code == 0


@pytest.mark.parametrize(
    ("route", "quantity", "extra", "balance"),
    [
        ("general", "25 kg", "", "15 kg left of 25 kg"),
        ("general", "25 kg", "    shipments: 3\n", "15 kg left of 25 kg, 2 shipment(s) left"),
        ("general", None, "    shipments: 3\n", "2 shipment(s) left"),
        ("single", None, "", "0 shipment(s) left"),
        ("general", None, "", "no quantity or shipment limit"),
    ],
)
def test_a_balance_names_every_limit_the_licence_has(
    tmp_path: Path, route: str, quantity: str | None, extra: str, balance: str
) -> None:
    reg = register(
        tmp_path / "register.yaml", licence("L-1", route=route, quantity=quantity, extra=extra)
    )
    shipment(tmp_path / "m", "T-1", "01", "10 kg", "L-1")
    _, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert f"drew on licence L-1 ({route}): {balance}" in messages(results["T-1"])


def test_a_licence_number_that_json_escapes_is_drawn_down_and_shown(tmp_path: Path) -> None:
    """The ledger finds each line's ``covered`` finding in the findings' JSON text: a number
    with a quote and a backslash is written escaped there, and is found all the same; braces
    in it are written as they are (balances are written from a format pattern)."""
    number = 'L-"Q"\\1{0}}'
    reg = register(tmp_path / "register.yaml", licence(f"'{number}'", quantity="25 kg"))
    for ident, day in (("T-1", "01"), ("T-2", "02")):
        shipment(tmp_path / "m", ident, day, "10 kg", f"'{number}'")
    code, results, _ = run(["verify", str(tmp_path / "m"), "--permits", str(reg)])
    assert code == 0
    for ident, left in (("T-1", "15"), ("T-2", "5")):
        (finding,) = [f for f in results[ident]["findings"] if f["item"] == 1]
        assert finding["code"] == "drawn"
        assert f"drew on licence {number} (general): {left} kg left of 25 kg" in finding["message"]


def test_a_register_is_read_back_from_its_sealed_entry_and_a_damaged_one_is_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache))
    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="15 kg"))
    shipment(tmp_path / "m", "T-1", "01", "10 kg", "L-GEN")
    shipment(tmp_path / "m", "T-2", "02", "10 kg", "L-GEN")
    args = ["verify", str(tmp_path / "m"), "--permits", str(reg), "--no-cache"]
    from mineralcheck.records import register as module

    calls = count_calls(monkeypatch, module, "_validated")  # validations by the schema
    first = run(args)
    assert calls == [1] and first[1]["T-2"]["verdict"] == "fail"  # 15 kg: the second overdraws
    [entry] = sorted(cache.glob("register-*.bin"))
    assert run(args) == first and calls == [1]  # read back, not validated again
    data = bytearray(entry.read_bytes())
    data[-5] ^= 0x01  # one bit of the pickle: the seal no longer matches
    entry.write_bytes(bytes(data))
    assert run(args) == first and calls == [1, 1]  # ignored, validated again, and rewritten
    assert entry.read_bytes() != bytes(data)
    register(tmp_path / "register.yaml", licence("L-GEN", quantity="25 kg"))
    assert run(args)[1]["T-2"]["verdict"] == "pass" and calls == [1, 1, 1]  # a new register


def test_an_invalid_register_is_never_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache))
    reg = register(tmp_path / "register.yaml", licence("L-GEN", extra="    holder: X\n"))
    shipment(tmp_path / "m", "T-1", "01", "1 kg", "L-GEN")
    for _ in range(2):  # the error every time: nothing of it was kept
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["verify", str(tmp_path / "m"), "--permits", str(reg), *TEST_ONLY])
        assert code == 2 and "unknown key 'holder'" in err.getvalue()
    assert not list(cache.glob("register-*.bin"))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_balances_written_into_the_findings_text_equal_balances_written_into_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, jobs: str
) -> None:
    """The ledger writes each balance into a result's findings JSON text where the line's
    ``covered`` finding stands; rebuilding every such result from its findings instead (as an
    overdrawn result is rebuilt) gives the same report, for a batch in which some licences run
    out and others serve many lines."""
    import sys

    from mineralcheck.records import ledger

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from bench import register_batch  # type: ignore[import-not-found]

    reg = register_batch(tmp_path, 60, 4)
    reg.write_text(reg.read_text().replace("1000 t", "40 t"), encoding="utf-8")
    args = ["verify", str(tmp_path / "named"), "--permits", str(reg), "--jobs", jobs]

    def report() -> tuple[int, str]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
            code = main([*args, "-f", "json", "--no-cache"])
        return code, out.getvalue()

    edited_code, edited = report()

    def from_findings(self: ledger.Ledger, position: int, result: Any, draws: list[Any]) -> Any:
        plain = [(d[1], d[2], d[4].balance(d[5], d[6])) for d in draws]
        return ledger._changed(result, [], plain)

    monkeypatch.setattr(ledger.Ledger, "_balances", from_findings)
    rebuilt_code, rebuilt = report()
    assert (edited_code, edited) == (rebuilt_code, rebuilt)
    results = json.loads(edited)["results"]
    drawn = [f for r in results for f in r["findings"] if f["code"] == "drawn"]
    overdrawn = [f for r in results for f in r["findings"] if f["code"] == "licence-drawn"]
    assert len(drawn) > 100 and overdrawn  # both routes were taken, many times
    assert all("; drew on licence " in f["message"] for f in drawn)


def test_a_line_covered_under_two_measures_shows_its_balance_once(tmp_path: Path) -> None:
    """Two measures control the same item and one licence covers both: the line has two
    ``covered`` findings with the same message, and the first (as the findings are listed)
    shows the balance, whichever way the result was checked."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "second.yaml").write_text(
        "id: second-measure\ntitle: A second made-up measure on gallium\n"
        "reference: Test Announcement No. 9 of 2025\n"
        "source: https://example.invalid/second-measure\njurisdiction: CN\n"
        "announced: 2025-03-01\neffective: 2025-03-10\ncontrols:\n"
        "  - id: gallium-again\n    title: Gallium, again\n    items:\n"
        "      - minerals: [gallium]\n    requires: permit\n"
        '    message: "{item} needs a second licence"\n',
        encoding="utf-8",
    )
    reg = register(tmp_path / "register.yaml", licence("L-1", quantity="25 kg"))
    for ident, day in (("T-1", "01"), ("T-2", "02")):
        shipment(tmp_path / "m", ident, day, "10 kg", "L-1")
    for jobs in ("1", "2"):
        args = ["verify", str(tmp_path / "m"), "--permits", str(reg), "--jobs", jobs]
        code, results, _ = run([*args, "--rules", str(tmp_path / "rules"), "--no-cache"])
        assert code == 0
        for ident, left in (("T-1", "15"), ("T-2", "5")):
            found = [(f["code"], f["rule"], f["message"]) for f in results[ident]["findings"]]
            covered = "item 1 is covered by permit L-1 (valid 2025-01-01 to 2025-12-31)"
            balance = f"; drew on licence L-1 (general): {left} kg left of 25 kg"
            assert [(code, message) for code, _, message in found] == [
                ("drawn", covered + balance),
                ("covered", covered),
            ]
            assert {rule for _, rule, _ in found} == {
                "test-measure/gallium",
                "second-measure/gallium-again",
            }


def test_a_manifest_can_overdraw_two_licences_at_once(tmp_path: Path) -> None:
    """Licences are drawn down one by one, each in ship-date order; a manifest whose two lines
    overdraw two licences fails on both lines, in line order, naming each licence and what it
    had left, and a manifest before it keeps its balances."""
    reg = register(
        tmp_path / "register.yaml",
        licence("L-A", quantity="15 kg"),
        licence("L-B", quantity="12 kg"),
    )
    folder = tmp_path / "m"
    for ident, day in (("T-1", "01"), ("T-2", "02")):
        text = shipment(folder, ident, day, "10 kg", "L-A").read_text(encoding="utf-8")
        second = "  - description: Gallium oxide\n    mineral: gallium\n    quantity: 10 kg\n"
        (folder / f"{ident}.yaml").write_text(
            text + second + "    permits: [L-B]\n", encoding="utf-8"
        )
    for jobs in ("1", "2"):
        code, results, _ = run(["verify", str(folder), "--permits", str(reg), "--jobs", jobs])
        assert code == 1
        first = [(f["code"], f["item"]) for f in results["T-1"]["findings"] if f["item"]]
        assert sorted(first) == [("drawn", 1), ("drawn", 2)]
        assert "drew on licence L-B (general): 2 kg left of 12 kg" in messages(results["T-1"])
        failed = [f for f in results["T-2"]["findings"] if f["code"] == "licence-drawn"]
        assert [f["item"] for f in failed] == [1, 2]
        assert "licence L-A has 5 kg left of 15 kg; item 1 needs 10 kg" in failed[0]["message"]
        assert "licence L-B has 2 kg left of 12 kg; item 2 needs 10 kg" in failed[1]["message"]
        assert results["T-2"]["verdict"] == "fail"


@pytest.mark.parametrize("fails", [False, True])
def test_drawing_down_leaves_the_cycle_collector_as_it_found_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fails: bool
) -> None:
    """The ledger turns the cycle collector off while it draws down (nothing it builds is in a
    cycle); it is on again afterwards, also when drawing down fails, and a collector the caller
    had turned off stays off."""
    import gc

    from mineralcheck.records import ledger
    from mineralcheck.records.register import load

    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="15 kg"))
    seen: list[bool] = []
    real = ledger.Ledger._finish

    def watched(self: ledger.Ledger) -> Any:
        seen.append(gc.isenabled())
        if fails:
            raise RuntimeError("drawing down failed")
        return real(self)

    monkeypatch.setattr(ledger.Ledger, "_finish", watched)
    for before in (True, False):
        (gc.enable if before else gc.disable)()
        try:
            with contextlib.suppress(RuntimeError):
                ledger.Ledger(load([reg])).finish()
            assert gc.isenabled() is before
        finally:
            gc.enable()
    assert seen == [False, False]


def _collecting(batch: list[tuple[str, bytes]]) -> Any:
    """A worker's task that notes whether the worker's cycle collector is on (then checks)."""
    import gc
    import os

    from mineralcheck import pipeline

    with open(os.environ["GC_SEEN"], "a", encoding="utf-8") as seen:
        seen.write(f"{gc.isenabled()}\n")
    return pipeline._check_batch(batch)  # type: ignore[attr-defined]


@pytest.mark.parametrize("interrupted", [False, True])
def test_a_ledger_run_pauses_the_cycle_collector_and_its_workers_collect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, interrupted: bool
) -> None:
    """The collector is off while the ledger takes the results in (it holds all of them) and on
    again after the run, also when the run is cut short; the workers, forked while it is off,
    collect as usual."""
    import gc

    from mineralcheck import pipeline
    from mineralcheck.records import ledger

    reg = register(tmp_path / "register.yaml", licence("L-GEN", quantity="1000 kg"))
    for number in range(2 * pipeline.PARALLEL_FROM):
        shipment(tmp_path / "m", f"T-{number:02d}", f"{number % 28 + 1:02d}", "1 kg", "L-GEN")
    monkeypatch.setenv("GC_SEEN", str(tmp_path / "gc.txt"))
    monkeypatch.setattr(pipeline, "_check_batch", pipeline._check, raising=False)
    monkeypatch.setattr(pipeline, "_check", _collecting)
    during: list[bool] = []
    real_add = ledger.Ledger.add

    def add(self: ledger.Ledger, result: Any) -> None:
        during.append(gc.isenabled())
        if interrupted and len(during) == pipeline.PARALLEL_FROM + 2:
            raise KeyboardInterrupt
        real_add(self, result)

    monkeypatch.setattr(ledger.Ledger, "add", add)
    assert gc.isenabled()
    args = ["verify", str(tmp_path / "m"), "--permits", str(reg), "-j", "2", "--no-cache"]
    if interrupted:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            assert main([*args, *TEST_ONLY]) == 130
    else:
        code, results, _ = run(args)
        assert code == 0 and len(results) == 2 * pipeline.PARALLEL_FROM
    assert gc.isenabled()
    assert during and not any(during)
    seen = (tmp_path / "gc.txt").read_text(encoding="utf-8").split()
    assert seen and set(seen) == {"True"}


# What one unit is in kilograms, by definition (1 lb = 0.45359237 kg exactly): the oracle's own
# table, not the tool's.
_KG = {"mg": "0.000001", "g": "0.001", "kg": "1", "t": "1000", "lb": "0.45359237"}
_QUANTITIES = st.tuples(st.integers(1, 10**7), st.integers(0, 4), st.sampled_from(sorted(_KG))).map(
    lambda q: (format(Decimal(q[0]).scaleb(-q[1]), "f"), q[2])
)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(_QUANTITIES, st.lists(_QUANTITIES, min_size=1, max_size=6))
def test_what_a_licence_has_left_is_exact_whatever_the_units_and_places(
    limit: tuple[str, str], needs: list[tuple[str, str]]
) -> None:
    """The ledger counts kilograms in whole units of as many places as needed: each balance
    and each overdrawn line says what decimal arithmetic on the quantities says, to the last
    place, for quantities of any unit and any number of places."""
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        written = f"{limit[0]} {limit[1]}"
        reg = register(root / "register.yaml", licence("L-GEN", quantity=written))
        for day, (value, unit) in enumerate(needs, start=1):
            shipment(root / "m", f"T-{day}", f"{day:02d}", f"{value} {unit}", "L-GEN")
        _, results, _ = run(["verify", str(root / "m"), "--permits", str(reg), "--no-cache"])

    exact = Context(prec=100)  # the default context rounds past 28 digits

    def kg(value: str, unit: str) -> Decimal:
        return exact.multiply(Decimal(value), Decimal(_KG[unit]))

    def text(amount: Decimal) -> str:
        return format(amount.normalize(exact), "f")

    left = kg(*limit)
    for day, need in enumerate(needs, start=1):
        said = messages(results[f"T-{day}"])
        amount = kg(*need)
        if amount > left:
            assert f"licence L-GEN has {text(left)} kg left of {written}; item 1 needs " \
                   f"{text(amount)} kg" in said  # fmt: skip
        else:
            left = exact.subtract(left, amount)
            assert f"drew on licence L-GEN (general): {text(left)} kg left of {written}" in said


@given(st.decimals(min_value=0, max_value=10**20, places=None, allow_nan=False))
def test_kilograms_as_units_are_written_back_as_the_decimal(amount: Decimal) -> None:
    """``_units`` and ``_text`` round-trip every plain decimal the facts hold, and a decimal
    scaled to more places is written the same."""
    from mineralcheck.records.ledger import _scaled, _text, _units

    plain = format(amount.normalize(Context(prec=100)), "f")  # the default context rounds
    assert _text(*_units(plain)) == plain
    places = _units(plain)[1]
    assert _text(_scaled(amount, places + 3), places + 3) == plain


@pytest.mark.parametrize("bad", ["1E3", "-1", "1.", ".5", "", "NaN", "1.2.3", "١٢", "1_000", " 1"])
def test_kilograms_that_are_not_plain_are_an_error_not_a_guess(bad: str) -> None:
    from mineralcheck.records.ledger import _units

    with pytest.raises(ValueError, match="not a plain number of kilograms"):
        _units(bad)
