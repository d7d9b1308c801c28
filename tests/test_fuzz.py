"""Fuzzing through the real entry point: mutated example manifests and mutated rule files.

Whatever the input, the tool answers with exit 0, 1 or 2, never a traceback or an internal
error, and every report format it writes stays valid. The run here is short enough for CI;
``python bench/fuzz.py`` runs the same properties with many more examples.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import EXAMPLES, ROOT, TEST_RULES, TESTS
from mineralcheck.cli import main
from mineralcheck.formats import FORMATS, Style, get
from mineralcheck.pipeline import Checker, Options
from mineralcheck.results import Report
from mineralcheck.schemas import schema
from mineralcheck.yamlread import YamlReadError, read_yaml
from shipments import assert_agrees

pytestmark = pytest.mark.fuzz

EXAMPLES_COUNT = int(os.environ.get("MINERALCHECK_FUZZ_EXAMPLES", "0")) or None
FUZZ = settings(
    max_examples=EXAMPLES_COUNT or 120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
MANIFESTS = sorted(p for p in EXAMPLES.rglob("*") if p.suffix in (".yaml", ".json"))
RULE_FILES = [TEST_RULES / "test-measure.yaml", *sorted((ROOT / "rules" / "cn").glob("*.yaml"))]
SARIF = jsonschema.Draft4Validator(
    json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
)
REPORT = jsonschema.Draft202012Validator(schema("report"))
BUNDLED = Checker(Options())

# Pieces that YAML and the manifest format give meaning to, and plain noise.
TOKENS = st.sampled_from(
    [
        "\n", "  ", "- ", ": ", "{", "}", "[", "]", "&a ", "*a", "!!str ", "---\n", "...\n", "#",
        "'", '"', "\\", "%", "::error::x", "\x1b[2K", "\x00", "\t", "null", "~", "true", "0x10",
        "1e3", "-1", "9999-12-31", "0001-01-01", "2025-02-30", "999999999999999999999999999999",
        "0.0000001", "kg", "t", "lb", "US", "XX", "military: true", "mineral: ", "form: ",
        "hs_code: ", "purity: ", "quantity: ", "permits: ", "origin: ", "end_user:\n  ",
        "gallium", "graphite", "NdFeB", "<<: *a", "? ", "|\n  ", ">\n  ", "\ufeff", "\u2028",
    ]
)  # fmt: skip
EDIT_TEXT = st.one_of(TOKENS, st.text(max_size=8), st.lists(TOKENS, max_size=4).map("".join))


@st.composite
def mutated(draw: st.DrawFn, sources: list[Path]) -> bytes:
    """A source file with a few random edits: text put in, cut out or replaced."""
    text = draw(st.sampled_from(sources)).read_text(encoding="utf-8")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 12))
        text = text[:at] + draw(EDIT_TEXT) + text[at + cut :]
    return text.encode("utf-8", "surrogatepass")


def run_main(args: list[str]) -> tuple[int, str, str]:
    """The CLI in-process, its standard output and error captured."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


def assert_no_crash(code: int, err: str) -> None:
    assert code in (0, 1, 2), err
    assert "Traceback" not in err and "internal error" not in err, err


def assert_formats_valid(files: dict[str, Path]) -> None:
    data = json.loads(files["json"].read_text(encoding="utf-8"))
    REPORT.validate(data)
    SARIF.validate(json.loads(files["sarif"].read_text(encoding="utf-8")))
    ET.fromstring(files["junit"].read_bytes())
    for line in files["github"].read_text(encoding="utf-8").splitlines():
        if line.lstrip().startswith("::"):
            assert line.startswith(("::error file=", "::warning file=", "::notice ")), line


