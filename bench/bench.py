"""Benchmark mineralcheck against the real limits of the machine it runs on.

    python bench/bench.py [--n 2000] [--lines 20] [--runs 3] [--controls 5000]

Generates N realistic manifests (a mix of passing, failing and warning shipments) and prints,
side by side, medians of several runs:

* the parse floor: reading and parsing the same files with PyYAML's C loader in one process;
* ``mineralcheck verify DIR --format json`` (cold, no cache), in parallel and with one job;
* check-jsonschema validating the same files against ``mineralcheck schema manifest``;
* the start-up floor (``import typer, pydantic, rich.console, yaml``) against
  ``mineralcheck verify one.yaml``, with and without the verdict cache;
* peak memory (largest process of the tree) of ``verify`` at N and at 10 x N manifests;
* a re-run over the unchanged directory with the verdict cache against the cold run, and the
  re-run floor (start Python, read and hash every file, write the report);
* ``verify`` with a synthetic pack of extra controls against the bundled pack alone;

and the ratios between them. Needs mineralcheck installed; check-jsonschema is optional
(``pip install check-jsonschema``). Timings are wall-clock seconds on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

PYTHON = sys.executable
BIN = Path(PYTHON).parent


def tool(name: str) -> str | None:
    """The path of a console script next to this Python, or on PATH."""
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    return shutil.which(name)


# --- manifests ------------------------------------------------------------------------------

# (description, mineral, hs_code, form, purity, controlled-by-permit-as)
CATALOGUE = [
    ("Dysprosium oxide Dy2O3", "dysprosium", "2846901993", "oxide", "99.99%", "dysprosium"),
    ("Terbium metal", "terbium", "2805301300", "metal", "99.9%", "terbium"),
    ("Gallium metal ingots", "gallium", "8112929090", "metal", "99.999%", "gallium"),
    ("Germanium dioxide", "germanium", "2825600002", "oxide", "99.99%", "germanium"),
    ("Natural flake graphite", "natural graphite", "2504101000", "flake", None, "natural graphite"),
    ("Antimony trioxide, technical grade", "antimony", "2825800010", "oxide", "99.5%", None),
    ("Tungsten bars, 95 % W", "tungsten", "8101940001", "bar", "95%", None),
    ("Molybdenum powder, 95 % Mo", "molybdenum", "8102100001", "powder", "95%", None),
    (
        "Sintered NdFeB magnets, no heavy rare earths",
        "[neodymium, iron, boron]",
        "8505111000",
        "magnet",
        None,
        None,
    ),
    ("Grey iron castings", "iron", None, "casting", None, None),
    ("Copper wire rod", "copper", "7408110000", "rod", "99.9%", None),
    ("Nickel cathodes", "nickel", "7502100000", "cathode", "99.8%", None),
    ("Cerium oxide polishing powder", "cerium", "2846101000", "oxide", "99%", None),
    ("Lanthanum carbonate", "lanthanum", "2846902100", "compound", None, None),
]
WARN_ITEM = (
    "Isostatic artificial graphite blocks",
    "artificial graphite",
    "3801909010",
    "block",
    None,
    "artificial graphite",
)
DESTINATIONS = ["DE", "FR", "JP", "KR", "IT", "NL", "GB", "IN", "BR", "VN"]


def manifest_text(number: int, lines: int, kind: str, rng: random.Random) -> str:
    """A manifest of ``lines`` items: ``pass`` (licensed), ``fail`` (unlicensed) or ``warn``."""
    destination = rng.choice(DESTINATIONS)
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    ship_date = f"2025-{month:02d}-{day:02d}"
    out = [
        f"id: BENCH-{number:06d}",
        f"ship_date: {ship_date}",
        "exporter:",
        f"  name: Example Export {number % 97} Co., Ltd.",
        "  country: CN",
        "consignee:",
        f"  name: Example Importer {number % 89} Ltd",
        f"  country: {destination}",
        "items:",
    ]
    covers: set[str] = set()
    for line in range(1, lines + 1):
        description, mineral, hs_code, form, purity, permit = rng.choice(CATALOGUE)
        if kind == "warn" and line == lines:
            description, mineral, hs_code, form, purity, permit = WARN_ITEM
        out.append(f"  - line: {line}")
        out.append(f"    description: {description}, lot {number}-{line}")
        if hs_code:
            out.append(f'    hs_code: "{hs_code}"')
        out.append(f"    mineral: {mineral}")
        out.append(f"    form: {form}")
        if purity:
            out.append(f"    purity: {purity}")
        out.append(f"    quantity: {rng.randint(1, 900)} kg")
        out.append(f"    value: {rng.randint(1000, 90000)} USD")
        if permit:
            covers.add(permit)
    if kind in ("pass", "warn") and covers:
        out += [
            "permits:",
            f"  - number: DU-2025-{number:06d}",
            "    issued_by: MOFCOM",
            "    valid_from: 2025-01-01",
            "    valid_until: 2025-12-31",
            f"    destination: {destination}",
            f"    covers: [{', '.join(sorted(covers))}]",
        ]
    return "\n".join(out) + "\n"


def register_batch(directory: Path, count: int, licences: int, seed: int = 9) -> Path:
    """``count`` manifests in ``directory/inline`` that define their permits, the same in
    ``directory/named`` naming licences of a register of ``licences`` (returned) instead."""
    rng = random.Random(seed)
    inline, named = directory / "inline", directory / "named"
    inline.mkdir(parents=True)
    named.mkdir(parents=True)
    terms = (
        "    valid_from: 2025-01-01\n    valid_until: 2025-12-31\n"
        "    destination: [DE, FR, JP, KR, IT, NL, GB, IN, BR, VN]\n"
        "    covers: [dysprosium, terbium, gallium, germanium, natural graphite]\n"
    )
    register = directory / "register.yaml"
    register.write_text(
        "register: 1\npermits:\n"
        + "".join(
            f"  - number: LIC-{i:05d}\n    route: general\n{terms}    quantity: 1000 t\n"
            for i in range(licences)
        ),
        encoding="utf-8",
    )
    items = [c for c in CATALOGUE if c[5]]  # items a permit covers
    for number in range(count):
        licence = f"LIC-{rng.randrange(licences):05d}"
        day = f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines = []
        for line in range(1, 21):
            description, mineral, hs_code, form, _, _ = rng.choice(items)
            quantity = rng.randint(1, 900)
            lines.append(
                f'  - line: {line}\n    description: {description}\n    hs_code: "{hs_code}"\n'
                f"    mineral: {mineral}\n    form: {form}\n    quantity: {quantity} kg\n"
                f"    permits: [{licence}]\n"
            )
        head = (
            f"id: REG-{number:06d}\nship_date: {day}\nexporter:\n  name: Example Export Co.\n"
            "  country: CN\nconsignee:\n  name: Example Importer GmbH\n  country: DE\nitems:\n"
            + "".join(lines)
        )
        (named / f"m{number:05d}.yaml").write_text(head, encoding="utf-8")
        own = f"permits:\n  - number: {licence}\n{terms}    quantity: 1000 t\n"
        (inline / f"m{number:05d}.yaml").write_text(head + own, encoding="utf-8")
    return register


def reviews_file(directory: Path, count: int, manifests: int, seed: int = 13) -> Path:
    """A reviews file of ``count`` entries over the register batch's manifests."""
    rng = random.Random(seed)
    entries = "".join(
        f"  - manifest: REG-{rng.randrange(manifests):06d}\n"
        "    rule: cn-mofcom-gac-2023-39/natural-graphite\n"
        f"    item: {rng.randint(1, 20)}\n"
        "    reason: Benchmark review of a classification\n"
        "    reviewer: A. Example\n"
        "    date: 2025-01-01\n"
        "    expires: 2027-12-31\n"
        for _ in range(count)
    )
    path = directory / "reviews.yaml"
    path.write_text(f"reviews: 1\nentries:\n{entries}", encoding="utf-8")
    return path


