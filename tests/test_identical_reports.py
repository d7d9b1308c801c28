"""The fast paths change no output: cold, cached, one process and several give the same bytes
in every format."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES

FORMATS = ["json", "sarif", "junit", "text", "markdown", "html"]


def run(tmp_path: Path, cache: str, args: list[str]) -> bytes:
    env = {
        **os.environ,
        "MINERALCHECK_CACHE_DIR": str(tmp_path / cache),
        "MINERALCHECK_CACHE_KEY": str(tmp_path / "cache.key"),
        "NO_COLOR": "1",
    }
    env.pop("GITHUB_ACTIONS", None)
    command = [sys.executable, "-m", "mineralcheck", "verify", str(EXAMPLES), *args]
    done = subprocess.run(command, capture_output=True, env=env, timeout=300, check=False)
    assert done.returncode == 2, done.stderr  # examples/error holds broken manifests
    return done.stdout


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_way_of_running_gives_the_same_report(tmp_path: Path, fmt: str) -> None:
    one = run(tmp_path, "a", ["-f", fmt, "--no-cache", "--jobs", "1"])
    several = run(tmp_path, "a", ["-f", fmt, "--no-cache", "--jobs", "2"])
    cold = run(tmp_path, "b", ["-f", fmt, "--jobs", "2"])  # fills a new verdict cache
    warm = run(tmp_path, "b", ["-f", fmt, "--jobs", "2"])  # answered from it
    warm_one = run(tmp_path, "b", ["-f", fmt, "--jobs", "1"])
    assert one and one == several == cold == warm == warm_one