@FUZZ
@given(mutated(MANIFESTS))
def test_a_mutated_manifest_never_crashes_and_every_format_stays_valid(raw: bytes) -> None:
    result = BUNDLED.check_bytes("m.yaml", raw)  # the engine with the whole bundled pack
    report = Report(BUNDLED.info(), (result,))
    for name in FORMATS:
        get(name).render(report, Style(verbose=True)).encode("utf-8")
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "m.yaml").write_bytes(raw)
        files = {name: folder / f"report.{name}" for name in FORMATS}
        args = ["verify", str(folder / "m.yaml"), "--no-cache", "-f", "json"]
        for name, path in files.items():
            args += ["-o", f"{name}:{path}"]
        code, _, err = run_main([*args, "--no-bundled-rules", "--rules", str(TEST_RULES)])
        assert_no_crash(code, err)
        assert_formats_valid(files)


@FUZZ
@given(mutated(MANIFESTS))
def test_a_mutated_manifest_is_read_without_the_schema_only_as_the_schema_reads_it(
    raw: bytes,
) -> None:
    """``shipment.build`` (the path without Pydantic) never reads text the schema would refuse
    or read otherwise (``tests/test_twins.py`` has the structural mutations)."""
    try:
        data = read_yaml(raw).data
    except YamlReadError:
        return  # no data: neither reads it
    assert_agrees(data)


@FUZZ
@given(mutated(RULE_FILES), mutated(MANIFESTS[:20]))
def test_a_mutated_rule_file_is_linted_and_a_clean_one_never_crashes_verify(
    rule: bytes, raw: bytes
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "rules").mkdir()
        (folder / "rules" / "rule.yaml").write_bytes(rule)
        (folder / "m.yaml").write_bytes(raw)
        code, _, err = run_main(["rules", "lint", "--no-bundled-rules", str(folder / "rules")])
        assert_no_crash(code, err)
        with_pack = ["--rules", str(folder / "rules")]
        verify = ["verify", str(folder / "m.yaml"), "--no-cache", "-f", "json"]
        verified, out, err = run_main([*verify, *with_pack])
        assert_no_crash(verified, err)
        if out:
            REPORT.validate(json.loads(out))
        if code == 0:  # what lint passes, verify runs
            verified, _, err = run_main([*verify, "--no-bundled-rules", *with_pack])
            assert_no_crash(verified, err)
            assert "rule pack is invalid" not in err


REGISTER = b"""register: 1
permits:
  - number: L-1
    route: general
    valid_from: 2025-01-01
    valid_until: 2025-12-31
    destination: [DE]
    covers: [gallium]
    quantity: 25 kg
"""
REVIEWS = b"""reviews: 1
entries:
  - manifest: T-1
    rule: test-measure/antimony-oxide
    item: 1
    reason: certificate
    reviewer: A. Example
    date: 2025-03-20
    expires: 2025-12-31
"""


@st.composite
def mutated_bytes(draw: st.DrawFn, source: bytes) -> bytes:
    """A records file with a few random edits."""
    text = source.decode()
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        cut = draw(st.integers(0, 12))
        text = text[:at] + draw(EDIT_TEXT) + text[at + cut :]
    return text.encode("utf-8", "surrogatepass")


@FUZZ
@given(mutated_bytes(REGISTER), mutated_bytes(REVIEWS), mutated(MANIFESTS[:20]))
def test_mutated_registers_and_reviews_never_crash(
    register: bytes, reviews: bytes, raw: bytes
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        (folder / "register.yaml").write_bytes(register)
        (folder / "reviews.yaml").write_bytes(reviews)
        (folder / "m.yaml").write_bytes(raw)
        args = ["verify", str(folder / "m.yaml"), "--no-cache", "-f", "json"]
        args += [
            "--permits",
            str(folder / "register.yaml"),
            "--reviews",
            str(folder / "reviews.yaml"),
        ]
        args += ["--record", str(folder / "record.jsonl")]
        code, out, err = run_main([*args, "--no-bundled-rules", "--rules", str(TEST_RULES)])
        assert_no_crash(code, err)
        if out:
            REPORT.validate(json.loads(out))
        if (folder / "record.jsonl").exists():
            verified, _, err = run_main(["record", "verify", str(folder / "record.jsonl")])
            assert verified == 0, err