def generate(directory: Path, count: int, lines: int, seed: int = 7) -> None:
    """Write ``count`` manifests: 60 % pass, 30 % fail, 10 % warn."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        kind = "pass" if number % 10 < 6 else ("fail" if number % 10 < 9 else "warn")
        path = directory / f"{number // 1000:03d}" / f"manifest-{number:06d}.yaml"
        path.parent.mkdir(exist_ok=True)
        path.write_text(manifest_text(number, lines, kind, rng), encoding="utf-8")


def synthetic_pack(directory: Path, controls: int, per_file: int = 100, seed: int = 11) -> None:
    """Rule files with ``controls`` extra controls over minerals and HS chapters the generated
    manifests do not use, so the pack is large but each item concerns few of its controls."""
    from mineralcheck.minerals import elements

    rng = random.Random(seed)
    used = {
        "dysprosium",
        "terbium",
        "gallium",
        "germanium",
        "antimony",
        "tungsten",
        "molybdenum",
        "neodymium",
        "iron",
        "boron",
        "copper",
        "nickel",
        "cerium",
        "lanthanum",
        "carbon",
    }
    pool = [e.name for e in elements() if e.name not in used]
    directory.mkdir(parents=True, exist_ok=True)
    for file_number in range(0, controls, per_file):
        lines = [
            f"id: synthetic-{file_number // per_file:04d}",
            "title: Synthetic measure for the benchmark",
            f"reference: Synthetic Announcement No. {file_number // per_file}",
            "source: https://example.invalid/synthetic",
            "jurisdiction: CN",
            "announced: 2024-01-01",
            "effective: 2024-06-01",
            "controls:",
        ]
        for index in range(min(per_file, controls - file_number)):
            minerals = ", ".join(rng.sample(pool, 2))
            prefix = f"{rng.randint(1, 24):02d}{rng.randint(0, 99):02d}"
            lines += [
                f"  - id: c{index:03d}",
                f"    title: Synthetic control {index}",
                "    items:",
                f"      - minerals: [{minerals}]",
                f'        hs_codes: ["{prefix}"]',
                f"        purity: {{at_least: {rng.choice([90, 99, 99.9])}}}",
                "    destinations: {all_except: [CN]}",
                "    requires: permit",
                '    message: "{item} needs a synthetic licence"',
            ]
        (directory / f"synthetic-{file_number // per_file:04d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )


def elsewhere_pack(directory: Path, controls: int, per_file: int = 100, seed: int = 12) -> None:
    """Rule files with ``controls`` extra controls that name the manifests' own minerals but
    never apply to them: other exporting countries, destinations the manifests do not ship to,
    goods of another origin. The index must set them aside without trying each one."""
    rng = random.Random(seed)
    minerals = ["dysprosium", "terbium", "gallium", "germanium", "antimony", "tungsten"]
    directory.mkdir(parents=True, exist_ok=True)
    for file_number in range(0, controls, per_file):
        kind = (file_number // per_file) % 3
        jurisdiction = "BR" if kind == 0 else "CN"
        lines = [
            f"id: elsewhere-{file_number // per_file:04d}",
            "title: Synthetic measure that applies elsewhere",
            f"reference: Synthetic Announcement No. E{file_number // per_file}",
            "source: https://example.invalid/elsewhere",
            f"jurisdiction: {jurisdiction}",
            "announced: 2024-01-01",
            "effective: 2024-06-01",
            "controls:",
        ]
        for index in range(min(per_file, controls - file_number)):
            scope = {
                0: [],  # exports from Brazil: the manifests are exported from China
                1: ["    destinations: {only: [FJ]}"],  # a destination no manifest ships to
                2: ["    origin: {only: [BR]}"],  # goods of another origin
            }[kind]
            lines += [
                f"  - id: c{index:03d}",
                f"    title: Synthetic control {index}",
                "    items:",
                f"      - minerals: [{rng.choice(minerals)}]",
                *scope,
                "    requires: permit",
                '    message: "{item} needs a synthetic licence"',
            ]
        (directory / f"elsewhere-{file_number // per_file:04d}.yaml").write_text(
            "\n".join(lines) + "\n", encoding="utf-8"
        )


# --- measuring ------------------------------------------------------------------------------


# The re-run floor: Python started, every file of the directory read and hashed, the report
# written; argv: the directory, the report to write.
RERUN_FLOOR = """\
import hashlib, os, sys
def walk(directory):
    with os.scandir(directory) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir():
                yield from walk(entry.path)
            elif entry.name.endswith(".yaml"):
                yield entry.path
