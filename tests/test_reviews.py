"""Reviews (spec/records.md, part 2) through the real CLI: a person's decision clears a warn,
never a fail, and is not applied when expired, not yet taken, or bound to other bytes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import jsonschema

from conftest import TEST_RULES, TESTS, count_calls, manifest

TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]
WARNING = manifest(
    items="  - description: Sb2O3\n    mineral: antimony\n    form: oxide\n    quantity: 5 kg\n"
)  # warns: purity undecided under test-measure/antimony-oxide (ship date 2025-04-01)
FAILING = manifest()  # gallium without a permit: test-measure/gallium fails
RULE = "test-measure/antimony-oxide"


def reviews_file(path: Path, **changes: object) -> Path:
    entry = {
        "manifest": "T-1",
        "rule": RULE,
        "item": 1,
        "reason": "Purity 99.5 % per mill certificate MC-8812",
        "reviewer": "A. Example, export control officer",
        "date": "2025-03-20",
        "expires": "2025-12-31",
        **changes,
    }
    lines = [
        "reviews: 1",
        "entries:",
        "  - " + "\n    ".join(f"{k}: {json.dumps(v)}" for k, v in entry.items()),
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def verify(cli: Any, tmp_path: Path, text: str, *extra: str) -> tuple[Any, dict[str, Any]]:
    (tmp_path / "m.yaml").write_text(text, encoding="utf-8")
    run = cli(["verify", str(tmp_path / "m.yaml"), "-f", "json", *TEST_ONLY, *extra])
    return run, json.loads(run.out)["results"][0] if run.out else {}


def test_a_review_clears_a_warn_and_the_finding_stays_as_info(cli: Any, tmp_path: Path) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml")
    run, result = verify(cli, tmp_path, WARNING, "--reviews", str(reviews), "--fail-on", "warn")
    assert run.code == 0 and result["verdict"] == "pass"
    (finding,) = [f for f in result["findings"] if f["rule"] == RULE]
    assert finding["severity"] == "info" and finding["code"] == "reviewed"
    assert "A. Example" in finding["message"] and "2025-03-20" in finding["message"]
    assert "MC-8812" in finding["message"]
    text = cli(["verify", str(tmp_path / "m.yaml"), "--reviews", str(reviews), *TEST_ONLY])
    assert "reviewed: cleared by A. Example" in text.out  # shown without -v


def test_without_the_review_the_same_manifest_warns(cli: Any, tmp_path: Path) -> None:
    _run, result = verify(cli, tmp_path, WARNING)
    assert result["verdict"] == "warn"


def test_each_reason_a_review_is_not_applied_is_reported(cli: Any, tmp_path: Path) -> None:
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    cases = {
        "it expired on 2025-03-31": {"expires": "2025-03-31"},
        f"after today ({dt.date.today()})": {"date": tomorrow},
        "bound by sha256 to other bytes": {"sha256": "0" * 64},
    }
    for reason, change in cases.items():
        reviews = reviews_file(tmp_path / "reviews.yaml", **change)
        _run, result = verify(cli, tmp_path, WARNING, "--reviews", str(reviews))
        assert result["verdict"] == "warn", reason
        notes = [f for f in result["findings"] if f["code"] == "review"]
        assert len(notes) == 1 and reason in notes[0]["message"], notes


def test_as_of_after_the_expiry_leaves_the_warning(cli: Any, tmp_path: Path) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml", expires="2025-06-30")
    _run, result = verify(
        cli, tmp_path, WARNING, "--reviews", str(reviews), "--as-of", "2025-07-01"
    )
    assert result["verdict"] == "warn"


def test_a_review_bound_to_these_bytes_applies(cli: Any, tmp_path: Path) -> None:
    digest = hashlib.sha256(WARNING.encode()).hexdigest()
    reviews = reviews_file(tmp_path / "reviews.yaml", sha256=digest)
    _run, result = verify(cli, tmp_path, WARNING, "--reviews", str(reviews))
    assert result["verdict"] == "pass"


def test_a_review_never_clears_a_fail(cli: Any, tmp_path: Path) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml", rule="test-measure/gallium")
    run, result = verify(cli, tmp_path, FAILING, "--reviews", str(reviews))
    assert run.code == 1 and result["verdict"] == "fail"
    notes = [f for f in result["findings"] if f["code"] == "review"]
    assert len(notes) == 1 and "never clears a fail" in notes[0]["message"]


def test_a_review_that_matches_nothing_is_listed(cli: Any, tmp_path: Path) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml", manifest="NOT-IN-THIS-RUN")
    run, result = verify(cli, tmp_path, WARNING, "--reviews", str(reviews))
    assert result["verdict"] == "warn"
    assert "review entry 1 (NOT-IN-THIS-RUN" in run.err and "matched no finding" in run.err


def test_a_bad_reviews_file_names_file_line_and_field(cli: Any, tmp_path: Path) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml", approved_by="someone")
    run, _ = verify(cli, tmp_path, WARNING, "--reviews", str(reviews))
    assert run.code == 2 and run.out == ""
    assert f"{reviews}:10:5: unknown key 'approved_by' [entries[0].approved_by]" in run.err
    assert "the reviews are invalid; nothing was checked" in run.err


def test_the_cache_never_hides_a_changed_review(cli: Any, tmp_path: Path) -> None:
    assert verify(cli, tmp_path, WARNING)[1]["verdict"] == "warn"  # now cached
    reviews = reviews_file(tmp_path / "reviews.yaml")
    assert verify(cli, tmp_path, WARNING, "--reviews", str(reviews))[1]["verdict"] == "pass"
    reviews_file(tmp_path / "reviews.yaml", expires="2025-03-31")
    assert verify(cli, tmp_path, WARNING, "--reviews", str(reviews))[1]["verdict"] == "warn"


def test_sarif_suppresses_a_reviewed_finding_with_the_justification(
    cli: Any, tmp_path: Path
) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml")
    (tmp_path / "m.yaml").write_text(WARNING, encoding="utf-8")
    out = tmp_path / "r.sarif"
    cli(
        [
            "verify",
            str(tmp_path / "m.yaml"),
            "--reviews",
            str(reviews),
            "-o",
            f"sarif:{out}",
            *TEST_ONLY,
        ]
    )
    sarif = json.loads(out.read_text(encoding="utf-8"))
    schema = json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(sarif)
    (result,) = sarif["runs"][0]["results"]
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "external" and "MC-8812" in suppression["justification"]


def test_the_record_names_the_reviews_applied(cli: Any, tmp_path: Path) -> None:
    reviews = reviews_file(tmp_path / "reviews.yaml")
    record = tmp_path / "record.jsonl"
    verify(cli, tmp_path, WARNING, "--reviews", str(reviews), "--record", str(record))
    (line,) = [json.loads(x) for x in record.read_text(encoding="utf-8").splitlines()]
    assert line["reviews"] == [
        {"rule": RULE, "item": 1, "reviewer": "A. Example, export control officer",
         "date": "2025-03-20"}
    ]  # fmt: skip


def test_reviews_apply_the_same_to_results_from_workers(cli: Any, tmp_path: Path) -> None:
    """Results from worker processes carry their findings as the report's text; a review is
    applied to them (or found to match nothing) exactly as to results checked in-process."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for number in range(1, 25):  # enough for workers (with --jobs 2)
        (folder / f"m{number:02d}.yaml").write_text(
            WARNING.replace("id: T-1", f"id: T-{number}"), encoding="utf-8"
        )
    reviews = tmp_path / "reviews.yaml"
    entries = [
        (f"T-{number}", item)
        for number in (2, 20, 21)  # checked in-process with --jobs 1, by workers with 2
        for item in (1, 2)  # item 2 does not exist: that review matches nothing
    ]
    reviews.write_text(
        "reviews: 1\nentries:\n"
        + "".join(
            f"  - {{manifest: {ident}, rule: {RULE}, item: {item}, reason: Certificate, "
            "reviewer: A. Example, date: 2025-03-20, expires: 2025-12-31}\n"
            for ident, item in entries
        ),
        encoding="utf-8",
    )
    outputs = []
    for jobs in ("1", "2"):
        run = cli(
            ["verify", str(folder), "-f", "json", "--no-cache", "--jobs", jobs,
             "--reviews", str(reviews), *TEST_ONLY]
        )  # fmt: skip
        verdicts = {r["manifest_id"]: r["verdict"] for r in json.loads(run.out)["results"]}
        assert [i for i, v in sorted(verdicts.items()) if v == "pass"] == ["T-2", "T-20", "T-21"]
        assert run.err.count("matched no finding") == 3, run.err
        outputs.append((run.out, run.err))
    assert outputs[0] == outputs[1]


