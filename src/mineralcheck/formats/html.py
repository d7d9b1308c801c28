"""One self-contained HTML page for a manager or a customs broker.

The page needs no network: styles and the filter script are inline, and a Content Security
Policy forbids every fetch. Every value from a manifest or a rule file is HTML-escaped; a link
is made only of an ``http(s)`` address. Failing, error and warning manifests come first, each
with its findings, legal references and links; passing manifests follow as one line each.
Filters by verdict, measure and mineral run in the page. Memory: the page needs every result
before it can list them in verdict order, so it keeps one compact piece of HTML per manifest.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import urlsplit

from mineralcheck.formats.common import DRAWN, REVIEWED, printable, reported, rule_id
from mineralcheck.formats.interface import Style, render_with
from mineralcheck.results import (
    VERDICTS,
    Finding,
    ManifestResult,
    Report,
    RunInfo,
    Severity,
    Summary,
)

ORDER = (Severity.FAIL, Severity.ERROR, Severity.WARN, Severity.PASS)  # what needs action first
OPEN = 200  # manifests shown open; the rest open on a click (a page of 10,000 stays quick)


def text(value: object) -> str:
    """Any value as HTML text: escaped, control characters shown as ``\\x1b``."""
    return escape(printable(str(value)), quote=True)


def link(url: str | None, label: str) -> str:
    """``label`` linked to ``url`` when it is an http(s) address; plain text otherwise."""
    if url and urlsplit(url).scheme in ("http", "https"):
        return f'<a href="{text(url)}" rel="noopener noreferrer">{text(label)}</a>'
    return text(label)


def _breakable(rule: str) -> str:
    """A rule id that wraps after its slash, never inside a word."""
    return "/<br>".join(text(part) for part in rule.split("/"))


def _measure(finding: Finding) -> str:
    return (finding.rule or "").partition("/")[0]


class Writer:
    """Keeps a piece of HTML per manifest, grouped by verdict; writes the page at the end."""

    def __init__(self, info: RunInfo, style: Style) -> None:
        self.info = info
        self.pieces: dict[Severity, list[str]] = {v: [] for v in ORDER}
        self.measures: dict[str, str] = {}  # id -> reference, of the measures found
        self.minerals: set[str] = set()
        self.drawn: dict[str, list[tuple[str, str]]] = {}  # licence -> (manifest, quantity)
        self.reviews: list[str] = []  # table rows
        self.references = {c.id.partition("/")[0]: c.reference for c in info.controls}
        self.sources: dict[tuple[str, str | None], int] = {}  # (reference, url) -> anchor
        self.noted: list[str] = []  # passed manifests with notices, reviews or licences drawn

    def start(self) -> str:
        """Nothing yet: the counts and the order need every result."""
        return ""

    def add(self, result: ManifestResult) -> str:
        """Keep the manifest's piece of the page."""
        facts = json.loads(result.facts) if result.facts else {}
        minerals = [str(m) for m in facts.get("minerals", ())]
        self.minerals.update(minerals)
        label = result.manifest_id or "-"
        for permit in facts.get("permits", ()):
            entry = (label, str(permit.get("quantity", "")))
            self.drawn.setdefault(str(permit.get("number", "")), []).append(entry)
        findings = reported(result)
        measures = sorted({m for f in findings if (m := _measure(f))})
        for finding in findings:
            measure = _measure(finding)
            if measure:
                self.measures.setdefault(measure, finding.reference or measure)
            if finding.code == REVIEWED:
                self.reviews.append(
                    f"<tr><td>{text(label)}</td><td><code>{text(rule_id(finding))}</code></td>"
                    f"<td>{text(finding.message)}</td></tr>"
                )
        verdict = str(result.verdict)
        data = (
            f'data-verdict="{verdict}" data-measures=" {text(" ".join(measures))} " '
            f'data-minerals=" {text(" ".join(m.replace(" ", "_") for m in minerals))} "'
        )
        if not findings:
            self.pieces[result.verdict].append(
                f'<tr class="row" {data}><td><span class="v {verdict}">{verdict}</span></td>'
                f"<td><code>{text(result.path)}</code></td><td>{text(label)}</td>"
                f"<td>{text(', '.join(minerals))}</td></tr>"
            )
            return ""
        rows = "".join(self._finding_row(f) for f in findings)
        # passed, with what a person should still see (a duty, a review applied, a licence drawn)
        pieces = self.noted if result.verdict is Severity.PASS else self.pieces[result.verdict]
        acting = [f for f in findings if f.severity is result.verdict] or findings
        first = acting[0].message
        more = f" (+{len(findings) - 1} more)" if len(findings) > 1 else ""
        pieces.append(
            f'<details class="manifest row {verdict}" {data}>'
            f'<summary><span class="v {verdict}">{verdict}</span> <code>{text(result.path)}</code> '
            f'<span class="id">{text(label)}</span>'
            f'<span class="minerals">{text(", ".join(minerals))}</span>'
            f'<span class="first">{text(first)}{more}</span></summary>'
            '<table class="findings"><thead><tr><th>item</th><th>line</th><th>severity</th>'
            "<th>rule</th><th>finding</th><th>legal reference</th></tr></thead>"
            f"<tbody>{rows}</tbody></table></details>"
        )
        return ""

    def _finding_row(self, finding: Finding) -> str:
        severity = str(finding.severity)
        shown = "reviewed" if finding.code == REVIEWED else severity
        if finding.code == DRAWN:
            shown = "licence"
        where = f"{finding.line}:{finding.column}" if finding.line else "-"
        reference = ""
        if finding.reference or finding.url:  # the address once, in the table of sources
            key = (finding.reference or finding.url or "", finding.url)
            anchor = self.sources.setdefault(key, len(self.sources) + 1)
            reference = f'<a href="#src{anchor}">{text(key[0])}</a>'
        return (
            f'<tr class="{severity}"><td>{text(finding.item or "-")}</td><td>{where}</td>'
            f'<td class="s">{text(shown)}</td><td class="r">{_breakable(rule_id(finding))}</td>'
            f"<td>{text(finding.message)}</td>"
            f"<td>{reference}</td></tr>"
        )

    def finish(self, summary: Summary) -> str:
        """The whole page."""
        info = self.info
        counts = "".join(
            f'<button type="button" class="count {v}" data-show="{v}">'
            f'<b id="count-{v}">{summary.counts[v]}</b> {v}</button>'
            for v in (Severity.FAIL, Severity.ERROR, Severity.WARN, Severity.PASS)
        )
        measure_options = "".join(
            f'<option value="{text(m)}">{text(m)} ({text(self.references.get(m, r))})</option>'
            for m, r in sorted(self.measures.items())
        )
        mineral_options = "".join(
            f'<option value="{text(m.replace(" ", "_"))}">{text(m)}</option>'
            for m in sorted(self.minerals)
        )
        verdict_options = "".join(f'<option value="{v}">{v}</option>' for v in ORDER)
        attention = [
            piece
            for v in (Severity.FAIL, Severity.ERROR, Severity.WARN)
            for piece in self.pieces[v]
        ]
        # the first few open, in the order shown; the rest open on a click
        acted = "".join(
            piece.replace("<details ", "<details open ", 1) if index < OPEN else piece
            for index, piece in enumerate(attention)
        )
        passed = "".join(self.pieces[Severity.PASS])
        licences = "".join(
            f"<tr><td><code>{text(number)}</code></td><td>{len(uses)}</td>"
            f"<td>{text(', '.join(f'{m} ({q})' for m, q in uses[:20]))}"
            f"{text(f' and {len(uses) - 20} more') if len(uses) > 20 else ''}</td></tr>"
            for number, uses in sorted(self.drawn.items())
        )
        as_of = (
            f"; checked as of {text(info.as_of)}" if info.as_of else "; checked on each ship date"
        )
        total = summary.manifests
        parts = [
            _HEAD,
            "<header><h1>mineralcheck report</h1>",
            f'<p class="meta">{total} manifest(s); mineralcheck {text(info.tool_version)}; '
            f"rule pack {text(info.rule_pack_hash[:12])} ({len(info.rules)} measures){as_of}</p>",
            f'<nav id="summary" aria-label="counts">{counts}</nav></header>',
            '<section id="filters"><label>verdict <select id="f-verdict">'
            f'<option value="">all</option>{verdict_options}</select></label> '
            '<label>measure <select id="f-measure"><option value="">all</option>'
            f"{measure_options}</select></label> "
            '<label>mineral <select id="f-mineral"><option value="">all</option>'
            f"{mineral_options}</select></label> "
            f'<span id="shown">showing {total} of {total}</span></section>',
            '<section id="attention"><h2>Need attention</h2>'
            '<p><button type="button" id="open-all">open all</button> '
            '<button type="button" id="close-all">close all</button></p>',
            acted or '<p class="none">No manifest failed, erred or warned.</p>',
            "</section>",
        ]
        if licences:
            parts.append(
                '<section id="licences"><h2>Licences drawn on</h2><table><thead><tr>'
                "<th>licence</th><th>manifests</th><th>drawn by</th></tr></thead>"
                f"<tbody>{licences}</tbody></table></section>"
            )
        if self.reviews:
            parts.append(
                '<section id="reviews"><h2>Reviews applied</h2><table><thead><tr>'
                "<th>manifest</th><th>rule</th><th>review</th></tr></thead>"
                f"<tbody>{''.join(self.reviews)}</tbody></table></section>"
            )
        if self.sources:
            sources = "".join(
                f'<tr id="src{anchor}"><td>{text(reference)}</td><td>{link(url, url or "-")}</td></tr>'
                for (reference, url), anchor in self.sources.items()
            )
            parts.append(
                '<section id="sources"><h2>Legal references</h2><table><thead><tr>'
                "<th>reference</th><th>source</th></tr></thead>"
                f"<tbody>{sources}</tbody></table></section>"
            )
        parts += [
            '<section id="passed"><h2>Passed</h2>',
            "".join(self.noted),
            "<table><thead><tr><th>verdict</th><th>manifest</th><th>id</th><th>minerals</th>"
            f"</tr></thead><tbody>{passed}</tbody></table>"
            if passed
            else ""
            if self.noted
            else '<p class="none">No manifest passed.</p>',
            "</section>",
            f"<footer>Verdicts: {', '.join(str(v) for v in VERDICTS)}. A finding's legal "
            "reference links to the measure's source. This page loads nothing from the network."
            "</footer>",
            f"<script>{_SCRIPT}</script></body></html>\n",
        ]
        return "".join(parts)