for path in walk(sys.argv[1]):
    with open(path, "rb") as handle:
        hashlib.sha256(handle.read()).digest()
with open(sys.argv[2], "rb") as handle:
    sys.stdout.buffer.write(handle.read())
"""

# The two target rows whose runs differ most from one another (a re-run of 0.1 s, a register
# batch whose ledger work is partly serial) are measured this many times more often.
TARGET_RUNS = 3


def timed(command: list[str], env: dict[str, str] | None = None) -> float:
    """Wall-clock seconds of one run of ``command`` (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False
    )
    return time.perf_counter() - start


def interleaved(runs: int, measures: list[Callable[[], float]], warmup: int = 1) -> list[float]:
    """The median of each of ``measures``, run in turn (a, b, c, a, b, c...) so that a ratio
    between them is not skewed by the machine getting slower or faster over minutes."""
    for _ in range(warmup):
        for measure in measures:
            measure()
    samples: list[list[float]] = [[] for _ in measures]
    for _ in range(runs):
        for taken, measure in zip(samples, measures, strict=True):
            taken.append(measure())
    return [statistics.median(taken) for taken in samples]


def median(runs: int, measure: Callable[[], float], warmup: int = 1) -> float:
    """The median of ``runs`` measurements, after ``warmup`` unrecorded ones."""
    for _ in range(warmup):
        measure()
    return statistics.median(measure() for _ in range(runs))