def test_reviews_are_read_back_sealed_and_a_bad_file_is_never_kept(
    cli: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    from mineralcheck.records import reviews as module

    cache = tmp_path / "cache"
    monkeypatch.setenv("MINERALCHECK_CACHE_DIR", str(cache))
    calls = count_calls(monkeypatch, module, "_validated")  # validations by the schema
    reviews = reviews_file(tmp_path / "reviews.yaml")
    first = verify(cli, tmp_path, WARNING, "--reviews", str(reviews), "--no-cache")
    assert first[1]["verdict"] == "pass" and calls == [1]
    [entry] = sorted(cache.glob("reviews-*.bin"))
    again = verify(cli, tmp_path, WARNING, "--reviews", str(reviews), "--no-cache")
    assert again[0].out == first[0].out and calls == [1]  # read back, not validated again
    entry.write_bytes(entry.read_bytes()[:-3])  # torn: ignored and written anew
    assert verify(cli, tmp_path, WARNING, "--reviews", str(reviews), "--no-cache")[1] == first[1]
    assert calls == [1, 1]
    reviews_file(tmp_path / "reviews.yaml", expires="2025-03-31")  # changed: read afresh
    assert verify(cli, tmp_path, WARNING, "--reviews", str(reviews))[1]["verdict"] == "warn"
    assert calls == [1, 1, 1]
    reviews_file(tmp_path / "reviews.yaml", approved_by="someone")  # invalid: never kept
    for _ in range(2):
        assert verify(cli, tmp_path, WARNING, "--reviews", str(reviews))[0].code == 2
    assert calls == [1, 1, 1, 1, 1] and len(list(cache.glob("reviews-*.bin"))) == 2
