"""No output forged: whatever text a manifest holds, every format keeps its shape.

A description can hold a newline, an ANSI escape, a GitHub workflow command or characters XML
forbids; none of them may add a line, hide a line, stop the runner's reading of annotations,
or make a report unparseable.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import TEST_RULES, TESTS, manifest
from mineralcheck.formats import FORMATS, Style, get
from mineralcheck.results import ControlInfo, Finding, ManifestResult, Report, RunInfo, Severity

SARIF = jsonschema.Draft4Validator(
    json.loads((TESTS / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
)
TEST_ONLY = ["--no-bundled-rules", "--rules", str(TEST_RULES)]
OUR_COMMAND = re.compile(r"^::(error|warning|notice) [^\n]*::[^\n]*$")
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")  # any control but the newline


def _finding(severity: Severity, text: str, other: str) -> Finding:
    return Finding(
        severity, "invalid-value", text, rule=other or None, item=1, line=3, column=5,
        field=other, reference=text or None, url="https://example.invalid/x",
    )  # fmt: skip


def _report(path: str, ident: str | None, text: str, other: str) -> Report:
    findings = tuple(
        _finding(severity, text, other)
        for severity in (Severity.ERROR, Severity.FAIL, Severity.WARN, Severity.INFO)
    )
    result = ManifestResult(path or "x.yaml", ident, Severity.ERROR, findings, (3,))
    control = ControlInfo(other or "c", text, text, None, "licence", None)
    return Report(RunInfo("0.1.0", "0" * 64, ("r",), None, (control,)), (result,))


OUR_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "p", "nav",
    "button", "b", "section", "label", "select", "option", "span", "article", "code", "table",
    "thead", "tbody", "tr", "th", "td", "a", "br", "footer", "script", "details", "summary",
}  # fmt: skip


def assert_only_our_markup(page: str) -> None:
    """Every tag is one the page itself writes; no value adds a tag, a handler or a script."""
    from html.parser import HTMLParser

    class Tags(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.tags: list[str] = []
            self.handlers: list[str] = []
            self.links: list[str] = []

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.tags.append(tag)
            self.handlers += [name for name, _ in attrs if name.startswith("on")]
            self.links += [v or "" for name, v in attrs if name in ("href", "src")]

    parser = Tags()
    parser.feed(page)
    assert set(parser.tags) <= OUR_TAGS, set(parser.tags) - OUR_TAGS
    assert parser.tags.count("script") == 1 and parser.handlers == []
    assert all(link.startswith(("https://", "http://", "#src")) for link in parser.links)


def check_every_format(report: Report) -> None:
    """Assert that each format's output has its shape, whatever the text in the report."""
    (result,) = report.results
    for name in FORMATS:
        style = Style(verbose=True, cwd="/nowhere")
        out = get(name).render(report, style)
        out.encode("utf-8")  # every report is writable as UTF-8
        if name == "json":
            data = json.loads(out)
            # the JSON report is the data contract: it keeps every value exactly
            assert data["results"][0]["findings"][0]["message"] == result.findings[0].message
            assert data["results"][0]["manifest_id"] == result.manifest_id
        elif name == "sarif":
            SARIF.validate(json.loads(out))
        elif name == "junit":
            ET.fromstring(out.encode("utf-8"))
        elif name == "github":
            for line in out.splitlines():
                if line.lstrip().startswith("::"):
                    assert OUR_COMMAND.match(line), line  # parsed as ours, whatever follows
                else:
                    assert "##[" not in line  # the old syntax counts anywhere in a line
            assert sum(line.startswith("::") for line in out.splitlines()) == 3
        elif name in ("text", "table"):
            assert not CONTROL.search(out)
            # one line per finding (all four: verbose) and the verdict line
            assert len(out.splitlines()) == 5
        elif name == "html":
            assert not CONTROL.search(out)
            assert_only_our_markup(out)
        else:  # markdown
            assert not CONTROL.search(out)
            outside_code = re.sub(r"`[^`\n]*`", "", out)  # a code span shows < as it is
            for tag in ("<sub>", "</sub>", "<code>", "</code>"):
                outside_code = outside_code.replace(tag, "")
            assert "<" not in outside_code  # no raw HTML from any value
    table = get("table").render(report, Style(terminal=True, width=100, verbose=True))
    assert not CONTROL.search(table)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(max_size=40),
    st.one_of(st.none(), st.text(max_size=20)),
    st.text(max_size=60),
    st.text(max_size=20),
)
def test_any_text_keeps_every_format_valid(
    path: str, ident: str | None, text: str, other: str
) -> None:
    check_every_format(_report(path, ident, text, other))


HOSTILE = [
    "line one\n::stop-commands::x\n::error::forged",
    "\x1b[2K\rPASS everything",
    "\x01\x02\x0b\x0c\x1b\x7f\x85\x9b\ufffe\ud800",
    "%0A::error::x %25",
    "##[error]forged ##[stop-commands]",
    "  ::warning::indented",
    "\u202etxt.exe",
    "<img src=x onerror=alert(1)>|`|",
]


def test_hostile_text_keeps_every_format_valid() -> None:
    for text in HOSTILE:
        check_every_format(_report(text, text, text, text))


def test_a_stop_commands_description_cannot_silence_the_annotations(
    cli: Any, tmp_path: Path
) -> None:
    hostile = '"Gallium\\n::stop-commands::x\\n\\x1b[2K::error::forged"'
    items = f"  - description: {hostile}\n    mineral: gallium\n    quantity: 10 kg\n"
    (tmp_path / "m.yaml").write_text(manifest(items=items), encoding="utf-8")
    run = cli(["verify", str(tmp_path / "m.yaml"), "-f", "github", *TEST_ONLY])
    assert run.code == 1
    lines = run.out.splitlines()
    commands = [line for line in lines if line.lstrip().startswith("::")]
    assert commands and all(line.startswith("::error file=") for line in commands), lines
    assert "\x1b" not in run.out


def test_messages_on_standard_error_cannot_add_lines(cli: Any, tmp_path: Path) -> None:
    odd = tmp_path / "evil\n::error::forged\x1b[2K.yaml"
    run = cli(["verify", str(odd), "-f", "github", *TEST_ONLY])
    assert run.code == 2
    assert "\x1b" not in run.err and "\x1b" not in run.out
    for line in (run.out + run.err).splitlines():
        assert not line.lstrip().startswith("::") or line.startswith("::error file="), line