def per_file(files: list[str], f: dict[str, float]) -> None:
    """Milliseconds per file, in this process, of each step of a check: YAML read by the
    PyYAML C loader, by mineralcheck's event reader and by its line reader; validation without
    Pydantic (``shipment.build``) and by the schema (Pydantic); judging; the whole check of one
    file (``Checker.check_bytes``)."""
    import yaml

    from mineralcheck.manifest.model import Manifest
    from mineralcheck.manifest.shipment import build
    from mineralcheck.pipeline import Checker, Options
    from mineralcheck.yamlread import read_yaml

    raws = [Path(p).read_bytes() for p in files]
    checker = Checker(Options())
    judge, vocabulary = checker.judge, checker.pack.vocabulary
    docs = [read_yaml(raw) for raw in raws]
    manifests = [m for d in docs if (m := build(d.data, vocabulary)) is not None]
    assert len(manifests) == len(docs), "every generated manifest is read without the schema"

    def each(step: Callable[[int], object]) -> float:
        def run() -> float:
            start = time.perf_counter()
            for index in range(len(raws)):
                step(index)
            return 1000 * (time.perf_counter() - start) / len(raws)

        return median(3, run)

    f["ms_csafeloader"] = each(lambda i: yaml.load(raws[i], Loader=yaml.CSafeLoader))
    f["ms_event_reader"] = each(lambda i: read_yaml(raws[i], lines=False))
    f["ms_line_reader"] = each(lambda i: read_yaml(raws[i]))
    f["ms_build"] = each(lambda i: build(docs[i].data, vocabulary))
    f["ms_validate"] = each(
        lambda i: Manifest.model_validate(docs[i].data, context={"vocabulary": vocabulary})
    )
    f["ms_judge"] = each(lambda i: judge.judgement(manifests[i], docs[i]))
    f["ms_check"] = each(lambda i: checker.check_bytes(files[i], raws[i]))