_HEAD = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>mineralcheck report</title>
<style>
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1200px;padding:0 1rem 2rem;color:#1b1f24;background:#fff}
h1{font-size:1.5rem;margin:1rem 0 .25rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}h3{font-size:1rem;margin:0 0 .4rem;font-weight:600}
.meta{color:#57606a;margin:0 0 .75rem}
#summary{display:flex;gap:.5rem;flex-wrap:wrap}
.count{border:1px solid #d0d7de;border-radius:6px;padding:.4rem .9rem;background:#f6f8fa;font:inherit;cursor:pointer}
.count b{font-size:1.3rem;margin-right:.3rem}
.count.fail b,.v.fail,.s.fail{color:#cf222e}.count.error b,.v.error,.s.error{color:#8250df}
.count.warn b,.v.warn,.s.warn{color:#9a6700}.count.pass b,.v.pass{color:#1a7f37}
#filters{position:sticky;top:0;background:#fff;padding:.6rem 0;border-bottom:1px solid #d0d7de;margin-top:.75rem;z-index:1}
#filters label{margin-right:1rem}#shown{color:#57606a}
.manifest{border:1px solid #d0d7de;border-left-width:4px;border-radius:6px;padding:.5rem .8rem;margin:.5rem 0;content-visibility:auto;contain-intrinsic-size:auto 3rem}
.manifest summary{cursor:pointer;font-weight:600}.first{display:block;font-weight:400;color:#424a53;margin:.2rem 0 0 1.1rem}
.manifest[open] .first{display:none}.manifest table{margin-top:.4rem}
#sources td:last-child{overflow-wrap:anywhere}
.manifest.fail{border-left-color:#cf222e}.manifest.error{border-left-color:#8250df}.manifest.warn{border-left-color:#d4a72c}.manifest.pass{border-left-color:#1a7f37}
.v{font-weight:700;text-transform:uppercase;font-size:.8rem;margin-right:.3rem}
.id{color:#57606a;margin-left:.4rem}.minerals{color:#57606a;margin-left:.6rem;font-weight:400}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:.25rem .5rem;border-bottom:1px solid #eaeef2}
th{font-weight:600;color:#57606a;font-size:.85rem}code{font-size:.85rem;overflow-wrap:anywhere}
.r{white-space:nowrap;font-family:ui-monospace,monospace;font-size:.85rem}#filters select{max-width:22rem}
td:nth-child(5){overflow-wrap:anywhere}.s{font-weight:600}tr.info .s{color:#57606a}
tr.fail .s{color:#cf222e}tr.error .s{color:#8250df}tr.warn .s{color:#9a6700}
.none{color:#57606a}footer{color:#57606a;margin-top:2rem;font-size:.85rem}
[hidden]{display:none!important}
</style></head><body>
"""

_SCRIPT = """
(function(){
  var rows=Array.prototype.slice.call(document.querySelectorAll('.row'));
  var v=document.getElementById('f-verdict'),m=document.getElementById('f-measure'),
      n=document.getElementById('f-mineral'),shown=document.getElementById('shown');
  function apply(){
    var count=0;
    rows.forEach(function(r){
      var ok=(!v.value||r.dataset.verdict===v.value)&&
        (!m.value||r.dataset.measures.indexOf(' '+m.value+' ')>=0)&&
        (!n.value||r.dataset.minerals.indexOf(' '+n.value+' ')>=0);
      r.hidden=!ok;if(ok){count++;}
    });
    shown.textContent='showing '+count+' of '+rows.length;
  }
  [v,m,n].forEach(function(s){s.addEventListener('change',apply);});
  function openAll(o){document.querySelectorAll('details.manifest').forEach(function(d){d.open=o;});}
  document.getElementById('open-all').addEventListener('click',function(){openAll(true);});
  document.getElementById('close-all').addEventListener('click',function(){openAll(false);});
  Array.prototype.forEach.call(document.querySelectorAll('[data-show]'),function(b){
    b.addEventListener('click',function(){v.value=b.dataset.show;apply();});
  });
})();
"""


def render(report: Report, style: Style) -> str:
    """The whole page for a report."""
    return render_with(Writer, report, style)
