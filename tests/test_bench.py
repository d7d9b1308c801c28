"""The bench's own measures must measure what they say (``bench/bench.py``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_rerun_floor_reads_every_manifest_and_writes_the_report_as_it_is(
    tmp_path: Path,
) -> None:
    """The re-run floor is what the README weighs the cached re-run against: it must read every
    manifest of the directory (nested ones too) and write the whole report, or the floor it
    gives is too low and the argument drawn from it wrong."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench import RERUN_FLOOR  # type: ignore[import-not-found]

    directory = tmp_path / "manifests"
    names = ["a.yaml", "b/c.yaml", "b/d/e.yaml", "f/g.yaml"]
    for name in names:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_text(f"id: {name}\n", "utf-8")
    (directory / "notes.txt").write_text("not a manifest", "utf-8")
    report = tmp_path / "report.json"
    report.write_bytes('{"results": ["é"]}\n'.encode() * 1000)
    watched = (
        "import builtins, sys\n"
        "opened = []\n"
        "real = builtins.open\n"
        "def watching(path, *args, **kwargs):\n"
        "    opened.append(str(path))\n"
        "    return real(path, *args, **kwargs)\n"
        "builtins.open = watching\n"
        f"exec({RERUN_FLOOR!r})\n"
        "print('\\n'.join(opened), file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", watched, str(directory), str(report)],
        capture_output=True,
        check=True,
    )
    assert done.stdout == report.read_bytes()
    opened = [Path(p) for p in done.stderr.decode().split()]
    assert opened == [*(directory / n for n in names), report]