def peak_memory_mib(command: list[str], env: dict[str, str]) -> float:
    """Peak resident memory, in MiB, of the largest process in ``command``'s process tree."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [PYTHON, "-c", wrapper, *command], capture_output=True, text=True, env=env, check=True
    )
    return int(done.stdout.strip()) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=2000, help="manifests (default 2000)")
    parser.add_argument("--lines", type=int, default=20, help="items per manifest (default 20)")
    parser.add_argument("--runs", type=int, default=3, help="runs per median (default 3)")
    parser.add_argument("--startup-runs", type=int, default=15, help="runs for start-up medians")
    parser.add_argument("--controls", type=int, default=5000, help="synthetic pack size")
    parser.add_argument("--skip-memory", action="store_true", help="skip the 10 x N memory run")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--html-n", type=int, default=10000, help="manifests in the HTML report")
    parser.add_argument("--only-html", action="store_true", help="measure the HTML report only")
    args = parser.parse_args()

    mineralcheck = tool("mineralcheck")
    if mineralcheck is None:
        print("mineralcheck is not installed in this environment", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="mineralcheck-bench-"))
    env = {
        **os.environ,
        "MINERALCHECK_CACHE_DIR": str(work / "cache"),
        "MINERALCHECK_CACHE_KEY": str(work / "cache.key"),  # outside the cache, as by default
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_ACTIONS", None)
    # An installed package has its bytecode (pip compiles it); a developer environment that
    # forbids writing it would charge every run for compiling mineralcheck's own sources,
    # while the floors import site-packages that have theirs.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    figures: dict[str, float] = {}
    try:
        html_report(work, args.html_n, args.lines, mineralcheck, env, figures)
        if args.only_html:
            report_html(figures, args)
            return 0
        manifests = work / "manifests"
        print(f"generating {args.n} manifests of {args.lines} lines in {manifests} ...")
        generate(manifests, args.n, args.lines)
        files = sorted(str(p) for p in manifests.rglob("*.yaml"))
        one = files[0]

        floor_script = (
            "import sys, yaml\n"
            "from pathlib import Path\n"
            "for p in sorted(Path(sys.argv[1]).rglob('*.yaml')):\n"
            "    yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader)\n"
        )
        verify = [mineralcheck, "verify", str(manifests), "--format", "json", "--no-cache"]
        figures["parse_floor_s"], figures["verify_s"] = interleaved(
            args.runs,
            [
                lambda: timed([PYTHON, "-c", floor_script, str(manifests)]),
                lambda: timed(verify, env),
            ],
        )
        figures["verify_one_job_s"] = median(
            args.runs, lambda: timed([*verify, "--jobs", "1"], env)
        )

        checker = tool("check-jsonschema")
        if checker is not None:
            schema = work / "manifest.schema.json"
            schema.write_text(
                subprocess.run(
                    [mineralcheck, "schema", "manifest"], capture_output=True, text=True, check=True
                ).stdout
            )
            command = [checker, "--schemafile", str(schema), *files]
            figures["check_jsonschema_s"] = median(max(1, args.runs - 2), lambda: timed(command))

        (
            figures["startup_floor_s"],
            figures["verify_one_cold_s"],
            figures["verify_one_cached_s"],
        ) = interleaved(
            args.startup_runs,
            [
                lambda: timed([PYTHON, "-c", "import typer, pydantic, rich.console, yaml"]),
                lambda: timed([mineralcheck, "verify", one, "--no-cache"], env),
                lambda: timed([mineralcheck, "verify", one], env),
            ],
            warmup=2,
        )

        cached = [mineralcheck, "verify", str(manifests), "--format", "json"]

        def cold_cache() -> float:
            shutil.rmtree(work / "cache", ignore_errors=True)
            return timed(cached, env)

        # What any re-run that trusts nothing but the files' bytes cannot avoid: start Python,
        # read and hash every file, write the report (the cold run's, kept for this).
        cold_report = work / "cold-report.json"
        with cold_report.open("wb") as kept:
            subprocess.run([*cached, "--no-cache"], stdout=kept, env=env, check=False)
        rerun_floor = [PYTHON, "-c", RERUN_FLOOR, str(manifests), str(cold_report)]
        (
            figures["cache_cold_s"],
            figures["cache_warm_s"],
            figures["cache_floor_s"],
        ) = interleaved(
            TARGET_RUNS * args.runs,
            [cold_cache, lambda: timed(cached, env), lambda: timed(rerun_floor)],
            warmup=0,
        )

        pack = work / "synthetic-rules"
        synthetic_pack(pack, args.controls)
        big = [*verify, "--rules", str(pack)]
        elsewhere = work / "elsewhere-rules"
        elsewhere_pack(elsewhere, args.controls)
        apart = [*verify, "--rules", str(elsewhere)]
        (
            figures["verify_pack_base_s"],
            figures["verify_big_pack_s"],
            figures["verify_elsewhere_pack_s"],
        ) = interleaved(
            args.runs,
            [lambda: timed(verify, env), lambda: timed(big, env), lambda: timed(apart, env)],
        )

        records = work / "register-batch"
        register = register_batch(records, args.n, 1000)
        reviews = reviews_file(records, 500, args.n)
        base = [mineralcheck, "verify", "--format", "json", "--no-cache"]
        named = [*base, str(records / "named"), "--permits", str(register)]
        (
            figures["verify_inline_permits_s"],
            figures["verify_register_s"],
            figures["verify_everything_s"],
        ) = interleaved(
            TARGET_RUNS * args.runs,
            [
                lambda: timed([*base, str(records / "inline")], env),
                lambda: timed(named, env),
                lambda: timed([*named, "--reviews", str(reviews)], env),
            ],
        )

        small = work / "manifests-200"
        small.mkdir()
        for path in files[:200]:
            shutil.copy(path, small / Path(path).name)
        # a quarter of a second: as noisy as start-up, so as many runs
        figures["parse_floor_200_s"], figures["verify_200_s"] = interleaved(
            max(args.runs, args.startup_runs),
            [
                lambda: timed([PYTHON, "-c", floor_script, str(small)]),
                lambda: timed([*verify[:2], str(small), *verify[3:]], env),
            ],
        )

        per_file(files, figures)
        figures["memory_n_mib"] = peak_memory_mib(verify, env)
        if not args.skip_memory:
            many = work / "manifests-10x"
            print(f"generating {10 * args.n} manifests for the memory run ...")
            generate(many, 10 * args.n, args.lines, seed=8)
            figures["memory_10n_mib"] = peak_memory_mib(
                [mineralcheck, "verify", str(many), "--format", "json", "--no-cache"], env
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)

    report(figures, args)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0


def html_report(
    work: Path, n: int, lines: int, mineralcheck: str, env: dict[str, str], f: dict[str, float]
) -> None:
    """The HTML report of ``n`` manifests: the time to write it, its size, and the time
    headless Chromium takes to load it (when Debian's chromium and chromedriver are here)."""
    directory = work / "html-manifests"
    print(f"generating {n} manifests for the HTML report ...")
    generate(directory, n, lines, seed=10)
    page = work / "report.html"
    command = [mineralcheck, "verify", str(directory), "-f", "json", "-o", f"html:{page}"]
    command.append("--no-cache")
    f["html_write_s"] = timed([*command[:5], "-o", str(work / "r.json"), *command[5:]], env)
    f["html_mib"] = page.stat().st_size / 2**20
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    try:
        from browser import chromium, missing  # type: ignore[import-not-found]
    except ImportError:  # selenium is a test extra
        return
    if missing() is not None:
        return
    with chromium() as browser:
        loads = []
        for _ in range(3):
            start = time.perf_counter()
            browser.get(page.as_uri())  # returns when the page has loaded
            browser.execute_script("return document.getElementById('shown').textContent")
            loads.append(time.perf_counter() - start)
        f["html_load_s"] = sorted(loads)[1]
        start = time.perf_counter()
        browser.execute_script(
            "var s=document.getElementById('f-verdict');s.value='pass';"
            "s.dispatchEvent(new Event('change'));"
        )
        f["html_filter_s"] = time.perf_counter() - start


def report_html(f: dict[str, float], args: argparse.Namespace) -> None:
    """Print the HTML report's figures."""
    n = args.html_n
    print(f"\nHTML report of {n} manifests x {args.lines} lines:")
    print(f"  written with the JSON report in {f['html_write_s']:.2f} s; {f['html_mib']:.1f} MiB")
    if "html_load_s" in f:
        print(
            f"  headless Chromium: loads in {f['html_load_s']:.2f} s (median of 3), a filter "
            f"applies in {f['html_filter_s']:.2f} s"
        )
    else:
        print("  load time not measured: Chromium, chromedriver or selenium missing")


def report(f: dict[str, float], args: argparse.Namespace) -> None:
    """Print the figures and the ratios the acceptance criteria speak of."""
    n = args.n
    rows = [
        (
            f"verify {n} manifests, permits defined in each (no cache)",
            f["verify_inline_permits_s"],
            "",
        ),
        (
            f"verify the same {n}, licences from a 1,000-licence register (ledger)",
            f["verify_register_s"],
            f"{f['verify_register_s'] / f['verify_inline_permits_s']:.2f} x without a register",
        ),
        (
            "the same with 500 reviews as well",
            f["verify_everything_s"],
            f"{f['verify_everything_s'] / f['verify_inline_permits_s']:.2f} x without either",
        ),
        (f"parse floor: PyYAML C loader, {n} files, one process", f["parse_floor_s"], ""),
        (
            f"mineralcheck verify DIR --format json ({os.cpu_count()} jobs, no cache)",
            f["verify_s"],
            f"{f['verify_s'] / f['parse_floor_s']:.2f} x parse floor",
        ),
        (
            "mineralcheck verify DIR --jobs 1 (no cache)",
            f["verify_one_job_s"],
            f"{f['verify_one_job_s'] / f['parse_floor_s']:.2f} x parse floor",
        ),
    ]
    rows += [
        ("parse floor, the first 200 of the files", f["parse_floor_200_s"], ""),
        (
            "mineralcheck verify DIR200 --format json (no cache)",
            f["verify_200_s"],
            f"{f['verify_200_s'] / f['parse_floor_200_s']:.2f} x parse floor",
        ),
    ]
    if "check_jsonschema_s" in f:
        rows.append(
            (
                "check-jsonschema, same files, manifest schema",
                f["check_jsonschema_s"],
                f"verify is {f['check_jsonschema_s'] / f['verify_s']:.1f} x faster",
            )
        )
    else:
        rows.append(
            ("check-jsonschema", float("nan"), "not installed: pip install check-jsonschema")
        )
    rows += [
        ("start-up floor: import typer, pydantic, rich.console, yaml", f["startup_floor_s"], ""),
        (
            "mineralcheck verify one.yaml (cache on, default)",
            f["verify_one_cached_s"],
            f"{f['verify_one_cached_s'] / f['startup_floor_s']:.2f} x start-up floor",
        ),
        (
            "mineralcheck verify one.yaml --no-cache",
            f["verify_one_cold_s"],
            f"{f['verify_one_cold_s'] / f['startup_floor_s']:.2f} x start-up floor",
        ),
        ("verify DIR, cache cold", f["cache_cold_s"], ""),
        (
            "verify DIR, cache warm (unchanged files)",
            f["cache_warm_s"],
            f"{100 * f['cache_warm_s'] / f['cache_cold_s']:.1f} % of the cold run",
        ),
        (
            "re-run floor: start Python, read and hash the files, write the report",
            f["cache_floor_s"],
            f"{100 * f['cache_floor_s'] / f['cache_cold_s']:.1f} % of the cold run",
        ),
        ("verify DIR, bundled pack, run in turn with the two below", f["verify_pack_base_s"], ""),
        (
            f"verify DIR with {args.controls} extra controls (no cache)",
            f["verify_big_pack_s"],
            f"{f['verify_big_pack_s'] / f['verify_pack_base_s']:.2f} x the bundled pack",
        ),
        (
            f"verify DIR with {args.controls} extra controls on the same minerals that apply "
            "elsewhere",
            f["verify_elsewhere_pack_s"],
            f"{f['verify_elsewhere_pack_s'] / f['verify_pack_base_s']:.2f} x the bundled pack",
        ),
        (f"peak memory, {n} manifests (MiB)", f["memory_n_mib"], ""),
    ]
    if "memory_10n_mib" in f:
        rows.append(
            (
                f"peak memory, {10 * n} manifests (MiB)",
                f["memory_10n_mib"],
                f"{f['memory_10n_mib'] / f['memory_n_mib']:.2f} x at {n}",
            )
        )
    rows += [
        ("per file, in one process (ms): YAML, PyYAML C loader", f["ms_csafeloader"], ""),
        ("  YAML, mineralcheck's event reader (libyaml events)", f["ms_event_reader"], ""),
        (
            "  YAML, mineralcheck's line reader (the default)",
            f["ms_line_reader"],
            f"{f['ms_csafeloader'] / f['ms_line_reader']:.1f} x faster than the C loader",
        ),
        ("  validation (shipment.build, the path a check takes)", f["ms_build"], ""),
        ("  validation by the schema (Pydantic, for unusual manifests)", f["ms_validate"], ""),
        ("  judging", f["ms_judge"], ""),
        ("  the whole check of a file", f["ms_check"], ""),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"\nmineralcheck benchmark: {n} manifests x {args.lines} lines, medians of "
        f"{args.runs} runs ({args.startup_runs} for start-up and the batch of 200, "
        f"{TARGET_RUNS * args.runs} for the cache and the register), "
        f"{os.cpu_count()} CPUs; the measures "
        "a ratio compares are run in turn\n"
    )
    for label, value, ratio in rows:
        print(f"{label.ljust(width)}  {value:8.3f}  {ratio}")
    report_html(f, args)
    report_targets(f, args)


def report_targets(f: dict[str, float], args: argparse.Namespace) -> None:
    """The table of issue 13: each measure as a ratio, against its target."""
    rows = [
        (
            "never-seen single manifest, no cache, vs the import floor",
            f["verify_one_cold_s"] / f["startup_floor_s"],
            1.3,
            "x",
        ),
        (
            f"batch of {args.n} x {args.lines}-line manifests vs the parse floor",
            f["verify_s"] / f["parse_floor_s"],
            0.5,
            "x",
        ),
        (
            "the same at 200 manifests",
            f["verify_200_s"] / f["parse_floor_200_s"],
            1.0,
            "x",
        ),
        (
            f"cached re-run vs cold, {args.n} manifests",
            100 * f["cache_warm_s"] / f["cache_cold_s"],
            5.0,
            "%",
        ),
        (
            f"+{args.controls} controls on the manifests' minerals that apply elsewhere",
            f["verify_elsewhere_pack_s"] / f["verify_pack_base_s"],
            1.5,
            "x",
        ),
        (
            "all packs and parties, a 1,000-licence register and 500 reviews, vs without",
            f["verify_everything_s"] / f["verify_inline_permits_s"],
            1.2,
            "x",
        ),
    ]
    if "memory_10n_mib" in f:
        rows.append(
            (
                f"peak memory, {args.n} -> {10 * args.n} manifests",
                f["memory_10n_mib"] / f["memory_n_mib"],
                1.1,
                "x",
            )
        )
    width = max(len(r[0]) for r in rows)
    print("\ntargets (issue 13):")
    for label, value, target, unit in rows:
        verdict = "met" if value <= target else "not met"
        shown = f"{value:.1f} %" if unit == "%" else f"{value:.2f} x"
        aim = f"{target:.0f} %" if unit == "%" else f"{target:.2f} x"
        print(f"  {label.ljust(width)}  {shown:>8}  target <= {aim:<7}  {verdict}")
    floor = 100 * f["cache_floor_s"] / f["cache_cold_s"]
    print(f"  (the re-run floor, Python started and every file read and hashed: {floor:.1f} %)")


if __name__ == "__main__":
    raise SystemExit(main())
